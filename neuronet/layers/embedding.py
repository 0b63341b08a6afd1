"""embedding layers."""

__all__: list = []
