import numpy as np
import pytest
from conftest import FakeModel, run_epochs

from neuronet import callbacks


def test_stops_after_patience_and_restores_best_weights(model):
    es = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    last = run_epochs([es], model, [1.0, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert last == 3 and es.stopped_epoch == 3
    assert es.best == 0.5 and es.best_epoch == 1
    assert all(np.all(w == 1) for w in model.get_weights())  # weights of epoch 1


def test_patience_zero_stops_at_first_non_improvement(model):
    es = callbacks.EarlyStopping()
    assert run_epochs([es], model, [1.0, 0.9, 0.95, 0.5]) == 2


def test_restores_at_train_end_when_not_stopped(model):
    es = callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    run_epochs([es], model, [1.0, 0.2, 0.6])
    assert es.stopped_epoch == 0
    assert all(np.all(w == 1) for w in model.get_weights())


def test_without_restore_keeps_last_weights(model):
    es = callbacks.EarlyStopping(patience=1)
    run_epochs([es], model, [1.0, 0.5, 0.6, 0.7])
    assert all(np.all(w == 2) for w in model.get_weights())


def test_auto_mode_maximizes_accuracy_like_names(model):
    es = callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    last = run_epochs([es], model, [0.5, 0.7, 0.6, 0.65], key="val_accuracy")
    assert last == 2 and es.best == 0.7
    es = callbacks.EarlyStopping(monitor="val_auc", patience=0)
    assert run_epochs([es], FakeModel(), [0.5, 0.7, 0.6], key="val_auc") == 2


def test_min_delta_and_baseline(model):
    es = callbacks.EarlyStopping(min_delta=0.1, patience=2)
    # 0.95 and 0.9 do not beat 1.0 by more than 0.1
    assert run_epochs([es], model, [1.0, 0.95, 0.9, 0.5]) == 2
    # Epochs that never beat the baseline keep counting towards patience (Keras 3), so the baseline
    # makes training stop one epoch earlier here.
    values = [1.0, 0.9, 0.95, 0.97, 0.99]
    assert run_epochs([callbacks.EarlyStopping(patience=2)], FakeModel(), values) == 3
    assert run_epochs([callbacks.EarlyStopping(patience=2, baseline=0.5)], FakeModel(), values) == 2


def test_start_from_epoch_ignores_warm_up(model):
    es = callbacks.EarlyStopping(patience=0, start_from_epoch=2)
    assert run_epochs([es], model, [1.0, 2.0, 3.0, 2.5, 2.6]) == 4


def test_missing_monitor_warns_with_available_keys(model):
    es = callbacks.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="Available metrics are: loss,accuracy"):
        run_epochs([es], model, [1.0, 2.0], key="accuracy")
    assert model.stop_training is False


def test_verbose_messages(model, capsys):
    es = callbacks.EarlyStopping(patience=0, verbose=1, restore_best_weights=True)
    run_epochs([es], model, [1.0, 2.0])
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


def test_bad_arguments():
    with pytest.raises(ValueError, match="patience"):
        callbacks.EarlyStopping(patience=-1)
    with pytest.warns(UserWarning, match="unknown"):
        callbacks.EarlyStopping(mode="biggest")


def test_unknown_direction_in_auto_mode_asks_for_mode(model):
    es = callbacks.EarlyStopping(monitor="val_wobble")
    with pytest.raises(ValueError, match="mode='max'"):
        run_epochs([es], model, [1.0], key="val_wobble")
