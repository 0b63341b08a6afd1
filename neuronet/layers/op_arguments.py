"""The arguments of an op recorded on symbolic tensors, as plain data for a model config (and back).

An op call such as ``ops.sum(x, axis=(1, 2))`` is kept as ``{"x": <operand 0>, "axis": (1, 2)}``: each
symbolic tensor becomes a numbered operand (the node's inputs, in order), every other value is written
as JSON-ready data, with Keras's markers for what JSON lacks::

    operand         {"class_name": "__operand__", "config": {"index": 0}}
    tuple           {"class_name": "__tuple__", "config": {"value": [1, 2]}}
    array constant  {"class_name": "__numpy__", "config": {"value": [[1.0, 2.0]], "dtype": "float32"}}
    slice / ...     {"class_name": "__slice__", "config": {"start": 0, "stop": null, "step": null}},
                    {"class_name": "__ellipsis__", "config": {}}

Decoding accepts only these markers and plain data: nothing read from a file is imported or called.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Tensor
from ..ops.symbolic import SymbolicTensor

__all__ = ["encode_arguments", "decode_arguments", "Operand"]

_MARKERS = ("__operand__", "__tuple__", "__numpy__", "__slice__", "__ellipsis__")


class Operand:
    """The place of the ``index``-th symbolic operand in a recorded call's arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self) -> str:
        return f"<operand {self.index}>"


def encode_arguments(arguments: dict, operands: list, where: str) -> dict:
    """``arguments`` (parameter name → value) as plain data; each symbolic tensor is appended to
    ``operands`` (once per occurrence) and replaced by its operand marker. ``where`` starts errors."""
    return {name: _encode(value, operands, f"{where}: argument {name!r}") for name, value in arguments.items()}


def _encode(value, operands: list, where: str):
    if isinstance(value, SymbolicTensor):
        operands.append(value)
        return {"class_name": "__operand__", "config": {"index": len(operands) - 1}}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic) and not isinstance(value, (np.ndarray,)):
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (np.dtype, type)) and _is_dtype(value):
        return np.dtype(value).name
    if isinstance(value, tuple):
        return {"class_name": "__tuple__", "config": {"value": [_encode(v, operands, where) for v in value]}}
    if isinstance(value, list):
        return [_encode(v, operands, where) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{where}: a dict argument needs string keys to be recorded, received {list(value)!r}")
        return {k: _encode(v, operands, where) for k, v in value.items()}
    if isinstance(value, (np.ndarray, Tensor)):
        arr = value.data if isinstance(value, Tensor) else value
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: only numeric array constants can be recorded, received dtype {arr.dtype}")
        return {"class_name": "__numpy__", "config": {"value": arr.tolist(), "dtype": arr.dtype.name}}
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {k: _encode(getattr(value, k), operands, where)
                                                       for k in ("start", "stop", "step")}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    raise TypeError(f"{where}: {type(value).__name__} values cannot be recorded in a functional model (only tensors, "
                    "numbers, strings, lists, tuples, dicts and arrays); wrap this computation in a Layer")


def _is_dtype(value) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic))


def decode_arguments(arguments, where: str) -> dict:
    """The arguments described by :func:`encode_arguments` (operands as :class:`Operand` markers)."""
    if not isinstance(arguments, dict) or not all(isinstance(k, str) for k in arguments):
        raise ValueError(f"{where}: 'arguments' must be a dict of parameter names, received {arguments!r}")
    return {name: _decode(value, f"{where}: argument {name!r}") for name, value in arguments.items()}


def _decode(value, where: str):
    if isinstance(value, list):
        return [_decode(v, where) for v in value]
    if not isinstance(value, dict):
        if value is None or isinstance(value, (bool, str, int, float)):
            return value
        raise ValueError(f"{where}: unexpected value {value!r} in the config")
    marker = value.get("class_name")
    if marker not in _MARKERS:
        return {k: _decode(v, where) for k, v in value.items()}
    config = value.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"{where}: malformed {marker} entry {value!r}")
    if marker == "__operand__":
        index = config.get("index")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError(f"{where}: malformed operand index {index!r}")
        return Operand(index)
    if marker == "__tuple__":
        items = config.get("value")
        if not isinstance(items, list):
            raise ValueError(f"{where}: malformed tuple {value!r}")
        return tuple(_decode(v, where) for v in items)
    if marker == "__numpy__":
        try:
            dtype = np.dtype(config.get("dtype"))
        except TypeError:
            raise ValueError(f"{where}: unknown dtype {config.get('dtype')!r}") from None
        if dtype.kind not in "biuf":
            raise ValueError(f"{where}: array constants must be numeric, received dtype {dtype}")
        try:
            return np.asarray(config.get("value"), dtype=dtype)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}: malformed array constant: {err}") from None
    if marker == "__slice__":
        parts = [_decode(config.get(k), where) for k in ("start", "stop", "step")]
        if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            raise ValueError(f"{where}: malformed slice {value!r}")
        return slice(*parts)
    return Ellipsis


def substitute_operands(value, operands: list):
    """``value`` (decoded arguments) with each :class:`Operand` replaced by ``operands[index]``."""
    if isinstance(value, Operand):
        return operands[value.index]
    if isinstance(value, list):
        return [substitute_operands(v, operands) for v in value]
    if isinstance(value, tuple):
        return tuple(substitute_operands(v, operands) for v in value)
    if isinstance(value, dict):
        return {k: substitute_operands(v, operands) for k, v in value.items()}
    return value


def count_operands(value) -> int:
    """The number of operand places in decoded arguments (the highest index + 1)."""
    found = []

    def walk(v):
        if isinstance(v, Operand):
            found.append(v.index)
        elif isinstance(v, (list, tuple)):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for item in v.values():
                walk(item)

    walk(value)
    return max(found) + 1 if found else 0
