"""check_gradients: a whole model checked layer by layer in isolation and end to end, on a float64 copy."""

import numpy as np
import pytest

import neuronet
from neuronet import config, diagnostics, layers
from neuronet.autograd import Function


class WrongSquare(Function):
    # y = x²      dx should be 2·x·gy; this backward forgets the 2
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x


class Square(layers.Layer):
    """A custom layer without weights whose op has a deliberately wrong backward."""

    def call(self, inputs):
        return WrongSquare.apply(inputs)


class Scale(layers.Layer):
    """A custom layer with one weight, built from the library's ops (correct)."""

    def build(self, input_shape):
        self.alpha = self.add_weight((input_shape[-1],), "ones", name="alpha")

    def call(self, inputs):
        return inputs * self.alpha


def _data(n=8, features=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, features)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")


def test_a_wrong_backward_in_a_weightless_custom_layer_is_named():
    model = neuronet.Sequential([layers.Input((4,)), layers.Dense(5, activation="tanh", name="hidden"),
                                 Square(name="square"), Scale(name="scale"), layers.Dense(1, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    report = diagnostics.check_gradients(model, *_data())
    assert not report.passed
    assert report.culprits == ["square"]
    assert "square/input" in report.failed
    # the layers whose gradient flows through the wrong op fail end to end; those after it do not
    assert "end to end: hidden/kernel" in report.failed
    assert "end to end: out/kernel" not in report.failed and "end to end: scale/alpha" not in report.failed
    row = next(r for r in report.rows if r["layer"] == "square")
    assert row["max_rel_error"] == pytest.approx(0.5, rel=1e-3)  # gy·x instead of 2·gy·x
    text = str(report)
    assert "Wrong backward in layer(s) 'square'" in text and "FAILED" in text


def test_a_correct_model_with_conv_lstm_dropout_and_batchnorm_passes():
    rng = np.random.default_rng(1)
    x = rng.random((12, 10, 3)).astype("float32")
    y = rng.integers(0, 3, 12)
    model = neuronet.Sequential([
        layers.Input((10, 3)), layers.Conv1D(6, 3, activation="relu"), layers.MaxPooling1D(2),
        layers.LSTM(8, return_sequences=True), layers.GRU(6), layers.Dropout(0.3), layers.BatchNormalization(),
        layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    report = diagnostics.check_gradients(model, x, y)
    assert report.passed, str(report)
    scopes = {(r["scope"], r["layer"]) for r in report.rows}
    for name in ("conv1d", "max_pooling1d", "lstm", "gru", "dropout", "batch_normalization", "dense"):
        assert ("layer", name) in scopes
    assert ("model", "lstm") in scopes
    lstm = [r for r in report.rows if r["layer"] == "lstm" and r["tensor"] == "recurrent_kernel"]
    assert lstm[0]["checked"].endswith("+ 3 dir.")  # a large tensor is sampled, not checked entry by entry


def test_a_wrong_backward_between_a_convolution_and_an_lstm_is_named():
    # a conv + LSTM model of a few thousand weights: large tensors are sampled, the culprit still named
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(16, 20, 4)).astype("float32"), rng.integers(0, 3, 16)
    model = neuronet.Sequential([
        layers.Input((20, 4)), layers.Conv1D(16, 3, activation="relu", name="conv"), layers.MaxPooling1D(2),
        Square(name="square"), layers.LSTM(24, name="lstm"), layers.Dense(16, activation="relu"),
        layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    report = diagnostics.check_gradients(model, x, y)
    assert model.count_params() > 4000
    assert report.culprits == ["square"], str(report)
    assert set(report.failed) == {"square/input", "end to end: conv/kernel", "end to end: conv/bias"}


def test_the_model_is_left_unchanged():
    model = neuronet.Sequential([layers.Input((4,)), layers.Dense(5, activation="relu"), layers.Dropout(0.5),
                                 layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    weights = model.get_weights()
    grads = [None if v.grad is None else v.grad.copy() for v in model.weights]
    state = model.optimizer.state_dict()
    rng_state = config.rng().bit_generator.state
    report = diagnostics.check_gradients(model, x, y)
    assert report.passed
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
        assert b.dtype == np.float32
    for v, g in zip(model.weights, grads):
        assert (v.grad is None) == (g is None)
    new_state = model.optimizer.state_dict()
    assert state.keys() == new_state.keys() and all(np.array_equal(state[k], new_state[k]) for k in state)
    assert config.rng().bit_generator.state == rng_state
    assert config.floatx() == "float32"
    assert model.predict(x, verbose=0).dtype == np.float32


def test_layers_only_without_targets_and_an_explicit_loss():
    model = neuronet.Sequential([layers.Input((4,)), layers.Dense(3, activation="sigmoid"), layers.Dense(1)])
    x, y = _data()
    report = diagnostics.check_gradients(model, x, end_to_end=False)
    assert report.passed and all(r["scope"] == "layer" for r in report.rows)
    report = diagnostics.check_gradients(model, x, y, loss="mse")
    assert report.passed and any(r["scope"] == "model" for r in report.rows)


def test_relu_kinks_are_skipped_not_reported():
    # every hidden pre-activation sits exactly on relu's kink at 0 for the first sample
    model = neuronet.Sequential([layers.Input((2,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[0.0, 0.0], [1.0, -1.0], [0.5, 2.0]], "float32")
    report = diagnostics.check_gradients(model, x, np.ones((3, 1), "float32"))
    assert report.passed, str(report)
    assert sum(r["skipped"] for r in report.rows) > 0


def test_errors_before_any_work():
    model = neuronet.Sequential([layers.Input((4,)), layers.Dense(1)])
    x, y = _data()
    with pytest.raises(TypeError, match="expected a neuronet Model"):
        diagnostics.check_gradients(layers.Dense(1), x, y)
    with pytest.raises(ValueError, match="not compiled with a loss"):
        diagnostics.check_gradients(model, x, y)
    with pytest.raises(ValueError, match="needs the targets y"):
        diagnostics.check_gradients(model, x, loss="mse")
    with pytest.raises(ValueError, match="x has 8, y has 3"):
        diagnostics.check_gradients(model, x, y[:3], loss="mse")
    with pytest.raises(ValueError, match=r"eps to be a number in \[1e-12, 0.1\], received eps=-1"):
        diagnostics.check_gradients(model, x, y, loss="mse", eps=-1)


def test_subclassed_model_with_an_embedding_and_a_two_input_two_output_functional_model():
    class Tagger(neuronet.Model):
        def __init__(self):
            super().__init__()
            self.embed = layers.Embedding(20, 4)
            self.rnn = layers.LSTM(5)
            self.out = layers.Dense(1, activation="sigmoid")

        def call(self, inputs, training=None):
            return self.out(self.rnn(self.embed(inputs)))

    rng = np.random.default_rng(2)
    model = Tagger()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    report = diagnostics.check_gradients(model, rng.integers(0, 20, (8, 6)), rng.integers(0, 2, 8))
    assert report.passed, str(report)
    assert [r["tensor"] for r in report.rows if r["layer"] == "embedding" and r["scope"] == "layer"] == ["embeddings"]

    a, b = layers.Input((3,)), layers.Input((2,))
    joined = layers.Concatenate(name="join")([layers.Dense(4, activation="tanh")(a), b])
    model = neuronet.Model([a, b], [layers.Dense(1, name="o1")(joined),
                                    layers.Dense(2, activation="softmax", name="o2")(joined)])
    model.compile(optimizer="sgd", loss=["mse", "categorical_crossentropy"], loss_weights=[1.0, 0.5])
    xs = [rng.normal(size=(8, 3)), rng.normal(size=(8, 2))]
    ys = [rng.normal(size=(8, 1)), np.eye(2)[rng.integers(0, 2, 8)]]
    report = diagnostics.check_gradients(model, xs, ys)
    assert report.passed, str(report)
    assert {r["tensor"] for r in report.rows if r["layer"] == "join"} == {"input 0", "input 1"}


def test_noise_from_a_seed_generator_is_replayed_and_the_models_stream_untouched():
    class Noisy(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = neuronet.random.SeedGenerator(7)

        def call(self, inputs, training=None):
            if not training:
                return inputs
            return inputs * (1.0 + 0.5 * neuronet.random.normal(inputs.shape, dtype=inputs.dtype,
                                                               seed=self.seed_generator))

    model = neuronet.Sequential([layers.Input((4,)), layers.Dense(3, activation="tanh"), Noisy(name="noisy"),
                                 layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    state = model.get_layer("noisy").seed_generator.state.data.copy()
    report = diagnostics.check_gradients(model, *_data())
    assert report.passed and not report.notes, str(report)
    np.testing.assert_array_equal(model.get_layer("noisy").seed_generator.state.data, state)
    assert model.get_layer("noisy").seed_generator.state.data.dtype == np.uint32
