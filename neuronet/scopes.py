"""Keras's top-level context managers ``keras.name_scope`` and ``keras.device``.

neuronet computes on the CPU with NumPy and names weights by layer, so both scopes only record what
they were given; a Keras script using them runs unchanged.
"""

from __future__ import annotations

__all__ = ["device", "name_scope"]

_NAME_STACK: list = []


class name_scope:  # noqa: N801 - Keras's name
    """A ``with`` block recording a name prefix (``keras.name_scope``); neuronet's weight names do not use it.

    Args:
        name: the scope's name, a non-empty string.
        caller: accepted for Keras compatibility.
        deduplicate: accepted for Keras compatibility.
        override_parent: accepted for Keras compatibility.
    """

    def __init__(self, name: str, caller=None, deduplicate: bool = True, override_parent=None):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name_scope: expected name to be a non-empty string, received {name!r}")
        self.name, self.caller, self.deduplicate, self.override_parent = name, caller, deduplicate, override_parent

    def __enter__(self):
        _NAME_STACK.append(self.name)
        return self

    def __exit__(self, *exc) -> None:
        _NAME_STACK.pop()


class device:  # noqa: N801 - Keras's name (a function returning a scope there)
    """A ``with`` block naming a device (``keras.device("cpu:0")``); neuronet always computes on the CPU.

    Raises:
        ValueError: when ``device_name`` is not a string.
    """

    def __init__(self, device_name: str):
        if not isinstance(device_name, str):
            raise ValueError(f"device: expected a device name such as 'cpu:0', received {device_name!r}")
        self.device_name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None
