"""OperatorLayer: the layer recorded when an op is applied to symbolic tensors of the functional API, as
Keras 3 records an operation: Python arithmetic (``x + y``, ``2.0 * x``, ``-x``, ``x[:, -1]``) and any
``neuronet.ops`` function (``ops.concatenate([a, b])``, ``ops.softmax(x)``, ``ops.sum(x, axis=1)``).

``KerasTensor.__add__`` and its siblings (layers/base.py) call :func:`apply_operator`; the ops of
``neuronet.ops`` hand their symbolic calls to :func:`record_op` (registered with
``ops.symbolic.set_symbolic_recorder``). Either way an :class:`OperatorLayer` is called on the symbolic
operands, and its config names the op and keeps every other argument as plain data, so a model using
ops can be saved and rebuilt. Names read back from a config go through a closed table (the Keras op
names neuronet implements, see ``ops/keras_names.py``): nothing is imported by name.

Example::

    a, b = Input(shape=(16,)), Input(shape=(16,))
    model = Model([a, b], 0.5 * (a + b))     # two OperatorLayers: 'add', then 'multiply' by 0.5
    x = ops.concatenate([a, b], axis=-1)     # OperatorLayer('concatenate', arguments={"xs": [...], "axis": -1})
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from .. import ops
from ..autograd import Tensor, no_grad
from ..ops.symbolic import set_symbolic_recorder
from .base import KerasTensor, Layer
from .merge import broadcast_shape, shape_list
from .op_arguments import count_operands, decode_arguments, encode_arguments, substitute_operands

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
    """The layer recorded by an op on symbolic tensors: ``x + y``, ``x * 2.0``, ``-x``, ``x[:, 0]``, or any
    ``neuronet.ops`` function (``ops.softmax(x)``, ``ops.concatenate([a, b], axis=-1)``).

    You rarely create one yourself: ``Model(inputs, x + y)`` works because ``KerasTensor.__add__``
    records an ``OperatorLayer('add')`` on ``[x, y]``, and ``ops.softmax(x)`` on a KerasTensor records
    ``OperatorLayer('softmax', arguments={"x": <operand 0>, "axis": -1})`` (as Keras 3 records an
    operation). The config keeps the op's name and its other arguments, so the model can be saved and
    rebuilt; summaries show the op as Keras does ('softmax (Softmax)').

    Args:
        operator: the op: for Python arithmetic one of 'add', 'subtract', 'multiply', 'divide', 'power',
            'maximum', 'minimum' (two operands), 'negative', 'absolute' (one operand) or 'getitem';
            with ``arguments``, the Keras name of any op of ``neuronet.ops`` (e.g. 'softmax').
        constant: the constant operand of a binary operator (a number or a nested list), or None when
            both operands are tensors. Defaults to None.
        constant_first: the constant is the left operand (``2.0 - x``). Defaults to False.
        index: for the operator 'getitem' (``x[:, -1]``): the basic index as plain data, a list of
            integers, None, '...' and ``{"slice": [start, stop, step]}``. Defaults to None.
        arguments: for an op of ``neuronet.ops``: its arguments by parameter name, as plain data, the
            symbolic operands marked by position (see ``layers/op_arguments.py``). Defaults to None.

    Shapes: arithmetic broadcasts as NumPy; an op's output shape is found by running it on small
    placeholder arrays (twice, to tell the unknown sizes). Masks: an arithmetic operator on one tensor
    (with a constant) keeps its mask; one on two tensors, indexing and the ops output none (as Keras's
    ops do).
    """

    def __init__(self, operator: str, constant=None, constant_first: bool = False, index=None, arguments=None,
                 **kwargs):
        if arguments is not None:
            fn = op_function(operator, "OperatorLayer")
            if constant is not None or index is not None:
                raise ValueError(f"OperatorLayer: the op {operator!r} takes its values in arguments, received "
                                 f"constant={constant!r}, index={index!r}")
        elif operator not in _BINARY and operator not in _UNARY and operator != "getitem":
            raise ValueError(f"OperatorLayer: unknown operator {operator!r}; expected one of "
                             f"{sorted(_BINARY) + sorted(_UNARY) + ['getitem']}, or an op name with arguments")
        if operator in _UNARY and constant is not None:
            raise ValueError(f"OperatorLayer: the operator {operator!r} takes no constant, received {constant!r}")
        if arguments is None and (operator == "getitem") != (index is not None):
            raise ValueError(f"OperatorLayer: an index is needed by 'getitem' and only by it; received operator "
                             f"{operator!r} with index={index!r}")
        super().__init__(**kwargs)
        self.operator = operator
        self.constant = None if constant is None else _constant_value(constant)
        self.constant_first = bool(constant_first)
        self.index = None if index is None else list(index)
        self._index = None if index is None else _decode_index(self.index)
        self.arguments = None
        if arguments is not None:
            where = f"OperatorLayer '{self.name}' ({operator})"
            self._fn = fn
            self._signature = inspect.signature(fn)
            self._arguments = decode_arguments(arguments, where)
            unknown = [k for k in self._arguments if k not in self._signature.parameters]
            if unknown:
                raise ValueError(f"{where}: unknown argument(s) {unknown}; ops.{operator} takes "
                                 f"{list(self._signature.parameters)}")
            self.arguments = arguments
            bound = inspect.BoundArguments(self._signature, self._arguments)
            self._call_args, self._call_kwargs = bound.args, bound.kwargs  # operand markers filled at each call
            self._operand_count = count_operands(self._arguments)
            self._output_dtypes = None
        # with one tensor operand (``x * 2.0``, ``-x``) the mask of a sequence passes through unchanged
        self.supports_masking = arguments is None and self._operands() == 1 and operator != "getitem"

    @property
    def keras_class_name(self) -> str:
        """The op's class name in Keras ('softmax' → 'Softmax', 'abs' → 'Absolute', 'getitem' → 'GetItem'),
        shown by summaries and written where a Keras file names the operation."""
        from ..ops.keras_names import keras_class_name

        return keras_class_name(self.operator)

    def _operands(self) -> int:
        if self.arguments is not None:
            return self._operand_count
        return 1 if self.operator in _UNARY or self.operator == "getitem" or self.constant is not None else 2

    def compute_output_shape(self, input_shape):
        if self.arguments is not None:
            return self._op_output_shape(input_shape)
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

    def _op_output_shape(self, input_shape):
        """Run the op on placeholder arrays whose unknown sizes are 2, then 3: the output sizes that differ
        between the two runs are unknown (None). Also notes the output dtypes."""
        shapes = input_shape if self._operand_count > 1 else [input_shape]
        dtypes = self._operand_dtypes or [self.dtype] * len(shapes)
        runs = []
        for unknown in (2, 3):
            operands = [_placeholder(shape, dt, unknown) for shape, dt in zip(shapes, dtypes)]
            with no_grad(), np.errstate(all="ignore"):
                try:
                    out = self._run(operands)
                except (ValueError, TypeError, IndexError, np.linalg.LinAlgError) as err:
                    raise ValueError(f"ops.{self.operator} on symbolic inputs of shape(s) "
                                     f"{', '.join(str(tuple(s)) for s in shapes)}: {err}") from None
            runs.append(out)
        first, second = runs
        multi = isinstance(first, (list, tuple))
        firsts = list(first) if multi else [first]
        seconds = list(second) if multi else [second]
        out_shapes, out_dtypes = [], []
        for a, b in zip(firsts, seconds):
            a_shape, b_shape = np.shape(_array(a)), np.shape(_array(b))
            if len(a_shape) != len(b_shape):
                out_shapes.append(tuple(None for _ in a_shape))
            else:
                out_shapes.append(tuple(x if x == y else None for x, y in zip(a_shape, b_shape)))
            out_dtypes.append(_array(a).dtype.name)
        self._output_dtypes = out_dtypes if multi else out_dtypes[0]
        return out_shapes if multi else out_shapes[0]

    def _output_dtype(self):
        if self.arguments is not None and self._output_dtypes is not None:
            return self._output_dtypes
        return super()._output_dtype()

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)
        self.built = True

    def _run(self, operands: list):
        return self._fn(*substitute_operands(self._call_args, operands),
                        **substitute_operands(self._call_kwargs, operands))

    def call(self, inputs):
        if self.arguments is not None:
            operands = list(inputs) if self._operand_count > 1 else [inputs]
            return self._run(operands)
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
        config = {**super().get_config(), "operator": self.operator}
        if self.arguments is not None:
            config["arguments"] = self.arguments
            return config
        config.update({"constant": self.constant, "constant_first": self.constant_first})
        if self.index is not None:
            config["index"] = self.index
        return config

    _operand_dtypes = None  # the dtypes of the symbolic operands, set when the op is recorded


def _array(value) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _placeholder(shape, dtype: str, unknown: int) -> np.ndarray:
    """Values standing in for a symbolic operand: ones plus the identity on the last two axes (so
    inverses, Cholesky factors and logarithms exist), zeros for integers, empty strings for text."""
    dims = tuple(unknown if d is None else int(d) for d in shape)
    kind = np.dtype(dtype).kind
    if kind == "O":
        return np.full(dims, "", dtype=object)
    if kind in "iub":
        return np.zeros(dims, dtype=dtype)
    values = np.ones(dims, dtype=dtype)
    if len(dims) >= 2 and dims[-1] == dims[-2]:
        values = values + np.eye(dims[-1], dtype=dtype)
    return values


# ----------------------------------------------------------------------------- ops on symbolic tensors
_OP_TABLE: dict = {}


def op_function(name: str, where: str):
    """The plain (computing) function of the op ``name`` from the closed table of Keras op names that
    neuronet implements; a ValueError naming the closest name otherwise."""
    if not _OP_TABLE:
        from ..ops import keras_names

        for op_name in keras_names.top_level() + keras_names.IMAGE + ("getitem",):
            fn = getattr(ops.image if op_name in keras_names.IMAGE else ops, op_name, None)
            if callable(fn) and op_name not in keras_names.NOT_RECORDED:
                _OP_TABLE[op_name] = getattr(fn, "__wrapped__", fn)
    fn = _OP_TABLE.get(name) if isinstance(name, str) else None
    if fn is None:
        from ..utils.naming import closest_match

        raise ValueError(f"{where}: unknown op {name!r}{closest_match(str(name), list(_OP_TABLE))}; an op must be one "
                         "of the keras.ops functions neuronet implements")
    return fn


def record_op(name: str, fn, args: tuple, kwargs: dict, layer_name: str | None = None):
    """Record ``ops.<name>(*args, **kwargs)`` called on symbolic tensors: an :class:`OperatorLayer` node
    whose inputs are the symbolic tensors among the arguments (named ``layer_name``, by default the op's
    name made unique). Returns the symbolic output(s)."""
    plain = getattr(fn, "__wrapped__", fn)
    where = f"ops.{name}"
    try:
        bound = inspect.signature(plain).bind(*args, **kwargs)
    except TypeError as err:
        raise TypeError(f"{where}: {err}") from None
    operands: list = []
    arguments = encode_arguments(dict(bound.arguments), operands, where)
    if not operands:
        raise TypeError(f"{where}: no symbolic tensor among the arguments to record")
    dtypes = [t.dtype for t in operands]
    floats = [d for d in dtypes if np.dtype(d).kind == "f"]
    layer = OperatorLayer(name, arguments=arguments, name=layer_name or _op_name(name),
                          dtype=floats[0] if floats else None)
    layer._operand_dtypes = dtypes
    return layer(operands if len(operands) > 1 else operands[0])


def call_keras_operation(class_name: str, config: dict, args: list, kwargs: dict, where: str = "load_model"):
    """Replay an operation node of a Keras 3 functional config (``"module": "keras.src.ops..."``) on symbolic
    tensors: the op is found from its class name through a closed table (``ops.keras_names``), its
    constructor arguments (``config`` without 'name') join the node's ``args``/``kwargs`` (tensors already
    decoded to KerasTensors), and an :class:`OperatorLayer` named ``config['name']`` records the call.

    Example: ``{"class_name": "Sum", "config": {"name": "sum", "axis": 1, "keepdims": false}}`` called with
    ``args=[x]`` records ``ops.sum(x, axis=1, keepdims=False)``.

    Raises:
        ValueError: for an operation neuronet does not implement, or arguments its function refuses.
    """
    from ..ops.keras_names import op_name_of_keras_class

    name = op_name_of_keras_class(class_name) if isinstance(class_name, str) else None
    if name is None:
        raise ValueError(f"{where}: unknown Keras operation {class_name!r}; neuronet implements the keras.ops "
                         "functions listed in neuronet.ops.keras_names")
    fn = op_function(name, where)
    options = {k: v for k, v in config.items() if k != "name"}
    options = {**options, **dict(kwargs or {})}
    try:
        return record_op(name, fn, tuple(args), options, layer_name=config.get("name"))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: could not replay the Keras operation {class_name!r}: {err}") from None


set_symbolic_recorder(record_op)


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
