"""Masking: mark the padded steps of a sequence so downstream layers skip them."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..autograd import Tensor
from .base import Layer

__all__ = ["Masking"]


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value``.

    The output equals the input with those steps set to zero, and carries a boolean mask
    (batch, time) — False at the skipped steps — that LSTM, GRU and SimpleRNN downstream use to leave
    their state unchanged there (Keras semantics).

    Args:
        mask_value: the padding value. Defaults to 0.0.

    Input shape: (batch, time, features). Output shape: the same.

    Example::

        >>> x = np.array([[[1.0], [2.0], [0.0]]])
        >>> Masking()(x)._keras_mask
        array([[ True,  True, False]])
    """

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        try:
            self.mask_value = float(mask_value)
        except (TypeError, ValueError):
            raise TypeError(f"Masking: mask_value must be a number, received {mask_value!r}") from None

    def _mask(self, inputs) -> np.ndarray:
        x = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs)
        if x.ndim < 2:
            raise ValueError(f"Masking '{self.name}': expected input of rank >= 2 (batch, time, ...), received "
                             f"shape {x.shape}")
        return np.any(x != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._mask(inputs)[..., None].astype(inputs.dtype)
        return ops.multiply(inputs, keep)

    def compute_mask(self, inputs, mask=None):
        return self._mask(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["mask_value"] = self.mask_value
        return cfg
