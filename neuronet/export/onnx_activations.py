"""Activation functions as ONNX nodes, by their Keras names (the formulas of ``neuronet.activations``).

Most have an ONNX operator of their own; the rest are composed from elementwise ones (the formula
is beside each). ``threshold`` needs arguments and is not an activation by name; a custom Python
function is refused, naming the layer.
"""

from __future__ import annotations

import math

from .onnx_graph import Graph

__all__ = ["activation_name", "apply_activation", "ELEMENTWISE"]

#: activations that act on each value alone, so they may run in any layout (channels first or last)
ELEMENTWISE = frozenset({
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish", "softplus",
    "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "log_sigmoid", "mish", "exponential", "celu",
    "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid",
})
_AXIS = frozenset({"softmax", "log_softmax", "glu"})


def activation_name(layer, fn) -> str:
    """The Keras name of ``fn`` (an activation of ``layer``), or the refusal naming the layer."""
    from .. import activations
    from .onnx_convert import refuse

    if fn is None:
        return "linear"
    if isinstance(fn, str):
        name = fn.lower()
    else:
        try:
            name = activations.serialize(fn)
        except (ValueError, TypeError, KeyError):
            raise refuse(layer, f"its activation {getattr(fn, '__name__', fn)!r} is a custom function") from None
    if name not in ELEMENTWISE and name not in _AXIS:
        raise refuse(layer, f"the activation {name!r} has no ONNX translation")
    return name


def apply_activation(g: Graph, name: str, x: str, axis: int = -1) -> str:
    """``name(x)`` in the graph (``axis`` for softmax, log_softmax and glu)."""
    one = lambda: g.const(1.0)  # noqa: E731
    if name == "linear":
        return x
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
              "softsign": "Softsign", "exponential": "Exp"}
    if name in simple:
        return g.op(simple[name], [x])
    if name == "relu6":
        return g.op("Clip", [x, g.const(0.0), g.const(6.0)])
    if name == "leaky_relu":  # the activation's default slope
        return g.op("LeakyRelu", [x], alpha=0.2)
    if name == "elu":
        return g.op("Elu", [x], alpha=1.0)
    if name == "celu":
        return g.op("Celu", [x], alpha=1.0)
    if name == "selu":
        return g.op("Selu", [x], alpha=1.6732632423543772, gamma=1.0507009873554805)
    if name == "gelu":  # x · Φ(x) = x · ½ (1 + erf(x / √2))
        if g.opset >= 20:
            return g.op("Gelu", [x])
        erf = g.op("Erf", [g.op("Mul", [x, g.const(1.0 / math.sqrt(2.0))])])
        return g.op("Mul", [g.op("Mul", [x, g.const(0.5)]), g.op("Add", [erf, one()])])
    if name in ("silu", "swish"):  # x · σ(x)
        return g.op("Mul", [x, g.op("Sigmoid", [x])])
    if name == "hard_sigmoid":  # relu6(x + 3) / 6 = clip(x/6 + ½, 0, 1)
        return g.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)
    if name in ("hard_silu", "hard_swish"):  # x · hard_sigmoid(x)
        if g.opset >= 14:
            return g.op("HardSwish", [x])
        return g.op("Mul", [x, g.op("HardSigmoid", [x], alpha=1.0 / 6.0, beta=0.5)])
    if name == "log_sigmoid":  # log σ(x) = -softplus(-x)
        return g.op("Neg", [g.op("Softplus", [g.op("Neg", [x])])])
    if name == "mish":  # x · tanh(softplus(x))
        if g.opset >= 18:
            return g.op("Mish", [x])
        return g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])])
    if name == "hard_tanh":
        return g.op("Clip", [x, g.const(-1.0), g.const(1.0)])
    if name == "hard_shrink":  # x where |x| > 0.5, else 0
        return g.op("Shrink", [x], lambd=0.5, bias=0.0)
    if name == "soft_shrink":  # x ∓ 0.5 beyond ±0.5, else 0
        return g.op("Shrink", [x], lambd=0.5, bias=0.5)
    if name == "tanh_shrink":
        return g.op("Sub", [x, g.op("Tanh", [x])])
    if name == "squareplus":  # (x + √(x² + 4)) / 2
        root = g.op("Sqrt", [g.op("Add", [g.op("Mul", [x, x]), g.const(4.0)])])
        return g.op("Mul", [g.op("Add", [x, root]), g.const(0.5)])
    if name == "sparse_plus":  # (clip(x, -1, 1) + 1)² / 4 + relu(x - 1)
        middle = g.op("Add", [g.op("Clip", [x, g.const(-1.0), one()]), one()])
        square = g.op("Mul", [g.op("Mul", [middle, middle]), g.const(0.25)])
        return g.op("Add", [square, g.op("Relu", [g.op("Sub", [x, one()])])])
    if name == "sparse_sigmoid":  # (clip(x, -1, 1) + 1) / 2
        return g.op("Mul", [g.op("Add", [g.op("Clip", [x, g.const(-1.0), one()]), one()]), g.const(0.5)])
    if name == "softmax":
        return g.op("Softmax", [x], axis=axis)
    if name == "log_softmax":
        return g.op("LogSoftmax", [x], axis=axis)
    if name == "glu":  # a · σ(b) for the two halves of the axis
        a, b = g.split(x, axis, 2)
        return g.op("Mul", [a, g.op("Sigmoid", [b])])
    raise AssertionError(name)  # activation_name admits only the names above
