"""RandomZoom: zoom images in or out by a random factor, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import AffineLayer, factor_pair

__all__ = ["RandomZoom"]


class RandomZoom(AffineLayer):
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
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = factor_pair("RandomZoom", "height_factor", height_factor, -1.0, 1.0,
                                                           low_inclusive=False)
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_pair("RandomZoom", "width_factor", width_factor, -1.0, 1.0,
                                                             low_inclusive=False)
        self._setup_affine(fill_mode, interpolation, fill_value, seed)

    def _transforms(self, n: int, height: int, width: int) -> np.ndarray:
        zy = uniform((n, 1), 1.0 + self.height_lower, 1.0 + self.height_upper, seed=self.generator).data
        zx = zy
        if self.width_factor is not None:
            zx = uniform((n, 1), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=self.generator).data
        f32 = np.float32  # Keras's float32 arithmetic: the zoom keeps the centre fixed
        x_offset = (f32(width) - f32(1.0)) / f32(2.0) * (f32(1.0) - zx)
        y_offset = (f32(height) - f32(1.0)) / f32(2.0) * (f32(1.0) - zy)
        zeros = np.zeros((n, 1), f32)
        return np.concatenate([zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height_factor=self.height_factor, width_factor=self.width_factor)
        return cfg
