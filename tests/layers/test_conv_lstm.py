"""ConvLSTM1D/2D/3D: the step against a NumPy ConvLSTM written with explicit loops, shapes and options,
float64 gradchecks, configs, errors, and .keras files (Keras agreement: tests/saving/test_keras_interop.py)."""

import json

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers
from neuronet.autograd import gradcheck


def _conv2d_same_stride1(x, k):
    """Cross-correlation of (b, h, w, c) with (kh, kw, c, f), 'same' padding (extra pixel after), stride 1."""
    kh, kw = k.shape[:2]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    padded = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    out = np.zeros(x.shape[:3] + (k.shape[-1],))
    for i in range(kh):
        for j in range(kw):
            out += padded[:, i:i + x.shape[1], j:j + x.shape[2], :] @ k[i, j]
    return out


def _conv_lstm2d_numpy(x, kernel, recurrent_kernel, bias):
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    b, t, hgt, wid, _ = x.shape
    filters = recurrent_kernel.shape[2]
    h = c = np.zeros((b, hgt, wid, filters))
    outputs = []
    for step in range(t):
        z = _conv2d_same_stride1(x[:, step], kernel) + _conv2d_same_stride1(h, recurrent_kernel) + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def test_conv_lstm2d_matches_numpy_loops(float64, rng):
    x = rng.normal(size=(2, 3, 4, 5, 2))
    layer = layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True, return_state=True)
    layer.build(x.shape)
    weights = [rng.normal(size=w.shape) * 0.4 for w in layer.get_weights()]
    layer.set_weights(weights)
    sequence, h, c = layer(x)
    want_sequence, want_h, want_c = _conv_lstm2d_numpy(x, *weights)
    np.testing.assert_allclose(sequence.data, want_sequence, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h.data, want_h, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.data, want_c, rtol=1e-10, atol=1e-12)
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    backwards = layers.ConvLSTM2D(3, 3, padding="same", go_backwards=True)
    backwards.build(x.shape)
    backwards.set_weights(weights)
    np.testing.assert_allclose(backwards(x).data, _conv_lstm2d_numpy(x[:, ::-1], *weights)[1], rtol=1e-10)


@pytest.mark.parametrize("cls,shape,kwargs,out", [
    (layers.ConvLSTM1D, (2, 4, 9, 3), dict(filters=2, kernel_size=3, strides=2), (2, 4, 2)),
    (layers.ConvLSTM2D, (2, 4, 6, 5, 3), dict(filters=4, kernel_size=(3, 2)), (2, 4, 4, 4)),
    (layers.ConvLSTM2D, (2, 4, 6, 5, 3), dict(filters=4, kernel_size=3, return_sequences=True), (2, 4, 4, 3, 4)),
    (layers.ConvLSTM3D, (1, 2, 4, 4, 3, 2), dict(filters=2, kernel_size=2), (1, 3, 3, 2, 2)),
])
def test_output_shapes(rng, cls, shape, kwargs, out):
    layer = cls(**kwargs)
    y = layer(rng.normal(size=shape).astype("float32"))
    assert y.shape == out and layer.compute_output_shape((None,) + shape[1:]) == (None,) + out[1:]


def test_unit_forget_bias_and_dropout(rng):
    layer = layers.ConvLSTM2D(2, 1)
    layer.build((None, 2, 3, 3, 1))
    np.testing.assert_array_equal(layer.cell.bias.data, [0, 0, 1, 1, 0, 0, 0, 0])
    x = rng.normal(size=(2, 3, 4, 4, 1)).astype("float32")
    dropped = layers.ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    assert np.array_equal(dropped(x, training=False).data, dropped(x, training=False).data)
    assert not np.array_equal(dropped(x, training=True).data, dropped(x, training=False).data)


def test_gradcheck(float64, rng):
    layer = layers.ConvLSTM2D(2, 2, padding="same", return_sequences=True)
    x = rng.normal(size=(1, 3, 3, 3, 2))
    layer.build(x.shape)
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape) * 0.5
    gradcheck(lambda t: layer(t), [x], params=layer.trainable_weights)


def test_config_round_trip_and_keras_file(tmp_path, rng):
    layer = layers.ConvLSTM2D(3, (2, 3), strides=(1, 2), padding="same", activation="relu",
                              recurrent_activation="hard_sigmoid", return_sequences=True, dropout=0.1, seed=4)
    config = json.loads(json.dumps(layer.get_config()))
    assert layers.ConvLSTM2D.from_config(config).get_config() == layer.get_config()
    model = keras.Sequential([keras.Input((3, 4, 6, 2)), layer, layers.Flatten(), layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    x = rng.normal(size=(2, 3, 4, 6, 2)).astype("float32")
    np.testing.assert_allclose(keras.saving.load_model(tmp_path / "m.keras").predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    (dict(filters=0, kernel_size=3), "expected filters to be a positive integer"),
    (dict(filters=2, kernel_size=3, stateful=True), "stateful=True is not supported"),
    (dict(filters=2, kernel_size=3, dropout=1.0), "expected dropout in \\[0, 1\\)"),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), "only data_format='channels_last'"),
])
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.ConvLSTM2D(**kwargs)
    with pytest.raises(ValueError, match="kernel_size \\(5, 5\\) is larger"):
        layers.ConvLSTM2D(2, 5).build((None, 2, 3, 3, 1))
