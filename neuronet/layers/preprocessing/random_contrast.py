"""RandomContrast: scale each image's deviation from its mean by a random factor, during training."""

from __future__ import annotations

from ... import ops
from ...random import uniform
from .image_layer import ImagePreprocessingLayer, factor_pair

__all__ = ["RandomContrast"]


def _value_range(where: str, value_range) -> tuple:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"{where}: the value_range argument should be a list of two numbers, received "
                         f"value_range={value_range!r}")
    lo, hi = sorted(float(v) for v in value_range)
    return lo, hi


class RandomContrast(ImagePreprocessingLayer):
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

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor_pair("RandomContrast", "factor", factor, 0.0, 1.0)
        self.value_range = _value_range("RandomContrast", value_range)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        x, batched = self._images(inputs)
        if not training:
            return self._restore(x, batched)
        shape = (x.shape[0], 1, 1, 1) if batched else (1, 1, 1)
        c = uniform(shape, 1.0 - self.factor[0], 1.0 + self.factor[1], dtype=self.dtype, seed=self.generator).data
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        out = (x - mean) * c.reshape(x.shape[0], 1, 1, 1).astype(x.dtype) + mean
        out = ops.clip(out, self.value_range[0], self.value_range[1])
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), value_range=list(self.value_range), seed=self.seed)
        return cfg
