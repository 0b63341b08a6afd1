"""pooling ops."""

__all__: list = []
