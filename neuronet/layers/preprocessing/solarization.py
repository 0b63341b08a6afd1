"""Solarization: brighten images by a random amount and invert the pixels above a random threshold."""

from __future__ import annotations

from ... import ops
from ...random import uniform
from .image_layer import ImagePreprocessingLayer, factor_pair, value_range_pair

__all__ = ["Solarization"]


class Solarization(ImagePreprocessingLayer):
    """Solarize images (Keras ``Solarization``); training only.

    Per image, on pixels rescaled from ``value_range`` to [0, 255]::

        y = clip(x + a, 0, 255);   y ← y if y < t else 255 - y

    with ``a`` drawn from ``[lower, upper · 255]`` of ``addition_factor`` and ``t`` from
    ``[lower, upper · 255]`` of ``threshold_factor`` (Keras scales only the upper bound), then rescaled
    back to ``value_range``. With both factors 0 (the defaults) every pixel is inverted.

    Args:
        addition_factor: a number f in [0, 1] (the range (0, f)) or a pair. Defaults to 0.
        threshold_factor: a number f in [0, 1] (the range (0, f)) or a pair. Defaults to 0.
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images (except at the threshold).
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.addition_factor = factor_pair("Solarization", "addition_factor", addition_factor, 0.0, 1.0)
        self.threshold_factor = factor_pair("Solarization", "threshold_factor", threshold_factor, 0.0, 1.0)
        self.value_range = value_range_pair("Solarization", value_range)
        self._make_generator(seed)

    def augment(self, x, batched):
        shape = (x.shape[0], 1, 1, 1)
        additions = uniform(shape, self.addition_factor[0], self.addition_factor[1] * 255, dtype=self.dtype,
                            seed=self.generator).data
        thresholds = uniform(shape, self.threshold_factor[0], self.threshold_factor[1] * 255, dtype=self.dtype,
                             seed=self.generator).data
        low, high = self.value_range
        scaled = ops.multiply(ops.subtract(x, low), 255.0 / (high - low))  # value_range → [0, 255]
        y = ops.clip(ops.add(scaled, additions), 0.0, 255.0)
        y = ops.where(y.data < thresholds, y, ops.subtract(255.0, y))
        return ops.add(ops.multiply(y, (high - low) / 255.0), low)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(addition_factor=list(self.addition_factor), threshold_factor=list(self.threshold_factor),
                   value_range=list(self.value_range), seed=self.seed)
        return cfg
