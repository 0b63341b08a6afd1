"""Sequential: add/pop/build, shapes, weights in Keras order, summary, config, calls."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import Tensor
from neuronet.models import Sequential


def guide_model():
    model = Sequential()
    model.add(layers.Dense(units=64, activation="relu", input_dim=20))
    model.add(layers.Dense(units=1, activation="sigmoid"))
    return model


def test_builds_as_layers_are_added_with_input_dim():
    model = guide_model()
    assert model.built
    assert model.input_shape == (None, 20) and model.output_shape == (None, 1)
    assert [w.shape for w in model.weights] == [(20, 64), (64,), (64, 1), (1,)]
    assert model.count_params() == 1344 + 65


def test_summary_shows_keras_table_and_counts():
    lines = []
    guide_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "sequential"' in text
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert "dense (Dense)" in text and "(None, 64)" in text and "1,344" in text
    assert "dense_1 (Dense)" in text and "(None, 1)" in text and " 65 " in text
    assert "Total params: 1,409" in text
    assert "Trainable params: 1,409" in text
    assert "Non-trainable params: 0" in text


def test_summary_counts_non_trainable(capsys):
    model = guide_model()
    model.layers[0].trainable = False
    model.summary()
    out = capsys.readouterr().out
    assert "Trainable params: 65" in out and "Non-trainable params: 1,344" in out


def test_input_tensor_first_and_layers_list():
    model = Sequential([layers.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]


def test_lazy_build_on_first_call():
    model = Sequential([layers.Dense(3, activation="relu"), layers.Dense(2)])
    assert not model.built
    y = model(np.ones((5, 7)))
    assert isinstance(y, Tensor) and y.shape == (5, 2) and y.dtype == np.float32
    assert model.built and model.input_shape == (None, 7)


def test_build_with_input_shape():
    model = Sequential([layers.Dense(3), layers.Flatten()])
    model.build((None, 4, 5))
    assert model.output_shape == (None, 12)
    assert model.layers[0].kernel.shape == (5, 3)


def test_pop_and_add():
    model = guide_model()
    popped = model.pop()
    assert popped.units == 1 and model.output_shape == (None, 64)
    model.add(layers.Dense(3))
    assert model.output_shape == (None, 3)
    with pytest.raises(ValueError, match="no layers"):
        Sequential().pop()


def test_add_rejects_non_layers_and_duplicate_names():
    model = Sequential()
    with pytest.raises(TypeError, match="expected a Layer"):
        model.add("dense")
    model.add(layers.Dense(2, name="same", input_dim=3))
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="same"))
    assert len(model.layers) == 1


def test_add_incompatible_layer_leaves_model_unchanged():
    model = Sequential([layers.Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match="ndim=3"):
        model.add(layers.SpatialDropout1D(0.5))
    assert len(model.layers) == 1 and model.output_shape == (None, 4)


def test_wrong_input_shape_names_layer():
    model = guide_model()
    with pytest.raises(ValueError, match=r"layer 'dense'.*value 20.*\(2, 5\)"):
        model(np.zeros((2, 5)))


def test_get_set_weights_round_trip_and_shape_errors():
    model = guide_model()
    weights = [np.full(w.shape, i, "float32") for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    before = model.get_weights()
    bad = list(weights)
    bad[3] = np.zeros(2)
    with pytest.raises(ValueError, match=r"weight 3 .*expected shape \(1,\), received \(2,\)"):
        model.set_weights(bad)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_weights_follow_layer_order_with_non_trainable_layer():
    model = guide_model()
    model.layers[0].trainable = False
    names = [w.path for w in model.weights]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert [w.path for w in model.trainable_weights] == ["dense_1/kernel", "dense_1/bias"]


def test_config_round_trip():
    model = guide_model()
    clone = Sequential.from_config(model.get_config())
    assert clone.input_shape == (None, 20)
    assert [layer.units for layer in clone.layers] == [64, 1]
    assert clone.layers[0].activation is neuronet.activations.relu


def test_nested_sequential_as_layer():
    inner = Sequential([layers.Dense(4, input_dim=3)])
    outer = Sequential([inner, layers.Dense(1)])
    outer.build((None, 3))
    assert outer(np.ones((2, 3))).shape == (2, 1)
    assert len(outer.weights) == 4


def test_training_flag_reaches_dropout():
    model = Sequential([layers.Dropout(0.5, input_shape=(100,))])
    x = np.ones((4, 100), "float32")
    np.testing.assert_array_equal(model(x).data, x)
    assert (model(x, training=True).data == 0).any()


def test_get_layer_by_name_and_index():
    model = guide_model()
    assert model.get_layer("dense_1") is model.layers[1]
    assert model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match="did you mean 'dense'"):
        model.get_layer("dens")


def test_built_model_as_first_layer_gives_the_input_shape():
    inner = Sequential([layers.Flatten(input_shape=(4, 5)), layers.Dense(3)])
    outer = Sequential([inner, layers.Softmax()])
    assert outer.built and outer.input_shape == (None, 4, 5)
    probs = outer.predict(np.ones((2, 4, 5)), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)


def test_sequential_gradcheck_through_inputs_and_weights(float64, rng):
    from neuronet.autograd import gradcheck

    model = Sequential([layers.Dense(4, activation="tanh", input_dim=3), layers.Dense(2, activation="softmax")])
    model.layers[0].bias.data[...] = rng.normal(size=4)
    assert all(w.dtype == np.float64 for w in model.weights)
    gradcheck(lambda x: model(x), [rng.normal(size=(5, 3))], params=model.weights)


def test_fused_gradient_equals_probability_path_gradient(rng):
    """One SGD step with the sigmoid+cross-entropy computed from the logits equals one with the loss
    written on probabilities."""
    from neuronet import losses, ops, optimizers

    def bce_on_probabilities(y_true, y_pred):  # a plain function: it reads the probabilities only
        p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
        return -ops.mean(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p), axis=-1)

    x = rng.normal(size=(16, 5))
    y = (rng.random(16) > 0.5).astype(float)
    fused = Sequential([layers.Dense(1, activation="sigmoid", input_dim=5)])
    plain = Sequential([layers.Dense(1, activation="sigmoid", input_dim=5)])
    plain.set_weights(fused.get_weights())
    fused.compile(optimizers.SGD(learning_rate=1.0), "binary_crossentropy")
    plain.compile(optimizers.SGD(learning_rate=1.0), bce_on_probabilities)
    out = fused(x)  # the loss of the sigmoid output is computed from its logits
    logits = out._keras_logits
    assert getattr(out, "_keras_logits_axis", None) is None  # a sigmoid's logits
    np.testing.assert_array_equal(losses.binary_crossentropy(y[:, None], out).data,
                                  losses.binary_crossentropy(y[:, None], logits, from_logits=True).data)
    loss_fused = fused.train_on_batch(x, y)
    loss_plain = plain.train_on_batch(x, y)
    assert loss_fused == pytest.approx(loss_plain, rel=1e-5)
    for a, b in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
