"""ONNX translations of the shape, indexing, product and normalization ops recorded on symbolic tensors
(the table of ``onnx_ops.py``; each entry ``fn(g, call)`` returns its output name or names).

Sizes an op reads from its input (``squeeze`` without axes, ``split`` at indices, ``repeat``) are the
static ones of the graph (those of the model, or of ``input_signature``); an op that needs a size
known only at run time is refused, naming it.
"""

from __future__ import annotations

import math
import string

import numpy as np

from .. import config
from .onnx_graph import INT_MAX, Graph, Value
from .onnx_ops import F32, op, tensor


def _ints(c, key: str) -> list:
    value = c[key]
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        raise c.refuse(f"argument {key!r} must hold integers, received {value!r}")
    return [int(v) for v in items]


def static_size(c, x: Value, axis: int) -> int:
    size = x.shape[axis]
    if size is None:
        raise c.refuse(f"axis {axis} of its input has a size known only at run time; export with an input_signature "
                       "that fixes it")
    return int(size)


# ----------------------------------------------------------------------------- indexing
def getitem_name(g: Graph, x: Value, index: list) -> str:
    """``x[index]`` for a basic index as plain data (ints, None, '...', {'slice': [start, stop, step]})."""
    consumed = sum(1 for item in index if item is not None and item != "...")
    starts, ends, axes, steps, gathers, new_axes = [], [], [], [], [], []
    in_axis = out_axis = 0
    for item in index:
        if item is None:
            new_axes.append(out_axis)
            out_axis += 1
        elif item == "...":
            skip = x.rank - consumed
            in_axis += skip
            out_axis += skip
        elif isinstance(item, dict):
            start, stop, step = item["slice"]
            step = 1 if step is None else step
            starts.append(start if start is not None else (0 if step > 0 else INT_MAX))
            ends.append(stop if stop is not None else (INT_MAX if step > 0 else -INT_MAX))
            axes.append(in_axis)
            steps.append(step)
            in_axis += 1
            out_axis += 1
        else:
            gathers.append((in_axis, int(item)))
            in_axis += 1
    # slices on the input axes, then integer indexes (highest axis first), then the new axes
    y = x.name
    if axes:
        y = g.slice(y, starts, ends, axes, steps)
    for axis, i in sorted(gathers, reverse=True):
        y = g.op("Gather", [y, g.const(np.int64(i))], axis=axis)
    if new_axes:
        y = g.unsqueeze(y, new_axes)
    return y if y != x.name else g.op("Identity", [y])


def getitem(g: Graph, layer, x: Value, index: list) -> Value:
    """The Value of ``layer`` (an OperatorLayer 'getitem' from Python indexing) applied to ``x``."""
    return Value(getitem_name(g, x, index), tuple(layer.compute_output_shape(tuple(x.shape))), x.dtype)


@op("getitem", "get_item")
def _getitem(g, c):
    from ..layers.operator import _encode_index

    index = c.args.get("index", c.args.get("key"))
    if isinstance(index, list) and any(k is None or k is Ellipsis or isinstance(k, slice) for k in index):
        index = tuple(index)
    try:
        encoded = _encode_index(index)
    except TypeError:
        raise c.refuse(f"only basic indexes (integers, slices, None, ...) are translated, received {index!r}") from None
    x = c.value("x")
    if sum(1 for i in encoded if i is not None and i != "...") > x.rank:
        raise c.refuse(f"index {index!r} has more items than its input has axes ({x.rank})")
    return getitem_name(g, x, encoded)


@op("slice")
def _slice(g, c):
    x = c.value("inputs")
    starts, sizes = _ints(c, "start_indices"), _ints(c, "shape")
    ends = [s + n if n >= 0 else INT_MAX for s, n in zip(starts, sizes)]
    return g.slice(x.name, starts, ends, list(range(len(starts))))


@op("take")
def _take(g, c):
    # x may be a constant table looked up with symbolic indices (ops.take(table, ids))
    x, indices, axis = c["x"], c["indices"], c["axis"]
    y = c.tensor(x)
    if axis is None:
        y, axis = g.reshape(y, [-1]), 0
    else:
        axis = c.axis(axis, rank_of_value(x))
    return g.op("Gather", [y, tensor(g, indices, np.int64)], axis=axis)


@op("take_along_axis")
def _take_along_axis(g, c):
    x, indices, axis = c.value("x"), c["indices"], c["axis"]
    y = x.name
    if axis is None:
        y, axis = g.reshape(y, [-1]), 0
    else:
        axis = c.axis(axis, x.rank)
    if rank_of_value(indices) != (1 if c["axis"] is None else x.rank):
        raise c.refuse("indices must have the rank of x")
    return g.op("GatherElements", [y, tensor(g, indices, np.int64)], axis=axis)


def rank_of_value(value) -> int:
    return value.rank if isinstance(value, Value) else np.ndim(value)


# ----------------------------------------------------------------------------- shapes
@op("reshape")
def _reshape(g, c):
    shape = _ints(c, "newshape")
    if any(d == 0 for d in shape):
        raise c.refuse(f"a size of 0 in newshape={tuple(shape)} is not translated")
    return g.reshape(c.value("x").name, shape)


@op("ravel")
def _ravel(g, c):
    return g.reshape(c.value("x").name, [-1])


@op("transpose")
def _transpose(g, c):
    x = c.value("x")
    perm = list(reversed(range(x.rank))) if c["axes"] is None else [c.axis(a, x.rank) for a in _ints(c, "axes")]
    return g.op("Transpose", [x.name], perm=perm)


@op("moveaxis")
def _moveaxis(g, c):
    x = c.value("x")
    sources = [c.axis(a, x.rank) for a in _ints(c, "source")]
    targets = [c.axis(a, x.rank) for a in _ints(c, "destination")]
    rest = [a for a in range(x.rank) if a not in sources]
    perm = [None] * x.rank
    for s, t in zip(sources, targets):
        perm[t] = s
    perm = [p if p is not None else rest.pop(0) for p in perm]
    return g.op("Transpose", [x.name], perm=perm)


@op("swapaxes")
def _swapaxes(g, c):
    x = c.value("x")
    a, b = c.axis(c["axis1"], x.rank), c.axis(c["axis2"], x.rank)
    perm = list(range(x.rank))
    perm[a], perm[b] = perm[b], perm[a]
    return g.op("Transpose", [x.name], perm=perm)


@op("expand_dims")
def _expand_dims(g, c):
    rank = len(c.shape)
    return g.unsqueeze(c.value("x").name, sorted(c.axis(a, rank) for a in _ints(c, "axis")))


@op("squeeze")
def _squeeze(g, c):
    x = c.value("x")
    if c["axis"] is None:
        if None in x.shape:  # every axis of size 1 at run time, as NumPy (a batch of 1 too)
            return g.op("Squeeze", [x.name])
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    else:
        axes = sorted(c.axis(a, x.rank) for a in _ints(c, "axis"))
    return g.squeeze(x.name, axes) if axes else g.op("Identity", [x.name])


@op("concatenate", "append", "hstack", "vstack")
def _concatenate(g, c):
    if c.name == "append":
        parts, axis = [c["x1"], c["x2"]], c["axis"]
        if axis is None:
            return g.op("Concat", [g.reshape(c.tensor(v), [-1]) for v in parts], axis=0)
    else:
        parts = list(c["xs"])
        axis = {"concatenate": c.args.get("axis"), "hstack": 1, "vstack": 0}[c.name]
        if c.name == "hstack" and all(rank_of_value(v) == 1 for v in parts):
            axis = 0
    rank = len(c.shape)
    return g.op("Concat", [c.tensor(v) for v in parts], axis=c.axis(axis, rank))


@op("stack")
def _stack(g, c):
    rank = len(c.shape)
    axis = c.axis(c["axis"], rank)
    return g.op("Concat", [g.unsqueeze(c.tensor(v), [axis]) for v in c["x"]], axis=axis)


@op("unstack")
def _unstack(g, c):
    x = c.value("x")
    axis = c.axis(c["axis"], x.rank)
    n = static_size(c, x, axis)
    parts = g.op("Split", [x.name, g.ints([1] * n)], outputs=n, axis=axis) if n > 1 else [x.name]
    return [g.squeeze(p, [axis]) for p in parts]


def split_sizes(c, x: Value, axis: int, spec, equal: bool) -> list:
    """The part sizes of ``x`` split along ``axis`` into ``spec`` sections (equal ones with ``equal``, else the
    first ones one longer, as ``array_split``) or at the indices ``spec``."""
    n = static_size(c, x, axis)
    if isinstance(spec, (int, np.integer)):
        sections = int(spec)
        if equal and n % sections:
            raise c.refuse(f"axis {axis} of size {n} does not split into {sections} equal parts")
        sizes = [n // sections + (1 if i < n % sections else 0) for i in range(sections)]
    else:
        bounds = [0] + [min(max(int(i), 0), n) for i in spec] + [n]
        sizes = [max(hi - lo, 0) for lo, hi in zip(bounds, bounds[1:])]
    if any(s == 0 for s in sizes):
        raise c.refuse(f"a split into empty parts (sizes {sizes}) is not translated")
    return sizes


@op("split", "array_split")
def _split(g, c):
    x = c.value("x")
    axis = c.axis(c["axis"], x.rank)
    sizes = split_sizes(c, x, axis, c["indices_or_sections"], equal=c.name == "split")
    if len(sizes) == 1:
        return [g.op("Identity", [x.name])]
    return g.op("Split", [x.name, g.ints(sizes)], outputs=len(sizes), axis=axis)


@op("tile")
def _tile(g, c):
    x = c.value("x")
    repeats = _ints(c, "repeats")
    y = x.name
    if len(repeats) > x.rank:  # NumPy: new leading axes of size 1
        y = g.unsqueeze(y, list(range(len(repeats) - x.rank)))
    repeats = [1] * (x.rank - len(repeats)) + repeats
    return g.op("Tile", [y, g.ints(repeats)])


@op("repeat")
def _repeat(g, c):
    x = c.value("x")
    y, axis = x.name, c["axis"]
    if axis is None:
        y, axis, size = g.reshape(y, [-1]), 0, None
        if all(d is not None for d in x.shape):
            size = int(np.prod(x.shape))
    else:
        axis = c.axis(axis, x.rank)
        size = x.shape[axis]
    repeats = np.asarray(c["repeats"])
    if repeats.dtype.kind not in "iu":
        raise c.refuse(f"repeats must be integers, received {c['repeats']!r}")
    if size is not None:  # gather each index its number of times
        return g.op("Gather", [y, g.ints(np.repeat(np.arange(size), repeats))], axis=axis)
    if repeats.ndim:
        raise c.refuse("one repeat count per element needs the size of the axis, known only at run time")
    # a new axis after `axis`, tiled, then merged into it
    rank = x.rank if c["axis"] is not None else 1
    counts = [1] * (axis + 1) + [int(repeats)] + [1] * (rank - axis - 1)
    tiled = g.op("Tile", [g.unsqueeze(y, [axis + 1]), g.ints(counts)])
    dims = [g.shape_of(y, 0, axis)] if axis else []
    dims.append(g.ints([-1]))
    if axis + 1 < rank:
        dims.append(g.shape_of(y, axis + 1))
    return g.reshape(tiled, g.op("Concat", dims, axis=0))


@op("flip")
def _flip(g, c):
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    return g.slice(x.name, [-1] * len(axes), [-INT_MAX] * len(axes), axes, [-1] * len(axes))


@op("roll")
def _roll(g, c):
    x = c.value("x")
    y, axis = x.name, c["axis"]
    if axis is None:
        flat = x.with_(name=g.reshape(y, [-1]), shape=(None,))
        rolled = _roll_axes(g, c, flat, _ints(c, "shift"), [0], [int(np.prod(x.shape))] if None not in x.shape
                            else [None])
        return g.reshape(rolled, g.shape_of(y))
    axes = [c.axis(a, x.rank) for a in _ints(c, "axis")]
    shifts = _ints(c, "shift")
    shifts = shifts * len(axes) if len(shifts) == 1 else shifts
    return _roll_axes(g, c, x, shifts, axes, [x.shape[a] for a in axes])


def _roll_axes(g, c, x: Value, shifts, axes, sizes) -> str:
    y = x.name
    for shift, axis, size in zip(shifts, axes, sizes):
        if size is None:
            raise c.refuse("rolling an axis whose size is known only at run time is not translated")
        cut = (-shift) % size
        if cut:
            head = g.slice(y, [cut], [INT_MAX], [axis])
            tail = g.slice(y, [0], [cut], [axis])
            y = g.op("Concat", [head, tail], axis=axis)
    return y


@op("broadcast_to")
def _broadcast_to(g, c):
    return g.op("Expand", [c.tensor(c.value("x")), g.ints(_ints(c, "shape"))])


@op("zeros_like", "ones_like", "full_like")
def _like(g, c):
    x = c.value("x")
    fill = {"zeros_like": 0, "ones_like": 1}.get(c.name)
    fill = c["fill_value"] if fill is None else fill
    return g.op("Expand", [c.tensor(fill), g.shape_of(x.name)])


@op("pad")
def _pad(g, c):
    x = c.value("x")
    mode = c["mode"]
    modes = {"constant": "constant", "reflect": "reflect", "edge": "edge"}
    if mode not in modes:
        raise c.refuse(f"mode={mode!r} is not translated; expected one of {sorted(modes)}")
    width = np.broadcast_to(np.asarray(c["pad_width"], dtype=np.int64), (x.rank, 2))
    inputs = [c.tensor(x), g.ints(list(width[:, 0]) + list(width[:, 1]))]
    if mode == "constant":
        inputs.append(c.tensor(0 if c["constant_values"] is None else c["constant_values"]))
    return g.op("Pad", inputs, mode=modes[mode])


@op("tril", "triu")
def _triangle(g, c):
    x = c.value("x")
    rows, cols = static_size(c, x, x.rank - 2), static_size(c, x, x.rank - 1)
    keep = np.tri(rows, cols, int(c["k"]), dtype=bool) if c.name == "tril" else \
        ~np.tri(rows, cols, int(c["k"]) - 1, dtype=bool)
    return g.op("Where", [g.const(keep), c.tensor(x), c.tensor(0)])


@op("diff")
def _diff(g, c):
    a = c.value("a")
    axis = c.axis(c["axis"], a.rank)
    y = c.tensor(a)
    for _ in range(int(c["n"])):
        y = g.op("Sub", [g.slice(y, [1], [INT_MAX], [axis]), g.slice(y, [0], [-1], [axis])])
    return y


# ----------------------------------------------------------------------------- products
@op("matmul")
def _matmul(g, c):
    return g.op("MatMul", [c.tensor(c["x1"]), c.tensor(c["x2"])])


def _einsum(g, c, equation: str, operands: list) -> str:
    if c.dtype.kind != "f":
        raise c.refuse(f"products of {c.dtype} tensors are not translated (float ones are)")
    return g.op("Einsum", [c.tensor(v) for v in operands], equation=equation)


@op("einsum")
def _einsum_op(g, c):
    equation = c["subscripts"].replace(" ", "")
    return _einsum(g, c, equation, list(c["operands"]))


@op("tensordot", "dot", "inner", "outer", "vdot")
def _tensordot(g, c):
    a, b = c["x1"], c["x2"]
    ra, rb = rank_of_value(a), rank_of_value(b)
    if c.name == "outer":
        return g.op("Mul", [g.reshape(c.tensor(a), [-1, 1]), g.reshape(c.tensor(b), [1, -1])])
    if c.name == "vdot":
        return g.op("ReduceSum", [g.op("Mul", [g.reshape(c.tensor(a), [-1]), g.reshape(c.tensor(b), [-1])]),
                                  g.ints([0])], keepdims=0)
    if ra == 0 or rb == 0:
        return g.op("Mul", [c.tensor(a), c.tensor(b)])
    if c.name == "dot" and ra <= 2 and rb <= 2:
        return g.op("MatMul", [c.tensor(a), c.tensor(b)])
    if c.name == "tensordot":
        axes = c["axes"]
        if isinstance(axes, (int, np.integer)):
            a_axes, b_axes = list(range(ra - int(axes), ra)), list(range(int(axes)))
        else:
            a_axes, b_axes = ([int(v)] if isinstance(v, (int, np.integer)) else [int(i) for i in v] for v in axes)
    else:  # dot: last of a with second-to-last of b; inner: last with last
        a_axes, b_axes = [ra - 1], [rb - 1 if c.name == "inner" or rb == 1 else rb - 2]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(ra)]
    sb = [next(letters) for _ in range(rb)]
    for i, j in zip(a_axes, b_axes):
        sb[j % rb] = sa[i % ra]
    contracted = {sa[i % ra] for i in a_axes}
    out = [s for s in sa if s not in contracted] + [s for s in sb if s not in contracted]
    return _einsum(g, c, f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", [a, b])


# ----------------------------------------------------------------------------- encodings, sorting
@op("one_hot")
def _one_hot(g, c):
    # labels outside [0, num_classes) give an all-zero row (ONNX's OneHot would wrap negative labels)
    x = c.value("x")
    n = int(c["num_classes"])
    hot = g.op("Equal", [g.unsqueeze(tensor(g, x, np.int64), [x.rank]), g.ints(range(n))])
    y = g.cast(hot, c.dtype)
    axis = c.axis(c["axis"], x.rank + 1)
    if axis != x.rank:
        perm = list(range(x.rank))
        perm.insert(axis, x.rank)
        y = g.op("Transpose", [y], perm=perm)
    return y


@op("multi_hot")
def _multi_hot(g, c):
    x = c.value("inputs")
    if c["num_classes"] is None or c["axis"] not in (-1, x.rank):
        raise c.refuse("num_classes must be given and axis must be -1")
    n = int(c["num_classes"])
    hot = g.op("Equal", [g.unsqueeze(tensor(g, x, np.int64), [x.rank]), g.ints(range(n))])
    found = g.reduce("ReduceMax", g.cast(hot, np.int32), [x.rank - 1], False)
    return g.cast(found, c.dtype)


@op("sort", "argsort")
def _sort(g, c):
    # TopK over the last axis (equal values keep their order there, as NumPy's stable sort)
    x = c.value("x")
    axis = c.axis(c["axis"], x.rank)
    perm = list(range(x.rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    y = g.transpose(tensor(g, x, x.dtype), perm)
    k = g.shape_of(y, x.rank - 1)
    values, indices = g.op("TopK", [y, k], outputs=2, axis=-1, largest=0, sorted=1)
    return g.transpose(values if c.name == "sort" else indices, perm)


@op("top_k")
def _top_k(g, c):
    # sorted=False leaves the order open in Keras; the graph returns the k largest sorted either way
    x = c.value("x")
    return g.op("TopK", [tensor(g, x, x.dtype), g.ints([int(c["k"])])], outputs=2, axis=-1, largest=1, sorted=1)


@op("in_top_k")
def _in_top_k(g, c):
    # the target's score is among the k largest: fewer than k scores are strictly larger
    scores = c.tensor(c.value("predictions"), F32)
    targets = g.unsqueeze(tensor(g, c["targets"], np.int64), [1])
    target_score = g.op("GatherElements", [scores, targets], axis=1)
    larger = g.reduce("ReduceSum", g.cast(g.op("Greater", [scores, target_score]), np.int64), [1], False)
    return g.op("Less", [larger, g.const(np.int64(int(c["k"])))])


# ----------------------------------------------------------------------------- normalization
def broadcast_param(g, c, param, x: Value, axes: list) -> str:
    """A gamma/beta shaped like the normalized axes, given size-1 axes elsewhere so it broadcasts."""
    name = tensor(g, param, F32)
    if axes == [x.rank - 1]:
        return name
    shape = [x.shape[a] if a in axes else 1 for a in range(x.rank)]
    if any(d is None for d in shape):
        raise c.refuse("gamma/beta over an axis of run-time size are not translated")
    return g.reshape(name, shape)


@op("layer_normalization")
def _layer_normalization(g, c):
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    y = tensor(g, x, F32)
    # (x - mean) / √(var + ε) · γ + β over the axes of each sample
    mean = g.reduce("ReduceMean", y, axes, True)
    centred = g.op("Sub", [y, mean])
    var = g.reduce("ReduceMean", g.op("Mul", [centred, centred]), axes, True)
    y = g.op("Div", [centred, g.op("Sqrt", [g.op("Add", [var, g.const(np.float32(c["epsilon"]))])])])
    if c["gamma"] is not None:
        y = g.op("Mul", [y, broadcast_param(g, c, c["gamma"], x, axes)])
    if c["beta"] is not None:
        y = g.op("Add", [y, broadcast_param(g, c, c["beta"], x, axes)])
    return y


@op("rms_normalization")
def _rms_normalization(g, c):
    # x / √(mean(x²) + ε) · scale
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    eps = config.epsilon() if c["epsilon"] is None else float(c["epsilon"])
    y = tensor(g, x, F32)
    mean_square = g.reduce("ReduceMean", g.op("Mul", [y, y]), axes, True)
    y = g.op("Div", [y, g.op("Sqrt", [g.op("Add", [mean_square, g.const(np.float32(eps))])])])
    if c["scale"] is not None:
        y = g.op("Mul", [y, tensor(g, c["scale"], F32)])
    return y


@op("normalize")
def _normalize(g, c):
    x = c.value("x")
    axis = c.axis(c["axis"], x.rank)
    order = int(c["order"])
    eps = config.epsilon() if c["epsilon"] is None else float(c["epsilon"])
    y = tensor(g, x, F32)
    if order == 2:  # x · min(1/√Σx², 1/ε)
        inverse = g.op("Reciprocal", [g.op("Sqrt", [g.reduce("ReduceSum", g.op("Mul", [y, y]), [axis], True)])])
        return g.op("Mul", [y, g.op("Min", [inverse, g.const(np.float32(1.0 / eps))])])
    # x / max((Σ|x|ᵖ)^(1/p), ε)
    total = g.reduce("ReduceSum", g.op("Pow", [g.op("Abs", [y]), g.const(np.float32(order))]), [axis], True)
    norm = g.op("Pow", [total, g.const(np.float32(1.0 / order))])
    return g.op("Div", [y, g.op("Max", [norm, g.const(np.float32(eps))])])


@op("dot_product_attention")
def _dot_product_attention(g, c):
    # softmax(q·kᵀ · scale + bias, masked) · v over (batch, time, heads, depth) tensors
    q, k, v = (c.value(n) for n in ("query", "key", "value"))
    if q.rank != 4 or c["flash_attention"]:
        raise c.refuse("only rank-4 (batch, time, heads, depth) inputs without flash_attention are translated")
    depth = static_size(c, q, 3)
    scale = 1.0 / math.sqrt(depth) if c["scale"] is None else float(c["scale"])
    qt, kt, vt = (g.op("Transpose", [tensor(g, t, F32)], perm=[0, 2, 1, 3]) for t in (q, k, v))
    logits = g.op("Mul", [g.op("MatMul", [qt, g.op("Transpose", [kt], perm=[0, 1, 3, 2])]),
                          g.const(np.float32(scale))])
    if c["bias"] is not None:
        logits = g.op("Add", [logits, tensor(g, c["bias"], F32)])
    keep = None if c["mask"] is None else tensor(g, c["mask"], np.bool_)
    if c["is_causal"]:
        tq, tk = static_size(c, q, 1), static_size(c, k, 1)
        causal = g.const(np.tril(np.ones((tq, tk), dtype=bool)))
        keep = causal if keep is None else g.op("And", [keep, causal])
    if keep is not None:
        logits = g.op("Where", [keep, logits, g.const(np.float32(np.finfo(np.float32).min))])
    weights = g.op("Softmax", [logits], axis=-1)
    return g.op("Transpose", [g.op("MatMul", [weights, vt])], perm=[0, 2, 1, 3])



