"""ONNX converters of the attention layers Attention (dot or concat scores) and AdditiveAttention.

``softmax(scores) · value`` with scores ``query · keyᵀ`` (times ``scale``), or ``Σ tanh(query + key)``
over the features (times ``concat_score_weight``; AdditiveAttention: times the ``scale`` vector).
Masked value steps get ``scores - 1e9`` (weight 0), ``use_causal_mask`` hides later value steps, and
masked query steps output zeros — the layer's rules. Dropout is off at inference.
"""

from __future__ import annotations

import numpy as np

from .. import layers as L
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float, weight
from .onnx_convert import converts


def _steps(g: Graph, x: str, axis: int) -> str:
    return g.op("Range", [g.const(np.int64(0)), g.squeeze(g.shape_of(x, axis, axis + 1), [0]), g.const(np.int64(1))])


@converts(L.Attention, L.AdditiveAttention, masks=True, call_args=("return_attention_scores", "use_causal_mask"))
def _attention(g, layer, xs, return_attention_scores=False, use_causal_mask=False):
    query, value = xs[0], xs[1]
    key = xs[2] if len(xs) > 2 else value
    q, v, k = as_float(g, query), as_float(g, value), as_float(g, key)
    scale = weight(layer, "scale")
    if isinstance(layer, L.AdditiveAttention):  # Σ_features scale · tanh(q + k)
        summed = g.op("Tanh", [g.op("Add", [g.unsqueeze(q, [-2]), g.unsqueeze(k, [-3])])])
        if scale is not None:
            summed = g.op("Mul", [summed, g.const(scale)])
        scores = g.reduce("ReduceSum", summed, [-1], False)
    elif layer.score_mode == "dot":  # q · kᵀ (· scale)
        scores = g.op("MatMul", [q, g.transpose(k, [0, 2, 1])])
        if scale is not None:
            scores = g.op("Mul", [scores, g.const(scale)])
    else:  # concat_score_weight · Σ tanh(scale · (q + k))
        summed = g.op("Add", [g.unsqueeze(q, [-2]), g.unsqueeze(k, [-3])])
        if scale is not None:
            summed = g.op("Mul", [summed, g.const(scale)])
        scores = g.op("Mul", [g.reduce("ReduceSum", g.op("Tanh", [summed]), [-1], False),
                              g.const(weight(layer, "concat_score_weight"))])
    mask = None if value.mask is None else g.unsqueeze(value.mask, [1])  # (batch, 1, Tv)
    if use_causal_mask:  # query step i sees value steps j ≤ i
        causal = g.op("LessOrEqual", [g.unsqueeze(_steps(g, scores, 2), [0]), g.unsqueeze(_steps(g, scores, 1), [1])])
        mask = causal if mask is None else g.op("And", [mask, causal])
    if mask is not None:
        scores = g.op("Where", [mask, scores, g.op("Sub", [scores, g.const(1.0e9)])])
    weights = g.op("Softmax", [scores], axis=-1)
    out = g.op("MatMul", [weights, v])
    if query.mask is not None:
        out = g.op("Mul", [out, g.cast(g.unsqueeze(query.mask, [-1]), np.float32)])
    shape = tuple(query.shape[:-1]) + (value.shape[-1],)
    if return_attention_scores:  # predict attaches no mask to a pair of outputs
        return [Value(out, shape, F32), Value(weights, tuple(query.shape[:-1]) + (key.shape[-2],), F32)]
    return Value(out, shape, F32, query.mask)
