"""callbacks"""

__all__: list = []
