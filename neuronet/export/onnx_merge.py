"""ONNX converters of the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot). Arithmetic and ops recorded on symbolic tensors (OperatorLayer) are in ``onnx_ops.py``.

Masks follow the layers: the elementwise merges output the OR of their inputs' masks when every
input has one; Maximum/Minimum take, at a step masked in one input, the other input's value;
Concatenate concatenates the masks (an unmasked input counting as all True) and reduces the feature axis.
"""

from __future__ import annotations

import numpy as np

from .. import config
from .. import layers as L
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float
from .onnx_convert import converts, refuse


def _or_masks(g: Graph, values) -> str | None:
    masks = [v.mask for v in values]
    if any(m is None for m in masks):
        return None
    out = masks[0]
    for m in masks[1:]:
        out = g.op("Or", [out, m])
    return out


def _aligned(g: Graph, values) -> list:
    """Float input names, a lower-rank input given size-1 axes after the batch axis (Keras)."""
    rank = max(v.rank for v in values)
    out = []
    for v in values:
        name = as_float(g, v)
        if v.rank < rank:
            name = g.unsqueeze(name, list(range(1, 1 + rank - v.rank)))
        out.append(name)
    return out


def _shape(layer, values) -> tuple:
    return tuple(layer.compute_output_shape([tuple(v.shape) for v in values]))


@converts(L.Add, L.Subtract, L.Multiply, L.Average, masks=True)
def _elementwise(g, layer, xs):
    names = _aligned(g, xs)
    op = {L.Add: "Add", L.Average: "Add", L.Multiply: "Mul", L.Subtract: "Sub"}[type(layer)]
    y = names[0]
    for name in names[1:]:
        y = g.op(op, [y, name])
    if isinstance(layer, L.Average):
        y = g.op("Mul", [y, g.const(1.0 / len(names))])
    return Value(y, _shape(layer, xs), F32, _or_masks(g, xs))


@converts(L.Maximum, L.Minimum, masks=True)
def _extremum(g, layer, xs):
    op = "Max" if isinstance(layer, L.Maximum) else "Min"
    if all(v.mask is None for v in xs):
        names = _aligned(g, xs)
        return Value(g.op(op, names), _shape(layer, xs), F32)
    # a step masked in one input takes the other input's value (the layer's masked rule)
    output, output_mask = None, None
    for v in xs:
        x = as_float(g, v)
        m = None if v.mask is None else g.where_mask(v.mask, 2, v.rank)
        if output is None:
            output, output_mask = x, m
            continue
        if m is not None:
            x = g.op("Where", [m, x, output])
        if output_mask is not None:
            output = g.op("Where", [output_mask, output, x])
        output_mask = g.op("Or", [output_mask, m]) if m is not None and output_mask is not None else None
        output = g.op(op, [output, x])
    return Value(output, _shape(layer, xs), F32, _or_masks(g, xs))


@converts(L.Concatenate, masks=True)
def _concatenate(g, layer, xs):
    rank = xs[0].rank
    axis = layer.axis % rank
    names = [as_float(g, v) if any(u.dtype.kind == "f" for u in xs) else v.name for v in xs]
    y = g.op("Concat", names, axis=axis)
    mask = None
    if any(v.mask is not None for v in xs):
        full = []
        for v in xs:
            if v.mask is None:
                full.append(g.op("Expand", [g.const(np.array(True)), g.shape_of(v.name)]))
            else:
                full.append(g.op("Expand", [g.where_mask(v.mask, 2, v.rank), g.shape_of(v.name)]))
        joined = g.cast(g.op("Concat", full, axis=axis), np.float32)
        mask = g.cast(g.reduce("ReduceMax", joined, [-1], False), np.bool_)
    dtype = F32 if any(v.dtype.kind == "f" for v in xs) else xs[0].dtype
    return Value(y, _shape(layer, xs), dtype, mask)


def _l2_normalize(g: Graph, x: str, axis: int) -> str:
    # x / max(‖x‖, ε) = x · 1/√max(Σx², ε²)
    eps = float(config.epsilon())
    square_sum = g.reduce("ReduceSum", g.op("Mul", [x, x]), [axis], True)
    return g.op("Div", [x, g.op("Sqrt", [g.op("Max", [square_sum, g.const(eps * eps)])])])


@converts(L.Dot)
def _dot(g, layer, xs):
    # move the summed axes together, flatten the rest: (b, P, k) @ (b, k, Q), then restore the free axes
    x1, x2 = xs
    pair = layer.axes if isinstance(layer.axes, list) else [layer.axes, layer.axes]
    a1, a2 = pair[0] % x1.rank, pair[1] % x2.rank
    n1, n2 = as_float(g, x1), as_float(g, x2)
    if layer.normalize:
        n1, n2 = _l2_normalize(g, n1, a1), _l2_normalize(g, n2, a2)
    free1 = [i for i in range(x1.rank) if i != a1]
    free2 = [i for i in range(1, x2.rank) if i != a2]
    t1 = g.transpose(n1, free1 + [a1])
    t2 = g.transpose(n2, [0, a2] + free2)
    k = x1.shape[a1] if x1.shape[a1] is not None else x2.shape[a2]
    if k is None:
        raise refuse(layer, "the summed axis must have a known size")
    product = g.op("MatMul", [g.reshape(t1, [0, -1, k]), g.reshape(t2, [0, k, -1])])
    dims = [g.op("Gather", [g.shape_of(n1), g.ints(free1)], axis=0)]
    if free2:
        dims.append(g.op("Gather", [g.shape_of(n2), g.ints(free2)], axis=0))
    if len(free1) + len(free2) == 1:  # only the batch axis is left: (batch, 1)
        dims.append(g.ints([1]))
    y = g.reshape(product, g.op("Concat", dims, axis=0))
    return Value(y, _shape(layer, xs), F32)
