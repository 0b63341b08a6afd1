"""RMSprop (Hinton, 2012) in Keras 3's form, updated in place."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square of recent gradients.

    Keras 3 form (ε inside the square root)::

        v ← ρ·v + (1 - ρ)·g²
        ḡ ← ρ·ḡ + (1 - ρ)·g                      (centered only)
        d = v - ḡ² + ε   (centered)   or   v + ε
        step = lr · g / √d
        b ← momentum·b + step;  var ← var - b      (momentum > 0)
        var ← var - step                           (otherwise)

    PyTorch's RMSprop adds ε after the square root; the two agree as ε → 0.

    Args:
        learning_rate: Defaults to 0.001.
        rho: decay of the running average, in [0, 1). Defaults to 0.9.
        momentum: in [0, 1]. Defaults to 0.0.
        epsilon: Defaults to 1e-7.
        centered: normalize by the estimated variance instead of the second moment. Defaults to False.
        name: Defaults to 'rmsprop'.
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name: str = "rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.rho = _check_range("RMSprop", "rho", rho, 0, 1, high_open=True)
        self.momentum = _check_range("RMSprop", "momentum", momentum, 0, 1)
        self.epsilon = _check_range("RMSprop", "epsilon", epsilon, 0)
        self.centered = bool(centered)

    def _slot_names(self) -> tuple:
        names = ("velocity",)
        if self.momentum > 0:
            names += ("momentum",)
        if self.centered:
            names += ("average_gradient",)
        return names

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        v = slots["velocity"]
        rho = self.rho
        np.multiply(gradient, gradient, out=s)
        s *= 1.0 - rho
        v *= rho
        v += s  # v ← ρ·v + (1 - ρ)·g²
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            np.multiply(gradient, 1.0 - rho, out=s)
            a += s  # ḡ ← ρ·ḡ + (1 - ρ)·g
            np.multiply(a, a, out=s)
            np.subtract(v, s, out=s)  # d = v - ḡ² + ε
            s += self.epsilon
        else:
            np.add(v, self.epsilon, out=s)  # d = v + ε
        np.sqrt(s, out=s)
        np.divide(gradient, s, out=s)
        s *= learning_rate  # step = lr · g / √d
        if self.momentum > 0:
            b = slots["momentum"]
            b *= self.momentum
            b += s  # b ← momentum·b + step
            var -= b
        else:
            var -= s

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
