"""The playground's parts without a server: data sets, settings, pictures, health, export, command line."""

import argparse
import base64
import subprocess
import sys

import numpy as np
import pytest

from neuronet.playground import build, datasets, export, spec, views
from neuronet.playground.cli import add_subparser, main, run
from neuronet.playground.session import Session
from neuronet.playground.spec import PlaygroundError


@pytest.mark.parametrize("name", sorted(datasets.GENERATORS))
def test_generators_are_seeded_and_shaped(name):
    gen = datasets.GENERATORS[name]
    x1, y1 = gen(200, 0.1, np.random.default_rng(3))
    x2, y2 = gen(200, 0.1, np.random.default_rng(3))
    np.testing.assert_array_equal(x1, x2)
    assert x1.dtype == np.float32 and y1.dtype == np.float32 and y1.shape == (200,)
    assert x1.shape == (200, 1 if name == "curve" else 2)
    assert np.abs(x1).max() < 2.0  # inputs roughly in [-1, 1]
    if datasets.TASKS[name] == "binary":
        assert set(np.unique(y1)) == {0.0, 1.0} and 0.4 <= y1.mean() <= 0.6


def test_xor_and_circles_labels_follow_their_rule():
    x, y = datasets.xor(500, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(np.float32))
    x, y = datasets.circles(500, 0.0, np.random.default_rng(0))
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[y == 1].max() <= 0.5 < 0.7 <= radius[y == 0].min()


def test_guides_classification_has_20_features_and_a_principal_plane():
    data = build.make_data(spec.data_spec({"dataset": "classification", "features": 20, "samples": 1000,
                                           "noise": 0.0}))
    assert data.x_train.shape == (700, 20) and data.features == 20
    np.testing.assert_allclose(data.axes @ data.axes.T, np.eye(2), atol=1e-5)  # orthonormal c₁, c₂
    grid = data.grid(5)
    assert grid.shape == (25, 20)
    # a grid point projects back onto its plane coordinates
    plane = data.project(grid)
    ticks = np.linspace(-data.extent, data.extent, 5)
    np.testing.assert_allclose(plane[:5, 0], ticks, atol=1e-4)
    np.testing.assert_allclose(plane[0, 1], data.extent, atol=1e-4)
    assert data.points()["plane"] == "principal components"


def test_split_holds_out_the_test_fraction():
    x, y = np.arange(100, dtype=np.float32)[:, None], np.zeros(100, np.float32)
    x_train, y_train, x_test, y_test = datasets.split(x, y, 0.25, np.random.default_rng(0))
    assert len(x_test) == 25 and len(x_train) == 75
    assert sorted(np.concatenate([x_train, x_test]).ravel().tolist()) == list(range(100))


def test_spec_defaults_and_bounds():
    assert spec.data_spec({})["dataset"] == spec.DEFAULT_DATA["dataset"]
    assert spec.data_spec({"dataset": "curve"})["features"] == 1
    assert spec.network_spec({"layers": []})["layers"] == []  # no hidden layer: logistic regression
    assert spec.network_spec({"learning_rate": 1})["learning_rate"] == 1.0
    assert spec.network_spec({"batch_size": 4.0})["batch_size"] == 4
    for bad in ({"batch_size": 4.5}, {"batch_size": True}, {"learning_rate": float("nan")}, {"seed": -1}):
        with pytest.raises(PlaygroundError):
            spec.network_spec(bad)
    with pytest.raises(PlaygroundError, match=r"unknown 'x{36}\.\.\.; choose one of"):
        spec.data_spec({"dataset": "x" * 10000})  # long values are cut in the message


def test_model_has_the_chosen_layers_and_output():
    data = build.make_data(spec.data_spec({"dataset": "curve"}))
    net = spec.network_spec({"layers": [{"units": 3, "activation": "relu"}, {"units": 5, "activation": "elu"}],
                             "optimizer": "momentum", "regularization": "l1", "regularization_rate": 0.01})
    model = build.build_model(data, net)
    assert [layer.units for layer in model.layers] == [3, 5, 1]
    assert [w.shape for w in model.get_weights()[::2]] == [(1, 3), (3, 5), (5, 1)]
    assert model.optimizer.get_config()["momentum"] == 0.9
    assert model.layers[0].kernel_regularizer.get_config() == {"l1": 0.01}
    assert model.loss == "mse"


def test_maps_are_the_models_outputs_on_the_plane():
    data = build.make_data(spec.data_spec({"dataset": "moons"}))
    model = build.build_model(data, spec.network_spec({}))
    maps = views.maps(model, data)
    output = np.frombuffer(base64.b64decode(maps["output"]), np.uint8) / 255.0
    expected = model.predict(data.grid(views.OUTPUT_RESOLUTION), verbose=0)[:, 0]
    np.testing.assert_allclose(output, expected, atol=0.5 / 255 + 1e-6)
    hidden = np.frombuffer(base64.b64decode(maps["layers"][0][2]), np.uint8) / 127.5 - 1
    a = views.layer_outputs(model, data.grid(views.NEURON_RESOLUTION))[0][:, 2]
    np.testing.assert_allclose(hidden, np.clip(a, -1, 1), atol=1 / 127.5 + 1e-6)


def test_health_greys_dead_units_and_names_vanishing_gradients():
    session = Session({"dataset": "spirals"}, {"layers": [{"units": 8, "activation": "relu"}] * 3,
                                               "optimizer": "sgd", "learning_rate": 5.0})
    for _ in range(150):
        session._one_batch()
    session.publish(health=True)
    health = session.health
    assert any(p["kind"] == "dead" and "Remedy" in p["text"] and "LeakyReLU" in p["remedy"]
               for p in health["problems"])
    outputs = views.layer_outputs(session.model, session.data.x_train)
    for layer, dead in enumerate(health["dead_units"]):
        assert dead == [j for j in range(outputs[layer].shape[1]) if not outputs[layer][:, j].any()]
    assert any(health["dead_units"])
    deep = Session({"dataset": "circles"}, {"layers": [{"units": 8, "activation": "sigmoid"}] * 6})
    vanishing = [p for p in deep.health["problems"] if p["kind"] == "vanishing"]
    assert vanishing and vanishing[0]["index"] == 0 and "ReLU" in vanishing[0]["remedy"]


def test_script_names_every_setting():
    data = spec.data_spec({"dataset": "classification", "features": 20, "noise": 0.2})
    net = spec.network_spec({"layers": [{"units": 7, "activation": "leaky_relu"}], "optimizer": "rmsprop",
                             "learning_rate": 0.002, "batch_size": 32})
    text = export.script(data, net, epochs=0, task="binary")
    assert "x, y = classification(300, 0.2, rng, n_features=20)" in text
    assert "keras.layers.Dense(7, activation='leaky_relu'" in text and "keras.Input(shape=(20,))" in text
    assert "keras.optimizers.RMSprop(learning_rate=0.002)" in text
    assert "epochs=1, batch_size=32" in text  # at least one epoch
    compile(text, "exported.py", "exec")  # valid Python (run for real in test_server)


def test_command_line(capsys):
    parser = argparse.ArgumentParser(prog="neuronet")
    add_subparser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["playground", "--port", "0", "--no-browser"])
    assert args.port == 0 and args.no_browser and args.run is run
    shown = subprocess.run([sys.executable, "-m", "neuronet.playground", "--help"], capture_output=True, text=True,
                           timeout=60)
    assert shown.returncode == 0 and "--no-browser" in shown.stdout and "--port" in shown.stdout
    assert main(["--port", "99999", "--no-browser"]) == 2
    assert "error: --port must be from 0 to 65535, received 99999" in capsys.readouterr().err
    # the shape of a `neuronet` subcommand module
    from neuronet.cli import playground as command

    assert command.NAME == "playground" and command.run is run
    sub = command.add_arguments(argparse.ArgumentParser())
    assert sub.parse_args(["--no-browser"]).port is None


def test_importing_neuronet_does_not_import_the_playground():
    code = "import sys, neuronet; print(any(m.startswith('neuronet.playground') for m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "False"
