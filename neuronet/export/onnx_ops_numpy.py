"""ONNX translations of the less common NumPy-style ops recorded on symbolic tensors (the table of
``onnx_ops.py``): NaN-ignoring reductions, flips and rotations, diagonals, closeness tests, binning,
piecewise selections, distances, integrals and framing.

Each entry ``fn(g, call)`` returns its output name(s); the formula it writes is beside it.
"""

from __future__ import annotations

import math

import numpy as np

from .onnx_graph import INT_MAX, Value
from .onnx_ops import F32, op, tensor
from .onnx_ops_shape import broadcast_param, split_sizes, static_size, rank_of_value


def _f(g, value) -> str:
    return g.const(np.float32(value))


# ----------------------------------------------------------------------------- NaN-ignoring reductions
def _nan_filled(g, x: str, fill: float) -> tuple:
    """(x with NaN replaced by ``fill``, the boolean NaN mask)."""
    nan = g.op("IsNaN", [x])
    return g.op("Where", [nan, _f(g, fill), x]), nan


def _nanmean(g, x: str, axes: list, keepdims: bool) -> str:
    filled, nan = _nan_filled(g, x, 0.0)
    count = g.reduce("ReduceSum", g.cast(g.op("Not", [nan]), F32), axes, keepdims)
    return g.op("Div", [g.reduce("ReduceSum", filled, axes, keepdims), count])  # 0 / 0 = NaN for all-NaN slices


@op("nansum", "nanprod", "nanmean", "nanmax", "nanmin", "nanvar", "nanstd")
def _nan_reduce(g, c):
    x = c.value("x")
    axes, keepdims = c.axes(c["axis"], x.rank), bool(c["keepdims"])
    y = tensor(g, x, F32)
    if c.name == "nansum":
        return g.reduce("ReduceSum", _nan_filled(g, y, 0.0)[0], axes, keepdims)
    if c.name == "nanprod":
        return g.reduce("ReduceProd", _nan_filled(g, y, 1.0)[0], axes, keepdims)
    if c.name == "nanmean":
        return _nanmean(g, y, axes, keepdims)
    if c.name in ("nanmax", "nanmin"):  # NaN where the slice holds NaN only
        filled, nan = _nan_filled(g, y, -np.inf if c.name == "nanmax" else np.inf)
        extreme = g.reduce("ReduceMax" if c.name == "nanmax" else "ReduceMin", filled, axes, keepdims)
        all_nan = g.cast(g.reduce("ReduceMin", g.cast(nan, np.int32), axes, keepdims), np.bool_)
        return g.op("Where", [all_nan, _f(g, np.nan), extreme])
    centred = g.op("Sub", [y, _nanmean(g, y, axes, True)])  # nanvar: nanmean((x - nanmean(x))²)
    var = _nanmean(g, g.op("Mul", [centred, centred]), axes, keepdims)
    return g.op("Sqrt", [var]) if c.name == "nanstd" else var


@op("nanargmax", "nanargmin")
def _nanargmax(g, c):
    # the arg of the extreme with NaN taken as -inf (nanargmax) or +inf (nanargmin)
    x = c.value("x")
    y = _nan_filled(g, tensor(g, x, F32), -np.inf if c.name == "nanargmax" else np.inf)[0]
    op_type = "ArgMax" if c.name == "nanargmax" else "ArgMin"
    if c["axis"] is None:
        return g.squeeze(g.op(op_type, [g.reshape(y, [-1])], axis=0, keepdims=1), [0])
    return g.op(op_type, [y], axis=c.axis(c["axis"], x.rank), keepdims=int(bool(c["keepdims"])))


@op("unravel_index")
def _unravel_index(g, c):
    # coordinate i = (index // Π_{j>i} shape_j) mod shape_i
    shape = [int(v) for v in c["shape"]]
    index = tensor(g, c["indices"], np.int64)
    out = []
    for i, size in enumerate(shape):
        stride = int(np.prod(shape[i + 1:], dtype=np.int64))
        coordinate = g.op("Mod", [g.op("Div", [index, g.const(np.int64(stride))]), g.const(np.int64(size))], fmod=0)
        out.append(tensor(g, Value(coordinate, (), np.dtype(np.int64)), c.out_dtypes[i]))
    return out


@op("nancumsum")
def _nancumsum(g, c):
    x = c.value("x")
    y = _nan_filled(g, tensor(g, x, F32), 0.0)[0]
    if c["axis"] is None:
        y, axis = g.reshape(y, [-1]), 0
    else:
        axis = c.axis(c["axis"], x.rank)
    return g.op("CumSum", [y, g.const(np.int64(axis))])


# ----------------------------------------------------------------------------- flips, rotations, splits, stacks
def _flip(g, x: str, axes: list) -> str:
    return g.slice(x, [-1] * len(axes), [-INT_MAX] * len(axes), axes, [-1] * len(axes))


@op("fliplr", "flipud")
def _flip_lr_ud(g, c):
    return _flip(g, c.value("x").name, [1 if c.name == "fliplr" else 0])


@op("rot90")
def _rot90(g, c):
    # as NumPy: k = 1 flips axes[1] then swaps the axes; k = 2 flips both; k = 3 swaps then flips axes[1]
    x = c.value("array")
    a, b = (c.axis(v, x.rank) for v in c["axes"])
    k = int(c["k"]) % 4
    perm = list(range(x.rank))
    perm[a], perm[b] = perm[b], perm[a]
    if k == 0:
        return g.op("Identity", [x.name])
    if k == 2:
        return _flip(g, x.name, [a, b])
    if k == 1:
        return g.op("Transpose", [_flip(g, x.name, [b])], perm=perm)
    return _flip(g, g.op("Transpose", [x.name], perm=perm), [b])


@op("hsplit", "vsplit", "dsplit")
def _split_along(g, c):
    x = c.value("x")
    axis = {"vsplit": 0, "dsplit": 2}.get(c.name, 0 if x.rank == 1 else 1)
    sizes = split_sizes(c, x, axis, c["indices_or_sections"], equal=True)
    if len(sizes) == 1:
        return [g.op("Identity", [x.name])]
    return g.op("Split", [x.name, g.ints(sizes)], outputs=len(sizes), axis=axis)


@op("dstack")
def _dstack(g, c):
    parts = list(c["xs"])
    if any(rank_of_value(v) < 3 for v in parts):
        raise c.refuse("only tensors of rank 3 or more are translated (they join on axis 2)")
    return g.op("Concat", [c.tensor(v) for v in parts], axis=2)


# ----------------------------------------------------------------------------- diagonals
def _diagonal(g, c, x: Value, offset: int, axis1: int, axis2: int) -> str:
    rows, cols = static_size(c, x, axis1), static_size(c, x, axis2)
    rest = [i for i in range(x.rank) if i not in (axis1, axis2)]
    moved = g.op("Transpose", [x.name], perm=rest + [axis1, axis2])
    start_r, start_c = max(-offset, 0), max(offset, 0)
    i = np.arange(max(min(rows - start_r, cols - start_c), 0))
    flat = g.reshape(moved, [0] * len(rest) + [rows * cols])  # 0 keeps the leading sizes (the batch too)
    return g.op("Gather", [flat, g.ints((i + start_r) * cols + i + start_c)], axis=len(rest))


@op("diagonal", "trace")
def _diagonal_op(g, c):
    x = c.value("x")
    axis1, axis2 = c.axis(c["axis1"], x.rank), c.axis(c["axis2"], x.rank)
    y = _diagonal(g, c, x.with_(name=c.tensor(x)), int(c["offset"]), axis1, axis2)
    return y if c.name == "diagonal" else g.reduce("ReduceSum", y, [x.rank - 2], False)


# ----------------------------------------------------------------------------- tests and piecewise functions
@op("isclose")
def _isclose(g, c):
    # |a - b| ≤ atol + rtol·|b|, or a == b (equal infinities), or both NaN with equal_nan
    a, b = c.tensor(c["x1"], F32), c.tensor(c["x2"], F32)
    bound = g.op("Add", [_f(g, c["atol"]), g.op("Mul", [_f(g, c["rtol"]), g.op("Abs", [b])])])
    close = g.op("LessOrEqual", [g.op("Abs", [g.op("Sub", [a, b])]), bound])
    close = g.op("Or", [close, g.op("Equal", [a, b])])
    if c["equal_nan"]:
        close = g.op("Or", [close, g.op("And", [g.op("IsNaN", [a]), g.op("IsNaN", [b])])])
    return close


@op("isneginf", "isposinf", "isreal")
def _float_class(g, c):
    x = c["xs"][0]
    y = tensor(g, x, F32)
    if c.name == "isreal":  # every real number is
        return g.op("Expand", [g.const(np.bool_(True)), g.shape_of(y)])
    return g.op("IsInf", [y], detect_positive=int(c.name == "isposinf"), detect_negative=int(c.name == "isneginf"))


@op("heaviside")
def _heaviside(g, c):
    # 0 for x1 < 0, x2 at 0, 1 for x1 > 0 (NaN stays NaN)
    x1, x2 = c["xs"][:2]
    a, b = c.tensor(x1), c.tensor(x2)
    zero, one = c.tensor(0), c.tensor(1)
    y = g.op("Where", [g.op("Less", [a, zero]), zero, g.op("Where", [g.op("Greater", [a, zero]), one, b])])
    return g.op("Where", [g.op("IsNaN", [a]), a, y]) if c.dtype.kind == "f" else y


@op("arctan2")
def _arctan2(g, c):
    # atan(y / x), turned by ±π where x < 0 (the sign of y), ±π/2 or 0 where x = 0
    y, x = c.tensor(c["x1"]), c.tensor(c["x2"])
    zero = _f(g, 0.0)
    base = g.op("Atan", [g.op("Div", [y, x])])
    turn = g.op("Where", [g.op("Less", [y, zero]), _f(g, -math.pi), _f(g, math.pi)])
    angle = g.op("Where", [g.op("Less", [x, zero]), g.op("Add", [base, turn]), base])
    on_axis = g.op("Mul", [g.op("Sign", [y]), _f(g, math.pi / 2)])
    return g.op("Where", [g.op("Equal", [x, zero]), on_axis, angle])


@op("logaddexp2")
def _logaddexp2(g, c):  # log₂(2ᵃ + 2ᵇ) = max(a, b) + log₂(1 + 2^-|a - b|)
    a, b = c.tensor(c["x1"]), c.tensor(c["x2"])
    gap = g.op("Pow", [_f(g, 2.0), g.op("Neg", [g.op("Abs", [g.op("Sub", [a, b])])])])
    log2 = g.op("Div", [g.op("Log", [g.op("Add", [_f(g, 1.0), gap])]), _f(g, math.log(2.0))])
    return g.op("Add", [g.op("Max", [a, b]), log2])


@op("ldexp")
def _ldexp(g, c):  # x1 · 2^x2
    return g.op("Mul", [c.tensor(c["x1"]), g.op("Pow", [_f(g, 2.0), c.tensor(c["x2"])])])


@op("sinc")
def _sinc(g, c):  # sin(πx) / (πx), 1 at 0
    x = c.tensor(c.value("x"))
    zero = g.op("Equal", [x, _f(g, 0.0)])
    px = g.op("Mul", [g.op("Where", [zero, _f(g, 1.0), x]), _f(g, math.pi)])
    return g.op("Where", [zero, _f(g, 1.0), g.op("Div", [g.op("Sin", [px]), px])])


@op("select")
def _select(g, c):
    # the first choice whose condition holds: nested Where from the last pair to the first
    out = c.tensor(c["default"])
    for cond, choice in zip(reversed(list(c["condlist"])), reversed(list(c["choicelist"]))):
        out = g.op("Where", [c.tensor(cond, np.bool_), c.tensor(choice), out])
    return out


@op("cross")
def _cross(g, c):
    a, b = c.value("x1"), c.value("x2")
    axes = [c["axis"]] * 3 if c["axis"] is not None else [c["axisa"], c["axisb"], c["axisc"]]
    if any(v not in (-1, a.rank - 1) for v in axes) or a.shape[-1] != 3 or b.shape[-1] != 3:
        raise c.refuse("only 3-vectors along the last axis are translated")
    x, y = c.tensor(a), c.tensor(b)

    def rolled(v, order):
        return g.op("Gather", [v, g.ints(order)], axis=-1)

    # a × b = a[1,2,0]·b[2,0,1] - a[2,0,1]·b[1,2,0]
    return g.op("Sub", [g.op("Mul", [rolled(x, [1, 2, 0]), rolled(y, [2, 0, 1])]),
                        g.op("Mul", [rolled(x, [2, 0, 1]), rolled(y, [1, 2, 0])])])


@op("average")
def _average(g, c):
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    y = c.tensor(x)
    if c["weights"] is None:
        return g.reduce("ReduceMean", y, axes, False)
    w = c.tensor(c["weights"])
    if rank_of_value(c["weights"]) != x.rank:  # one weight per entry along the axis
        w = broadcast_param(g, c, c["weights"], x, axes)
    weighted = g.reduce("ReduceSum", g.op("Mul", [y, w]), axes, False)
    total = g.reduce("ReduceSum", g.op("Mul", [g.op("Expand", [_f(g, 1.0), g.shape_of(y)]), w]), axes, False)
    return g.op("Div", [weighted, total])


# ----------------------------------------------------------------------------- binning
def _count_below(g, c, edges, values, inclusive: bool) -> str:
    """For each of ``values``, how many of the 1-D ``edges`` are < it (≤ with ``inclusive``), as int32."""
    if rank_of_value(edges) != 1:
        raise c.refuse("the sorted sequence / bins must be 1-D")
    v = tensor(g, values, F32)
    e = tensor(g, edges, F32)
    below = g.op("LessOrEqual" if inclusive else "Less", [e, g.unsqueeze(v, [rank_of_value(values)])])
    return g.cast(g.reduce("ReduceSum", g.cast(below, np.int32), [rank_of_value(values)], False), np.int32)


@op("searchsorted")
def _searchsorted(g, c):
    return _count_below(g, c, c["sorted_sequence"], c["values"], c["side"] == "right")


@op("digitize")
def _digitize(g, c):
    bins = c["bins"]
    if not isinstance(bins, Value) and np.any(np.diff(np.asarray(bins)) < 0):
        raise c.refuse("only increasing bins are translated")
    return _count_below(g, c, bins, c["x"], True)  # the number of edges ≤ x


@op("isin")
def _isin(g, c):
    x1, x2 = c["x1"], c["x2"]
    common = np.result_type(*(np.zeros((), v.dtype) if isinstance(v, Value) else np.asarray(v) for v in (x1, x2)))
    a, b = tensor(g, x1, common), g.reshape(tensor(g, x2, common), [-1])
    found = g.op("Equal", [g.unsqueeze(a, [rank_of_value(x1)]), b])
    found = g.cast(g.reduce("ReduceMax", g.cast(found, np.int32), [rank_of_value(x1)], False), np.bool_)
    return g.op("Not", [found]) if c["invert"] else found


# ----------------------------------------------------------------------------- distances, integrals, frames
@op("cdist")
def _cdist(g, c):  # ‖x[..., i, :] - y[..., j, :]‖
    x, y = c.value("x"), c.value("y")
    diff = g.op("Sub", [g.unsqueeze(c.tensor(x), [x.rank - 1]), g.unsqueeze(c.tensor(y), [y.rank - 2])])
    return g.op("Sqrt", [g.reduce("ReduceSum", g.op("Mul", [diff, diff]), [-1], False)])


@op("trapezoid")
def _trapezoid(g, c):  # Σ (y[i] + y[i+1]) / 2 · Δx_i along the axis
    y = c.value("y")
    axis = c.axis(c["axis"], y.rank)
    v = c.tensor(y)
    mids = g.op("Mul", [g.op("Add", [g.slice(v, [0], [-1], [axis]), g.slice(v, [1], [INT_MAX], [axis])]),
                        _f(g, 0.5)])
    if c["x"] is None:
        return g.op("Mul", [g.reduce("ReduceSum", mids, [axis], False), _f(g, c["dx"])])
    if rank_of_value(c["x"]) != y.rank:
        raise c.refuse("sample points x must have the shape of y")
    xs = c.tensor(c["x"])
    steps = g.op("Sub", [g.slice(xs, [1], [INT_MAX], [axis]), g.slice(xs, [0], [-1], [axis])])
    return g.reduce("ReduceSum", g.op("Mul", [mids, steps]), [axis], False)


@op("extract_sequences")
def _extract_sequences(g, c):  # (..., L) → (..., frames, length), frame f starting at f · stride
    x = c.value("x")
    length, stride = int(c["sequence_length"]), int(c["sequence_stride"])
    count = (static_size(c, x, x.rank - 1) - length) // stride + 1
    index = np.arange(count)[:, None] * stride + np.arange(length)[None, :]
    return g.op("Gather", [c.tensor(x), g.const(index.astype(np.int64))], axis=x.rank - 1)


# ----------------------------------------------------------------------------- order statistics
_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


@op("quantile", "percentile", "median")
def _quantile(g, c):
    # the reduced axes moved last and flattened, sorted (TopK); each quantile q reads the sorted values at
    # the static position q·(n - 1): interpolated ('linear'), either neighbour, their midpoint or the nearest
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    method = c.args.get("method", "linear")
    if method not in _QUANTILE_METHODS:
        raise c.refuse(f"method={method!r} is not translated; expected one of {list(_QUANTILE_METHODS)}")
    q = np.asarray(0.5 if c.name == "median" else c["q"], dtype=np.float64)
    if c.name == "percentile":
        q = q / 100.0
    kept = [a for a in range(x.rank) if a not in axes]
    n = int(np.prod([static_size(c, x, a) for a in axes]))
    y = g.op("Transpose", [tensor(g, x, F32)], perm=kept + axes)
    y = g.reshape(y, [0] * len(kept) + [n])
    ordered = g.op("TopK", [y, g.ints([n])], outputs=2, axis=-1, largest=0, sorted=1)[0]

    def at(index):
        return g.op("Gather", [ordered, g.const(np.int64(index))], axis=len(kept))

    results = []
    for position in (q.reshape(-1) * (n - 1)):
        lo, hi = int(np.floor(position)), int(np.ceil(position))
        if method == "lower" or (method == "linear" and lo == hi):
            value = at(lo)
        elif method == "higher":
            value = at(hi)
        elif method == "nearest":
            value = at(int(np.around(position)))
        elif method == "midpoint":
            value = g.op("Mul", [g.op("Add", [at(lo), at(hi)]), g.const(np.float32(0.5))])
        else:  # lo + (hi - lo) · fraction
            low = at(lo)
            value = g.op("Add", [low, g.op("Mul", [g.op("Sub", [at(hi), low]),
                                                   g.const(np.float32(position - lo))])])
        if c.args.get("keepdims"):
            value = g.unsqueeze(value, axes)
        results.append(value)
    if q.ndim == 0:
        return results[0]
    stacked = g.op("Concat", [g.unsqueeze(v, [0]) for v in results], axis=0)  # q's shape in front
    if q.ndim == 1:
        return stacked
    return g.reshape(stacked, g.op("Concat", [g.ints(q.shape), g.shape_of(results[0])], axis=0))
