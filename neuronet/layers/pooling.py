"""Pooling layers (Keras 3 names and defaults): shrink feature maps by keeping the max or the mean.

Pooling after a convolution makes the features it found a little insensitive to exactly where they
are, and divides the cost of every layer after it.
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.conv import conv_geometry, normalize_data_format, normalize_padding, normalize_tuple
from .base import InputSpec, Layer

__all__ = [
    "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
    "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D",
    "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D",
]


class BasePooling(Layer):
    """Shared argument handling of the windowed pooling layers (``rank`` spatial axes)."""

    rank = 2
    _op = None

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format: str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", where)
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides", where)
        self.padding = normalize_padding(padding, where)
        self.data_format = normalize_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = []
        for size, p, s in zip(spatial, self.pool_size, self.strides):
            if size is None:
                out.append(None)
                continue
            o = conv_geometry(size, p, s, 1, self.padding)[0]
            if o <= 0:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': pool_size {self.pool_size} is larger than the input's "
                    f"spatial shape {tuple(spatial)} with padding='valid'; received input shape {input_shape}"
                )
            out.append(o)
        return tuple(out)

    def call(self, inputs):
        self._spatial(inputs.shape)
        return type(self)._op(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = self._spatial(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + spatial + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + spatial

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"pool_size": list(self.pool_size), "strides": list(self.strides), "padding": self.padding,
                    "data_format": self.data_format})
        return cfg


_POOL_ARGS = """
    Args:
        pool_size: int or tuple, the window size. Defaults to {default}.
        strides: int or tuple; defaults to None, meaning ``pool_size`` (windows side by side).
        padding: ``'valid'`` (windows that do not fit are dropped: ``out = floor((in - pool) / stride) + 1``)
            or ``'same'`` (``out = ceil(in / stride)``). Defaults to ``'valid'``.
        data_format: ``'channels_last'`` (default, also for None) or ``'channels_first'``.
"""


class MaxPooling1D(BasePooling):
    __doc__ = """Max pooling over steps: the largest value of each window, per channel.

    Shapes: ``(batch, steps, channels)`` → ``(batch, pooled_steps, channels)``.
    """ + _POOL_ARGS.format(default=2)
    rank = 1
    _op = staticmethod(ops.max_pool)


class MaxPooling2D(BasePooling):
    __doc__ = """Max pooling over images: the largest value of each window, per channel.

    Shapes: ``(batch, height, width, channels)`` → ``(batch, pooled_height, pooled_width, channels)``.
    """ + _POOL_ARGS.format(default="(2, 2)") + """
    Example::

        >>> MaxPooling2D()(np.ones((8, 26, 26, 32))).shape
        (8, 13, 13, 32)
    """
    rank = 2
    _op = staticmethod(ops.max_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format: str | None = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(BasePooling):
    __doc__ = """Average pooling over steps: the mean of each window, per channel ('same' padding is not
    counted in the mean).

    Shapes: ``(batch, steps, channels)`` → ``(batch, pooled_steps, channels)``.
    """ + _POOL_ARGS.format(default=2)
    rank = 1
    _op = staticmethod(ops.average_pool)


class AveragePooling2D(BasePooling):
    __doc__ = """Average pooling over images: the mean of each window, per channel ('same' padding is not
    counted in the mean).

    Shapes: ``(batch, height, width, channels)`` → ``(batch, pooled_height, pooled_width, channels)``.
    """ + _POOL_ARGS.format(default="(2, 2)")
    rank = 2
    _op = staticmethod(ops.average_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding: str = "valid", data_format: str | None = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


# --------------------------------------------------------------------------------------------- global
class BaseGlobalPooling(Layer):
    """Reduce every spatial axis to one value per channel (``rank`` spatial axes)."""

    rank = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.keepdims:
            return tuple(1 if i in self._axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._axes)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return cfg


_GLOBAL_ARGS = """
    Args:
        data_format: ``'channels_last'`` (default, also for None) or ``'channels_first'``.
        keepdims: keep the reduced axes with size 1. Defaults to False.
"""


class GlobalAveragePooling1D(BaseGlobalPooling):
    __doc__ = """The mean over steps, per channel; with a mask (e.g. from ``Embedding(mask_zero=True)``)
    only the unmasked steps count.

    Shapes: ``(batch, steps, channels)`` → ``(batch, channels)`` (or ``(batch, 1, channels)`` with keepdims).
    """ + _GLOBAL_ARGS
    rank = 1
    supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        m = np.asarray(getattr(mask, "data", mask), dtype=inputs.dtype)
        m = m[:, :, None] if self.data_format == "channels_last" else m[:, None, :]
        total = ops.sum(inputs * m, axis=self._axes, keepdims=self.keepdims)
        count = np.maximum(m.sum(axis=self._axes, keepdims=self.keepdims), 1.0)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(BaseGlobalPooling):
    __doc__ = """The mean over height and width, per channel (often replaces Flatten before the classifier).

    Shapes: ``(batch, height, width, channels)`` → ``(batch, channels)`` (or ``(batch, 1, 1, channels)``).
    """ + _GLOBAL_ARGS
    rank = 2

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling1D(BaseGlobalPooling):
    __doc__ = """The maximum over steps, per channel.

    Shapes: ``(batch, steps, channels)`` → ``(batch, channels)`` (or ``(batch, 1, channels)`` with keepdims).
    """ + _GLOBAL_ARGS
    rank = 1

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(BaseGlobalPooling):
    __doc__ = """The maximum over height and width, per channel.

    Shapes: ``(batch, height, width, channels)`` → ``(batch, channels)`` (or ``(batch, 1, 1, channels)``).
    """ + _GLOBAL_ARGS
    rank = 2

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D


class _AdaptivePooling(Layer):
    """Pooling to a fixed output size whatever the input size (``ops.adaptive_average_pool``): along an
    axis of length L pooled to n cells, cell j covers inputs ``floor(j·L/n)`` to ``ceil((j+1)·L/n)``.

    Args:
        output_size: an int (the same on every spatial axis) or one int per spatial axis.
        data_format: 'channels_last' (batch, *spatial, channels) or 'channels_first'. Defaults to
            'channels_last'.

    Shapes: (batch, *spatial, channels) → (batch, *output_size, channels) for channels_last.
    """

    rank = 2
    _op = None

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.output_size = normalize_tuple(output_size, self.rank, "output_size", where)
        self.data_format = normalize_data_format(data_format, where)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        return type(self)._op(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(output_size=list(self.output_size), data_format=self.data_format)
        return cfg


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Average pooling of sequences (batch, steps, channels) to ``output_size`` steps (see _AdaptivePooling)."""

    rank = 1
    _op = staticmethod(ops.adaptive_average_pool)


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Average pooling of images to ``output_size`` (height, width) (see _AdaptivePooling)."""

    rank = 2
    _op = staticmethod(ops.adaptive_average_pool)


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Average pooling of volumes to ``output_size`` (depth, height, width) (see _AdaptivePooling)."""

    rank = 3
    _op = staticmethod(ops.adaptive_average_pool)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Max pooling of sequences (batch, steps, channels) to ``output_size`` steps (see _AdaptivePooling)."""

    rank = 1
    _op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Max pooling of images to ``output_size`` (height, width) (see _AdaptivePooling)."""

    rank = 2
    _op = staticmethod(ops.adaptive_max_pool)


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Max pooling of volumes to ``output_size`` (depth, height, width) (see _AdaptivePooling)."""

    rank = 3
    _op = staticmethod(ops.adaptive_max_pool)
