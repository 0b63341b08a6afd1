"""RandomBrightness: add a random offset to each image's pixels, during training."""

from __future__ import annotations

from ... import ops
from ...random import uniform
from .image_layer import ImagePreprocessingLayer, factor_pair
from .random_contrast import _value_range

__all__ = ["RandomBrightness"]


class RandomBrightness(ImagePreprocessingLayer):
    """Brighten or darken each image by a random amount (Keras ``RandomBrightness``); training only.

    ``y = clip(x + δ · (max - min), value_range)`` with ``δ`` drawn per image from ``[lower, upper]``.

    Args:
        factor: a number f in [0, 1] (δ in ``[-f, f]``) or a pair ``(lower, upper)`` in [-1, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor_pair("RandomBrightness", "factor", factor, -1.0, 1.0)
        self.value_range = _value_range("RandomBrightness", value_range)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        x, batched = self._images(inputs)
        if not training:
            return self._restore(x, batched)
        shape = (x.shape[0], 1, 1, 1) if batched else (1, 1, 1)
        delta = uniform(shape, self.factor[0], self.factor[1], seed=self.generator).data
        delta = (delta * (self.value_range[1] - self.value_range[0])).astype(x.dtype).reshape(x.shape[0], 1, 1, 1)
        out = ops.clip(x + delta, self.value_range[0], self.value_range[1])
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), value_range=list(self.value_range), seed=self.seed)
        return cfg
