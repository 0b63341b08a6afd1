"""Activation functions by Keras name."""

__all__: list = []
