"""wrappers layers."""

__all__: list = []
