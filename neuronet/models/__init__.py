"""Models (``keras.models``): Sequential, the functional ``Model(inputs, outputs)`` and subclassed
models, all trained by the one loop in ``training.py``; ``clone_model`` copies an architecture."""

from ..layers.core import Input
from .cloning import clone_model
from .functional import Functional
from .sequential import Sequential
from .training import Model
from ..saving import load_model, model_from_json, save_model

__all__ = ["Functional", "Input", "Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]
