"""Activation functions by Keras name: ``Dense(64, activation="relu")`` looks its name up here.

Each function takes a Tensor or an array and returns a Tensor; the differentiable work is done by
the ops in :mod:`neuronet.ops.activations`. :func:`get` resolves a name, None or a callable::

    >>> from neuronet import activations
    >>> activations.get("relu") is activations.relu
    True
    >>> activations.get(None) is activations.linear
    True
    >>> activations.serialize(activations.gelu)
    'gelu'
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import ops
from .autograd import Tensor
from .utils.naming import closest_match

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish", "softplus",
    "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "softmax", "log_softmax", "log_sigmoid", "mish",
    "exponential", "linear", "celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus",
    "sparse_plus", "sparse_sigmoid", "threshold", "sparsemax", "get", "serialize", "deserialize",
]


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def relu(x, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Tensor:
    """Rectified linear unit, with the Keras options.

    With the defaults it is ``max(x, 0)``. Otherwise::

        f(x) = max_value                          if x >= max_value
        f(x) = x                                  if threshold < x < max_value
        f(x) = negative_slope * (x - threshold)   otherwise

    Args:
        x: input Tensor or array.
        negative_slope: slope below the threshold. Defaults to 0.0.
        max_value: saturation value (None: no upper bound). Defaults to None.
        threshold: below this value the output is ``negative_slope * (x - threshold)``. Defaults to 0.0.
    """
    if negative_slope == 0 and max_value is None and threshold == 0:  # the common case first: one fused op
        return ops.relu(x)
    if negative_slope < 0:
        raise ValueError(f"relu: negative_slope must be >= 0, received {negative_slope!r}")
    if max_value is not None and max_value < 0:
        raise ValueError(f"relu: max_value must be >= 0 or None, received {max_value!r}")
    if threshold == 0 and max_value is None:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    if negative_slope == 0 and threshold == 0 and max_value == 6:
        return ops.relu6(x)
    x = _tensor(x)
    # composed from primitives so the gradient follows from theirs (as Keras does)
    y = x * (x.data > threshold)
    if max_value is not None:
        y = ops.clip(y, 0.0, float(max_value))
    if negative_slope != 0:
        y = y - float(negative_slope) * ops.relu(float(threshold) - x)
    return y


def relu6(x) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return ops.relu6(x)


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """``x`` if ``x > 0`` else ``negative_slope * x``. ``negative_slope`` defaults to 0.2."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def elu(x, alpha: float = 1.0) -> Tensor:
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``. ``alpha`` defaults to 1.0."""
    return ops.elu(x, alpha=alpha)


def selu(x) -> Tensor:
    """Scaled ELU, ``1.0507 * elu(x, 1.6733)``; use with ``lecun_normal`` initialization."""
    return ops.selu(x)


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit ``x * Φ(x)``.

    Args:
        x: input Tensor or array.
        approximate: use the tanh approximation. Defaults to False (exact, as Keras activations).
    """
    return ops.gelu(x, approximate=approximate)


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``, stable for any x."""
    return ops.sigmoid(x)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return ops.tanh(x)


def silu(x) -> Tensor:
    """Swish / SiLU: ``x * sigmoid(x)``."""
    return ops.silu(x)


def swish(x) -> Tensor:
    """Swish / SiLU: ``x * sigmoid(x)`` (same as :func:`silu`)."""
    return ops.silu(x)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``, stable for any x."""
    return ops.softplus(x)


def softsign(x) -> Tensor:
    """``x / (1 + |x|)``."""
    return ops.softsign(x)


def hard_sigmoid(x) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear in between (Keras 3 definition)."""
    return ops.hard_sigmoid(x)


def hard_silu(x) -> Tensor:
    """``x * hard_sigmoid(x)``."""
    return ops.hard_silu(x)


def hard_swish(x) -> Tensor:
    """``x * hard_sigmoid(x)`` (same as :func:`hard_silu`)."""
    return ops.hard_silu(x)


def softmax(x, axis: int = -1) -> Tensor:
    """Softmax over ``axis`` (defaults to -1): entries along it are positive and sum to 1."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """Log of the softmax over ``axis`` (defaults to -1), stable for any x."""
    return ops.log_softmax(x, axis=axis)


def log_sigmoid(x) -> Tensor:
    """``log(sigmoid(x))``, stable for any x."""
    return ops.log_sigmoid(x)


def mish(x) -> Tensor:
    """``x * tanh(softplus(x))``."""
    x = _tensor(x)
    return x * ops.tanh(ops.softplus(x))


def exponential(x) -> Tensor:
    """``exp(x)``."""
    return ops.exp(x)


def linear(x) -> Tensor:
    """The identity: returns ``x`` (as a Tensor) unchanged."""
    return _tensor(x)


def celu(x, alpha: float = 1.0) -> Tensor:
    """Continuously differentiable ELU: ``x`` if ``x > 0`` else ``alpha * (exp(x / alpha) - 1)``.
    ``alpha`` defaults to 1.0 (then it equals elu)."""
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero, received 0")
    return ops.elu(_tensor(x) * (1.0 / alpha)) * float(alpha)


def glu(x, axis: int = -1) -> Tensor:
    """Gated linear unit: splits ``x`` in two halves ``a, b`` along ``axis`` (defaults to -1) and returns
    ``a * sigmoid(b)``; the axis length must be even and the output has half of it."""
    x = _tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis {axis} must have an even length, received shape {x.shape}")
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)


def hard_tanh(x) -> Tensor:
    """``clip(x, -1, 1)``."""
    return ops.clip(x, -1.0, 1.0)


def hard_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold`` (defaults to 0.5), else 0."""
    x = _tensor(x)
    return x * (np.abs(x.data) > threshold)


def soft_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0
    (``threshold`` defaults to 0.5)."""
    x = _tensor(x)
    return ops.relu(x - float(threshold)) - ops.relu(-x - float(threshold))


def tanh_shrink(x) -> Tensor:
    """``x - tanh(x)``."""
    x = _tensor(x)
    return x - ops.tanh(x)


def squareplus(x, b: float = 4.0) -> Tensor:
    """Smooth ReLU ``(x + sqrt(x² + b)) / 2``; ``b`` (≥ 0, defaults to 4) sets the smoothness."""
    if b < 0:
        raise ValueError(f"squareplus: b must be >= 0, received {b!r}")
    x = _tensor(x)
    return (x + ops.sqrt(x * x + float(b))) * 0.5


def sparse_plus(x) -> Tensor:
    """0 for ``x ≤ -1``, ``(x + 1)² / 4`` for ``-1 < x < 1``, ``x`` for ``x ≥ 1``."""
    x = _tensor(x)
    middle = ops.clip(x, -1.0, 1.0) + 1.0
    return middle * middle * 0.25 + ops.relu(x - 1.0)


def sparse_sigmoid(x) -> Tensor:
    """0 for ``x ≤ -1``, ``(x + 1) / 2`` for ``-1 < x < 1``, 1 for ``x ≥ 1``."""
    return (ops.clip(x, -1.0, 1.0) + 1.0) * 0.5


def threshold(x, threshold: float, default_value: float) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _tensor(x)
    return ops.where(x.data > threshold, x, float(default_value))


def sparsemax(x, axis: int = -1) -> Tensor:
    """Sparsemax (Martins & Astudillo 2016): the Euclidean projection of ``x`` onto the probability simplex
    along ``axis``. Like softmax its outputs are >= 0 and sum to 1, but small entries become exactly 0."""
    return ops.sparsemax(x, axis=axis)


_ACTIVATIONS: dict[str, Callable] = {
    fn.__name__: fn
    for fn in (relu, relu6, leaky_relu, elu, selu, gelu, sigmoid, tanh, silu, swish, softplus, softsign,
               hard_sigmoid, hard_silu, hard_swish, softmax, log_softmax, log_sigmoid, mish, exponential, linear,
               celu, glu, hard_tanh, hard_shrink, soft_shrink, tanh_shrink, squareplus, sparse_plus, sparse_sigmoid,
               threshold, sparsemax)
}
_BY_FUNCTION = {fn: name for name, fn in _ACTIVATIONS.items()}


def get(identifier) -> Callable:
    """The activation function for ``identifier``.

    Args:
        identifier: a Keras name (``"relu"``, ``"softmax"``, ...), None (gives :func:`linear`), a
            ``{"class_name": ..., "config": ...}`` dict from Keras serialization, or a callable
            (returned as is).

    Returns:
        The module-level function (the same object on every call).

    Raises:
        ValueError: for an unknown name, listing the valid names and the closest one.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        identifier = deserialize(identifier)
    if isinstance(identifier, str):
        fn = _ACTIVATIONS.get(identifier) or _ACTIVATIONS.get(identifier.lower())
        if fn is None:
            raise ValueError(f"Unknown activation {identifier!r}{closest_match(identifier, _ACTIVATIONS)}; "
                             f"valid names are: {', '.join(sorted(_ACTIVATIONS))}")
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation identifier: expected a name, None or a callable, "
                    f"received {identifier!r} of type {type(identifier).__name__}")


def serialize(activation) -> str:
    """The Keras name of an activation function (e.g. ``'relu'``).

    Raises:
        ValueError: for a function that is not one of this module's activations.
    """
    if activation is None:
        return "linear"
    name = _BY_FUNCTION.get(activation)
    if name is None:
        raise ValueError(f"serialize: {activation!r} is not a built-in activation; valid names are: "
                         f"{', '.join(sorted(_ACTIVATIONS))}")
    return name


def deserialize(config) -> Callable:
    """The activation function named by ``config``: a name, or a Keras ``{"config": name, ...}`` dict."""
    if isinstance(config, dict):
        name = config.get("config", config.get("class_name"))
        if isinstance(name, dict):
            name = name.get("name")
        config = name
    if not isinstance(config, str):
        raise ValueError(f"deserialize: expected an activation name, received {config!r}")
    return get(config)
