"""RandomPosterization: keep only the top bits of each pixel, a random number of them, during training."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from ...random import randint
from .image_layer import ImagePreprocessingLayer, value_range_pair

__all__ = ["RandomPosterization"]


class RandomPosterization(ImagePreprocessingLayer):
    """Reduce each image to ``b`` bits per channel (Keras ``RandomPosterization``); training only.

    Per image ``b`` is drawn from ``[lower, upper)`` of ``factor`` (or is ``lower`` when the two are
    equal); pixels rescaled to [0, 255] are truncated to integers, their ``8 - b`` low bits cleared, and
    rescaled back to ``value_range``. Not differentiable (integer bit operations), as in Keras.

    Args:
        factor: an integer n in [1, 8] (the range (1, n)) or a pair of integers in [1, 8].
        value_range: the range of the pixel values. Defaults to (0, 255).
        seed: an integer seed. Defaults to None.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        pair = tuple(factor) if isinstance(factor, (tuple, list)) else (1, factor)
        if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 1 <= v <= 8
                                     for v in pair):
            raise ValueError(f"RandomPosterization: the factor argument should be an integer (or a list of two "
                             f"integers) in the range [1, 8], received factor={factor!r}")
        self.factor = tuple(sorted(int(v) for v in pair))
        self.value_range = value_range_pair("RandomPosterization", value_range)
        self._make_generator(seed)

    def augment(self, x, batched):
        n = x.shape[0]
        if self.factor[0] != self.factor[1]:
            bits = randint((n,), self.factor[0], self.factor[1], dtype="uint8", seed=self.generator).data
        else:
            bits = np.full((n,), self.factor[0], np.uint8)
        shift = (8 - bits).astype(np.uint8).reshape(-1, 1, 1, 1)
        low, high = self.value_range
        pixels = ((x.data - low) * (255.0 / (high - low))).astype(np.uint8)
        posterized = ((pixels >> shift) << shift).astype(x.dtype)
        return Tensor._wrap(posterized * ((high - low) / 255.0) + low)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), value_range=list(self.value_range), seed=self.seed)
        return cfg
