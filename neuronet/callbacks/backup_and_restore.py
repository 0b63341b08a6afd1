"""BackupAndRestore: back up the training state every epoch and resume from it after an interruption."""

from __future__ import annotations

import json
import os
import shutil

from .base import Callback

__all__ = ["BackupAndRestore"]

_STATE_ATTR = "neuronet_training_state"


class BackupAndRestore(Callback):
    """Back up the training state in ``backup_dir`` and, when ``fit`` starts again after an
    interruption (an exception, a killed process, a reboot), restore it and continue (Keras 3).

    The backup is ``backup_dir/latest.weights.h5`` — the model's weights and its optimizer's state in
    Keras 3's layout, plus (as an attribute Keras ignores) the epoch reached and the state of the
    random generators training draws from — and ``backup_dir/training_metadata.json`` with the epoch,
    as Keras writes it. Each file is written atomically, so a process killed while saving leaves the
    previous backup intact. With ``save_freq='epoch'`` the resumed ``fit`` gives bit for bit the
    weights an uninterrupted one would have: same weights, optimizer moments, learning-rate schedule
    position, shuffles and dropout masks.

    Args:
        backup_dir: the directory for the backup (created when needed). Do not share it with another
            training run or callback.
        save_freq: ``'epoch'`` to back up at the end of every epoch, or an integer: every that many
            batches. A resume from a mid-epoch backup restarts that epoch from its first batch with
            the weights of the backup, as Keras does (so it is not bit for bit). Defaults to 'epoch'.
        double_checkpoint: keep the previous backup too (``*.bkp``) and fall back to it when the
            latest cannot be read. Defaults to False.
        delete_checkpoint: delete the backup when ``fit`` finishes normally. Defaults to True. Only
            the backup's files are deleted (and the directory, when that leaves it empty).

    Example::

        backup = neuronet.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
        model.fit(x, y, epochs=10, callbacks=[backup])   # interrupted at epoch 4...
        model.fit(x, y, epochs=10, callbacks=[backup])   # ...runs epochs 4 to 9 only

    Raises:
        ValueError: for an empty ``backup_dir`` or an invalid ``save_freq``; at the start of ``fit``,
            for a backup that does not fit the model.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: empty backup_dir argument passed")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"BackupAndRestore: invalid value for argument save_freq. Received: "
                             f"save_freq={save_freq!r}. Expected either 'epoch' or a positive integer")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = bool(double_checkpoint)
        self.delete_checkpoint = bool(delete_checkpoint)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    # ------------------------------------------------------------------ restoring
    def on_train_begin(self, logs=None) -> None:
        try:
            self._load_model(self._weights_path, self._training_metadata_path)
        except (OSError, ValueError):
            if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                raise
            self._load_model(self._prev_weights_path, self._prev_training_metadata_path)

    def _load_model(self, weights_path: str, metadata_path: str) -> None:
        from ..saving import h5io, keras_format, random_state

        model = self.model
        if not os.path.exists(weights_path):
            return
        if not model.built:
            raise ValueError(f"BackupAndRestore: model '{model.name}' must be built before fit() to be restored "
                             "from a backup; give it an input shape or call it on a batch of data")
        where = f"BackupAndRestore: '{weights_path}'"
        with h5io.H5Reader(weights_path, where) as h5:
            loaded = keras_format.read_weights(model, h5, where, with_optimizer=True)
            text = h5.text_attr(h5.file, _STATE_ATTR)
        state = keras_format.json_object(text, f"{where}: the training state") if text is not None else {}
        epoch = state.get("epoch")
        if epoch is None and os.path.exists(metadata_path):
            epoch = _read_metadata(metadata_path).get("epoch")
        if epoch is not None and (isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0):
            raise ValueError(f"{where}: the backup's epoch must be a non-negative integer, found {epoch!r}")
        random_state.restore(model, state.get("random_state"), where, restore_global=False)  # checks it
        keras_format.assign(model, loaded, where)
        random_state.restore(model, state.get("random_state"), where)
        if epoch:
            model._initial_epoch = epoch

    # ------------------------------------------------------------------ backing up
    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self) -> None:
        from ..saving import files, keras_format, random_state

        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for source, target in ((self._weights_path, self._prev_weights_path),
                                   (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(source):
                    files.atomic_write(target, lambda f, source=source: _copy_into(source, f))
        state = {"epoch": self._current_epoch, "batch": self._last_batch_seen,
                 "random_state": random_state.capture(self.model)}
        data = keras_format.weights_bytes(self.model, include_optimizer=True,
                                          root_attrs={_STATE_ATTR: json.dumps(state)})
        files.atomic_write(self._weights_path, lambda f: f.write(data))
        metadata = json.dumps({"epoch": self._current_epoch, "batch": self._last_batch_seen}).encode()
        files.atomic_write(self._training_metadata_path, lambda f: f.write(metadata))

    def on_train_end(self, logs=None) -> None:
        if not self.delete_checkpoint:
            return
        for path in (self._weights_path, self._training_metadata_path, self._prev_weights_path,
                     self._prev_training_metadata_path):
            if os.path.exists(path):
                os.unlink(path)
        try:
            os.rmdir(self.backup_dir)
        except OSError:  # absent, or holding other files: left as it is
            pass


def _copy_into(source: str, f) -> None:
    with open(source, "rb") as src:
        shutil.copyfileobj(src, f)


def _read_metadata(path: str) -> dict:
    from ..saving.keras_format import json_object

    try:
        with open(path, "rb") as f:
            data = f.read(1 << 20)
    except OSError as err:
        raise ValueError(f"BackupAndRestore: cannot read '{path}': {err}") from None
    return json_object(data, f"BackupAndRestore: '{path}'")
