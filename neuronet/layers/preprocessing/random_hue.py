"""RandomHue: rotate each image's hue by a random amount, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...random import uniform
from .image_layer import ColorLayer

__all__ = ["RandomHue"]


class RandomHue(ColorLayer):
    """Shift the hue of each RGB image by a random amount (Keras ``RandomHue``); training only.

    Per image ``d`` is drawn from ``[lower, upper]`` of ``factor`` and its sign flipped with probability
    1/2; on pixels rescaled to [0, 1], the HSV hue moves by ``d / 2`` (a full turn is 1, wrapped back
    into [0, 1]) and the result is clipped and rescaled to ``value_range``.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair in [0, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images (almost everywhere).
    """

    _FACTOR_BOUNDS = (0.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def augment(self, x, batched):
        n = x.shape[0]
        sign = np.where(uniform((n,), seed=self.generator).data > 0.5, -1.0, 1.0)  # Keras: the sign first
        shift = (sign * uniform((n,), self.factor[0], self.factor[1], seed=self.generator).data * 0.5)
        low, high = self.value_range
        hsv = ops.image.rgb_to_hsv(ops.multiply(ops.subtract(x, low), 1.0 / (high - low)))
        hue = ops.add(hsv[..., 0], shift.astype(x.dtype).reshape(-1, 1, 1))
        hue = ops.where(hue.data > 1.0, ops.subtract(hue, 1.0), hue)
        hue = ops.where(hue.data < 0.0, ops.add(hue, 1.0), hue)
        rgb = ops.clip(ops.image.hsv_to_rgb(ops.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1)), 0.0, 1.0)
        return ops.add(ops.multiply(rgb, high - low), low)
