"""RandomTranslation: shift images by a random offset, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import AffineLayer, factor_pair

__all__ = ["RandomTranslation"]


class RandomTranslation(AffineLayer):
    """Shift each image by a random fraction of its size (Keras ``RandomTranslation``); training only.

    Args:
        height_factor: a number f draws vertical shifts in ``[-f·H, f·H]``, a pair ``(lo, hi)`` in
            ``[lo·H, hi·H]``; values in [-1, 1]. A positive shift moves the image down.
        width_factor: the same for horizontal shifts (positive moves right).
        fill_mode, interpolation, seed, fill_value, data_format: as :class:`RandomRotation`.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def __init__(self, height_factor, width_factor, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed=None, fill_value: float = 0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = factor_pair("RandomTranslation", "height_factor", height_factor,
                                                           -1.0, 1.0)
        self.width_lower, self.width_upper = factor_pair("RandomTranslation", "width_factor", width_factor, -1.0, 1.0)
        self._setup_affine(fill_mode, interpolation, fill_value, seed)

    def _transforms(self, n: int, height: int, width: int) -> np.ndarray:
        ty = uniform((n, 1), self.height_lower, self.height_upper, seed=self.generator).data * np.float32(height)
        tx = uniform((n, 1), self.width_lower, self.width_upper, seed=self.generator).data * np.float32(width)
        ones, zeros = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
        return np.concatenate([ones, zeros, -tx, zeros, ones, -ty, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height_factor=self.height_factor, width_factor=self.width_factor)
        return cfg
