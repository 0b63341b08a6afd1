"""Nadam (Dozat, 2015): Adam with Nesterov momentum, in Keras 3's form."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Nadam"]


class Nadam(Optimizer):
    """Nadam: Adam whose momentum looks one step ahead, with a warming momentum schedule.

    With ``t = iterations + 1`` and ``μ_t = β₁·(1 - ½·0.96ᵗ)`` (Keras 3; one product ``Π = μ₁⋯μ_t`` is
    kept for all variables)::

        m ← m + (g - m)·(1 - β₁)
        v ← v + (g² - v)·(1 - β₂)
        m̂ = μ_{t+1}·m / (1 - Π·μ_{t+1}) + (1 - μ_t)·g / (1 - Π)
        v̂ = v / (1 - β₂ᵗ)
        var ← var - lr · m̂ / (√v̂ + ε)

    PyTorch's NAdam uses ``0.96^(momentum_decay·t)`` with ``momentum_decay=0.004`` by default; with
    ``momentum_decay=1`` it is this update exactly.

    Args:
        learning_rate: Defaults to 0.001.
        beta_1: in [0, 1). Defaults to 0.9.
        beta_2: in [0, 1). Defaults to 0.999.
        epsilon: Defaults to 1e-7.
        name: Defaults to 'nadam'.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "nadam",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = _check_range("Nadam", "beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = _check_range("Nadam", "beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = _check_range("Nadam", "epsilon", epsilon, 0)
        self._u_product = 1.0

    def _slot_names(self) -> tuple:
        return ("momentum", "velocity")

    def _extra_state(self) -> dict:
        return {"u_product": np.array(self._u_product, dtype=np.float64)}

    def _load_extra_state(self, state: dict) -> None:
        if "u_product" in state:
            self._u_product = float(state["u_product"])

    def _update_all(self, grads, variables, learning_rate: float) -> None:
        # Π ← Π · μ_t, once per step for all variables
        self._u_product *= self.beta_1 * (1.0 - 0.5 * 0.96 ** (self.iterations + 1))
        super()._update_all(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate: float) -> None:
        slots = self._slots_of(variable)
        m, v = slots["momentum"], slots["velocity"]
        s, w = self._work(variable, 0), self._work(variable, 1)
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        prod = self._u_product
        np.subtract(gradient, m, out=s)
        s *= 1.0 - b1
        m += s  # m ← m + (g - m)(1 - β₁)
        np.multiply(gradient, gradient, out=s)
        s -= v
        s *= 1.0 - b2
        v += s  # v ← v + (g² - v)(1 - β₂)
        np.multiply(m, u_t1 / (1.0 - prod * u_t1), out=w)
        np.multiply(gradient, (1.0 - u_t) / (1.0 - prod), out=s)
        w += s  # w = m̂
        np.multiply(v, 1.0 / (1.0 - b2**t), out=s)
        np.sqrt(s, out=s)
        s += self.epsilon  # s = √v̂ + ε
        np.divide(w, s, out=s)
        s *= learning_rate
        variable.data -= s  # var ← var - lr · m̂ / (√v̂ + ε)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
