"""merge layers."""

__all__: list = []
