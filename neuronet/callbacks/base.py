"""Callback: hooks the training loop calls at the start and end of training, epochs and batches.

Write a callback by subclassing :class:`Callback` and overriding the hooks you need::

    class PrintLoss(neuronet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=5, callbacks=[PrintLoss()])

Inside a hook ``self.model`` is the model being trained (set ``self.model.stop_training = True`` to
stop after the current epoch) and ``self.params`` holds ``{'verbose', 'epochs', 'steps'}``.
Logs are dicts of Python floats with Keras keys: ``'loss'``, ``'accuracy'``, ``'val_loss'``, ...
"""

from __future__ import annotations

__all__ = ["Callback"]


class Callback:
    """Base class of callbacks: every hook exists and does nothing until overridden (Keras 3 hooks).

    Attributes:
        params: dict of training parameters (``verbose``, ``epochs``, ``steps``), set by the model.
        model: the model the callback is attached to, set by the model before training.
    """

    def __init__(self):
        self.params: dict = {}
        self._model = None

    def set_params(self, params: dict) -> None:
        """Receive the training parameters (``verbose``, ``epochs``, ``steps``)."""
        self.params = params

    def set_model(self, model) -> None:
        """Receive the model the callback acts on."""
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or used for prediction."""
        return self._model

    # -- batch-level hooks of the legacy API: ``on_train_batch_*`` call them by default -----------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """A training batch starts (legacy name of :meth:`on_train_batch_begin`)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """A training batch ended (legacy name of :meth:`on_train_batch_end`)."""

    # -- fit ------------------------------------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        """``fit`` starts."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """``fit`` ends; ``logs`` are the last epoch's logs."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Epoch ``epoch`` (0-based) starts."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Epoch ``epoch`` ended; ``logs`` hold the epoch's training and ``val_*`` values."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Training batch ``batch`` (0-based within the epoch) starts."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Training batch ``batch`` ended; ``logs`` hold the epoch's running loss and metrics."""
        self.on_batch_end(batch, logs=logs)

    # -- evaluate (also the validation pass inside fit) ------------------------------------------------------
    def on_test_begin(self, logs: dict | None = None) -> None:
        """``evaluate`` (or validation inside ``fit``) starts."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """``evaluate`` (or validation) ended; ``logs`` hold its loss and metrics (without ``val_``)."""

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """An evaluation batch starts."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """An evaluation batch ended; ``logs`` hold the running loss and metrics."""

    # -- predict --------------------------------------------------------------------------------------------
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """``predict`` ended."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """A prediction batch starts."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """A prediction batch ended."""
