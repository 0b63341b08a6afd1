"""neuronet: neural networks from first principles on NumPy, speaking the Keras API.

``import neuronet as keras`` runs ordinary Keras scripts; every op's forward and backward pass can be
read side by side in ``neuronet/ops``.
"""

from . import autograd, backend, config, constraints, ops, utils
from . import activations, initializers, losses, metrics, optimizers, regularizers
from . import layers, callbacks, models, saving, diagnostics
from . import datasets, distribution, random
from .autograd import Tensor, Variable, enable_grad, is_grad_enabled, no_grad
from .models import Functional, Input, Model, Sequential
from .layers.base import KerasTensor, Layer

__all__ = [
    "autograd", "backend", "config", "ops", "utils", "activations", "initializers", "losses", "metrics", "optimizers",
    "regularizers", "constraints", "layers", "callbacks", "models", "saving", "diagnostics", "random", "datasets",
    "distribution", "Tensor", "Variable", "enable_grad", "is_grad_enabled", "no_grad", "KerasTensor", "Layer",
    "Functional", "Input", "Model", "Sequential",
]

__version__ = "0.1.0"


def __getattr__(name: str):
    # neuronet.wrappers (scikit-learn estimators) imports scikit-learn, so it loads on first use only
    if name == "wrappers":
        import importlib

        return importlib.import_module(".wrappers", __name__)
    raise AttributeError(f"module 'neuronet' has no attribute {name!r}")
