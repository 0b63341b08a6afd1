"""models"""

__all__: list = []
