"""ONNX converters of the attention layers: Attention (dot or concat scores), AdditiveAttention and
MultiHeadAttention.

Attention, AdditiveAttention: ``softmax(scores) · value`` with scores ``query · keyᵀ`` (times
``scale``), or ``Σ tanh(query + key)`` over the features (times ``concat_score_weight``;
AdditiveAttention: times the ``scale`` vector). Masked value steps get ``scores - 1e9`` (weight 0),
``use_causal_mask`` hides later value steps, and masked query steps output zeros — the layer's rules.

MultiHeadAttention: the four EinsumDense projections (see :mod:`.onnx_einsum`) around, per head,
``softmax(Q Kᵀ / √key_dim, masked) V``; with one attention axis as transposes and two batched
MatMuls over ``(batch, other axes..., heads)``, with several as ``Einsum``. The mask is the layer's:
query, value and key masks (from the inputs, e.g. ``Embedding(mask_zero=True)``, or given in the
call), ``attention_mask``, the causal and sliding-window bands, and-ed together; masked logits
become ``-0.7·max(float32)`` as Keras, so a query step masked throughout attends to every key
equally — or, on Keras's other path (dropout, returned scores, inputs beyond 3-D), with weight 0.
The output carries the query's own mask. Dropout is off at inference.
"""

from __future__ import annotations

import numpy as np

from .. import layers as L
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float, weight
from .onnx_convert import converts, refuse


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
    if return_attention_scores:  # the output keeps the query's mask, the weights have none
        return [Value(out, shape, F32, query.mask), Value(weights, tuple(query.shape[:-1]) + (key.shape[-2],), F32)]
    return Value(out, shape, F32, query.mask)


# ----------------------------------------------------------------------------- MultiHeadAttention
def _bool_mask(g: Graph, mask) -> str | None:
    """A mask given in the call (a graph Value, or an array fixed in the model) as a boolean tensor name."""
    if mask is None:
        return None
    if isinstance(mask, Value):
        return mask.name if mask.dtype == np.dtype(np.bool_) else g.cast(mask.name, np.bool_)
    return g.const(np.asarray(getattr(mask, "data", mask)).astype(bool), hint="attention_mask")


def _and(g: Graph, a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a if b is None else b
    return g.op("And", [a, b])


def _mha_mask(g: Graph, layer, query: Value, value: Value, key: Value | None, explicit: dict, causal: bool):
    """The boolean (batch | 1, T, S) mask the layer attends under — the query, value and key masks, the
    causal and sliding-window bands and ``attention_mask``, and-ed together — or None (3-D inputs)."""
    query_mask = _bool_mask(g, explicit.get("query_mask")) or query.mask
    value_mask = _bool_mask(g, explicit.get("value_mask")) or value.mask
    key_mask = _bool_mask(g, explicit.get("key_mask"))
    if key_mask is None and key is not None:
        key_mask = key.mask
    mask = None if query_mask is None else g.unsqueeze(query_mask, [-1])  # (batch, T, 1)
    for m in (value_mask, key_mask):
        if m is not None:
            mask = _and(g, mask, g.unsqueeze(m, [-2]))  # (batch, 1, S)
    window = layer.get_config().get("sliding_window")
    if causal or window is not None:
        t = g.unsqueeze(_steps(g, query.name, 1), [1])  # (T, 1)
        s = g.unsqueeze(_steps(g, value.name, 1), [0])  # (1, S)
        if causal:  # query step i sees key steps j ≤ i
            mask = _and(g, mask, g.op("LessOrEqual", [s, t]))
        if window is not None:  # |i - j| < sliding_window
            mask = _and(g, mask, g.op("Less", [g.op("Abs", [g.op("Sub", [t, s])]), g.const(np.int64(window))]))
    return _and(g, mask, _bool_mask(g, explicit.get("attention_mask")))


def _softmax_last(g: Graph, logits: str, count: int) -> str:
    """Softmax over the last ``count`` axes together: exp(x - max) / Σ exp(x - max)."""
    if count == 1:
        return g.op("Softmax", [logits], axis=-1)
    axes = list(range(-count, 0))
    e = g.op("Exp", [g.op("Sub", [logits, g.reduce("ReduceMax", logits, axes, True)])])
    return g.op("Div", [e, g.reduce("ReduceSum", e, axes, True)])


def _attend(g: Graph, layer, q: Value, k: Value, v: Value, mask: str | None, zero_masked: bool) -> tuple:
    """(attended (batch, ..., heads, value_dim) in the query's axis order, weights (batch, other...,
    heads, T..., S...)) of the projected ``q``, ``k``, ``v`` (batch, ..., heads, dim).

    One attention axis: transposes and two batched MatMuls. Several (e.g. 2-D attention over images):
    Einsum, the axes kept apart, and a softmax over all the key axes together.
    """
    rank = q.rank  # batch, the input's middle axes, heads, head size
    attn = tuple(layer.attention_axes)
    other = [a for a in range(1, rank - 2) if a not in attn]
    scale = g.const(np.float32(1.0 / np.sqrt(float(layer.key_dim))))  # the layer's 1/√key_dim
    if len(attn) == 1:
        perm = [0, *other, rank - 2, attn[0], rank - 1]  # (batch, other..., heads, T, dim)
        key_perm = [0, *other, rank - 2, rank - 1, attn[0]]  # (batch, other..., heads, dim, S)
        logits = g.op("MatMul", [g.transpose(q.name, perm), g.transpose(k.name, key_perm)])
    else:
        letters = iter("abcdefgijklmopqrstuvwxy")
        middle_q, middle_k, outer, t_axes, s_axes = [], [], [], [], []
        for axis in range(1, rank - 2):
            c = next(letters)
            if axis in attn:
                s = next(letters)
                middle_q.append(c)
                middle_k.append(s)
                t_axes.append(c)
                s_axes.append(s)
            else:
                middle_q.append(c)
                middle_k.append(c)
                outer.append(c)
        q_spec, k_spec = "z" + "".join(middle_q) + "nh", "z" + "".join(middle_k) + "nh"
        w_spec = "z" + "".join(outer) + "n" + "".join(t_axes) + "".join(s_axes)
        logits = g.op("Einsum", [q.name, k.name], equation=f"{q_spec},{k_spec}->{w_spec}")
    logits = g.op("Mul", [logits, scale])
    if mask is not None:  # Keras's masked logits: -0.7·max(float32); a row masked throughout gets equal weights
        logits = g.op("Where", [mask, logits, g.const(np.float32(-0.7 * np.finfo(np.float32).max))])
    weights = _softmax_last(g, logits, len(attn))
    if zero_masked and mask is not None:  # Keras's softmax-layer path: rows masked throughout weigh 0
        weights = g.op("Mul", [weights, g.cast(mask, np.float32)])
    if len(attn) == 1:
        out = g.op("MatMul", [weights, g.transpose(v.name, perm)])
        out = g.transpose(out, np.argsort(perm))
    else:
        out = g.op("Einsum", [weights, v.name], equation=f"{w_spec},{k_spec}->{q_spec}")
    return out, weights


def _heads_axis(g: Graph, mask: str, rank: int, want: int, attn: int) -> str:
    """A mask of rank ``rank`` (batch, other..., T..., S...) given the heads axis Keras expects (before
    the query axes) until it has ``want`` axes."""
    while rank < want:
        mask = g.unsqueeze(mask, [-2 * attn - 1])
        rank += 1
    return mask


@converts(L.MultiHeadAttention, masks=True, positional=2,
          call_args=("query_mask", "value_mask", "key_mask", "attention_mask", "return_attention_scores",
                     "use_causal_mask"))
def _multi_head_attention(g, layer, query, value, key=None, return_attention_scores=False, use_causal_mask=False,
                          **masks):
    from .onnx_einsum import einsum_dense

    cfg = layer.get_config()
    inputs_rank = query.rank
    if inputs_rank > 3:
        given = [name for name in ("query_mask", "value_mask", "key_mask") if masks.get(name) is not None]
        given += [f"the {n} input's mask" for n, x in (("query", query), ("value", value), ("key", key))
                  if x is not None and x.mask is not None]
        if use_causal_mask or cfg.get("sliding_window") is not None or given:
            what = "use_causal_mask" if use_causal_mask else ("sliding_window" if not given else given[0])
            raise refuse(layer, f"{what} with inputs of rank {inputs_rank} is not translated (only attention_mask "
                                "is, beyond 3-D inputs)")
    mask = _mha_mask(g, layer, query, value, key, masks, use_causal_mask)
    attn = tuple(layer.attention_axes)
    other = [a for a in range(1, inputs_rank - 1) if a not in attn]
    if mask is not None:  # (batch, other..., T..., S...) → (batch, other..., heads | 1, T..., S...)
        mask_rank = 3 if masks.get("attention_mask") is None else max(3, _rank_of(masks["attention_mask"]))
        mask = _heads_axis(g, mask, mask_rank, 1 + len(other) + 1 + 2 * len(attn), len(attn))
    q = einsum_dense(g, layer.query_dense, query)
    k = einsum_dense(g, layer.key_dense, key if key is not None else value)
    v = einsum_dense(g, layer.value_dense, value)
    zero_masked = cfg["dropout"] > 0 or return_attention_scores or inputs_rank != 3
    attended, weights = _attend(g, layer, q, k, v, mask, zero_masked)
    if cfg.get("use_gate"):  # each head's result times sigmoid(gate projection of the query)
        attended = g.op("Mul", [attended, einsum_dense(g, layer._gate_dense, query).name])
    out = einsum_dense(g, layer.output_dense, Value(attended, tuple(q.shape[:-1]) + (v.shape[-1],), F32))
    out = out.with_(mask=query.mask)  # the query's own mask, as predict
    if not return_attention_scores:
        return out
    shape = ((query.shape[0],) + tuple(query.shape[a] for a in other) + (layer.num_heads,)
             + tuple(query.shape[a] for a in attn) + tuple(value.shape[a] for a in attn))
    return [out, Value(weights, shape, F32)]


def _rank_of(mask) -> int:
    return mask.rank if isinstance(mask, Value) else np.ndim(getattr(mask, "data", mask))
