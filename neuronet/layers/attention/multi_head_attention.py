"""MultiHeadAttention (Vaswani et al., 2017), with Keras 3's arguments, masks and weight layouts.

Each head projects the query, key and value, attends, and the heads' results are projected back::

    Q = query @ Wq + bq        (batch, T, heads, key_dim)      Wq: (query_dim, heads, key_dim)
    K = key   @ Wk + bk        (batch, S, heads, key_dim)      Wk: (key_dim_in, heads, key_dim)
    V = value @ Wv + bv        (batch, S, heads, value_dim)    Wv: (value_dim_in, heads, value_dim)
    A = softmax(Q Kᵀ / √key_dim, masked) V                   (one fused op: ops.attention)
    output = A @ Wo + bo       (batch, T, query_dim)           Wo: (heads, value_dim, query_dim)

The four projections are :class:`~neuronet.layers.EinsumDense` sublayers named query, key, value and
attention_output, so ``get_weights()`` lists ``[Wq, bq, Wk, bk, Wv, bv, Wo, bo]`` — Keras's order
and shapes: weights taken from a Keras model load with ``set_weights``. (PyTorch's
``nn.MultiheadAttention`` keeps ``in_proj_weight`` = [Wq; Wk; Wv] with each ``Wq`` the transpose of
ours reshaped to ``(heads·key_dim, query_dim)``, and ``out_proj.weight`` = ``Wo`` reshaped and
transposed.)
"""

from __future__ import annotations

import string

import numpy as np

from ... import config, constraints, initializers, ops, regularizers
from ...ops.attention import DotProductAttention
from ..base import Layer
from ..conv import serialize_initializer, serialize_regularizer
from ..einsum_dense import EinsumDense
from .attention import _as_mask, _dropout_rate, causal_mask

__all__ = ["MultiHeadAttention"]


def _projection_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple:
    """``(equation, bias_axes)`` of a projection: ``free`` axes kept, ``bound`` contracted, ``output`` made.

    E.g. (2, 1, 2) gives ``'abc,cde->abde'`` with bias axes ``'de'`` (Keras's query projection).
    """
    letters = string.ascii_lowercase
    free, bound = letters[:free_dims], letters[free_dims:free_dims + bound_dims]
    out = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"MultiHeadAttention: expected {name} to be a positive integer, received {name}={value!r}")
    return int(value)


class MultiHeadAttention(Layer):
    """Multi-head attention: ``num_heads`` scaled dot-product attentions over learned projections.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head's query and key.
        value_dim: size of each head's value. Defaults to None (``key_dim``).
        dropout: fraction of the attention weights dropped in training. Defaults to 0.0.
        use_bias: whether the projections have biases. Defaults to True.
        output_shape: the output's last axes (an int or tuple). Defaults to None (the query's last axis).
        attention_axes: the axes attention runs over (e.g. ``(1, 2)`` for 2-D attention over images).
            Defaults to None (every axis between the batch and the features).
        kernel_initializer: Defaults to 'glorot_uniform'. bias_initializer: Defaults to 'zeros'.
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
            bias_constraint: passed to every projection. Default to None.
        use_gate: multiply each head's result by a learned sigmoid gate of the query before the output
            projection. Defaults to False.
        sliding_window: let each query see only keys less than this many steps away. Defaults to None.
        seed: seed of the dropout. Defaults to None.

    Call arguments:
        query: ``(batch, T, dim)``. value: ``(batch, S, dim_v)``. key: ``(batch, S, dim_k)``, defaults
            to value.
        query_mask, value_mask, key_mask: ``(batch, T)`` / ``(batch, S)`` booleans; default to the
            masks the inputs carry (e.g. from ``Embedding(mask_zero=True)``). A masked query step
            attends nowhere; a masked key step is never attended. (Keras 3 ignores an explicit
            ``query_mask`` and always uses the query's own mask; here an explicit one wins.)
        attention_mask: ``(batch, T, S)`` booleans, True where query step t may attend to key step s.
        return_attention_scores: also return the weights ``(batch, heads, T, S)``. Defaults to False.
        training: apply dropout. use_causal_mask: query step t sees key steps ≤ t only.

    Output: ``(batch, T, dim)`` (or ``(batch, T, *output_shape)``), keeping the query's own mask (also
    with ``return_attention_scores``; an explicit ``query_mask`` does not change it, as Keras).

    Rows whose every key is masked follow Keras exactly: the weights are equal across the keys when
    the layer takes Keras's fused path (no dropout, no returned scores, 3-D inputs) and zero
    otherwise.

    Example::

        >>> layer = MultiHeadAttention(num_heads=2, key_dim=16)
        >>> x = np.random.randn(4, 10, 32)
        >>> layer(x, x).shape                      # self-attention
        (4, 10, 32)
    """

    supports_masking = True

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate: bool = False, seed=None, **kwargs):
        self._num_heads = _positive_int("num_heads", num_heads)
        self._key_dim = _positive_int("key_dim", key_dim)
        self._value_dim = self._key_dim if value_dim is None else _positive_int("value_dim", value_dim)
        if flash_attention:
            raise ValueError("MultiHeadAttention: flash_attention is not supported, received flash_attention=True")
        if sliding_window is not None:
            sliding_window = _positive_int("sliding_window", sliding_window)
        super().__init__(**kwargs)
        self._dropout = _dropout_rate(f"MultiHeadAttention '{self.name}'", dropout)
        self._use_bias, self._use_gate, self._sliding_window = bool(use_bias), bool(use_gate), sliding_window
        if output_shape:
            output_shape = (int(output_shape),) if isinstance(output_shape, (int, np.integer)) else tuple(output_shape)
        self._output_shape = output_shape or None
        if isinstance(attention_axes, (int, np.integer)):
            attention_axes = (int(attention_axes),)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)):
                raise ValueError(f"MultiHeadAttention '{self.name}': attention_axes must be an int, list or tuple, "
                                 f"received attention_axes={attention_axes!r}")
            attention_axes = tuple(int(a) for a in attention_axes)
        self._attention_axes = attention_axes
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._projection_activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._inverse_sqrt_key_dim = 1.0 / np.sqrt(float(self._key_dim))
        self._call_shapes = (None, None, False)

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    # ------------------------------------------------------------------ building
    def _projection(self, name: str, input_rank: int, bound: int, output_dims, activation=None) -> EinsumDense:
        equation, bias_axes = _projection_equation(input_rank - bound, bound, len(output_dims))
        free = input_rank - bound - 1  # the free axes after the batch: sizes taken from the input
        return EinsumDense(
            equation, [None] * free + list(output_dims), activation=activation,
            bias_axes=bias_axes if self._use_bias else None, name=name, dtype=self.dtype,
            kernel_initializer=initializers.get(initializers.serialize(self._kernel_initializer))
            if isinstance(self._kernel_initializer, initializers.Initializer) else self._kernel_initializer,
            bias_initializer=self._bias_initializer, kernel_regularizer=self._kernel_regularizer,
            bias_regularizer=self._bias_regularizer, activity_regularizer=self._projection_activity_regularizer,
            kernel_constraint=self._kernel_constraint, bias_constraint=self._bias_constraint)

    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projections for inputs of these shapes (Keras's ``build(query_shape, value_shape,
        key_shape=None)``)."""
        query_shape = tuple(query_shape)
        value_shape = tuple(self._call_shapes[0] if value_shape is None else value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        where = f"MultiHeadAttention '{self.name}'"
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"{where}: all axes of value and key but the last must agree, received value shape "
                             f"{value_shape} and key shape {key_shape}")
        if len(query_shape) != len(value_shape):
            raise ValueError(f"{where}: query and value must have the same rank, received shapes {query_shape} and "
                             f"{value_shape}")
        for name, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) < 3 or shape[-1] is None:
                raise ValueError(f"{where}: expected {name} of rank >= 3 (batch, ..., features) with a known last "
                                 f"axis, received shape {shape}")
        rank = len(query_shape)
        heads = self._num_heads
        self._query_dense = self._projection("query", rank, 1, (heads, self._key_dim))
        self._query_dense._build_by_shape(query_shape)
        self._key_dense = self._projection("key", rank, 1, (heads, self._key_dim))
        self._key_dense._build_by_shape(key_shape)
        if self._use_gate:
            self._gate_dense = self._projection("gate", rank, 1, (heads, self._value_dim), activation="sigmoid")
            self._gate_dense._build_by_shape(query_shape)
        self._value_dense = self._projection("value", rank, 1, (heads, self._value_dim))
        self._value_dense._build_by_shape(value_shape)
        output_dims = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection("attention_output", rank + 1, 2, output_dims)
        self._output_dense._build_by_shape(query_shape[:-1] + (heads, self._value_dim))
        axes = self._attention_axes or tuple(range(1, rank - 1))
        axes = tuple(sorted(a % rank if a < 0 else a for a in axes))
        if any(not 1 <= a <= rank - 2 for a in axes):
            raise ValueError(f"{where}: attention_axes {self._attention_axes} must name axes between the batch and the "
                             f"features of inputs of rank {rank}")
        self._attention_axes = axes
        for layer in self._layers:  # Keras's weight paths: 'multi_head_attention/query/kernel'
            for w in layer.weights:
                w.path = f"{self.name}/{layer.name}/{w.path.split('/')[-1]}"
        self._build_input_shape = query_shape
        self.built = True

    # ------------------------------------------------------------------ calling
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise TypeError(f"MultiHeadAttention '{self.name}': missing the value; call it as layer(query, value) or "
                            "layer(query, value, key) (self-attention: layer(x, x))")
        value_shape = tuple(value.shape if hasattr(value, "shape") else np.shape(value))
        key_shape = None if key is None else tuple(key.shape if hasattr(key, "shape") else np.shape(key))
        self._call_shapes = (value_shape, key_shape, bool(kwargs.get("return_attention_scores", False)))
        if not self.built:
            self.build(tuple(query.shape if hasattr(query, "shape") else np.shape(query)), value_shape, key_shape)
        args = (value,) if key is None else (value, key)
        return super().__call__(query, *args, **kwargs)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores: bool = False, training=None, use_causal_mask: bool = False):
        own_mask = getattr(query, "_keras_mask", None)
        value = self._convert_input(value)
        key = value if key is None else self._convert_input(key)
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        mask = self._attention_mask(query, value, _as_mask(query_mask), _as_mask(value_mask), _as_mask(key_mask),
                                    _as_mask(attention_mask), use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        q, k, v = self._query_dense(query), self._key_dense(key), self._value_dense(value)
        attended, scores = self._compute_attention(q, k, v, mask, training, return_attention_scores)
        if gate is not None:
            attended = attended * gate
        output = self._output_dense(attended)
        if return_attention_scores:
            # the output keeps the query's own mask as without scores (Keras marks the first output); the
            # base class only marks a single output
            if own_mask is not None:
                output._keras_mask = _as_mask(own_mask)
            return output, scores
        return output

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """The combined boolean mask (batch, T, S) — query, value, key, causal and sliding-window masks
        and ``attention_mask`` and-ed together — or None."""
        auto = None
        if query_mask is not None:
            auto = query_mask[..., None]
        for m in (value_mask, key_mask):
            if m is not None:
                m = m[..., None, :]
                auto = m if auto is None else auto & m
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            auto = causal_mask(t, s) if auto is None else auto & causal_mask(t, s)
        if self._sliding_window is not None:
            band = (np.abs(np.arange(t)[:, None] - np.arange(s)[None, :]) < self._sliding_window)[None]
            auto = band if auto is None else auto & band
        if attention_mask is not None:
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def _compute_attention(self, query, key, value, mask, training, return_attention_scores):
        """Attention of the projected ``query (B, ..., N, H)`` over ``key``/``value``: ``(output, scores)``.

        The attention axes are moved next to the heads and flattened, every other axis joins the
        batch, so one fused op (:class:`~neuronet.ops.attention.DotProductAttention`) serves any
        ``attention_axes``; the results are moved back.
        """
        rank = query.ndim  # projected rank: batch, the input's middle axes, heads, head size
        attn = self._attention_axes
        other = tuple(a for a in range(1, rank - 2) if a not in attn)
        order = (0,) + other + attn + (rank - 2, rank - 1)

        def flatten(x):
            x = ops.transpose(x, order) if order != tuple(range(rank)) else x
            batch = int(np.prod(x.shape[:1 + len(other)]))
            shape = (batch, int(np.prod(x.shape[1 + len(other):rank - 2])), x.shape[-2], x.shape[-1])
            return x if tuple(x.shape) == shape else ops.reshape(x, shape)

        q, k, v = flatten(query), flatten(key), flatten(value)
        t_dims = tuple(query.shape[a] for a in attn)
        s_dims = tuple(key.shape[a] for a in attn)
        lead = tuple(query.shape[a] for a in (0,) + other)
        heads = query.shape[-2]
        if mask is not None:
            # Keras's layout: (batch, other..., [heads], T..., S...); a mask without the heads axis gets one
            while mask.ndim < 1 + len(other) + 1 + 2 * len(attn):
                mask = np.expand_dims(mask, -2 * len(attn) - 1)
            mask = np.broadcast_to(mask, lead + mask.shape[len(lead):len(lead) + 1] + t_dims + s_dims)
            mask = mask.reshape((q.shape[0], mask.shape[len(lead)], q.shape[1], k.shape[1]))
        # Keras's two paths differ on rows with every key masked: its fused kernel (no dropout, no scores
        # returned, 3-D inputs) gives them equal weights, its Softmax layer zeros
        zero_masked = self._dropout > 0 or return_attention_scores or rank != 4
        keep = None
        if training and self._dropout > 0:
            rng = self._rng if self._rng is not None else config.rng()
            shape = (q.shape[0], heads, q.shape[1], k.shape[1])
            keep = (rng.random(shape) >= self._dropout).astype(q.dtype) * np.asarray(1.0 / (1.0 - self._dropout),
                                                                                     q.dtype)
        out, scores = DotProductAttention.apply(q, k, v, scale=self._inverse_sqrt_key_dim, mask=mask,
                                                zero_masked=zero_masked, keep=keep)
        shape = lead + t_dims + (heads, value.shape[-1])
        out = out if tuple(out.shape) == shape else ops.reshape(out, shape)
        inverse = tuple(int(i) for i in np.argsort(order))
        if order != tuple(range(rank)):
            out = ops.transpose(out, inverse)
        if not return_attention_scores:
            return out, None
        return out, ops.reshape(scores, lead + (heads,) + t_dims + s_dims)

    # ------------------------------------------------------------------ shapes and config
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = tuple(self._call_shapes[0] if value_shape is None else value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(f"MultiHeadAttention '{self.name}': all axes of value and key but the last must agree, "
                             f"received value shape {value_shape} and key shape {key_shape}")
        output = query_shape[:-1] + (self._output_shape or query_shape[-1:])
        if self._call_shapes[2]:
            axes = self._attention_axes if self.built else tuple(range(1, len(query_shape) - 1))
            other = tuple(query_shape[a] for a in range(1, len(query_shape) - 1) if a not in axes)
            scores = ((query_shape[0],) + other + (self._num_heads,) + tuple(query_shape[a] for a in axes)
                      + tuple(value_shape[a] for a in axes))
            return [output, scores]
        return output

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "num_heads": self._num_heads, "key_dim": self._key_dim, "value_dim": self._value_dim,
            "dropout": self._dropout, "use_bias": self._use_bias, "use_gate": self._use_gate,
            "output_shape": None if self._output_shape is None else list(self._output_shape),
            "attention_axes": None if self._attention_axes is None else list(self._attention_axes),
            "sliding_window": self._sliding_window,
            "kernel_initializer": serialize_initializer(self._kernel_initializer),
            "bias_initializer": serialize_initializer(self._bias_initializer),
            "kernel_regularizer": serialize_regularizer(self._kernel_regularizer),
            "bias_regularizer": serialize_regularizer(self._bias_regularizer),
            "activity_regularizer": serialize_regularizer(self._projection_activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        })
        return cfg
