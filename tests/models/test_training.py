"""The training loop: compile/fit/evaluate/predict semantics, the loss from the output's logits, logs,
callbacks, inputs of every kind, reproducibility, and one-line errors on bad input."""

import re

import numpy as np
import pytest

import neuronet
from neuronet import callbacks, layers, losses, metrics, optimizers
from neuronet.models import Model, Sequential
from neuronet.utils import PyDataset, to_categorical


@pytest.fixture(scope="session")
def seed_data():
    """The guide's data: make_classification(1000, 20, n_informative=10, random_state=42), 80/20 split."""
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    assert sklearn
    X, y = make_classification(n_samples=1000, n_features=20, n_informative=10, random_state=42)
    return train_test_split(X, y, test_size=0.2, random_state=42)


def guide_model(lr=0.001):
    model = Sequential()
    model.add(layers.Dense(units=64, activation="relu", input_dim=20))
    model.add(layers.Dense(units=1, activation="sigmoid"))
    model.compile(optimizer=optimizers.Adam(learning_rate=lr), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def small_model(units=3, activation="softmax", loss="sparse_categorical_crossentropy", opt="adam", **kw):
    model = Sequential([layers.Dense(8, activation="relu", input_dim=8), layers.Dense(units, activation=activation)])
    model.compile(optimizer=opt, loss=loss, metrics=["accuracy"], **kw)
    return model


# ----------------------------------------------------------------------------- the guide
def test_seed_example_reaches_090(seed_data):
    X_train, X_test, y_train, y_test = seed_data
    model = guide_model()
    history = model.fit(X_train, y_train, epochs=10, batch_size=32, validation_data=(X_test, y_test), verbose=0)
    y_pred = model.predict_classes(X_test)
    assert y_pred.shape == (200, 1) and y_pred.dtype == np.int32
    assert (y_pred.ravel() == y_test).mean() >= 0.90
    assert history.history["val_accuracy"][-1] >= 0.90
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_history_keys_epochs_and_params(seed_data):
    X_train, X_test, y_train, y_test = seed_data
    model = guide_model()
    history = model.fit(X_train, y_train, epochs=3, batch_size=100, validation_data=(X_test, y_test), verbose=0)
    assert history is model.history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.epoch == [0, 1, 2]
    assert history.params["epochs"] == 3 and history.params["steps"] == 8
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_verbose_2_prints_one_line_per_epoch(seed_data, capsys):
    X_train, X_test, y_train, y_test = seed_data
    guide_model().fit(X_train, y_train, epochs=3, validation_data=(X_test, y_test), verbose=2)
    out = capsys.readouterr().out
    pattern = (r"Epoch 3/3 - \d+\.\d\ds - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
               r"val_accuracy: \d\.\d{4}")
    assert re.search(pattern, out), out
    assert out.count("Epoch ") == 3


def test_verbose_0_prints_nothing(seed_data, capsys):
    X_train, _, y_train, _ = seed_data
    model = guide_model()
    model.fit(X_train, y_train, epochs=1, verbose=0)
    model.evaluate(X_train, y_train, verbose=0)
    model.predict(X_train, verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_auto_is_2_when_not_a_terminal(seed_data, capsys):
    X_train, _, y_train, _ = seed_data
    guide_model().fit(X_train[:64], y_train[:64], epochs=1)
    assert "Epoch 1/1 - " in capsys.readouterr().out


def test_two_seeded_runs_give_identical_weights(seed_data):
    X_train, _, y_train, _ = seed_data
    results = []
    for _ in range(2):
        neuronet.utils.set_random_seed(123)
        model = Sequential([layers.Dense(16, activation="relu", input_dim=20), layers.Dropout(0.3),
                            layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy")
        model.fit(X_train, y_train, epochs=2, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_dtypes_stay_float32(seed_data):
    X_train, _, y_train, _ = seed_data  # float64 data
    model = guide_model()
    model.fit(X_train, y_train, epochs=1, verbose=0)
    assert all(w.dtype == np.float32 for w in model.weights)
    assert model.predict(X_train[:5], verbose=0).dtype == np.float32
    for slot in getattr(model.optimizer, "variables", []) or []:
        assert getattr(slot, "dtype", np.float32) in (np.float32, np.int64, np.int32)


def test_float64_models_train(float64, blobs):
    X, y = blobs
    model = small_model()
    model.fit(X, y, epochs=1, verbose=0)
    assert all(w.dtype == np.float64 for w in model.weights)
    assert model.predict(X[:2], verbose=0).dtype == np.float64


# ----------------------------------------------------------------------------- predict_classes / predict
def test_predict_classes_semantics(blobs):
    X, y = blobs
    binary = Sequential([layers.Dense(1, activation="sigmoid", input_dim=8)])
    binary.set_weights([np.zeros((8, 1)), np.array([0.3])])  # p = sigmoid(0.3) > 0.5
    classes = binary.predict_classes(X[:4])
    assert classes.shape == (4, 1) and classes.dtype == np.int32 and (classes == 1).all()
    binary.set_weights([np.zeros((8, 1)), np.array([-0.3])])
    assert (binary.predict_classes(X[:4]) == 0).all()
    multi = small_model()
    proba = multi.predict_proba(X[:6])
    np.testing.assert_array_equal(multi.predict_classes(X[:6]), proba.argmax(axis=1))
    assert multi.predict_classes(X[:6]).shape == (6,)


def test_predict_batches_and_concatenates(blobs):
    X, _ = blobs
    model = small_model()
    full = model.predict(X, batch_size=1000, verbose=0)
    np.testing.assert_allclose(model.predict(X, batch_size=7, verbose=0), full, rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(X), full, rtol=1e-6)
    np.testing.assert_allclose(full.sum(axis=1), 1.0, rtol=1e-5)  # probabilities, not logits


# ----------------------------------------------------------------------------- loss semantics
def test_fused_sigmoid_matches_from_logits_training(seed_data):
    X_train, _, y_train, _ = seed_data
    neuronet.utils.set_random_seed(1)
    fused = Sequential([layers.Dense(8, activation="relu", input_dim=20), layers.Dense(1, activation="sigmoid")])
    logits = Sequential([layers.Dense(8, activation="relu", input_dim=20), layers.Dense(1)])
    logits.set_weights(fused.get_weights())
    fused.compile(optimizers.SGD(0.1), "binary_crossentropy")
    logits.compile(optimizers.SGD(0.1), losses.BinaryCrossentropy(from_logits=True))
    h1 = fused.fit(X_train, y_train, epochs=2, shuffle=False, verbose=0)
    h2 = logits.fit(X_train, y_train, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h1.history["loss"], h2.history["loss"], rtol=1e-5)
    for a, b in zip(fused.get_weights(), logits.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_fused_softmax_loss_equals_probability_loss(blobs):
    X, y = blobs
    model = small_model()
    logs = model.evaluate(X, y, verbose=0, return_dict=True)
    p = model.predict(X, verbose=0).astype(np.float64)
    expected = -np.mean(np.log(p[np.arange(len(y)), y]))
    assert logs["loss"] == pytest.approx(expected, rel=1e-4)


def test_epoch_loss_is_sample_weighted_mean_of_batch_losses(blobs):
    X, y = blobs
    model = small_model(opt=optimizers.SGD(learning_rate=0.0))  # weights never change
    history = model.fit(X, y, epochs=1, batch_size=40, shuffle=False, verbose=0)  # batches 40, 40, 40, 30
    assert history.history["loss"][0] == pytest.approx(model.evaluate(X, y, batch_size=150, verbose=0)[0], rel=1e-5)


def test_regularization_is_added_to_the_loss(blobs):
    X, y = blobs
    model = Sequential([layers.Dense(3, activation="softmax", input_dim=8, kernel_regularizer="l2")])
    model.compile(optimizers.SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    kernel = model.layers[0].kernel.data
    data_loss = -np.mean(np.log(model.predict(X, verbose=0).astype(np.float64)[np.arange(len(y)), y]))
    history = model.fit(X, y, epochs=1, verbose=0)
    assert history.history["loss"][0] == pytest.approx(data_loss + 0.01 * float(np.sum(kernel.astype(float) ** 2)),
                                                       rel=1e-4)


def test_sample_weight_and_class_weight(blobs):
    X, y = blobs
    model = small_model()
    per_sample = np.array([model.evaluate(X[i:i + 1], y[i:i + 1], verbose=0)[0] for i in range(6)])
    w = np.array([1.0, 0.0, 2.0, 0.0, 1.0, 0.0])
    got = model.evaluate(X[:6], y[:6], sample_weight=w, verbose=0)[0]
    assert got == pytest.approx(np.sum(per_sample * w) / 6, rel=1e-4)  # Keras: divided by the batch size
    before = model.get_weights()
    model.fit(X, y, class_weight={0: 0.0, 1: 0.0, 2: 0.0}, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)  # zero class weights: zero gradients


def test_validation_split_takes_the_last_samples_before_shuffling(blobs):
    X, y = blobs
    model = small_model(opt=optimizers.SGD(learning_rate=0.0))
    history = model.fit(X, y, validation_split=0.2, epochs=1, verbose=0)
    tail = model.evaluate(X[120:], y[120:], verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(tail["loss"], rel=1e-5)
    assert history.history["val_accuracy"][0] == pytest.approx(tail["accuracy"])
    assert history.params["steps"] == 4  # 120 training samples / 32


def test_accuracy_resolves_as_keras(blobs):
    X, y = blobs
    sparse = small_model()
    sparse.fit(X, y, epochs=1, verbose=0)
    assert isinstance(sparse.metrics[0], metrics.SparseCategoricalAccuracy)
    onehot = small_model(loss="categorical_crossentropy")
    onehot.fit(X, to_categorical(y, 3), epochs=1, verbose=0)
    assert isinstance(onehot.metrics[0], metrics.CategoricalAccuracy)
    binary = small_model(units=1, activation="sigmoid", loss="binary_crossentropy")
    binary.fit(X, (y == 1).astype(int), epochs=1, verbose=0)
    assert isinstance(binary.metrics[0], metrics.BinaryAccuracy)
    assert binary.metrics[0].name == "accuracy" and binary.metrics_names == ["loss", "accuracy"]


def test_evaluate_return_forms(blobs):
    X, y = blobs
    model = small_model()
    loss, acc = model.evaluate(X, y, verbose=0)
    assert model.evaluate(X, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}
    bare = Sequential([layers.Dense(3, input_dim=8)])
    bare.compile("sgd", "mse")
    assert isinstance(bare.evaluate(X, np.zeros((150, 3)), verbose=0), float)


def test_train_and_test_on_batch(blobs):
    X, y = blobs
    model = small_model()
    before = model.get_weights()[0].copy()
    loss, acc = model.train_on_batch(X[:32], y[:32])
    assert np.isfinite(loss) and 0 <= acc <= 1
    assert not np.allclose(before, model.get_weights()[0])
    logs = model.test_on_batch(X[:32], y[:32], return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_mse_regression_with_1d_targets():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Sequential([layers.Dense(1, input_dim=3)])
    model.compile(optimizers.Adam(0.1), "mse", metrics=["mae"])
    history = model.fit(X, y, epochs=40, batch_size=50, verbose=0)
    assert history.history["loss"][-1] < 0.01 and "mae" in history.history


# ----------------------------------------------------------------------------- callbacks
HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]


class Recorder(callbacks.Callback):
    """Records the name of every hook called, in order."""

    def __init__(self):
        super().__init__()
        self.calls = []


def _recording_hook(name):
    def hook(self, *args, **kwargs):
        self.calls.append(name)
    return hook


for _name in HOOKS:
    setattr(Recorder, _name, _recording_hook(_name))


def test_callback_hook_order(blobs):
    X, y = blobs
    rec = Recorder()
    small_model().fit(X[:64], y[:64], batch_size=32, epochs=2, validation_data=(X[64:96], y[64:96]),
                      callbacks=[rec], verbose=0)
    epoch = ["on_epoch_begin", "on_train_batch_begin", "on_train_batch_end", "on_train_batch_begin",
             "on_train_batch_end", "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
             "on_epoch_end"]
    assert rec.calls == ["on_train_begin"] + epoch + epoch + ["on_train_end"]
    rec.calls.clear()
    small_model().predict(X[:40], batch_size=32, callbacks=[rec], verbose=0)
    assert rec.calls == ["on_predict_begin"] + ["on_predict_batch_begin", "on_predict_batch_end"] * 2 + [
        "on_predict_end"]


def test_logs_passed_to_callbacks(blobs):
    X, y = blobs
    seen = {}

    class Spy(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.setdefault("batch", dict(logs))

        def on_test_end(self, logs=None):
            seen["test"] = dict(logs)

        def on_epoch_end(self, epoch, logs=None):
            seen["epoch"] = dict(logs)

    small_model().fit(X, y, epochs=1, validation_split=0.2, callbacks=[Spy()], verbose=0)
    assert set(seen["batch"]) == {"loss", "accuracy"}
    assert set(seen["test"]) == {"loss", "accuracy"}
    assert list(seen["epoch"]) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert seen["epoch"]["val_loss"] == seen["test"]["loss"]


def test_early_stopping_stops_and_restores_best_weights(blobs):
    X, y = blobs
    model = small_model()
    snapshots = []

    class Snapshot(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append((logs["val_loss"], [w.copy() for w in self.model.get_weights()]))

    # a huge learning rate makes the validation loss rise after the first epochs
    model.compile(optimizers.SGD(learning_rate=5.0), "sparse_categorical_crossentropy")
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(X, y, epochs=50, validation_split=0.3, callbacks=[Snapshot(), stop], verbose=0)
    assert len(history.epoch) < 50
    best_loss, best_weights = min(snapshots, key=lambda s: s[0])
    for a, b in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(a, b)


def test_stop_training_flag_ends_fit(blobs):
    X, y = blobs

    class StopAfterOne(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = small_model().fit(X, y, epochs=10, callbacks=[StopAfterOne()], verbose=0)
    assert history.epoch == [0]


def test_initial_epoch_and_validation_freq(blobs):
    X, y = blobs
    history = small_model().fit(X, y, epochs=4, initial_epoch=1, validation_split=0.2, validation_freq=2, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert len(history.history["val_loss"]) == 2  # epochs 2 and 4 (1-based)


# ----------------------------------------------------------------------------- inputs of every kind
class FrameLike:
    """Duck-typed pandas object: only ``to_numpy`` and ``__len__``."""

    def __init__(self, values):
        self.values = values

    def to_numpy(self):
        return self.values

    def __len__(self):
        return len(self.values)


def test_dataframe_like_and_lists(blobs):
    X, y = blobs
    model = small_model()
    assert len(model.fit(FrameLike(X), FrameLike(y), epochs=1, verbose=0).history["loss"]) == 1
    assert len(model.fit(X.tolist(), y.tolist(), epochs=1, verbose=0).history["loss"]) == 1
    assert model.predict(FrameLike(X), verbose=0).shape == (150, 3)


class Batches(PyDataset):
    def __init__(self, X, y, batch_size=50, **kwargs):
        super().__init__(**kwargs)
        self.X, self.y, self.batch_size = X, y, batch_size
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.X) / self.batch_size))

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.X[s], self.y[s]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_pydataset_and_generator(blobs):
    X, y = blobs
    model = small_model()
    data = Batches(X, y)
    history = model.fit(data, epochs=2, validation_data=Batches(X, y), verbose=0)
    assert data.epochs_ended == 2 and history.params["steps"] == 3 and "val_loss" in history.history
    assert model.evaluate(data, verbose=0, return_dict=True)["loss"] == pytest.approx(
        model.evaluate(X, y, batch_size=50, verbose=0, return_dict=True)["loss"], rel=1e-5)
    assert model.predict(data, verbose=0).shape == (150, 3)

    def endless():
        while True:
            for i in range(3):
                yield X[i * 50:(i + 1) * 50], y[i * 50:(i + 1) * 50]

    history = model.fit(endless(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_one_hot_and_integer_labels_train_identically(blobs):
    X, y = blobs
    a = small_model(loss="categorical_crossentropy")
    b = small_model()
    b.set_weights(a.get_weights())
    ha = a.fit(X, to_categorical(y), epochs=3, shuffle=False, verbose=0)
    hb = b.fit(X, y, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(ha.history["accuracy"], hb.history["accuracy"])
    assert hb.history["loss"][-1] < hb.history["loss"][0]


# ----------------------------------------------------------------------------- bad input
def _unchanged(model, fn):
    before = model.get_weights()
    fn()
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make_args,match", [
    (lambda X, y: (X[:10], y), "x has 10, y has 150"),
    (lambda X, y: (X[:, :5], y), "X has 5 features, but sequential is expecting 8 features as input"),
    (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 19, np.inf, X), y), "inf at row 2, column 3"),
    (lambda X, y: (X, np.where(np.arange(150) == 7, np.nan, y)), r"y contains nan at row 7"),
    (lambda X, y: (X[:0], y[:0]), "empty"),
    (lambda X, y: (X, y + 1), r"label 3 \(row \d+\) is out of range .* \[0, 2\]"),
    (lambda X, y: (X, y - 0.5), "integer"),
])
def test_fit_bad_data_errors_before_any_work(blobs, make_args, match):
    X, y = blobs
    model = small_model()
    X_copy, y_copy = X.copy(), y.copy()

    def run():
        with pytest.raises(ValueError, match=match):
            model.fit(*make_args(X, y), epochs=1, verbose=0)

    _unchanged(model, run)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert model.optimizer.iterations == 0


def test_one_hot_width_must_match_output_units(blobs):
    X, y = blobs
    model = small_model(loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"width 3 .*width 4"):
        model.fit(X, to_categorical(y, 4), verbose=0)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        model.fit(X, y, verbose=0)


def test_predict_errors(blobs):
    X, _ = blobs
    with pytest.raises(ValueError, match="X has 3 features, but sequential is expecting 8"):
        small_model().predict(X[:, :3], verbose=0)
    unbuilt = Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="has not been built"):
        unbuilt.predict(X, verbose=0)
    with pytest.raises(ValueError, match="row 0, column 0"):
        small_model().predict(np.full((2, 8), np.nan), verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    ({"optimizer": "adamm"}, "did you mean 'adam'"),
    ({"loss": "binary_crossentropyy"}, "did you mean 'binary_crossentropy'"),
    ({"metrics": ["acuracy"]}, "did you mean 'accuracy'"),
])
def test_unknown_names_at_compile(kwargs, match):
    model = Sequential([layers.Dense(1, input_dim=2)])
    args = {"optimizer": "adam", "loss": "mse", **kwargs}
    with pytest.raises(ValueError, match=match):
        model.compile(**args)
    assert not model.compiled


@pytest.mark.parametrize("kwargs,match", [
    ({"epochs": -1}, "epochs"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": -5}, "batch_size"),
    ({"validation_split": 1.0}, "validation_split"),
    ({"steps_per_epoch": 0}, "steps_per_epoch"),
])
def test_invalid_fit_hyperparameters(blobs, kwargs, match):
    X, y = blobs
    model = small_model()
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, verbose=0, **kwargs)


def test_fit_before_compile():
    model = Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="compile"):  # ValueError, as Keras
        model.fit(np.ones((4, 2)), np.ones(4))


def test_sample_weight_shape_is_checked(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"sample_weight of shape \(150,\)"):
        small_model().fit(X, y, sample_weight=np.ones(10), verbose=0)


def test_subclassed_model_predict_after_fit(blobs):
    X, y = blobs

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3, activation="softmax")

        def call(self, inputs, training=None):
            return self.dense(inputs)

    model = Net()
    with pytest.raises(ValueError, match="not been built"):
        model.predict(X, verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    assert model.predict(X, verbose=0).shape == (150, 3)
