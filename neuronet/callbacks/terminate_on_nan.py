"""TerminateOnNaN: stop training as soon as the batch loss is NaN or infinite."""

from __future__ import annotations

import math
import sys

from .base import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Stop training when a training batch's loss is NaN or ±Inf (Keras 3).

    By default training stops gracefully: a message ``Batch 12: Invalid loss, terminating training``
    is printed and ``model.stop_training`` is set, so the loop ends after the current batch and every
    callback's ``on_train_end`` still runs (EarlyStopping can restore weights, CSVLogger closes its file).

    Args:
        raise_error: if True, raise a RuntimeError at once instead, skipping the other callbacks'
            clean-up. Defaults to False.

    Example::

        model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = bool(raise_error)

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. Terminating training "
                    "immediately."
                )
            sys.stdout.write(f"Batch {batch}: Invalid loss, terminating training\n")
            self.model.stop_training = True
