"""CallbackList: the callbacks of one fit/evaluate/predict call, called as one (Keras ``callback_list.py``)."""

from __future__ import annotations

from typing import Iterable

from .base import Callback

__all__ = ["CallbackList"]


class CallbackList(Callback):
    """A list of callbacks called as one: each hook calls the same hook of every callback, in order.

    Like Keras 3, a :class:`~neuronet.callbacks.History` and a :class:`~neuronet.callbacks.ProgbarLogger`
    can be added after the user's callbacks (unless one is already in the list), so the progress bar and
    the history see what the user's callbacks put into the logs (e.g. ``learning_rate``).

    Args:
        callbacks: a Callback or an iterable of Callbacks. Defaults to None (no callbacks).
        add_history: append a History if none is given. Defaults to False.
        add_progbar: append a ProgbarLogger if none is given. Defaults to False.
        model: the model handed to every callback's ``set_model``. Defaults to None.
        **params: training parameters handed to every callback's ``set_params``
            (``verbose``, ``epochs``, ``steps``).

    Example::

        callbacks = CallbackList([EarlyStopping()], add_history=True, add_progbar=True,
                                 model=model, verbose=1, epochs=10, steps=32)
        callbacks.on_train_begin()
    """

    def __init__(self, callbacks: Callback | Iterable[Callback] | None = None, add_history: bool = False,
                 add_progbar: bool = False, model=None, **params):
        super().__init__()
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, Callback):
            callbacks = [callbacks]
        self.callbacks: list[Callback] = list(callbacks)
        for i, cb in enumerate(self.callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"CallbackList: expected every callback to be a neuronet.callbacks.Callback, received "
                    f"{cb!r} of type {type(cb).__name__} at position {i}"
                )
        self._add_default_callbacks(add_history, add_progbar)
        self.set_model(model)
        self.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        from .history import History
        from .progbar import ProgbarLogger

        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def append(self, callback: Callback) -> None:
        """Add one more callback at the end of the list."""
        if not isinstance(callback, Callback):
            raise TypeError(f"CallbackList.append: expected a Callback, received {callback!r}")
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)
        self.callbacks.append(callback)

    def set_params(self, params: dict) -> None:
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model) -> None:
        if model is None:
            return
        self._model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    # Each hook passes the same logs dict to every callback, so a callback can add keys (as
    # ReduceLROnPlateau adds 'learning_rate') that the ones after it see.
    def on_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_batch_end(batch, logs)

    def on_train_begin(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs)
