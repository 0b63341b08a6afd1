"""Metrics with Keras names."""

__all__: list = []
