"""find_learning_rate, check_overfit_batch and the loss/output mismatch checks."""

import warnings

import numpy as np
import pytest

import neuronet
from neuronet import config, diagnostics, layers
from neuronet.models import training_checks


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10)).astype("float32")
    return x, (x[:, :3].sum(axis=1) > 0).astype("float32")


def _net(output="sigmoid", units=1, optimizer="sgd", loss="binary_crossentropy"):
    model = neuronet.Sequential([layers.Input((10,)), layers.Dense(16, activation="relu"),
                                 layers.Dense(units, activation=output)])
    model.compile(optimizer=optimizer, loss=loss)
    return model


def test_range_test_finds_where_the_loss_falls_fastest_and_leaves_the_model_alone():
    model = _net()
    x, y = _data()
    weights = model.get_weights()
    rng_state = config.rng().bit_generator.state
    result = diagnostics.find_learning_rate(model, x, y, steps=150)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert config.rng().bit_generator.state == rng_state and model.optimizer.iterations == 0
    rates = np.array(result.rates)
    assert rates[0] == pytest.approx(1e-6)
    assert np.allclose(np.diff(np.log(rates)), np.log(1e7) / 149)  # exponential schedule
    assert min(result.smoothed) < 0.8 * result.smoothed[0]  # the loss fell somewhere in the range
    # plain SGD on this problem learns at rates around 0.1-2 and not at all below 1e-3
    assert 0.05 < result.suggestion < 3.0, str(result)
    fast = _net(optimizer=neuronet.optimizers.SGD(result.suggestion))
    slow = _net(optimizer=neuronet.optimizers.SGD(1e-4))
    slow.set_weights(fast.get_weights())
    assert (fast.fit(x, y, epochs=2, verbose=0).history["loss"][-1]
            < slow.fit(x, y, epochs=2, verbose=0).history["loss"][-1])
    assert "suggested learning rate" in str(result)


def test_range_test_argument_errors():
    model = _net()
    x, y = _data(50)
    with pytest.raises(ValueError, match="max_lr > min_lr"):
        diagnostics.find_learning_rate(model, x, y, min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError, match="steps to be an integer"):
        diagnostics.find_learning_rate(model, x, y, steps=1)


def test_overfit_batch_verdicts():
    x, y = _data(64)
    passed = diagnostics.check_overfit_batch(_net(optimizer=neuronet.optimizers.SGD(0.5)), x, y)
    assert passed and passed.passed and passed.final_loss <= 0.05 * passed.initial_loss
    assert str(passed).startswith("PASSED: the loss fell from")
    # softmax over one unit: the output is constantly 1 and the loss cannot move; the verdict names why
    stuck = diagnostics.check_overfit_batch(_net(output="softmax", optimizer="adam"), x, y, steps=50)
    assert not stuck and stuck.final_loss == pytest.approx(stuck.initial_loss)
    assert "FAILED: the loss did not fall" in stuck.verdict and "softmax over 1 unit" in stuck.verdict
    # a learning rate far too high: the loss turns non-finite
    blown = diagnostics.check_overfit_batch(_net(output=None, loss="mse", optimizer=neuronet.optimizers.SGD(50.0)),
                                            x, y * 100, steps=50)
    assert not blown and "too high" in blown.verdict and "clipnorm" in blown.verdict


@pytest.mark.parametrize("activation, units, loss, expected", [
    ("softmax", 1, "binary_crossentropy", "softmax over 1 unit"),
    ("softmax", 1, "categorical_crossentropy", "categorical_crossentropy expects an output of one unit per class"),
    ("sigmoid", 1, "categorical_crossentropy", "categorical_crossentropy expects an output of one unit per class"),
    ("relu", 1, "binary_crossentropy", "activation 'relu', whose outputs are not probabilities"),
    ("linear", 1, "binary_crossentropy", "activation 'linear', whose outputs are not probabilities"),
    ("linear", 3, "categorical_crossentropy", "use activation='softmax', or keep the layer linear"),
    ("sigmoid", 1, neuronet.losses.BinaryCrossentropy(from_logits=True), "already applies sigmoid"),
    ("softmax", 3, neuronet.losses.CategoricalCrossentropy(from_logits=True), "already applies softmax"),
    ("softmax", 3, "binary_crossentropy", "softmax over 3 units but the loss is binary_crossentropy"),
    ("sigmoid", 3, "sparse_categorical_crossentropy", "expects a softmax output"),
])
def test_each_mismatch_is_found(activation, units, loss, expected):
    messages = diagnostics.loss_output_warnings(activation, loss, units=units)
    assert any(expected in m for m in messages), messages
    model = _net(output=None if activation == "linear" else activation, units=units, loss="mse")
    assert any(expected in m for m in diagnostics.loss_output_warnings(model, loss))  # from a model too


@pytest.mark.parametrize("activation, units, loss", [
    ("sigmoid", 1, "binary_crossentropy"), ("softmax", 3, "categorical_crossentropy"),
    ("softmax", 3, "sparse_categorical_crossentropy"), ("linear", 1, "mse"), ("relu", 1, "mae"),
    ("linear", 1, neuronet.losses.BinaryCrossentropy(from_logits=True)),
    ("linear", 4, neuronet.losses.SparseCategoricalCrossentropy(from_logits=True)),
])
def test_sound_pairs_give_no_message(activation, units, loss):
    assert diagnostics.loss_output_warnings(activation, loss, units=units) == []


def test_check_loss_output_warns_once_per_kind(monkeypatch):
    monkeypatch.setattr(training_checks, "_WARNED", set())
    model = _net(output="softmax", loss="binary_crossentropy")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diagnostics.check_loss_output(model, "binary_crossentropy")
        diagnostics.check_loss_output(model, "binary_crossentropy")
    assert len(caught) == 1 and "the output layer 'dense_1' applies softmax over 1 unit" in str(caught[0].message)


def test_functional_model_with_two_outputs_gets_a_message_per_output():
    inputs = layers.Input((4,))
    a = layers.Dense(1, activation="relu", name="score")(inputs)
    b = layers.Dense(3, activation="softmax", name="kind")(inputs)
    model = neuronet.Model(inputs, [a, b])
    messages = diagnostics.loss_output_warnings(model, {"score": "binary_crossentropy", "kind": "binary_crossentropy"})
    assert any("'score' has activation 'relu'" in m for m in messages)
    assert any("'kind' applies softmax over 3 units" in m for m in messages)
