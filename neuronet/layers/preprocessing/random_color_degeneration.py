"""RandomColorDegeneration: blend each image with its grey version by a random amount, during training."""

from __future__ import annotations

from ... import ops
from .image_layer import ColorLayer

__all__ = ["RandomColorDegeneration"]


class RandomColorDegeneration(ColorLayer):
    """Blend each RGB image towards its luma by a random factor (Keras ``RandomColorDegeneration``);
    training only: ``y = clip(x + f·(grey(x) - x), value_range)`` with ``f`` drawn per image from
    ``[lower, upper]`` of ``factor`` (1 is fully grey, a negative f makes colours stronger).

    Args:
        factor: a number f in [0, 1] (the range (-f, f)) or a pair in [-1, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(factor, value_range=value_range, seed=seed, data_format=data_format, **kwargs)

    def augment(self, x, batched):
        f = self._per_image_uniform(x, True, self.factor[0], self.factor[1]).astype(x.dtype)
        grey = ops.image.rgb_to_grayscale(x)
        out = ops.clip(ops.add(x, ops.multiply(ops.subtract(grey, x), f)), self.value_range[0], self.value_range[1])
        return out
