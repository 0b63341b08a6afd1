"""RandomSharpness: sharpen or soften each image by a random amount, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...random import uniform
from .image_layer import ColorLayer

__all__ = ["RandomSharpness"]


class RandomSharpness(ColorLayer):
    """Change the sharpness of each image by a random factor (Keras ``RandomSharpness``); training only.

    The image is blended with a smoothed copy (a 3×3 kernel: 5/13 in the centre, 1/13 around it, zero
    padding): ``y = clip(x + (1 - 2f)·(smooth(x) - x), value_range)`` with ``f`` drawn per image from
    ``[lower, upper]`` of ``factor`` — ``f = 0.5`` leaves the image as it is, smaller softens it,
    larger sharpens it.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair in [0, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    _FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def augment(self, x, batched):
        f = uniform((x.shape[0],), self.factor[0], self.factor[1], seed=self.generator).data
        weight = (1.0 - 2.0 * f).astype(x.dtype).reshape(-1, 1, 1, 1)
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = np.tile(np.array([[a, a, a], [a, b, a], [a, a, a]], x.dtype).reshape(3, 3, 1, 1),
                         (1, 1, x.shape[-1], 1))
        smooth = ops.depthwise_conv(x, kernel, strides=1, padding="same")
        out = ops.clip(ops.add(x, ops.multiply(ops.subtract(smooth, x), weight)), *self.value_range)
        return out
