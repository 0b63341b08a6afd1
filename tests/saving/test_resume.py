"""Exact resume: save, load in a new process, continue — bit for bit the run that was never interrupted.

The model has every source of training randomness and state: shuffling, Dropout, BatchNormalization's
moving statistics, Adam's moments and a learning-rate schedule driven by the step count.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import neuronet
from neuronet import config, saving
from neuronet import layers as L
from neuronet.callbacks import BackupAndRestore, Callback
from neuronet.models import Input, Sequential

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = textwrap.dedent('''
    import json, os, sys, time
    import numpy as np
    import neuronet
    from neuronet import layers as L, optimizers, saving
    from neuronet.callbacks import BackupAndRestore, Callback
    from neuronet.models import Input, Sequential

    mode, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    data = np.random.default_rng(0)
    x = data.normal(size=(96, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 1).astype("int64")

    def build():
        neuronet.config.set_random_seed(123)
        model = Sequential([Input(shape=(8,)), L.Dense(16, activation="relu"), L.Dropout(0.3),
                            L.BatchNormalization(), L.Dense(3, activation="softmax")])
        schedule = optimizers.schedules.ExponentialDecay(0.02, decay_steps=4, decay_rate=0.9)
        model.compile(optimizer=optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    class Marker(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(f"EPOCH {epoch}", flush=True)
            time.sleep(float(os.environ.get("EPOCH_SLEEP", "0")))

    fit = dict(batch_size=16, shuffle=True, verbose=0)
    if mode == "straight":
        model = build()
        history = model.fit(x, y, epochs=10, **fit).history
    elif mode == "first":
        model = build()
        history = model.fit(x, y, epochs=5, **fit).history
        model.save(path)
    elif mode == "second":
        neuronet.config.set_random_seed(999)  # whatever this process's generator holds, the file's state wins
        model = saving.load_model(path)
        history = model.fit(x, y, epochs=10, initial_epoch=5, **fit).history
    elif mode == "backup":
        model = build()
        history = model.fit(x, y, epochs=10, callbacks=[BackupAndRestore(path), Marker()], **fit).history
    np.savez(out, *model.get_weights(), loss=np.array(history["loss"]))
''')


def _run(mode, path, out, env=None):
    result = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(path), str(out)], capture_output=True, text=True,
                            timeout=300, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return np.load(out)


def _same(a, b):
    names = [k for k in a.files if k.startswith("arr_")]
    assert names and names == [k for k in b.files if k.startswith("arr_")]
    for k in names:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """The uninterrupted 10 epochs, run once in a child process."""
    return _run("straight", "-", tmp_path_factory.mktemp("straight") / "straight.npz")


def test_five_plus_five_epochs_in_a_new_process_equal_ten_straight(tmp_path, straight):
    _run("first", tmp_path / "m.keras", tmp_path / "first.npz")
    second = _run("second", tmp_path / "m.keras", tmp_path / "second.npz")
    _same(straight, second)  # bit for bit
    np.testing.assert_array_equal(straight["loss"][5:], second["loss"])
    meta = json.loads(__import__("zipfile").ZipFile(tmp_path / "m.keras").read("metadata.json"))
    assert meta["neuronet"]["random_state"]["global"]["bit_generator"] == "PCG64"


def test_a_process_killed_mid_training_resumes_to_the_same_weights(tmp_path, straight):
    backup = tmp_path / "backup"
    env = {**os.environ, "EPOCH_SLEEP": "0.05"}
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, "backup", str(backup), str(tmp_path / "killed.npz")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        for line in child.stdout:
            if line.strip() == "EPOCH 3":
                break
        time.sleep(0.07)  # somewhere in epoch 5's batches or backup
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL and not (tmp_path / "killed.npz").exists()
    assert os.path.exists(backup / "latest.weights.h5")
    assert not [n for n in os.listdir(backup) if n.endswith(".tmp")]
    resumed = _run("backup", backup, tmp_path / "resumed.npz")
    _same(straight, resumed)
    assert len(resumed["loss"]) < 10  # the resumed fit ran only the epochs left
    assert not backup.exists()  # deleted once training finished


class _Interrupt(Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)
        self.epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise RuntimeError("interrupted")


def _model():
    config.set_random_seed(5)
    model = Sequential([Input(shape=(6,)), L.Dense(8, activation="tanh"), L.Dropout(0.2), L.BatchNormalization(),
                        L.Dense(1)])
    model.compile(optimizer=neuronet.optimizers.Adam(0.01), loss="mse")
    return model


def test_an_exception_in_a_callback_resumes_to_the_same_weights(tmp_path):
    data = np.random.default_rng(1)
    x, y = data.normal(size=(40, 6)).astype("float32"), data.normal(size=(40, 1)).astype("float32")
    reference = _model()
    reference.fit(x, y, epochs=6, batch_size=8, verbose=0)
    model = _model()
    backup = BackupAndRestore(tmp_path / "b")
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, epochs=6, batch_size=8, verbose=0, callbacks=[backup, _Interrupt(3, 2)])
    assert json.loads((tmp_path / "b" / "training_metadata.json").read_text())["epoch"] == 3
    history = model.fit(x, y, epochs=6, batch_size=8, verbose=0, callbacks=[backup])
    assert len(history.history["loss"]) == 3  # epochs 3, 4, 5
    for a, b in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert reference.optimizer.iterations == model.optimizer.iterations == 30


def test_backup_and_restore_arguments_and_double_checkpoint(tmp_path):
    with pytest.raises(ValueError, match="empty backup_dir"):
        BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore(tmp_path, save_freq="batch")
    data = np.random.default_rng(2)
    x, y = data.normal(size=(16, 6)).astype("float32"), data.normal(size=(16, 1)).astype("float32")
    model = _model()
    backup = BackupAndRestore(tmp_path / "d", double_checkpoint=True, delete_checkpoint=False)
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[backup, _Interrupt(2, 0)])
    assert sorted(os.listdir(tmp_path / "d")) == ["latest.weights.h5", "latest.weights.h5.bkp",
                                                  "training_metadata.json", "training_metadata.json.bkp"]
    (tmp_path / "d" / "latest.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n damaged")  # falls back to the .bkp
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[backup])
    assert len(history.history["loss"]) == 3  # the previous backup was taken after epoch 0
    assert (tmp_path / "d" / "latest.weights.h5").exists()  # delete_checkpoint=False keeps it


def test_a_backup_that_does_not_fit_the_model_is_refused(tmp_path):
    data = np.random.default_rng(3)
    x, y = data.normal(size=(16, 6)).astype("float32"), data.normal(size=(16, 1)).astype("float32")
    model = _model()
    backup = BackupAndRestore(tmp_path / "e", delete_checkpoint=False)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[backup])
    other = Sequential([Input(shape=(6,)), L.Dense(3), L.Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    before = other.get_weights()
    with pytest.raises(ValueError, match="latest.weights.h5"):
        other.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[backup])
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_loading_does_not_draw_from_the_global_generator(tmp_path):
    model = _model()
    model.save(tmp_path / "m.keras")
    saving.save_weights(model, tmp_path / "m.weights.h5")
    for load in (lambda: saving.load_model(tmp_path / "m.keras", compile=False),
                 lambda: saving.load_model(os.path.join(os.path.dirname(__file__), "fixtures", "k3_rnn.keras")),
                 lambda: saving.load_model(os.path.join(os.path.dirname(__file__), "fixtures", "k2_rnn.h5"))):
        config.set_random_seed(11)
        expected = config.rng().random(3)
        config.set_random_seed(11)
        load()
        np.testing.assert_array_equal(config.rng().random(3), expected)


def test_load_model_restores_the_saved_random_state(tmp_path):
    model = _model()
    config.set_random_seed(21)
    config.rng().random(5)
    model.save(tmp_path / "m.keras")
    expected = config.rng().random(4)
    config.set_random_seed(0)
    saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(config.rng().random(4), expected)


def test_seeded_layer_generators_are_saved_with_the_model(tmp_path):
    model = Sequential([Input(shape=(4,)), L.Dropout(0.5, seed=3), L.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.layers[0]._rng.random(7)  # the layer's own stream has moved on
    model.save(tmp_path / "m.keras")
    expected = model.layers[0]._rng.random(3)
    loaded = saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.layers[0]._rng.random(3), expected)
