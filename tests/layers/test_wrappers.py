"""Bidirectional and TimeDistributed."""

import numpy as np
import pytest

from neuronet import layers, ops
from neuronet.autograd import gradcheck
from neuronet.layers.wrappers import merge_directions


def _x(rng, batch=2, steps=4, features=3):
    return rng.standard_normal((batch, steps, features))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_gradcheck(float64, rng, merge_mode, return_sequences):
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=return_sequences), merge_mode=merge_mode)
    x = _x(rng)
    layer(x)
    gradcheck(lambda t: layer(t), [x], params=layer.weights)


def test_merge_of_the_directions_and_reversal_gradcheck(rng):
    a, b = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 2))
    for mode in ("concat", "sum", "ave", "mul"):
        gradcheck(lambda p, q: merge_directions(p, ops.reverse_sequence(q), mode=mode), [a, b])
        gradcheck(lambda p, q: merge_directions(p[:, 0], q[:, 0], mode=mode), [a, b])
    gradcheck(ops.reverse_sequence, [a])
    y = merge_directions(a, ops.reverse_sequence(b), mode="concat").data
    np.testing.assert_array_equal(y[:, 0, 2:], b[:, -1])
    np.testing.assert_array_equal(ops.reverse_sequence(a).data, ops.flip(a, axis=1).data)
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        merge_directions(a, b, mode="max")


def test_bidirectional_matches_two_layers_keras_semantics(rng):
    x = _x(rng).astype(np.float32)
    bi = layers.Bidirectional(layers.LSTM(3, return_sequences=True))
    y = bi(x).data
    assert y.shape == (2, 4, 6)
    assert bi.forward_layer.name.startswith("forward_") and bi.backward_layer.name.startswith("backward_")
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    fwd, bwd = layers.LSTM(3, return_sequences=True), layers.LSTM(3, return_sequences=True)
    fwd(x)
    bwd(x)
    w = bi.get_weights()
    assert len(w) == 6  # forward's kernel, recurrent_kernel, bias, then backward's
    fwd.set_weights(w[:3])
    bwd.set_weights(w[3:])
    np.testing.assert_allclose(y[..., :3], fwd(x).data, atol=1e-6)
    # the backward half runs on the reversed sequence and is reversed back: step t sees x[t:]
    np.testing.assert_allclose(y[..., 3:], bwd(x[:, ::-1]).data[:, ::-1], atol=1e-6)


def test_bidirectional_merge_none_and_return_state(rng):
    x = _x(rng).astype(np.float32)
    a, b = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=None)(x)
    assert a.shape == b.shape == (2, 4, 2)
    out = layers.Bidirectional(layers.LSTM(2, return_state=True))(x)
    assert len(out) == 5 and out[0].shape == (2, 4)
    np.testing.assert_array_equal(out[0].data[:, :2], out[1].data)  # forward h
    shape = layers.Bidirectional(layers.LSTM(2, return_state=True)).compute_output_shape((None, 4, 3))
    assert shape == [(None, 4)] + [(None, 2)] * 4


def test_bidirectional_mask_gives_zeros_and_matches_unpadded(rng):
    x = _x(rng, steps=5).astype(np.float32)
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    bi = layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True))
    y = bi(x, mask=mask)
    np.testing.assert_array_equal(y.data[1, 3:], 0.0)
    np.testing.assert_array_equal(y._keras_mask, mask)
    np.testing.assert_allclose(y.data[1, :3], bi(x[1:, :3]).data[0], atol=1e-6)
    last = layers.Bidirectional(layers.LSTM(2))
    np.testing.assert_allclose(last(x, mask=mask).data[1], last(x[1:, :3]).data[0], atol=1e-6)


def test_bidirectional_config_round_trip(rng):
    x = _x(rng).astype(np.float32)
    bi = layers.Bidirectional(layers.GRU(2), merge_mode="sum")
    y = bi(x).data
    clone = layers.Bidirectional.from_config(bi.get_config())
    clone(x)
    clone.set_weights(bi.get_weights())
    np.testing.assert_array_equal(clone(x).data, y)
    assert clone.merge_mode == "sum"


def test_bidirectional_errors():
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="must be a Layer instance"):
        layers.Bidirectional("lstm")
    with pytest.raises(ValueError, match="different go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="same return_sequences"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2, go_backwards=True, return_sequences=True))


def test_time_distributed_dense(float64, rng):
    td = layers.TimeDistributed(layers.Dense(3))
    x = _x(rng)
    y = td(x)
    assert y.shape == (2, 4, 3)
    dense = td.layer
    np.testing.assert_allclose(y.data[1, 2], x[1, 2] @ dense.kernel.data + dense.bias.data, atol=1e-12)
    gradcheck(lambda t: td(t), [x], params=td.weights)
    assert td.compute_output_shape((None, 4, 3)) == (None, 4, 3)
    with pytest.raises(ValueError, match="expected min_ndim=3"):
        td(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must be a Layer instance"):
        layers.TimeDistributed(3)


def test_time_distributed_passes_mask_through(rng):
    emb = layers.Embedding(5, 3, mask_zero=True)
    td = layers.TimeDistributed(layers.Dense(2))
    y = td(emb(np.array([[0, 1, 2]])))
    np.testing.assert_array_equal(y._keras_mask, [[False, True, True]])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional_matches_keras(rng, merge_mode):
    keras = pytest.importorskip("keras")  # skipped unless Keras 3 is installed
    x = rng.standard_normal((3, 6, 4)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1]], bool)
    theirs = keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True), merge_mode=merge_mode)
    ours = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode=merge_mode)
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x, mask=mask).data, np.asarray(theirs(x, mask=mask)), atol=1e-5)


def test_wrapper_base_class_builds_owns_and_saves_the_inner_layer(tmp_path):
    import neuronet as keras

    @keras.saving.register_keras_serializable(package="tests_wrapper")
    class Doubled(keras.layers.Wrapper):
        def call(self, inputs):
            return self.layer(inputs) * 2.0

    model = keras.Sequential([keras.Input((3,)), Doubled(keras.layers.Dense(2))])
    x = np.arange(6, dtype="float32").reshape(2, 3)
    inner = model.layers[0].layer
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * (x @ inner.kernel.data + inner.bias.data), rtol=1e-6)
    assert len(model.trainable_weights) == 2
    config = model.layers[0].get_config()
    assert config["layer"]["class_name"] == "Dense" and config["layer"]["config"]["units"] == 2
    model.save(tmp_path / "w.keras")
    again = keras.saving.load_model(tmp_path / "w.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="Doubled: expected layer to be a Layer instance"):
        Doubled("dense")


def test_spectral_normalization_divides_the_kernel_by_its_largest_singular_value(rng):
    layer = layers.SpectralNormalization(layers.Dense(4), power_iterations=30)
    x = rng.normal(size=(3, 6)).astype("float64")
    layer.build((None, 6))
    kernel = rng.normal(size=(6, 4))
    layer.set_weights([kernel, rng.normal(size=(1, 4)), np.zeros(4)])  # Keras order: kernel, vector_u, bias
    np.testing.assert_allclose(layer(x, training=False).data, x @ kernel, rtol=1e-5)  # inference: as is
    layer(x, training=True)
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    np.testing.assert_allclose(layer.layer.kernel.data, kernel / sigma, rtol=1e-4)
    assert np.linalg.svd(layer.layer.kernel.data, compute_uv=False)[0] == pytest.approx(1.0, rel=1e-4)
    assert [w.name for w in layer.weights] == ["kernel", "vector_u", "bias"]
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]


def test_spectral_normalization_gradcheck_config_and_errors(float64, rng):
    layer = layers.SpectralNormalization(layers.Dense(3), power_iterations=2)
    x = rng.normal(size=(4, 5))
    layer.build((None, 5))
    gradcheck(lambda t: layer(t, training=False), [x], params=layer.trainable_weights)
    config = layer.get_config()
    assert config["power_iterations"] == 2 and config["layer"]["class_name"] == "Dense"
    again = layers.SpectralNormalization.from_config(config)
    assert again.power_iterations == 2 and again.layer.units == 3
    with pytest.raises(ValueError, match="expected power_iterations to be a positive integer"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="Flatten has no 'kernel' nor 'embeddings'"):
        layers.SpectralNormalization(layers.Flatten()).build((None, 2, 2))
