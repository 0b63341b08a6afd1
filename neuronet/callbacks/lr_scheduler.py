"""LearningRateScheduler: set the learning rate at the start of every epoch from a schedule function."""

from __future__ import annotations

import inspect
import numbers
import sys
from typing import Callable

from .base import Callback

__all__ = ["LearningRateScheduler"]


def _arity(fn: Callable) -> int:
    """How many positional arguments ``fn`` accepts (2 when it takes ``*args`` or cannot be inspected)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 2
    count = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return 2
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


class LearningRateScheduler(Callback):
    """Set ``model.optimizer.learning_rate = schedule(epoch, lr)`` at the start of every epoch.

    ``epoch`` is 0-based and ``lr`` the current rate; a schedule taking only ``epoch`` works too. The
    rate in effect is also recorded in the logs as ``'learning_rate'``.

    Args:
        schedule: function ``(epoch, lr) -> new lr`` or ``(epoch) -> new lr`` returning a number.
        verbose: 1 prints the new rate every epoch. Defaults to 0.

    Example::

        def scheduler(epoch, lr):
            return lr if epoch < 10 else lr * 0.9

        model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(scheduler)])
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected schedule to be callable, received {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        # Decide once how to call the schedule, so a TypeError raised inside it is never mistaken for
        # a signature mismatch.
        self._takes_lr = _arity(schedule) >= 2

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            raise ValueError('LearningRateScheduler: the model\'s optimizer must have a "learning_rate" attribute')
        lr = float(optimizer.learning_rate)
        new_lr = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        if isinstance(new_lr, bool) or not isinstance(new_lr, numbers.Real):
            raise ValueError(
                f"LearningRateScheduler: the schedule must return a float, received {new_lr!r} at epoch {epoch}"
            )
        optimizer.learning_rate = float(new_lr)
        if self.verbose > 0:
            sys.stdout.write(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new_lr)}.\n")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
