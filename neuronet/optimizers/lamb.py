"""LAMB (You et al., 2019, "Large Batch Optimization for Deep Learning"), in Keras 3's form."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Lamb"]


class Lamb(Optimizer):
    """LAMB: Adam's step rescaled per variable by the trust ratio ‖var‖ / ‖step‖, so every layer moves
    by a similar fraction of its size (made for very large batches).

    With ``t = iterations + 1`` (Keras 3)::

        m ← m + (g - m)·(1 - β₁);   v ← v + (g² - v)·(1 - β₂)
        step = (m / (1 - β₁ᵗ)) / (sqrt(v / (1 - β₂ᵗ)) + ε)
        ratio = ‖var‖ / ‖step‖   (1 when either norm is 0)
        var ← var - lr · ratio · step

    The norms are of the whole variable, so this update is not elementwise.

    Args:
        learning_rate: Defaults to 0.001.
        beta_1: in [0, 1). Defaults to 0.9.
        beta_2: in [0, 1). Defaults to 0.999.
        epsilon: Defaults to 1e-7.
        name: Defaults to 'lamb'.
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "lamb",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.beta_1 = _check_range("Lamb", "beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = _check_range("Lamb", "beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = _check_range("Lamb", "epsilon", epsilon, 0)

    def _slot_names(self) -> tuple:
        return ("momentum", "velocity")

    def update_step(self, gradient: np.ndarray, variable, learning_rate: float) -> None:
        var, slots, s = variable.data, self._slots_of(variable), self._work(variable)
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations + 1
        m += (gradient - m) * (1.0 - self.beta_1)  # m ← m + (g - m)(1 - β₁)
        v += (np.square(gradient) - v) * (1.0 - self.beta_2)  # v ← v + (g² - v)(1 - β₂)
        np.divide(v, 1.0 - self.beta_2**t, out=s)
        np.sqrt(s, out=s)
        s += self.epsilon
        np.divide(m / (1.0 - self.beta_1**t), s, out=s)  # step = m̂ / (sqrt(v̂) + ε)
        var_norm, step_norm = float(np.linalg.norm(var)), float(np.linalg.norm(s))
        ratio = var_norm / step_norm if var_norm > 0 and step_norm > 0 else 1.0
        s *= learning_rate * ratio
        var -= s  # var ← var - lr · ratio · step

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
