"""Sequence utilities."""

__all__: list = []
