"""Data adapters."""

__all__: list = []
