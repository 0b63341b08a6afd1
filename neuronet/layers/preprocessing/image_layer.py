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
from ...random import SeedGenerator
from .data_layer import PreprocessingLayer, to_array

__all__ = ["ImagePreprocessingLayer", "factor_pair", "check_choice"]


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


def check_choice(where: str, name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{where}: unknown {name} {value!r}; expected one of {tuple(choices)}")
    return value


class ImagePreprocessingLayer(PreprocessingLayer):
    """Base class of the image layers (channels-last only)."""

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
        return super().__call__(inputs, *args, training=True if training is None else training, **kwargs)

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
