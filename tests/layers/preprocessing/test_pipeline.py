"""Pipeline: layers applied in order, training on by default, config round trip through .keras files."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers


def test_pipeline_applies_layers_in_order_and_trains_by_default():
    x = np.arange(16, dtype="float32").reshape(1, 2, 4, 2)
    pipeline = layers.Pipeline([layers.Rescaling(0.5, offset=1.0), layers.RandomFlip("horizontal", seed=3)])
    np.testing.assert_array_equal(pipeline(x, training=False).data, x * 0.5 + 1.0)
    flipped = [pipeline(x).data for _ in range(8)]  # training=True by default: some calls flip
    assert any(np.array_equal(y, (x * 0.5 + 1.0)[:, :, ::-1]) for y in flipped)
    assert pipeline.layers[0].scale == 0.5
    assert pipeline.compute_output_shape((None, 2, 4, 2)) == (None, 2, 4, 2)


def test_pipeline_config_and_keras_file_round_trip(tmp_path):
    pipeline = layers.Pipeline([layers.Rescaling(2.0), layers.CenterCrop(2, 2)], name="prep")
    config = pipeline.get_config()
    assert set(config) == {"layers", "name"} and [e["class_name"] for e in config["layers"]] == ["Rescaling",
                                                                                                  "CenterCrop"]
    again = layers.Pipeline.from_config(config)
    assert [type(layer) for layer in again.layers] == [layers.Rescaling, layers.CenterCrop]
    model = keras.Sequential([keras.Input((4, 4, 1)), pipeline, layers.Flatten(), layers.Dense(1)])
    model.save(tmp_path / "p.keras")
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(keras.saving.load_model(tmp_path / "p.keras").predict(x, verbose=0),
                               model.predict(x, verbose=0))


def test_pipeline_refuses_non_layers():
    with pytest.raises(ValueError, match="Pipeline: expected layers to be a list of Layer instances"):
        layers.Pipeline(["rescaling"])


@pytest.mark.parametrize("functional", [False, True])
def test_pipeline_inside_a_model_is_inactive_at_inference(functional):
    pipeline = layers.Pipeline([layers.RandomFlip("horizontal")])
    x = np.arange(8, dtype="float32").reshape(1, 2, 4, 1)
    if functional:
        inputs = keras.Input((2, 4, 1))
        model = keras.Model(inputs, layers.Flatten()(pipeline(inputs)))
    else:
        model = keras.Sequential([keras.Input((2, 4, 1)), pipeline, layers.Flatten()])
    assert all(np.array_equal(model.predict(x, verbose=0), x.reshape(1, -1)) for _ in range(10))
