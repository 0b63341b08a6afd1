"""The names ``keras.utils`` exports whose home in neuronet is elsewhere, plus Keras's helpers for the
``(x, y, sample_weight)`` tuples of custom ``train_step`` methods.

The serialization names live in :mod:`neuronet.saving`, the logging and dtype names in
:mod:`neuronet.config` and :mod:`neuronet.backend`; ``keras.utils`` repeats them, so neuronet.utils does too.
"""

from __future__ import annotations

from ..backend import is_keras_tensor, standardize_dtype
from ..config import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled
from ..saving import (CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
                      get_registered_name, get_registered_object, register_keras_serializable,
                      serialize_keras_object)

__all__ = ["CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "disable_interactive_logging",
           "enable_interactive_logging", "get_custom_objects", "get_registered_name", "get_registered_object",
           "get_source_inputs", "is_interactive_logging_enabled", "is_keras_tensor", "pack_x_y_sample_weight",
           "register_keras_serializable", "serialize_keras_object", "standardize_dtype",
           "unpack_x_y_sample_weight"]


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple a data pipeline yields: ``(x, y, sample_weight)`` without the trailing Nones.

    ``x`` alone is returned as is, unless it is a list or tuple, which is wrapped as ``(x,)`` so it is
    not mistaken for ``(x, y)``.
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, None
    for what is absent: the first line of a custom ``train_step(self, data)``.

    Raises:
        ValueError: for a tuple or list of more than three items.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return data
    raise ValueError("unpack_x_y_sample_weight: expected data as x, (x,), (x, y) or (x, y, sample_weight), "
                     f"received a {type(data).__name__} of {len(data)} items")


def get_source_inputs(tensor) -> list:
    """The ``Input`` tensors a symbolic tensor of the functional API was computed from, in the order
    they are first reached walking back from ``tensor``.

    Raises:
        TypeError: when ``tensor`` is not a symbolic tensor (see :func:`is_keras_tensor`).
    """
    if not is_keras_tensor(tensor):
        raise TypeError(f"get_source_inputs: expected a KerasTensor (from Input or a layer call on one), received "
                        f"{type(tensor).__name__}")
    sources, seen, stack = [], set(), [tensor]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        node = current._node
        dependencies = [] if node is None else node.dependencies
        if not dependencies:
            sources.append(current)
        else:
            stack.extend(reversed(dependencies))
    return sources
