import time

from neuronet import callbacks
from neuronet.callbacks.progbar import format_logs


def _fit(verbose, epochs=3, steps=4, logs_for=None, sleep=0.0):
    pb = callbacks.ProgbarLogger()
    cl = callbacks.CallbackList([pb], verbose=verbose, epochs=epochs, steps=steps)
    cl.on_train_begin()
    for epoch in range(epochs):
        cl.on_epoch_begin(epoch)
        for b in range(steps):
            if sleep:
                time.sleep(sleep)
            cl.on_train_batch_end(b, {"loss": 1.0 / (b + 1), "accuracy": 0.25 * b})
        cl.on_epoch_end(epoch, logs_for(epoch))
    cl.on_train_end()


def _epoch_logs(epoch):
    return {"loss": 0.41234, "accuracy": 0.81, "val_loss": 0.45, "val_accuracy": 0.8 + 0.01 * epoch}


def test_verbose_2_prints_exactly_one_line_per_epoch(capsys):
    _fit(2, logs_for=_epoch_logs)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines):
        head, seconds, rest = line.split(" - ", 2)
        assert head == f"Epoch {epoch + 1}/3"
        assert seconds.endswith("s") and float(seconds[:-1]) >= 0
        assert rest == (f"loss: 0.4123 - accuracy: 0.8100 - val_loss: 0.4500 - val_accuracy: "
                        f"{0.8 + 0.01 * epoch:.4f}")


def test_verbose_1_shows_header_bar_and_final_values(capsys):
    _fit(1, epochs=2, steps=3, logs_for=_epoch_logs, sleep=0.001)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "3/3" in out
    assert "val_accuracy: 0.8100" in out and "loss: 0.4123" in out


def test_verbose_0_prints_nothing(capsys):
    _fit(0, logs_for=_epoch_logs)
    assert capsys.readouterr().out == ""


def test_redraws_are_rate_limited(capsys):
    # 500 batches in well under the redraw interval: the running values are drawn a handful of times.
    pb = callbacks.ProgbarLogger()
    cl = callbacks.CallbackList([pb], verbose=1, epochs=1, steps=500)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    for b in range(500):
        cl.on_train_batch_end(b, {"loss": 0.5})
    cl.on_epoch_end(0, {"loss": 0.5})
    cl.on_train_end()
    out = capsys.readouterr().out
    assert out.count("loss: 0.5000") < 100
    assert "500/500" in out


def test_evaluate_line_outside_fit_and_silent_validation_inside(capsys):
    pb = callbacks.ProgbarLogger()
    cl = callbacks.CallbackList([pb], verbose=2, epochs=1, steps=2)
    cl.on_test_begin()
    cl.on_test_batch_end(0, {"loss": 0.3})
    cl.on_test_batch_end(1, {"loss": 0.2})
    cl.on_test_end({"loss": 0.2})
    assert capsys.readouterr().out.startswith("2/2 - ")
    cl.on_train_begin()
    cl.on_test_begin()
    cl.on_test_end({"loss": 0.2})
    assert capsys.readouterr().out == ""


def test_format_logs_small_values_use_scientific_notation():
    assert format_logs({"loss": 0.5, "learning_rate": 1e-4}) == "loss: 0.5000 - learning_rate: 1.0000e-04"
