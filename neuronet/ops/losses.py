"""losses ops."""

__all__: list = []
