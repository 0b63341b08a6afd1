"""OperatorLayer: the layer recorded when Python arithmetic is used on symbolic tensors of the
functional API (``x + y``, ``2.0 * x``, ``-x``, ``x[:, -1]``), as Keras 3 records an operation.

``KerasTensor.__add__`` and its siblings (layers/base.py) call :func:`apply_operator`, which records an
:class:`OperatorLayer` on the operands; the layer's config keeps the operator, any constant operand
and the index, so a model using operators can be saved and rebuilt.

Example::

    a, b = Input(shape=(16,)), Input(shape=(16,))
    model = Model([a, b], 0.5 * (a + b))     # two OperatorLayers: 'add', then 'multiply' by 0.5
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import ops
from ..autograd import Tensor
from .base import KerasTensor, Layer
from .merge import broadcast_shape, shape_list

__all__ = ["OperatorLayer"]

_BINARY = {"add": ops.add, "subtract": ops.subtract, "multiply": ops.multiply, "divide": ops.divide,
           "power": ops.power, "maximum": ops.maximum, "minimum": ops.minimum}
_UNARY = {"negative": ops.negative, "absolute": ops.abs}


def _constant_value(value):
    """A constant operand as plain data: a Python number, or a nested list for an array."""
    message = f"OperatorLayer: a constant operand must be a number or an array of numbers, received {value!r}"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(message)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Tensor):
        value = value.data
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(message) from None
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(message)
    return arr.tolist()


_UNKNOWN = 1_000_003  # stands for an unknown size (None) while working out the shape of ``x[index]``


def _encode_index(index) -> list:
    """A basic index (ints, slices, None, Ellipsis, or a tuple of them) as plain data for the config."""
    out = []
    for item in index if isinstance(index, tuple) else (index,):
        if item is None or (isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_))):
            out.append(None if item is None else int(item))
        elif item is Ellipsis:
            out.append("...")
        elif isinstance(item, slice) and all(v is None or (isinstance(v, numbers.Integral) and not isinstance(v, bool))
                                             for v in (item.start, item.stop, item.step)):
            out.append({"slice": [None if v is None else int(v) for v in (item.start, item.stop, item.step)]})
        else:
            raise TypeError(f"KerasTensor indexing supports integers, slices, None and ... only, received {item!r}; "
                            "use ops.take or ops.getitem inside a Lambda layer for other indexes")
    return out


def _decode_index(items: list) -> tuple:
    out = []
    for item in items:
        if isinstance(item, dict) and list(item) == ["slice"] and isinstance(item["slice"], list) \
                and len(item["slice"]) == 3:
            out.append(slice(*item["slice"]))
        elif item == "...":
            out.append(Ellipsis)
        elif item is None or (isinstance(item, int) and not isinstance(item, bool)):
            out.append(item)
        else:
            raise ValueError(f"OperatorLayer: malformed index item {item!r} in the config")
    return tuple(out)


class OperatorLayer(Layer):
    """The layer recorded by Python arithmetic on symbolic tensors: ``x + y``, ``x * 2.0``, ``1.0 - x``, ``-x``.

    You rarely create one yourself: ``Model(inputs, x + y)`` works because ``KerasTensor.__add__``
    records an ``OperatorLayer('add')`` on ``[x, y]`` (as Keras 3 records an operation). The constant
    of ``x * 2.0`` is kept in the config, so a model using operators can be saved and rebuilt.

    Args:
        operator: one of 'add', 'subtract', 'multiply', 'divide', 'power', 'maximum', 'minimum' (two
            operands) or 'negative', 'absolute' (one operand).
        constant: the constant operand of a binary operator (a number or a nested list), or None when
            both operands are tensors. Defaults to None.
        constant_first: the constant is the left operand (``2.0 - x``). Defaults to False.

        index: for the operator 'getitem' (``x[:, -1]``): the basic index as plain data, a list of
            integers, None, '...' and ``{"slice": [start, stop, step]}``. Defaults to None.

    Shapes: NumPy broadcasting over all axes, as ``neuronet.ops``. Masks: an arithmetic operator on one
    tensor (with a constant) keeps its mask; one on two tensors, and indexing, output none.
    """

    def __init__(self, operator: str, constant=None, constant_first: bool = False, index=None, **kwargs):
        if operator not in _BINARY and operator not in _UNARY and operator != "getitem":
            raise ValueError(f"OperatorLayer: unknown operator {operator!r}; expected one of "
                             f"{sorted(_BINARY) + sorted(_UNARY) + ['getitem']}")
        if operator in _UNARY and constant is not None:
            raise ValueError(f"OperatorLayer: the operator {operator!r} takes no constant, received {constant!r}")
        if (operator == "getitem") != (index is not None):
            raise ValueError(f"OperatorLayer: an index is needed by 'getitem' and only by it; received operator "
                             f"{operator!r} with index={index!r}")
        super().__init__(**kwargs)
        self.operator = operator
        self.constant = None if constant is None else _constant_value(constant)
        self.constant_first = bool(constant_first)
        self.index = None if index is None else list(index)
        self._index = None if index is None else _decode_index(self.index)
        # with one tensor operand (``x * 2.0``, ``-x``) the mask of a sequence passes through unchanged
        self.supports_masking = self._operands() == 1 and operator != "getitem"

    def _operands(self) -> int:
        return 1 if self.operator in _UNARY or self.operator == "getitem" or self.constant is not None else 2

    def compute_output_shape(self, input_shape):
        if self.operator == "getitem":
            # index a zero-memory array of the input's shape, an unknown size standing in as a marker value
            shape = tuple(_UNKNOWN if d is None else d for d in input_shape)
            try:
                out = np.broadcast_to(np.zeros((), np.int8), shape)[self._index].shape
            except IndexError as err:
                raise ValueError(f"Layer '{self.name}' (getitem): index {self.index} does not fit inputs of shape "
                                 f"{tuple(input_shape)}: {err}") from None
            return tuple(None if d == _UNKNOWN else d for d in out)
        if self._operands() == 1:
            if isinstance(input_shape, list):
                raise ValueError(f"Layer '{self.name}' (OperatorLayer '{self.operator}') takes one input, received "
                                 f"{len(input_shape)}")
            if self.constant is None:
                return tuple(input_shape)
            shapes = [tuple(input_shape), np.shape(self.constant)]
        else:
            shapes = shape_list(self, input_shape, exactly=2, same_batch=False)  # NumPy broadcasting

        def message():
            return (f"Layer '{self.name}' (operator '{self.operator}'): operands of shapes {shapes[0]} and {shapes[1]} "
                    "do not broadcast")

        return broadcast_shape(tuple(shapes[0]), tuple(shapes[1]), message)

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        if self.operator == "getitem":
            return ops.getitem(inputs, self._index)
        if self.operator in _UNARY:
            return _UNARY[self.operator](inputs)
        fn = _BINARY[self.operator]
        if self.constant is None:
            return fn(inputs[0], inputs[1])
        constant = self.constant if isinstance(self.constant, (int, float)) else np.asarray(self.constant,
                                                                                             dtype=self.dtype)
        return fn(constant, inputs) if self.constant_first else fn(inputs, constant)

    def get_config(self) -> dict:
        config = {**super().get_config(), "operator": self.operator, "constant": self.constant,
                  "constant_first": self.constant_first}
        if self.index is not None:
            config["index"] = self.index
        return config


def apply_operator(operator: str, x: KerasTensor, other=None, reverse: bool = False):
    """Record ``x <operator> other`` (``other <operator> x`` when ``reverse``) on symbolic tensors.

    Returns NotImplemented when ``other`` is not a KerasTensor, a number or an array of numbers, so
    Python reports the unsupported operand types.
    """
    if operator in _UNARY:
        return OperatorLayer(operator, name=_op_name(operator))(x)
    if operator == "getitem":
        return OperatorLayer(operator, index=_encode_index(other), name=_op_name(operator))(x)
    if isinstance(other, KerasTensor):
        pair = [other, x] if reverse else [x, other]
        return OperatorLayer(operator, name=_op_name(operator))(pair)
    try:
        constant = _constant_value(other)
    except TypeError:
        return NotImplemented
    return OperatorLayer(operator, constant=constant, constant_first=reverse, name=_op_name(operator))(x)


def _op_name(operator: str) -> str:
    from ..utils.naming import unique_name

    return unique_name(operator)
