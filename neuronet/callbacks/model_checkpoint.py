"""ModelCheckpoint: save the model or its weights during training, every epoch or when it improves."""

from __future__ import annotations

import math
import os
import sys
import warnings

from ..distribution import is_chief
from .base import Callback
from ._monitor import metric_direction

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """Save the model (``model.save``) or its weights (``model.save_weights``) during ``fit`` (Keras 3).

    ``filepath`` may hold format fields filled from the epoch (1-based) and the logs, e.g.
    ``'ckpt/{epoch:02d}-{val_loss:.2f}.weights.safetensors'``; missing directories are created. With
    ``save_best_only`` a checkpoint is written only when ``monitor`` improves on the best value so far,
    so a fixed ``filepath`` always holds the best model.

    Args:
        filepath: path (str or PathLike) of the checkpoint, possibly with format fields; the extension
            is the one ``model.save`` (``.keras``) or ``model.save_weights`` (``.weights.safetensors``)
            expects.
        monitor: the log key deciding what "best" means. Defaults to ``'val_loss'``.
        verbose: 1 prints a message at each save decision. Defaults to 0.
        save_best_only: save only when the monitored value improves. Defaults to False.
        save_weights_only: save only the weights (``model.save_weights``) instead of the whole model
            (``model.save``). Defaults to False.
        mode: 'min', 'max' or 'auto' (losses and errors minimized; accuracy, AUC, ... maximized).
            Defaults to 'auto'.
        save_freq: ``'epoch'`` to save after every epoch, or an integer number of batches. Defaults to
            ``'epoch'``.
        initial_value_threshold: the value the monitored quantity must first beat when
            ``save_best_only``. Defaults to None.

    Example::

        checkpoint = ModelCheckpoint("best.weights.safetensors", monitor="val_accuracy", save_best_only=True,
                                     save_weights_only=True)
        model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[checkpoint])
        model.load_weights("best.weights.safetensors")
    """

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq="epoch",
                 initial_value_threshold: float | None = None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        if not isinstance(monitor, str):
            raise TypeError(f"ModelCheckpoint: expected monitor to be a log key string, received {monitor!r}")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: expected save_freq 'epoch' or an integer > 0, received {save_freq!r}")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"ModelCheckpoint mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = mode
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        self.best = None if initial_value_threshold is None else float(initial_value_threshold)
        self._maximize: bool | None = None
        self._current_epoch = 0
        self._batches_since_save = 0

    def _set_direction(self) -> None:
        if self.mode != "auto":
            self._maximize = self.mode == "max"
            return
        direction = metric_direction(self.model, self.monitor)
        if direction is None:
            raise ValueError(
                f"ModelCheckpoint: cannot tell whether monitor={self.monitor!r} should be maximized or minimized; "
                "pass mode='max' or mode='min'"
            )
        self._maximize = direction == "up"

    def _save_method(self):
        name = "save_weights" if self.save_weights_only else "save"
        method = getattr(self.model, name, None)
        if not callable(method):
            raise TypeError(
                f"ModelCheckpoint: the model has no {name}() method, so it cannot be checkpointed"
                + ("" if self.save_weights_only else "; try save_weights_only=True")
            )
        return method

    def on_train_begin(self, logs=None):
        self._save_method()  # fail before the first epoch rather than after it
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                sys.stdout.write(f"\nEpoch {epoch + 1}: saving model to {filepath}\n")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if self._maximize is None:
            self._set_direction()
        current = float(current)
        best = "None" if self.best is None else f"{self.best:.5f}"
        improved = self.best is None or (current > self.best if self._maximize else current < self.best)
        if improved and not math.isnan(current):
            if self.verbose > 0:
                sys.stdout.write(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                                 f"saving model to {filepath}\n")
            self.best = current
            return True
        if self.verbose > 0:
            sys.stdout.write(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}\n")
        return False

    def _file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as e:
            raise KeyError(
                f"ModelCheckpoint: failed to format filepath {self.filepath!r}: {e} is not 'epoch', 'batch' or a "
                f"log key ({', '.join(logs)})"
            ) from None

    def _save(self, epoch: int, batch: int | None, logs) -> None:
        if not is_chief():  # data-parallel training: rank 0 alone writes (the weights are the same everywhere)
            return
        logs = logs or {}
        filepath = self._file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise IsADirectoryError(
                f"ModelCheckpoint: filepath {filepath!r} is an existing directory; give a file path"
            )
        if not self._should_save(epoch, logs, filepath):
            return
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._save_method()(filepath, overwrite=True)
