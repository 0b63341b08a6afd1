"""neuronet: neural networks from first principles on NumPy, speaking the Keras API.

``import neuronet as keras`` runs ordinary Keras scripts; every op's forward and backward pass can be
read side by side in ``neuronet/ops``.
"""

from . import autograd, config, ops
from .autograd import Tensor, Variable, enable_grad, is_grad_enabled, no_grad

__version__ = "0.1.0"

__all__ = ["Tensor", "Variable", "autograd", "config", "enable_grad", "is_grad_enabled", "no_grad", "ops"]
