"""Shape ops: they move numbers around without changing them, and backward moves the gradient back.

reshape, transpose, swapaxes, moveaxis, expand_dims, squeeze, ravel, broadcast_to, tile, repeat,
concatenate, stack, split, take, take_along_axis, pad, flip, indexing (``x[index]``) and one_hot, with
the sequence models' names for two of them: embedding_lookup (take along axis 0) and
reverse_sequence (flip along the time axis).
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import config
from ..autograd import Function, Tensor

__all__ = [
    "reshape", "transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze", "ravel", "broadcast_to", "tile",
    "repeat", "concatenate", "stack", "split", "take", "take_along_axis", "pad", "flip", "getitem", "one_hot",
    "sort", "argsort", "top_k", "embedding_lookup", "reverse_sequence",
]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _ndim(x) -> int:
    return x.data.ndim if isinstance(x, Tensor) else np.ndim(x)


def _norm_axis(name: str, axis, ndim: int) -> int:
    """``axis`` as a non-negative integer for a rank-``ndim`` array, or a ValueError naming ``name``."""
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis must be an integer in [-{ndim}, {ndim}) for an input of rank {ndim}, "
                         f"received axis={axis!r}")
    return int(axis) % ndim


class Reshape(Function):
    # y = x viewed with a new shape     dx = gy viewed with x's shape
    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, gy):
        return gy.reshape(self.shape)


class Transpose(Function):
    # y = x with axes permuted          dx = gy with the inverse permutation
    def forward(self, x, axes):
        self.axes = axes
        return np.transpose(x, axes)

    def backward(self, gy):
        if self.axes is None:
            return np.transpose(gy)
        return np.transpose(gy, np.argsort(self.axes))


class BroadcastTo(Function):
    # y = x copied along broadcast axes  dx = Σ gy over those axes (done by the engine's unbroadcast)
    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, gy):
        return gy


class Tile(Function):
    # y = x repeated reps[i] times along axis i   dx = Σ of gy over the tiles
    def forward(self, x, reps):
        y = np.tile(x, reps)
        self.shape = x.shape
        return y

    def backward(self, gy):
        shape = (1,) * (gy.ndim - len(self.shape)) + self.shape
        reps = [n // s for n, s in zip(gy.shape, shape)]
        split = [d for r, s in zip(reps, shape) for d in (r, s)]
        g = gy.reshape(split).sum(axis=tuple(range(0, 2 * gy.ndim, 2)))
        return g.reshape(self.shape)


class Repeat(Function):
    # y = each element repeated along axis   dx = Σ of gy over the copies of each element
    def forward(self, x, repeats, axis):
        self.shape, self.repeats, self.axis = x.shape, repeats, axis
        return np.repeat(x, repeats, axis=axis)

    def backward(self, gy):
        shape, repeats, axis = self.shape, self.repeats, self.axis
        if axis is None:
            n = int(np.prod(shape, dtype=np.int64))
            gy, axis = gy.reshape(-1), 0
        else:
            n = shape[axis]
        if np.ndim(repeats) == 0 or np.size(repeats) == 1:
            r = int(np.reshape(repeats, -1)[0])
            g = gy.reshape(gy.shape[:axis] + (n, r) + gy.shape[axis + 1:]).sum(axis=axis + 1)
        else:
            owner = np.repeat(np.arange(n), repeats)
            moved = np.moveaxis(gy, axis, 0)
            g = np.zeros((n,) + moved.shape[1:], gy.dtype)
            np.add.at(g, owner, moved)
            g = np.moveaxis(g, 0, axis)
        return g.reshape(shape)


class Concatenate(Function):
    # y = [x₁, x₂, ...] joined along axis   dxᵢ = the slice of gy that came from xᵢ
    def forward(self, *xs, axis):
        self.axis = axis
        self.bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    def backward(self, gy):
        parts = np.split(gy, self.bounds, axis=self.axis)
        return tuple(g if need else None for g, need in zip(parts, self.needs_input_grad))


class Stack(Function):
    # y = [x₁, x₂, ...] stacked on a new axis   dxᵢ = gy at position i of that axis
    def forward(self, *xs, axis):
        self.axis = axis
        return np.stack(xs, axis=axis)

    def backward(self, gy):
        moved = np.moveaxis(gy, self.axis, 0)
        return tuple(moved[i] if need else None for i, need in enumerate(self.needs_input_grad))


class Split(Function):
    # y₁, y₂, ... = pieces of x along axis   dx = the pieces' gradients joined back
    def forward(self, x, indices_or_sections, axis):
        self.axis = axis
        return tuple(np.split(x, indices_or_sections, axis=axis))

    def backward(self, gys):
        return np.concatenate(gys, axis=self.axis)


class Take(Function):
    # y = x[..., indices, ...] along axis    dx = zeros with gy added at indices (repeats accumulate)
    def forward(self, x, indices, axis):
        self.shape, self.dtype, self.indices, self.axis = x.shape, x.dtype, indices, axis
        return np.take(x, indices, axis=axis)

    def backward(self, gy):
        axis, indices = self.axis, self.indices
        gx = np.zeros(self.shape, self.dtype)
        if axis is None:
            np.add.at(gx.reshape(-1), indices, gy)
            return gx
        k = np.ndim(indices)
        moved_gy = np.moveaxis(gy, list(range(axis, axis + k)), list(range(k)))
        np.add.at(np.moveaxis(gx, axis, 0), indices, moved_gy)
        return gx


class TakeAlongAxis(Function):
    # y = x[..., indices[...], ...] elementwise along axis   dx = gy scattered back (repeats accumulate)
    # Done as one fancy index: ``indices`` on ``axis``, a broadcast ``arange`` on every other axis.
    def forward(self, x, indices, axis):
        self.shape, self.dtype, self.axis = x.shape, x.dtype, axis
        if axis is None:
            self.index = indices
            return x.reshape(-1)[indices]
        ndim = x.ndim
        self.index = index = tuple(
            indices if d == axis else np.arange(n).reshape((1,) * d + (n,) + (1,) * (ndim - d - 1))
            for d, n in enumerate(x.shape)
        )
        return x[index]

    def backward(self, gy):
        gx = np.zeros(self.shape, self.dtype)
        np.add.at(gx.reshape(-1) if self.axis is None else gx, self.index, gy)
        return gx


class PadConstant(Function):
    # y = x surrounded by a constant     dx = the middle of gy
    def forward(self, x, pad_width, constant_values):
        self.window = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, x.shape))
        return np.pad(x, pad_width, mode="constant", constant_values=constant_values)

    def backward(self, gy):
        return gy[self.window]


class PadGather(Function):
    # y = x padded by copying its own entries (reflect, symmetric, edge, wrap)
    # dx = Σ of gy over every copy of each entry: the padding of an index map tells which entry each is
    def forward(self, x, pad_width, mode):
        self.source = np.pad(np.arange(x.size).reshape(x.shape), pad_width, mode=mode).reshape(-1)
        self.shape, self.dtype = x.shape, x.dtype
        return np.pad(x, pad_width, mode=mode)

    def backward(self, gy):
        g = np.bincount(self.source, weights=gy.reshape(-1), minlength=int(np.prod(self.shape, dtype=np.int64)))
        return g.astype(self.dtype, copy=False).reshape(self.shape)


class Flip(Function):
    # y = x reversed along axis          dx = gy reversed back
    def forward(self, x, axis):
        self.axis = axis
        return np.flip(x, axis=axis)

    def backward(self, gy):
        return np.flip(gy, axis=self.axis)


def _is_basic_index(index) -> bool:
    """True for indexes made only of ints, slices, None and Ellipsis (no element is picked twice)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items)


class GetItem(Function):
    # y = x[index]                       dx = zeros with gy added at index (repeats accumulate)
    # Basic indexes (slices, ints) and boolean masks select each element at most once, so the gradient
    # is a plain assignment; integer-array indexes may repeat elements and use np.add.at.
    def forward(self, x, index):
        self.shape, self.dtype, self.index = x.shape, x.dtype, index
        self.unique = _is_basic_index(index) or (isinstance(index, np.ndarray) and index.dtype == bool)
        return x[index]

    def backward(self, gy):
        gx = np.zeros(self.shape, self.dtype)
        if self.unique:
            gx[self.index] = gy
        else:
            np.add.at(gx, self.index, gy)
        return gx


# ----------------------------------------------------------------------------- public functions
def reshape(x, newshape) -> Tensor:
    """``x`` with a new shape (one dimension may be -1, inferred from the size).

    Args:
        x: input Tensor or array.
        newshape: an int or a tuple of ints with the same total size as ``x``.
    """
    shape = (int(newshape),) if isinstance(newshape, (int, np.integer)) else tuple(int(n) for n in newshape)
    size = np.size(_data(x))
    known = int(np.prod([n for n in shape if n != -1], dtype=np.int64))
    if shape.count(-1) > 1 or (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
        raise ValueError(f"reshape: cannot reshape an input of shape {np.shape(_data(x))} (size {size}) "
                         f"into shape {shape}")
    return Reshape.apply(x, shape=shape)


def transpose(x, axes=None) -> Tensor:
    """Permute the axes of ``x``; reverses them when ``axes`` is None (the default)."""
    if axes is not None:
        ndim = _ndim(x)
        axes = tuple(int(a) for a in axes)
        if sorted(a % ndim if -ndim <= a < ndim else -1 for a in axes) != list(range(ndim)):
            raise ValueError(f"transpose: axes must be a permutation of range({ndim}), received {axes}")
    return Transpose.apply(x, axes=axes)


def swapaxes(x, axis1: int, axis2: int) -> Tensor:
    """``x`` with axes ``axis1`` and ``axis2`` exchanged."""
    ndim = _ndim(x)
    axes = list(range(ndim))
    a, b = _norm_axis("swapaxes", axis1, ndim), _norm_axis("swapaxes", axis2, ndim)
    axes[a], axes[b] = b, a
    return Transpose.apply(x, axes=tuple(axes))


def moveaxis(x, source, destination) -> Tensor:
    """``x`` with axes moved from ``source`` to ``destination`` (ints or sequences), others in order."""
    ndim = _ndim(x)
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source and destination must have the same length, received {source!r} "
                         f"and {destination!r}")
    src = [_norm_axis("moveaxis", a, ndim) for a in src]
    dst = [_norm_axis("moveaxis", a, ndim) for a in dst]
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Transpose.apply(x, axes=tuple(order))


def expand_dims(x, axis) -> Tensor:
    """``x`` with a new axis of length 1 inserted at ``axis`` (an int or a tuple of ints)."""
    shape = np.shape(_data(x))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out_ndim = len(shape) + len(axes)
    axes = sorted(_norm_axis("expand_dims", a, out_ndim) for a in axes)
    new = list(shape)
    for a in axes:
        new.insert(a, 1)
    return Reshape.apply(x, shape=tuple(new))


def squeeze(x, axis=None) -> Tensor:
    """``x`` without axes of length 1: all of them when ``axis`` is None (the default), else those in
    ``axis`` (each must have length 1)."""
    shape = np.shape(_data(x))
    if axis is None:
        new = tuple(n for n in shape if n != 1)
    else:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        axes = {_norm_axis("squeeze", a, len(shape)) for a in axes}
        bad = [a for a in axes if shape[a] != 1]
        if bad:
            raise ValueError(f"squeeze: can only remove axes of length 1, but axis {bad[0]} of input shape {shape} "
                             f"has length {shape[bad[0]]}")
        new = tuple(n for i, n in enumerate(shape) if i not in axes)
    return Reshape.apply(x, shape=new)


def ravel(x) -> Tensor:
    """``x`` flattened to 1-D (row-major order)."""
    return Reshape.apply(x, shape=(-1,))


def broadcast_to(x, shape) -> Tensor:
    """``x`` broadcast to ``shape`` (NumPy rules); the gradient sums over the broadcast axes."""
    shape = tuple(int(n) for n in shape)
    try:
        ok = np.broadcast_shapes(np.shape(_data(x)), shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"broadcast_to: cannot broadcast an input of shape {np.shape(_data(x))} to {shape}")
    return BroadcastTo.apply(x, shape=shape)


def tile(x, repeats) -> Tensor:
    """``x`` repeated ``repeats[i]`` times along each axis i (NumPy ``tile`` rules)."""
    reps = (int(repeats),) if isinstance(repeats, (int, np.integer)) else tuple(int(r) for r in repeats)
    if builtins.min(reps, default=0) < 0:
        raise ValueError(f"tile: repeats must be non-negative, received {repeats!r}")
    return Tile.apply(x, reps=reps)


def repeat(x, repeats, axis=None) -> Tensor:
    """Each element of ``x`` repeated ``repeats`` times along ``axis`` (of the flattened input when None).

    Args:
        x: input Tensor or array.
        repeats: an int, or one int per element along ``axis``.
        axis: the axis to repeat along. Defaults to None.
    """
    repeats = _data(repeats)
    if np.any(repeats < 0):
        raise ValueError(f"repeat: repeats must be non-negative, received {repeats!r}")
    if axis is not None:
        axis = _norm_axis("repeat", axis, _ndim(x))
    return Repeat.apply(x, repeats=repeats, axis=axis)


def concatenate(xs, axis: int = 0) -> Tensor:
    """Join a sequence of tensors along an existing ``axis`` (all other axes must match).

    Args:
        xs: list or tuple of Tensors/arrays.
        axis: the joining axis. Defaults to 0.
    """
    if isinstance(xs, (Tensor, np.ndarray)) or len(xs) == 0:
        raise ValueError("concatenate: expected a non-empty list of tensors, received "
                         f"{type(xs).__name__ if len(xs) else 'an empty list'}")
    shapes = [np.shape(_data(x)) for x in xs]
    ndim = len(shapes[0])
    axis = _norm_axis("concatenate", axis, builtins.max(ndim, 1))
    for i, s in enumerate(shapes):
        if len(s) != ndim or s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]:
            raise ValueError(f"concatenate: all inputs must have the same shape except along axis {axis}; input 0 "
                             f"has shape {shapes[0]}, input {i} has shape {s}")
    return Concatenate.apply(*xs, axis=axis)


def stack(x, axis: int = 0) -> Tensor:
    """Join a sequence of same-shaped tensors along a new ``axis``. Defaults to axis 0."""
    if isinstance(x, (Tensor, np.ndarray)) or len(x) == 0:
        raise ValueError("stack: expected a non-empty list of tensors")
    shapes = [np.shape(_data(t)) for t in x]
    for i, s in enumerate(shapes):
        if s != shapes[0]:
            raise ValueError(f"stack: all inputs must have the same shape; input 0 has shape {shapes[0]}, "
                             f"input {i} has shape {s}")
    axis = _norm_axis("stack", axis, len(shapes[0]) + 1)
    return Stack.apply(*x, axis=axis)


def split(x, indices_or_sections, axis: int = 0) -> list:
    """Split ``x`` along ``axis`` into a list of tensors.

    Args:
        x: input Tensor or array.
        indices_or_sections: an int N (N equal pieces; the length along ``axis`` must divide by N) or
            a sorted list of split positions.
        axis: the axis to split. Defaults to 0.
    """
    shape = np.shape(_data(x))
    axis = _norm_axis("split", axis, len(shape))
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections <= 0 or shape[axis] % indices_or_sections:
            raise ValueError(f"split: cannot split axis {axis} of length {shape[axis]} into {indices_or_sections} "
                             "equal sections")
    else:
        indices_or_sections = [int(i) for i in indices_or_sections]
    return list(Split.apply(x, indices_or_sections=indices_or_sections, axis=axis))


def _index_array(name: str, indices) -> np.ndarray:
    indices = _data(indices)
    if not np.issubdtype(indices.dtype, np.integer):
        if indices.size and not np.all(np.mod(indices, 1) == 0):
            raise TypeError(f"{name}: indices must be integers, received dtype {indices.dtype}")
        indices = indices.astype(np.int64)
    return indices


def take(x, indices, axis=None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis`` (of the flattened input when None).

    Output shape: ``x.shape[:axis] + indices.shape + x.shape[axis + 1:]``. Repeated indices receive
    the sum of their gradients. Out-of-range indices raise an IndexError.
    """
    indices = _index_array("take", indices)
    if axis is not None:
        axis = _norm_axis("take", axis, _ndim(x))
    return Take.apply(x, indices=indices, axis=axis)


def embedding_lookup(table, ids) -> Tensor:
    """Rows of ``table`` (input_dim, output_dim) at integer ``ids`` of any shape, the computation of an
    Embedding layer: ``take(table, ids, axis=0)``, of shape ``ids.shape + (output_dim,)``. Rows looked
    up several times receive the sum of their gradients."""
    return take(table, ids, axis=0)


def take_along_axis(x, indices, axis=None) -> Tensor:
    """``x`` picked elementwise by ``indices`` along ``axis`` (NumPy ``take_along_axis``; the input
    is flattened when ``axis`` is None)."""
    indices = _index_array("take_along_axis", indices)
    if axis is not None:
        axis = _norm_axis("take_along_axis", axis, _ndim(x))
        if indices.ndim != _ndim(x):
            raise ValueError(f"take_along_axis: indices must have the rank of x ({_ndim(x)}), received rank "
                             f"{indices.ndim}")
    return TakeAlongAxis.apply(x, indices=indices, axis=axis)


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode: str = "constant", constant_values=None) -> Tensor:
    """Pad ``x`` with ``pad_width[i] = (before, after)`` entries along each axis i.

    Args:
        x: input Tensor or array.
        pad_width: ``((before_0, after_0), ...)`` for every axis, one ``(before, after)`` pair for
            all axes, or one int.
        mode: ``"constant"`` (the default), ``"edge"``, ``"reflect"``, ``"symmetric"`` or ``"wrap"``.
        constant_values: the fill value in constant mode. Defaults to None (zero).
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, received {mode!r}")
    ndim = _ndim(x)
    width = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (ndim, 2))
    if np.any(width < 0):
        raise ValueError(f"pad: pad_width must be non-negative, received {pad_width!r}")
    width = tuple((int(a), int(b)) for a, b in width)
    if mode == "constant":
        return PadConstant.apply(x, pad_width=width, constant_values=0 if constant_values is None else constant_values)
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only used with mode='constant', received mode={mode!r}")
    return PadGather.apply(x, pad_width=width, mode=mode)


def flip(x, axis=None) -> Tensor:
    """``x`` reversed along ``axis`` (all axes when None)."""
    if axis is not None:
        ndim = _ndim(x)
        axis = (_norm_axis("flip", axis, ndim) if isinstance(axis, (int, np.integer))
                else tuple(_norm_axis("flip", a, ndim) for a in axis))
    return Flip.apply(x, axis=axis)


def reverse_sequence(x) -> Tensor:
    """``x`` (batch, time, ...) with the time axis reversed: ``flip(x, axis=1)``."""
    return flip(x, axis=1)


def getitem(x, index) -> Tensor:
    """``x[index]`` for any NumPy index (slices, integers, arrays, masks); used by ``Tensor.__getitem__``."""
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    elif isinstance(index, list):
        index = np.asarray(index)
    return GetItem.apply(x, index=index)


def one_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False) -> Tensor:
    """One-hot encoding of integer labels (no gradient).

    Args:
        x: integer labels of any shape.
        num_classes: length of the new axis.
        axis: where the new axis goes. Defaults to -1 (last).
        dtype: output dtype. Defaults to ``config.floatx()``.
        sparse: accepted for Keras compatibility; must be False.

    Labels outside ``[0, num_classes)`` give an all-zero row, as in Keras.
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported, received sparse=True")
    if not isinstance(num_classes, (int, np.integer)) or num_classes <= 0:
        raise ValueError(f"one_hot: num_classes must be a positive integer, received {num_classes!r}")
    labels = _index_array("one_hot", x)
    out = (labels[..., None] == np.arange(int(num_classes))).astype(dtype or config.floatx())
    if axis != -1:
        out = np.moveaxis(out, -1, _norm_axis("one_hot", axis, out.ndim))
    return Tensor._wrap(out)


def argsort(x, axis: int = -1) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (stable; the flattened input when None). No gradient."""
    return Tensor._wrap(np.argsort(_data(x), axis=axis, kind="stable"))


def sort(x, axis: int = -1) -> Tensor:
    """``x`` sorted ascending along ``axis`` (default -1); each value's gradient goes back to where it came from."""
    axis = _norm_axis("sort", axis, _ndim(x))
    return TakeAlongAxis.apply(x, indices=np.argsort(_data(x), axis=axis, kind="stable"), axis=axis)


def top_k(x, k: int, sorted: bool = True) -> tuple:  # noqa: A002 - Keras name
    """The ``k`` largest entries along the last axis and their indices (Keras ``ops.top_k``).

    Returns:
        ``(values, indices)``: values are differentiable (the gradient goes to the chosen entries),
        indices are an int64 constant. With ``sorted=True`` (the default) values are in descending order.
    """
    data = _data(x)
    n = data.shape[-1] if data.ndim else 0
    if not isinstance(k, (int, np.integer)) or not 0 < k <= n:
        raise ValueError(f"top_k: k must be an integer in [1, {n}] for a last axis of length {n}, received k={k!r}")
    indices = np.argpartition(data, n - k, axis=-1)[..., n - k:]
    if sorted:
        order = np.argsort(-np.take_along_axis(data, indices, axis=-1), axis=-1, kind="stable")
        indices = np.take_along_axis(indices, order, axis=-1)
    return TakeAlongAxis.apply(x, indices=indices, axis=data.ndim - 1), Tensor._wrap(indices)

