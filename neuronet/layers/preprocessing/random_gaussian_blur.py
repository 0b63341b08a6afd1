"""RandomGaussianBlur: blur a random share of the images with a random Gaussian, during training."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...random import uniform
from .image_layer import ImagePreprocessingLayer, factor_pair, value_range_pair

__all__ = ["RandomGaussianBlur"]


def _odd_size(value) -> tuple:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k > 0 and k % 2
                                 for k in pair):
        raise ValueError(f"RandomGaussianBlur: kernel_size must be an odd positive number or two of them, received "
                         f"kernel_size={value!r}")
    return tuple(int(k) for k in pair)


class RandomGaussianBlur(ImagePreprocessingLayer):
    """Blur each image, with a random probability, by a Gaussian of random width (Keras
    ``RandomGaussianBlur``); training only.

    Per image a probability ``p`` is drawn from ``factor``'s range and the image is blurred when a
    second draw from [0, 1) is below it; per batch, ``(σ_1, σ_2)`` are drawn from ``sigma``'s range
    (plus 1e-6) for the two spatial axes of a ``kernel_size`` kernel (``ops.image.gaussian_blur``, zero
    padding). The result is clipped to ``value_range``.

    Args:
        factor: a number f in [0, 1] (the range (0, f)) or a pair. Defaults to 1.0.
        kernel_size: an odd number or a pair of them. Defaults to 3.
        sigma: a number s in [0, 1] (the range (0, s)) or a pair. Defaults to 1.0.
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.

    Differentiable in the images.
    """

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair("RandomGaussianBlur", "factor", factor, 0.0, 1.0)
        self.kernel_size = _odd_size(kernel_size)
        self.sigma = factor_pair("RandomGaussianBlur", "sigma", sigma, 0.0, 1.0)
        self.value_range = value_range_pair("RandomGaussianBlur", value_range)
        self._make_generator(seed)

    def augment(self, x, batched):
        n = x.shape[0]
        probability = uniform((n,), self.factor[0], self.factor[1], seed=self.generator).data
        apply = (uniform((n,), 0.0, 1.0, seed=self.generator).data < probability).reshape(-1, 1, 1, 1)
        sigma = uniform((2,), self.sigma[0], self.sigma[1], dtype=self.dtype, seed=self.generator).data + 1e-6
        blurred = ops.image.gaussian_blur(x, kernel_size=self.kernel_size, sigma=tuple(float(s) for s in sigma))
        out = ops.clip(ops.where(apply, blurred, x), self.value_range[0], self.value_range[1])
        return out

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), kernel_size=list(self.kernel_size), sigma=list(self.sigma),
                   value_range=list(self.value_range), seed=self.seed)
        return cfg
