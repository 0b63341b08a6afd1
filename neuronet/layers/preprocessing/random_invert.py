"""RandomInvert: invert a random share of the images, in training."""

from __future__ import annotations

from ... import ops
from ...random import uniform
from .image_layer import ColorLayer

__all__ = ["RandomInvert"]


class RandomInvert(ColorLayer):
    """Invert each image with a random probability (Keras ``RandomInvert``); training only.

    Per image, a probability ``p`` is drawn from ``[lower, upper]`` of ``factor`` and the image is
    inverted when a second draw from [0, 1) is below ``p``. As in Keras, inverting maps a pixel ``x`` to
    ``value_range[1] - x`` (with ``value_range`` (0, 255): ``255 - x``).

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair. Defaults to 1.0.
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    _FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def augment(self, x, batched):
        n = x.shape[0]
        probability = uniform((n,), self.factor[0], self.factor[1], seed=self.generator).data
        threshold = uniform((n,), 0.0, 1.0, seed=self.generator).data
        apply = (threshold < probability).reshape(-1, 1, 1, 1)
        return ops.where(apply, ops.subtract(self.value_range[1], x), x)
