"""MultiHeadAttention and EinsumDense in ONNX (masks, causal and sliding-window bands, scores, gates,
attention_axes), custom layers exported by tracing, and whole transformer text classifiers — each
checked with onnx.checker and against predict at batch sizes 1 and 7 and two sequence lengths."""

import numpy as np
import pytest

from ._onnx_check import assert_matches

import neuronet as keras  # noqa: E402
from neuronet import layers as L  # noqa: E402
from neuronet import ops  # noqa: E402
from neuronet.export import ExportError, onnx_model  # noqa: E402
from neuronet.utils import naming  # noqa: E402

RNG = np.random.default_rng(5)


def _ids(length: int, vocab: int = 9) -> np.ndarray:
    """Token ids with padding (id 0) after, before, everywhere and nowhere."""
    ids = RNG.integers(1, vocab, (7, length))
    ids[0, length // 2:] = 0
    ids[2, :] = 0
    ids[3, :2] = 0
    return ids


def _spread(model, scale: float = 0.6):
    """Random weights, larger than the initializers', so the attention weights are far from uniform."""
    model.set_weights([RNG.standard_normal(w.shape).astype(np.float32) * scale for w in model.get_weights()])
    return model


# ----------------------------------------------------------------------------- EinsumDense
EINSUM = [("ab,bc->ac", (5,), "c", (None, 3), None),                       # Dense
          ("abc,cd->abd", (None, 5), "d", (None, None, 3), "relu"),        # Dense over every step
          ("abc,cde->abde", (None, 2, 4), "de", (None, None, 3), None),    # an attention projection
          ("abcd,cde->abe", (None, 6), "e", (None, None, 2, 4), None),     # the output projection
          ("...b,bc->...c", (5,), None, (None, None, 3), "gelu"),          # leading axes elided
          ("abc,bd->adc", (4, None), "d", (None, 6, 3), "tanh"),           # not a trailing product: Einsum
          ("ab...,bc->ac...", (4,), "c", (None, 3, 5), None)]               # trailing axes elided: Einsum


@pytest.mark.parametrize("equation,output_shape,bias_axes,input_shape,activation", EINSUM,
                         ids=[e[0] for e in EINSUM])
def test_einsum_dense(equation, output_shape, bias_axes, input_shape, activation):
    model = keras.Sequential([L.Input(input_shape[1:]),
                              L.EinsumDense(equation, output_shape, bias_axes=bias_axes, activation=activation)])
    _spread(model)
    lengths = (4, 9) if input_shape[1] is None else (input_shape[1],)
    for length in lengths:
        shape = (7,) + tuple(length if d is None else d for d in input_shape[1:])
        assert_matches(model, RNG.standard_normal(shape).astype(np.float32))


# ----------------------------------------------------------------------------- MultiHeadAttention
MHA = [({}, {}),
       ({"value_dim": 3, "output_shape": 6}, {"use_causal_mask": True}),
       ({"use_gate": True, "sliding_window": 2}, {"return_attention_scores": True}),
       ({"dropout": 0.2, "use_bias": False}, {}),
       ({}, {"return_attention_scores": True, "use_causal_mask": True})]


@pytest.mark.parametrize("options,call", MHA, ids=[f"{o}-{c}" for o, c in MHA])
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention(options, call, masked):
    # query and value of their own lengths, a key of its own features; masks from Embedding(mask_zero)
    q_ids, v_ids = keras.Input((None,), dtype="int64"), keras.Input((None,), dtype="int64")
    q = L.Embedding(9, 4, mask_zero=masked)(q_ids)
    v = L.Embedding(9, 5, mask_zero=masked)(v_ids)
    result = L.MultiHeadAttention(2, 4, **options)(q, v, L.Dense(3)(v), **call)
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    # the pooling reads the output's mask: the query's, with or without the scores
    model = _spread(keras.Model([q_ids, v_ids], outs + [L.GlobalAveragePooling1D()(outs[0])]))
    for tq, tv in ((5, 6), (3, 8)):
        assert_matches(model, [_ids(tq), _ids(tv)])


def test_self_attention_with_explicit_masks():
    # attention_mask as a model input, query_mask/value_mask given in the call
    ids, pairs = keras.Input((None,), dtype="int64"), keras.Input((None, None), dtype="bool")
    keep = keras.Input((None,), dtype="bool")
    x = L.Embedding(9, 4)(ids)
    y = L.MultiHeadAttention(2, 3)(x, x, attention_mask=pairs, query_mask=keep, value_mask=keep)
    model = _spread(keras.Model([ids, pairs, keep], y))
    for length in (4, 7):
        pair_mask = RNG.random((7, length, length)) < 0.7
        step_mask = RNG.random((7, length)) < 0.8
        assert_matches(model, [_ids(length), pair_mask, step_mask])


@pytest.mark.parametrize("axes", [None, (1,), (2,)])
def test_attention_axes_over_images(axes):
    # 4-D inputs: attention over both axes at once (the default), or over one (the other joins the batch)
    inputs = keras.Input((None, 5, 3))
    y, scores = L.MultiHeadAttention(2, 2, attention_axes=axes)(inputs, inputs, return_attention_scores=True)
    model = _spread(keras.Model(inputs, [y, scores]))
    for height in (3, 4):
        assert_matches(model, RNG.standard_normal((7, height, 5, 3)).astype(np.float32))


def test_attention_axes_with_an_attention_mask():
    inputs, mask = keras.Input((4, 5, 3)), keras.Input((4, 5, 5), dtype="bool")  # (batch, other, T, S)
    y = L.MultiHeadAttention(2, 2, attention_axes=(2,))(inputs, inputs, attention_mask=mask)
    model = _spread(keras.Model([inputs, mask], y))
    assert_matches(model, [RNG.standard_normal((7, 4, 5, 3)).astype(np.float32), RNG.random((7, 4, 5, 5)) < 0.6])


def test_causal_mask_beyond_3d_inputs_is_refused_by_name():
    inputs = keras.Input((4, 5, 3))
    model = keras.Model(inputs, L.MultiHeadAttention(2, 2, name="mha_4d")(inputs, inputs, use_causal_mask=True))
    with pytest.raises(ExportError, match=r"layer 'mha_4d' \(MultiHeadAttention\).*use_causal_mask with inputs of "
                                          r"rank 4"):
        onnx_model(model)


# ----------------------------------------------------------------------------- whole transformers
class TokenAndPositionEmbedding(L.Layer):
    """Keras's example layer: token embedding + an Embedding over the positions ``ops.arange(maxlen)``."""

    def __init__(self, maxlen, vocab_size, embed_dim, mask_zero=False, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = L.Embedding(vocab_size, embed_dim, mask_zero=mask_zero)
        self.pos_emb = L.Embedding(maxlen, embed_dim)

    def call(self, x):
        positions = self.pos_emb(ops.arange(start=0, stop=x.shape[-1], step=1))
        return self.token_emb(x) + positions


def _example():
    """examples/transformer_text_classification.py, imported as a module."""
    import importlib
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    try:
        return importlib.import_module("transformer_text_classification")
    finally:
        sys.path.pop(0)


def _classifier(length, mask_zero=False, maxlen=12, vocab=30, dim=8):
    inputs = L.Input((length,), dtype="int64")
    x = TokenAndPositionEmbedding(maxlen, vocab, dim, mask_zero=mask_zero)(inputs)
    x = _example().TransformerBlock(dim, 2, 16)(x)
    x = L.Dropout(0.1)(L.GlobalAveragePooling1D()(x))
    x = L.Dropout(0.1)(L.Dense(6, activation="relu")(x))
    return keras.Model(inputs, L.Dense(2, activation="softmax")(x))


def test_transformer_text_classifier_of_the_example():
    # examples/transformer_text_classification.py's model, trained a little: its custom layers
    # (TokenAndPositionEmbedding, TransformerBlock) are traced, the position embeddings become a constant
    example = _example()
    model = example.transformer_classifier(embed_dim=16, num_heads=2, ff_dim=16)
    ids, labels, _ = example.make_reviews(48, RNG)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(ids, labels, epochs=1, batch_size=16, verbose=0)
    assert_matches(model, ids)


def test_transformer_with_padding_masks_and_trace_side_effects():
    model = _classifier(10, mask_zero=True)
    ids = RNG.integers(1, 30, (32, 10))
    ids[::3, 6:] = 0  # padding
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(ids, RNG.integers(0, 2, 32), epochs=1, batch_size=8, verbose=0)
    counters = dict(naming._COUNTS)
    nodes = [len(layer._inbound_nodes) for layer in model.layers[0].layers + model.layers[1].layers]
    assert_matches(model, ids)
    # tracing leaves the layers as they were: no recorded calls, the next layer names unchanged
    assert dict(naming._COUNTS) == counters
    assert [len(layer._inbound_nodes) for layer in model.layers[0].layers + model.layers[1].layers] == nodes


def test_transformer_of_free_length_exports_one_length_per_signature():
    model = _spread(_classifier(None, mask_zero=True), 0.3)
    with pytest.raises(ExportError, match=r"layer 'token_and_position_embedding.*' \(TokenAndPositionEmbedding\).*"
                                          r"input_signature"):
        onnx_model(model)
    for length in (6, 11):
        ids = RNG.integers(1, 30, (7, length))
        ids[1, 3:] = 0
        assert_matches(model, ids, input_signature=[(None, length)])


def test_functional_transformer_with_masks_at_two_lengths():
    # built from library layers only: the whole sequence length stays free in the graph
    inputs = L.Input((None,), dtype="int64")
    x = L.Embedding(30, 8, mask_zero=True)(inputs)
    attended = L.MultiHeadAttention(2, 4)(x, x)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attended]))
    ffn = L.Dense(8)(L.Dense(16, activation="relu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ffn]))
    model = _spread(keras.Model(inputs, L.Dense(2, activation="softmax")(L.GlobalAveragePooling1D()(x))), 0.4)
    for length in (5, 13):
        assert_matches(model, _ids(length, vocab=30))


# ----------------------------------------------------------------------------- what tracing refuses
class _MaskMaker(L.Layer):
    def call(self, x):
        return x

    def compute_mask(self, inputs, mask=None):
        return None


class _ValueReader(L.Layer):
    def call(self, x):
        return ops.nanmedian(x, axis=-1)  # an op on the symbolic input: traced as an op node, which is refused


@pytest.mark.parametrize("make,pattern", [
    (_MaskMaker, r"layer 'mine' \(_MaskMaker\) cannot be exported to ONNX: .*overrides compute_mask"),
    (_ValueReader, r"layer 'nanmedian' \(OperatorLayer\) cannot be exported to ONNX: ops.nanmedian recorded on "
                   "symbolic inputs: order statistics ignoring NaN are not translated"),
])
def test_custom_layers_that_cannot_be_traced_are_refused_by_name(make, pattern):
    model = keras.Sequential([L.Input((3,)), make(name="mine")])
    before = dict(naming._COUNTS)
    with pytest.raises(ExportError, match=pattern):
        onnx_model(model)
    assert dict(naming._COUNTS) == before


class _OpsInCall(L.Layer):
    """A custom layer whose call uses keras.ops on its input: traced into op nodes, each translated."""

    def call(self, x):
        return ops.softmax(ops.relu(x) * 2.0 - ops.mean(x, axis=-1, keepdims=True))


def test_custom_layer_calling_ops_is_traced_and_translated():
    model = keras.Sequential([L.Input((5,)), _OpsInCall(), L.Dense(2)])
    assert_matches(model, RNG.standard_normal((7, 5)).astype(np.float32))


class _Encoder(L.Layer):
    """A custom layer of custom layers: traced in turn."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.embed = TokenAndPositionEmbedding(8, 30, 6, mask_zero=True)
        self.block = _example().TransformerBlock(6, 2, 8)
        self.scale = L.Lambda(lambda t: t * 2.0)

    def call(self, x, use_lambda=False):
        y = self.block(self.embed(x))
        return self.scale(y) if use_lambda else -y


def test_custom_layers_inside_custom_layers():
    inputs = L.Input((8,), dtype="int64")
    model = keras.Model(inputs, L.GlobalMaxPooling1D()(_Encoder()(inputs)))
    ids = RNG.integers(0, 30, (7, 8))
    model.predict(ids, verbose=0)
    assert_matches(_spread(model, 0.4), ids)


def test_a_lambda_inside_a_custom_layer_is_refused_by_name():
    class WithLambda(_Encoder):
        def call(self, x):
            return super().call(x, use_lambda=True)

    inputs = L.Input((8,), dtype="int64")
    model = keras.Model(inputs, WithLambda()(inputs))
    with pytest.raises(ExportError, match=r"\(Lambda\) cannot be exported to ONNX: its Python function"):
        onnx_model(model)
