"""Adadelta (Zeiler, 2012) in Keras 3's form, updated in place."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta: steps scaled by the ratio of running RMS of past updates to RMS of gradients.

    Keras 3 form (the same as PyTorch's Adadelta)::

        a ← ρ·a + (1 - ρ)·g²
        Δ = -√(d + ε) / √(a + ε) · g
        d ← ρ·d + (1 - ρ)·Δ²
        var ← var + lr · Δ

    Args:
        learning_rate: Defaults to 0.001 (Keras; PyTorch's default is 1.0).
        rho: decay rate in [0, 1]. Defaults to 0.95.
        epsilon: Defaults to 1e-7.
        name: Defaults to 'adadelta'.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "adadelta", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.rho = _check_range("Adadelta", "rho", rho, 0, 1)
        self.epsilon = _check_range("Adadelta", "epsilon", epsilon, 0)

    def _slot_names(self) -> tuple:
        return ("accumulated_grad", "accumulated_delta_var")

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        slots = self._slots_of(variable)
        a, d = slots["accumulated_grad"], slots["accumulated_delta_var"]
        s, u = self._work(variable, 0), self._work(variable, 1)
        rho, eps = self.rho, self.epsilon
        np.multiply(gradient, gradient, out=s)
        s *= 1.0 - rho
        a *= rho
        a += s  # a ← ρ·a + (1 - ρ)·g²
        np.add(d, eps, out=u)
        np.sqrt(u, out=u)
        np.add(a, eps, out=s)
        np.sqrt(s, out=s)
        np.divide(u, s, out=u)
        u *= gradient  # u = -Δ = √(d + ε) / √(a + ε) · g
        np.multiply(u, u, out=s)
        s *= 1.0 - rho
        d *= rho
        d += s  # d ← ρ·d + (1 - ρ)·Δ²
        u *= learning_rate
        variable.data -= u  # var ← var + lr · Δ

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
