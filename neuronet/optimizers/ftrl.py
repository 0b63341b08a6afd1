"""FTRL-Proximal (McMahan et al., 2013, "Ad Click Prediction: a View from the Trenches"), in Keras 3's form."""

from __future__ import annotations

import numpy as np

from .base import Optimizer, _check_range

__all__ = ["Ftrl"]


class Ftrl(Optimizer):
    """Follow-the-regularized-leader: per-weight learning rates (as Adagrad) and an L1 penalty that
    sets weights exactly to zero, for large sparse linear models.

    With ``p = -learning_rate_power`` (0.5 by default), accumulator ``n`` and linear term ``z``, and
    ``λ₂' = l2_regularization_strength + beta / (2·lr)`` (Keras 3)::

        g' = g + 2·l2_shrinkage_regularization_strength·var
        n' = n + g²
        z ← z + g' - (n'ᵖ - nᵖ) / lr · var
        var ← (clip(z, -λ₁, λ₁) - z) / (n'ᵖ / lr + 2·λ₂')
        n ← n'

    Args:
        learning_rate: Defaults to 0.001.
        learning_rate_power: <= 0; how the learning rate falls as gradients accumulate. Defaults to -0.5.
        initial_accumulator_value: >= 0, the starting ``n``. Defaults to 0.1.
        l1_regularization_strength: >= 0 (λ₁). Defaults to 0.
        l2_regularization_strength: >= 0 (λ₂). Defaults to 0.
        l2_shrinkage_regularization_strength: >= 0, an L2 penalty on the gradient side. Defaults to 0.
        beta: >= 0. Defaults to 0.
        name: Defaults to 'ftrl'.
    """

    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5, initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0, l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name: str = "ftrl", **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name, **kwargs)
        self.learning_rate_power = _check_range("Ftrl", "learning_rate_power", learning_rate_power, high=0)
        self.initial_accumulator_value = _check_range("Ftrl", "initial_accumulator_value",
                                                      initial_accumulator_value, 0)
        self.l1_regularization_strength = _check_range("Ftrl", "l1_regularization_strength",
                                                       l1_regularization_strength, 0)
        self.l2_regularization_strength = _check_range("Ftrl", "l2_regularization_strength",
                                                       l2_regularization_strength, 0)
        self.l2_shrinkage_regularization_strength = _check_range(
            "Ftrl", "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, 0)
        self.beta = _check_range("Ftrl", "beta", beta, 0)

    def _slot_names(self) -> tuple:
        return ("accumulator", "linear")

    def _slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def _update_arrays(self, gradient, var, slots: dict, s, learning_rate: float) -> None:
        n, z = slots["accumulator"], slots["linear"]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        new_n = n + np.square(gradient)  # n' = n + g²
        new_n_power = np.power(new_n, power)
        # z ← z + g' - (n'ᵖ - nᵖ) / lr · var,  g' = g + 2·λ_shrink·var
        z += gradient + 2.0 * self.l2_shrinkage_regularization_strength * var
        z -= (new_n_power - np.power(n, power)) / learning_rate * var
        l1 = self.l1_regularization_strength
        np.clip(z, -l1, l1, out=s)
        s -= z
        s /= new_n_power / learning_rate + 2.0 * l2
        var[...] = s  # var ← (clip(z, -λ₁, λ₁) - z) / (n'ᵖ / lr + 2λ₂')
        n[...] = new_n

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"learning_rate_power": self.learning_rate_power,
                       "initial_accumulator_value": self.initial_accumulator_value,
                       "l1_regularization_strength": self.l1_regularization_strength,
                       "l2_regularization_strength": self.l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                       "beta": self.beta})
        return config
