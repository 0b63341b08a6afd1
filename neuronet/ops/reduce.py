"""Reductions: sum, mean, max, min, var, std, prod, logsumexp, argmax, argmin.

Backward spreads the output gradient back over the reduced axes. ``axis`` is None (all axes), an
integer or a tuple/list of integers; ``keepdims=True`` keeps the reduced axes with length 1.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.tensor import _as_array

__all__ = [
    "sum", "mean", "max", "min", "amax", "amin", "var", "std", "prod", "logsumexp", "argmax", "argmin", "cumsum",
    "norm", "any", "all", "count_nonzero",
]


def _expand(gy, shape, axis, keepdims):
    """``gy`` reshaped so it broadcasts against an input of ``shape`` reduced over ``axis``."""
    if keepdims:
        return gy
    if axis is None:
        return np.reshape(gy, (1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    ndim = len(shape)
    return np.expand_dims(gy, tuple(sorted(a % ndim for a in axes)))


def _spread(g, shape):
    """``g`` (already shaped to broadcast) copied out to ``shape``.

    Small results are materialized (``np.broadcast_to`` costs more than the copy and gives a read-only
    view); large ones stay a zero-copy broadcast view.
    """
    if math.prod(shape) > 65536:
        return np.broadcast_to(g, shape)
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


def _count(shape, axis) -> int:
    """Number of elements reduced into each output element."""
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    n = 1
    for a in axes:
        n *= shape[a]
    return n


class Sum(Function):
    # y = Σ x over axis       dx = gy broadcast back over axis
    def forward(self, x, axis, keepdims):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return x.sum(axis=axis, keepdims=keepdims)

    def backward(self, gy):
        return _spread(_expand(gy, self.shape, self.axis, self.keepdims), self.shape)


class Mean(Function):
    # y = Σ x / n over axis   dx = gy / n broadcast back over axis
    def forward(self, x, axis, keepdims):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        if x.dtype.kind == "f" and x.size:  # np.mean, without its Python-level bookkeeping
            return x.sum(axis=axis, keepdims=keepdims) * (1.0 / _count(x.shape, axis))
        return np.mean(x, axis=axis, keepdims=keepdims)

    def backward(self, gy):
        n = _count(self.shape, self.axis)
        g = _expand(gy, self.shape, self.axis, self.keepdims) * (1.0 / builtins.max(n, 1))
        return _spread(g, self.shape)


class Max(Function):
    # y = max x over axis     dx = gy / k at the k positions that reach the maximum, 0 elsewhere
    # (ties share the gradient evenly, like torch.amax)
    def forward(self, x, axis, keepdims, use_min):
        y = x.min(axis=axis, keepdims=keepdims) if use_min else x.max(axis=axis, keepdims=keepdims)
        self.x, self.y, self.axis, self.keepdims = x, y, axis, keepdims
        return y

    def backward(self, gy):
        x, axis, keepdims = self.x, self.axis, self.keepdims
        hit = x == _expand(self.y, x.shape, axis, keepdims)
        count = hit.sum(axis=axis, keepdims=True)
        return hit * (_expand(gy, x.shape, axis, keepdims) / count)


class Var(Function):
    # y = Σ (x - x̄)² / n over axis     dx = gy · 2 (x - x̄) / n
    def forward(self, x, axis, keepdims):
        self.centered = c = x - np.mean(x, axis=axis, keepdims=True)
        self.n = _count(x.shape, axis)
        self.axis, self.keepdims = axis, keepdims
        return np.mean(c * c, axis=axis, keepdims=keepdims)

    def backward(self, gy):
        c = self.centered
        return _expand(gy, c.shape, self.axis, self.keepdims) * c * (2.0 / builtins.max(self.n, 1))


class Prod(Function):
    # y = Π x over axis       dx_i = gy · Π_{j≠i} x_j
    # The product of the others is taken as (exclusive cumprod from the left) × (from the right), so
    # zeros in x are handled exactly (no division by x).
    def forward(self, x, axis, keepdims):
        self.x, self.axis, self.keepdims = x, axis, keepdims
        return np.prod(x, axis=axis, keepdims=keepdims)

    def backward(self, gy):
        x, axis = self.x, self.axis
        axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        axes = tuple(sorted(a % x.ndim for a in axes))
        kept = [a for a in range(x.ndim) if a not in axes]
        moved = np.transpose(x, kept + list(axes))
        flat = moved.reshape(moved.shape[: len(kept)] + (-1,))
        ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (left * right).reshape(moved.shape)
        others = np.transpose(others, np.argsort(kept + list(axes)))
        return others * _expand(gy, x.shape, axis, self.keepdims)


class LogSumExp(Function):
    # y = log Σ eˣ = m + log Σ e^(x - m), m = max x     dx = gy · e^(x - y)
    def forward(self, x, axis, keepdims):
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        y = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        self.x, self.y_kept, self.axis, self.keepdims = x, y, axis, keepdims
        return y if keepdims else _squeeze(y, axis)

    def backward(self, gy):
        return _expand(gy, self.x.shape, self.axis, self.keepdims) * np.exp(self.x - self.y_kept)


class CumSum(Function):
    # y_i = Σ_{j ≤ i} x_j along axis      dx_j = Σ_{i ≥ j} gy_i  (a cumulative sum from the other end)
    def forward(self, x, axis):
        self.axis, self.shape = axis, x.shape
        return np.cumsum(x.reshape(-1) if axis is None else x, axis=0 if axis is None else axis)

    def backward(self, gy):
        axis = 0 if self.axis is None else self.axis
        g = np.flip(np.cumsum(np.flip(gy, axis), axis=axis), axis)
        return g.reshape(self.shape)


def _squeeze(y, axis):
    return y.reshape(()) if axis is None else np.squeeze(y, axis=axis)


def _array(x):
    """Tensors and ndarrays as they are; lists and numbers as an ndarray (floats in ``config.floatx()``)."""
    return x if isinstance(x, (Tensor, np.ndarray)) else _as_array(x)


def _axis(name: str, x, axis):
    """Validate ``axis`` for an input like ``x``: None, an int or a tuple of ints (lists accepted)."""
    if axis is None:
        return None
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    limit = builtins.max(ndim, 1)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis) if isinstance(axis, (tuple, list)) else None
    if axes is None or not builtins.all(isinstance(a, (int, np.integer)) and -limit <= a < limit for a in axes):
        raise ValueError(f"{name}: axis must be None, an integer or a tuple of integers in [-{ndim}, {ndim}) for an "
                         f"input of rank {ndim}, received axis={axis!r}")
    if len({a % limit for a in axes}) != len(axes):
        raise ValueError(f"{name}: axis contains a repeated axis, received axis={axis!r}")
    return int(axes[0]) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axes)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    """Sum of elements over ``axis``.

    Args:
        x: input Tensor or array.
        axis: axis or axes to reduce. Defaults to None (all axes).
        keepdims: keep reduced axes with length 1. Defaults to False.
    """
    return Sum.apply(_array(x), axis=_axis("sum", x, axis), keepdims=bool(keepdims))


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (all axes when None). Args as :func:`sum`."""
    return Mean.apply(_array(x), axis=_axis("mean", x, axis), keepdims=bool(keepdims))


def max(x, axis=None, keepdims: bool = False, initial=None) -> Tensor:  # noqa: A001 - Keras name
    """Maximum over ``axis`` (all axes when None).

    The gradient goes to the position of the maximum; when several elements tie for the maximum
    they share it evenly (as ``torch.amax``). ``initial`` (Keras), when given, is a lower bound.
    """
    y = Max.apply(_array(x), axis=_axis("max", x, axis), keepdims=bool(keepdims), use_min=False)
    if initial is not None:
        from .math import maximum

        y = maximum(y, initial)
    return y


def min(x, axis=None, keepdims: bool = False, initial=None) -> Tensor:  # noqa: A001 - Keras name
    """Minimum over ``axis``; ties share the gradient evenly (as ``torch.amin``)."""
    y = Max.apply(_array(x), axis=_axis("min", x, axis), keepdims=bool(keepdims), use_min=True)
    if initial is not None:
        from .math import minimum

        y = minimum(y, initial)
    return y


amax = max
amin = min


def var(x, axis=None, keepdims: bool = False) -> Tensor:
    """Population variance ``mean((x - mean(x))²)`` over ``axis`` (divides by n, as Keras)."""
    return Var.apply(_array(x), axis=_axis("var", x, axis), keepdims=bool(keepdims))


def std(x, axis=None, keepdims: bool = False) -> Tensor:
    """Population standard deviation ``sqrt(var(x))`` over ``axis`` (its gradient is infinite where
    the variance is 0)."""
    from .math import sqrt

    return sqrt(var(x, axis=axis, keepdims=keepdims))


def prod(x, axis=None, keepdims: bool = False) -> Tensor:
    """Product of elements over ``axis``; its gradient is exact even where ``x`` has zeros."""
    return Prod.apply(_array(x), axis=_axis("prod", x, axis), keepdims=bool(keepdims))


def logsumexp(x, axis=None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x), axis))`` computed after subtracting the maximum (stable for any x)."""
    return LogSumExp.apply(_array(x), axis=_axis("logsumexp", x, axis), keepdims=bool(keepdims))


def argmax(x, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the maximum along ``axis`` (of the flattened input when None); an int64 Tensor, no gradient."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor._wrap(np.argmax(data, axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims: bool = False) -> Tensor:
    """Index of the minimum along ``axis`` (of the flattened input when None); an int64 Tensor, no gradient."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor._wrap(np.argmin(data, axis=axis, keepdims=keepdims))


def cumsum(x, axis=None) -> Tensor:
    """Cumulative sum along ``axis`` (of the flattened input when None, the default)."""
    if axis is not None:
        axis = _axis("cumsum", x, axis)
        if not isinstance(axis, int):
            raise ValueError(f"cumsum: axis must be None or one integer, received axis={axis!r}")
    return CumSum.apply(_array(x), axis=axis)


def norm(x, ord=None, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A002 - Keras name
    """The vector or matrix norm of ``x``, as ``numpy.linalg.norm`` (Keras's ``ops.norm``).

    Args:
        x: input Tensor or array (integers are taken as floats).
        ord: for vectors (one axis) None or 2 (Euclidean), 1, any p (``(Σ|x|ᵖ)^(1/p)``), inf (max |x|), -inf
            (min |x|) or 0 (the count of nonzeros); for matrices (two axes) None or 'fro' (Frobenius),
            'nuc' (sum of singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min
            column sum of |x|), inf / -inf (max / min row sum of |x|). Defaults to None.
        axis: one axis (vector norms), two axes (matrix norms), or None: all entries with ``ord=None``, else
            the vector norm of a 1-D ``x`` or the matrix norm of a 2-D ``x``. Defaults to None.
        keepdims: keep the reduced axes with length 1. Defaults to False.

    The Euclidean norm's gradient ``x / norm`` is undefined at the zero vector (NaN there); singular-value
    norms are differentiable where the singular values are distinct.
    """
    from .math import abs as absolute
    from .math import cast, power, sqrt, square

    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind != "f":
        x = cast(x, "float32")
    ndim = data.ndim
    if axis is None:
        if ord is None:
            return sqrt(sum(square(x), axis=None, keepdims=keepdims))
        if ndim not in (1, 2):
            raise ValueError(f"norm: with ord={ord!r} and axis=None the input must be 1-D or 2-D, received shape "
                             f"{data.shape}")
        axis = tuple(range(ndim))
    axes = _axis("norm", data, axis)
    axes = (axes,) if isinstance(axes, int) else axes
    if len(axes) == 1:
        a = axes[0]
        if ord is None or ord == 2:
            return sqrt(sum(square(x), axis=a, keepdims=keepdims))
        if ord == np.inf:
            return max(absolute(x), axis=a, keepdims=keepdims)
        if ord == -np.inf:
            return min(absolute(x), axis=a, keepdims=keepdims)
        if ord == 0:
            return Tensor._wrap((np.asarray(data) != 0).sum(axis=a, keepdims=keepdims).astype(data.dtype
                                                                                            if data.dtype.kind == "f"
                                                                                            else "float32"))
        if ord == 1:
            return sum(absolute(x), axis=a, keepdims=keepdims)
        if isinstance(ord, str):
            raise ValueError(f"norm: ord={ord!r} is a matrix norm; give two axes")
        return power(sum(power(absolute(x), float(ord)), axis=a, keepdims=keepdims), 1.0 / float(ord))
    if len(axes) != 2:
        raise ValueError(f"norm: axis must be one or two axes, received axis={axis!r}")
    rows, cols = (a % ndim for a in axes)
    if ord is None or ord == "fro":
        out = sqrt(sum(square(x), axis=(rows, cols), keepdims=True))
    elif ord in (1, -1, np.inf, -np.inf):
        over, then = (rows, cols) if ord in (1, -1) else (cols, rows)
        pick = max if ord in (1, np.inf) else min
        out = pick(sum(absolute(x), axis=over, keepdims=True), axis=then, keepdims=True)
    elif ord in ("nuc", 2, -2):
        from .decompositions import singular_values
        from .manipulation import expand_dims, moveaxis

        values = singular_values(moveaxis(x, (rows, cols), (-2, -1)))
        if ord == "nuc":
            reduced = sum(values, axis=-1)
        else:
            reduced = max(values, axis=-1) if ord == 2 else min(values, axis=-1)
        out = expand_dims(expand_dims(reduced, builtins.min(rows, cols)), builtins.max(rows, cols))
    else:
        raise ValueError(f"norm: unknown matrix norm ord={ord!r}; expected None, 'fro', 'nuc', 1, -1, 2, -2, inf "
                         "or -inf")
    if keepdims:
        return out
    from .manipulation import squeeze

    return squeeze(out, axis=(rows, cols))


def any(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    """True where any element along ``axis`` is nonzero (no gradient)."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor._wrap(np.any(data, axis=_axis("any", data, axis), keepdims=keepdims))


def all(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras name
    """True where every element along ``axis`` is nonzero (no gradient)."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor._wrap(np.all(data, axis=_axis("all", data, axis), keepdims=keepdims))


def count_nonzero(x, axis=None) -> Tensor:
    """Number of nonzero elements along ``axis`` (no gradient)."""
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor._wrap(np.asarray(np.count_nonzero(data, axis=_axis("count_nonzero", data, axis))))
