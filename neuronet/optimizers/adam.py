"""Adam (Kingma & Ba, 2014) in Keras 3's form, updated in place."""

from __future__ import annotations

import math

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: per-weight step sizes from running averages of the gradient and its square.

    With ``t = iterations + 1`` (Keras 3)::

        m ← m + (g - m) · (1 - β₁)
        v ← v + (g² - v) · (1 - β₂)
        v̂ ← max(v̂, v)                                   (amsgrad only; v̂ is used below instead of v)
        α = lr · √(1 - β₂ᵗ) / (1 - β₁ᵗ)
        var ← var - α · m / (√v + ε)

    Keras puts ε outside the bias correction of ``v``: its update with ε is PyTorch's Adam with
    ``ε / √(1 - β₂ᵗ)``, so the two agree only as ε → 0 (with ε = 1e-7 and gradients much larger than
    ε they differ negligibly; for tiny gradients early in training Keras's steps are slightly smaller).

    Args:
        learning_rate: float ≥ 0 or a schedule. Defaults to 0.001.
        beta_1: decay of the first moment, in [0, 1). Defaults to 0.9.
        beta_2: decay of the second moment, in [0, 1). Defaults to 0.999.
        epsilon: ε ≥ 0. Defaults to 1e-7.
        amsgrad: use the running maximum of ``v`` (Reddi et al., 2018). Defaults to False.
        name: Defaults to 'adam'.
        **kwargs: the base options (weight_decay, clipnorm, clipvalue, global_clipnorm).
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name: str = "adam", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        owner = type(self).__name__
        self.beta_1 = _check_range(owner, "beta_1", beta_1, 0, 1, high_open=True)
        self.beta_2 = _check_range(owner, "beta_2", beta_2, 0, 1, high_open=True)
        self.epsilon = _check_range(owner, "epsilon", epsilon, 0)
        self.amsgrad = bool(amsgrad)

    def _slot_names(self) -> tuple:
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        m, v = slots["momentum"], slots["velocity"]
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        alpha = learning_rate * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)  # Python float: keeps float32
        np.subtract(gradient, m, out=s)
        s *= 1.0 - b1
        m += s  # m ← m + (g - m)(1 - β₁)
        np.multiply(gradient, gradient, out=s)
        s -= v
        s *= 1.0 - b2
        v += s  # v ← v + (g² - v)(1 - β₂)
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            np.maximum(v_hat, v, out=v_hat)  # v̂ ← max(v̂, v)
            v = v_hat
        np.sqrt(v, out=s)
        s += self.epsilon
        np.divide(m, s, out=s)
        s *= alpha
        var -= s  # var ← var - α · m / (√v + ε)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
