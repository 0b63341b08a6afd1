"""neuronet: neural networks from first principles on NumPy, speaking the Keras API.

``import neuronet as keras`` runs ordinary Keras scripts; every op's forward and backward pass can be
read side by side in ``neuronet/ops``.

Importing the package loads the autograd engine and the settings only; every submodule
(``neuronet.layers``, ``neuronet.models``, ``neuronet.datasets``, ...) and the model classes
(``neuronet.Sequential``, ...) are imported the first time they are used (:mod:`neuronet._lazy`), so
``import neuronet`` stays fast however much the library grows.
"""

from . import _lazy, autograd, config
from .autograd import Tensor, Variable, enable_grad, is_grad_enabled, no_grad

__all__ = [
    "autograd", "backend", "config", "ops", "utils", "activations", "initializers", "losses", "metrics", "optimizers",
    "regularizers", "constraints", "layers", "callbacks", "models", "saving", "diagnostics", "random", "datasets",
    "distribution", "Tensor", "Variable", "enable_grad", "is_grad_enabled", "no_grad", "KerasTensor", "Layer",
    "Functional", "Input", "Model", "Sequential", "preprocessing", "tree", "Initializer", "InputSpec", "Loss",
    "Metric", "Optimizer", "Regularizer", "device", "name_scope", "version", "dtype_policies", "mixed_precision",
    "DTypePolicy", "FloatDTypePolicy",
]

__version__ = "0.1.0"

# neuronet.wrappers (scikit-learn estimators) imports scikit-learn; neuronet.export, the ONNX writer
__getattr__, __dir__ = _lazy.attach(
    __name__, globals(),
    submodules=("backend", "ops", "utils", "activations", "initializers", "losses", "metrics", "optimizers",
                "regularizers", "constraints", "layers", "callbacks", "models", "saving", "diagnostics", "random",
                "datasets", "distribution", "runtime", "wrappers", "export", "preprocessing", "tree",
                "dtype_policies", "mixed_precision"),
    names={"Functional": "models", "Input": "models", "Model": "models", "Sequential": "models",
           "KerasTensor": "layers.base", "Layer": "layers.base", "InputSpec": "layers.base",
           "Initializer": "initializers", "Loss": "losses", "Metric": "metrics", "Optimizer": "optimizers",
           "Regularizer": "regularizers", "device": "scopes", "name_scope": "scopes",
           "DTypePolicy": "dtype_policies", "FloatDTypePolicy": "dtype_policies"},
)


def version() -> str:
    """neuronet's version (``keras.version()``)."""
    return __version__
