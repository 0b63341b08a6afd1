"""Stochastic gradient descent, with optional (Nesterov) momentum, as Keras 3 computes it."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent with momentum.

    Without momentum: ``var ← var - lr · g``. With momentum (Keras 3 form)::

        m ← momentum · m - lr · g
        var ← var + m                          (nesterov=False)
        var ← var + momentum · m - lr · g      (nesterov=True)

    This is PyTorch's SGD with ``m = -lr · buffer`` (identical updates for a constant rate).

    Args:
        learning_rate: float ≥ 0 or a schedule. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0.
        nesterov: use Nesterov momentum. Defaults to False.
        name: Defaults to 'SGD'.
        **kwargs: the base options (weight_decay, clipnorm, clipvalue, global_clipnorm).
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.momentum = _check_range("SGD", "momentum", momentum, 0, 1)
        self.nesterov = bool(nesterov)

    def _slot_names(self) -> tuple:
        return ("momentum",) if self.momentum else ()

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        np.multiply(gradient, learning_rate, out=s)  # s = lr · g
        if not self.momentum:
            var -= s  # var ← var - lr · g
            return
        m = slots["momentum"]
        m *= self.momentum
        m -= s  # m ← momentum · m - lr · g
        if self.nesterov:
            var -= s
            np.multiply(m, self.momentum, out=s)
            var += s  # var ← var + momentum · m - lr · g
        else:
            var += m  # var ← var + m

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
