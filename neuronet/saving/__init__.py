"""saving"""

__all__: list = []
