"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from __future__ import annotations

import math
import sys
import warnings

from ..distribution import is_chief
from .base import Callback
from ._monitor import warn_missing

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement (Keras 3).

    ``new_lr = max(lr * factor, min_lr)``. After a reduction the callback waits ``cooldown`` epochs
    before counting again. Every epoch it also records the current rate in the logs as
    ``'learning_rate'`` (so History, CSVLogger and the progress bar show it).

    Args:
        monitor: the log key to watch. Defaults to ``'val_loss'``.
        factor: multiplier of the learning rate, in [0, 1). Defaults to 0.1.
        patience: epochs without improvement before the rate is reduced. Defaults to 10.
        verbose: 1 prints a message at each reduction. Defaults to 0.
        mode: 'min', 'max' or 'auto' (Keras' rule: 'max' when the monitor's name contains 'acc',
            'min' otherwise). Defaults to 'auto'.
        min_delta: smallest change that counts as an improvement. Defaults to 1e-4.
        cooldown: epochs to wait after a reduction before resuming normal operation. Defaults to 0.
        min_lr: lower bound of the learning rate. Defaults to 0.

    Example::

        reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=0.001)
        model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"ReduceLROnPlateau: expected monitor to be a log key string, received {monitor!r}")
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0, received factor={factor!r}")
        if factor < 0:
            raise ValueError(f"ReduceLROnPlateau: expected factor in [0, 1), received factor={factor!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"ReduceLROnPlateau: expected patience to be an integer >= 0, received {patience!r}")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int) or cooldown < 0:
            raise ValueError(f"ReduceLROnPlateau: expected cooldown to be an integer >= 0, received {cooldown!r}")
        if min_lr < 0:
            raise ValueError(f"ReduceLROnPlateau: expected min_lr >= 0, received min_lr={min_lr!r}")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.min_delta = float(min_delta)
        self.cooldown = cooldown
        self.min_lr = float(min_lr)
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0.0
        self._reset()

    def _reset(self) -> None:
        if self.mode not in ("auto", "min", "max"):
            warnings.warn(f"Learning rate reduction mode {self.mode} is unknown, fallback to auto mode.", stacklevel=2)
            self.mode = "auto"
        self._maximize = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        self.best = -math.inf if self._maximize else math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, current: float) -> bool:
        if self._maximize:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def in_cooldown(self) -> bool:
        """True while the callback waits after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            raise ValueError("ReduceLROnPlateau: the model needs an optimizer with a learning_rate (compile it first)")
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warn_missing("Learning rate reduction", self.monitor, logs)
            return
        current = float(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0 and is_chief():
                        sys.stdout.write(
                            f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.\n"
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
