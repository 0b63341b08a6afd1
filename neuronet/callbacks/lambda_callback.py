"""LambdaCallback: a callback made of plain functions, for quick one-off hooks."""

from __future__ import annotations

from typing import Callable

from .base import Callback

__all__ = ["LambdaCallback"]

_HOOKS = frozenset(
    name for name in dir(Callback) if name.startswith("on_") and callable(getattr(Callback, name))
)


def _as_method(fn: Callable):
    def hook(self, *args, **kwargs):
        return fn(*args, **kwargs)

    hook.__name__ = getattr(fn, "__name__", "hook")
    return hook


class LambdaCallback(Callback):
    """Build a callback from functions, one per hook (Keras ``LambdaCallback``).

    Epoch hooks take ``(epoch, logs)``, batch hooks ``(batch, logs)``, train/test/predict begin/end
    hooks ``(logs)``. Any other hook of :class:`Callback` can be given by keyword
    (``on_test_end=...``, ``on_predict_batch_end=...``).

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: functions called at those moments. Default to None (do nothing).
        **kwargs: functions for other hooks, by hook name.

    Example::

        print_loss = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
        model.fit(x, y, callbacks=[print_loss])
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs):
        super().__init__()
        hooks = dict(kwargs)
        hooks.update(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        methods = {}
        for name, fn in hooks.items():
            if name not in _HOOKS:
                raise TypeError(f"LambdaCallback: unknown hook {name!r}; expected one of {sorted(_HOOKS)}")
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: expected {name} to be callable, received {fn!r}")
            methods[name] = _as_method(fn)
        # The given hooks become methods of a per-instance subclass, so code that asks the class whether
        # a hook is overridden (the training loop skips batch hooks nobody implements) sees them.
        if methods:
            self.__class__ = type(type(self).__name__, (type(self),), methods)
