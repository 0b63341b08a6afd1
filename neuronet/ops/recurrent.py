"""recurrent ops."""

__all__: list = []
