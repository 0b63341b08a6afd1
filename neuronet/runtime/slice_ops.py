"""The closed table of op classes whose batch slices may run in helper processes.

Kept apart from :mod:`neuronet.runtime.helpers` so an op can enter itself when ``neuronet.ops`` is
imported without loading the helper machinery (processes, pipes, shared memory), which starts only at
the first split recurrent op.
"""

from __future__ import annotations

#: The op classes a helper may run, by their ``KIND`` (filled by :func:`register_slice_op`).
SLICE_OPS: dict = {}


def register_slice_op(cls):
    """Enter ``cls`` in the table of ops whose slices may run in helper processes, under ``cls.KIND``.

    ``cls`` follows the slice-op protocol of :mod:`neuronet.runtime.stateful` (``KIND``, ``_forward``,
    ``_backward``, ``_reply_nbytes``). Called when the op's module is imported; returns ``cls``, so it
    also works as a class decorator.
    """
    kind = getattr(cls, "KIND", None)
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"register_slice_op: {cls.__name__} needs a non-empty string KIND, received {kind!r}")
    known = SLICE_OPS.get(kind)
    name = f"{cls.__module__}.{cls.__qualname__}"
    taken = None if known is None else f"{known.__module__}.{known.__qualname__}"
    if taken is not None and taken != name:  # (the same class, reloaded, may enter again)
        raise ValueError(f"register_slice_op: KIND {kind!r} of {name} is taken by {taken}")
    SLICE_OPS[kind] = cls
    return cls
