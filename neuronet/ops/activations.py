"""Activation functions: each forward beside its derivative, numerically stable for large inputs.

None of these ever exponentiates a large positive number: sigmoid goes through ``tanh``, softplus
through ``log1p(exp(-|x|))``, elu through ``expm1`` of the non-positive part, and softmax /
log_softmax subtract the maximum first. Inputs of ±1000 give finite values and gradients in float32
and float64 (the only floating-point event left is a harmless underflow of ``exp`` to 0, which NumPy
ignores by default).

Gradients at kinks follow PyTorch: relu and relu6 have gradient 0 at their corners, leaky_relu has
``negative_slope`` at 0 and elu has ``alpha`` at 0.

Constants are Python floats, so a float32 input gives a float32 output (NumPy 2 promotes float32
arrays to float64 when combined with a NumPy float64 scalar).

:data:`FUSED_ACTIVATIONS` is the table of the activations that fused kernels (the recurrent ops)
apply in place on buffers they own, each with its derivative written from the output, so a kernel
keeps only ``y = act(x)`` for its backward. The Functions below use the same entries where
their derivative is the one written from the output (relu, sigmoid, tanh, hard_sigmoid).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.tensor import _as_array

__all__ = [
    "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish", "softplus",
    "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "softmax", "log_softmax", "log_sigmoid", "erf",
]

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# ----------------------------------------------------------------------------- the table for fused kernels
# Each entry is a pair of NumPy functions that work like ufuncs: they write into ``out`` when given
# (``out=a`` computes in place) and return a new array otherwise.
#   forward(x, out=None)        act(x)                                       in place: a ← act(a)
#   backward(g, y, out=None)    g·act'(x), with act' written from y = act(x)  in place: g ← g·act'(x)
# Inputs and outputs keep their float dtype (constants are Python floats).

def _new_like(x) -> np.ndarray:
    """An uninitialized array for the result of an activation of ``x`` (integers give float64)."""
    return np.empty(np.shape(x), np.result_type(x, 0.5))


def _identity(x, out=None):
    if out is None:
        return np.array(x, dtype=np.result_type(x, 0.5))
    if out is not x:
        np.copyto(out, x)
    return out


def _identity_grad(g, y, out=None):
    # linear' = 1
    return _identity(g, out)


def _relu(x, out=None):
    # max(x, 0)
    return np.maximum(x, 0, out=out)


def _relu_grad(g, y, out=None):
    # relu' = [y > 0]   (0 at x = 0, as in PyTorch)
    return np.multiply(g, y > 0.0, out=out)


def _sigmoid(x, out=None):
    # σ(x) = 1 / (1 + e⁻ˣ) = ½·tanh(x/2) + ½: exact, never overflows, and tanh is the cheaper
    # transcendental here (see BENCHMARKS.md)
    out = np.multiply(x, 0.5, out=_new_like(x) if out is None else out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_grad(g, y, out=None):
    # σ' = y·(1 - y)
    d = np.subtract(1.0, y, out=_new_like(y))
    d *= y
    return np.multiply(g, d, out=d if out is None else out)


def _tanh(x, out=None):
    return np.tanh(x, out=out)


def _tanh_grad(g, y, out=None):
    # tanh' = 1 - y²
    d = np.multiply(y, y, out=_new_like(y))
    np.subtract(1.0, d, out=d)
    return np.multiply(g, d, out=d if out is None else out)


def _hard_sigmoid(x, out=None):
    # Keras 3: relu6(x + 3) / 6 = clip(x/6 + ½, 0, 1)
    out = np.multiply(x, 1.0 / 6.0, out=_new_like(x) if out is None else out)
    out += 0.5
    return np.clip(out, 0.0, 1.0, out=out)


def _hard_sigmoid_grad(g, y, out=None):
    # 1/6 on the slope (0 < y < 1), 0 where clipped (also at the corners x = ±3, as in PyTorch)
    out = np.multiply(g, (y > 0.0) & (y < 1.0), out=_new_like(g) if out is None else out)
    out *= 1.0 / 6.0
    return out


def _softsign(x, out=None):
    # x / (1 + |x|)
    d = np.abs(x)
    d += 1.0
    return np.divide(x, d, out=out)


def _softsign_grad(g, y, out=None):
    # softsign'(x) = 1 / (1 + |x|)² = (1 - |y|)²
    d = np.abs(y, out=_new_like(y))
    np.subtract(1.0, d, out=d)
    d *= d
    return np.multiply(g, d, out=out)


def _elu(x, out=None):
    # x if x > 0 else eˣ - 1, computed as max(x, 0) + expm1(min(x, 0)) (each term 0 where the other applies)
    e = np.expm1(np.minimum(x, 0.0))
    out = np.maximum(x, 0.0, out=out)
    out += e
    return out


def _elu_grad(g, y, out=None):
    # 1 for x > 0, eˣ = y + 1 otherwise: min(y, 0) + 1
    d = np.minimum(y, 0.0)
    d += 1.0
    return np.multiply(g, d, out=out)


class FusedActivation(NamedTuple):
    """One activation of :data:`FUSED_ACTIVATIONS`: ``forward(x, out=None)`` and ``backward(g, y, out=None)``."""

    forward: Callable
    backward: Callable


#: name → :class:`FusedActivation`: the activations (Keras names) a fused kernel can apply in place on
#: its own buffers, with derivatives written from the output. The Softsign and ELU Functions below keep
#: their derivatives written from x: those stay exact where ``1 - |y|`` or ``y + 1`` round to 0.
FUSED_ACTIVATIONS = {
    "linear": FusedActivation(_identity, _identity_grad),
    "relu": FusedActivation(_relu, _relu_grad),
    "sigmoid": FusedActivation(_sigmoid, _sigmoid_grad),
    "tanh": FusedActivation(_tanh, _tanh_grad),
    "hard_sigmoid": FusedActivation(_hard_sigmoid, _hard_sigmoid_grad),
    "softsign": FusedActivation(_softsign, _softsign_grad),
    "elu": FusedActivation(_elu, _elu_grad),
}


def fused_activation(name: str, where: str, supported=tuple(FUSED_ACTIVATIONS)) -> FusedActivation:
    """The entry of :data:`FUSED_ACTIVATIONS` for ``name``, or a ValueError naming ``where`` and the
    names ``supported`` there (all of the table by default)."""
    if name not in supported:
        raise ValueError(f"{where}: activation {name!r} is not supported; expected one of {tuple(supported)}")
    return FUSED_ACTIVATIONS[name]


# ----------------------------------------------------------------------------- rectifiers
class ReLU(Function):
    # y = max(x, 0)          dx = gy · [y > 0]   (0 at x = 0, as in PyTorch)
    def forward(self, x):
        self.y = y = _relu(x)
        return y

    def backward(self, gy):
        return _relu_grad(gy, self.y)


class ReLU6(Function):
    # y = min(max(x, 0), 6)  dx = gy · [0 < x < 6]
    def forward(self, x):
        self.x = x
        return np.clip(x, 0, 6)

    def backward(self, gy):
        x = self.x
        return gy * ((x > 0) & (x < 6))


class LeakyReLU(Function):
    # y = x if x > 0 else s·x     dx = gy if x > 0 else s·gy   (s at x = 0, as in PyTorch)
    # Masks are applied by multiplication: np.where is several times slower on unpredictable masks.
    def forward(self, x, negative_slope):
        self.positive = x > 0
        self.slope = negative_slope
        scaled = x * negative_slope
        # for s ≤ 1 the leaky line is the larger of x and s·x, for s > 1 the smaller
        return np.maximum(x, scaled) if negative_slope <= 1 else np.minimum(x, scaled)

    def backward(self, gy):
        gx = gy * self.positive
        gx += (gy * ~self.positive) * self.slope
        return gx


class ELU(Function):
    # y = x if x > 0 else α(eˣ - 1)    dx = gy if x > 0 else gy·α·eˣ   (α at x = 0, as in PyTorch)
    # scale multiplies both branches (1 for elu, λ for selu). Computed without branches:
    # y = max(x, 0) + α·expm1(min(x, 0)), each term 0 where the other branch applies.
    def forward(self, x, alpha, scale):
        self.positive = x > 0
        self.em1 = em1 = np.expm1(np.minimum(x, 0))
        self.alpha, self.scale = alpha, scale
        y = np.maximum(x, 0)
        y += em1 * alpha
        if scale != 1.0:
            y *= scale
        return y

    def backward(self, gy):
        slope_left = (self.em1 + 1) * (self.alpha * self.scale)  # α·scale·eˣ (em1 + 1 = eˣ for x ≤ 0)
        slope_left *= ~self.positive
        gx = gy * self.positive
        if self.scale != 1.0:
            gx *= self.scale
        gx += gy * slope_left
        return gx


# ----------------------------------------------------------------------------- sigmoids
class Sigmoid(Function):
    # y = 1 / (1 + e⁻ˣ)      dx = gy · y · (1 - y)
    def forward(self, x):
        self.y = y = _sigmoid(x)
        return y

    def backward(self, gy):
        return _sigmoid_grad(gy, self.y)


class Tanh(Function):
    # y = tanh x             dx = gy · (1 - y²)
    def forward(self, x):
        self.y = y = _tanh(x)
        return y

    def backward(self, gy):
        return _tanh_grad(gy, self.y)


class SiLU(Function):
    # y = x·σ(x)             dx = gy · σ(x)·(1 + x·(1 - σ(x)))
    def forward(self, x):
        self.x = x
        self.s = s = _sigmoid(x)
        return x * s

    def backward(self, gy):
        s = self.s
        return gy * s * (1 + self.x * (1 - s))


class LogSigmoid(Function):
    # y = log σ(x) = -softplus(-x) = min(x, 0) - log(1 + e^-|x|)      dx = gy · (1 - σ(x))
    def forward(self, x):
        self.x = x
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy):
        return gy * _sigmoid(-self.x)


class Softplus(Function):
    # y = log(1 + eˣ) = max(x, 0) + log(1 + e^-|x|)      dx = gy · σ(x)
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy):
        return gy * _sigmoid(self.x)


class Softsign(Function):
    # y = x / (1 + |x|)      dx = gy / (1 + |x|)²
    def forward(self, x):
        self.d = d = 1 + np.abs(x)
        return x / d

    def backward(self, gy):
        d = self.d
        return gy / (d * d)


class HardSigmoid(Function):
    # y = relu6(x + 3) / 6 = clip(x/6 + 1/2, 0, 1)      dx = gy/6 where -3 < x < 3 (0 < y < 1), else 0
    def forward(self, x):
        self.y = y = _hard_sigmoid(x)
        return y

    def backward(self, gy):
        return _hard_sigmoid_grad(gy, self.y)


class HardSiLU(Function):
    # y = x · relu6(x + 3) / 6     dx = gy · (0 if x ≤ -3; 1 if x ≥ 3; x/3 + 1/2 between)
    # (at the corners: 0 at -3 and 1 at 3, as torch.nn.functional.hardswish)
    def forward(self, x):
        self.x = x
        return x * np.clip(x * (1 / 6) + 0.5, 0, 1)

    def backward(self, gy):
        x = self.x
        middle = (x > -3) & (x < 3)
        slope = (x * (1 / 3) + 0.5) * middle
        slope += x >= 3
        return gy * slope


# ----------------------------------------------------------------------------- gelu
# erf by the Chebyshev expansion of erfc from Numerical Recipes (3rd ed., §6.2.2): relative accuracy
# ~1e-16 for erfc, so |error| of erf < 1e-15 everywhere. NumPy has no erf and SciPy is not a dependency.
_ERFC_COEFS = (
    -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
    -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
    -1.624290004647e-6, 1.303655835580e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
    5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12,
    8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16,
    -2.8e-17,
)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, elementwise, in x's float dtype.

    float64 uses all 28 coefficients (error < 1e-15); float32 and float16 are computed in float32
    with the first 12, which is already below float32's resolution (error < 3e-7) and twice as fast.
    """
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype("float64")
    work, n_coefs = (np.float64, 28) if dtype.itemsize > 4 else (np.float32, 12)
    z = np.abs(x).astype(work)
    t = 2.0 / (2.0 + z)
    ty = 4.0 * t - 2.0
    d = np.zeros_like(z)
    dd = np.zeros_like(z)
    for c in _ERFC_COEFS[n_coefs - 1:0:-1]:  # Clenshaw recurrence
        d, dd = ty * d - dd + c, d
    with np.errstate(under="ignore"):
        erfc = t * np.exp(-z * z + 0.5 * (_ERFC_COEFS[0] + ty * d) - dd)
    return np.copysign(1.0 - erfc, x).astype(dtype, copy=False)


class GELUExact(Function):
    # y = x·Φ(x), Φ(x) = (1 + erf(x/√2)) / 2      dx = gy · (Φ(x) + x·φ(x)),  φ(x) = e^(-x²/2)/√(2π)
    def forward(self, x):
        self.x = x
        self.cdf = cdf = 0.5 * (1 + _erf(x * _INV_SQRT_2))
        return x * cdf

    def backward(self, gy):
        x = self.x
        with np.errstate(under="ignore"):
            pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return gy * (self.cdf + x * pdf)


class GELUTanh(Function):
    # y = x/2 · (1 + tanh(u)),  u = √(2/π)(x + 0.044715x³)
    # dx = gy · (½(1 + t) + ½x(1 - t²)·√(2/π)(1 + 3·0.044715x²)),  t = tanh(u)
    # (written with in-place steps: a few temporaries instead of a dozen)
    def forward(self, x):
        self.x = x
        u = x * x  # u = √(2/π)·(x + 0.044715x³) = x·(√(2/π) + 0.044715·√(2/π)·x²)
        u *= 0.044715 * _SQRT_2_OVER_PI
        u += _SQRT_2_OVER_PI
        u *= x
        self.t = t = np.tanh(u)
        y = t + 1
        y *= x
        y *= 0.5
        return y

    def backward(self, gy):
        x, t = self.x, self.t
        gx = x * x  # ½x·(1 - t²)·du/dx, du/dx = √(2/π)(1 + 3·0.044715x²)
        gx *= 0.134145 * _SQRT_2_OVER_PI
        gx += _SQRT_2_OVER_PI
        gx *= x
        gx *= 0.5
        gx *= 1 - t * t
        half_1_plus_t = t + 1  # + ½(1 + t)
        half_1_plus_t *= 0.5
        gx += half_1_plus_t
        gx *= gy
        return gx


class Erf(Function):
    # y = erf(x)             dx = gy · 2/√π · e^(-x²)
    def forward(self, x):
        self.x = x
        return _erf(x)

    def backward(self, gy):
        x = self.x
        with np.errstate(under="ignore"):
            return gy * (np.exp(-x * x) * (2 / math.sqrt(math.pi)))


# ----------------------------------------------------------------------------- softmax
class Softmax(Function):
    # y = e^(x - max x) / Σ e^(x - max x)      dx = y · (gy - Σ gy·y)   (sums over axis)
    def forward(self, x, axis):
        e = x - x.max(axis=axis, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=axis, keepdims=True)
        self.y, self.axis = e, axis
        return e

    def backward(self, gy):
        y = self.y
        gx = gy * y
        gx -= y * gx.sum(axis=self.axis, keepdims=True)
        return gx


class LogSoftmax(Function):
    # y = x - max x - log Σ e^(x - max x)      dx = gy - softmax(x) · Σ gy   (sums over axis)
    def forward(self, x, axis):
        y = x - x.max(axis=axis, keepdims=True)
        y -= np.log(np.exp(y).sum(axis=axis, keepdims=True))
        self.y, self.axis = y, axis
        return y

    def backward(self, gy):
        gx = np.exp(self.y)  # softmax(x)
        gx *= gy.sum(axis=self.axis, keepdims=True)
        np.subtract(gy, gx, out=gx)
        return gx


# ----------------------------------------------------------------------------- public functions
def _array(x):
    """Tensors and ndarrays as they are; lists and numbers as an ndarray (floats in ``config.floatx()``)."""
    return x if isinstance(x, (Tensor, np.ndarray)) else _as_array(x)


def _check_axis(name: str, x, axis: int) -> None:
    ndim = np.ndim(x.data if isinstance(x, Tensor) else x)
    if not isinstance(axis, (int, np.integer)) or not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{name}: axis must be an integer in [-{max(ndim, 1)}, {max(ndim, 1)}) for an input of "
                         f"rank {ndim}, received axis={axis!r}")


def relu(x) -> Tensor:
    """Rectified linear unit, elementwise: ``max(x, 0)``.

    The gradient at exactly 0 is 0 (as in PyTorch). For the Keras ``negative_slope``, ``max_value``
    and ``threshold`` options use :func:`neuronet.activations.relu`.

    Example::

        >>> ops.relu([-1.0, 0.0, 2.0])
        Tensor([0., 0., 2.], dtype=float32)
    """
    return ReLU.apply(x)


def relu6(x) -> Tensor:
    """ReLU capped at 6, elementwise: ``min(max(x, 0), 6)``; gradient 0 at both corners."""
    return ReLU6.apply(x)


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """Leaky ReLU, elementwise: ``x`` if ``x > 0`` else ``negative_slope * x``.

    Args:
        x: input Tensor or array.
        negative_slope: slope for negative inputs. Defaults to 0.2 (Keras).
    """
    return LeakyReLU.apply(x, negative_slope=float(negative_slope))


def elu(x, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Args:
        x: input Tensor or array.
        alpha: value approached for large negative inputs is ``-alpha``. Defaults to 1.0.
    """
    return ELU.apply(x, alpha=float(alpha), scale=1.0)


def selu(x) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)`` with alpha ≈ 1.6733 and scale ≈ 1.0507 (self-normalizing)."""
    return ELU.apply(x, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def gelu(x, approximate: bool = True) -> Tensor:
    """Gaussian error linear unit: ``x * Φ(x)`` where Φ is the standard normal CDF.

    Args:
        x: input Tensor or array.
        approximate: use the tanh approximation
            ``0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))``. Defaults to True (as ``keras.ops.gelu``;
            ``keras.activations.gelu`` defaults to False).
    """
    return GELUTanh.apply(x) if approximate else GELUExact.apply(x)


def sigmoid(x) -> Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed as ``(1 + tanh(x/2)) / 2`` (stable for any x).

    The output keeps its input as ``output._keras_logits`` (as tf.keras does): the binary
    cross-entropy, given these probabilities with ``from_logits=False``, computes from the logits
    instead, exactly and with the short gradient ``σ(x) - z`` even where ``σ(x)`` rounds to 0 or 1.

    Example::

        >>> p = ops.sigmoid([-50.0, 0.0, 50.0])
        >>> p.data, p._keras_logits
        (array([0. , 0.5, 1. ], dtype=float32), array([-50.,   0.,  50.], dtype=float32))
    """
    x = _array(x)
    out = Sigmoid.apply(x)
    out._keras_logits = x  # elementwise logits: no _keras_logits_axis
    return out


def tanh(x) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return Tanh.apply(x)


def silu(x) -> Tensor:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``."""
    return SiLU.apply(x)


swish = silu


def log_sigmoid(x) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for any x."""
    return LogSigmoid.apply(x)


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``, computed as ``max(x, 0) + log1p(exp(-|x|))`` (stable for any x)."""
    return Softplus.apply(x)


def softsign(x) -> Tensor:
    """``x / (1 + |x|)``."""
    return Softsign.apply(x)


def hard_sigmoid(x) -> Tensor:
    """Piecewise-linear sigmoid (Keras 3): ``relu6(x + 3) / 6``, i.e. 0 below -3, 1 above 3."""
    return HardSigmoid.apply(x)


def hard_silu(x) -> Tensor:
    """Hard SiLU / hard swish: ``x * relu6(x + 3) / 6``."""
    return HardSiLU.apply(x)


hard_swish = hard_silu


def erf(x) -> Tensor:
    """The error function ``erf(x) = 2/√π ∫₀ˣ exp(-t²) dt``, elementwise (accurate to ~1e-15)."""
    return Erf.apply(x)


def softmax(x, axis: int = -1) -> Tensor:
    """Softmax over ``axis``: ``exp(x) / sum(exp(x), axis)``, computed after subtracting the maximum.

    Args:
        x: input Tensor or array.
        axis: the axis whose entries sum to 1. Defaults to -1.

    Shape: output has the shape of ``x``.

    The output keeps its input as ``output._keras_logits`` and the axis (counted from 0) as
    ``output._keras_logits_axis`` (tf.keras keeps the logits too): the categorical and sparse
    categorical cross-entropies over the same axis, given these probabilities with
    ``from_logits=False``, compute from the logits instead, exactly for any input.
    """
    x = _array(x)
    _check_axis("softmax", x, axis)
    out = Softmax.apply(x, axis=int(axis))
    out._keras_logits = x
    out._keras_logits_axis = int(axis) % max(out.ndim, 1)
    return out


def log_softmax(x, axis: int = -1) -> Tensor:
    """Log of the softmax over ``axis``: ``x - logsumexp(x, axis)``, stable for any x.

    Args:
        x: input Tensor or array.
        axis: the normalized axis. Defaults to -1.
    """
    x = _array(x)
    _check_axis("log_softmax", x, axis)
    return LogSoftmax.apply(x, axis=int(axis))
