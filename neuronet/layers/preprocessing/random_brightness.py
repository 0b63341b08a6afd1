"""RandomBrightness: add a random offset to each image's pixels, during training."""

from __future__ import annotations

from ... import ops
from .image_layer import ColorLayer

__all__ = ["RandomBrightness"]


class RandomBrightness(ColorLayer):
    """Brighten or darken each image by a random amount (Keras ``RandomBrightness``); training only.

    ``y = clip(x + δ · (max - min), value_range)`` with ``δ`` drawn per image from ``[lower, upper]``.

    Args:
        factor: a number f in [0, 1] (δ in ``[-f, f]``) or a pair ``(lower, upper)`` in [-1, 1].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def augment(self, x, batched):
        delta = self._per_image_uniform(x, batched, self.factor[0], self.factor[1])
        delta = (delta * (self.value_range[1] - self.value_range[0])).astype(x.dtype)
        out = ops.clip(x + delta, self.value_range[0], self.value_range[1])
        return out
