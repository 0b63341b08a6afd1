"""conv layers."""

__all__: list = []
