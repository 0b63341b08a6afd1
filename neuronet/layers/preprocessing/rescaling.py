"""Rescaling: multiply by a scale and add an offset, e.g. pixel values [0, 255] → [0, 1]."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .data_layer import PreprocessingLayer, to_array

__all__ = ["Rescaling"]


def _plain(value, where: str, name: str):
    """A float or a list of floats (per channel), as stored in the config."""
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.dtype.kind not in "fiub" or not np.all(np.isfinite(arr)):
        raise ValueError(f"{where}: expected {name} to be a finite number or a list of numbers, received "
                         f"{name}={value!r}")
    return float(arr) if arr.ndim == 0 else arr.astype(np.float64).tolist()


class Rescaling(PreprocessingLayer):
    """Rescale every input value: ``y = x · scale + offset`` (Keras ``Rescaling``), applied in training
    and inference; integer inputs (e.g. uint8 images) become floats. Differentiable in its input.

    Args:
        scale: the factor, a float or one per channel (broadcast against the last axis). E.g.
            ``1/255`` maps [0, 255] to [0, 1]; ``1/127.5`` with ``offset=-1`` maps it to [-1, 1].
        offset: added after scaling. Defaults to 0.0.

    Input shape: any; output shape: the same.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _plain(scale, "Rescaling", "scale")
        self.offset = _plain(offset, "Rescaling", "offset")
        self.supports_masking = True

    def call(self, inputs):
        x = inputs if isinstance(inputs, Tensor) else Tensor._wrap(to_array(inputs))
        if x.dtype.kind != "f":
            if x.dtype.kind not in "iub":
                raise ValueError(f"Rescaling '{self.name}': expected numeric inputs, received dtype {x.dtype}")
            x = Tensor._wrap(x.data.astype(self.dtype))
        dtype = x.dtype
        return x * np.asarray(self.scale, dtype=dtype) + np.asarray(self.offset, dtype=dtype)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(scale=self.scale, offset=self.offset)
        return cfg
