"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay on by default."""

from __future__ import annotations

from .adam import Adam
from .base import _check_range

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras 3 defaults).

    Before each Adam update, ``var ← var - var · weight_decay · lr`` (the same as PyTorch's AdamW);
    the Adam update itself is :class:`Adam`'s. Use ``exclude_from_weight_decay(var_names=['bias'])``
    to leave some variables undecayed.

    Args:
        learning_rate: Defaults to 0.001.
        weight_decay: ≥ 0. Defaults to 0.004.
        beta_1, beta_2, epsilon, amsgrad: as :class:`Adam` (0.9, 0.999, 1e-7, False).
        name: Defaults to 'adamw'.
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, name: str = "adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: expected a weight_decay >= 0, received None")
        _check_range("AdamW", "weight_decay", weight_decay, 0)
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, name=name, **kwargs)
