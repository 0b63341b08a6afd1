"""Functional models whose layer calls take tensors as keyword (or extra positional) arguments:
``LSTM(...)(dec_in, initial_state=[h, c])``, ``layer(x, mask=m)``. The tensors are recorded as node
inputs, computed before the call at replay, and saved as tensor references in the inbound nodes."""

import json

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers, ops
from neuronet.layers.base import Node
from neuronet.models import clone_model

VOCAB, STEPS, UNITS = 5, 4, 8


def _encoder_decoder():
    """The classic Keras encoder–decoder: the encoder's final states start the decoder."""
    enc_in = keras.Input(shape=(None, VOCAB), name="encoder_inputs")
    dec_in = keras.Input(shape=(None, VOCAB), name="decoder_inputs")
    _, h, c = layers.LSTM(UNITS, return_state=True, name="encoder")(enc_in)
    dec = layers.LSTM(UNITS, return_sequences=True, name="decoder")(dec_in, initial_state=[h, c])
    out = layers.Dense(VOCAB, activation="softmax", name="tokens")(dec)
    return keras.Model([enc_in, dec_in], out)


def _copy_data(n: int, seed: int = 0):
    """Copy task: the decoder sees <start>=0 then the source shifted right (teacher forcing)."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, VOCAB, size=(n, STEPS))
    shifted = np.concatenate([np.zeros((n, 1), int), tokens[:, :-1]], axis=1)
    eye = np.eye(VOCAB, dtype="float32")
    return eye[tokens], eye[shifted], tokens


def test_node_records_keyword_tensors():
    x = keras.Input(shape=(3, 2))
    h = keras.Input(shape=(4,))
    c = keras.Input(shape=(4,))
    y = layers.LSTM(4)(x, initial_state=[h, c])
    node = y._node
    assert isinstance(node, Node)
    assert node.input_tensors == [x]
    assert node.call_tensors == [h, c]
    assert node.dependencies == [x, h, c]


def test_initial_state_from_inputs_is_used():
    """States given through model inputs change the output exactly as an eager call with them does."""
    x = keras.Input(shape=(3, 2))
    h = keras.Input(shape=(4,))
    c = keras.Input(shape=(4,))
    lstm = layers.LSTM(4)
    model = keras.Model([x, h, c], lstm(x, initial_state=[h, c]))
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(2, 3, 2)).astype("float32")
    hs, cs = rng.normal(size=(2, 2, 4)).astype("float32")
    got = model.predict([xs, hs, cs], verbose=0)
    np.testing.assert_allclose(got, lstm(xs, initial_state=[hs, cs]).data, rtol=1e-6)
    assert not np.allclose(got, lstm(xs).data, atol=1e-3)  # the states matter


def test_encoder_decoder_fits_predicts_and_trains_the_encoder():
    model = _encoder_decoder()
    assert [layer.name for layer in model.layers] == ["encoder", "decoder", "tokens"]
    x_enc, x_dec, tokens = _copy_data(256)
    y = np.eye(VOCAB, dtype="float32")[tokens]
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="categorical_crossentropy", metrics=["accuracy"])
    encoder_before = [w.copy() for w in model.get_layer("encoder").get_weights()]
    history = model.fit([x_enc, x_dec], y, epochs=8, batch_size=32, verbose=0).history
    assert history["loss"][-1] < 0.7 * history["loss"][0]
    # gradients reach the encoder only through the decoder's initial_state
    for before, after in zip(encoder_before, model.get_layer("encoder").get_weights()):
        assert not np.allclose(before, after)
    proba = model.predict([x_enc[:6], x_dec[:6]], verbose=0)
    assert proba.shape == (6, STEPS, VOCAB) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0, rtol=1e-5)


def test_encoder_decoder_gradient_matches_eager_composition(float64):
    """The replayed graph gives the loss and gradients of the same layers called eagerly."""
    model = _encoder_decoder()
    x_enc, x_dec, tokens = _copy_data(3)
    x_enc, x_dec = x_enc.astype("float64"), x_dec.astype("float64")
    encoder, decoder, head = (model.get_layer(n) for n in ("encoder", "decoder", "tokens"))
    _, h, c = encoder(x_enc)
    eager = head(decoder(x_dec, initial_state=[h, c]))
    loss = keras.losses.SparseCategoricalCrossentropy()(tokens, eager)
    for w in model.trainable_weights:
        w.grad = None
    loss.backward()
    expected = {w.path: np.array(w.grad) for w in model.trainable_weights}
    before = {w.path: w.data.copy() for w in model.trainable_weights}
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="sparse_categorical_crossentropy")
    value = model.train_on_batch([x_enc, x_dec], tokens)
    assert value == pytest.approx(float(loss.data), rel=1e-12)
    for w in model.trainable_weights:
        np.testing.assert_allclose(before[w.path] - w.data, expected[w.path], rtol=1e-9, atol=1e-12, err_msg=w.path)


def test_encoder_decoder_save_load_identical_predictions(tmp_path):
    model = _encoder_decoder()
    x_enc, x_dec, tokens = _copy_data(64)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit([x_enc, x_dec], tokens, epochs=1, verbose=0)
    expected = model.predict([x_enc, x_dec], verbose=0)
    path = tmp_path / "seq2seq.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict([x_enc, x_dec], verbose=0), expected)
    # and the config is plain JSON with the states as tensor references in the decoder's kwargs
    config = json.loads(json.dumps(model.get_config()))
    decoder = next(entry for entry in config["layers"] if entry["name"] == "decoder")
    (node,) = decoder["inbound_nodes"]
    states = node["kwargs"]["initial_state"]
    assert [s["config"]["keras_history"] for s in states] == [["encoder", 0, 1], ["encoder", 0, 2]]
    assert all(s["class_name"] == "__keras_tensor__" for s in states)
    rebuilt = keras.Model.from_config(config)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict([x_enc, x_dec], verbose=0), expected)


def test_clone_keeps_keyword_tensors():
    model = _encoder_decoder()
    x_enc, x_dec, _ = _copy_data(4)
    twin = clone_model(model)
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(twin.predict([x_enc, x_dec], verbose=0), model.predict([x_enc, x_dec], verbose=0),
                               rtol=1e-6)


def test_inference_models_share_layers_with_state_inputs():
    """The Keras seq2seq recipe: separate encoder and one-step decoder models over the same layers."""
    enc_in = keras.Input(shape=(None, VOCAB))
    dec_in = keras.Input(shape=(None, VOCAB))
    _, h, c = layers.LSTM(UNITS, return_state=True)(enc_in)
    decoder = layers.LSTM(UNITS, return_sequences=True, return_state=True)
    dense = layers.Dense(VOCAB, activation="softmax")
    seq, _, _ = decoder(dec_in, initial_state=[h, c])
    training_model = keras.Model([enc_in, dec_in], dense(seq))
    encoder_model = keras.Model(enc_in, [h, c])
    h_in, c_in = keras.Input(shape=(UNITS,)), keras.Input(shape=(UNITS,))
    step_seq, step_h, step_c = decoder(dec_in, initial_state=[h_in, c_in])
    step_model = keras.Model([dec_in, h_in, c_in], [dense(step_seq), step_h, step_c])
    x_enc, x_dec, _ = _copy_data(3)
    full = training_model.predict([x_enc, x_dec], verbose=0)
    states = encoder_model.predict(x_enc, verbose=0)
    stepped = []
    for t in range(STEPS):  # feeding the decoder one step at a time with its own states gives the same result
        proba, *states = step_model.predict([x_dec[:, t:t + 1], *states], verbose=0)
        stepped.append(proba[:, 0])
    np.testing.assert_allclose(np.stack(stepped, axis=1), full, rtol=1e-5, atol=1e-6)


def test_mask_keyword_tensor():
    """``layer(x, mask=m)`` with ``m`` from an Input: masked steps are skipped as with an eager mask."""
    x = keras.Input(shape=(4, 2))
    m = keras.Input(shape=(4,))
    lstm = layers.LSTM(3)
    model = keras.Model([x, m], lstm(x, mask=m))
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(2, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], dtype="float32")
    got = model.predict([xs, mask], verbose=0)
    np.testing.assert_allclose(got[0], lstm(xs[:1, :2]).data[0], rtol=1e-5)  # only the kept steps count
    np.testing.assert_allclose(got, lstm(xs, mask=mask.astype(bool)).data, rtol=1e-6)
    loaded = keras.Model.from_config(json.loads(json.dumps(model.get_config())))
    loaded.set_weights(model.get_weights())
    np.testing.assert_allclose(loaded.predict([xs, mask], verbose=0), got, rtol=1e-6)


class _Gate(layers.Layer):
    """``inputs * sigmoid(gate) + shift['bias']``: a tensor as an extra positional and in a dict keyword."""

    def call(self, inputs, gate, shift=None):
        return inputs * ops.sigmoid(gate) + shift["bias"]

    def compute_output_shape(self, input_shape):
        return input_shape


def test_positional_and_nested_dict_tensors():
    a, b, s = keras.Input(shape=(3,)), keras.Input(shape=(3,)), keras.Input(shape=(3,))
    out = _Gate()(a, b, shift={"bias": s})
    assert out._node.call_tensors == [b, s]
    model = keras.Model([a, b, s], out)
    rng = np.random.default_rng(0)
    xa, xb, xs = rng.normal(size=(3, 2, 3)).astype("float32")
    np.testing.assert_allclose(model.predict([xa, xb, xs], verbose=0), xa / (1 + np.exp(-xb)) + xs, rtol=1e-6)


def test_missing_keyword_input_is_a_disconnected_graph():
    x = keras.Input(shape=(3, 2), name="x")
    h = keras.Input(shape=(4,), name="h")
    c = keras.Input(shape=(4,), name="c")
    y = layers.LSTM(4)(x, initial_state=[h, c])
    with pytest.raises(ValueError, match="graph disconnected.*the input '[hc]'"):
        keras.Model(x, y)
