"""What fit does with its data: shuffling, the validation split, class weights for every kind of data,
and the one-line errors for misused data (the adapters' work, seen through fit)."""

import numpy as np
import pytest

from neuronet import callbacks, layers, optimizers
from neuronet.models import Model, Sequential
from neuronet.utils import PyDataset, set_random_seed


def small_model(seed=0):
    set_random_seed(seed)
    model = Sequential([layers.Dense(8, activation="relu", input_dim=8), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


class Batches(PyDataset):
    def __init__(self, X, y, batch_size=50):
        super().__init__()
        self.X, self.y, self.batch_size = X, y, batch_size

    def __len__(self):
        return int(np.ceil(len(self.X) / self.batch_size))

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.X[s], self.y[s]


class BatchCounter(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


# ----------------------------------------------------------------------------- shuffling and the split
def _seen_order(shuffle: bool) -> list:
    """The order in which fit feeds the samples 0..19 to the model in one epoch."""
    seen = []

    def record(x, training=None):
        if training:
            seen.extend(int(v) for v in x.data[:, 0])
        return x

    set_random_seed(3)
    model = Sequential([layers.Input((1,)), layers.Lambda(record), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.arange(20.0)[:, None], np.zeros(20), batch_size=5, epochs=1, shuffle=shuffle, verbose=0)
    return seen


def test_fit_passes_shuffle_to_its_data():
    assert _seen_order(shuffle=False) == list(range(20))
    shuffled = _seen_order(shuffle=True)
    assert sorted(shuffled) == list(range(20)) and shuffled != list(range(20))


def test_validation_split_rounds_the_training_part_down():
    """n·(1 - split) = 7.5: 7 samples train (7 batches of 1), the last 3 validate."""
    X, y = np.random.default_rng(0).normal(size=(10, 8)), np.arange(10) % 3
    model = small_model()
    counter = BatchCounter()
    history = model.fit(X, y, batch_size=1, validation_split=0.25, epochs=1, shuffle=False, verbose=0,
                        callbacks=[counter])
    assert counter.batches == 7 and history.params["steps"] == 7
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(X[7:], y[7:], verbose=0), rel=1e-6)


# ----------------------------------------------------------------------------- class weights
@pytest.mark.parametrize("kind", ["pydataset", "generator"])
def test_class_weight_applies_to_batch_sources(blobs, kind):
    X, y = blobs
    weights = {0: 0.5, 1: 2.0, 2: 1.0}
    reference = small_model()
    reference.fit(X, y, batch_size=50, class_weight=weights, shuffle=False, epochs=1, verbose=0)
    model = small_model()
    data = Batches(X, y) if kind == "pydataset" else iter([Batches(X, y)[i] for i in range(3)])
    model.fit(data, class_weight=weights, epochs=1, verbose=0)
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    unweighted = small_model()
    unweighted.fit(Batches(X, y), epochs=1, verbose=0)
    assert not np.allclose(unweighted.get_weights()[0], model.get_weights()[0])  # the weights mattered


def test_class_weight_lacking_a_class_is_refused_before_training(blobs):
    X, y = blobs
    model = small_model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"^fit: class_weight has no weight for the class\(es\) \[2\] present in y"):
        model.fit(X, y, class_weight={0: 1.0, 1: 2.0}, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- misuse
def test_ragged_list_of_lists_names_fit_and_x():
    model = Sequential([layers.Dense(1, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"^fit: x is ragged: row 0 has shape \(3,\) but row 1 has shape \(2,\); "):
        model.fit([[1, 2, 3], [1, 2]], [0.0, 1.0], verbose=0)
    with pytest.raises(ValueError, match=r"^fit: y is ragged"):
        model.fit([[1, 2, 3], [1, 2, 4]], [[0.0], [1.0, 2.0]], verbose=0)


def test_lazily_built_subclassed_model_trains_on_a_pydataset(blobs):
    X, y = blobs

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(3, activation="softmax")

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    model = Net()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    data = Batches(X, y + 1)  # label 3 is out of range: checked against the output built on batch 0
    with pytest.raises(ValueError, match=r"label 3 .* out of range for an output of 3 units"):
        model.fit(data, epochs=1, verbose=0)
    history = model.fit(Batches(X, y), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and model.predict(X[:4], verbose=0).shape == (4, 3)
