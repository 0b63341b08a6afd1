"""Keras's core ops: tensors and their facts (shape, dtype), slices and scatters, segment reductions.

``shape``, ``ndim``, ``size`` and ``dtype`` answer for Tensors, arrays and symbolic tensors alike (a
symbolic tensor's unknown sizes are None). The updates (``slice_update``, ``scatter``,
``scatter_update``) return new Tensors — nothing is changed in place — and are differentiable in the
values they write and in the entries of ``inputs`` they keep. Control flow (``cond``, ``scan``, ...) is
in ``control_flow.py``.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import config
from ..autograd import Function, Tensor
from .manipulation import getitem

__all__ = [
    "shape", "ndim", "size", "dtype", "is_tensor", "convert_to_tensor", "convert_to_numpy", "saturate_cast",
    "get_item", "slice", "slice_update", "scatter", "scatter_update", "unstack", "segment_sum", "segment_max",
    "segment_min", "segment_prod",
]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def float_tensor(x) -> Tensor:
    """``x`` as a Tensor of floats: a float Tensor as it is (its graph kept), an integer one cast to
    ``floatx`` (differentiably), data wrapped (integers and booleans as ``floatx``)."""
    if isinstance(x, Tensor):
        if x.data.dtype.kind == "f":
            return x
        from .math import cast

        return cast(x, config.floatx())
    data = np.asarray(x)
    return Tensor(data if data.dtype.kind == "f" else data.astype(config.floatx()))


# ----------------------------------------------------------------------------- facts
def shape(x) -> tuple:
    """The shape of ``x`` as a tuple of ints (None for the unknown sizes of a symbolic tensor)."""
    if isinstance(x, Tensor):
        return tuple(x.data.shape)
    if hasattr(x, "shape") and not isinstance(x, np.ndarray):  # a symbolic tensor, a DataFrame
        return tuple(x.shape)
    return tuple(np.shape(x))


def ndim(x) -> int:
    """The number of axes of ``x``."""
    return len(shape(x))


def size(x):
    """The number of entries of ``x`` (None when a symbolic tensor has an unknown size)."""
    dims = shape(x)
    if any(d is None for d in dims):
        return None
    return int(np.prod(dims, dtype=np.int64))


def dtype(x) -> str:
    """The dtype name of ``x``, e.g. 'float32' (Keras's ``ops.dtype``)."""
    if isinstance(x, Tensor):
        return x.data.dtype.name
    found = getattr(x, "dtype", None)
    if isinstance(found, str):
        return found
    return np.dtype(found).name if found is not None else np.asarray(x).dtype.name


def is_tensor(x) -> bool:
    """True for a neuronet Tensor (the backend's tensor type), False for arrays and numbers."""
    return isinstance(x, Tensor)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """``x`` as a Tensor: returned as is when it already is one with that dtype, cast (keeping its
    gradient) when it is a Tensor of another dtype, wrapped otherwise (floats become ``floatx``).
    A symbolic tensor (from ``Input``) is returned unchanged. ``sparse``/``ragged`` must be falsy."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: sparse and ragged tensors are not supported, received "
                         f"sparse={sparse!r}, ragged={ragged!r}")
    if isinstance(x, Tensor):
        return x if dtype is None else _cast(x, dtype)
    from .symbolic import SymbolicTensor

    if isinstance(x, SymbolicTensor):
        return x
    return Tensor(x, dtype=dtype)


def convert_to_numpy(x) -> np.ndarray:
    """``x`` as an ndarray (a Tensor's data, not a copy)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _cast(x, dtype):
    from .math import cast

    return cast(x, dtype)


def saturate_cast(x, dtype) -> Tensor:
    """``x`` cast to ``dtype`` after clipping to the range that dtype can hold (no wrap-around): 300.0 to
    uint8 gives 255. Gradient as ``cast`` inside the range, 0 where clipped."""
    target = np.dtype(dtype)
    info = np.iinfo(target) if np.issubdtype(target, np.integer) else np.finfo(target) \
        if np.issubdtype(target, np.floating) else None
    from .math import cast, clip

    if info is None:
        return cast(x, target)
    source = _data(x).dtype
    low, high = float(info.min), float(info.max)
    if np.issubdtype(source, np.floating) or np.issubdtype(source, np.integer):
        src = np.iinfo(source) if np.issubdtype(source, np.integer) else np.finfo(source)
        low, high = builtins.max(low, float(src.min)), builtins.min(high, float(src.max))
    if np.issubdtype(target, np.integer) and np.issubdtype(source, np.floating):
        # the largest float of the source dtype not above the integer bound (2**31 - 1 rounds up in float32)
        high = float(np.nextafter(source.type(high), source.type(-np.inf))) if source.type(high) > high else high
    return cast(clip(x, low, high), target)


# ----------------------------------------------------------------------------- slices
def get_item(x, key) -> Tensor:
    """``x[key]`` (Keras's name for indexing; see ``getitem``). A list of slices (as a model file stores
    a tuple) indexes like the tuple."""
    if isinstance(key, list) and any(k is None or k is Ellipsis or isinstance(k, builtins.slice) for k in key):
        key = tuple(key)
    return getitem(x, key)


def _start_indices(name: str, x, start_indices, sizes) -> list:
    starts = [int(s) for s in np.asarray(_data(start_indices)).reshape(-1)]
    dims = _data(x).shape
    if len(starts) != len(dims) or (sizes is not None and len(sizes) != len(dims)):
        raise ValueError(f"{name}: start_indices (and shape) need one entry per axis of inputs of shape {dims}, "
                         f"received start_indices={starts}" + ("" if sizes is None else f", shape={list(sizes)}"))
    return starts


def slice(inputs, start_indices, shape) -> Tensor:  # noqa: A001 - Keras name
    """The block of ``inputs`` of ``shape`` starting at ``start_indices`` (``lax.dynamic_slice``): starts
    are clamped so the block fits, as in JAX. Gradient: the block's entries."""
    sizes = [int(s) for s in np.asarray(_data(shape)).reshape(-1)]
    starts = _start_indices("slice", inputs, start_indices, sizes)
    dims = _data(inputs).shape
    index = []
    for axis, (start, length, dim) in enumerate(zip(starts, sizes, dims)):
        if not 0 <= length <= dim:
            raise ValueError(f"slice: shape[{axis}]={length} does not fit axis {axis} of size {dim}")
        start = builtins.min(builtins.max(start, 0), dim - length)
        index.append(builtins.slice(start, start + length))
    return getitem(inputs, tuple(index))


class SliceUpdate(Function):
    # y = x with y[block] = u        dx = gy with gy[block] = 0,  du = gy[block]
    def forward(self, x, u, index):
        self.index = index
        y = x.copy()
        y[index] = u
        return y

    def backward(self, gy):
        gx = None
        if self.needs_input_grad[0]:
            gx = gy.copy()
            gx[self.index] = 0
        gu = gy[self.index] if self.needs_input_grad[1] else None
        return gx, gu


def slice_update(inputs, start_indices, updates) -> Tensor:
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (a new Tensor)."""
    u_shape = _data(updates).shape
    starts = _start_indices("slice_update", inputs, start_indices, u_shape)
    dims = _data(inputs).shape
    for axis, (start, length, dim) in enumerate(zip(starts, u_shape, dims)):
        if start < 0 or start + length > dim:
            raise ValueError(f"slice_update: updates of shape {u_shape} at start_indices {starts} do not fit inputs "
                             f"of shape {dims} (axis {axis})")
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, u_shape))
    return SliceUpdate.apply(inputs, updates, index=index)


def _scatter_index(name: str, indices, rank: int) -> tuple:
    idx = np.asarray(_data(indices))
    if idx.ndim == 1:
        idx = idx[:, None]
    if idx.ndim != 2 or not np.issubdtype(idx.dtype, np.integer) or idx.shape[1] > rank:
        raise ValueError(f"{name}: indices must be integers of shape (num_updates, k) with k <= {rank}, received "
                         f"shape {idx.shape} and dtype {idx.dtype}")
    return tuple(idx.T)


class Scatter(Function):
    # y = zeros(shape); y[idx] += v  (duplicates summed)        dv = gy[idx]
    def forward(self, v, idx, shape):
        self.idx = idx
        y = np.zeros(shape, v.dtype)
        np.add.at(y, idx, v)
        return y

    def backward(self, gy):
        return gy[self.idx]


def scatter(indices, values, shape) -> Tensor:
    """A Tensor of ``shape``, zero except at ``indices`` (shape ``(num_updates, k)``), where ``values`` are
    added (``tf.scatter_nd``: duplicate indices sum). Gradient flows to ``values``."""
    shape = tuple(int(s) for s in shape)
    return Scatter.apply(values, idx=_scatter_index("scatter", indices, len(shape)), shape=shape)


class ScatterUpdate(Function):
    # reduction None: y = x, y[idx] = u     dx = gy with gy[idx] = 0,  du = gy[idx] (the last write of each index)
    # 'add':          y[idx] += u           dx = gy,                   du = gy[idx]
    def forward(self, x, u, idx, reduction):
        self.idx, self.reduction, self.x_shape = idx, reduction, x.shape
        y = x.copy()
        u = np.broadcast_to(u, x[idx].shape) if np.ndim(u) < x[idx].ndim else u
        if reduction is None:
            y[idx] = u
        else:
            {"add": np.add, "max": np.maximum, "min": np.minimum, "mul": np.multiply}[reduction].at(y, idx, u)
        self.x, self.u, self.y = x, u, y
        return y

    def backward(self, gy):
        idx, r = self.idx, self.reduction
        gx = gu = None
        if r is None:
            if self.needs_input_grad[0]:
                gx = gy.copy()
                gx[idx] = 0
            if self.needs_input_grad[1]:
                # only the last write to an index survives: earlier duplicates get no gradient
                written = np.full(self.x_shape, -1, np.int64)
                order = np.arange(len(idx[0]))
                written[idx] = order if gy[idx].ndim == 1 else order.reshape((-1,) + (1,) * (gy[idx].ndim - 1))
                gu = np.where(written[idx] == order.reshape((-1,) + (1,) * (gy[idx].ndim - 1)), gy[idx], 0)
        elif r == "add":
            gx = gy if self.needs_input_grad[0] else None
            gu = gy[idx] if self.needs_input_grad[1] else None
        elif r == "mul":
            # y = x · Π u over the updates of each index: dx = gy · y / x, du = gy[idx] · y[idx] / u
            with np.errstate(divide="ignore", invalid="ignore"):
                gx = np.where(self.x != 0, gy * self.y / self.x, 0) if self.needs_input_grad[0] else None
                gu = (gy * self.y)[idx] / self.u if self.needs_input_grad[1] else None
        else:  # max / min: the gradient goes to whichever value was kept (x, or an update)
            keep_x = self.x == self.y
            gx = np.where(keep_x, gy, 0) if self.needs_input_grad[0] else None
            gu = np.where(self.u == self.y[idx], gy[idx], 0) if self.needs_input_grad[1] else None
        return gx, gu


def scatter_update(inputs, indices, updates, reduction=None) -> Tensor:
    """``inputs`` with ``inputs[indices] = updates`` (a new Tensor; see Keras ``ops.scatter_update``).

    Args:
        inputs: the tensor to update, shape ``(D0, ..., Dn)``.
        indices: shape ``(num_updates, k)``: each row indexes the first ``k`` axes.
        updates: shape ``(num_updates,) + inputs.shape[k:]``.
        reduction: None (replace; the last write to an index wins), 'add', 'max', 'min' or 'mul'.
    """
    if reduction is not None:
        reduction = str(reduction).lower()
        if reduction not in ("add", "max", "min", "mul"):
            raise ValueError(f"scatter_update: reduction must be None, 'add', 'max', 'min' or 'mul', received "
                             f"{reduction!r}")
    idx = _scatter_index("scatter_update", indices, _data(inputs).ndim)
    return ScatterUpdate.apply(inputs, updates, idx=idx, reduction=reduction)


def unstack(x, num=None, axis: int = 0) -> list:
    """The slices of ``x`` along ``axis``, as a list of Tensors (each differentiable)."""
    data = _data(x)
    axis = int(axis) % data.ndim if data.ndim else 0
    n = data.shape[axis]
    if num is not None and int(num) != n:
        raise ValueError(f"unstack: num={num} does not match axis {axis} of size {n}")
    return [getitem(x, (builtins.slice(None),) * axis + (i,)) for i in range(n)]


# ----------------------------------------------------------------------------- segment reductions
def _segments(name: str, data, segment_ids, num_segments) -> tuple:
    ids = np.asarray(_data(segment_ids)).astype(np.int64).reshape(-1)
    n = _data(data).shape[0] if _data(data).ndim else 0
    if len(ids) != n:
        raise ValueError(f"{name}: segment_ids must have one entry per row of data ({n}), received {len(ids)}")
    count = int(num_segments) if num_segments is not None else (int(ids.max()) + 1 if len(ids) else 0)
    return ids, count


class SegmentSum(Function):
    # y[s] = Σ_{i: ids[i] = s} x[i]        dx[i] = gy[ids[i]]   (ids outside [0, count) are dropped)
    def forward(self, x, ids, count):
        self.ids, self.keep = ids, (ids >= 0) & (ids < count)
        y = np.zeros((count,) + x.shape[1:], x.dtype)
        np.add.at(y, ids[self.keep], x[self.keep])
        return y

    def backward(self, gy):
        gx = np.zeros((len(self.ids),) + gy.shape[1:], gy.dtype)
        gx[self.keep] = gy[self.ids[self.keep]]
        return gx


class SegmentExtreme(Function):
    # y[s] = max (or min) of x[i] over the segment (-inf, or +inf, for an empty one, as Keras)
    # dx[i] = gy[s] where x[i] attains it (ties share the gradient equally)
    def forward(self, x, ids, count, ufunc, initial):
        keep = (ids >= 0) & (ids < count)
        y = np.full((count,) + x.shape[1:], initial, x.dtype)
        ufunc.at(y, ids[keep], x[keep])
        self.ids, self.keep, self.x, self.y = ids, keep, x, y
        return y

    def backward(self, gy):
        ids, keep, x, y = self.ids, self.keep, self.x, self.y
        hit = np.zeros(x.shape, bool)
        hit[keep] = x[keep] == y[ids[keep]]
        counts = np.zeros(y.shape, gy.dtype)
        np.add.at(counts, ids[keep], hit[keep].astype(gy.dtype))
        gx = np.zeros(x.shape, gy.dtype)
        gx[keep] = np.where(hit[keep], gy[ids[keep]] / np.maximum(counts[ids[keep]], 1), 0)
        return gx


def segment_sum(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002 - Keras name
    """Sums of the rows of ``data`` per segment: ``y[s] = Σ data[i]`` over ``segment_ids[i] == s``.

    Args:
        data: shape ``(n, ...)``.
        segment_ids: n integer ids; rows with an id outside ``[0, num_segments)`` are dropped.
        num_segments: the number of segments. Defaults to ``max(segment_ids) + 1``.
        sorted: accepted for Keras compatibility (any order works).
    """
    ids, count = _segments("segment_sum", data, segment_ids, num_segments)
    return SegmentSum.apply(data, ids=ids, count=count)


def segment_max(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002 - Keras name
    """The largest row entry of ``data`` per segment (-inf for an empty segment); see :func:`segment_sum`."""
    ids, count = _segments("segment_max", data, segment_ids, num_segments)
    return SegmentExtreme.apply(data, ids=ids, count=count, ufunc=np.maximum, initial=-np.inf)


def segment_min(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002 - Keras name
    """The smallest row entry of ``data`` per segment (+inf for an empty segment); see :func:`segment_sum`."""
    ids, count = _segments("segment_min", data, segment_ids, num_segments)
    return SegmentExtreme.apply(data, ids=ids, count=count, ufunc=np.minimum, initial=np.inf)


class SegmentProd(Function):
    # y[s] = Π_{i: ids[i] = s} x[i]      dx[i] = gy[s] · Π_{j ≠ i in s} x[j]: y[s] / x[i] when x[i] ≠ 0; at a
    # zero, the product of the segment's other entries (0 when the segment has another zero)
    def forward(self, x, ids, count):
        keep = (ids >= 0) & (ids < count)
        y = np.ones((count,) + x.shape[1:], x.dtype)
        np.multiply.at(y, ids[keep], x[keep])
        nonzero = np.ones_like(y)
        np.multiply.at(nonzero, ids[keep], np.where(x[keep] == 0, 1, x[keep]))
        zeros = np.zeros(y.shape, np.int64)
        np.add.at(zeros, ids[keep], (x[keep] == 0).astype(np.int64))
        self.ids, self.keep, self.x, self.y, self.nonzero, self.zeros = ids, keep, x, y, nonzero, zeros
        return y

    def backward(self, gy):
        ids, keep, x = self.ids, self.keep, self.x
        seg = ids[keep]
        xs = x[keep]
        with np.errstate(divide="ignore", invalid="ignore"):
            others = np.where(xs != 0, self.y[seg] / np.where(xs == 0, 1, xs),
                              np.where(self.zeros[seg] == 1, self.nonzero[seg], 0))
        gx = np.zeros(x.shape, gy.dtype)
        gx[keep] = gy[seg] * others
        return gx


def segment_prod(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002 - Keras name
    """The product of the rows of ``data`` per segment (1 for an empty segment); see :func:`segment_sum`.
    Its gradient is exact where ``data`` has zeros."""
    ids, count = _segments("segment_prod", data, segment_ids, num_segments)
    return SegmentProd.apply(data, ids=ids, count=count)
