"""What the image preprocessing layers share: channels-last images, Keras's factor conventions, the
``training`` default, and a seeded random stream.

* Images are ``(batch, height, width, channels)`` or one image ``(height, width, channels)``; integer
  images (uint8) are converted to the layer's float dtype, as Keras does.
* Called directly (``layer(images)``) a random augmentation layer is active, as in Keras 3 (its
  ``training`` defaults to True); inside a model it follows the model: active in ``fit``, inactive in
  ``predict``/``evaluate``.
* The random draws come from a :class:`~neuronet.random.SeedGenerator` built from ``seed`` and read
  in Keras's order, so with the same seed a layer draws the same transformations as Keras's NumPy
  backend. The generator is not tracked as a weight (Keras's augmentation layers have no weights).
"""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from ...random import SeedGenerator, uniform
from .data_layer import PreprocessingLayer, to_array
from ...ops.resampling import AFFINE_INTERPOLATIONS, FILL_MODES, affine_transform

__all__ = ["ImagePreprocessingLayer", "AffineLayer", "ColorLayer", "SizedLayer", "factor_pair", "check_choice",
           "positive_int"]


def factor_pair(where: str, name: str, factor, low: float, high: float, low_inclusive: bool = True) -> tuple:
    """``(lower, upper)`` from a number f (→ ``(max(-|f|, low), |f|)``) or a pair, each within
    ``[low, high]`` (or ``(low, high]``), or a ValueError in Keras's words."""
    def bad(value) -> bool:
        try:
            v = float(value)
        except (TypeError, ValueError):
            return True
        return not np.isfinite(v) or v > high or (v < low if low_inclusive else v <= low)

    bracket = "[" if low_inclusive else "("
    message = (f"{where}: the {name} argument should be a number (or a list of two numbers) in the range "
               f"{bracket}{low}, {high}], received {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or bad(factor[0]) or bad(factor[1]):
            raise ValueError(message)
        lower, upper = sorted(float(f) for f in factor)
        return lower, upper
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) or bad(factor):
        raise ValueError(message)
    f = abs(float(factor))
    return max(-f, low) if low_inclusive else -f, f


def value_range_pair(where: str, value_range, ordered: bool = True) -> tuple:
    """``value_range`` as two floats (sorted unless ``ordered`` is False), or a one-line ValueError."""
    message = (f"{where}: the value_range argument should be a list of two numbers, received "
               f"value_range={value_range!r}")
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(message)
    try:
        pair = tuple(float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    return tuple(sorted(pair)) if ordered else pair


def check_choice(where: str, name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{where}: unknown {name} {value!r}; expected one of {tuple(choices)}")
    return value


def positive_int(where: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: expected {name} to be a positive integer, received {name}={value!r}")
    return int(value)


class ImagePreprocessingLayer(PreprocessingLayer):
    """Base class of the image layers (channels-last only)."""

    _random = True  # a random augmentation: active when called directly, as in Keras 3

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__}: neuronet images are channels-last only; received "
                             f"data_format={data_format!r}")
        self.data_format = "channels_last"

    def _make_generator(self, seed) -> None:
        """A SeedGenerator for this layer's draws, not tracked as a sublayer (so not a weight)."""
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"{type(self).__name__}: expected seed to be a non-negative integer or None, received "
                             f"seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        object.__setattr__(self, "generator", SeedGenerator(self.seed))

    def __call__(self, inputs, *args, training=None, **kwargs):
        # Keras 3: called outside a model, an augmentation layer is active unless told training=False
        if self._random and training is None:
            training = True
        return super().__call__(inputs, *args, training=training, **kwargs)

    def call(self, inputs, training=True):
        """The images through :meth:`augment` when training, unchanged otherwise; a single image is
        given a batch axis of 1 for ``augment`` and loses it again."""
        x, batched = self._images(inputs)
        if training:
            x = self.augment(x, batched)
        return self._restore(x, batched)

    def augment(self, x: Tensor, batched: bool) -> Tensor:  # pragma: no cover - abstract
        """The layer's change to ``x``, float images of rank 4 (``batched``: whether the caller gave a
        batch). Layers that change images outside training too override ``call`` instead."""
        raise NotImplementedError(f"{type(self).__name__} does not implement augment")

    def _per_image_uniform(self, x: Tensor, batched: bool, low: float, high: float, dtype=None) -> np.ndarray:
        """One draw per image, shaped (batch, 1, 1, 1) — Keras draws (batch, 1, 1, 1), or (1, 1, 1) for
        a single image, from the layer's generator."""
        shape = (x.shape[0], 1, 1, 1) if batched else (1, 1, 1)
        return uniform(shape, low, high, dtype=dtype, seed=self.generator).data.reshape(x.shape[0], 1, 1, 1)

    def _images(self, inputs) -> tuple:
        """``(float images of rank 4, was_batched)``: a single image gets a batch axis of 1."""
        x = inputs if isinstance(inputs, Tensor) else Tensor._wrap(to_array(inputs))
        if x.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__} '{self.name}': expected images of rank 3 (height, width, "
                             f"channels) or 4 (batch, height, width, channels), received shape {tuple(x.shape)}")
        if x.dtype.kind != "f":
            if x.dtype.kind not in "iub":
                raise ValueError(f"{type(self).__name__} '{self.name}': expected numeric images, received dtype "
                                 f"{x.dtype}")
            x = Tensor._wrap(x.data.astype(self.dtype))
        elif x.dtype != self.dtype:
            from ... import ops

            x = ops.cast(x, self.dtype)
        batched = x.ndim == 4
        return (x if batched else x.reshape((1,) + tuple(x.shape))), batched

    @staticmethod
    def _restore(x: Tensor, batched: bool) -> Tensor:
        return x if batched else x.reshape(tuple(x.shape[1:]))

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


class AffineLayer(ImagePreprocessingLayer):
    """A random geometric augmentation: one affine transform per image, resampled with a fill mode."""

    def _setup_affine(self, fill_mode: str, interpolation: str, fill_value: float, seed) -> None:
        where = type(self).__name__
        self.fill_mode = check_choice(where, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = check_choice(where, "interpolation", interpolation, AFFINE_INTERPOLATIONS)
        self.fill_value = float(fill_value)
        self._make_generator(seed)

    def _transforms(self, n: int, height: int, width: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def augment(self, x, batched):
        transforms = self._transforms(x.shape[0], x.shape[1], x.shape[2])
        out = affine_transform(x, transforms, self.interpolation, self.fill_mode, self.fill_value)
        return out

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(fill_mode=self.fill_mode, fill_value=self.fill_value, interpolation=self.interpolation,
                   seed=self.seed)
        return cfg


class ColorLayer(ImagePreprocessingLayer):
    """A random per-image colour augmentation with a factor range and a pixel value range."""

    _FACTOR_BOUNDS = (-1.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        where = type(self).__name__
        self.factor = factor_pair(where, "factor", factor, *self._FACTOR_BOUNDS)
        self.value_range = value_range_pair(where, value_range)
        self._make_generator(seed)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(factor=list(self.factor), value_range=list(self.value_range), seed=self.seed)
        return cfg


class SizedLayer(ImagePreprocessingLayer):
    """An image layer whose output is ``height × width``."""

    def _set_size(self, height, width) -> None:
        self.height = positive_int(type(self).__name__, "height", height)
        self.width = positive_int(type(self).__name__, "width", width)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[-3], shape[-2] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(height=self.height, width=self.width)
        return cfg
