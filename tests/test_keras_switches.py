"""keras.config's switches, keras.backend's dtype helpers and the top-level names Keras scripts use."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import config


@pytest.fixture
def switches():
    saved = dict(config._SWITCHES)
    yield
    config._SWITCHES.update(saved)


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_max_epochs_caps_fit(switches):
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    config.set_max_epochs(2)
    assert config.max_epochs() == 2
    assert len(_model().fit(x, y, epochs=5, verbose=0).history["loss"]) == 2
    config.set_max_epochs(None)
    assert len(_model().fit(x, y, epochs=3, verbose=0).history["loss"]) == 3


def test_max_steps_per_epoch_caps_the_batches(switches):
    x, y = np.ones((40, 3), "float32"), np.ones((40, 1), "float32")
    steps = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(batch))
    config.set_max_steps_per_epoch(3)
    _model().fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[counter])
    assert steps == [0, 1, 2, 0, 1, 2]


@pytest.mark.parametrize("setter", [config.set_max_epochs, config.set_max_steps_per_epoch])
@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_caps_refuse_bad_values(setter, bad, switches):
    with pytest.raises(ValueError, match="expected a positive integer or None"):
        setter(bad)


def test_disabled_interactive_logging_prints_one_line_per_epoch(switches, capsys):
    x, y = np.ones((8, 3), "float32"), np.ones((8, 1), "float32")
    keras.utils.disable_interactive_logging()
    assert not config.is_interactive_logging_enabled()
    _model().fit(x, y, batch_size=2, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "\r" not in out and out.count("loss") == 2
    config.enable_interactive_logging()
    assert keras.utils.is_interactive_logging_enabled()


def test_recorded_switches(switches):
    assert config.is_traceback_filtering_enabled() is True
    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True
    assert config.is_flash_attention_enabled() is None
    config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is True
    config.disable_flash_attention()
    assert config.is_flash_attention_enabled() is False
    config.enable_unsafe_deserialization()
    assert config.is_nnx_enabled() is False


def test_backend_names():
    assert config.backend() == keras.backend.backend() == "numpy"
    config.set_backend("numpy")
    with pytest.warns(UserWarning, match="NumPy only"):
        config.set_backend("jax")
    with pytest.raises(ValueError, match="set_backend: expected one of"):
        config.set_backend("theano")
    assert config.image_data_format() == "channels_last"
    with pytest.raises(ValueError, match="only 'channels_last'"):
        config.set_image_data_format("channels_first")


@pytest.mark.parametrize("dtype, name", [(None, "float32"), ("int", "int32"), (int, "int32"), (float, "float32"),
                                         (bool, "bool"), (np.float64, "float64"), (np.dtype("uint8"), "uint8"),
                                         ("string", "string"), (str, "string"), ("bfloat16", "bfloat16")])
def test_standardize_dtype(dtype, name):
    assert keras.backend.standardize_dtype(dtype) == name


def test_dtype_predicates_and_errors():
    assert keras.backend.is_float_dtype("bfloat16") and not keras.backend.is_float_dtype("int8")
    assert keras.backend.is_int_dtype("uint8") and not keras.backend.is_int_dtype("bool")
    with pytest.raises(ValueError, match="invalid dtype 'float'"):
        keras.backend.standardize_dtype("float")


def test_get_uid_shares_the_layer_name_counter():
    assert keras.backend.get_uid("dense") == 1
    assert keras.backend.get_uid("dense") == 2
    assert keras.backend.get_uid() == 1
    assert keras.layers.Dense(2).name == "dense_2"


def test_is_keras_tensor():
    x = keras.Input((2,))
    assert keras.backend.is_keras_tensor(x) and keras.utils.is_keras_tensor(x)
    assert not keras.backend.is_keras_tensor(np.zeros(2))


def test_top_level_names():
    assert keras.version() == keras.__version__
    assert keras.Loss is keras.losses.Loss and keras.Metric is keras.metrics.Metric
    assert keras.Optimizer is keras.optimizers.Optimizer and keras.Initializer is keras.initializers.Initializer
    assert keras.Regularizer is keras.regularizers.Regularizer and keras.InputSpec is keras.layers.InputSpec
    with keras.name_scope("block") as scope, keras.device("cpu:0"):
        assert scope.name == "block"
    with pytest.raises(ValueError, match="name_scope: expected name"):
        keras.name_scope("")


def test_initializer_aliases_are_keras_spellings_of_the_classes():
    init = keras.initializers
    assert init.glorot_uniform is init.GlorotUniform and init.he_normal is init.HeNormal
    assert init.OrthogonalInitializer is init.Orthogonal and init.IdentityInitializer is init.Identity
    assert init.zeros is init.Zeros and init.variance_scaling is init.VarianceScaling
    assert isinstance(init.get(init.lecun_normal), init.LecunNormal)
    layer = keras.layers.Dense(3, kernel_initializer=init.he_uniform)
    assert layer.get_config()["kernel_initializer"]["class_name"] == "HeUniform"
    a = keras.layers.Dense(2, kernel_initializer=init.random_normal(stddev=0.5, seed=3))
    b = keras.layers.deserialize(keras.layers.serialize(a))
    a.build((None, 4))
    b.build((None, 4))
    assert np.array_equal(a.get_weights()[0], b.get_weights()[0])  # the seed travels in the config


def test_layers_serialize_round_trip_and_refusals():
    config_dict = keras.layers.serialize(keras.layers.Dense(4, activation="relu", name="d"))
    assert config_dict["class_name"] == "Dense"
    layer = keras.layers.deserialize(config_dict)
    assert (layer.units, layer.name) == (4, "d")
    with pytest.raises(TypeError, match="expected a Layer"):
        keras.layers.serialize("dense")
    with pytest.raises(ValueError, match="unknown layer class 'Dence'"):
        keras.layers.deserialize({"class_name": "Dence", "config": {}})


def test_models_save_model_alias(tmp_path):
    model = _model()
    keras.models.save_model(model, tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))


def test_preprocessing_namespace_is_utils():
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    assert keras.preprocessing.image.img_to_array is keras.utils.img_to_array
    assert keras.preprocessing.timeseries_dataset_from_array is keras.utils.timeseries_dataset_from_array
    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory


@pytest.fixture
def policy_reset(switches):
    floatx = config.floatx()
    yield
    config.set_floatx(floatx)


def test_dtype_policies(policy_reset):
    from neuronet import dtype_policies, mixed_precision

    policy = dtype_policies.DTypePolicy("mixed_float16")
    assert (policy.name, policy.variable_dtype, policy.compute_dtype) == ("mixed_float16", "float32", "float16")
    assert dtype_policies.deserialize(dtype_policies.serialize(policy)) == policy
    assert dtype_policies.serialize(policy)["config"] == {"name": "mixed_float16"}
    assert dtype_policies.get("float64").variable_dtype == "float64" and keras.FloatDTypePolicy is keras.DTypePolicy
    assert config.dtype_policy() == dtype_policies.DTypePolicy("float32")
    with pytest.raises(ValueError, match="DTypePolicy: expected 'mixed_float16'"):
        dtype_policies.DTypePolicy("int8")
    with pytest.warns(UserWarning, match="keeps weights and computation in float32"):
        mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy().name == "mixed_float16" and config.floatx() == "float32"
    layer = keras.layers.Dense(2, dtype="mixed_bfloat16")
    assert layer.dtype == "float32"
    assert keras.layers.Dense(2, dtype=dtype_policies.DTypePolicy("float64")).dtype == "float64"
    config.set_dtype_policy("float64")
    assert config.floatx() == "float64" and keras.layers.Dense(2).dtype == "float64"
    config.set_floatx("float32")  # floatx set afterwards wins
    assert config.dtype_policy().name == "float32"
