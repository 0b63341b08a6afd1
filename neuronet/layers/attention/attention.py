"""Attention over a sequence of values: ``Attention`` (Luong, dot product) and ``AdditiveAttention`` (Bahdanau).

Both take ``[query, value]`` or ``[query, value, key]`` (key defaults to value) and compute, for each
query step, a softmax over the value steps of a score, then the weighted sum of the values::

    scores  = score(query, key)                    (batch, Tq, Tv)
    weights = softmax(scores, axis=-1)             (masked value steps get scores - 1e9)
    output  = weights @ value                      (batch, Tq, dim)

Masks come from the inputs (e.g. ``Embedding(mask_zero=True)``) or ``mask=[query_mask, value_mask]``:
a masked value step gets no weight; a masked query step outputs zeros. The output keeps the
query's mask.
"""

from __future__ import annotations

import numpy as np

from ... import config, ops
from ..base import Layer

__all__ = ["Attention", "AdditiveAttention"]


def _as_mask(mask):
    return None if mask is None else np.asarray(getattr(mask, "data", mask)).astype(bool)


def _dropout_rate(where: str, rate) -> float:
    try:
        value = float(rate)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: expected dropout to be a float in [0, 1), received dropout={rate!r}") from None
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: expected dropout in [0, 1), received dropout={rate!r}")
    return value


def causal_mask(t: int, s: int) -> np.ndarray:
    """``(1, t, s)`` booleans, True where query step ``i`` may see value step ``j``: ``j ≤ i``."""
    return (np.arange(s)[None, :] <= np.arange(t)[:, None])[None]


class Attention(Layer):
    """Dot-product attention (Luong-style): ``softmax(query · keyᵀ) · value``.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores. Defaults to False.
        score_mode: ``'dot'`` (``query · keyᵀ``) or ``'concat'`` (``Σ tanh(query + key)`` over the
            features, times a learned scalar ``concat_score_weight``). Defaults to ``'dot'``.
        dropout: fraction of the attention weights dropped in training. Defaults to 0.0.
        seed: seed of the dropout. Defaults to None (the library generator).

    Call arguments:
        inputs: ``[query (batch, Tq, dim), value (batch, Tv, dim)]``, optionally a third ``key``
            ``(batch, Tv, dim)``.
        mask: ``[query_mask (batch, Tq), value_mask (batch, Tv)]`` booleans; taken from the inputs'
            masks when omitted.
        return_attention_scores: also return the weights ``(batch, Tq, Tv)`` (after dropout, as
            Keras). Defaults to False.
        training: apply dropout. use_causal_mask: query step i sees value steps ≤ i only.

    Output: ``(batch, Tq, dim)`` (the value's last axis), carrying the query's mask (with
    ``return_attention_scores`` too; the weights carry none).

    Example::

        >>> q, v = np.random.randn(2, 4, 8), np.random.randn(2, 6, 8)
        >>> Attention()([q, v]).shape
        (2, 4, 8)
    """

    supports_masking = True

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"{where}: expected score_mode to be 'dot' or 'concat', received "
                             f"score_mode={score_mode!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout = _dropout_rate(where, dropout)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._returns_scores = False

    def __call__(self, inputs, *args, return_attention_scores: bool = False, **kwargs):
        self._validate(inputs, kwargs.get("mask"))
        self._returns_scores = bool(return_attention_scores)  # for the symbolic output shapes
        return super().__call__(inputs, *args, return_attention_scores=return_attention_scores, **kwargs)

    def _validate(self, inputs, mask=None) -> None:
        where = f"{type(self).__name__} '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            length = f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else ""
            raise ValueError(f"{where}: expected a list of inputs [query, value] or [query, value, key], received "
                             f"{type(inputs).__name__}{length}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{where}: expected mask to be a list [query_mask, value_mask], received {mask!r}")

    def build(self, input_shape) -> None:
        self._validate(input_shape)
        if not all(isinstance(shape, (tuple, list)) for shape in input_shape):
            raise ValueError(f"{type(self).__name__} '{self.name}': expected a list of input shapes [query_shape, "
                             f"value_shape], received {input_shape!r}")
        q, v = tuple(input_shape[0]), tuple(input_shape[1])
        k = tuple(input_shape[2]) if len(input_shape) > 2 else v
        if q[-1] is not None and k[-1] is not None and q[-1] != k[-1]:
            raise ValueError(f"{type(self).__name__} '{self.name}': query and key must have the same last axis, "
                             f"received query shape {q} and key shape {k}")
        if k[:-1] != v[:-1] and None not in k[1:-1] + v[1:-1]:
            raise ValueError(f"{type(self).__name__} '{self.name}': key and value must have the same steps, "
                             f"received key shape {k} and value shape {v}")
        self._build_scores(q)

    def _build_scores(self, query_shape) -> None:
        self.scale = self.add_weight((), "ones", name="scale") if self.use_scale else None
        self.concat_score_weight = (self.add_weight((), "ones", name="concat_score_weight")
                                    if self.score_mode == "concat" else None)

    def _calculate_scores(self, query, key):
        """``(batch, Tq, Tv)`` scores of every query step against every key step."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = ops.expand_dims(query, -2) + ops.expand_dims(key, -3)  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * ops.sum(ops.tanh(summed), axis=-1)

    def _generator(self) -> np.random.Generator:
        return self._rng if self._rng is not None else config.rng()

    def _apply_scores(self, scores, value, scores_mask, training):
        # masked positions: scores - 1e9 (65504 in float16), so their softmax weight is 0
        if scores_mask is not None:
            padding = ~scores_mask if scores_mask.ndim == 3 else ~scores_mask[:, None, :]
            big = 65504.0 if scores.dtype == np.float16 else 1.0e9
            scores = ops.where(padding, scores - big, scores)
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            keep = self._generator().random(weights.shape) >= self.dropout
            weights = weights * (keep.astype(weights.dtype) / (1.0 - self.dropout))
        return ops.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=None, return_attention_scores: bool = False,
             use_causal_mask: bool = False):
        self._validate(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        if mask is None:
            mask = [getattr(x, "_keras_mask", None) for x in inputs]
        query_mask, value_mask = _as_mask(mask[0]), _as_mask(mask[1])
        scores = self._calculate_scores(query, key)
        scores_mask = value_mask
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1])
            scores_mask = causal if value_mask is None else value_mask[:, None, :] & causal
        output, weights = self._apply_scores(scores, value, scores_mask, training)
        if query_mask is not None:  # masked query steps output zeros
            output = output * query_mask[..., None].astype(output.dtype)
        if return_attention_scores:
            # the output keeps the query's mask as without scores (Keras gives the first of the outputs the
            # layer's mask; the base class only marks a single output); the weights get none
            if query_mask is not None:
                output._keras_mask = query_mask
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None and isinstance(inputs, (list, tuple)):
            mask = [getattr(x, "_keras_mask", None) for x in inputs]
        if not mask or mask[0] is None:
            return None
        return _as_mask(mask[0])

    def compute_output_shape(self, input_shape):
        self._validate(input_shape)
        query, value = tuple(input_shape[0]), tuple(input_shape[1])
        key = tuple(input_shape[2]) if len(input_shape) > 2 else value
        output = query[:-1] + value[-1:]
        if self._returns_scores:
            return [output, query[:-1] + key[-2:-1]]
        return output

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout,
                    "seed": self.seed})
        return cfg


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau-style): scores ``Σ_features scale · tanh(query + key)``.

    Args:
        use_scale: learn a ``scale`` vector of the features' size (glorot-uniform initialized);
            without it the scale is 1. Defaults to True.
        dropout: fraction of the attention weights dropped in training. Defaults to 0.0.
        seed: seed of the dropout. Defaults to None.

    Call arguments and output: as :class:`Attention`.

    Example::

        >>> q, v = np.random.randn(2, 4, 8), np.random.randn(2, 6, 8)
        >>> AdditiveAttention()([q, v]).shape
        (2, 4, 8)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def _build_scores(self, query_shape) -> None:
        self.concat_score_weight = None
        self.scale = (self.add_weight((query_shape[-1],), "glorot_uniform", name="scale") if self.use_scale
                      else None)

    def _calculate_scores(self, query, key):
        summed = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            summed = summed * self.scale
        return ops.sum(summed, axis=-1)

    def get_config(self) -> dict:
        cfg = super().get_config()
        del cfg["score_mode"]
        return cfg
