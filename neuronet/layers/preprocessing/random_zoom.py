"""RandomZoom: zoom images in or out by a random factor, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import ImagePreprocessingLayer, check_choice, factor_pair
from .image_ops import AFFINE_INTERPOLATIONS, FILL_MODES, affine_transform

__all__ = ["RandomZoom"]


class RandomZoom(ImagePreprocessingLayer):
    """Zoom each image by a random factor about its centre (Keras ``RandomZoom``); training only.

    Args:
        height_factor: a number f draws vertical zooms in ``[-f, f]``, a pair ``(lo, hi)`` in ``[lo, hi]``;
            values in (-1, 1]. A positive value zooms out (the image shrinks, the border is filled), a
            negative one zooms in: the image is sampled over ``1 + zoom`` times its height.
        width_factor: the same for the width. Defaults to None (the height's zoom, keeping the aspect).
        fill_mode, interpolation, seed, fill_value, data_format: as :class:`RandomRotation`.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed=None, fill_value: float = 0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = factor_pair("RandomZoom", "height_factor", height_factor, -1.0, 1.0,
                                                           low_inclusive=False)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_pair("RandomZoom", "width_factor", width_factor, -1.0, 1.0,
                                                             low_inclusive=False)
        self.fill_mode = check_choice("RandomZoom", "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice("RandomZoom", "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self.fill_value = float(fill_value)
        self._make_generator(seed)

    def call(self, inputs, training=True):
        x, batched = self._images(inputs)
        if not training:
            return self._restore(x, batched)
        n, h, w = x.shape[0], x.shape[1], x.shape[2]
        zy = uniform((n, 1), 1.0 + self.height_lower, 1.0 + self.height_upper, seed=self.generator).data
        zx = zy
        if self.width_factor is not None:
            zx = uniform((n, 1), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=self.generator).data
        f32 = np.float32
        x_offset = (f32(w) - f32(1.0)) / f32(2.0) * (f32(1.0) - zx)
        y_offset = (f32(h) - f32(1.0)) / f32(2.0) * (f32(1.0) - zy)
        zeros = np.zeros((n, 1), f32)
        transforms = np.concatenate([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)
        out = affine_transform(x, transforms, self.interpolation, self.fill_mode, self.fill_value)
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height_factor=self.height_factor, width_factor=self.width_factor, fill_mode=self.fill_mode,
                   interpolation=self.interpolation, seed=self.seed, fill_value=self.fill_value)
        return cfg
