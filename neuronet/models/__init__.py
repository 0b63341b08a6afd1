"""Models (``keras.models``): Sequential, the functional ``Model(inputs, outputs)`` and subclassed
models, all trained by the one loop in ``training.py``."""

from ..layers.core import Input
from .functional import Functional
from .sequential import Sequential
from .training import Model

__all__ = ["Functional", "Input", "Model", "Sequential"]
