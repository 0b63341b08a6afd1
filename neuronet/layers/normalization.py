"""normalization layers."""

__all__: list = []
