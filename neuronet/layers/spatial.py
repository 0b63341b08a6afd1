"""Spatial reshaping layers: padding, cropping, upsampling (Keras 3 names and defaults).

They move pixels without learning anything: ``ZeroPadding2D`` adds a border of zeros,
``Cropping2D`` removes one, ``UpSampling2D`` repeats every pixel (or interpolates, bilinear).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..ops.conv import normalize_data_format, normalize_tuple
from .base import InputSpec, Layer

__all__ = ["ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D"]


class _ZeroPad(Function):
    # y = x placed inside a border of zeros          dx = gy without the border
    def forward(self, x, widths):
        self.index = tuple(slice(b, b + n) for (b, _), n in zip(widths, x.shape))
        y = np.zeros(tuple(n + b + a for (b, a), n in zip(widths, x.shape)), x.dtype)
        y[self.index] = x
        return y

    def backward(self, gy):
        return gy[self.index]


class _Crop(Function):
    # y = x without a border                          dx = gy placed inside a border of zeros
    def forward(self, x, index):
        self.shape, self.index = x.shape, index
        return np.ascontiguousarray(x[index])

    def backward(self, gy):
        gx = np.zeros(self.shape, gy.dtype)
        gx[self.index] = gy
        return gx


class _Upsample(Function):
    # y[.., i·s + a, ..] = x[.., i, ..] for a < s on each upsampled axis (nearest neighbour)
    # dx = Σ of gy over each s-block: reshape (.., i, s, ..) and sum the block axes
    def forward(self, x, axes, sizes):
        self.axes, self.sizes, self.shape = axes, sizes, x.shape
        y = x
        for axis, s in zip(axes, sizes):
            y = np.repeat(y, s, axis=axis)
        return y

    def backward(self, gy):
        shape, block_axes = [], []
        for i, n in enumerate(self.shape):
            shape.append(n)
            if i in self.axes:
                shape.append(self.sizes[self.axes.index(i)])
                block_axes.append(len(shape) - 1)
        return gy.reshape(shape).sum(axis=tuple(block_axes))


def bilinear_matrix(size: int, factor: int, dtype) -> np.ndarray:
    """``(size·factor, size)`` weights of half-pixel bilinear resizing along one axis (Keras/TensorFlow).

    Output pixel ``i`` sits at input coordinate ``x = (i + ½) / factor − ½``; it takes ``1 − (x − ⌊x⌋)``
    of pixel ``⌊x⌋`` and ``x − ⌊x⌋`` of the next, both clamped to the image (so the borders repeat).
    """
    out = size * factor
    x = (np.arange(out) + 0.5) / factor - 0.5
    low = np.floor(x)
    frac = x - low
    matrix = np.zeros((out, size), dtype)
    rows = np.arange(out)
    np.add.at(matrix, (rows, np.clip(low, 0, size - 1).astype(int)), 1 - frac)
    np.add.at(matrix, (rows, np.clip(low + 1, 0, size - 1).astype(int)), frac)
    return matrix


class _BilinearUpsample(Function):
    # y = A_h · x · A_wᵀ on the two spatial axes (A: bilinear_matrix)     dx = A_hᵀ · gy · A_w
    def forward(self, x, axes, sizes):
        self.axes, self.matrices = axes, [bilinear_matrix(x.shape[a], s, x.dtype) for a, s in zip(axes, sizes)]
        return self._apply(x, [m for m in self.matrices])

    def _apply(self, x, matrices):
        for axis, m in zip(self.axes, matrices):
            x = np.moveaxis(np.tensordot(m, x, axes=([1], [axis])), 0, axis)
        return np.ascontiguousarray(x)

    def backward(self, gy):
        return self._apply(gy, [m.T for m in self.matrices])


def _spatial_axes(rank: int, data_format: str) -> tuple:
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def _pairs(value, rank: int, name: str, where: str) -> tuple:
    """Keras padding/cropping argument → ``((before, after), ...)`` per spatial axis."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pairs = ((int(value), int(value)),) * rank
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise ValueError(f"{where}: `{name}` must be an int, a tuple of ints or a tuple of pairs, "
                             f"received {value!r}") from None
        if rank == 1 and len(items) == 2 and all(isinstance(v, (int, np.integer)) for v in items):
            pairs = (tuple(int(v) for v in items),)
        elif len(items) == rank and all(isinstance(v, (int, np.integer)) for v in items):
            pairs = tuple((int(v), int(v)) for v in items)
        elif len(items) == rank and all(isinstance(v, (tuple, list)) and len(v) == 2 for v in items):
            pairs = tuple((int(a), int(b)) for a, b in items)
        else:
            raise ValueError(f"{where}: `{name}` must be an int, a tuple of {rank} ints or a tuple of {rank} "
                             f"(before, after) pairs, received {value!r}")
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{where}: `{name}` must be non-negative, received {value!r}")
    return pairs


class _Spatial(Layer):
    rank = 2

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = normalize_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _axes(self) -> tuple:
        return _spatial_axes(self.rank, self.data_format)


class _ZeroPadding(_Spatial):
    def __init__(self, padding=1, data_format: str | None = None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding", f"{type(self).__name__} '{self.name}'")

    def call(self, inputs):
        widths = [(0, 0)] * (self.rank + 2)
        for axis, pair in zip(self._axes, self.padding):
            widths[axis] = pair
        return _ZeroPad.apply(inputs, widths=tuple(widths))

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, (b, a) in zip(self._axes, self.padding):
            out[axis] = None if out[axis] is None else out[axis] + b + a
        return tuple(out)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"padding": [list(p) for p in self.padding], "data_format": self.data_format})
        return cfg


class ZeroPadding1D(_ZeroPadding):
    """Add zeros at the start and end of every sequence.

    Args:
        padding: int (both ends) or ``(before, after)``. Defaults to 1.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Shapes: ``(batch, steps, channels)`` → ``(batch, steps + before + after, channels)``.
    """

    rank = 1


class ZeroPadding2D(_ZeroPadding):
    """Add rows and columns of zeros around every image.

    Args:
        padding: int (all sides), ``(rows, cols)`` (symmetric), or ``((top, bottom), (left, right))``.
            Defaults to ``(1, 1)``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Shapes: ``(batch, h, w, c)`` → ``(batch, h + top + bottom, w + left + right, c)``.

    Example::

        >>> ZeroPadding2D(((1, 0), (2, 2)))(np.ones((1, 3, 3, 1))).shape
        (1, 4, 7, 1)
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format: str | None = None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping", f"{type(self).__name__} '{self.name}'")

    def _index(self, shape) -> tuple:
        index = [slice(None)] * (self.rank + 2)
        for axis, (b, a) in zip(self._axes, self.cropping):
            if shape[axis] is not None and b + a >= shape[axis]:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': cropping {self.cropping} removes all of axis {axis} "
                    f"(size {shape[axis]}); received input shape {tuple(shape)}"
                )
            index[axis] = slice(b, None if shape[axis] is None else shape[axis] - a)
        return tuple(index)

    def call(self, inputs):
        return _Crop.apply(inputs, index=self._index(inputs.shape))

    def compute_output_shape(self, input_shape):
        self._index(input_shape)
        out = list(input_shape)
        for axis, (b, a) in zip(self._axes, self.cropping):
            out[axis] = None if out[axis] is None else out[axis] - b - a
        return tuple(out)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"cropping": [list(p) for p in self.cropping], "data_format": self.data_format})
        return cfg


class Cropping1D(_Cropping):
    """Remove steps at the start and end of every sequence.

    Args:
        cropping: int (both ends) or ``(before, after)``. Defaults to ``(1, 1)``.

    Shapes: ``(batch, steps, channels)`` → ``(batch, steps - before - after, channels)``.
    """

    rank = 1

    def __init__(self, cropping=(1, 1), data_format: str | None = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping2D(_Cropping):
    """Remove rows and columns at the borders of every image.

    Args:
        cropping: int (all sides), ``(rows, cols)`` (symmetric), or ``((top, bottom), (left, right))``.
            Defaults to ``((0, 0), (0, 0))``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Shapes: ``(batch, h, w, c)`` → ``(batch, h - top - bottom, w - left - right, c)``.
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_Spatial):
    def __init__(self, size, data_format: str | None = None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = normalize_tuple(size, self.rank, "size", f"{type(self).__name__} '{self.name}'")

    def call(self, inputs):
        if getattr(self, "interpolation", "nearest") == "bilinear":
            return _BilinearUpsample.apply(inputs, axes=self._axes, sizes=self.size)
        return _Upsample.apply(inputs, axes=self._axes, sizes=self.size)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        for axis, s in zip(self._axes, self.size):
            out[axis] = None if out[axis] is None else out[axis] * s
        return tuple(out)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"size": list(self.size) if self.rank > 1 else self.size[0], "data_format": self.data_format})
        if self.rank == 2:
            cfg["interpolation"] = self.interpolation
        return cfg


class UpSampling1D(_UpSampling):
    """Repeat every step ``size`` times.

    Args:
        size: the upsampling factor. Defaults to 2.

    Shapes: ``(batch, steps, channels)`` → ``(batch, steps·size, channels)``.
    """

    rank = 1

    def __init__(self, size: int = 2, data_format: str | None = None, **kwargs):
        super().__init__(size, data_format, **kwargs)


class UpSampling2D(_UpSampling):
    """Enlarge every image ``size`` times: repeat its pixels (``'nearest'``) or interpolate them (``'bilinear'``).

    Bilinear upsampling follows Keras (``ops.image.resize`` with half-pixel centres, as TensorFlow and
    JAX): output pixel ``i`` of an axis enlarged ``s`` times sits at input coordinate
    ``(i + ½)/s − ½`` and mixes the two nearest input pixels linearly, the borders repeating.

    Args:
        size: int or ``(rows, cols)`` factors. Defaults to ``(2, 2)``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        interpolation: ``'nearest'`` or ``'bilinear'``. Defaults to ``'nearest'``.

    Shapes: ``(batch, h, w, c)`` → ``(batch, h·rows, w·cols, c)``.

    Example::

        >>> UpSampling2D(2, interpolation="bilinear")(np.array([[[[0.0], [4.0]]]])).data[0, 0, :, 0]
        array([0., 1., 3., 4.])
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs):
        if not isinstance(interpolation, str) or interpolation.lower() not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', received "
                             f"interpolation={interpolation!r}")
        super().__init__(size, data_format, **kwargs)
        self.interpolation = interpolation.lower()
