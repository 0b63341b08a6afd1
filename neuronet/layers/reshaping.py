"""reshaping layers."""

__all__: list = []
