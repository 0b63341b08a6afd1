"""Statistics: quantiles (median, percentile), weighted averages, cumulative products, the NaN-ignoring
reductions, correlation, and the counting ops (histogram, bincount, unique, searchsorted, ...).

The differentiable ones are composed from the library's ops — a quantile is a sort followed by a
linear interpolation between two order statistics, ``nanmean`` a sum over the non-NaN entries divided
by their count — so their gradients come from those ops. Counting ops return constant Tensors.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..autograd import Function, Tensor
from . import manipulation as shape_ops
from . import math as m
from . import reduce as r

__all__ = [
    "median", "quantile", "percentile", "average", "ptp", "cumprod", "trapezoid", "corrcoef", "correlate",
    "nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin", "nanprod", "nancumsum", "nancumprod", "nanargmax",
    "nanargmin", "nanmedian", "nanquantile", "nanpercentile", "bincount", "histogram", "digitize", "searchsorted",
    "argpartition", "unique", "nonzero", "isin",
]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


# ----------------------------------------------------------------------------- quantiles
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _to_last(x, axis):
    """``x`` with the reduced axes moved to the end and merged into one; also the kept shape."""
    data = _data(x)
    if axis is None:
        return shape_ops.reshape(x, (-1,)), (), tuple(range(data.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(sorted(int(a) % builtins.max(data.ndim, 1) for a in axes))
    kept = [a for a in range(data.ndim) if a not in axes]
    moved = shape_ops.transpose(x, kept + list(axes))
    kept_shape = tuple(data.shape[a] for a in kept)
    return shape_ops.reshape(moved, kept_shape + (-1,)), kept_shape, axes


def _quantile(name: str, x, q, axis, method: str, keepdims: bool, ignore_nan: bool):
    """Quantiles ``q`` (in [0, 1]) of ``x`` over ``axis``, as NumPy: the order statistics at position
    ``q · (n - 1)``, interpolated by ``method``; NaN entries left out when ``ignore_nan``."""
    if method not in _METHODS:
        raise ValueError(f"{name}: method must be one of {_METHODS}, received {method!r}")
    qs = np.asarray(_data(q), dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"{name}: quantiles must be in [0, 1] (percentiles in [0, 100]), received {qs.tolist()}")
    x = _tensor(x)
    if x.data.dtype.kind != "f":
        x = m.cast(x, "float32")
    flat, kept_shape, axes = _to_last(x, axis)
    values = flat.data
    nan = np.isnan(values)
    if ignore_nan:  # NaN sorts last; each slice counts only its numbers
        count = (~nan).sum(axis=-1, keepdims=True)
    else:
        count = np.full(values.shape[:-1] + (1,), values.shape[-1])
    ordered = shape_ops.sort(flat, axis=-1)
    position = qs.reshape((-1,) + (1,) * (values.ndim)) * (np.maximum(count, 1) - 1)  # (q, ..., 1)
    lower = np.floor(position).astype(np.int64)
    upper = np.minimum(lower + 1, np.maximum(count, 1) - 1)
    frac = position - lower
    if method == "lower":
        upper, frac = lower, np.zeros_like(frac)
    elif method == "higher":
        lower, frac = np.ceil(position).astype(np.int64), np.zeros_like(frac)
        upper = lower
    elif method == "midpoint":
        frac = np.where(upper > lower, 0.5, 0.0)
    elif method == "nearest":  # NumPy rounds half to even
        lower = np.round(position).astype(np.int64)
        upper, frac = lower, np.zeros_like(frac)
    out = []
    for i in range(len(qs.reshape(-1))):
        lo = shape_ops.take_along_axis(ordered, np.broadcast_to(lower[i], values.shape[:-1] + (1,)), axis=-1)
        hi = shape_ops.take_along_axis(ordered, np.broadcast_to(upper[i], values.shape[:-1] + (1,)), axis=-1)
        w = frac[i].astype(values.dtype)
        value = lo * (1 - w) + hi * w
        if ignore_nan:
            value = m.where(count == 0, np.nan, value)
        elif nan.any():
            value = m.where(nan.any(axis=-1, keepdims=True), np.nan, value)
        value = shape_ops.reshape(value, kept_shape)
        if keepdims:
            full = list(_data(x).shape) if axis is not None else [1] * _data(x).ndim
            for a in axes:
                full[a] = 1
            value = shape_ops.reshape(value, tuple(full))
        out.append(value)
    result = out[0] if qs.ndim == 0 else shape_ops.stack(out, axis=0)
    if qs.ndim > 1:
        result = shape_ops.reshape(result, qs.shape + tuple(_data(result).shape[1:]))
    return result


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """The ``q``-th quantiles (``q`` in [0, 1], a number or an array) of ``x`` over ``axis`` (all axes when
    None), as ``numpy.quantile``: the output has ``q``'s shape in front. ``method``: 'linear' (default,
    interpolating), 'lower', 'higher', 'midpoint' or 'nearest'. The gradient goes to the one or two
    order statistics each quantile is made of."""
    return _quantile("quantile", x, q, axis, method, keepdims, ignore_nan=False)


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """The ``q``-th percentiles (``q`` in [0, 100]): :func:`quantile` of ``q / 100``."""
    return _quantile("percentile", x, np.asarray(_data(q), dtype=np.float64) / 100, axis, method, keepdims, False)


def median(x, axis=None, keepdims: bool = False) -> Tensor:
    """The median over ``axis`` (all axes when None): the middle value, or the mean of the two middle ones."""
    return _quantile("median", x, 0.5, axis, "linear", keepdims, ignore_nan=False)


def nanquantile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`quantile` ignoring NaN entries (NaN where a slice has no number)."""
    return _quantile("nanquantile", x, q, axis, method, keepdims, ignore_nan=True)


def nanpercentile(x, q, axis=None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`percentile` ignoring NaN entries."""
    return _quantile("nanpercentile", x, np.asarray(_data(q), dtype=np.float64) / 100, axis, method, keepdims, True)


def nanmedian(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`median` ignoring NaN entries."""
    return _quantile("nanmedian", x, 0.5, axis, "linear", keepdims, ignore_nan=True)


# ----------------------------------------------------------------------------- averages and spreads
def average(x, axis=None, weights=None) -> Tensor:
    """The weighted mean ``Σ x·w / Σ w`` over ``axis`` (``weights`` of x's shape, or 1-D along ``axis``);
    the plain mean without weights. Differentiable in ``x`` and ``weights``."""
    if weights is None:
        return r.mean(x, axis=axis)
    w = weights
    wd, xd = _data(weights), _data(x)
    if wd.shape != xd.shape:
        if axis is None or wd.ndim != 1 or wd.shape[0] != xd.shape[int(axis)]:
            raise ValueError(f"average: weights of shape {wd.shape} need x's shape {xd.shape}, or one weight per "
                             f"entry along axis={axis!r}")
        shape = [1] * xd.ndim
        shape[int(axis)] = wd.shape[0]
        w = shape_ops.reshape(weights, tuple(shape))
    return m.divide(r.sum(m.multiply(x, w), axis=axis), r.sum(m.multiply(m.ones_like(x), w), axis=axis))


def ptp(x, axis=None, keepdims: bool = False) -> Tensor:
    """The range ``max - min`` over ``axis`` ("peak to peak")."""
    return m.subtract(r.max(x, axis=axis, keepdims=keepdims), r.min(x, axis=axis, keepdims=keepdims))


class CumProd(Function):
    # y_i = Π_{j ≤ i} x_j along the axis       dx_j = Σ_{i ≥ j} gy_i · Π_{k ≤ i, k ≠ j} x_k
    # Without zeros that is Σ_{i ≥ j} gy_i y_i / x_j (a reversed cumulative sum); slices with a zero are
    # computed term by term (exact).
    def forward(self, x, axis):
        self.axis, self.shape = axis, x.shape
        self.x = x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1)
        self.y = np.cumprod(self.x, axis=-1)
        return self.y.reshape(-1) if axis is None else np.moveaxis(self.y, -1, axis)

    def backward(self, gy):
        x, y = self.x, self.y
        g = gy.reshape(-1) if self.axis is None else np.moveaxis(gy, self.axis, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = np.flip(np.cumsum(np.flip(g * y, -1), -1), -1) / x
        zero = (x == 0).any(axis=-1)
        if zero.any():
            n = x.shape[-1]
            xs, gs = x[zero], g[zero]
            exact = np.zeros_like(xs)
            for j in range(n):
                others = xs.copy()
                others[..., j] = 1
                exact[..., j] = (gs[..., j:] * np.cumprod(others, axis=-1)[..., j:]).sum(axis=-1)
            gx[zero] = exact
        return gx.reshape(self.shape) if self.axis is None else np.moveaxis(gx, -1, self.axis)


def cumprod(x, axis=None, dtype=None) -> Tensor:
    """Cumulative product along ``axis`` (of the flattened input when None); gradient exact with zeros."""
    if dtype is not None:
        x = m.cast(x, dtype)
    if axis is not None:
        axis = int(axis) % builtins.max(_data(x).ndim, 1)
    return CumProd.apply(x, axis=axis)


def trapezoid(y, x=None, dx: float = 1.0, axis: int = -1) -> Tensor:
    """The integral of ``y`` along ``axis`` by the trapezoidal rule: ``Σ (y[i] + y[i+1]) / 2 · Δx_i``, with
    sample points ``x`` (default: spaced ``dx`` apart)."""
    n = _data(y).shape[axis]
    first = shape_ops.take(y, np.arange(n - 1), axis=axis)
    second = shape_ops.take(y, np.arange(1, n), axis=axis)
    mids = m.multiply(m.add(first, second), 0.5)
    if x is None:
        return m.multiply(r.sum(mids, axis=axis), dx)
    xd = _data(x)
    steps = m.subtract(shape_ops.take(x, np.arange(1, n), axis=-1 if xd.ndim == 1 else axis),
                       shape_ops.take(x, np.arange(n - 1), axis=-1 if xd.ndim == 1 else axis))
    if xd.ndim == 1 and _data(y).ndim > 1:
        shape = [1] * _data(y).ndim
        shape[axis] = n - 1
        steps = shape_ops.reshape(steps, tuple(shape))
    return r.sum(m.multiply(mids, steps), axis=axis)


def corrcoef(x) -> Tensor:
    """Pearson correlation coefficients of the rows of ``x`` (each row a variable, each column an
    observation), as ``numpy.corrcoef``."""
    x = _tensor(x)
    if x.data.ndim == 1:
        x = shape_ops.reshape(x, (1, -1))
    centered = m.subtract(x, r.mean(x, axis=1, keepdims=True))
    from .products import matmul

    cov = matmul(centered, shape_ops.transpose(centered))
    d = m.sqrt(shape_ops.reshape(r.sum(m.square(centered), axis=1), (-1,)))
    out = m.divide(m.divide(cov, shape_ops.reshape(d, (-1, 1))), shape_ops.reshape(d, (1, -1)))
    return m.clip(out, -1.0, 1.0) if x.data.shape[0] > 1 else shape_ops.reshape(out, ())


def correlate(x1, x2, mode: str = "valid") -> Tensor:
    """The cross-correlation of two 1-D sequences, as ``numpy.correlate``: ``z[k] = Σ_n x1[n+k] · x2[n]``
    over the overlaps of ``mode`` 'valid' (full overlap), 'same' (x1's length) or 'full'."""
    a, b = _data(x1), _data(x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"correlate: expected two 1-D sequences, received shapes {a.shape} and {b.shape}")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"correlate: mode must be 'valid', 'same' or 'full', received {mode!r}")
    if len(a) < len(b):  # NumPy swaps, and reverses the result
        return shape_ops.flip(correlate(x2, x1, mode), axis=0)
    n, k = len(a), len(b)
    pad = {"valid": (0, 0), "full": (k - 1, k - 1), "same": (k // 2, k - 1 - k // 2)}[mode]
    padded = shape_ops.pad(x1, [pad]) if builtins.sum(pad) else x1
    length = n + builtins.sum(pad) - k + 1
    windows = shape_ops.take(padded, np.arange(length)[:, None] + np.arange(k)[None, :], axis=0)
    from .products import matmul

    return matmul(windows, x2)


# ----------------------------------------------------------------------------- NaN-ignoring reductions
def _without_nan(x, fill):
    data = _data(x)
    return m.where(np.isnan(data), fill, x) if data.dtype.kind == "f" else x


def nansum(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`sum` of the non-NaN entries."""
    return r.sum(_without_nan(x, 0.0), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`mean` of the non-NaN entries (NaN for a slice of NaN only)."""
    count = r.sum(m.logical_not(m.isnan(x)).data.astype(_data(x).dtype), axis=axis, keepdims=keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return m.divide(nansum(x, axis=axis, keepdims=keepdims), count)


def nanvar(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`var` of the non-NaN entries."""
    centered = m.subtract(x, nanmean(x, axis=axis, keepdims=True))
    return nanmean(m.square(centered), axis=axis, keepdims=keepdims)


def nanstd(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`std` of the non-NaN entries."""
    return m.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extreme(x, axis, keepdims, fill, reducer):
    out = reducer(_without_nan(x, fill), axis=axis, keepdims=keepdims)
    all_nan = np.all(np.isnan(_data(x)), axis=axis, keepdims=keepdims) if _data(x).dtype.kind == "f" else False
    return m.where(all_nan, np.nan, out) if np.any(all_nan) else out


def nanmax(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`max` of the non-NaN entries (NaN for a slice of NaN only)."""
    return _nan_extreme(x, axis, keepdims, -np.inf, r.max)


def nanmin(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`min` of the non-NaN entries (NaN for a slice of NaN only)."""
    return _nan_extreme(x, axis, keepdims, np.inf, r.min)


def nanprod(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`prod` of the non-NaN entries."""
    return r.prod(_without_nan(x, 1.0), axis=axis, keepdims=keepdims)


def nancumsum(x, axis=None, dtype=None) -> Tensor:
    """:func:`cumsum` treating NaN as 0."""
    if dtype is not None:
        x = m.cast(x, dtype)
    return r.cumsum(_without_nan(x, 0.0), axis=axis)


def nancumprod(x, axis=None, dtype=None) -> Tensor:
    """:func:`cumprod` treating NaN as 1."""
    return cumprod(_without_nan(x, 1.0), axis=axis, dtype=dtype)


def nanargmax(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`argmax` ignoring NaN entries (no gradient)."""
    data = _data(x)
    return Tensor._wrap(np.asarray(np.nanargmax(data, axis=axis, keepdims=keepdims)))


def nanargmin(x, axis=None, keepdims: bool = False) -> Tensor:
    """:func:`argmin` ignoring NaN entries (no gradient)."""
    data = _data(x)
    return Tensor._wrap(np.asarray(np.nanargmin(data, axis=axis, keepdims=keepdims)))


# ----------------------------------------------------------------------------- counting (no gradient)
def bincount(x, weights=None, minlength: int = 0, sparse: bool = False) -> Tensor:
    """How many times each non-negative integer appears in ``x`` (1-D, or each row of a 2-D ``x``), or the
    sum of ``weights`` per value; at least ``minlength`` bins. No gradient."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported")
    data = _data(x)
    if data.dtype.kind not in "iub" or (data.size and data.min() < 0):
        raise ValueError(f"bincount: x must hold non-negative integers, received dtype {data.dtype}")
    w = None if weights is None else _data(weights)
    if data.ndim == 1:
        return Tensor._wrap(np.bincount(data, w, minlength=minlength))
    if data.ndim != 2:
        raise ValueError(f"bincount: x must be 1-D or 2-D, received shape {data.shape}")
    length = builtins.max(int(data.max(initial=-1)) + 1, int(minlength))
    rows = [np.bincount(row, None if w is None else w[i], minlength=length) for i, row in enumerate(data)]
    return Tensor._wrap(np.stack(rows))


def histogram(x, bins: int = 10, range=None) -> tuple:  # noqa: A002 - Keras name
    """``(counts, bin_edges)`` of the values of ``x`` in ``bins`` equal bins over ``range`` (default: min to
    max), as ``numpy.histogram``. No gradient."""
    counts, edges = np.histogram(_data(x), bins=bins, range=range)
    return Tensor._wrap(counts), Tensor._wrap(edges)


def digitize(x, bins) -> Tensor:
    """The index of the bin of ``bins`` (increasing edges) each value of ``x`` falls in (int; no gradient)."""
    return Tensor._wrap(np.digitize(_data(x), _data(bins)).astype(np.int32))


def searchsorted(sorted_sequence, values, side: str = "left") -> Tensor:
    """Where each of ``values`` would be inserted into the 1-D ``sorted_sequence`` to keep it sorted."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', received {side!r}")
    seq = _data(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError(f"searchsorted: sorted_sequence must be 1-D, received shape {seq.shape}")
    return Tensor._wrap(np.searchsorted(seq, _data(values), side=side).astype(np.int32))


def argpartition(x, kth, axis: int = -1) -> Tensor:
    """Indices that partition ``x`` along ``axis`` around its ``kth`` smallest entry (no gradient)."""
    return Tensor._wrap(np.argpartition(_data(x), kth, axis=axis).astype(np.int32))


def unique(x, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, axis=None, size=None, fill_value=None):
    """The distinct values of ``x`` (sorted), and optionally their first indices, the inverse map and their
    counts, as ``numpy.unique``; with ``size``, padded (with ``fill_value``, default the smallest value) or
    cut to that many values. No gradient."""
    results = np.unique(_data(x), return_index=return_index, return_inverse=return_inverse,
                        return_counts=return_counts, axis=axis)
    results = list(results) if isinstance(results, tuple) else [results]
    if size is not None:
        values = results[0]
        fill = values.min() if fill_value is None and values.size else (0 if fill_value is None else fill_value)
        if len(values) < size:
            pad = np.full((size - len(values),) + values.shape[1:], fill, values.dtype)
            results[0] = np.concatenate([values, pad])
        else:
            results[0] = values[:size]
        position = 1
        for flag in (return_index, return_inverse, return_counts):
            if flag:
                if flag is not return_inverse:
                    extra = results[position]
                    results[position] = np.concatenate([extra, np.zeros(builtins.max(size - len(extra), 0),
                                                                        extra.dtype)])[:size]
                position += 1
    out = [Tensor._wrap(np.asarray(v)) for v in results]
    return out[0] if len(out) == 1 else tuple(out)


def nonzero(x) -> tuple:
    """The indices of the nonzero entries of ``x``, one int array per axis (no gradient)."""
    return tuple(Tensor._wrap(i) for i in np.nonzero(_data(x)))


def isin(x1, x2, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an entry of ``x1`` is among the values of ``x2`` (False with ``invert``)."""
    return Tensor._wrap(np.isin(_data(x1), _data(x2), assume_unique=assume_unique, invert=invert))
