"""RandomRotation: rotate images by a random angle about their centre, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import AffineLayer, factor_pair

__all__ = ["RandomRotation", "affine_matrix"]


def affine_matrix(angle_degrees: np.ndarray, height: int, width: int) -> np.ndarray:
    """Keras's ``(batch, 8)`` transforms rotating about the image centre by ``angle_degrees`` (float32
    arithmetic, as Keras): the output pixel (x, y) reads the input at
    ``(cos·x - sin·y + a2, sin·x + cos·y + b2)``, the centre ``((W-1)/2, (H-1)/2)`` fixed."""
    f32 = np.float32
    angle = angle_degrees.astype(f32) * f32(np.pi / 180.0)
    cx, cy = f32(0.5) * (f32(width) - f32(1)), f32(0.5) * (f32(height) - f32(1))
    cos, sin = np.cos(angle), np.sin(angle)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = np.zeros_like(a0)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(f32)


class RandomRotation(AffineLayer):
    """Rotate each image by a random angle (Keras ``RandomRotation``); active in training only.

    Args:
        factor: a fraction of a full turn: a number f draws angles in ``[-f·360°, f·360°]``; a pair
            ``(lo, hi)`` draws in ``[lo·360°, hi·360°]``; values in [-1, 1]. Positive angles turn
            counter-clockwise.
        fill_mode: how points outside the image are filled: 'reflect', 'wrap', 'constant' or 'nearest'.
            Defaults to 'reflect'.
        interpolation: 'bilinear' or 'nearest'. Defaults to 'bilinear'.
        seed: an integer seed. Defaults to None.
        fill_value: the value outside the image with fill_mode 'constant'. Defaults to 0.0.
        data_format: 'channels_last' (or None).

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def __init__(self, factor, fill_mode: str = "reflect", interpolation: str = "bilinear", seed=None,
                 fill_value: float = 0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor_pair("RandomRotation", "factor", factor, -1.0, 1.0)
        self._setup_affine(fill_mode, interpolation, fill_value, seed)

    def _transforms(self, n: int, height: int, width: int) -> np.ndarray:
        angle = uniform((n,), minval=self.factor[0] * 360.0, maxval=self.factor[1] * 360.0, seed=self.generator)
        return affine_matrix(angle.data, height, width)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["factor"] = list(self.factor)
        return cfg
