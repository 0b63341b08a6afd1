"""optimizers"""

__all__: list = []
