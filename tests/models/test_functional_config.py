"""Functional models end to end: residual blocks, two-input models and an autoencoder train with fit;
get_config/from_config round trips (JSON, registry only, tampered configs); Model.from_config and
Sequential round trips; clone_model."""

import json

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.models import Functional, Model, Sequential, clone_model


def _loss_falls(history, factor: float = 0.7) -> None:
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < factor * losses[0], losses


def _regression(n=160, features=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype("float32")
    w = rng.normal(size=(features, 1))
    y = (np.tanh(X @ w) + 0.3 * X[:, :1] * X[:, 1:2]).astype("float32")
    return X, y


# ----------------------------------------------------------------------------- training
def test_residual_block_trains():
    X, y = _regression()
    inputs = layers.Input(shape=(6,))
    h = layers.Dense(16, activation="relu")(inputs)
    for _ in range(2):  # two residual blocks: h + f(h)
        f = layers.Dense(16, activation="relu")(h)
        f = layers.Dense(16)(f)
        h = layers.Add()([h, f])
    outputs = layers.Dense(1)(h)
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    _loss_falls(model.fit(X, y, epochs=15, batch_size=32, verbose=0), factor=0.5)


def test_two_input_model_with_merges_and_operators_trains():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(200, 5)).astype("float32")
    b = rng.normal(size=(200, 3)).astype("float32")
    y = ((a[:, :3] * b).sum(1) > 0).astype("float32")[:, None]  # needs both inputs
    in_a, in_b = layers.Input(shape=(5,), name="a"), layers.Input(shape=(3,), name="b")
    ha = layers.Dense(8, activation="tanh")(in_a)
    hb = layers.Dense(8, activation="tanh")(in_b)
    merged = layers.concatenate([ha, hb, layers.multiply([ha, hb]), ha - hb])
    gate = layers.Dot(axes=1, normalize=True)([ha, hb])
    hidden = layers.Dense(16, activation="relu")(merged)
    outputs = layers.Dense(1, activation="sigmoid")(layers.Concatenate()([hidden, gate]))
    model = Model([in_a, in_b], outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit([a, b], y, epochs=30, batch_size=32, verbose=0)
    _loss_falls(history, factor=0.8)
    assert history.history["accuracy"][-1] > 0.75


def test_dense_autoencoder_trains():
    # 64-dimensional data on a 4-dimensional subspace: a 64 -> 16 -> 64 autoencoder learns to reconstruct it
    rng = np.random.default_rng(2)
    codes = rng.normal(size=(256, 4))
    X = (1.0 / (1.0 + np.exp(-codes @ rng.normal(size=(4, 64))))).astype("float32")
    inputs = layers.Input(shape=(64,))
    encoded = layers.Dense(16, activation="relu")(inputs)
    decoded = layers.Dense(64, activation="sigmoid")(encoded)
    autoencoder = Model(inputs, decoded)
    encoder = Model(inputs, encoded)  # shares the layers, as in the Keras autoencoder guide
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    baseline = autoencoder.evaluate(X, X, verbose=0)
    autoencoder.fit(X, X, epochs=40, batch_size=32, shuffle=True, verbose=0)
    after = autoencoder.evaluate(X, X, verbose=0)
    mse_mean = float(np.mean((X - X.mean(0)) ** 2))
    mse = float(np.mean((autoencoder.predict(X, verbose=0) - X) ** 2))
    assert after < baseline
    assert mse < 0.3 * mse_mean, (mse, mse_mean)  # far better than predicting the mean
    assert encoder.predict(X[:3], verbose=0).shape == (3, 16)


# ----------------------------------------------------------------------------- config round trips
def _graph_model():
    """A graph with two inputs, a shared layer, a nested Sequential, merges, operators and two outputs."""
    a, b = layers.Input(shape=(4,), name="left"), layers.Input(shape=(4,), name="right")
    shared = layers.Dense(5, activation="tanh", name="shared")
    sa, sb = shared(a), shared(b)
    tower = Sequential([layers.Dense(5, activation="relu", input_dim=5), layers.Dropout(0.1)], name="tower")
    merged = layers.Concatenate(name="cat")([tower(sa), sb, layers.maximum([sa, sb])])
    residual = layers.Add(name="residual")([layers.Dense(15)(merged), merged])
    score = layers.Dot(axes=1, normalize=True, name="cosine")([sa, sb])
    out1 = layers.Dense(2, activation="softmax", name="cls")(residual * 0.5 - 1.0)
    out2 = layers.Dense(1, name="reg")(layers.Concatenate()([-sa, score]))
    return Model([a, b], [out1, out2], name="two_towers")


def test_config_is_json_and_round_trips_to_the_same_predictions():
    model = _graph_model()
    config = model.get_config()
    text = json.dumps(config)  # plain data only
    assert config["input_layers"] == [["left", 0, 0], ["right", 0, 0]]
    assert config["output_layers"] == [["cls", 0, 0], ["reg", 0, 0]]
    shared = next(entry for entry in config["layers"] if entry["name"] == "shared")
    assert len(shared["inbound_nodes"]) == 2  # called twice
    rebuilt = Functional.from_config(json.loads(text))
    assert isinstance(rebuilt, Functional) and rebuilt.name == "two_towers"
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in model.layers]
    assert [w.shape for w in rebuilt.weights] == [w.shape for w in model.weights]
    assert not all(np.array_equal(p, q) for p, q in zip(rebuilt.get_weights(), model.get_weights()))
    rebuilt.set_weights(model.get_weights())
    rng = np.random.default_rng(3)
    x = [rng.normal(size=(7, 4)).astype("float32") for _ in range(2)]
    for p, q in zip(model.predict(x, verbose=0), rebuilt.predict(x, verbose=0)):
        np.testing.assert_array_equal(p, q)
    assert rebuilt.get_config() == config


def test_model_from_config_dispatches_to_functional():
    model = _graph_model()
    rebuilt = Model.from_config(json.loads(json.dumps(model.get_config())))
    assert isinstance(rebuilt, Functional)
    assert rebuilt.output_shape == model.output_shape


def test_single_input_output_config_and_compile_after_rebuild():
    X, y = _regression(n=64)
    inputs = layers.Input(shape=(6,))
    outputs = layers.Dense(1)(layers.Dense(8, activation="relu")(inputs))
    model = Model(inputs, outputs)
    config = model.get_config()
    assert config["input_layers"] == [inputs.name, 0, 0]  # one input: a single reference, not a list
    assert config["output_layers"] == [model.layers[-1].name, 0, 0]
    twin = Model.from_config(config)
    twin.compile(optimizer="sgd", loss="mse")
    assert np.isfinite(twin.fit(X, y, epochs=1, verbose=0).history["loss"][0])


def test_config_matches_the_saved_file_format(tmp_path):
    model = _graph_model()
    from neuronet.saving import serialization

    assert serialization.model_to_config(model)["config"] == model.get_config()
    path = tmp_path / "graph.keras"
    neuronet.saving.save_model(model, path)
    loaded = neuronet.saving.load_model(path)
    x = [np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")]
    for p, q in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_allclose(p, q, rtol=1e-6)


@pytest.mark.parametrize("name", ["os.system", "builtins.eval", "NotALayer", "Lambda"])
def test_tampered_config_with_an_unknown_class_is_refused(name):
    config = json.loads(json.dumps(_graph_model().get_config()))
    entry = next(e for e in config["layers"] if e["name"] == "cat")
    entry["class_name"] = name
    with pytest.raises(ValueError, match=repr(name) if name != "Lambda" else "Lambda layers cannot be rebuilt"):
        Functional.from_config(config)


def test_tampered_graph_references_are_refused():
    config = json.loads(json.dumps(_graph_model().get_config()))
    config["output_layers"][0] = ["no_such_layer", 0, 0]
    with pytest.raises(ValueError, match="no_such_layer"):
        Functional.from_config(config)
    with pytest.raises(ValueError, match="expected a dict"):
        Functional.from_config("not a config")


class TimesConstant(layers.Layer):
    """A user layer known only through custom_objects."""

    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_need_custom_objects():
    inputs = layers.Input(shape=(3,))
    model = Model(inputs, layers.Dense(2)(TimesConstant(3.0)(inputs)))
    config = json.loads(json.dumps(model.get_config()))
    with pytest.raises(ValueError, match="unknown layer class 'TimesConstant'"):
        Functional.from_config(config)
    rebuilt = Functional.from_config(config, custom_objects={"TimesConstant": TimesConstant})
    rebuilt.set_weights(model.get_weights())
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    with pytest.raises(TypeError, match="custom_objects must be a dict"):
        Functional.from_config(config, custom_objects=[TimesConstant])


def test_sequential_config_round_trips():
    model = Sequential([layers.Dense(4, activation="relu", input_dim=3), layers.Dropout(0.2), layers.Dense(2)])
    config = json.loads(json.dumps(model.get_config()))
    twin = Sequential.from_config(config)
    assert twin.built and twin.input_shape == (None, 3)
    twin.set_weights(model.get_weights())
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    assert twin.get_config() == config


def test_nested_models_round_trip_inside_sequential():
    inputs = layers.Input(shape=(2,))
    block = Model(inputs, layers.Add()([layers.Dense(2)(inputs), inputs]), name="block")
    model = Sequential([Sequential([layers.Dense(2, input_dim=2)], name="inner"), block, layers.Dense(1)])
    twin = Sequential.from_config(json.loads(json.dumps(model.get_config())))
    assert [type(layer).__name__ for layer in twin.layers] == ["Sequential", "Functional", "Dense"]
    twin.set_weights(model.get_weights())
    x = np.arange(6, dtype="float32").reshape(3, 2)
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    bad = json.loads(json.dumps(model.get_config()))
    bad["layers"][2]["class_name"] = "subprocess.Popen"
    with pytest.raises(ValueError, match="unknown layer class 'subprocess.Popen'"):
        Sequential.from_config(bad)


# ----------------------------------------------------------------------------- clone_model
def test_clone_functional_model_has_new_weights_and_same_architecture():
    model = _graph_model()
    twin = clone_model(model)
    assert isinstance(twin, Functional) and twin is not model
    assert [layer.name for layer in twin.layers] == [layer.name for layer in model.layers]
    assert not any(w1 is w2 for w1, w2 in zip(twin.weights, model.weights))
    assert len(twin.weights) == len(model.weights)  # the shared Dense is still shared (counted once)
    twin.set_weights(model.get_weights())
    x = [np.full((2, 4), 0.5, "float32"), np.ones((2, 4), "float32")]
    for p, q in zip(model.predict(x, verbose=0), twin.predict(x, verbose=0)):
        np.testing.assert_array_equal(p, q)
    model.get_layer("shared").kernel.data[...] += 1.0  # changing the original leaves the clone alone
    assert not np.array_equal(model.get_layer("shared").kernel.data, twin.get_layer("shared").kernel.data)


def test_clone_sequential_lambda_and_clone_function():
    model = Sequential([layers.Dense(3, input_dim=2), layers.Lambda(lambda t: t * 2.0), layers.Dense(1)])
    twin = clone_model(model)
    assert isinstance(twin, Sequential) and twin.built
    twin.set_weights(model.get_weights())
    x = np.ones((2, 2), "float32")
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)

    def no_activation(layer):
        config = layer.get_config()
        if isinstance(layer, layers.Dense):
            config["units"] += 1
            return layers.Dense.from_config(config)
        return layer

    wider = clone_model(model, clone_function=no_activation)
    assert wider.output_shape == (None, 2)
    with pytest.raises(TypeError, match="must return a Layer"):
        clone_model(model, clone_function=lambda layer: None)
    with pytest.raises(TypeError, match="expected a Model"):
        clone_model(layers.Dense(2))


def test_clone_with_input_tensors():
    inputs = layers.Input(shape=(3,))
    model = Model(inputs, layers.Dense(2)(inputs))
    new_input = layers.Input(shape=(3,), name="fresh")
    twin = clone_model(model, input_tensors=new_input)
    assert twin.inputs[0] is new_input
    with pytest.raises(ValueError, match="1 KerasTensor"):
        clone_model(model, input_tensors=[new_input, new_input])


def test_graph_with_merges_gradchecks_through_inputs_and_weights(float64):
    from neuronet.autograd import gradcheck

    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    ha, hb = layers.Dense(4, activation="tanh")(a), layers.Dense(4, activation="tanh")(b)
    merged = layers.concatenate([layers.add([ha, hb]), ha * hb, layers.Dot(axes=1, normalize=True)([ha, hb])])
    model = Model([a, b], layers.Dense(2)(merged - 0.5 * ha[:, :1]))
    assert all(w.dtype == np.float64 for w in model.weights)
    rng = np.random.default_rng(4)
    gradcheck(lambda p, q: model([p, q]), [rng.normal(size=(3, 3)), rng.normal(size=(3, 3))], params=model.weights)
