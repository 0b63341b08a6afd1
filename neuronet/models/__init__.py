"""Models (``keras.models``): Sequential, the functional ``Model(inputs, outputs)`` and subclassed
models, all trained by the one loop in ``training.py``; ``clone_model`` copies an architecture.

``load_model``, ``model_from_json`` and ``save_model`` are :mod:`neuronet.saving`'s (Keras exposes them here too);
saving sits above models, so they are looked up on first use."""

from ..layers.core import Input
from .cloning import clone_model
from .functional import Functional
from .sequential import Sequential
from .training import Model

__all__ = ["Functional", "Input", "Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]


def __getattr__(name: str):
    if name in ("load_model", "model_from_json", "save_model"):
        from .. import saving

        value = getattr(saving, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | {"load_model", "model_from_json", "save_model"})
