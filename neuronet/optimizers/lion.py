"""Lion (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms"), in Keras 3's form."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion: a step of the same size on every weight, in the direction of the sign of a momentum.

    Only one slot per variable (half of Adam's memory); its steps are larger than Adam's for the same
    learning rate, so use a 3-10x smaller learning rate (and a larger weight decay)::

        var ← var - lr · sign(β₁·m + (1 - β₁)·g)
        m ← β₂·m + (1 - β₂)·g

    Args:
        learning_rate: Defaults to 0.001.
        beta_1: in (0, 1]: the interpolation of the update's direction. Defaults to 0.9.
        beta_2: in [0, 1): the momentum's decay. Defaults to 0.99.
        name: Defaults to 'lion'.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "lion", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = _check_range("Lion", "beta_1", beta_1, 0, 1, low_open=True)
        self.beta_2 = _check_range("Lion", "beta_2", beta_2, 0, 1, high_open=True)

    def _slot_names(self) -> tuple:
        return ("momentum",)

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        m = slots["momentum"]
        np.multiply(m, self.beta_1, out=s)
        s += (1.0 - self.beta_1) * gradient
        np.sign(s, out=s)
        s *= learning_rate
        var -= s  # var ← var - lr · sign(β₁·m + (1 - β₁)·g)
        m *= self.beta_2
        m += (1.0 - self.beta_2) * gradient  # m ← β₂·m + (1 - β₂)·g

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
