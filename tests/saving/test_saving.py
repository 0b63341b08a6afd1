"""Tests for neuronet/saving: .keras round trips, weight files, the registry, and refusing bad files."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import neuronet
from neuronet import layers as L
from neuronet import losses, metrics, optimizers, saving
from neuronet.models import Input, Model, Sequential
from neuronet.saving import api, registry, safetensors_io


# ------------------------------------------------------------------------------------ helpers
def _data(rng, n=32, features=4, classes=None):
    x = rng.normal(size=(n, features)).astype("float32")
    if classes is None:
        y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype("float32")
    else:
        y = np.eye(classes, dtype="float32")[rng.integers(0, classes, n)]
    return x, y


def _mlp(compiled=True, optimizer="adam"):
    model = Sequential([L.Dense(8, activation="relu", input_shape=(4,)), L.Dropout(0.25),
                        L.Dense(1, activation="sigmoid")])
    if compiled:
        model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _members(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rewrite(path, out, **changes):
    """Copy the zip at ``path`` to ``out`` with members replaced (bytes) or removed (None)."""
    members = _members(path)
    for name, data in changes.items():
        name = name.replace("__", ".")
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def _config(path) -> dict:
    return json.loads(_members(path)["config.json"])


def _layer_entries(config: dict) -> list:
    """The layer entries of a saved Sequential's config, without the InputLayer Keras puts first."""
    return [e for e in config["config"]["layers"] if e["class_name"] != "InputLayer"]


def _h5_member(path, change) -> bytes:
    """The bytes of the model.weights.h5 member of ``path`` after ``change(h5py.File)``."""
    import io

    import h5py

    buffer = io.BytesIO(_members(path)["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        change(f)
    return buffer.getvalue()


@pytest.fixture
def saved(tmp_path, rng):
    """A trained, compiled MLP saved to a .keras file: (model, path, x, y)."""
    x, y = _data(rng)
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = tmp_path / "model.keras"
    saving.save_model(model, path)
    return model, path, x, y


# ------------------------------------------------------------------------------------ round trips
def test_sequential_round_trip_keeps_predictions_and_compile_state(saved):
    model, path, x, y = saved
    loaded = saving.load_model(path)
    assert type(loaded) is Sequential and loaded.name == model.name
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.compiled and type(loaded.optimizer) is optimizers.Adam
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    assert loaded.loss == "binary_crossentropy"
    assert model.evaluate(x, y, verbose=0) == loaded.evaluate(x, y, verbose=0)  # metrics resolve here
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy"]


def test_training_continues_identically_after_load(saved):
    model, path, x, y = saved
    loaded = saving.load_model(path)
    histories, weights = [], []
    for m in (model, loaded):
        neuronet.config.set_random_seed(7)  # the same dropout masks for both runs
        histories.append(m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history)
        weights.append(m.get_weights())
    assert histories[0] == histories[1]
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 16


def test_without_optimizer_state_training_restarts_the_moments(tmp_path, saved):
    model, _, x, y = saved
    path = tmp_path / "no_opt.keras"
    saving.save_model(model, path, include_optimizer=False)
    assert "optimizer.safetensors" not in _members(path)
    assert b"optimizer" not in _members(path)["model.weights.h5"]
    loaded = saving.load_model(path)
    assert loaded.compiled and loaded.optimizer.iterations == 0
    loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    assert not np.array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_compile_false_gives_an_uncompiled_model(saved):
    _, path, x, _ = saved
    loaded = saving.load_model(path, compile=False)
    assert not loaded.compiled
    assert loaded.predict(x, verbose=0).shape == (len(x), 1)


def test_loss_metric_and_schedule_objects_round_trip(tmp_path, rng):
    x, y = _data(rng)
    schedule = optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)
    model = _mlp(compiled=False)
    model.compile(optimizer=optimizers.Adam(learning_rate=schedule, clipnorm=1.0),
                  loss=losses.BinaryCrossentropy(label_smoothing=0.1), metrics=[metrics.AUC(name="auc"), "mse"],
                  loss_weights=0.5)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    saving.save_model(model, tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.loss, losses.BinaryCrossentropy) and loaded.loss.get_config() == model.loss.get_config()
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.learning_rate == pytest.approx(model.optimizer.learning_rate)
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0), rtol=1e-6)
    assert loaded.metrics_names == model.metrics_names == ["loss", "auc", "mse"]


def test_functional_multi_input_multi_output_shared_and_nested_model(tmp_path, rng):
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    shared = L.Dense(5, activation="relu", name="shared")
    inner = Sequential([L.Dense(6, activation="tanh"), L.Dense(3)], name="inner")
    out = L.Dense(2, activation="softmax", name="out")(inner(shared(a)))
    model = Model([a, b], [out, shared(b)], name="two_heads")
    x = [rng.normal(size=(6, 4)).astype("float32") for _ in range(2)]
    saving.save_model(model, tmp_path / "f.keras")
    loaded = saving.load_model(tmp_path / "f.keras")
    assert loaded.name == "two_heads" and [t.name for t in loaded.inputs] == ["a", "b"]
    assert [w.path for w in loaded.weights] == [w.path for w in model.weights]
    for p, q in zip(model.predict(x, verbose=0), loaded.predict(x, verbose=0)):
        np.testing.assert_array_equal(p, q)
    shared_cfg = next(e for e in _config(tmp_path / "f.keras")["config"]["layers"] if e["name"] == "shared")
    assert len(shared_cfg["inbound_nodes"]) == 2  # the shared layer is called twice


def test_functional_compiled_round_trip(tmp_path, rng):
    x, y = _data(rng, classes=3)
    inputs = Input(shape=(4,))
    outputs = L.Dense(3, activation="softmax")(L.Dense(6, activation="relu")(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    saving.save_model(model, tmp_path / "f.keras")
    loaded = saving.load_model(tmp_path / "f.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert h1 == h2


def test_multi_output_compile_settings_round_trip(tmp_path, rng):
    inputs = Input(shape=(4,))
    hidden = L.Dense(6, activation="relu")(inputs)
    model = Model(inputs, [L.Dense(3, activation="softmax", name="cls")(hidden), L.Dense(1, name="reg")(hidden)])
    try:
        model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                      metrics=[["accuracy"], ["mae"]], loss_weights=[1.0, 0.5])
    except ValueError as err:  # a training loop without per-output losses
        pytest.skip(f"several outputs cannot be compiled: {err}")
    x, y = rng.normal(size=(16, 4)).astype("float32"), [rng.integers(0, 3, 16), rng.normal(size=(16, 1))]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    saving.save_model(model, tmp_path / "m.keras")
    assert _config(tmp_path / "m.keras")["compile_config"]["loss_weights"] == [1.0, 0.5]
    loaded = saving.load_model(tmp_path / "m.keras")
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(x, y, verbose=0, return_dict=True)
    h1 = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert h1 == h2


_LAYER_MODELS = {
    "dropout_batchnorm": (lambda: [L.Dense(6, input_shape=(5,)), L.BatchNormalization(momentum=0.5), L.Dropout(0.3),
                                   L.Dense(1)], (5,), "float"),
    "conv2d": (lambda: [L.Conv2D(3, 3, padding="same", activation="relu", input_shape=(6, 6, 2)),
                        L.MaxPooling2D(2), L.Conv2D(2, 2, strides=2), L.Flatten(), L.Dense(1)], (6, 6, 2), "float"),
    "lstm": (lambda: [L.LSTM(4, return_sequences=True, input_shape=(5, 3)), L.GRU(3), L.Dense(1)], (5, 3), "float"),
    "embedding": (lambda: [L.Embedding(12, 4, mask_zero=True, input_shape=(5,)), L.SimpleRNN(3), L.Dense(1)], (5,),
                  "int"),
    "bidirectional": (lambda: [L.Bidirectional(L.LSTM(3, return_sequences=True), input_shape=(5, 3)),
                               L.TimeDistributed(L.Dense(2)), L.GlobalAveragePooling1D(), L.Dense(1)], (5, 3),
                      "float"),
    "misc": (lambda: [L.Reshape((4, 3), input_shape=(12,)), L.Conv1D(2, 2, padding="causal"), L.LayerNormalization(),
                      L.UpSampling1D(2), L.Flatten(), L.PReLU(), L.Dense(1)], (12,), "float"),
}


@pytest.mark.parametrize("kind", sorted(_LAYER_MODELS))
def test_layer_configs_and_weights_round_trip(tmp_path, rng, kind):
    make, shape, dtype = _LAYER_MODELS[kind]
    model = Sequential(make())
    x = rng.integers(1, 12, size=(8,) + shape) if dtype == "int" else rng.normal(size=(8,) + shape).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)  # moves BatchNormalization's statistics off their start
    saving.save_model(model, tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    for before, after in zip(model.layers, loaded.layers):
        assert type(before) is type(after) and before.get_config() == after.get_config()
    for w, v in zip(model.weights, loaded.weights):
        assert w.path == v.path and v.data.dtype == np.float32
        np.testing.assert_array_equal(w.data, v.data)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_nested_sequential_with_a_frozen_layer(tmp_path, rng):
    inner = Sequential([L.Dense(5, activation="relu"), L.Dense(4)], name="inner")
    model = Sequential([Input(shape=(3,)), inner, L.Dense(1)])
    inner.layers[0].trainable = False
    model.compile(optimizer="adam", loss="mse")
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    saving.save_model(model, tmp_path / "n.keras")
    loaded = saving.load_model(tmp_path / "n.keras")
    assert type(loaded.layers[0]) is Sequential and not loaded.layers[0].layers[0].trainable
    assert len(loaded.trainable_weights) == len(model.trainable_weights) == 4
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert h1 == h2


def test_float64_model_round_trip_keeps_float64(tmp_path, rng, float64):
    model = Sequential([L.Dense(3, input_shape=(4,)), L.Dense(1)])
    saving.save_model(model, tmp_path / "m.keras")
    neuronet.config.set_floatx("float32")  # loading elsewhere does not change the saved dtype
    loaded = saving.load_model(tmp_path / "m.keras")
    assert all(w.data.dtype == np.float64 for w in loaded.weights)
    x = rng.normal(size=(3, 4))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unbuilt_model_saves_and_loads_its_architecture(tmp_path):
    model = Sequential([L.Dense(3), L.Dense(1)])
    saving.save_model(model, tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    assert not loaded.built and [layer.units for layer in loaded.layers] == [3, 1]


# ------------------------------------------------------------------------------------ custom classes
@saving.register_keras_serializable(package="tests")
class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight((input_shape[-1],), "ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class Unregistered(Scale):
    pass


def test_registered_custom_layer_round_trips(tmp_path, rng):
    model = Sequential([L.Dense(3, input_shape=(4,)), Scale(3.0)])
    model.layers[1].gain.assign(np.array([1.0, 2.0, 3.0]))
    saving.save_model(model, tmp_path / "m.keras")
    entry = _layer_entries(_config(tmp_path / "m.keras"))[1]
    assert entry["class_name"] == "Scale" and entry["registered_name"] == "tests>Scale"
    loaded = saving.load_model(tmp_path / "m.keras")
    assert type(loaded.layers[1]) is Scale and loaded.layers[1].factor == 3.0
    x = rng.normal(size=(2, 4)).astype("float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unregistered_class_needs_custom_objects(tmp_path):
    model = Sequential([L.Dense(3, input_shape=(4,)), Unregistered(name="mine")])
    with pytest.warns(UserWarning, match="not registered"):
        saving.save_model(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"unknown layer class 'Unregistered'.*register_keras_serializable"):
        saving.load_model(tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras", custom_objects={"Unregistered": Unregistered})
    assert type(loaded.layers[1]) is Unregistered


def test_registered_subclassed_model_round_trips(tmp_path, rng):
    @saving.register_keras_serializable(package="tests")
    class TwoLayer(Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = L.Dense(units, activation="tanh")
            self.out = L.Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    x, y = _data(rng)
    model = TwoLayer(5)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    saving.save_model(model, tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras")
    assert type(loaded) is TwoLayer and loaded.units == 5
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    h1 = model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    h2 = loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history
    assert h1 == h2


def test_registered_loss_function_round_trips(tmp_path, rng):
    @saving.register_keras_serializable(package="tests")
    def half_mse(y_true, y_pred):
        return 0.5 * losses.mean_squared_error(y_true, y_pred)

    x, y = _data(rng)
    model = _mlp(compiled=False)
    model.compile(optimizer="sgd", loss=half_mse)
    saving.save_model(model, tmp_path / "m.keras")
    assert _config(tmp_path / "m.keras")["compile_config"]["loss"] == "tests>half_mse"
    loaded = saving.load_model(tmp_path / "m.keras")
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_unregistered_loss_function_warns_and_lambda_is_not_saved(tmp_path, rng):
    def my_loss(y_true, y_pred):
        return losses.mean_squared_error(y_true, y_pred)

    x, y = _data(rng)
    model = _mlp(compiled=False)
    model.compile(optimizer="sgd", loss=my_loss)
    with pytest.warns(UserWarning, match=r"'my_loss' is not registered.*custom_objects"):
        saving.save_model(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="my_loss"):
        saving.load_model(tmp_path / "m.keras")
    loaded = saving.load_model(tmp_path / "m.keras", custom_objects={"my_loss": my_loss})
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    model.compile(optimizer="sgd", loss=lambda t, p: losses.mean_squared_error(t, p))
    with pytest.warns(UserWarning, match="saved uncompiled"):
        saving.save_model(model, tmp_path / "l.keras")
    assert not saving.load_model(tmp_path / "l.keras").compiled


def test_register_errors_and_lookup():
    class NoConfig:
        pass

    with pytest.raises(TypeError, match="get_config"):
        saving.register_keras_serializable()(NoConfig)
    with pytest.raises(ValueError, match="already registered"):
        saving.register_keras_serializable(package="tests", name="Scale")(Unregistered)
    with pytest.raises(ValueError, match="package"):
        saving.register_keras_serializable(package="a>b")
    assert saving.get_registered_object("tests>Scale") is Scale
    assert saving.get_registered_object("Scale") is Scale
    assert saving.get_registered_object("Nope") is None
    assert saving.get_registered_object("Nope", custom_objects={"Nope": Unregistered}) is Unregistered
    assert saving.get_registered_name(Scale) == "tests>Scale"
    assert saving.get_registered_name(L.Dense) == "Dense"


def test_custom_object_scope_and_get_custom_objects(tmp_path):
    model = Sequential([L.Dense(3, input_shape=(4,)), Unregistered(name="mine")])
    with pytest.warns(UserWarning, match="not registered"):
        saving.save_model(model, tmp_path / "m.keras")
    with saving.custom_object_scope({"Unregistered": Unregistered}):
        assert type(saving.load_model(tmp_path / "m.keras").layers[1]) is Unregistered
    with pytest.raises(ValueError, match="Unregistered"):
        saving.load_model(tmp_path / "m.keras")
    saving.get_custom_objects()["Unregistered"] = Unregistered
    try:
        assert type(saving.load_model(tmp_path / "m.keras").layers[1]) is Unregistered
    finally:
        del saving.get_custom_objects()["Unregistered"]


def test_serialize_and_deserialize_keras_object():
    layer = L.Dense(3, activation="tanh", name="d")
    spec = saving.serialize_keras_object(layer)
    assert spec["class_name"] == "Dense" and spec["config"]["units"] == 3
    copy = saving.deserialize_keras_object(spec)
    assert type(copy) is L.Dense and copy.get_config() == layer.get_config()
    metric = saving.deserialize_keras_object({"class_name": "MeanSquaredError", "config": {}}, kind="metrics")
    loss = saving.deserialize_keras_object({"class_name": "MeanSquaredError", "config": {}})
    assert isinstance(metric, metrics.MeanSquaredError) and isinstance(loss, losses.MeanSquaredError)
    assert isinstance(saving.deserialize_keras_object(saving.serialize_keras_object(optimizers.SGD(0.1))),
                      optimizers.SGD)
    with pytest.raises(ValueError, match="unknown layer class 'os.system'"):
        saving.deserialize_keras_object({"class_name": "os.system", "config": {}})
    with pytest.raises(ValueError, match="not one of the layers classes"):
        saving.deserialize_keras_object({"class_name": "Adam", "config": {}}, kind="layers",
                                        custom_objects={"Adam": optimizers.Adam})


def test_registry_covers_the_public_classes_and_keeps_kinds_apart():
    assert registry.builtin_classes("layers")["Conv2D"] is L.Conv2D
    assert registry.builtin_classes("layers")["Sequential"] is Sequential
    assert registry.builtin_classes("losses")["MeanSquaredError"] is losses.MeanSquaredError
    assert registry.builtin_classes("metrics")["MeanSquaredError"] is metrics.MeanSquaredError
    assert registry.builtin_classes("optimizers")["ExponentialDecay"] is optimizers.schedules.ExponentialDecay
    assert registry.builtin_classes("initializers")["GlorotUniform"] is neuronet.initializers.GlorotUniform
    assert "InputSpec" not in registry.builtin_classes("layers")  # only Layer subclasses are layers


def test_registry_is_built_lazily_not_at_import():
    code = ("import neuronet, neuronet.saving; from neuronet.models import class_lookup as registry; "
            "assert registry._BUILTINS is None; registry.builtin_classes('layers'); "
            "assert registry._BUILTINS is not None; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_lambda_layer_saves_but_refuses_to_load(tmp_path):
    model = Sequential([L.Dense(2, input_shape=(3,)), L.Lambda(lambda t: t * 2.0)])
    with pytest.warns(UserWarning, match="Lambda layer"):
        saving.save_model(model, tmp_path / "m.keras")
    with pytest.raises(ValueError, match="Lambda"):
        saving.load_model(tmp_path / "m.keras")


# ------------------------------------------------------------------------------------ weights only
@pytest.mark.parametrize("name", ["w.weights.safetensors", "w.npz"])
def test_weights_round_trip_into_a_fresh_model(tmp_path, rng, name):
    model = _mlp(compiled=False)
    saving.save_weights(model, tmp_path / name)
    fresh = _mlp(compiled=False)  # its layers are named dense_2, dense_3: matched by position
    assert [w.path for w in fresh.weights] != [w.path for w in model.weights]
    saving.load_weights(fresh, tmp_path / name)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert all(w.data.dtype == np.float32 for w in fresh.weights)


def test_weights_file_keys_are_paths_in_keras_order(tmp_path):
    from safetensors.numpy import load_file

    model = _mlp(compiled=False)
    saving.save_weights(model, tmp_path / "w.weights.safetensors")
    arrays = load_file(str(tmp_path / "w.weights.safetensors"))
    assert set(arrays) == {"dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"}
    keys, _, _ = safetensors_io.parse((tmp_path / "w.weights.safetensors").read_bytes(), "t")
    assert keys == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]


def test_load_weights_reads_plain_npz_and_keras_files(tmp_path, saved):
    model, path, x, _ = saved
    np.savez(tmp_path / "plain.npz", *model.get_weights())
    fresh = _mlp(compiled=False)
    saving.load_weights(fresh, tmp_path / "plain.npz")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    other = _mlp(compiled=False)
    saving.SavingMixin.load_weights(other, path)  # the mixin delegates to load_weights
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))


def test_npz_with_object_arrays_is_refused_without_unpickling(tmp_path):
    model = _mlp(compiled=False)
    arrays = [np.empty(w.shape, dtype=object) for w in model.weights]
    np.savez(tmp_path / "evil.npz", *arrays)
    before = model.get_weights()
    with pytest.raises(ValueError, match="evil.npz"):
        saving.load_weights(model, tmp_path / "evil.npz")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_mismatched_weights_are_all_or_nothing(tmp_path):
    model = _mlp(compiled=False)
    saving.save_weights(model, tmp_path / "w.weights.safetensors")
    other = Sequential([L.Dense(8, activation="relu", input_shape=(4,)), L.Dense(2)])
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"weight 'dense_3/kernel' \(file entry 'dense_1/kernel'\) expected shape "
                                         r"\(8, 2\), received \(8, 1\)"):
        saving.load_weights(other, tmp_path / "w.weights.safetensors")
    for a, b in zip(before, other.get_weights()):  # the first layer matched but was not assigned either
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="skipped 2 mismatched"):
        saving.load_weights(other, tmp_path / "w.weights.safetensors", skip_mismatch=True)
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])


def test_weight_count_mismatch_names_the_weights(tmp_path):
    model = _mlp(compiled=False)
    saving.save_weights(model, tmp_path / "w.weights.safetensors")
    bigger = Sequential([L.Dense(8, input_shape=(4,)), L.Dense(3), L.Dense(1)])
    with pytest.raises(ValueError, match="holds 4 weights but model .* has 6"):
        saving.load_weights(bigger, tmp_path / "w.weights.safetensors")


def test_load_weights_into_unbuilt_model_explains(tmp_path):
    saving.save_weights(_mlp(compiled=False), tmp_path / "w.weights.safetensors")
    with pytest.raises(ValueError, match="not been built"):
        saving.load_weights(Sequential([L.Dense(8), L.Dense(1)]), tmp_path / "w.weights.safetensors")
    with pytest.raises(ValueError, match="not been built"):
        saving.save_weights(Sequential([L.Dense(8)]), tmp_path / "x.weights.safetensors")


def test_integer_weights_in_a_file_are_refused(tmp_path):
    from safetensors.numpy import save_file

    model = _mlp(compiled=False)
    arrays = {f"w{i}": np.zeros(w.shape, dtype=np.int32) for i, w in enumerate(model.weights)}
    save_file(arrays, str(tmp_path / "w.safetensors"))
    with pytest.raises(ValueError, match="expected dtype float32, received int32"):
        saving.load_weights(model, tmp_path / "w.safetensors")


# ------------------------------------------------------------------------------------ bad files
def test_not_a_zip_file(tmp_path):
    path = tmp_path / "bad.keras"
    path.write_text("this is not a model")
    with pytest.raises(ValueError, match=r"bad\.keras.*not a zip archive"):
        saving.load_model(path)


def test_truncated_file(tmp_path, saved):
    _, path, _, _ = saved
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        short = tmp_path / f"short{cut}.keras"
        short.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=f"short{cut}.keras"):
            saving.load_model(short)


def test_corrupted_member_data_is_reported(tmp_path, saved):
    _, path, _, _ = saved
    data = bytearray(path.read_bytes())
    start = data.find(b"\x89HDF\r\n\x1a\n") + 200  # inside the (stored, uncompressed) weights member
    data[start:start + 14] = b"XXXXXXXXXXXXXX"
    bad = tmp_path / "crc.keras"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"crc\.keras.*model\.weights\.h5"):
        saving.load_model(bad)


@pytest.mark.parametrize("member", ["config.json", "metadata.json", "model.weights.h5"])
def test_missing_member(tmp_path, saved, member):
    _, path, _, _ = saved
    bad = _rewrite(path, tmp_path / "missing.keras", **{member.replace(".", "__"): None})
    with pytest.raises(ValueError, match=f"missing.keras' is missing the member '{member}'"):
        saving.load_model(bad)


def test_keras_hdf5_weights_member_is_explained(tmp_path, saved):
    _, path, _, _ = saved
    bad = _rewrite(path, tmp_path / "k.keras", model__weights__safetensors=None, model__weights__h5=b"\x89HDF")
    with pytest.raises(ValueError, match="HDF5"):
        saving.load_model(bad)


def test_malformed_json(tmp_path, saved):
    _, path, _, _ = saved
    bad = _rewrite(path, tmp_path / "json.keras", config__json=b'{"class_name": "Sequential", "config": {')
    with pytest.raises(ValueError, match=r"json\.keras' member 'config\.json' is not valid JSON"):
        saving.load_model(bad)
    bad = _rewrite(path, tmp_path / "list.keras", config__json=b"[1, 2]")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        saving.load_model(bad)
    bad = _rewrite(path, tmp_path / "deep.keras", config__json=b"[" * 100000 + b"]" * 100000)
    with pytest.raises(ValueError, match=r"deep\.keras' member 'config\.json' is not valid JSON"):
        saving.load_model(bad)


@pytest.mark.parametrize("payload", [b"\xff" * 8 + b"{}", b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!",
                                     b"\x02\x00", b"\x02\x00\x00\x00\x00\x00\x00\x00[]"])
def test_corrupted_safetensors_header(tmp_path, saved, payload):
    model = saved[0]
    bad = tmp_path / "st.weights.safetensors"
    bad.write_bytes(payload)
    with pytest.raises(ValueError, match=r"st\.weights\.safetensors.*(safetensors|header)"):
        saving.load_weights(model, bad)


@pytest.mark.parametrize("payload", [b"\x89HDF", b"\x89HDF\r\n\x1a\n" + b"\x00" * 100, b"not hdf5 at all"])
def test_corrupted_weights_member(tmp_path, saved, payload):
    _, path, _, _ = saved
    bad = _rewrite(path, tmp_path / "h5.keras", model__weights__h5=payload)
    with pytest.raises(ValueError, match=r"h5\.keras.*model\.weights\.h5.*(HDF5|corrupted)"):
        saving.load_model(bad)


def test_safetensors_with_wrong_offsets(tmp_path, saved):
    model = saved[0]
    path = tmp_path / "w.weights.safetensors"
    saving.save_weights(model, path)
    data = path.read_bytes()
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    first = next(k for k in header if k != "__metadata__")
    header[first]["data_offsets"][1] += 4  # the entry claims more bytes than its shape needs
    raw = json.dumps(header).encode()
    (tmp_path / "off.weights.safetensors").write_bytes(len(raw).to_bytes(8, "little") + raw + data[8 + size:])
    with pytest.raises(ValueError, match=r"off\.weights\.safetensors.*corrupted safetensors"):
        saving.load_weights(model, tmp_path / "off.weights.safetensors")


def test_weight_disagreeing_with_architecture(tmp_path, saved):
    _, path, _, _ = saved
    config = _config(path)
    _layer_entries(config)[0]["config"]["units"] = 9  # the file's kernel is (4, 8)
    bad = _rewrite(path, tmp_path / "arch.keras", config__json=json.dumps(config).encode())
    with pytest.raises(ValueError, match=r"arch\.keras.*weight 'dense/kernel' expected shape \(4, 9\), received "
                                         r"\(4, 8\)"):
        saving.load_model(bad)


def test_weight_with_another_dtype_than_the_architecture(tmp_path, saved):
    _, path, _, _ = saved

    def to_float64(f):
        data = f["layers/dense/vars/0"][()]
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", data=data.astype(np.float64))

    bad = _rewrite(path, tmp_path / "dtype.keras", model__weights__h5=_h5_member(path, to_float64))
    with pytest.raises(ValueError, match=r"dtype\.keras.*expected dtype float32, received float64"):
        saving.load_model(bad)


@pytest.mark.parametrize("where", ["model", "layer", "optimizer", "initializer"])
def test_tampered_class_name_is_refused_without_executing_anything(tmp_path, saved, monkeypatch, where):
    _, path, _, _ = saved
    config = _config(path)
    if where == "model":
        config["class_name"] = "os.system"
    elif where == "layer":
        _layer_entries(config)[0]["class_name"] = "os.system"
        _layer_entries(config)[0]["config"] = {"command": "touch pwned"}
    elif where == "optimizer":
        config["compile_config"]["optimizer"]["class_name"] = "os.system"
    else:
        _layer_entries(config)[0]["config"]["kernel_initializer"]["class_name"] = "os.system"
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    bad = _rewrite(path, tmp_path / "evil.keras", config__json=json.dumps(config).encode())
    with pytest.raises(ValueError, match=r"os\.system") as info:
        saving.load_model(bad)
    assert calls == [] and not (tmp_path / "pwned").exists()
    if where != "initializer":  # the initializer's own registry reports it, by name too
        assert "evil.keras" in str(info.value) and "register_keras_serializable" in str(info.value)


def test_tampered_layer_argument_is_a_clear_error(tmp_path, saved):
    _, path, _, _ = saved
    config = _config(path)
    _layer_entries(config)[0]["config"]["__class__"] = "x"
    bad = _rewrite(path, tmp_path / "arg.keras", config__json=json.dumps(config).encode())
    with pytest.raises(ValueError, match=r"arg\.keras.*could not rebuild Dense 'dense'.*__class__"):
        saving.load_model(bad)


def _paths(obj, prefix=()):
    yield prefix
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else []
    for key, value in items:
        yield from _paths(value, prefix + (key,))


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_randomly_tampered_configs_give_only_value_errors(tmp_path, kind):
    """Any value put anywhere in config.json either loads or raises ValueError naming the file."""
    import random
    import warnings

    if kind == "sequential":
        model = Sequential([L.Conv2D(2, 3, input_shape=(5, 5, 1)), L.BatchNormalization(), L.Flatten(),
                            L.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    else:
        inputs = Input(shape=(4,))
        model = Model(inputs, L.Dense(2)(L.Dense(3)(inputs)))
    path = tmp_path / "m.keras"
    saving.save_model(model, path)
    base = _config(path)
    spots = list(_paths(base))
    values = [None, -1, 0, 10**12, 1.5, float("nan"), "", "os.system", [], {}, [1, 2], {"class_name": "os.system"},
              True, [[None]], {"a": 1}]
    pick = random.Random(0)
    for trial in range(60):
        config = json.loads(json.dumps(base))
        spot, value = pick.choice(spots[1:]), pick.choice(values)
        node = config
        for key in spot[:-1]:
            node = node[key]
        node[spot[-1]] = value
        bad = _rewrite(path, tmp_path / "t.keras", config__json=json.dumps(config).encode())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                saving.load_model(bad)
        except ValueError as err:
            assert "t.keras" in str(err), (spot, value, err)


@pytest.mark.parametrize("name", ["m.keras", "w.weights.safetensors", "w.npz"])
def test_randomly_damaged_bytes_give_only_value_errors(tmp_path, name):
    """Truncations and flipped bytes anywhere in a file: it loads, or one ValueError names the file."""
    import random

    model = Sequential([L.Dense(4, input_shape=(3,)), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    path = tmp_path / name
    (saving.save_model if name.endswith(".keras") else saving.save_weights)(model, path)
    data = path.read_bytes()
    pick = random.Random(1)
    damaged = tmp_path / ("d" + name)
    for trial in range(80):
        copy = bytearray(data)
        if trial % 3 == 0:
            copy = copy[:pick.randrange(len(copy))]
        else:
            for _ in range(pick.randint(1, 4)):
                copy[pick.randrange(len(copy))] = pick.randrange(256)
        damaged.write_bytes(bytes(copy))
        try:
            if name.endswith(".keras"):
                saving.load_model(damaged)
            else:
                saving.load_weights(model, damaged)
        except ValueError as err:
            assert "d" + name in str(err)


def test_damaged_optimizer_state_is_a_clear_error(tmp_path, saved):
    _, path, _, _ = saved

    def wrong_shape(f):
        del f["optimizer/vars/2"]
        f["optimizer/vars"].create_dataset("2", data=np.zeros((2, 2), "float32"))

    bad = _rewrite(path, tmp_path / "opt.keras", model__weights__h5=_h5_member(path, wrong_shape))
    with pytest.raises(ValueError, match=r"opt\.keras.*optimizer variable 2 \(momentum of 'dense/kernel'\) has shape "
                                         r"\(2, 2\)"):
        saving.load_model(bad)

    def one_more(f):
        f["optimizer/vars"].create_dataset("99", data=np.zeros(3, "float32"))

    bad = _rewrite(path, tmp_path / "pos.keras", model__weights__h5=_h5_member(path, one_more))
    with pytest.raises(ValueError, match=r"pos\.keras.*optimizer's variables are not numbered"):
        saving.load_model(bad)


def test_newer_format_version_is_refused(tmp_path, saved):
    _, path, _, _ = saved
    bad = _rewrite(path, tmp_path / "new.keras", metadata__json=b'{"format_version": 99}')
    with pytest.raises(ValueError, match="format_version 99"):
        saving.load_model(bad)


def test_missing_file_and_hdf5_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        saving.load_model(tmp_path / "nope.keras")
    (tmp_path / "old.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 32)
    with pytest.raises(ValueError, match="HDF5"):
        saving.load_model(tmp_path / "old.h5")
    with pytest.raises(ValueError, match="HDF5"):
        saving.load_weights(_mlp(compiled=False), tmp_path / "old.h5")


# ------------------------------------------------------------------------------------ the file itself
def test_saved_zip_holds_only_json_and_hdf5_numbers(saved):
    import io

    import h5py

    _, path, _, _ = saved
    members = _members(path)
    assert set(members) == {"config.json", "metadata.json", "model.weights.h5"}
    for name, data in members.items():
        assert b"\x80\x04\x95" not in data[:64] and not data.startswith(b"\x80")  # no pickle stream
        if name.endswith(".json"):
            assert isinstance(json.loads(data), dict)
        else:
            found = []
            with h5py.File(io.BytesIO(data), "r") as f:
                f.visititems(lambda n, obj: found.append(obj.dtype) if isinstance(obj, h5py.Dataset) else None)
            assert found and all(dtype in (np.float32, np.float64, np.int64) for dtype in found)
    meta = json.loads(members["metadata.json"])
    ours = meta["neuronet"]
    assert ours["format_version"] == 2 and ours["version"] == neuronet.__version__ and meta["date_saved"]
    assert meta["keras_version"].startswith("3.")
    assert "compile_config" in json.loads(members["config.json"])


def test_failed_save_leaves_the_existing_file_intact(tmp_path, saved):
    class NotPlainData(L.Layer):
        def call(self, inputs):
            return inputs

        def get_config(self):
            return {**super().get_config(), "thing": object()}

    _, path, _, _ = saved
    original = path.read_bytes()
    broken = Sequential([L.Dense(2, input_shape=(3,)), NotPlainData()])
    with pytest.raises(ValueError, match="not plain data"), pytest.warns(UserWarning, match="NotPlainData"):
        saving.save_model(broken, path)
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]  # no temporary file left behind


def test_saved_files_get_ordinary_permissions(tmp_path, saved):
    _, path, _, _ = saved
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # not mkstemp's private 0o600


def test_atomic_write_removes_the_temp_file_when_writing_fails(tmp_path):
    target = tmp_path / "w.weights.safetensors"
    target.write_bytes(b"old")

    def fail(f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        api._atomic_write(str(target), fail)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["w.weights.safetensors"]


def test_overwrite_false_and_bad_extensions(tmp_path, saved):
    model, path, _, _ = saved
    with pytest.raises(FileExistsError, match="overwrite=False"):
        saving.save_model(model, path, overwrite=False)
    with pytest.raises(ValueError, match=r"ending in '\.keras', received '.*m\.txt'"):
        saving.save_model(model, tmp_path / "m.txt")
    with pytest.raises(ValueError, match=r"\.weights\.safetensors"):
        saving.save_weights(model, tmp_path / "w.txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.keras"]
    with pytest.raises(TypeError, match="filepath"):
        saving.save_model(model, 123)
    with pytest.raises(TypeError, match="expected a Model"):
        saving.save_model(L.Dense(2), tmp_path / "d.keras")


def test_keras_h5_names_are_accepted_with_a_warning(tmp_path, saved):
    model, _, x, _ = saved
    with pytest.warns(UserWarning, match="does not write HDF5"):
        saving.save_model(model, tmp_path / "m.h5")
    np.testing.assert_array_equal(saving.load_model(tmp_path / "m.h5").predict(x, verbose=0),
                                  model.predict(x, verbose=0))
    saving.save_weights(model, tmp_path / "best.weights.h5")  # Keras 3's HDF5 weights file, no warning
    assert (tmp_path / "best.weights.h5").read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    fresh = _mlp(compiled=False)
    saving.load_weights(fresh, tmp_path / "best.weights.h5")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


def test_model_to_json_and_back(rng):
    model = _mlp(compiled=False)
    text = saving.SavingMixin.to_json(model)
    assert json.loads(text)["class_name"] == "Sequential"
    copy = saving.model_from_json(text)
    assert [type(layer) for layer in copy.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in copy.weights] == [w.shape for w in model.weights]  # built, fresh weights
    with pytest.raises(ValueError, match="model_from_json: not valid JSON"):
        saving.model_from_json("{")
    with pytest.raises(ValueError, match="model_from_json.*unknown layer class 'os.system'"):
        saving.model_from_json(text.replace('"Dropout"', '"os.system"'))


def test_saving_mixin_delegates(tmp_path, saved):
    model, _, x, _ = saved
    saving.SavingMixin.save(model, tmp_path / "mixin.keras")
    saving.SavingMixin.save_weights(model, tmp_path / "mixin.weights.safetensors")
    fresh = _mlp(compiled=False)
    saving.SavingMixin.load_weights(fresh, tmp_path / "mixin.weights.safetensors")
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))
    np.testing.assert_array_equal(saving.load_model(tmp_path / "mixin.keras").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_safetensors_checksum_catches_every_flipped_byte(tmp_path):
    """A byte changed anywhere in a .weights.safetensors file is an error, or (in a metadata field the
    weights do not depend on, like 'format') harmless: never silently different weights."""
    model = _mlp(compiled=False)
    path = tmp_path / "w.weights.safetensors"
    saving.save_weights(model, path)
    meta = json.loads(path.read_bytes()[8:8 + int.from_bytes(path.read_bytes()[:8], "little")])["__metadata__"]
    assert meta["checksum"].startswith("sha256:") and meta["format_version"] == "2"
    data = path.read_bytes()
    original = model.get_weights()
    errors = 0
    for position in range(0, len(data), max(1, len(data) // 400)):
        for flip in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[position] ^= flip
            (tmp_path / "d.weights.safetensors").write_bytes(bytes(damaged))
            fresh = _mlp(compiled=False)
            try:
                saving.load_weights(fresh, tmp_path / "d.weights.safetensors")
            except ValueError as err:
                assert "d.weights.safetensors" in str(err)
                errors += 1
                continue
            for a, b in zip(original, fresh.get_weights()):
                np.testing.assert_array_equal(a, b)
    assert errors > 700  # the data and the table are covered: nearly every flip is caught
