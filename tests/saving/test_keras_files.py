"""Files written by real Keras load in neuronet and predict what Keras predicted (within 1e-5).

The fixtures in ``fixtures/`` were written by Keras 3.15.1 (TensorFlow 2.21 backend) and by tf_keras
2.21 (Keras 2) with ``fixtures/make_fixtures.py``; each ``<name>.expected.npz`` holds the inputs and
Keras's predictions. These tests need neither Keras nor TensorFlow.
"""

import json
import os
import zipfile

import numpy as np
import pytest

import neuronet
from neuronet import layers as L
from neuronet import saving
from neuronet.models import Input, Model, Sequential

from .test_saving import Scale  # the custom layer of make_fixtures.py: a class named Scale (it names the weights)

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


class TwoLayer(Model):  # loaded through custom_objects, under the registered name the file holds
    """The subclassed model of make_fixtures.py, with the same attribute names (they name the weights)."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="tanh")
        self.scale = Scale(1.5)
        self.out = L.Dense(1)

    def call(self, inputs, training=None):
        return self.out(self.scale(self.hidden(inputs)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _expected(name):
    data = np.load(os.path.join(HERE, f"{name}.expected.npz"))
    xs = [data[k] for k in sorted(k for k in data.files if k.startswith("x"))]
    ys = [data[k] for k in sorted(k for k in data.files if k.startswith("y"))]
    return (xs if len(xs) > 1 else xs[0]), ys


def _close(model, name):
    x, ys = _expected(name)
    out = model.predict(x, verbose=0)
    for got, want in zip(out if isinstance(out, list) else [out], ys):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


KERAS3 = ["k3_mlp", "k3_conv", "k3_rnn", "k3_two", "k3_sub"]  # and k3_lookup below (no optimizer)
KERAS2 = ["k2_mlp", "k2_conv", "k2_rnn", "k2_two", "k3_legacy"]


@pytest.mark.parametrize("name", KERAS3)
def test_keras3_model_files_predict_what_keras_predicted(name):
    custom = {"fixtures>Scale": Scale, "fixtures>TwoLayer": TwoLayer}
    model = saving.load_model(os.path.join(HERE, f"{name}.keras"), custom_objects=custom)
    _close(model, name)
    assert model.compiled and model.optimizer.iterations > 0  # the optimizer's state came along


def test_keras3_adapted_vocabulary_comes_from_the_assets():
    model = saving.load_model(os.path.join(HERE, "k3_lookup.keras"))
    assert model.get_layer("integer_lookup").get_vocabulary() == [-1, 9, 5, 7, 3]
    _close(model, "k3_lookup")


@pytest.mark.parametrize("name", KERAS2)
def test_legacy_h5_model_files_predict_what_keras_predicted(name):
    model = saving.load_model(os.path.join(HERE, f"{name}.h5"))
    _close(model, name)
    assert model.compiled


def test_keras3_optimizer_state_is_loaded_in_keras_order():
    model = saving.load_model(os.path.join(HERE, "k3_mlp.keras"))
    optimizer = model.optimizer
    assert type(optimizer).__name__ == "Adam" and optimizer.iterations == 4
    assert type(optimizer._learning_rate).__name__ == "ExponentialDecay"
    state = optimizer.state_dict()
    with zipfile.ZipFile(os.path.join(HERE, "k3_mlp.keras")) as zf:
        import io

        import h5py

        with h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r") as f:
            # no learning_rate variable with a schedule: 1 = momentum of dense/kernel, 2 = its velocity
            np.testing.assert_array_equal(state[f"{optimizer.variables.index(model.weights[0])}/momentum"],
                                          f["optimizer/vars/1"][()])
            np.testing.assert_array_equal(state[f"{optimizer.variables.index(model.weights[0])}/velocity"],
                                          f["optimizer/vars/2"][()])


def test_keras_weight_files_load_into_models_built_in_code():
    model = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    model.load_weights(os.path.join(HERE, "k3_mlp.weights.h5"))
    _close(model, "k3_mlp")
    legacy = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                         L.Dense(2, activation="softmax")])
    legacy.load_weights(os.path.join(HERE, "k2_mlp_weights.h5"))
    _close(legacy, "k2_mlp")
    again = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    again.load_weights(os.path.join(HERE, "k3_mlp.keras"))  # the weights of a whole-model file
    _close(again, "k3_mlp")
    whole = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    whole.load_weights(os.path.join(HERE, "k2_mlp.h5"))  # the weights of a Keras 2 whole-model file
    _close(whole, "k2_mlp")


def test_keras_weights_with_the_optimizer_state_into_a_compiled_model():
    model = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    model.compile(optimizer=neuronet.optimizers.Adam(
        neuronet.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)),
        loss="sparse_categorical_crossentropy")
    model.load_weights(os.path.join(HERE, "k3_mlp.weights.h5"))
    assert model.optimizer.iterations == 4
    other = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.Dropout(0.25), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    other.compile(optimizer="rmsprop", loss="mse")  # another optimizer: its state is skipped, the weights load
    with pytest.warns(UserWarning, match="optimizer state is not"):
        other.load_weights(os.path.join(HERE, "k3_mlp.weights.h5"))
    _close(other, "k3_mlp")


def test_a_mismatching_architecture_names_the_layer_and_changes_nothing():
    model = Sequential([Input(shape=(5,)), L.Dense(7), L.BatchNormalization(), L.Dense(2)])
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"k3_mlp.weights.h5.*weight 'dense(_\d+)?/kernel' expected shape \(5, 7\), "
                                         r"received \(5, 6\)"):
        model.load_weights(os.path.join(HERE, "k3_mlp.weights.h5"))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="HDF5 weights file"):
        saving.load_model(os.path.join(HERE, "k3_mlp.weights.h5"))


def test_keras3_config_is_read_without_importing_anything(tmp_path):
    config = json.loads(zipfile.ZipFile(os.path.join(HERE, "k3_sub.keras")).read("config.json"))
    assert config["module"] is None and config["registered_name"] == "fixtures>TwoLayer"
    config["registered_name"] = "os>system"
    config["class_name"] = "system"
    path = tmp_path / "evil.keras"
    with zipfile.ZipFile(os.path.join(HERE, "k3_sub.keras")) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, json.dumps(config) if name == "config.json" else src.read(name))
    with pytest.raises(ValueError, match=r"evil\.keras.*unknown model class 'system'"):
        saving.load_model(path)


def test_files_of_neuronet_0_1_still_load():
    """neuronet 0.1 wrote .keras files of JSON and safetensors (fixture made by that version's code)."""
    path = os.path.join(HERE, "neuronet01_mlp.keras")
    model = saving.load_model(path)
    _close(model, "neuronet01_mlp")
    assert model.compiled and model.optimizer.iterations == 4
    fresh = Sequential([Input(shape=(5,)), L.Dense(6, activation="relu"), L.BatchNormalization(),
                        L.Dense(2, activation="softmax")])
    fresh.load_weights(path)
    _close(fresh, "neuronet01_mlp")
