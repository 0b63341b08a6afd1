"""Scaled dot-product attention as one op: the heart of a transformer, forward and backward together.

For queries ``q`` (batch, T, heads, H), keys ``k`` and values ``v`` (batch, S, heads, H)::

    logits = scale · q kᵀ + bias            (batch, heads, T, S)
    P      = softmax over S of logits, with masked-out positions set to a large negative number
    out    = P v                             (batch, T, heads, H)

The fused op keeps ``P`` for the backward pass (softmax's Jacobian needs it) and never stores the
logits. :func:`dot_product_attention_reference` computes the same from ``einsum``, ``where`` and
``softmax`` — the readable twin the tests compare this op with.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["dot_product_attention"]


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def large_negative(dtype) -> float:
    """The logit given to masked positions: ``-0.7 · max(dtype)``, as Keras's backends. A row whose
    every position is masked then gets equal weights (exp of equal numbers), never NaN."""
    return -0.7 * float(np.finfo(dtype).max)


class DotProductAttention(Function):
    # logits = scale · Q Kᵀ + bias,  masked → large negative;  P = softmax(logits);  P₀ = P·mask if zero_masked
    # out = (P₀ · keep) V                   (keep: dropout's scaled Bernoulli mask, or none)
    # backward, with g = d out and gP the gradient reaching the returned probabilities P₀:
    #   dV = (P₀·keep)ᵀ g      dP₀ = (g Vᵀ)·keep + gP      dP = dP₀·mask if zero_masked
    #   dlogits = P (dP − Σ_S dP·P)   (softmax's Jacobian), zero where masked
    #   dQ = scale · dlogits K     dK = scale · dlogitsᵀ Q     dbias = dlogits
    # Heads move next to the batch ((B, N, T, H)) so every product is one batched matmul.
    def forward(self, q, k, v, bias=None, scale=1.0, mask=None, zero_masked=False, keep=None):
        qt, kt, vt = q.transpose(0, 2, 1, 3), k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3)
        logits = np.matmul(qt, kt.transpose(0, 1, 3, 2))
        logits *= scale
        if bias is not None:
            logits = logits + bias
        if mask is not None:
            logits = np.where(mask, logits, np.asarray(large_negative(logits.dtype), logits.dtype))
        logits -= logits.max(axis=-1, keepdims=True)
        p = np.exp(logits, out=logits)
        p /= p.sum(axis=-1, keepdims=True)
        p0 = p * mask if zero_masked and mask is not None else p
        used = p0 * keep if keep is not None else p0
        out = np.matmul(used, vt).transpose(0, 2, 1, 3)
        self.qt, self.kt, self.vt, self.p, self.used = qt, kt, vt, p, used
        self.scale, self.mask, self.zero_masked, self.keep = scale, mask, zero_masked, keep
        self.has_bias = bias is not None
        return np.ascontiguousarray(out), p0

    def backward(self, grads):
        g_out, g_p = grads
        need_q, need_k, need_v = self.needs_input_grad[:3]
        need_bias = self.has_bias and self.needs_input_grad[3]
        g = g_out.transpose(0, 2, 1, 3)
        gv = np.matmul(self.used.transpose(0, 1, 3, 2), g).transpose(0, 2, 1, 3) if need_v else None
        gq = gk = gbias = None
        if need_q or need_k or need_bias:
            dp = np.matmul(g, self.vt.transpose(0, 1, 3, 2))
            if self.keep is not None:
                dp *= self.keep
            if g_p is not None and g_p.any():
                dp += g_p
            if self.zero_masked and self.mask is not None:
                dp *= self.mask
            p = self.p
            dlogits = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
            if self.mask is not None:
                dlogits = np.where(self.mask, dlogits, 0)
            gbias = dlogits if need_bias else None
            scaled = dlogits * self.scale
            gq = np.matmul(scaled, self.kt).transpose(0, 2, 1, 3) if need_q else None
            gk = np.matmul(scaled.transpose(0, 1, 3, 2), self.qt).transpose(0, 2, 1, 3) if need_k else None
        if self.has_bias:
            return gq, gk, gv, gbias
        return gq, gk, gv


def causal_mask(t: int, s: int) -> np.ndarray:
    """``(t, s)`` booleans, True where query ``i`` may see key ``j``: ``j ≤ i`` (Keras's causal mask)."""
    return np.arange(s)[None, :] <= np.arange(t)[:, None]


def _check(query, key, value, bias, mask) -> tuple:
    qs, ks, vs = (tuple(np.shape(_raw(a))) for a in (query, key, value))
    if len(qs) != 4 or len(ks) != 4 or len(vs) != 4:
        raise ValueError(f"dot_product_attention: expected query, key and value of rank 4 (batch, length, heads, "
                         f"dim), received shapes {qs}, {ks} and {vs}")
    if ks[:3] != vs[:3] or qs[0] != ks[0] or qs[2] != ks[2] or qs[3] != ks[3]:
        raise ValueError(f"dot_product_attention: incompatible shapes query {qs}, key {ks}, value {vs}: key and value "
                         "must agree on (batch, length, heads), and query and key on batch, heads and dim")
    target = (qs[0], qs[2], qs[1], ks[1])
    for name, extra in (("bias", bias), ("mask", mask)):
        if extra is not None:
            shape = np.shape(_raw(extra))
            try:
                if np.broadcast_shapes(shape, target) != target:
                    raise ValueError
            except ValueError:
                raise ValueError(f"dot_product_attention: {name} of shape {shape} does not broadcast to the scores' "
                                 f"shape (batch, heads, T, S) = {target}") from None
    return qs, ks


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal: bool = False,
                          flash_attention=None) -> Tensor:
    """Scaled dot-product attention, as ``keras.ops.dot_product_attention``.

    ``softmax(scale · q kᵀ + bias) v`` per head, positions where ``mask`` is False given a large
    negative logit (so a query whose every key is masked attends to all keys equally, as Keras).

    Args:
        query: ``(batch, T, heads, H)``.
        key: ``(batch, S, heads, H)``.
        value: ``(batch, S, heads, H)``.
        bias: optional additive logits, broadcastable to ``(batch, heads, T, S)``. Defaults to None.
        mask: optional booleans broadcastable to ``(batch, heads, T, S)``, True where a query may
            attend to a key. Defaults to None.
        scale: the logits' factor. Defaults to None, meaning ``1 / sqrt(H)``.
        is_causal: also mask every key after the query's own position. Defaults to False.
        flash_attention: accepted for Keras compatibility; must be None or False.

    Returns:
        A Tensor ``(batch, T, heads, H)``.

    Example::

        >>> q = np.random.randn(2, 5, 4, 8)
        >>> ops.dot_product_attention(q, q, q, is_causal=True).shape
        (2, 5, 4, 8)
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention is not supported, received flash_attention=True")
    qs, ks = _check(query, key, value, bias, mask)
    scale = 1.0 / np.sqrt(qs[-1]) if scale is None else float(scale)
    mask = None if mask is None else np.asarray(_raw(mask)).astype(bool)
    if is_causal:
        causal = causal_mask(qs[1], ks[1])
        mask = causal if mask is None else mask & causal
    args = (query, key, value) if bias is None else (query, key, value, bias)
    return DotProductAttention.apply(*args, scale=scale, mask=mask)[0]


def dot_product_attention_reference(query, key, value, bias=None, mask=None, scale=None, zero_masked=False):
    """The same computation composed from ``einsum``, ``where`` and ``softmax`` (readable, slower):
    the twin the fused op is tested against. Returns ``(output, probabilities)``."""
    from .activations import softmax
    from .products import einsum
    from .math import multiply, where

    scale = 1.0 / np.sqrt(np.shape(_raw(query))[-1]) if scale is None else scale
    logits = einsum("btnh,bsnh->bnts", query, key) * scale
    if bias is not None:
        logits = logits + bias
    if mask is not None:
        logits = where(mask, logits, large_negative(logits.dtype))
    p = softmax(logits, axis=-1)
    if zero_masked and mask is not None:
        p = multiply(p, np.asarray(mask, dtype=p.dtype))
    return einsum("bnts,bsnh->btnh", p, value), p
