"""ONNX converter of op nodes: ``keras.ops`` calls and Python arithmetic on symbolic tensors (OperatorLayer).

A functional model built with ops (``x = ops.concatenate([a, b]); y = ops.softmax(x)``, ``a + b``,
``x[:, 0]``) records one OperatorLayer per call, its config naming the op and keeping its arguments.
Each op is translated by a short function in a table, ``OPS[name](g, call) -> name(s)``, where
``call`` (a :class:`Call`) holds the op's arguments by parameter name, defaults applied, with the
symbolic operands replaced by graph Values. This file holds the machinery and the elementwise,
comparison, activation and reduction families; ``onnx_ops_shape.py`` holds shape, indexing,
product and normalization ops, ``onnx_ops_numpy.py`` the less common NumPy-style ops,
``onnx_ops_nn.py`` the convolution/pooling ops and ``onnx_ops_image.py`` those of ``ops.image``.

Types follow ``predict``: the output dtype of each node is the one the op gives on NumPy arrays
(floats of any width computed as float32, as everywhere in the exported graph); operands are cast
to it before an elementwise op, so ``int_input * 2`` stays an integer and ``int_input / 2`` a float.

An op with no entry is refused when the export starts (before any work, nothing written), in one
line naming the layer and the op; so is an argument an entry does not translate.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict

import numpy as np

from .. import layers as L
from .onnx_activations import apply_activation
from .onnx_convert import converts, refuse
from .onnx_graph import ExportError, Graph, Value

__all__ = ["OPS", "Call", "op", "check_operator"]

F32 = np.dtype(np.float32)

#: op name -> fn(g, call) returning the output name (or a list of names for ops with several outputs)
OPS: dict = {}


def op(*names):
    """Register ``fn(g, call)`` as the translation of the ops ``names``."""
    def register(fn):
        for name in names:
            OPS[name] = fn
        return fn
    return register


def graph_dtype(dtype) -> np.dtype:
    """The dtype a tensor has in the exported graph: floats of every width are float32."""
    dtype = np.dtype(dtype)
    return F32 if dtype.kind == "f" else dtype


class Call:
    """One recorded op call: its arguments by parameter name (operands as Values), output shapes and dtypes."""

    def __init__(self, g: Graph, layer, operands: list):
        from ..layers.op_arguments import decode_arguments, substitute_operands
        from ..layers.operator import op_function

        self.g, self.layer, self.name = g, layer, layer.operator
        signature = inspect.signature(op_function(self.name, "export"))
        decoded = decode_arguments(layer.get_config()["arguments"], f"export: layer '{layer.name}'")
        bound = inspect.BoundArguments(signature, OrderedDict(
            (k, decoded[k]) for k in signature.parameters if k in decoded))
        bound.apply_defaults()
        self.args = substitute_operands(dict(bound.arguments), operands)
        self.operands = operands
        shapes = [tuple(v.shape) for v in operands]
        # shapes and dtypes from the op run on placeholders of the operands as they are in the graph (a
        # recorded operand dtype can differ from the one predict sees: int - 2 is recorded as a float)
        saved = layer._operand_dtypes, layer._output_dtypes
        layer._operand_dtypes = [v.dtype.name for v in operands]
        try:
            out = layer.compute_output_shape(shapes if len(operands) > 1 else shapes[0])
            dtypes = layer._output_dtypes
        finally:
            layer._operand_dtypes, layer._output_dtypes = saved
        self.multi = isinstance(out, list)
        self.out_shapes = [tuple(s) for s in out] if self.multi else [tuple(out)]
        self.out_dtypes = [graph_dtype(d) for d in (dtypes if self.multi else [dtypes])]

    def __getitem__(self, key: str):
        return self.args[key]

    @property
    def dtype(self) -> np.dtype:
        """The (first) output's dtype in the graph."""
        return self.out_dtypes[0]

    @property
    def shape(self) -> tuple:
        return self.out_shapes[0]

    def refuse(self, reason: str):
        return refuse(self.layer, f"ops.{self.name}: {reason}")

    def tensor(self, value, dtype=None) -> str:
        """The graph name of ``value`` (a Value, a number or an array) as ``dtype`` (default: the output's)."""
        return tensor(self.g, value, self.dtype if dtype is None else dtype)

    def value(self, key: str) -> Value:
        """The argument ``key``, which must be a symbolic operand (refused otherwise)."""
        v = self.args[key]
        if not isinstance(v, Value):
            raise self.refuse(f"argument {key!r} must be a symbolic tensor to be translated, received {v!r}")
        return v

    def axis(self, axis, rank: int) -> int:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise self.refuse(f"axis must be an integer, received {axis!r}")
        return int(axis) % rank if rank else 0

    def axes(self, axis, rank: int) -> list:
        """``axis`` (None = every axis, an int or a sequence of ints) as sorted non-negative axes."""
        if axis is None:
            return list(range(rank))
        items = axis if isinstance(axis, (list, tuple)) else [axis]
        return sorted({self.axis(a, rank) for a in items})


def tensor(g: Graph, value, dtype) -> str:
    """``value`` (a Value, a number or an array) as a graph tensor of ``dtype``."""
    dtype = graph_dtype(dtype)
    if isinstance(value, Value):
        return value.name if graph_dtype(value.dtype) == dtype else g.cast(value.name, dtype)
    return g.const(np.asarray(value).astype(dtype))


# ----------------------------------------------------------------------------- the converter
@converts(L.OperatorLayer, check=lambda layer: check_operator(layer))
def _operator(g, layer, x):
    cfg = layer.get_config()
    if "arguments" not in cfg:  # Python arithmetic and indexing: x + y, 2.0 * x, -x, x[:, 0]
        return _python_operator(g, layer, x, cfg)
    call = Call(g, layer, list(x) if layer._operand_count > 1 else [x])
    try:
        out = OPS[call.name](g, call)
    except ExportError:
        raise
    except (KeyError, IndexError, TypeError, ValueError) as err:  # arguments no entry foresaw: one line, named
        raise call.refuse(f"its arguments could not be translated ({type(err).__name__}: {err})") from err
    outs = out if isinstance(out, (list, tuple)) else [out]
    values = [Value(name, shape, dtype) for name, shape, dtype in zip(outs, call.out_shapes, call.out_dtypes)]
    return values if call.multi else values[0]


#: why whole families of ops are refused (the rest: "no ONNX translation yet")
_FAMILY_REASONS = {
    **dict.fromkeys(("cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "lstsq", "lu_factor", "matrix_rank",
                     "pinv", "qr", "solve", "solve_triangular", "svd", "slogdet", "logdet"),
                    "matrix decompositions and solvers have no ONNX operator"),
    **dict.fromkeys(("fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft", "view_as_complex", "view_as_real",
                     "polar", "real", "imag", "angle", "conj", "conjugate"),
                    "complex numbers and Fourier transforms are not translated"),
    **dict.fromkeys(("unique", "nonzero", "argwhere", "bincount", "histogram"),
                    "its output size depends on the values"),
    **dict.fromkeys(("ctc_loss", "ctc_decode"), "CTC is not translated"),
    **dict.fromkeys(("segment_sum", "segment_max", "segment_min", "segment_prod", "scatter", "scatter_update",
                     "slice_update"), "scatter and segment ops are not translated"),
    **dict.fromkeys(("fold", "unfold"), "fold/unfold are not translated"),
    **dict.fromkeys(("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "psnr",
                     "ssim"), "losses and metrics are not translated (compute them outside the exported model)"),
    **dict.fromkeys(("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert", "left_shift",
                     "right_shift", "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"),
                    "integer bit and number-theory ops are not translated"),
    **dict.fromkeys(("nanmedian", "nanquantile", "nanpercentile"), "order statistics ignoring NaN are not "
                                                                   "translated (median/quantile/percentile are)"),
}


def check_operator(layer) -> None:
    """Refuse, before any work, an op node whose op has no translation."""
    cfg = layer.get_config()
    name = cfg["operator"]
    if "arguments" in cfg and name not in OPS:
        reason = _FAMILY_REASONS.get(name, "it has no ONNX translation yet")
        raise refuse(layer, f"ops.{name} recorded on symbolic inputs: {reason}")


# ----------------------------------------------------------------------------- Python operators on KerasTensors
_OPERATOR_OPS = {"add": "add", "subtract": "subtract", "multiply": "multiply", "divide": "divide",
                 "power": "power", "maximum": "maximum", "minimum": "minimum"}


def _python_operator(g, layer, x, cfg):
    from .onnx_ops_shape import getitem

    operator = cfg["operator"]
    if operator == "getitem":
        return getitem(g, layer, x, cfg["index"])
    if operator in ("negative", "absolute"):
        return x.with_(name=g.op("Neg" if operator == "negative" else "Abs", [x.name]), mask=None)
    if cfg["constant"] is None:
        a, b = x
        shape = layer.compute_output_shape([tuple(a.shape), tuple(b.shape)])
        operands = [a, b]
    else:
        constant = cfg["constant"]
        if not isinstance(constant, (int, float)):
            constant = np.asarray(constant, dtype=layer.dtype)
        shape = layer.compute_output_shape(tuple(x.shape))
        operands = [constant, x] if cfg["constant_first"] else [x, constant]
    dtype = _result_dtype(operator, operands)
    name = _BINARY_FNS[_OPERATOR_OPS[operator]](g, *(tensor(g, v, dtype) for v in operands), dtype)
    return Value(name, tuple(shape), dtype)


def _result_dtype(operator: str, operands: list) -> np.dtype:
    """The dtype NumPy gives ``operator`` on these operands (Python numbers are weak, as in NumPy 2)."""
    samples = [np.zeros((), graph_dtype(v.dtype)) if isinstance(v, Value) else v for v in operands]
    dtype = np.result_type(*samples)
    if operator == "divide" and dtype.kind in "iub":
        dtype = np.dtype(np.float64)
    return graph_dtype(dtype)


# ----------------------------------------------------------------------------- arithmetic
def _floor_divide(g, a, b, dtype):
    if dtype.kind == "f":
        return g.op("Floor", [g.op("Div", [a, b])])
    # integers: (a - a mod b) / b is an exact multiple, so ONNX's truncating Div gives the floor
    return g.op("Div", [g.op("Sub", [a, g.op("Mod", [a, b], fmod=0)]), b])


def _mod(g, a, b, dtype):
    if dtype.kind == "f":  # Python's sign convention (that of the divisor): a - floor(a / b) · b
        return g.op("Sub", [a, g.op("Mul", [g.op("Floor", [g.op("Div", [a, b])]), b])])
    return g.op("Mod", [a, b], fmod=0)


def _simple(op_type):
    return lambda g, a, b, dtype: g.op(op_type, [a, b])


_BINARY_FNS = {
    "add": _simple("Add"), "subtract": _simple("Sub"), "multiply": _simple("Mul"), "divide": _simple("Div"),
    "true_divide": _simple("Div"), "power": _simple("Pow"), "maximum": _simple("Max"), "minimum": _simple("Min"),
    "fmax": _simple("Max"), "fmin": _simple("Min"), "floor_divide": _floor_divide, "mod": _mod,
    "fmod": lambda g, a, b, dtype: g.op("Mod", [a, b], fmod=1 if dtype.kind == "f" else 0),
    # log(eᵃ + eᵇ) = max(a, b) + log(1 + e^-|a - b|)
    "logaddexp": lambda g, a, b, dtype: g.op("Add", [g.op("Max", [a, b]), g.op("Log", [g.op("Add", [
        g.const(np.float32(1)), g.op("Exp", [g.op("Neg", [g.op("Abs", [g.op("Sub", [a, b])])])])])])]),
    "hypot": lambda g, a, b, dtype: g.op("Sqrt", [g.op("Add", [g.op("Mul", [a, a]), g.op("Mul", [b, b])])]),
    # a / b, 0 where b == 0
    "divide_no_nan": lambda g, a, b, dtype: g.op("Where", [
        g.op("Equal", [b, g.const(np.zeros((), dtype))]), g.const(np.zeros((), dtype)),
        g.op("Div", [a, g.op("Where", [g.op("Equal", [b, g.const(np.zeros((), dtype))]),
                                        g.const(np.ones((), dtype)), b])])]),
}


@op(*_BINARY_FNS)
def _binary(g, c):
    a, b = c["x1"], c["x2"]
    return _BINARY_FNS[c.name](g, c.tensor(a), c.tensor(b), c.dtype)


_COMPARE = {"equal": "Equal", "greater": "Greater", "greater_equal": "GreaterOrEqual", "less": "Less",
            "less_equal": "LessOrEqual", "not_equal": "Equal"}


@op(*_COMPARE)
def _compare(g, c):
    a, b = c["xs"]
    common = _result_dtype("compare", [a, b])
    y = g.op(_COMPARE[c.name], [tensor(g, a, common), tensor(g, b, common)])
    return g.op("Not", [y]) if c.name == "not_equal" else y


@op("logical_and", "logical_or", "logical_xor")
def _logical(g, c):
    a, b = c["xs"][:2]
    op_type = {"logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}[c.name]
    return g.op(op_type, [c.tensor(a, np.bool_), c.tensor(b, np.bool_)])


@op("logical_not")
def _logical_not(g, c):
    return g.op("Not", [c.tensor(c["xs"][0], np.bool_)])


# ----------------------------------------------------------------------------- elementwise, one operand
def _ln(base):
    return lambda g, x: g.op("Div", [g.op("Log", [x]), g.const(np.float32(math.log(base)))])


_UNARY = {
    "abs": lambda g, x: g.op("Abs", [x]), "absolute": lambda g, x: g.op("Abs", [x]),
    "fabs": lambda g, x: g.op("Abs", [x]), "negative": lambda g, x: g.op("Neg", [x]),
    "sign": lambda g, x: g.op("Sign", [x]), "square": lambda g, x: g.op("Mul", [x, x]),
    "exp": lambda g, x: g.op("Exp", [x]), "log": lambda g, x: g.op("Log", [x]),
    "sqrt": lambda g, x: g.op("Sqrt", [x]), "rsqrt": lambda g, x: g.op("Reciprocal", [g.op("Sqrt", [x])]),
    "reciprocal": lambda g, x: g.op("Reciprocal", [x]), "erf": lambda g, x: g.op("Erf", [x]),
    "erfc": lambda g, x: g.op("Sub", [g.const(np.float32(1)), g.op("Erf", [x])]),
    "log1p": lambda g, x: g.op("Log", [g.op("Add", [x, g.const(np.float32(1))])]),
    "expm1": lambda g, x: g.op("Sub", [g.op("Exp", [x]), g.const(np.float32(1))]),
    "exp2": lambda g, x: g.op("Pow", [g.const(np.float32(2)), x]),
    "log2": _ln(2.0), "log10": _ln(10.0),
    "cbrt": lambda g, x: g.op("Mul", [g.op("Sign", [x]), g.op("Pow", [g.op("Abs", [x]), g.const(np.float32(1 / 3))])]),
    "sin": lambda g, x: g.op("Sin", [x]), "cos": lambda g, x: g.op("Cos", [x]), "tan": lambda g, x: g.op("Tan", [x]),
    "arcsin": lambda g, x: g.op("Asin", [x]), "arccos": lambda g, x: g.op("Acos", [x]),
    "arctan": lambda g, x: g.op("Atan", [x]), "sinh": lambda g, x: g.op("Sinh", [x]),
    "cosh": lambda g, x: g.op("Cosh", [x]), "arcsinh": lambda g, x: g.op("Asinh", [x]),
    "arccosh": lambda g, x: g.op("Acosh", [x]), "arctanh": lambda g, x: g.op("Atanh", [x]),
    "deg2rad": lambda g, x: g.op("Mul", [x, g.const(np.float32(math.pi / 180))]),
    "rad2deg": lambda g, x: g.op("Mul", [x, g.const(np.float32(180 / math.pi))]),
    "stop_gradient": lambda g, x: g.op("Identity", [x]), "copy": lambda g, x: g.op("Identity", [x]),
}
# activations without arguments: the same formulas as the Activation layer's
_ACTIVATIONS = ("relu", "relu6", "sigmoid", "tanh", "silu", "swish", "softplus", "softsign", "selu", "hard_sigmoid",
                "hard_silu", "hard_swish", "log_sigmoid", "hard_tanh", "tanh_shrink", "sparse_plus",
                "sparse_sigmoid")
for _name in _ACTIVATIONS:
    _UNARY[_name] = (lambda act: lambda g, x: apply_activation(g, act, x))(_name)


@op(*_UNARY)
def _unary(g, c):
    x = c.args.get("x", c.args.get("variable"))
    if not isinstance(x, Value):
        raise c.refuse(f"its operand must be a symbolic tensor, received {x!r}")
    if c.dtype.kind != "f" and c.name not in ("abs", "absolute", "negative", "sign", "square", "stop_gradient",
                                              "copy"):
        raise c.refuse(f"it gives {c.dtype} values here; only float results are translated")
    return _UNARY[c.name](g, c.tensor(x))


@op("floor", "ceil", "trunc", "isnan", "isinf", "isfinite", "signbit")
def _star_unary(g, c):  # functions written with *xs
    x = c["xs"][0]
    if c.name in ("floor", "ceil", "trunc"):
        if graph_dtype(x.dtype).kind != "f":
            return c.tensor(x)
        if c.name == "trunc":  # toward zero: sign(x) · floor(|x|)
            y = c.tensor(x)
            return g.op("Mul", [g.op("Sign", [y]), g.op("Floor", [g.op("Abs", [y])])])
        return g.op(c.name.capitalize(), [c.tensor(x)])
    y = tensor(g, x, F32)
    if c.name == "isnan":
        return g.op("IsNaN", [y])
    if c.name == "isinf":
        return g.op("IsInf", [y])
    if c.name == "signbit":  # x < 0, and -0.0 too: 1 / x < 0
        return g.op("Less", [g.op("Div", [g.const(np.float32(1)), y]), g.const(np.float32(0))])
    return g.op("Not", [g.op("Or", [g.op("IsNaN", [y]), g.op("IsInf", [y])])])


@op("round")
def _round(g, c):
    x = c.tensor(c["x"])
    decimals = c["decimals"]
    if c.dtype.kind != "f":
        if decimals < 0:
            raise c.refuse(f"decimals={decimals} on integers is not translated")
        return x
    if decimals == 0:
        return g.op("Round", [x])  # half to even, as NumPy
    scale = g.const(np.float32(10.0 ** decimals))
    return g.op("Div", [g.op("Round", [g.op("Mul", [x, scale])]), scale])


@op("cast", "saturate_cast")
def _cast(g, c):
    x = c.value("x")
    target = np.dtype(c["dtype"])
    if target.kind == "f" and target.itemsize < 4:  # round through the narrow type, as the values are
        from onnx import TensorProto

        if target != np.float16:
            raise c.refuse(f"dtype {target} is not translated (float16, float32 and float64 are)")
        narrow = g.op("Cast", [tensor(g, x, F32)], to=TensorProto.FLOAT16)
        return g.op("Cast", [narrow], to=TensorProto.FLOAT)
    if c.name == "saturate_cast" and target.kind in "iu":
        info = np.iinfo(target)
        y = g.op("Clip", [tensor(g, x, F32), g.const(np.float32(info.min)), g.const(np.float32(info.max))])
        return g.cast(y, target)
    return tensor(g, x, target)


@op("clip")
def _clip(g, c):
    x = c.tensor(c.value("x"))
    y = g.op("Max", [x, c.tensor(c["x_min"])])
    return g.op("Min", [y, c.tensor(c["x_max"])])


@op("where")
def _where(g, c):
    if c["x1"] is None:
        raise c.refuse("where(condition) alone gives indices whose count depends on the values")
    return g.op("Where", [c.tensor(c["condition"], np.bool_), c.tensor(c["x1"]), c.tensor(c["x2"])])


@op("nan_to_num")
def _nan_to_num(g, c):
    x = c.tensor(c.value("x"))
    if c.dtype.kind != "f":
        return x
    big = np.finfo(np.float32).max
    posinf = big if c["posinf"] is None else c["posinf"]
    neginf = -big if c["neginf"] is None else c["neginf"]
    y = g.op("Where", [g.op("IsNaN", [x]), g.const(np.float32(c["nan"])), x])
    y = g.op("Where", [g.op("IsInf", [y], detect_negative=0), g.const(np.float32(posinf)), y])
    return g.op("Where", [g.op("IsInf", [y], detect_positive=0), g.const(np.float32(neginf)), y])


# ----------------------------------------------------------------------------- activations with arguments
@op("softmax", "log_softmax")
def _softmax(g, c):
    x = c.tensor(c.value("x"))
    axes = c.axes(c["axis"], c.value("x").rank)
    if len(axes) == 1:
        return apply_activation(g, c.name, x, axis=axes[0])
    # over several axes: exp(x - max) / Σ exp(x - max)
    shifted = g.op("Sub", [x, g.reduce("ReduceMax", x, axes, True)])
    total = g.reduce("ReduceSum", g.op("Exp", [shifted]), axes, True)
    if c.name == "log_softmax":
        return g.op("Sub", [shifted, g.op("Log", [total])])
    return g.op("Div", [g.op("Exp", [shifted]), total])


@op("gelu")
def _gelu(g, c):
    x = c.tensor(c.value("x"))
    if not c["approximate"]:
        return apply_activation(g, "gelu", x)
    # ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))
    cube = g.op("Mul", [g.op("Mul", [x, x]), x])
    inner = g.op("Mul", [g.op("Add", [x, g.op("Mul", [cube, g.const(np.float32(0.044715))])]),
                         g.const(np.float32(math.sqrt(2.0 / math.pi)))])
    half = g.op("Mul", [x, g.const(np.float32(0.5))])
    return g.op("Mul", [half, g.op("Add", [g.op("Tanh", [inner]), g.const(np.float32(1))])])


@op("leaky_relu", "elu", "celu", "hard_shrink", "soft_shrink", "squareplus", "glu", "threshold")
def _activation_with_arguments(g, c):
    x = c.tensor(c.value("x"))
    f = lambda v: g.const(np.float32(v))  # noqa: E731
    if c.name == "leaky_relu":
        return g.op("LeakyRelu", [x], alpha=float(c["negative_slope"]))
    if c.name == "elu":
        return g.op("Elu", [x], alpha=float(c["alpha"]))
    if c.name == "celu":
        return g.op("Celu", [x], alpha=float(c["alpha"]))
    if c.name == "hard_shrink":
        return g.op("Shrink", [x], lambd=float(c["threshold"]), bias=0.0)
    if c.name == "soft_shrink":
        return g.op("Shrink", [x], lambd=float(c["threshold"]), bias=float(c["threshold"]))
    if c.name == "squareplus":  # (x + √(x² + b)) / 2
        root = g.op("Sqrt", [g.op("Add", [g.op("Mul", [x, x]), f(c["b"])])])
        return g.op("Mul", [g.op("Add", [x, root]), f(0.5)])
    if c.name == "glu":
        return apply_activation(g, "glu", x, axis=c.axis(c["axis"], c.value("x").rank))
    # threshold: x where x > threshold, else default_value
    return g.op("Where", [g.op("Greater", [x, c.tensor(c["threshold"])]), x, c.tensor(c["default_value"])])


# ----------------------------------------------------------------------------- reductions
_REDUCE = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd",
           "amax": "ReduceMax", "amin": "ReduceMin"}


@op(*_REDUCE)
def _reduce(g, c):
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    y = g.reduce(_REDUCE[c.name], c.tensor(x), axes, bool(c["keepdims"]))
    initial = c.args.get("initial")
    if initial is not None:
        y = g.op("Max" if c.name in ("max", "amax") else "Min", [y, c.tensor(initial)])
    return y


def _mean_and_variance(g, x: str, axes: list, keepdims: bool):
    mean = g.reduce("ReduceMean", x, axes, True)
    centred = g.op("Sub", [x, mean])
    var = g.reduce("ReduceMean", g.op("Mul", [centred, centred]), axes, keepdims)
    return (mean if keepdims else g.reduce("ReduceMean", x, axes, False)), var


@op("var", "std")
def _variance(g, c):
    x = c.value("x")
    _, var = _mean_and_variance(g, c.tensor(x), c.axes(c["axis"], x.rank), bool(c["keepdims"]))
    return g.op("Sqrt", [var]) if c.name == "std" else var


@op("moments")
def _moments(g, c):
    x = c.value("x")
    return list(_mean_and_variance(g, c.tensor(x), c.axes(c["axes"], x.rank), bool(c["keepdims"])))


@op("logsumexp")
def _logsumexp(g, c):  # m + log Σ exp(x - m), m the maximum over the axes
    x = c.value("x")
    axes, keepdims = c.axes(c["axis"], x.rank), bool(c["keepdims"])
    y = c.tensor(x)
    top = g.reduce("ReduceMax", y, axes, True)
    total = g.op("Log", [g.reduce("ReduceSum", g.op("Exp", [g.op("Sub", [y, top])]), axes, keepdims)])
    return g.op("Add", [total, top if keepdims else g.squeeze(top, axes)])


@op("any", "all", "count_nonzero")
def _boolean_reduce(g, c):
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)
    nonzero = tensor(g, x, np.bool_)
    keepdims = bool(c.args.get("keepdims", False))
    if c.name == "count_nonzero":
        return g.reduce("ReduceSum", g.cast(nonzero, c.dtype), axes, keepdims)
    as_int = g.cast(nonzero, np.int32)  # ReduceMax/Min take no booleans before opset 20
    return g.cast(g.reduce("ReduceMax" if c.name == "any" else "ReduceMin", as_int, axes, keepdims), np.bool_)


@op("ptp")
def _ptp(g, c):
    x = c.value("x")
    axes, keepdims = c.axes(c["axis"], x.rank), bool(c["keepdims"])
    y = c.tensor(x)
    return g.op("Sub", [g.reduce("ReduceMax", y, axes, keepdims), g.reduce("ReduceMin", y, axes, keepdims)])


@op("argmax", "argmin")
def _argmax(g, c):
    x = c.value("x")
    y = tensor(g, x, x.dtype)
    keepdims = bool(c["keepdims"])
    if c["axis"] is None:
        if keepdims:
            raise c.refuse("axis=None with keepdims=True is not translated")
        y = g.reshape(y, [-1])
        return g.squeeze(g.op("ArgMax" if c.name == "argmax" else "ArgMin", [y], axis=0, keepdims=1), [0])
    axis = c.axis(c["axis"], x.rank)
    return g.op("ArgMax" if c.name == "argmax" else "ArgMin", [y], axis=axis, keepdims=int(keepdims))


@op("cumsum")
def _cumsum(g, c):
    x = c.value("x")
    y = c.tensor(x)
    if c["axis"] is None:
        y, axis = g.reshape(y, [-1]), 0
    else:
        axis = c.axis(c["axis"], x.rank)
    return g.op("CumSum", [y, g.const(np.int64(axis))])


@op("cumprod", "nancumprod")
def _cumprod(g, c):
    # ONNX has no cumulative product: |Π x| = exp(Σ log|x|), the sign from the parity of the negatives so far,
    # and 0 from the first zero on
    x = c.value("x")
    y = tensor(g, x, F32)
    if c.name == "nancumprod":
        y = g.op("Where", [g.op("IsNaN", [y]), g.const(np.float32(1)), y])
    if c["axis"] is None:
        y, axis = g.reshape(y, [-1]), 0
    else:
        axis = c.axis(c["axis"], x.rank)
    axis_name = g.const(np.int64(axis))
    zero = g.op("Equal", [y, g.const(np.float32(0))])
    magnitude = g.op("Abs", [g.op("Where", [zero, g.const(np.float32(1)), y])])
    product = g.op("Exp", [g.op("CumSum", [g.op("Log", [magnitude]), axis_name])])
    negatives = g.op("CumSum", [g.cast(g.op("Less", [y, g.const(np.float32(0))]), np.int64), axis_name])
    odd = g.op("Equal", [g.op("Mod", [negatives, g.const(np.int64(2))], fmod=0), g.const(np.int64(1))])
    product = g.op("Where", [odd, g.op("Neg", [product]), product])
    zeros_so_far = g.op("CumSum", [g.cast(zero, np.int64), axis_name])
    product = g.op("Where", [g.op("Greater", [zeros_so_far, g.const(np.int64(0))]), g.const(np.float32(0)), product])
    if c.dtype.kind != "f":  # integer products are whole numbers: round away the exp/log error
        product = g.op("Round", [product])
    return tensor(g, Value(product, (), F32), c.dtype)


@op("norm")
def _norm(g, c):
    x = c.value("x")
    order, keepdims = c["ord"], bool(c["keepdims"])
    y = tensor(g, x, F32)
    if c["axis"] is None and order is not None:
        if x.rank != 1:
            raise c.refuse(f"ord={order!r} over every axis of a rank-{x.rank} tensor (a matrix norm) is not translated")
    axes = c.axes(c["axis"], x.rank)
    if order is not None and len(axes) != 1:
        raise c.refuse(f"matrix norms (ord={order!r} over axes {axes}) are not translated")
    if order in (None, 2, 2.0, "fro"):
        return g.op("Sqrt", [g.reduce("ReduceSum", g.op("Mul", [y, y]), axes, keepdims)])
    magnitude = g.op("Abs", [y])
    if order == np.inf:
        return g.reduce("ReduceMax", magnitude, axes, keepdims)
    if order == -np.inf:
        return g.reduce("ReduceMin", magnitude, axes, keepdims)
    if order == 0:
        return g.reduce("ReduceSum", g.cast(g.cast(y, np.bool_), F32), axes, keepdims)
    if isinstance(order, (int, float)) and not isinstance(order, bool):  # (Σ|x|ᵖ)^(1/p)
        total = g.reduce("ReduceSum", g.op("Pow", [magnitude, g.const(np.float32(order))]), axes, keepdims)
        return g.op("Pow", [total, g.const(np.float32(1.0 / order))])
    raise c.refuse(f"ord={order!r} is not translated")


# the other families register themselves on import
from . import onnx_ops_image, onnx_ops_nn, onnx_ops_numpy, onnx_ops_shape  # noqa: E402,F401
