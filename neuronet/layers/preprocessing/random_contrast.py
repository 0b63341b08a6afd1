"""RandomContrast: scale each image's deviation from its mean by a random factor, during training."""

from __future__ import annotations

from ... import ops
from .image_layer import ColorLayer

__all__ = ["RandomContrast"]


class RandomContrast(ColorLayer):
    """Adjust the contrast of each image by a random factor (Keras ``RandomContrast``); training only.

    Per image and channel: ``y = clip((x - mean) · c + mean, value_range)``, ``mean`` over the pixels,
    ``c`` drawn from ``[1 - lower, 1 + upper]``.

    Args:
        factor: a number f in [0, 1] or a pair ``(lower, upper)``. As in Keras 3, a single number f
            gives ``(lower, upper) = (0, f)``, so factors are drawn from ``[1, 1 + f]``; pass
            ``(f, f)`` to draw from ``[1 - f, 1 + f]``.
        value_range: the range of the pixel values, for clipping. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    _FACTOR_BOUNDS = (0.0, 1.0)

    def augment(self, x, batched):
        c = self._per_image_uniform(x, batched, 1.0 - self.factor[0], 1.0 + self.factor[1], dtype=self.dtype)
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        out = ops.clip((x - mean) * c.astype(x.dtype) + mean, self.value_range[0], self.value_range[1])
        return out
