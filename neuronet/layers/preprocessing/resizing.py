"""Resizing: resize images to a fixed height and width (in training and inference)."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .data_layer import to_array
from .image_layer import SizedLayer, check_choice
from ...ops.resampling import RESIZE_INTERPOLATIONS, resize

__all__ = ["Resizing"]


class Resizing(SizedLayer):
    """Resize images to ``(height, width)`` (Keras ``Resizing``), always active.

    The kernels and sampling positions are Keras's (``scale_and_translate`` with half-pixel centres):
    'bilinear' (triangle kernel), 'nearest', 'bicubic' (Keys, a = -0.5), 'lanczos3', 'lanczos5' and
    'area' (each output pixel the overlap-weighted mean of the input pixels it covers).

    Args:
        height, width: the output size.
        interpolation: one of the above. Defaults to 'bilinear'.
        crop_to_aspect_ratio: first cut the largest centred window with the output's aspect ratio, so
            the image is not distorted. Defaults to False.
        pad_to_aspect_ratio: instead pad the shorter side evenly with ``fill_value``. Defaults to False.
        fill_mode: 'constant' (the only mode, as Keras).
        fill_value: the padding value. Defaults to 0.0.
        antialias: widen the kernel when downsampling (a low-pass filter). Defaults to False.
        data_format: 'channels_last' (or None).

    Input: ``(batch, H, W, C)`` or ``(H, W, C)``; output: ``(batch, height, width, C)``. Float inputs
    give float outputs (differentiable); integer images come back rounded in their own dtype, as Keras.
    """

    _random = False

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self._set_size(height, width)
        self.interpolation = check_choice("Resizing", "interpolation", interpolation, RESIZE_INTERPOLATIONS)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: only fill_mode='constant' is supported, received fill_mode={fill_mode!r}")
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = bool(antialias)

    def call(self, inputs):
        raw = inputs.data if isinstance(inputs, Tensor) else to_array(inputs)
        x, batched = self._images(inputs)
        out = resize(x, (self.height, self.width), self.interpolation, self.antialias, self.crop_to_aspect_ratio,
                     self.pad_to_aspect_ratio, self.fill_value)
        if raw.dtype.kind in "iub":  # integer images stay integers: rounded and saturated, as Keras
            info = np.iinfo(raw.dtype) if raw.dtype.kind != "b" else None
            values = np.round(out.data)
            if info is not None:
                values = np.clip(values, info.min, info.max)
            out = Tensor._wrap(values.astype(raw.dtype))
        return self._restore(out, batched)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(interpolation=self.interpolation,
                   crop_to_aspect_ratio=self.crop_to_aspect_ratio, pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                   fill_mode=self.fill_mode, fill_value=self.fill_value, antialias=self.antialias)
        return cfg
