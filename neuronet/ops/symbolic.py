"""Symbolic dispatch: a ``neuronet.ops`` function called on a symbolic tensor records a graph node.

In the functional API, ``Input(...)`` gives a :class:`SymbolicTensor` (a ``KerasTensor``: a shape and a
dtype, no values). As in Keras 3, calling an op on one computes nothing; it records the call, so the
op becomes a node of the model, replayed on real data at every call::

    a, b = Input(shape=(4,)), Input(shape=(3,))
    x = ops.concatenate([a, b], axis=-1)      # a KerasTensor of shape (None, 7), made by a node
    model = Model([a, b], ops.softmax(x))

:func:`keras_op` wraps each public op of ``neuronet.ops`` (see ``ops/__init__.py``): with no symbolic
argument it calls the op at once (one type lookup per argument: ~0.15 µs a call); with one, it hands the call to
the recorder that the layers register with :func:`set_symbolic_recorder` (``layers/operator.py``), so
this package never imports the layers.
"""

from __future__ import annotations

import functools

import numpy as np

from ..autograd import Tensor

__all__ = ["SymbolicTensor", "keras_op", "set_symbolic_recorder", "has_symbolic"]


class SymbolicTensor:
    """Base class of placeholders with a shape and a dtype but no values (the functional API's
    ``KerasTensor``). An op given one records a graph node instead of computing."""

    __slots__ = ()


_RECORDER: list = [None]  # the function recording an op call on symbolic tensors (set by the layers)
# argument types that are never symbolic: checked by one set lookup in every op call
_PLAIN = frozenset({Tensor, np.ndarray, float, int, bool, str, type(None), np.float32, np.float64, np.int64,
                    np.int32})


def set_symbolic_recorder(recorder) -> None:
    """Register ``recorder(name, fn, args, kwargs) -> outputs``, called for ops given a symbolic tensor."""
    _RECORDER[0] = recorder


def has_symbolic(values) -> bool:
    """True when one of ``values`` — or an item of a list/tuple among them — is a :class:`SymbolicTensor`."""
    for v in values:
        if isinstance(v, SymbolicTensor):
            return True
        if type(v) in (list, tuple):
            for item in v:
                if isinstance(item, SymbolicTensor) or (type(item) in (list, tuple) and has_symbolic(item)):
                    return True
    return False


def _is_symbolic(v) -> bool:
    return isinstance(v, SymbolicTensor) or (type(v) in (list, tuple) and has_symbolic(v))


def keras_op(name: str, fn):
    """``fn`` (the op named ``name``) made symbolic-aware: called on symbolic tensors it records a node.

    The common case costs one type lookup per argument: Tensors, arrays, numbers, strings and None go
    straight to ``fn``; anything else is looked at closer (a symbolic tensor, or a list holding one)."""
    plain = _PLAIN

    def op(*args, **kwargs):
        for v in args:
            if type(v) not in plain and _is_symbolic(v):
                return _record(name, fn, args, kwargs)
        if kwargs:
            for v in kwargs.values():
                if type(v) not in plain and _is_symbolic(v):
                    return _record(name, fn, args, kwargs)
            return fn(*args, **kwargs)
        return fn(*args)

    functools.update_wrapper(op, fn)
    op._keras_op_name = name
    return op


def _record(name: str, fn, args: tuple, kwargs: dict):
    recorder = _RECORDER[0]
    if recorder is None:  # pragma: no cover - neuronet.layers registers it when neuronet is imported
        raise RuntimeError(f"ops.{name}: called on a symbolic tensor, but no recorder is registered")
    return recorder(name, fn, args, kwargs)


def install(namespace: dict) -> None:
    """Replace each Keras-named op in ``namespace`` (the ``neuronet.ops`` package) by its symbolic-aware
    version (see :func:`keras_op`); ``getitem`` is included, the functions of ``NOT_RECORDED`` are not
    (``ops.image`` wraps its own)."""
    from .keras_names import NOT_RECORDED, top_level

    for name in top_level() + ("getitem",):
        fn = namespace.get(name)
        if callable(fn) and name not in NOT_RECORDED and not hasattr(fn, "_keras_op_name") \
                and not isinstance(fn, type) and getattr(fn, "__module__", "").startswith("neuronet.ops"):
            namespace[name] = keras_op(name, fn)
