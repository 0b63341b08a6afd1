"""AutoContrast: stretch each image's channels to the full value range."""

from __future__ import annotations

import numpy as np

from ... import ops
from .image_layer import ImagePreprocessingLayer, value_range_pair

__all__ = ["AutoContrast"]


class AutoContrast(ImagePreprocessingLayer):
    """Stretch each image channel so its darkest pixel becomes the bottom of ``value_range`` and its
    brightest the top (Keras ``AutoContrast``); applied in training and inference::

        y = (x - min) / (max - min) · (high - low) + low      (min, max per image and channel)

    A constant channel (max = min) is left unchanged.

    Args:
        value_range: the range of the pixel values. Defaults to (0, 255).

    Differentiable in the images (the min and max are treated as their pixels' values).
    """

    _random = False

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = value_range_pair("AutoContrast", value_range)

    def call(self, inputs, training=None):
        x, batched = self._images(inputs)
        low, high = self.value_range
        lowest = ops.min(x, axis=(1, 2), keepdims=True)
        spread = ops.subtract(ops.max(x, axis=(1, 2), keepdims=True), lowest)
        flat = spread.data == 0  # a constant channel: kept as it is
        safe = ops.where(flat, np.ones((), x.dtype), spread)
        stretched = ops.add(ops.multiply(ops.divide(ops.subtract(x, lowest), safe), high - low), low)
        out = ops.clip(ops.where(flat, x, stretched), low, high)
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["value_range"] = list(self.value_range)
        return cfg
