"""activation layers."""

__all__: list = []
