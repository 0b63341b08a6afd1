"""RandomSaturation: scale each image's colour saturation by a random factor, during training."""

from __future__ import annotations

from ... import config, ops
from ...random import uniform
from .image_layer import ColorLayer

__all__ = ["RandomSaturation"]


class RandomSaturation(ColorLayer):
    """Adjust the saturation of each RGB image by a random factor (Keras ``RandomSaturation``); training only.

    Per image ``u`` is drawn from ``[lower, upper]`` of ``factor``; in HSV the saturation is multiplied
    by ``u / (1 - u + ε)`` and clipped to ``value_range`` (``u = 0.5`` leaves the image as it is, ``u = 0``
    makes it grey, ``u → 1`` fully saturated). As in Keras a single number f gives the range
    ``(-f, f)``, whose negative half makes images grey; pass a pair such as ``(0.3, 0.7)`` to vary
    around the original.

    Args:
        factor: a number f in [0, 1] or a pair in [-1, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images (almost everywhere).
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def augment(self, x, batched):
        u = uniform((x.shape[0],), self.factor[0], self.factor[1], seed=self.generator).data
        scale = (u / (1 - u + config.epsilon())).astype(x.dtype).reshape(-1, 1, 1)
        hsv = ops.image.rgb_to_hsv(x)
        saturation = ops.clip(ops.multiply(hsv[..., 1], scale), self.value_range[0], self.value_range[1])
        hsv = ops.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1)
        return ops.image.hsv_to_rgb(hsv)
