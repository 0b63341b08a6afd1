"""Adagrad (Duchi et al., 2011) in Keras 3's form, updated in place."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: step sizes shrink with the sum of all past squared gradients of each weight.

    Keras 3 form::

        a ← a + g²                       (a starts at initial_accumulator_value)
        var ← var - lr · g / √(a + ε)

    PyTorch's Adagrad uses ``√a + ε`` and starts ``a`` at 0 by default; with the same initial value
    the two agree as ε → 0.

    Args:
        learning_rate: Defaults to 0.001.
        initial_accumulator_value: starting value of ``a``, ≥ 0. Defaults to 0.1.
        epsilon: Defaults to 1e-7.
        name: Defaults to 'adagrad'.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "adagrad",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.initial_accumulator_value = _check_range("Adagrad", "initial_accumulator_value",
                                                      initial_accumulator_value, 0)
        self.epsilon = _check_range("Adagrad", "epsilon", epsilon, 0)

    def _slot_names(self) -> tuple:
        return ("accumulator",)

    def _slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        a = slots["accumulator"]
        np.multiply(gradient, gradient, out=s)
        a += s  # a ← a + g²
        np.add(a, self.epsilon, out=s)
        np.sqrt(s, out=s)
        np.divide(gradient, s, out=s)
        s *= learning_rate
        var -= s  # var ← var - lr · g / √(a + ε)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
        return config
