"""More of NumPy's array routines under Keras's names: stacking and splitting, rolling and rotating,
triangles and diagonals, differences, grids, constructors and window functions.

Everything that moves values is composed from the differentiable shape ops (``take``, ``concatenate``,
``where``, ``transpose``, indexing), so gradients flow back to where each value came from. Constructors
(``linspace``, ``identity``, ``tri``, the windows) return constants, except that ``linspace`` and its
kin stay differentiable in ``start``/``stop`` when those are Tensors.
"""

from __future__ import annotations

import builtins
import re

import numpy as np

from .. import config
from ..autograd import Tensor
from . import manipulation as s
from . import math as m
from . import reduce as r

__all__ = [
    "append", "array", "array_split", "hsplit", "vsplit", "dsplit", "hstack", "vstack", "dstack", "fliplr",
    "flipud", "roll", "rot90", "tril", "triu", "tri", "diag", "diagflat", "diagonal", "trace", "diff", "select",
    "meshgrid", "identity", "empty", "empty_like", "linspace", "logspace", "geomspace", "vander", "unravel_index",
    "view", "bartlett", "blackman", "hamming", "hanning", "kaiser", "rearrange",
]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _dtype(dtype):
    return np.dtype(config.floatx() if dtype is None else dtype)


# ----------------------------------------------------------------------------- joining and splitting
def append(x1, x2, axis=None) -> Tensor:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None)."""
    if axis is None:
        return s.concatenate([s.reshape(x1, (-1,)), s.reshape(x2, (-1,))], axis=0)
    return s.concatenate([x1, x2], axis=axis)


def array(x, dtype=None) -> Tensor:
    """``x`` as a new Tensor (a copy), of ``dtype`` when given."""
    return Tensor(np.array(_data(x), dtype=dtype))


def array_split(x, indices_or_sections, axis: int = 0) -> list:
    """Split ``x`` along ``axis`` into ``indices_or_sections`` parts of nearly equal size (the first ones one
    longer), or at the given indices, as ``numpy.array_split``."""
    n = _data(x).shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"array_split: the number of sections must be positive, received {sections}")
        sizes = [n // sections + (1 if i < n % sections else 0) for i in range(sections)]
        indices = list(np.cumsum(sizes)[:-1])
    else:
        indices = [int(i) for i in indices_or_sections]
    bounds = [0] + [builtins.min(builtins.max(i, 0), n) for i in indices] + [n]
    return [s.take(x, np.arange(lo, builtins.max(lo, hi)), axis=axis) for lo, hi in zip(bounds, bounds[1:])]


def _split_along(name: str, x, indices_or_sections, axis: int, min_ndim: int) -> list:
    if _data(x).ndim < min_ndim:
        raise ValueError(f"{name}: x needs at least {min_ndim} dimensions, received shape {_data(x).shape}")
    return s.split(x, indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections) -> list:
    """Split along axis 1 (axis 0 for 1-D ``x``) into equal parts or at indices."""
    return _split_along("hsplit", x, indices_or_sections, 1 if _data(x).ndim > 1 else 0, 1)


def vsplit(x, indices_or_sections) -> list:
    """Split along axis 0 (x of at least 2 dimensions)."""
    return _split_along("vsplit", x, indices_or_sections, 0, 2)


def dsplit(x, indices_or_sections) -> list:
    """Split along axis 2 (x of at least 3 dimensions)."""
    return _split_along("dsplit", x, indices_or_sections, 2, 3)


def _at_least(x, ndim: int):
    shape = _data(x).shape
    if len(shape) >= ndim:
        return x
    if ndim == 2:
        return s.reshape(x, (1,) + shape if len(shape) == 1 else (1, 1))
    # 3-D as numpy.atleast_3d: (n,) → (1, n, 1), (a, b) → (a, b, 1)
    return s.reshape(x, {0: (1, 1, 1), 1: (1,) + shape + (1,), 2: shape + (1,)}[len(shape)])


def hstack(xs) -> Tensor:
    """Join along axis 1 (axis 0 for 1-D arrays)."""
    return s.concatenate(list(xs), axis=1 if _data(xs[0]).ndim > 1 else 0)


def vstack(xs) -> Tensor:
    """Join along axis 0, 1-D arrays taken as rows."""
    return s.concatenate([_at_least(x, 2) for x in xs], axis=0)


def dstack(xs) -> Tensor:
    """Join along axis 2 (depth), arrays taken as at least 3-D."""
    return s.concatenate([_at_least(x, 3) for x in xs], axis=2)


# ----------------------------------------------------------------------------- moving values
def fliplr(x) -> Tensor:
    """Reverse axis 1 (x of at least 2 dimensions)."""
    if _data(x).ndim < 2:
        raise ValueError(f"fliplr: x needs at least 2 dimensions, received shape {_data(x).shape}")
    return s.flip(x, axis=1)


def flipud(x) -> Tensor:
    """Reverse axis 0."""
    return s.flip(x, axis=0)


def roll(x, shift, axis=None) -> Tensor:
    """Shift the entries of ``x`` by ``shift`` along ``axis`` (of the flattened array when None); entries
    leaving one end come back at the other."""
    if axis is None:
        return s.reshape(roll(s.reshape(x, (-1,)), shift, axis=0), _data(x).shape)
    shifts = [shift] if isinstance(shift, (int, np.integer)) else list(shift)
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    if len(shifts) != len(axes):
        shifts = shifts * len(axes) if len(shifts) == 1 else shifts
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must have the same length, received shift={shift!r}, axis={axis!r}")
    out = x
    for step, ax in zip(shifts, axes):
        n = _data(x).shape[ax]
        out = s.take(out, (np.arange(n) - int(step)) % n if n else np.arange(0), axis=ax)
    return out


def rot90(array, k: int = 1, axes=(0, 1)) -> Tensor:  # noqa: A002 - Keras name
    """Rotate by 90° ``k`` times in the plane of ``axes`` (from the first axis toward the second)."""
    a0, a1 = (int(a) % _data(array).ndim for a in axes)
    if a0 == a1:
        raise ValueError(f"rot90: axes must be two different axes, received {axes!r}")
    k %= 4
    out = array
    if k == 0:
        return s.reshape(out, _data(array).shape)
    perm = list(range(_data(array).ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 2:
        return s.flip(s.flip(out, axis=a0), axis=a1)
    if k == 1:
        return s.transpose(s.flip(out, axis=a1), perm)
    return s.flip(s.transpose(out, perm), axis=a1)


def _triangle(x, k: int, lower: bool) -> Tensor:
    shape = _data(x).shape
    if len(shape) < 2:
        raise ValueError(f"{'tril' if lower else 'triu'}: x needs at least 2 dimensions, received shape {shape}")
    mask = np.tri(shape[-2], shape[-1], k, dtype=bool)
    if not lower:
        mask = ~np.tri(shape[-2], shape[-1], k - 1, dtype=bool)
    return m.where(mask, x, np.zeros((), _data(x).dtype))


def tril(x, k: int = 0) -> Tensor:
    """``x`` with the entries above diagonal ``k`` (of the last two axes) set to 0."""
    return _triangle(x, int(k), lower=True)


def triu(x, k: int = 0) -> Tensor:
    """``x`` with the entries below diagonal ``k`` (of the last two axes) set to 0."""
    return _triangle(x, int(k), lower=False)


def tri(N: int, M=None, k: int = 0, dtype=None) -> Tensor:  # noqa: N803 - Keras names
    """An ``N×M`` matrix with ones at and below diagonal ``k``, zeros above."""
    return Tensor._wrap(np.tri(N, M, k, dtype=_dtype(dtype)))


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal ``offset`` of the 2-D slices in ``axis1``/``axis2``, moved to the last axis (NumPy)."""
    data = _data(x)
    moved = s.moveaxis(x, (axis1, axis2), (-2, -1))
    rows, cols = data.shape[axis1], data.shape[axis2]
    start_r, start_c = builtins.max(-offset, 0), builtins.max(offset, 0)
    length = builtins.max(builtins.min(rows - start_r, cols - start_c), 0)
    i = np.arange(length)
    return s.getitem(moved, (Ellipsis, i + start_r, i + start_c))


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The sum of the diagonal ``offset`` of the slices in ``axis1``/``axis2``."""
    return r.sum(diagonal(x, offset, axis1, axis2), axis=-1)


def diag(x, k: int = 0) -> Tensor:
    """A 1-D ``x`` as the diagonal ``k`` of a square matrix; a 2-D ``x``'s diagonal ``k`` as a vector."""
    data = _data(x)
    if data.ndim == 2:
        return diagonal(x, k)
    if data.ndim != 1:
        raise ValueError(f"diag: x must be 1-D or 2-D, received shape {data.shape}")
    n = data.shape[0]
    size = n + builtins.abs(int(k))
    rows, cols = np.indices((size, size))
    source = np.where(cols - rows == k, np.minimum(rows, cols), n)  # the entry of x, or n for a zero
    padded = s.concatenate([x, np.zeros(1, data.dtype)], axis=0)
    return s.take(padded, source, axis=0)


def diagflat(x, k: int = 0) -> Tensor:
    """The flattened ``x`` as the diagonal ``k`` of a square matrix."""
    return diag(s.reshape(x, (-1,)), k)


def diff(a, n: int = 1, axis: int = -1) -> Tensor:
    """The ``n``-th discrete difference along ``axis``: ``a[i+1] - a[i]``, ``n`` times."""
    out = a
    for _ in range(int(n)):
        length = _data(out).shape[axis]
        out = m.subtract(s.take(out, np.arange(1, length), axis=axis), s.take(out, np.arange(length - 1), axis=axis))
    return out


def select(condlist, choicelist, default=0) -> Tensor:
    """For each entry, the value of the first ``choicelist`` item whose condition holds, else ``default``."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length, received {len(condlist)} and "
                         f"{len(choicelist)}")
    if not condlist:
        raise ValueError("select: condlist must not be empty")
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist)):
        out = m.where(_data(cond).astype(bool), choice, out)
    return out if isinstance(out, Tensor) else Tensor(out)


def meshgrid(*x, indexing: str = "xy") -> list:
    """Coordinate grids from 1-D arrays: with 'xy' (default) the first two axes are swapped (Cartesian),
    with 'ij' matrix indexing. Differentiable in the inputs."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', received {indexing!r}")
    sizes = [_data(v).size for v in x]
    if indexing == "xy" and len(x) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(x):
        axis = i
        if indexing == "xy" and len(x) >= 2 and i < 2:
            axis = 1 - i
        shape = [1] * len(x)
        shape[axis] = -1
        grids.append(s.broadcast_to(s.reshape(v, tuple(shape)), tuple(sizes)))
    return grids


def unravel_index(indices, shape) -> tuple:
    """The coordinates in an array of ``shape`` of each flat index (a tuple of int Tensors)."""
    return tuple(Tensor._wrap(np.asarray(c)) for c in np.unravel_index(_data(indices), tuple(shape)))


def view(x, dtype=None) -> Tensor:
    """The bytes of ``x`` read as ``dtype`` (no copy of meaning, no gradient)."""
    data = _data(x)
    return Tensor._wrap(data.view() if dtype is None else data.view(np.dtype(dtype)))


# ----------------------------------------------------------------------------- constructors
def identity(n: int, dtype=None) -> Tensor:
    """The ``n×n`` identity matrix."""
    return Tensor._wrap(np.identity(n, dtype=_dtype(dtype)))


def empty(shape, dtype=None) -> Tensor:
    """A tensor of ``shape`` (filled with zeros here, though callers must not rely on the values)."""
    return Tensor._wrap(np.zeros(shape, _dtype(dtype)))


def empty_like(x, dtype=None) -> Tensor:
    """:func:`empty` with the shape (and, unless given, the dtype) of ``x``."""
    return Tensor._wrap(np.zeros_like(_data(x), dtype=dtype))


def _spaced(start, stop, num: int, endpoint: bool, axis: int, dtype):
    """``start + (stop - start) · t`` for ``num`` fractions t in [0, 1], differentiable in start and stop."""
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: num must be non-negative, received {num}")
    steps = num - 1 if endpoint else num
    t = np.arange(num, dtype=np.float64) / builtins.max(steps, 1)
    if endpoint and num == 1:
        t = np.zeros(1)
    start_d, stop_d = np.asarray(_data(start), np.float64), np.asarray(_data(stop), np.float64)
    base = np.broadcast_shapes(start_d.shape, stop_d.shape)
    t = t.reshape((num,) + (1,) * len(base)).astype(_dtype(dtype) if np.dtype(_dtype(dtype)).kind == "f"
                                                   else config.floatx())
    if isinstance(start, Tensor) or isinstance(stop, Tensor):
        out = m.add(start, m.multiply(m.subtract(stop, start), t))
    else:
        out = Tensor._wrap((start_d + (stop_d - start_d) * t).astype(t.dtype))
    if axis != 0 and base:
        out = s.moveaxis(out, 0, axis)
    return out


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype=None,
             axis: int = 0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (``stop`` excluded unless ``endpoint``);
    with ``retstep`` also the spacing."""
    out = _spaced(start, stop, num, endpoint, axis, dtype)
    if dtype is not None and np.dtype(dtype).kind != "f":
        out = m.cast(out, dtype)
    if retstep:
        step = (np.asarray(_data(stop)) - np.asarray(_data(start))) / builtins.max(num - 1 if endpoint else num, 1)
        return out, Tensor._wrap(np.asarray(step))
    return out


def logspace(start, stop, num: int = 50, endpoint: bool = True, base: float = 10, dtype=None, axis: int = 0):
    """``base ** linspace(start, stop, num)``: values evenly spaced on a log scale."""
    return m.power(float(base), _spaced(start, stop, num, endpoint, axis, dtype))


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0) -> Tensor:
    """``num`` values from ``start`` to ``stop`` in a geometric progression (same-signed, nonzero ends)."""
    a, b = np.asarray(_data(start), np.float64), np.asarray(_data(stop), np.float64)
    if np.any(a == 0) or np.any(b == 0) or np.any(np.sign(a) != np.sign(b)):
        raise ValueError(f"geomspace: start and stop must be nonzero and of the same sign, received {a} and {b}")
    sign = np.sign(a)
    exponents = _spaced(m.log(m.abs(start)), m.log(m.abs(stop)), num, endpoint, axis, dtype)
    out = m.multiply(m.exp(exponents), sign.astype(_data(exponents).dtype))
    return out


def vander(x, N=None, increasing: bool = False) -> Tensor:  # noqa: N803 - Keras name
    """The Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (reversed when
    ``increasing``), ``N = len(x)`` by default. Differentiable in ``x``."""
    data = _data(x)
    if data.ndim != 1:
        raise ValueError(f"vander: x must be 1-D, received shape {data.shape}")
    n = len(data) if N is None else int(N)
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    base = x if data.dtype.kind == "f" else data.astype(config.floatx())
    return m.power(s.reshape(base, (-1, 1)), powers.astype(_data(base).dtype))


def _window(fn, name: str, doc: str):
    def window(x) -> Tensor:
        return Tensor._wrap(fn(int(_data(x))).astype(config.floatx()))

    window.__name__ = window.__qualname__ = name
    window.__doc__ = doc
    return window


bartlett = _window(np.bartlett, "bartlett", "The Bartlett (triangular) window of ``x`` points.")
blackman = _window(np.blackman, "blackman", "The Blackman window of ``x`` points.")
hamming = _window(np.hamming, "hamming", "The Hamming window of ``x`` points.")
hanning = _window(np.hanning, "hanning", "The Hann window of ``x`` points.")


def kaiser(x, beta) -> Tensor:
    """The Kaiser window of ``x`` points with shape parameter ``beta``."""
    return Tensor._wrap(np.kaiser(int(_data(x)), float(_data(beta))).astype(config.floatx()))


# ----------------------------------------------------------------------------- einops
_GROUP = re.compile(r"\(([^()]*)\)|(\w+)")


def _parse_side(side: str) -> list:
    """'b (h w) c' → [['b'], ['h', 'w'], ['c']]."""
    groups = []
    for match in _GROUP.finditer(side):
        groups.append(match.group(1).split() if match.group(1) is not None else [match.group(2)])
    return groups


def rearrange(tensor, pattern: str, **axes_lengths) -> Tensor:
    """Reorder, merge and split axes with an einops pattern, e.g. ``'b h w c -> b (h w) c'`` or
    ``'b (h w) c -> b h w c'`` with ``h=4``; sizes of split axes come from ``axes_lengths``."""
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        raise ValueError(f"rearrange: pattern must be 'input axes -> output axes', received {pattern!r}")
    left, right = (_parse_side(side) for side in pattern.split("->"))
    shape = _data(tensor).shape
    if len(left) != len(shape):
        raise ValueError(f"rearrange: the pattern's input has {len(left)} axes, the tensor {len(shape)} ({shape})")
    sizes = dict(axes_lengths)
    for group, dim in zip(left, shape):
        unknown = [a for a in group if a not in sizes]
        known = int(np.prod([sizes[a] for a in group if a in sizes], dtype=np.int64))
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the sizes of {unknown} in {pattern!r}; give them as keywords")
        if unknown:
            sizes[unknown[0]] = dim // builtins.max(known, 1)
        if int(np.prod([sizes[a] for a in group], dtype=np.int64)) != dim:
            raise ValueError(f"rearrange: axes {group} do not multiply to {dim} in {pattern!r}")
    names = [a for group in left for a in group]
    out_names = [a for group in right for a in group]
    if sorted(names) != sorted(out_names):
        raise ValueError(f"rearrange: both sides must name the same axes, received {pattern!r}")
    split = s.reshape(tensor, tuple(sizes[a] for a in names))
    moved = s.transpose(split, [names.index(a) for a in out_names])
    return s.reshape(moved, tuple(int(np.prod([sizes[a] for a in group], dtype=np.int64)) for group in right))
