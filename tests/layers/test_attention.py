"""Attention: the fused dot-product op against its composed twin, float64 gradient checks of the op and
of Attention, AdditiveAttention, MultiHeadAttention and EinsumDense, torch parity
(``nn.MultiheadAttention`` after mapping weights, ``scaled_dot_product_attention``), masks, symbolic
use in functional models, configs, saving, and errors naming the layer."""

import sys
from pathlib import Path

import numpy as np
import pytest

import neuronet as nn
from neuronet import layers, ops
from neuronet.autograd import Tensor, gradcheck
from neuronet.ops.attention import DotProductAttention, dot_product_attention_reference


def _qkv(rng, b=2, t=3, s=4, n=2, h=3):
    return rng.normal(size=(b, t, n, h)), rng.normal(size=(b, s, n, h)), rng.normal(size=(b, s, n, h))


# ----------------------------------------------------------------------------- the fused op
@pytest.mark.parametrize("zero_masked", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_fused_op_matches_composed_twin(rng, zero_masked, masked):
    q, k, v = _qkv(rng)
    mask = rng.random((2, 1, 3, 4)) > 0.4 if masked else None
    if masked:
        mask[1, 0, 2] = False  # a row with every key masked
    bias = rng.normal(size=(1, 2, 3, 4))
    tensors = [Tensor(a, requires_grad=True) for a in (q, k, v, bias)]
    out, p = DotProductAttention.apply(*tensors, scale=0.4, mask=mask, zero_masked=zero_masked)
    twins = [Tensor(a, requires_grad=True) for a in (q, k, v, bias)]
    out2, p2 = dot_product_attention_reference(*twins, mask=mask, scale=0.4, zero_masked=zero_masked)
    np.testing.assert_allclose(out.data, out2.data, atol=1e-12)
    np.testing.assert_allclose(p.data, p2.data, atol=1e-12)
    gy, gp = rng.normal(size=out.shape), rng.normal(size=p.shape)
    ((out * gy).sum() + (p * gp).sum()).backward()
    ((out2 * gy).sum() + (p2 * gp).sum()).backward()
    for a, b in zip(tensors, twins):
        np.testing.assert_allclose(a.grad, b.grad, atol=1e-10)


@pytest.mark.parametrize("zero_masked", [False, True])
def test_fused_op_gradcheck_with_mask_bias_and_dropout(rng, zero_masked):
    q, k, v = _qkv(rng, b=1, t=3, s=3)
    bias = rng.normal(size=(1, 2, 3, 3))
    mask = np.array([[True, False, True], [False, False, False], [True, True, False]])[None, None]
    keep = (rng.random((1, 2, 3, 3)) > 0.3) / 0.7

    def fn(q, k, v, bias):
        return DotProductAttention.apply(q, k, v, bias, scale=0.6, mask=mask, zero_masked=zero_masked, keep=keep)

    gradcheck(fn, [q, k, v, bias])


def test_public_op_causal_and_scale(rng):
    q, k, v = _qkv(rng, t=4, s=4)
    out = ops.dot_product_attention(q, k, v, is_causal=True)
    causal = np.tril(np.ones((4, 4), bool))[None, None]
    twin, _ = dot_product_attention_reference(q, k, v, mask=causal)
    np.testing.assert_allclose(out.data, twin.data, atol=1e-12)
    # the first query sees only the first key: its output is that key's value
    np.testing.assert_allclose(out.data[:, 0], v[:, 0], atol=1e-12)
    gradcheck(lambda q, k, v: ops.dot_product_attention(q, k, v, scale=0.3, is_causal=True), [q, k, v])


def test_public_op_matches_torch(rng):
    torch = pytest.importorskip("torch")
    q, k, v = _qkv(rng, t=3, s=5)
    mask = rng.random((2, 2, 3, 5)) > 0.3
    mask[..., 0] = True
    ours = ops.dot_product_attention(q, k, v, mask=mask)
    tq, tk, tv = (torch.tensor(a.transpose(0, 2, 1, 3), requires_grad=True) for a in (q, k, v))
    theirs = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy().transpose(0, 2, 1, 3), atol=1e-12)


def test_public_op_errors():
    q = np.zeros((2, 3, 2, 4))
    with pytest.raises(ValueError, match="rank 4"):
        ops.dot_product_attention(q[0], q, q)
    with pytest.raises(ValueError, match="incompatible shapes"):
        ops.dot_product_attention(q, np.zeros((2, 5, 2, 3)), np.zeros((2, 5, 2, 3)))
    with pytest.raises(ValueError, match="mask of shape \\(4, 4\\) does not broadcast"):
        ops.dot_product_attention(q, q, q, mask=np.ones((4, 4), bool))


# ----------------------------------------------------------------------------- MultiHeadAttention
def _mha_float64(rng, **kwargs):
    layer = layers.MultiHeadAttention(**{"num_heads": 2, "key_dim": 3, **kwargs})
    return layer


@pytest.mark.parametrize("kwargs,call", [
    ({}, {}),
    ({}, dict(use_causal_mask=True)),
    (dict(value_dim=2, output_shape=4), dict(return_attention_scores=True)),
    (dict(use_gate=True, use_bias=False), {}),
    (dict(dropout=0.3, seed=1), dict(training=True)),
])
def test_mha_gradcheck_through_inputs_and_weights(float64, rng, kwargs, call):
    layer = _mha_float64(rng, **kwargs)
    q, v = rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 4, 5))
    layer(q, v)
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape) * 0.5

    def fn(q, v):
        if call.get("training"):  # the same dropout mask at every evaluation
            layer._rng = np.random.default_rng(7)
        return layer(q, v if not call.get("use_causal_mask") else q, **call)

    gradcheck(fn, [q, v], params=layer.weights)


def test_mha_gradcheck_with_attention_axes_and_masks(float64, rng):
    layer = layers.MultiHeadAttention(2, 2, attention_axes=(1, 2))
    x = rng.normal(size=(1, 2, 3, 4))
    layer(x, x)
    mask = rng.random((1, 2, 3, 2, 3)) > 0.3
    gradcheck(lambda x: layer(x, x, attention_mask=mask), [x], params=layer.weights)


def _torch_mha_from(layer, torch):
    """A torch.nn.MultiheadAttention holding ``layer``'s weights (query dim = key dim = value dim)."""
    wq, bq, wk, bk, wv, bv, wo, bo = layer.get_weights()
    dim, heads, head = wq.shape
    mha = torch.nn.MultiheadAttention(dim, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.concatenate([w.reshape(dim, -1).T for w in (wq, wk, wv)])))
        mha.in_proj_bias.copy_(torch.tensor(np.concatenate([b.reshape(-1) for b in (bq, bk, bv)])))
        mha.out_proj.weight.copy_(torch.tensor(wo.reshape(heads * head, dim).T))
        mha.out_proj.bias.copy_(torch.tensor(bo))
    return mha


def test_mha_matches_torch_values_weights_and_gradients(float64, rng):
    torch = pytest.importorskip("torch")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    q, v = rng.normal(size=(2, 4, 6)), rng.normal(size=(2, 5, 6))
    layer(q, v)
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape) * 0.4
    mha = _torch_mha_from(layer, torch)
    key_padding = np.array([[False, False, True, False, True], [False, True, True, True, True]])
    attn = rng.random((4, 5)) > 0.3
    attn[:, 0] = True
    tq, tv = torch.tensor(q, requires_grad=True), torch.tensor(v, requires_grad=True)
    theirs, weights = mha(tq, tv, tv, key_padding_mask=torch.tensor(key_padding), attn_mask=torch.tensor(~attn),
                          average_attn_weights=False)
    xq, xv = Tensor(q, requires_grad=True), Tensor(v, requires_grad=True)
    ours, scores = layer(xq, xv, value_mask=~key_padding, attention_mask=attn[None], return_attention_scores=True)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(scores.data, weights.detach().numpy(), atol=1e-12)
    g = rng.normal(size=ours.shape)
    (theirs * torch.tensor(g)).sum().backward()
    (ours * g).sum().backward()
    np.testing.assert_allclose(xq.grad, tq.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(xv.grad, tv.grad.numpy(), atol=1e-12)
    wq_grad = layer.weights[0].grad.reshape(6, -1).T
    np.testing.assert_allclose(wq_grad, mha.in_proj_weight.grad[:6].numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.weights[6].grad.reshape(6, 6).T, mha.out_proj.weight.grad.numpy(), atol=1e-12)


def test_mha_causal_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    layer = layers.MultiHeadAttention(num_heads=3, key_dim=2)
    x = rng.normal(size=(2, 5, 6))
    layer(x, x)
    mha = _torch_mha_from(layer, torch)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    theirs, _ = mha(*(torch.tensor(x),) * 3, attn_mask=causal, is_causal=True)
    np.testing.assert_allclose(layer(x, x, use_causal_mask=True).data, theirs.detach().numpy(), atol=1e-12)


def test_mha_masks_from_embedding_in_functional_model():
    tokens = nn.Input(shape=(6,), dtype="int32")
    x = layers.Embedding(30, 8, mask_zero=True)(tokens)
    y = layers.MultiHeadAttention(2, 4)(x, x)
    pooled = layers.GlobalAveragePooling1D()(y)
    model = nn.Model(tokens, pooled)
    ids = np.array([[5, 6, 7, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    out = model.predict(ids, verbose=0)
    # the padded steps change nothing: the same tokens with other padding give the same output
    longer = np.array([[5, 6, 7, 0, 0, 0, 0, 0]])
    tokens2 = nn.Input(shape=(8,), dtype="int32")
    emb, mha = model.layers[0], model.layers[1]
    model2 = nn.Model(tokens2, layers.GlobalAveragePooling1D()(mha(emb(tokens2), emb(tokens2))))
    np.testing.assert_allclose(model2.predict(longer, verbose=0)[0], out[0], atol=1e-6)
    y_eager = mha(emb(ids), emb(ids))
    np.testing.assert_array_equal(y_eager._keras_mask, ids != 0)


def test_mha_symbolic_shapes_scores_and_config_round_trip(tmp_path):
    q, v = nn.Input(shape=(4, 8)), nn.Input(shape=(6, 5))
    layer = layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=7, name="att")
    out, scores = layer(q, v, return_attention_scores=True)
    assert out.shape == (None, 4, 7) and scores.shape == (None, 2, 4, 6)
    model = nn.Model([q, v], [out, scores])
    a, b = np.random.default_rng(0).normal(size=(3, 4, 8)), np.random.default_rng(1).normal(size=(3, 6, 5))
    expected = model.predict([a, b], verbose=0)
    assert expected[0].shape == (3, 4, 7) and expected[1].shape == (3, 2, 4, 6)
    path = str(tmp_path / "mha.keras")
    model.save(path)
    loaded = nn.saving.load_model(path)
    for e, g in zip(expected, loaded.predict([a, b], verbose=0)):
        np.testing.assert_allclose(g, e, atol=1e-6)
    cfg = layer.get_config()
    assert cfg["attention_axes"] == [1] and cfg["output_shape"] == [7] and cfg["value_dim"] == 4
    assert [w.path for w in layer.weights][:2] == ["att/query/kernel", "att/query/bias"]


def test_mha_errors_name_the_layer():
    with pytest.raises(ValueError, match="num_heads to be a positive integer"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="dropout in \\[0, 1\\)"):
        layers.MultiHeadAttention(2, 4, dropout=1.5)
    layer = layers.MultiHeadAttention(2, 4, name="mh")
    with pytest.raises(TypeError, match="'mh': missing the value"):
        layer(np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match="'mh': all axes of value and key but the last must agree"):
        layer(np.zeros((1, 3, 4)), np.zeros((1, 5, 4)), np.zeros((1, 6, 4)))
    with pytest.raises(ValueError, match="rank >= 3"):
        layers.MultiHeadAttention(2, 4)(np.zeros((3, 4)), np.zeros((3, 4)))


# ----------------------------------------------------------------------------- Attention, AdditiveAttention
@pytest.mark.parametrize("make", [
    lambda: layers.Attention(use_scale=True), lambda: layers.Attention(score_mode="concat", use_scale=True),
    lambda: layers.AdditiveAttention(), lambda: layers.Attention(dropout=0.4, seed=3),
])
def test_attention_layers_gradcheck(float64, rng, make):
    layer = make()
    q, v, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 4))
    layer([q, v, k])
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape)
    masks = [np.array([[1, 1, 0], [1, 1, 1]], bool), np.array([[1, 0, 1, 1, 1], [1, 1, 0, 0, 1]], bool)]

    def fn(q, v, k):
        layer._rng = np.random.default_rng(5) if layer.dropout else None
        return layer([q, v, k], mask=masks, training=True, return_attention_scores=True)

    gradcheck(fn, [q, v, k], params=layer.weights)


def test_dot_attention_matches_torch_sdpa(float64, rng):
    torch = pytest.importorskip("torch")
    q, v, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 4))
    value_mask = np.array([[1, 0, 1, 1, 1], [1, 1, 0, 0, 1]], bool)
    ours = layers.Attention()([q, v, k], mask=[None, value_mask], use_causal_mask=False)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(q), torch.tensor(k), torch.tensor(v), attn_mask=torch.tensor(value_mask[:, None, :]), scale=1.0)
    np.testing.assert_allclose(ours.data, theirs.numpy(), atol=1e-12)


def test_attention_masks_query_steps_and_keeps_query_mask():
    q = np.random.default_rng(0).normal(size=(1, 3, 2))
    q_mask = np.array([[True, False, True]])
    out = layers.Attention()([q, q], mask=[q_mask, None])
    np.testing.assert_array_equal(out.data[0, 1], 0.0)
    np.testing.assert_array_equal(out._keras_mask, q_mask)
    ids = np.array([[3, 4, 0]])
    emb = layers.Embedding(5, 2, mask_zero=True)
    out2, weights = layers.AdditiveAttention()([emb(ids), emb(ids)], return_attention_scores=True)
    assert np.all(weights.data[0, :, 2] == 0.0) and np.all(out2.data[0, 2] == 0.0)


@pytest.mark.parametrize("make", [
    lambda: layers.Attention(),
    lambda: layers.AdditiveAttention(),
    lambda: layers.MultiHeadAttention(2, 3),
])
def test_returned_scores_keep_the_query_mask_on_the_output(make):
    # as without scores: the output carries the query's mask, the weights none (Keras does the same),
    # so a pooling layer after it in a model averages over the real query steps only
    ids_q, ids_v = np.array([[3, 4, 0, 0, 0], [1, 2, 3, 4, 0]]), np.array([[3, 4, 2, 0, 0], [1, 2, 0, 0, 0]])
    emb = layers.Embedding(6, 4, mask_zero=True)
    layer = make()

    def call(q, v, **kwargs):
        if isinstance(layer, layers.MultiHeadAttention):
            return layer(q, v, **kwargs)
        return layer([q, v], **kwargs)

    out, weights = call(emb(ids_q), emb(ids_v), return_attention_scores=True)
    np.testing.assert_array_equal(out._keras_mask, ids_q != 0)
    assert getattr(weights, "_keras_mask", None) is None
    a, b = nn.Input((5,), dtype="int64"), nn.Input((5,), dtype="int64")
    out, _ = call(emb(a), emb(b), return_attention_scores=True)
    model = nn.Model([a, b], layers.GlobalAveragePooling1D()(out))
    full, _ = call(emb(ids_q), emb(ids_v), return_attention_scores=True)
    keep = (ids_q != 0)[..., None]
    expected = (full.data * keep).sum(1) / keep.sum(1)
    np.testing.assert_allclose(model.predict([ids_q, ids_v], verbose=0), expected, atol=1e-6)


def test_attention_symbolic_and_config_round_trip():
    a, b = nn.Input(shape=(3, 4)), nn.Input(shape=(5, 4))
    layer = layers.AdditiveAttention(name="add_att", dropout=0.1)
    out, scores = layer([a, b], return_attention_scores=True)
    assert out.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    cfg = layer.get_config()
    assert "score_mode" not in cfg and cfg["use_scale"] is True and cfg["dropout"] == 0.1
    assert layers.AdditiveAttention.from_config(cfg).get_config() == cfg
    cfg = layers.Attention(score_mode="concat").get_config()
    assert cfg["score_mode"] == "concat" and layers.Attention.from_config(cfg).score_mode == "concat"


def test_attention_errors():
    with pytest.raises(ValueError, match="score_mode to be 'dot' or 'concat'"):
        layers.Attention(score_mode="general")
    with pytest.raises(ValueError, match="'att': expected a list of inputs \\[query, value\\]"):
        layers.Attention(name="att")(np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="query and key must have the same last axis"):
        layers.Attention()([np.zeros((1, 2, 3)), np.zeros((1, 2, 4))])


# ----------------------------------------------------------------------------- EinsumDense
@pytest.mark.parametrize("equation,shape,bias,x_shape", [
    ("abc,cd->abd", (None, 3), "d", (2, 4, 5)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 4, 5)),
    ("abc,bd->adc", (3, 5), "d", (2, 4, 5)),
    ("...b,bc->...c", 3, "c", (2, 4, 5)),
    ("abcd,cde->abe", (None, 3), "e", (2, 4, 2, 3)),
])
def test_einsum_dense_gradcheck(float64, rng, equation, shape, bias, x_shape):
    layer = layers.EinsumDense(equation, shape, bias_axes=bias, activation="tanh")
    layer(np.zeros(x_shape))
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape) * 0.5
    gradcheck(lambda x: layer(x), [rng.normal(size=x_shape)], params=layer.weights)


def test_einsum_dense_fast_path_equals_einsum(rng):
    layer = layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de")
    x = rng.normal(size=(2, 4, 5)).astype("float32")
    y = layer(x)
    assert layer._plan is not None
    np.testing.assert_allclose(y.data, np.einsum("abc,cde->abde", x, layer.kernel.data) + layer.bias.data,
                               rtol=1e-5, atol=1e-6)


def test_einsum_dense_fan_initializer_and_errors():
    layer = layers.EinsumDense("abc,cde->abde", (None, 8, 16))
    layer(np.zeros((1, 2, 64), "float32"))
    limit = np.sqrt(6 / (64 + 128))  # glorot over fan_in 64 (contracted), fan_out 8·16 (produced)
    assert np.abs(layer.kernel.data).max() <= limit and np.abs(layer.kernel.data).max() > 0.9 * limit
    with pytest.raises(ValueError, match="invalid equation"):
        layers.EinsumDense("ab->b", 3)
    with pytest.raises(ValueError, match="bias axis 'z'"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="z")(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="does not fit the equation"):
        layers.EinsumDense("abc,cd->abd", 3)(np.zeros((1, 2, 3)))


# ----------------------------------------------------------------------------- positional embeddings
def _token_and_position_embedding():
    """The layer of Keras's text-classification-with-Transformer example, from our copy of it."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    try:
        from transformer_text_classification import TokenAndPositionEmbedding
    finally:
        sys.path.pop(0)
    return TokenAndPositionEmbedding


def test_token_and_position_embedding_in_functional_model_trains():
    inputs = nn.Input(shape=(6,))
    x = _token_and_position_embedding()(6, 20, 8)(inputs)
    assert x.shape == (None, 6, 8)
    x = layers.MultiHeadAttention(2, 8)(x, x)
    outputs = layers.Dense(2, activation="softmax")(layers.GlobalAveragePooling1D()(x))
    model = nn.Model(inputs, outputs)
    emb = model.layers[0]
    assert [w.shape for w in emb.weights] == [(20, 8), (6, 8)]
    ids = np.array([[1, 2, 3, 4, 5, 6]])
    direct = emb.token_emb(ids).data + emb.pos_emb(np.arange(6)).data
    np.testing.assert_allclose(emb(ids).data, direct)
    # the position table gets gradients: the same token at two places embeds differently after training
    rng = np.random.default_rng(0)
    x_train = rng.integers(1, 20, size=(64, 6))
    y_train = (x_train[:, 0] > x_train[:, -1]).astype(int)  # depends on positions
    model.compile("adam", "sparse_categorical_crossentropy")
    before = emb.pos_emb.get_weights()[0].copy()
    model.fit(x_train, y_train, epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(before, emb.pos_emb.get_weights()[0])
