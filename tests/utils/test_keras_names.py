"""keras.utils names: Progbar, the (x, y, sample_weight) helpers, get_source_inputs and the aliases."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import utils


def test_progbar_averages_values_over_steps(capsys):
    bar = utils.Progbar(target=4, verbose=1, interval=0.0)
    bar.update(1, values=[("loss", 4.0)])
    bar.update(3, values=[("loss", 1.0)])  # two steps at 1.0: mean (4 + 2) / 3 = 2
    bar.add(1, values=[("loss", 2.0)])
    out = capsys.readouterr().out
    assert out.count("\r") == 3 and out.endswith("\n")
    last = out.split("\r")[-1]
    assert last.startswith("4/4 [====================]") and "loss: 2.0000" in last


def test_progbar_stateful_and_verbose_2(capsys):
    bar = utils.Progbar(target=2, verbose=2, stateful_metrics=["acc"])
    bar.update(1, values=[("acc", 0.5)])
    assert capsys.readouterr().out == ""
    bar.update(2, values=[("acc", 0.75)])
    out = capsys.readouterr().out
    assert "acc: 0.7500" in out and "\r" not in out and out.count("\n") == 1


def test_progbar_unknown_target_and_bad_arguments(capsys):
    bar = utils.Progbar(target=None, interval=0.0)
    bar.update(5)
    assert "5/Unknown" in capsys.readouterr().out
    with pytest.raises(ValueError, match="Progbar: expected target"):
        utils.Progbar(target=-1)
    with pytest.raises(ValueError, match="Progbar: expected verbose"):
        utils.Progbar(target=3, verbose=3)


def test_pack_and_unpack_x_y_sample_weight():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 0.5)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight([x]) == ([x],)
    assert utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert len(utils.pack_x_y_sample_weight(x, y, w)) == 3
    assert utils.unpack_x_y_sample_weight(x)[1:] == (None, None)
    assert utils.unpack_x_y_sample_weight((x,))[0] is x
    assert utils.unpack_x_y_sample_weight([x, y])[2] is None
    assert utils.unpack_x_y_sample_weight((x, y, w))[2] is w
    with pytest.raises(ValueError, match="of 4 items"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_get_source_inputs_walks_back_to_the_inputs():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    merged = keras.layers.Concatenate()([keras.layers.Dense(2)(a), b])
    out = keras.layers.Dense(1)(merged)
    assert utils.get_source_inputs(out) == [a, b]
    assert utils.get_source_inputs(a) == [a]
    with pytest.raises(TypeError, match="expected a KerasTensor"):
        utils.get_source_inputs(np.zeros(3))


def test_aliases_are_the_saving_and_config_functions():
    assert utils.register_keras_serializable is keras.saving.register_keras_serializable
    assert utils.get_custom_objects is keras.saving.get_custom_objects
    assert utils.custom_object_scope is keras.saving.custom_object_scope
    assert utils.serialize_keras_object is keras.saving.serialize_keras_object
    assert utils.disable_interactive_logging is keras.config.disable_interactive_logging
    assert utils.standardize_dtype("float64") == "float64"


def test_config_object_attributes_keys_and_freezing():
    config = utils.Config(learning_rate=1e-3, layers=[64, 64])
    config.epochs = 10
    assert config["epochs"] == 10 and config.learning_rate == 1e-3 and "layers" in config and len(config) == 3
    config["batch_size"] = 32
    assert config.as_dict() == {"learning_rate": 1e-3, "layers": [64, 64], "epochs": 10, "batch_size": 32}
    assert '"batch_size": 32' in config.to_json()
    config.freeze()
    assert config.frozen
    for change in (lambda: setattr(config, "epochs", 20), lambda: config.update(epochs=2),
                   lambda: config.__setitem__("epochs", 3), lambda: config.pop("epochs")):
        with pytest.raises(ValueError, match="frozen"):
            change()
    config.unfreeze()
    config.epochs = 20
    assert config.epochs == 20
    with pytest.raises(AttributeError, match="Config has no setting 'missing'"):
        config.missing  # noqa: B018
