"""RandomTranslation: shift images by a random offset, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import ImagePreprocessingLayer, check_choice, factor_pair
from .image_ops import AFFINE_INTERPOLATIONS, FILL_MODES, affine_transform

__all__ = ["RandomTranslation"]


class RandomTranslation(ImagePreprocessingLayer):
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
        self.fill_mode = check_choice("RandomTranslation", "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice("RandomTranslation", "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self.fill_value = float(fill_value)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        x, batched = self._images(inputs)
        if not training:
            return self._restore(x, batched)
        n, h, w = x.shape[0], x.shape[1], x.shape[2]
        ty = uniform((n, 1), self.height_lower, self.height_upper, seed=self.generator).data * np.float32(h)
        tx = uniform((n, 1), self.width_lower, self.width_upper, seed=self.generator).data * np.float32(w)
        ones, zeros = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
        transforms = np.concatenate([ones, zeros, -tx, zeros, ones, -ty, zeros, zeros], axis=1)
        out = affine_transform(x, transforms, self.interpolation, self.fill_mode, self.fill_value)
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height_factor=self.height_factor, width_factor=self.width_factor, fill_mode=self.fill_mode,
                   interpolation=self.interpolation, seed=self.seed, fill_value=self.fill_value)
        return cfg
