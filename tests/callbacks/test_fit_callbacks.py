"""One end-to-end check per callback with a real tiny Sequential model trained by fit."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import callbacks


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")
    return x, y


def _model(optimizer="adam", loss="binary_crossentropy", metrics=("accuracy",)):
    model = keras.Sequential([keras.layers.Dense(6, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def _scripted(key, values):
    """A callback that writes values[epoch] into the epoch logs (runs before the callbacks after it)."""
    return callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(key, values[epoch]))


def test_fit_returns_history_with_train_and_validation_keys():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0)
    assert isinstance(history, callbacks.History) and model.history is history
    assert history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())


def test_fit_verbose_2_one_line_per_epoch(capsys):
    x, y = _data()
    _model().fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3/3 - ")
    assert " - loss: " in lines[2] and " - val_accuracy: " in lines[2]


def test_fit_verbose_1_bar_with_final_values(capsys):
    x, y = _data()
    history = _model().fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "3/3" in out
    assert f"val_loss: {history.history['val_loss'][-1]:.4f}" in out


def test_early_stopping_in_fit_stops_and_restores_best_weights():
    x, y = _data()
    model = _model()
    snapshots = []
    record = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stop = callbacks.EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0,
                        callbacks=[record, _scripted("score", [3.0, 1.0, 2.0, 2.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]),
                                   stop])
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 3
    for got, best in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, best)
    assert not np.array_equal(model.get_weights()[0], snapshots[3][0])


def test_reduce_lr_on_plateau_in_fit():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.Adam(learning_rate=0.01))
    cb = callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1)
    history = model.fit(x, y, epochs=4, batch_size=32, verbose=0,
                        callbacks=[_scripted("score", [1.0, 1.0, 1.0, 1.0]), cb])
    # logs hold the rate the epoch ran with; reductions happen at the end of epochs 1, 2 and 3
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.00125)


def test_learning_rate_scheduler_in_fit():
    x, y = _data()
    model = _model(optimizer=keras.optimizers.SGD(learning_rate=0.1))
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0,
                        callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_terminate_on_nan_in_fit(capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32") * 100
    y = rng.normal(size=(64, 1)).astype("float32") * 1e4
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
    with np.errstate(all="ignore"):
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert len(history.epoch) == 1


def test_csv_logger_in_fit(tmp_path):
    x, y = _data()
    path = tmp_path / "training.csv"
    _model().fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=0,
                 callbacks=[callbacks.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1"]


def test_lambda_batch_hooks_in_fit_and_metric_objects():
    x, y = _data()
    batches = []
    model = _model(metrics=("accuracy", "auc", keras.metrics.Precision(name="prec")))
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0,
                        callbacks=[callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(b))])
    assert batches == [0, 1, 2, 0, 1, 2]
    assert {"auc", "prec"} <= set(history.history)
    assert 0.0 <= history.history["auc"][-1] <= 1.0


def test_evaluate_and_predict_progress_output(capsys):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("3/3 - ") and f"loss: {loss:.4f}" in out[0]
    model.evaluate(x, y, batch_size=32, verbose=1)
    assert f"accuracy: {acc:.4f}" in capsys.readouterr().out
    model.predict(x, batch_size=32, verbose=1)
    assert "3/3" in capsys.readouterr().out
    model.predict(x, batch_size=32, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""
