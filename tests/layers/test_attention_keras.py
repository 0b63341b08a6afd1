"""Attention layers against real Keras 3: the same weights give the same outputs (masks included).

Runs where Keras is installed (``.venv-bench``); skipped elsewhere.
"""

import numpy as np
import pytest

import neuronet as nn
from neuronet import layers

keras = pytest.importorskip("keras")

ATOL = 1e-5


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _ids(seed=0, batch=3, steps=7, vocab=20):
    """Token ids with trailing zeros (padding) of different lengths, one row fully padded after step 1."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(batch, steps))
    for row, length in enumerate([steps, 4, 1][:batch]):
        ids[row, length:] = 0
    return ids


def _pair(keras_layer, ours, *inputs, **kwargs):
    """Build both layers on ``inputs``, copy Keras's weights into ours, return both outputs."""
    theirs = keras_layer(*inputs, **kwargs)
    ours(*[np.asarray(x) for x in inputs], **kwargs)
    ours.set_weights([_np(w) for w in keras_layer.weights])
    mine = ours(*[np.asarray(x) for x in inputs], **kwargs)
    return theirs, mine


def _close(theirs, mine):
    if isinstance(theirs, (tuple, list)):
        for t, m in zip(theirs, mine):
            _close(t, m)
        return
    np.testing.assert_allclose(_np(theirs), mine.data, atol=ATOL, rtol=1e-4)


@pytest.mark.parametrize("kwargs", [
    dict(num_heads=2, key_dim=4),
    dict(num_heads=3, key_dim=5, value_dim=2, output_shape=6),
    dict(num_heads=2, key_dim=4, use_bias=False),
    dict(num_heads=2, key_dim=4, use_gate=True),
    dict(num_heads=1, key_dim=3, output_shape=(2, 3)),
])
def test_mha_outputs_match_keras(kwargs):
    if keras.backend.backend() == "jax" and kwargs.get("value_dim", kwargs["key_dim"]) != kwargs["key_dim"]:
        pytest.skip("Keras's JAX backend fails on value_dim != key_dim (its fused attention reshapes by key_dim)")
    rng = np.random.default_rng(1)
    q = rng.normal(size=(2, 5, 8)).astype("float32")
    v = rng.normal(size=(2, 6, 7)).astype("float32")
    theirs, mine = _pair(keras.layers.MultiHeadAttention(**kwargs), layers.MultiHeadAttention(**kwargs), q, v)
    _close(theirs, mine)
    k = rng.normal(size=(2, 6, 3)).astype("float32")
    theirs, mine = _pair(keras.layers.MultiHeadAttention(**kwargs), layers.MultiHeadAttention(**kwargs), q, v, k)
    _close(theirs, mine)


@pytest.mark.parametrize("call", [
    dict(use_causal_mask=True),
    dict(return_attention_scores=True),
    dict(return_attention_scores=True, use_causal_mask=True),
])
def test_mha_causal_and_scores_match_keras(call):
    q = np.random.default_rng(2).normal(size=(2, 6, 8)).astype("float32")
    theirs, mine = _pair(keras.layers.MultiHeadAttention(2, 4), layers.MultiHeadAttention(2, 4), q, q, **call)
    _close(theirs, mine)


def test_mha_attention_mask_matches_keras_on_both_paths():
    rng = np.random.default_rng(3)
    q = rng.normal(size=(2, 4, 8)).astype("float32")
    v = rng.normal(size=(2, 5, 8)).astype("float32")
    mask = rng.random((2, 4, 5)) > 0.4
    mask[0, 1] = False  # a query that may attend nowhere: Keras gives it equal weights on its fused path...
    for scores in (False, True):  # ...and zero weights when the scores are returned
        theirs, mine = _pair(keras.layers.MultiHeadAttention(2, 4), layers.MultiHeadAttention(2, 4), q, v,
                             attention_mask=mask, return_attention_scores=scores)
        _close(theirs, mine)


def test_mha_sliding_window_and_attention_axes_match_keras():
    q = np.random.default_rng(4).normal(size=(2, 7, 8)).astype("float32")
    theirs, mine = _pair(keras.layers.MultiHeadAttention(2, 4, sliding_window=2),
                         layers.MultiHeadAttention(2, 4, sliding_window=2), q, q, use_causal_mask=True)
    _close(theirs, mine)
    image = np.random.default_rng(5).normal(size=(2, 3, 4, 6)).astype("float32")
    for axes in (None, (2,), (1, 2)):
        theirs, mine = _pair(keras.layers.MultiHeadAttention(2, 3, attention_axes=axes),
                             layers.MultiHeadAttention(2, 3, attention_axes=axes), image, image,
                             return_attention_scores=True)
        _close(theirs, mine)


def _embedded_mha_model(lib, vocab=20, steps=7, dim=8, **call):
    tokens = lib.Input(shape=(steps,), dtype="int32")
    x = lib.layers.Embedding(vocab, dim, mask_zero=True, name="tok")(tokens)
    y = lib.layers.MultiHeadAttention(2, 4, name="mha")(x, x, **call)
    return lib.Model(tokens, y)


@pytest.mark.parametrize("call", [{}, dict(use_causal_mask=True)])
def test_masks_from_embedding_mask_zero_match_keras(call):
    ids = _ids()
    theirs = _embedded_mha_model(keras, **call)
    ours = _embedded_mha_model(nn, **call)
    ours.set_weights([_np(w) for w in theirs.weights])
    np.testing.assert_allclose(ours.predict(ids, verbose=0), _np(theirs(ids)), atol=ATOL, rtol=1e-4)


def test_embedding_mask_through_mha_reaches_pooling_as_in_keras():
    ids = _ids(seed=6)

    def model(lib):
        tokens = lib.Input(shape=(7,), dtype="int32")
        x = lib.layers.Embedding(20, 8, mask_zero=True)(tokens)
        x = lib.layers.MultiHeadAttention(2, 4)(x, x)
        return lib.Model(tokens, lib.layers.GlobalAveragePooling1D()(x))

    theirs, ours = model(keras), model(nn)
    ours.set_weights([_np(w) for w in theirs.weights])
    np.testing.assert_allclose(ours.predict(ids, verbose=0), _np(theirs(ids)), atol=ATOL, rtol=1e-4)


@pytest.mark.parametrize("make", [
    lambda lib: lib.layers.Attention(),
    lambda lib: lib.layers.Attention(use_scale=True),
    lambda lib: lib.layers.Attention(score_mode="concat"),
    lambda lib: lib.layers.Attention(use_scale=True, score_mode="concat"),
    lambda lib: lib.layers.AdditiveAttention(),
    lambda lib: lib.layers.AdditiveAttention(use_scale=False),
])
@pytest.mark.parametrize("call", [{}, dict(use_causal_mask=True), dict(return_attention_scores=True)])
def test_attention_layers_match_keras(make, call):
    rng = np.random.default_rng(7)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 4, 6)).astype("float32")
    k = rng.normal(size=(2, 4, 6)).astype("float32")
    theirs_layer, ours = make(keras), make(nn)
    theirs = theirs_layer([q, v, k], **call)
    ours([q, v, k], **call)
    if theirs_layer.weights:
        ours.set_weights([_np(w) * 0.7 for w in theirs_layer.weights])
        theirs_layer.set_weights([_np(w) * 0.7 for w in theirs_layer.weights])
        theirs = theirs_layer([q, v, k], **call)
    _close(theirs, ours([q, v, k], **call))
    q_mask, v_mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0]], bool), np.array([[1, 0, 1, 1], [1, 1, 0, 0]], bool)
    _close(theirs_layer([q, v], mask=[q_mask, v_mask], **call), ours([q, v], mask=[q_mask, v_mask], **call))


def test_attention_masks_from_embeddings_match_keras():
    ids_q, ids_v = _ids(seed=8, steps=5), _ids(seed=9, steps=6)

    def model(lib):
        a, b = lib.Input(shape=(5,), dtype="int32"), lib.Input(shape=(6,), dtype="int32")
        emb = lib.layers.Embedding(20, 4, mask_zero=True)
        x = lib.layers.Attention(use_scale=True)([emb(a), emb(b)])
        return lib.Model([a, b], lib.layers.GlobalAveragePooling1D()(x))

    theirs, ours = model(keras), model(nn)
    theirs.set_weights([_np(w) * 1.5 for w in theirs.weights])
    ours.set_weights([_np(w) for w in theirs.weights])
    np.testing.assert_allclose(ours.predict([ids_q, ids_v], verbose=0), _np(theirs([ids_q, ids_v])), atol=ATOL)


@pytest.mark.parametrize("kind", ["Attention", "MultiHeadAttention"])
def test_returned_scores_keep_the_query_mask_as_in_keras(kind):
    # Keras marks the first output with the query's mask also when the scores are returned
    ids_q, ids_v = _ids(seed=11, steps=5), _ids(seed=12, steps=5)

    def model(lib):
        a, b = lib.Input(shape=(5,), dtype="int32"), lib.Input(shape=(5,), dtype="int32")
        emb = lib.layers.Embedding(20, 4, mask_zero=True)
        if kind == "Attention":
            x, scores = lib.layers.Attention()([emb(a), emb(b)], return_attention_scores=True)
        else:
            x, scores = lib.layers.MultiHeadAttention(2, 3)(emb(a), emb(b), return_attention_scores=True)
        return lib.Model([a, b], [lib.layers.GlobalAveragePooling1D()(x), scores])

    theirs, ours = model(keras), model(nn)
    ours.set_weights([_np(w) for w in theirs.weights])
    for t, o in zip(theirs.predict([ids_q, ids_v], verbose=0), ours.predict([ids_q, ids_v], verbose=0)):
        np.testing.assert_allclose(o, _np(t), atol=ATOL)


def test_einsum_dense_matches_keras():
    x = np.random.default_rng(10).normal(size=(2, 5, 8)).astype("float32")
    for equation, shape, bias in [("abc,cd->abd", (None, 3), "d"), ("abc,cde->abde", (None, 2, 3), "de"),
                                  ("abc,bd->adc", (3, 8), "d"), ("...b,bc->...c", 3, "c"),
                                  ("ab...,bc->ac...", (3,), "c"), ("abcd,cde->abe", (None, 4), None)]:
        inputs = x if equation != "abcd,cde->abe" else x.reshape(2, 5, 2, 4)
        k = keras.layers.EinsumDense(equation, shape, bias_axes=bias, activation="relu")
        k(inputs)
        ours = layers.EinsumDense(equation, shape, bias_axes=bias, activation="relu")
        ours(inputs)
        assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in k.weights], equation
        ours.set_weights([_np(w) + 0.1 for w in k.weights])
        k.set_weights([_np(w) + 0.1 for w in k.weights])
        np.testing.assert_allclose(ours(inputs).data, _np(k(inputs)), atol=ATOL, err_msg=equation)
        # Keras leaves an output axis None where output_shape says None; ours takes the input's size there
        got = ours.compute_output_shape((None,) + inputs.shape[1:])
        want = k.compute_output_shape((None,) + inputs.shape[1:])
        assert len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want)), equation


def test_mha_config_matches_keras_keys():
    theirs = keras.layers.MultiHeadAttention(2, 4, dropout=0.1, output_shape=6)
    ours = layers.MultiHeadAttention(2, 4, dropout=0.1, output_shape=6)
    assert set(ours.get_config()) >= set(theirs.get_config()) - {"flash_attention"}
