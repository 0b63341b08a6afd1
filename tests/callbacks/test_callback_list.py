"""CallbackList (callbacks/callback_list.py): hook order, default History/ProgbarLogger, params and model."""

import numpy as np
import pytest
from conftest import run_epochs  # tests/callbacks/conftest.py, imported while this directory is collected

from neuronet import callbacks


class Recorder(callbacks.Callback):
    def __init__(self, tag, calls):
        super().__init__()
        self.tag, self.calls = tag, calls

    def on_train_begin(self, logs=None):
        self.calls.append((self.tag, "train_begin"))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append((self.tag, "epoch_end", epoch, dict(logs)))
        logs[f"seen_by_{self.tag}"] = 1.0

    def on_batch_end(self, batch, logs=None):  # legacy hook, reached through on_train_batch_end
        self.calls.append((self.tag, "batch_end", batch))

    def on_test_end(self, logs=None):
        self.calls.append((self.tag, "test_end"))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append((self.tag, "predict_batch_end", batch))


def test_dispatch_order_and_shared_logs(model):
    calls = []
    cl = callbacks.CallbackList([Recorder("a", calls), Recorder("b", calls)], model=model, verbose=0, epochs=1,
                                steps=1)
    cl.on_train_begin()
    cl.on_train_batch_end(0, {"loss": 1.0})
    cl.on_test_end({"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    cl.on_predict_batch_end(3)
    assert [c[:2] for c in calls] == [("a", "train_begin"), ("b", "train_begin"), ("a", "batch_end"),
                                      ("b", "batch_end"), ("a", "test_end"), ("b", "test_end"),
                                      ("a", "epoch_end"), ("b", "epoch_end"), ("a", "predict_batch_end"),
                                      ("b", "predict_batch_end")]
    # b sees what a added to the logs: the same dict goes through the list
    assert calls[7][3] == {"loss": 1.0, "seen_by_a": 1.0}


def test_defaults_added_after_user_callbacks_and_params_model_set(model):
    user = callbacks.Callback()
    cl = callbacks.CallbackList([user], add_history=True, add_progbar=True, model=model, verbose=2, epochs=3,
                                steps=5)
    assert isinstance(cl.callbacks[1], callbacks.History)
    assert isinstance(cl.callbacks[2], callbacks.ProgbarLogger)
    assert model.history is cl.callbacks[1]
    assert all(cb.model is model for cb in cl.callbacks)
    assert user.params == {"verbose": 2, "epochs": 3, "steps": 5}
    assert cl.callbacks[2].verbose == 2 and cl.callbacks[2].target == 5


def test_existing_history_or_progbar_not_duplicated(model):
    h, p = callbacks.History(), callbacks.ProgbarLogger()
    cl = callbacks.CallbackList([p, h], add_history=True, add_progbar=True, model=model, verbose=0, epochs=1,
                                steps=1)
    assert cl.callbacks == [p, h]


def test_non_callback_is_rejected():
    with pytest.raises(TypeError, match="position 1"):
        callbacks.CallbackList([callbacks.Callback(), lambda: None])


def test_history_records_epochs_and_sets_model_history(model):
    h = callbacks.History()
    run_epochs([h], model, [0.5, 0.4, 0.3])
    assert h.epoch == [0, 1, 2]
    assert h.history["val_loss"] == [0.5, 0.4, 0.3]
    assert model.history is h
    assert h.params["epochs"] == 3


def test_lambda_callback_hooks_and_unknown_hook(model):
    seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
                                  on_train_batch_end=lambda batch, logs: seen.append(("batch", batch)),
                                  on_test_end=lambda logs: seen.append("test"))
    cl = callbacks.CallbackList([cb], model=model)
    cl.on_train_batch_end(0, {"loss": 2.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    cl.on_test_end({})
    assert seen == [("batch", 0), (0, 1.0), "test"]
    # hooks are visible on the class, where the training loop looks to decide whether to call them
    assert type(cb).on_train_batch_end is not callbacks.Callback.on_train_batch_end
    epoch_only = callbacks.LambdaCallback(on_epoch_end=print)
    assert type(epoch_only).on_train_batch_end is callbacks.Callback.on_train_batch_end
    assert isinstance(cb, callbacks.LambdaCallback)
    with pytest.raises(TypeError, match="on_epoch_ending"):
        callbacks.LambdaCallback(on_epoch_ending=print)


def test_terminate_on_nan_stops_and_says_so(model, capsys):
    cb = callbacks.TerminateOnNaN()
    cl = callbacks.CallbackList([cb], model=model)
    cl.on_train_batch_end(0, {"loss": 0.3})
    assert model.stop_training is False
    cl.on_train_batch_end(1, {"loss": float("inf")})
    assert model.stop_training is True
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    model.stop_training = False
    cl.on_train_batch_end(2, {"loss": np.float32("nan")})
    assert model.stop_training is True


def test_terminate_on_nan_can_raise(model):
    cl = callbacks.CallbackList([callbacks.TerminateOnNaN(raise_error=True)], model=model)
    cl.on_train_batch_end(0, {"loss": 0.1})
    with pytest.raises(RuntimeError, match="batch 4"):
        cl.on_train_batch_end(4, {"loss": float("nan")})
