"""History: records every epoch's logs; ``model.fit`` returns it."""

from __future__ import annotations

from .base import Callback

__all__ = ["History"]


class History(Callback):
    """Records the logs of every epoch into ``history``, a dict of lists (Keras ``History``).

    ``model.fit`` adds one automatically and returns it, so ``model.fit(...).history['val_loss']`` is the
    list of validation losses, one per epoch.

    Attributes:
        history: dict mapping each log key ('loss', 'accuracy', 'val_loss', ...) to a list of values.
        epoch: list of the epoch indices seen (0-based).
        params: the training parameters (``verbose``, ``epochs``, ``steps``).
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        # Point the model at this history after every epoch, so it is current even if training stops.
        if self.model is not None:
            self.model.history = self
