"""RandomShear: shear images by a random amount along x and y, during training."""

from __future__ import annotations

import numpy as np

from ...random import uniform
from .image_layer import AffineLayer, factor_pair

__all__ = ["RandomShear"]


def _shear_factor(name: str, factor) -> tuple:
    """A number f in [0, 1] gives (-f, f), as Keras reads it; a pair is taken as it is. Keras accepts pairs
    in [0, 1] only but writes (-f, f) in its configs (so Keras 3.15 cannot reload its own RandomShear):
    pairs in [-1, 1] are accepted here, so those files load."""
    if isinstance(factor, (tuple, list)):
        return factor_pair("RandomShear", name, factor, -1.0, 1.0)
    lower, upper = factor_pair("RandomShear", name, factor, 0.0, 1.0)
    return -upper, upper


class RandomShear(AffineLayer):
    """Shear each image by random factors (Keras ``RandomShear``); training only.

    Per image, ``s_x`` is drawn from ``x_factor``'s range and ``s_y`` from ``y_factor``'s, both
    negated together with probability 1/2; output pixel ``(x, y)`` is read from input pixel
    ``(x + s_x·y, s_y·x + y)``.

    Args:
        x_factor: a number f in [0, 1] (the range [-f, f]) or a pair in [0, 1]. Defaults to 0.
        y_factor: the same for the vertical shear. Defaults to 0.
        interpolation: 'bilinear' or 'nearest'. Defaults to 'bilinear'.
        fill_mode: 'reflect', 'wrap', 'constant' or 'nearest'. Defaults to 'reflect'.
        fill_value: the value outside the image with fill_mode='constant'. Defaults to 0.
        seed: an integer seed. Defaults to None.

    Input and output: ``(batch, height, width, channels)`` or one image. Differentiable in the images.
    """

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation: str = "bilinear", fill_mode: str = "reflect",
                 fill_value: float = 0.0, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = _shear_factor("x_factor", x_factor)
        self.y_factor = _shear_factor("y_factor", y_factor)
        # the configs repeat the arguments as given, which Keras can read back (see _shear_factor)
        self._factor_arguments = {"x_factor": list(x_factor) if isinstance(x_factor, (tuple, list)) else x_factor,
                                  "y_factor": list(y_factor) if isinstance(y_factor, (tuple, list)) else y_factor}
        self._setup_affine(fill_mode, interpolation, fill_value, seed)

    def _transforms(self, n: int, height: int, width: int) -> np.ndarray:
        # Keras's draw order: the sign, then s_y, then s_x
        sign = np.where(uniform((n, 1), 0.0, 1.0, dtype=self.dtype, seed=self.generator).data > 0.5, -1.0, 1.0)
        shear_y = uniform((n, 1), self.y_factor[0], self.y_factor[1], dtype=self.dtype, seed=self.generator).data
        shear_x = uniform((n, 1), self.x_factor[0], self.x_factor[1], dtype=self.dtype, seed=self.generator).data
        s_x, s_y = (shear_x * sign).astype(np.float32), (shear_y * sign).astype(np.float32)
        ones, zeros = np.ones((n, 1), np.float32), np.zeros((n, 1), np.float32)
        return np.concatenate([ones, s_x, zeros, s_y, ones, zeros, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(self._factor_arguments)
        return cfg
