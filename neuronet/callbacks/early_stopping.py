"""EarlyStopping: stop training when a monitored value has stopped improving."""

from __future__ import annotations

import sys
import warnings

from ..distribution import is_chief
from .base import Callback
from ._monitor import metric_direction, warn_missing

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs (Keras 3 semantics).

    Every epoch the monitored value is compared with the best so far; it improves when it beats the
    best by more than ``min_delta`` (lower for mode 'min', higher for 'max'). After ``patience``
    epochs without improvement the callback sets ``model.stop_training = True`` and training stops at
    the end of that epoch.

    Args:
        monitor: the log key to watch. Defaults to ``'val_loss'``.
        min_delta: smallest change that counts as an improvement (absolute value is used).
            Defaults to 0.
        patience: epochs without improvement after which training stops. Defaults to 0.
        verbose: 1 prints when training stops and when weights are restored. Defaults to 0.
        mode: 'min', 'max' or 'auto' (losses and errors are minimized; accuracy, AUC, precision,
            recall, ... maximized). Defaults to 'auto'.
        baseline: a value the monitored quantity must beat; until it does, the patience counter keeps
            running even when the value improves on its own best. Defaults to None.
        restore_best_weights: at the end of training (stopped early or not), put back the weights of
            the best epoch. If False the weights of the last epoch are kept. Defaults to False.
        start_from_epoch: number of warm-up epochs during which nothing is monitored. Defaults to 0.

    Attributes:
        stopped_epoch: 0-based epoch at which training was stopped (0 if it was not).
        best: the best monitored value; best_epoch: its 0-based epoch; wait: epochs since improvement.

    Example::

        stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"EarlyStopping: expected monitor to be a log key string, received {monitor!r}")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: expected patience to be a non-negative integer, received {patience!r}")
        if isinstance(start_from_epoch, bool) or not isinstance(start_from_epoch, int) or start_from_epoch < 0:
            raise ValueError(
                f"EarlyStopping: expected start_from_epoch to be a non-negative integer, received {start_from_epoch!r}"
            )
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"EarlyStopping mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._maximize: bool | None = None

    def _set_direction(self) -> None:
        if self.mode == "min":
            self._maximize = False
        elif self.mode == "max":
            self._maximize = True
        else:
            direction = metric_direction(self.model, self.monitor)
            if direction is None:
                raise ValueError(
                    f"EarlyStopping: cannot tell whether monitor={self.monitor!r} should be maximized or "
                    "minimized; pass mode='max' to stop on the highest value or mode='min' for the lowest"
                )
            self._maximize = direction == "up"

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self._maximize:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_train_begin(self, logs=None):
        # Allow the same instance to be used for several fits.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._maximize is None:
            self._set_direction()
        current = logs.get(self.monitor)
        if current is None:
            warn_missing("Early stopping", self.monitor, logs)
            return
        if epoch < self.start_from_epoch:
            return
        current = float(current)
        if self.restore_best_weights and self.best_weights is None:
            # The first monitored epoch is the best seen so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Restart the count only when the value beats both the baseline and the previous best.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0 and is_chief():
            sys.stdout.write(f"Epoch {self.stopped_epoch + 1}: early stopping\n")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0 and is_chief():
                sys.stdout.write(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.\n")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None):
        """The monitored value from ``logs``, or None with a warning listing the available keys."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warn_missing("Early stopping", self.monitor, logs)
        return value
