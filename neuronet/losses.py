"""Loss functions and classes with Keras names."""

__all__: list = []
