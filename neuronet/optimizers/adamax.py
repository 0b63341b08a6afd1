"""Adamax (Kingma & Ba, 2014, section 7): Adam with the infinity norm, in Keras 3's form."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax: Adam whose second moment is a decaying maximum of ``|g|``.

    With ``t = iterations + 1`` (Keras 3)::

        m ← m + (g - m)·(1 - β₁)
        u ← max(β₂·u, |g|)
        var ← var - lr · m / ((1 - β₁ᵗ) · (u + ε))

    PyTorch's Adamax puts ε inside the maximum (``max(β₂·u, |g| + ε)``); they agree as ε → 0.

    Args:
        learning_rate: Defaults to 0.001.
        beta_1: in [0, 1). Defaults to 0.9.
        beta_2: in [0, 1). Defaults to 0.999.
        epsilon: Defaults to 1e-7.
        name: Defaults to 'adamax'.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "adamax",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = _check_range("Adamax", "beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = _check_range("Adamax", "beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = _check_range("Adamax", "epsilon", epsilon, 0)

    def _slot_names(self) -> tuple:
        return ("momentum", "norm")

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        m, u = slots["momentum"], slots["norm"]
        t = self.iterations + 1
        np.subtract(gradient, m, out=s)
        s *= 1.0 - self.beta_1
        m += s  # m ← m + (g - m)(1 - β₁)
        u *= self.beta_2
        np.abs(gradient, out=s)
        np.maximum(u, s, out=u)  # u ← max(β₂·u, |g|)
        np.add(u, self.epsilon, out=s)
        np.divide(m, s, out=s)
        s *= learning_rate / (1.0 - self.beta_1**t)
        var -= s  # var ← var - lr · m / ((1 - β₁ᵗ)(u + ε))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
