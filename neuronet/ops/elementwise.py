"""The rest of NumPy's elementwise math under Keras's names, each with its derivative beside it.

Unary ops are written as one line each — the forward and ``dy/dx`` — through :func:`_unary`; binary ops
through :func:`_binary` with both partial derivatives. Integer and boolean inputs are computed in
``config.floatx()`` (as Keras). Predicates (``isinf``, ``isclose``, ``signbit``, ...) and rounding
(``trunc``) return constant Tensors: they have no gradient.

Example::

    >>> x = Tensor([0.5], requires_grad=True)
    >>> y = ops.arcsin(x); y.backward()
    >>> x.grad                                   # 1 / √(1 - x²)
    array([1.1547005], dtype=float32)
"""

from __future__ import annotations

import math

import numpy as np

from .. import config
from ..autograd import Function, Tensor
from .activations import _erf

__all__ = [
    "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "cosh", "sinh", "tan", "cbrt", "deg2rad",
    "rad2deg", "exp2", "log2", "log10", "fabs", "sinc", "erfc", "erfinv", "i0", "copy", "real", "imag", "conj",
    "conjugate", "angle", "nan_to_num", "arctan2", "hypot", "logaddexp", "logaddexp2", "fmod", "mod", "fmax", "fmin",
    "ldexp", "divide_no_nan", "trunc", "signbit", "isinf", "isneginf", "isposinf", "isreal", "isclose", "allclose",
    "logical_xor", "heaviside", "nextafter",
]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _floats(x):
    """``x`` with integer/boolean data cast to ``floatx`` (a Tensor of floats is returned as is)."""
    data = _raw(x)
    kind = np.asarray(data).dtype.kind if not isinstance(data, (int, float)) else "f"
    if kind in "biu":
        return np.asarray(data, dtype=config.floatx())
    return x


def _op_class(name: str, forward, backward) -> type:
    cls = type("".join(part.capitalize() for part in name.split("_")), (Function,),
               {"forward": forward, "backward": backward, "__module__": __name__})
    return cls


def _unary(name: str, fn, derivative, doc: str):
    """The op ``y = fn(x)`` whose backward is ``dx = gy · derivative(x, y)``."""
    def forward(self, x):
        self.x, self.y = x, fn(x)
        return self.y

    def backward(self, gy):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return gy * derivative(self.x, self.y)

    cls = _op_class(name, forward, backward)

    def op(x) -> Tensor:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return cls.apply(_floats(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _binary(name: str, fn, d1, d2, doc: str):
    """The op ``y = fn(a, b)`` (broadcasting) with ``da = gy · d1(a, b, y)`` and ``db = gy · d2(a, b, y)``."""
    def forward(self, a, b):
        self.a, self.b, self.y = a, b, fn(a, b)
        return self.y

    def backward(self, gy):
        a, b, y = self.a, self.b, self.y
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ga = gy * d1(a, b, y) if self.needs_input_grad[0] else None
            gb = gy * d2(a, b, y) if self.needs_input_grad[1] else None
        return ga, gb

    cls = _op_class(name, forward, backward)

    def op(x1, x2) -> Tensor:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return cls.apply(_floats(x1), _floats(x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _constant(fn, name: str, doc: str):
    def op(*xs, **kwargs) -> Tensor:
        return Tensor._wrap(np.asarray(fn(*[_raw(x) for x in xs], **kwargs)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " (no gradient; returns a constant Tensor)."
    return op


# ----------------------------------------------------------------------------- trigonometric, hyperbolic
arccos = _unary("arccos", np.arccos, lambda x, y: -1 / np.sqrt(1 - x * x),  # d/dx acos x = -1/√(1-x²)
                "Elementwise inverse cosine, in radians, for x in [-1, 1].")
arcsin = _unary("arcsin", np.arcsin, lambda x, y: 1 / np.sqrt(1 - x * x),  # d/dx asin x = 1/√(1-x²)
                "Elementwise inverse sine, in radians, for x in [-1, 1].")
arctan = _unary("arctan", np.arctan, lambda x, y: 1 / (1 + x * x),  # d/dx atan x = 1/(1+x²)
                "Elementwise inverse tangent, in radians.")
arccosh = _unary("arccosh", np.arccosh, lambda x, y: 1 / np.sqrt(x * x - 1),  # d/dx acosh x = 1/√(x²-1)
                 "Elementwise inverse hyperbolic cosine, for x ≥ 1.")
arcsinh = _unary("arcsinh", np.arcsinh, lambda x, y: 1 / np.sqrt(x * x + 1),  # d/dx asinh x = 1/√(x²+1)
                 "Elementwise inverse hyperbolic sine.")
arctanh = _unary("arctanh", np.arctanh, lambda x, y: 1 / (1 - x * x),  # d/dx atanh x = 1/(1-x²)
                 "Elementwise inverse hyperbolic tangent, for x in (-1, 1).")
cosh = _unary("cosh", np.cosh, lambda x, y: np.sinh(x),  # d/dx cosh x = sinh x
              "Elementwise hyperbolic cosine.")
sinh = _unary("sinh", np.sinh, lambda x, y: np.cosh(x),  # d/dx sinh x = cosh x
              "Elementwise hyperbolic sine.")
tan = _unary("tan", np.tan, lambda x, y: 1 + y * y,  # d/dx tan x = 1 + tan² x
             "Elementwise tangent (radians).")
deg2rad = _unary("deg2rad", np.deg2rad, lambda x, y: math.pi / 180,  # y = x·π/180
                 "Degrees to radians.")
rad2deg = _unary("rad2deg", np.rad2deg, lambda x, y: 180 / math.pi,  # y = x·180/π
                 "Radians to degrees.")
sinc = _unary("sinc", np.sinc,  # y = sin(πx)/(πx), y(0) = 1     dy/dx = (cos(πx) - y)/x, 0 at x = 0
              lambda x, y: np.where(x == 0, 0.0, (np.cos(math.pi * x) - y) / np.where(x == 0, 1, x)),
              "The normalized sinc function ``sin(πx) / (πx)`` (1 at 0).")

# ----------------------------------------------------------------------------- powers, logarithms
cbrt = _unary("cbrt", np.cbrt, lambda x, y: 1 / (3 * y * y),  # y = x^(1/3)     dy/dx = 1/(3y²)
              "Elementwise cube root (real, also for negative x).")
exp2 = _unary("exp2", np.exp2, lambda x, y: y * _LN2,  # y = 2ˣ      dy/dx = 2ˣ·ln 2
              "Elementwise ``2 ** x``.")
log2 = _unary("log2", np.log2, lambda x, y: 1 / (x * _LN2),  # dy/dx = 1/(x ln 2)
              "Elementwise base-2 logarithm.")
log10 = _unary("log10", np.log10, lambda x, y: 1 / (x * _LN10),  # dy/dx = 1/(x ln 10)
               "Elementwise base-10 logarithm.")
fabs = _unary("fabs", np.fabs, lambda x, y: np.sign(x),  # dy/dx = sign(x) (0 at 0)
              "Elementwise absolute value, as floats.")


# ----------------------------------------------------------------------------- special functions
def _erfinv(y: np.ndarray) -> np.ndarray:
    """erf⁻¹(y) for y in [-1, 1]: Giles's single-precision approximation refined by two Newton steps
    on erf (accurate to float64 rounding); ±1 give ±inf, outside [-1, 1] NaN."""
    y = np.asarray(y, dtype=np.float64)
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws, wl = w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0
    ps = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        ps = c + ps * ws
    pl = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        pl = c + pl * wl
    x = np.where(small, ps, pl) * y
    for _ in range(2):  # Newton: x ← x - (erf(x) - y) / (2/√π · e^(-x²))
        x = x - (_erf(x) - y) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(np.abs(y) == 1, np.copysign(np.inf, y), x)
    return np.where(np.abs(y) > 1, np.nan, x)


def _i1(x: np.ndarray) -> np.ndarray:
    """The modified Bessel function I₁(x) = I₀'(x): its power series Σ (x/2)^(2k+1) / (k!(k+1)!) for
    |x| ≤ 40, the asymptotic series eˣ/√(2πx) · (1 - 3/(8x) - 15/(128x²) - 315/(3072x³)) beyond
    (relative error < 6e-8 there)."""
    x = np.asarray(x, dtype=np.float64)
    half = np.minimum(np.abs(x), 40.0) / 2
    term = half.copy()
    total = term.copy()
    for k in range(1, 120):
        term = term * half * half / (k * (k + 1))
        total = total + term
    big = np.maximum(np.abs(x), 40.0)
    with np.errstate(over="ignore"):
        asym = np.exp(big) / np.sqrt(2 * math.pi * big) * (1 - 3 / (8 * big) - 15 / (128 * big**2)
                                                           - 315 / (3072 * big**3))
    return np.sign(x) * np.where(np.abs(x) <= 40, total, asym)


erfc = _unary("erfc", lambda x: (1 - _erf(x)).astype(np.result_type(x, np.float32)),
              lambda x, y: -2 / math.sqrt(math.pi) * np.exp(-x * x),  # d/dx erfc x = -2/√π e^(-x²)
              "The complementary error function ``1 - erf(x)``.")
erfinv = _unary("erfinv", lambda x: _erfinv(x).astype(np.asarray(x).dtype),
                lambda x, y: math.sqrt(math.pi) / 2 * np.exp(y * y),  # d/dx erf⁻¹ x = √π/2 · e^(y²)
                "The inverse error function, for x in [-1, 1] (±inf at ±1).")
i0 = _unary("i0", lambda x: np.i0(x).astype(np.asarray(x).dtype),
            lambda x, y: _i1(x).astype(np.asarray(x).dtype),  # I₀' = I₁
            "The modified Bessel function of the first kind, order 0.")

# ----------------------------------------------------------------------------- complex parts (real data)
copy = _unary("copy", np.copy, lambda x, y: 1.0, "A copy of ``x`` (the gradient passes through).")
real = _unary("real", np.real, lambda x, y: 1.0, "The real part (``x`` itself for real data).")
conj = _unary("conj", np.conj, lambda x, y: 1.0, "The complex conjugate (``x`` itself for real data).")
conjugate = conj


def imag(x) -> Tensor:
    """The imaginary part (zeros for real data; no gradient)."""
    return Tensor._wrap(np.imag(_raw(_floats(x))).copy())


def angle(x) -> Tensor:
    """The argument of each complex number, in radians (0 or π for real data; no gradient)."""
    return Tensor._wrap(np.angle(_raw(_floats(x))).astype(np.asarray(_raw(_floats(x))).real.dtype))


class NanToNum(Function):
    # y = x where finite, else the replacement       dx = gy where x is finite, 0 elsewhere
    def forward(self, x, nan, posinf, neginf):
        self.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, gy):
        return np.where(self.finite, gy, 0)


def nan_to_num(x, nan: float = 0.0, posinf=None, neginf=None) -> Tensor:
    """NaN replaced by ``nan`` (0.0), +inf by ``posinf`` and -inf by ``neginf`` (the dtype's largest and
    smallest values by default). Gradient 1 at finite entries, 0 at replaced ones."""
    return NanToNum.apply(_floats(x), nan=nan, posinf=posinf, neginf=neginf)


# ----------------------------------------------------------------------------- binary
arctan2 = _binary("arctan2", np.arctan2,  # y = atan2(a, b): d/da = b/(a²+b²), d/db = -a/(a²+b²)
                  lambda a, b, y: b / (a * a + b * b), lambda a, b, y: -a / (a * a + b * b),
                  "The angle of the point ``(x2, x1)`` (``atan(x1 / x2)`` in the right quadrant), radians.")
hypot = _binary("hypot", np.hypot,  # y = √(a² + b²): d/da = a/y, d/db = b/y
                lambda a, b, y: a / y, lambda a, b, y: b / y, "``sqrt(x1² + x2²)`` without overflow.")
logaddexp = _binary("logaddexp", np.logaddexp,  # y = ln(eᵃ + eᵇ): d/da = e^(a-y), d/db = e^(b-y)
                    lambda a, b, y: np.exp(a - y), lambda a, b, y: np.exp(b - y), "``log(exp(x1) + exp(x2))``, stable.")
logaddexp2 = _binary("logaddexp2", np.logaddexp2,  # y = log₂(2ᵃ + 2ᵇ): d/da = 2^(a-y), d/db = 2^(b-y)
                     lambda a, b, y: np.exp2(a - y), lambda a, b, y: np.exp2(b - y),
                     "``log2(2**x1 + 2**x2)``, stable.")
fmod = _binary("fmod", np.fmod,  # y = a - trunc(a/b)·b: d/da = 1, d/db = -trunc(a/b)
               lambda a, b, y: np.ones_like(y), lambda a, b, y: -np.trunc(a / b),
               "The remainder of ``x1 / x2`` with the sign of ``x1`` (C's fmod).")
mod = _binary("mod", np.mod,  # y = a - floor(a/b)·b: d/da = 1, d/db = -floor(a/b)
              lambda a, b, y: np.ones_like(y), lambda a, b, y: -np.floor(a / b),
              "The remainder of ``x1 / x2`` with the sign of ``x2`` (Python's %).")
fmax = _binary("fmax", np.fmax,  # the larger (NaN ignored): the gradient goes to the chosen one (a at ties)
               lambda a, b, y: (np.asarray(a) == y) | np.isnan(b), lambda a, b, y: (np.asarray(a) != y) & ~np.isnan(b),
               "Elementwise maximum, ignoring NaN (a NaN loses to a number).")
fmin = _binary("fmin", np.fmin,
               lambda a, b, y: (np.asarray(a) == y) | np.isnan(b), lambda a, b, y: (np.asarray(a) != y) & ~np.isnan(b),
               "Elementwise minimum, ignoring NaN (a NaN loses to a number).")


class Ldexp(Function):
    # y = a · 2ᵇ (b integer)        da = gy · 2ᵇ
    def forward(self, a, b):
        self.scale = np.exp2(b).astype(np.asarray(a).dtype)
        return (a * self.scale).astype(np.asarray(a).dtype)

    def backward(self, gy):
        return gy * self.scale, None


def ldexp(x1, x2) -> Tensor:
    """``x1 * 2**x2`` for integer exponents ``x2`` (gradient to ``x1``)."""
    exponent = np.asarray(_raw(x2))
    if exponent.dtype.kind not in "iub":
        raise TypeError(f"ldexp: x2 must hold integers, received dtype {exponent.dtype}")
    return Ldexp.apply(_floats(x1), exponent)


class DivideNoNan(Function):
    # y = a / b where b ≠ 0, else 0        da = gy / b, db = -gy · y / b  (both 0 where b = 0)
    def forward(self, a, b):
        self.zero = np.asarray(b) == 0
        self.safe = np.where(self.zero, 1, b)
        self.y = np.where(self.zero, 0, a / self.safe)
        return self.y

    def backward(self, gy):
        ga = np.where(self.zero, 0, gy / self.safe) if self.needs_input_grad[0] else None
        gb = np.where(self.zero, 0, -gy * self.y / self.safe) if self.needs_input_grad[1] else None
        return ga, gb


def divide_no_nan(x1, x2) -> Tensor:
    """``x1 / x2``, with 0 (not NaN or inf) where ``x2`` is 0."""
    return DivideNoNan.apply(_floats(x1), _floats(x2))


# ----------------------------------------------------------------------------- no gradient
trunc = _constant(np.trunc, "trunc", "Elementwise rounding toward zero")
signbit = _constant(np.signbit, "signbit", "True where the sign bit is set (negative numbers, -0.0)")
isinf = _constant(np.isinf, "isinf", "True where ``x`` is +inf or -inf")
isneginf = _constant(np.isneginf, "isneginf", "True where ``x`` is -inf")
isposinf = _constant(np.isposinf, "isposinf", "True where ``x`` is +inf")
isreal = _constant(np.isreal, "isreal", "True where ``x`` has no imaginary part")
logical_xor = _constant(np.logical_xor, "logical_xor", "Elementwise logical exclusive or")
heaviside = _constant(np.heaviside, "heaviside", "The step function: 0 for x1 < 0, x2 at 0, 1 for x1 > 0")
nextafter = _constant(np.nextafter, "nextafter", "The next float after ``x1`` toward ``x2``")


def isclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """True where ``|x1 - x2| <= atol + rtol · |x2|`` (no gradient)."""
    return Tensor._wrap(np.isclose(_raw(x1), _raw(x2), rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(x1, x2, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """True when :func:`isclose` holds everywhere (a boolean scalar Tensor)."""
    return Tensor._wrap(np.asarray(np.allclose(_raw(x1), _raw(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)))
