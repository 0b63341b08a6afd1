"""TerminateOnNaN: stop training as soon as the batch loss is NaN or infinite."""

from __future__ import annotations

import math
import sys

from .base import Callback

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Set ``model.stop_training = True`` when a training batch's loss is NaN or ±Inf.

    A message ``Batch 12: Invalid loss, terminating training`` is printed; the training loop stops at
    the end of the current batch/epoch, as Keras.

    Example::

        model.fit(x, y, callbacks=[TerminateOnNaN()])
    """

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            sys.stdout.write(f"Batch {batch}: Invalid loss, terminating training\n")
            self.model.stop_training = True
