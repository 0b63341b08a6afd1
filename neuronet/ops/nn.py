"""``keras.ops.nn``: the functions of ``neuronet.ops`` that Keras files under its ``ops.nn`` namespace.

The same (symbolic-aware) functions as the package's own names, e.g. ``ops.nn.X is ops.X``; names Keras
has there and neuronet does not implement are absent (see ``keras_names.py``).
"""

from __future__ import annotations

import sys as _sys

from .keras_names import NN as _NAMES

_ops = _sys.modules[__package__]
__all__ = [name for name in _NAMES if callable(getattr(_ops, name, None))]
globals().update({name: getattr(_ops, name) for name in __all__})
del _ops
