"""The setup checks run at the first fit: a loss that does not fit its output's activation warns once,
pointing at the user's call."""

import warnings

import pytest

from neuronet import Input, Model, layers, losses
from neuronet.models import Sequential, training_checks
from neuronet.utils import to_categorical


def small_model(units=3, activation="softmax", loss="sparse_categorical_crossentropy"):
    model = Sequential([layers.Dense(8, activation="relu", input_dim=8), layers.Dense(units, activation=activation)])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("units,activation,loss", [
    (3, "softmax", "binary_crossentropy"),
    (3, "sigmoid", "categorical_crossentropy"),
    (1, "sigmoid", losses.BinaryCrossentropy(from_logits=True)),
    (3, "softmax", losses.SparseCategoricalCrossentropy(from_logits=True)),
])
def test_mismatched_loss_and_activation_warn_once(blobs, units, activation, loss):
    training_checks._WARNED.clear()
    X, y = blobs
    target = to_categorical(y, 3) if units == 3 and "sparse" not in str(loss).lower() else y
    if units == 1:
        target = (y == 1).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            model = small_model(units=units, activation=activation, loss=loss)
            model.fit(X, target, epochs=1, verbose=0)
    relevant = [w for w in caught if "output layer" in str(w.message)]
    assert len(relevant) == 1, [str(w.message) for w in caught]
    assert relevant[0].filename == __file__  # the warning points at the fit call


def test_matching_loss_and_activation_do_not_warn(blobs):
    X, y = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small_model().fit(X, y, epochs=1, verbose=0)


def test_functional_output_layer_is_checked(blobs):
    training_checks._WARNED.clear()
    X, y = blobs
    inputs = Input(shape=(8,))
    model = Model(inputs, layers.Dense(3, activation="softmax", name="probs")(inputs))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    with pytest.warns(UserWarning, match="output layer 'probs' applies softmax over 3 units"):
        model.fit(X, to_categorical(y, 3), epochs=1, verbose=0)


@pytest.mark.parametrize("units,activation,loss,expected", [
    (1, "softmax", "binary_crossentropy", "applies softmax over 1 unit"),
    (1, None, "binary_crossentropy", "activation 'linear', whose outputs are not probabilities"),
    (3, "relu", "categorical_crossentropy", "activation 'relu', whose outputs are not probabilities"),
])
def test_fit_warns_about_the_mismatches_keras_misses(blobs, units, activation, loss, expected):
    training_checks._WARNED.clear()
    X, y = blobs
    target = to_categorical(y, 3) if units == 3 else (y == 1).astype(float)
    model = small_model(units=units, activation=activation, loss=loss)
    with pytest.warns(UserWarning, match=expected):
        model.fit(X, target, epochs=1, verbose=0)
