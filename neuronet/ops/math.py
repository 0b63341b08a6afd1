"""Elementwise arithmetic: each op's forward and the derivative that backward applies, side by side.

Every function takes Tensors, ndarrays or Python numbers and returns a Tensor. Binary ops broadcast
with NumPy's rules (shapes ``(2, 1, 4)`` and ``(3, 4)`` give ``(2, 3, 4)``); the gradient of each input
comes back in that input's own shape, because the engine sums it over the broadcast axes
(``autograd.unbroadcast``) — backward here returns gradients in the broadcast shape.

Dtypes follow NumPy: Python numbers adapt to the Tensor (``float32 * 2.0`` stays float32), while a
float64 array or NumPy float64 scalar promotes a float32 Tensor to float64.

Example::

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = ops.sum(ops.multiply(x, x) + 3.0)     # Σ (x² + 3)
    >>> y.backward()
    >>> x.grad                                    # 2x
    array([2., 4.], dtype=float32)

Comparisons, rounding and constant constructors at the end of the file record no graph.
"""

from __future__ import annotations

import numpy as np

from .. import config
from ..autograd import Function, Tensor

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square", "sqrt", "exp", "log",
    "abs", "absolute", "maximum", "minimum", "clip", "where", "cast", "sign", "reciprocal", "log1p", "expm1",
    "equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_or",
    "logical_not", "isfinite", "isnan", "floor", "ceil", "round", "sin", "cos", "rsqrt", "stop_gradient",
    "zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "arange", "eye",
]


class Add(Function):
    # y = a + b      da = gy, db = gy
    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Subtract(Function):
    # y = a - b      da = gy, db = -gy
    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.needs_input_grad[1] else None)


class Multiply(Function):
    # y = a * b      da = gy * b, db = gy * a
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        ga = gy * self.b if self.needs_input_grad[0] else None
        gb = gy * self.a if self.needs_input_grad[1] else None
        return ga, gb


class Divide(Function):
    # y = a / b      da = gy / b, db = -gy * a / b² = -gy * y / b
    def forward(self, a, b):
        self.b = b
        self.y = a / b
        return self.y

    def backward(self, gy):
        ga = gy / self.b if self.needs_input_grad[0] else None
        gb = -gy * self.y / self.b if self.needs_input_grad[1] else None
        return ga, gb


class Negative(Function):
    # y = -x         dx = -gy
    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Power(Function):
    # y = a ** b     da = gy * b * a**(b-1),  db = gy * y * log(a)
    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, gy):
        a, b = self.a, self.b
        ga = gy * b * a ** (b - 1) if self.needs_input_grad[0] else None
        gb = None
        if self.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0).astype(gy.dtype, copy=False)
            gb = gy * self.y * log_a
        return ga, gb


class Square(Function):
    # y = x²         dx = 2x·gy
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return 2 * self.x * gy


class Sqrt(Function):
    # y = √x         dx = gy / (2y)
    def forward(self, x):
        self.y = np.sqrt(x)
        return self.y

    def backward(self, gy):
        return gy / (2 * self.y)


class Exp(Function):
    # y = eˣ         dx = gy·y
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y


class Expm1(Function):
    # y = eˣ - 1     dx = gy·(y + 1)
    def forward(self, x):
        self.y = np.expm1(x)
        return self.y

    def backward(self, gy):
        return gy * (self.y + 1)


class Log(Function):
    # y = ln x       dx = gy / x
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, gy):
        return gy / self.x


class Log1p(Function):
    # y = ln(1 + x)  dx = gy / (1 + x)
    def forward(self, x):
        self.x = x
        return np.log1p(x)

    def backward(self, gy):
        return gy / (1 + self.x)


class Reciprocal(Function):
    # y = 1/x        dx = -gy·y²
    def forward(self, x):
        self.y = 1 / x
        return self.y

    def backward(self, gy):
        return -gy * self.y * self.y


class Rsqrt(Function):
    # y = 1/√x       dx = -gy·y³/2
    def forward(self, x):
        self.y = y = 1 / np.sqrt(x)
        return y

    def backward(self, gy):
        y = self.y
        return gy * y * y * y * -0.5


class Sin(Function):
    # y = sin x      dx = gy·cos x
    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, gy):
        return gy * np.cos(self.x)


class Cos(Function):
    # y = cos x      dx = -gy·sin x
    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, gy):
        return -gy * np.sin(self.x)


class Abs(Function):
    # y = |x|        dx = gy·sign(x)   (0 at x = 0, as in PyTorch)
    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, gy):
        return gy * np.sign(self.x)


class Sign(Function):
    # y = sign(x)    dx = 0
    def forward(self, x):
        return np.sign(x)

    def backward(self, gy):
        return np.zeros_like(gy)


class Maximum(Function):
    # y = max(a, b)  da = gy where a > b, db = gy where b > a; ties split it evenly (as torch.maximum)
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, gy):
        share_a = ((self.a > self.b) + (self.a == self.b) * 0.5).astype(gy.dtype, copy=False)
        ga = gy * share_a if self.needs_input_grad[0] else None
        gb = gy * (1 - share_a) if self.needs_input_grad[1] else None
        return ga, gb


class Minimum(Function):
    # y = min(a, b)  da = gy where a < b, db = gy where b < a; ties split it evenly (as torch.minimum)
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, gy):
        share_a = ((self.a < self.b) + (self.a == self.b) * 0.5).astype(gy.dtype, copy=False)
        ga = gy * share_a if self.needs_input_grad[0] else None
        gb = gy * (1 - share_a) if self.needs_input_grad[1] else None
        return ga, gb


class Clip(Function):
    # y = min(max(x, lo), hi)   dx = gy where lo ≤ x ≤ hi, else 0
    def forward(self, x, lo, hi):
        self.inside = (x >= lo) & (x <= hi)
        return np.clip(x, lo, hi)

    def backward(self, gy):
        return gy * self.inside, None, None


class Where(Function):
    # y = cond ? a : b   da = gy where cond, db = gy where not cond
    def forward(self, cond, a, b):
        self.cond = np.asarray(cond, dtype=bool)
        return np.where(self.cond, a, b)

    def backward(self, gy):
        # masks applied by multiplication: np.where is several times slower on unpredictable masks
        ga = gy * self.cond if self.needs_input_grad[1] else None
        gb = gy * ~self.cond if self.needs_input_grad[2] else None
        return None, ga, gb


class Cast(Function):
    # y = x as dtype   dx = gy cast back
    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        return gy.astype(self.dtype)


def _check_broadcast(name: str, *xs) -> None:
    """Raise a one-line error naming ``name`` if the shapes of ``xs`` do not broadcast together."""
    shapes = [np.shape(x.data if isinstance(x, Tensor) else x) for x in xs]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{name}: shapes {' and '.join(str(s) for s in shapes)} cannot be broadcast together "
                         "(NumPy rules: trailing axes must be equal or 1)") from None


def add(x1, x2) -> Tensor:
    """Elementwise ``x1 + x2`` with broadcasting."""
    try:
        return Add.apply(x1, x2)
    except ValueError:
        _check_broadcast("add", x1, x2)
        raise


def subtract(x1, x2) -> Tensor:
    """Elementwise ``x1 - x2`` with broadcasting."""
    try:
        return Subtract.apply(x1, x2)
    except ValueError:
        _check_broadcast("subtract", x1, x2)
        raise


def multiply(x1, x2) -> Tensor:
    """Elementwise ``x1 * x2`` with broadcasting."""
    try:
        return Multiply.apply(x1, x2)
    except ValueError:
        _check_broadcast("multiply", x1, x2)
        raise


def divide(x1, x2) -> Tensor:
    """Elementwise ``x1 / x2`` with broadcasting."""
    try:
        return Divide.apply(x1, x2)
    except ValueError:
        _check_broadcast("divide", x1, x2)
        raise


def negative(x) -> Tensor:
    """Elementwise ``-x``."""
    return Negative.apply(x)


def power(x1, x2) -> Tensor:
    """Elementwise ``x1 ** x2``; the gradient with respect to ``x2`` is taken where ``x1 > 0``."""
    try:
        return Power.apply(x1, x2)
    except ValueError:
        _check_broadcast("power", x1, x2)
        raise


def square(x) -> Tensor:
    """Elementwise ``x²``."""
    return Square.apply(x)


def sqrt(x) -> Tensor:
    """Elementwise square root."""
    return Sqrt.apply(x)


def exp(x) -> Tensor:
    """Elementwise ``eˣ``."""
    return Exp.apply(x)


def expm1(x) -> Tensor:
    """Elementwise ``eˣ - 1``, accurate near 0."""
    return Expm1.apply(x)


def log(x) -> Tensor:
    """Elementwise natural logarithm."""
    return Log.apply(x)


def log1p(x) -> Tensor:
    """Elementwise ``ln(1 + x)``, accurate near 0."""
    return Log1p.apply(x)


def reciprocal(x) -> Tensor:
    """Elementwise ``1 / x``."""
    return Reciprocal.apply(x)


def rsqrt(x) -> Tensor:
    """Elementwise ``1 / sqrt(x)``."""
    return Rsqrt.apply(x)


def sin(x) -> Tensor:
    """Elementwise sine (radians)."""
    return Sin.apply(x)


def cos(x) -> Tensor:
    """Elementwise cosine (radians)."""
    return Cos.apply(x)


def abs(x) -> Tensor:  # noqa: A001 - Keras name
    """Elementwise absolute value (gradient 0 at 0)."""
    return Abs.apply(x)


def sign(x) -> Tensor:
    """Elementwise sign (no gradient)."""
    return Sign.apply(x)


def maximum(x1, x2) -> Tensor:
    """Elementwise maximum; at ties the gradient is shared equally."""
    try:
        return Maximum.apply(x1, x2)
    except ValueError:
        _check_broadcast("maximum", x1, x2)
        raise


def minimum(x1, x2) -> Tensor:
    """Elementwise minimum; at ties the gradient is shared equally."""
    try:
        return Minimum.apply(x1, x2)
    except ValueError:
        _check_broadcast("minimum", x1, x2)
        raise


def clip(x, x_min, x_max) -> Tensor:
    """Clamp ``x`` to ``[x_min, x_max]``; gradient 1 inside the range (ends included), 0 outside."""
    return Clip.apply(x, x_min, x_max)


def where(condition, x1=None, x2=None) -> Tensor:
    """``x1`` where ``condition`` is true, else ``x2``, with broadcasting (the gradient flows to the
    chosen input). With only ``condition``, returns the tuple of indices where it is true (no gradient)."""
    if x1 is None and x2 is None:
        return tuple(Tensor._wrap(i) for i in np.nonzero(_raw(condition)))
    if x1 is None or x2 is None:
        raise ValueError("where: x1 and x2 must be given together, received only one of them")
    try:
        return Where.apply(condition, x1, x2)
    except ValueError:
        _check_broadcast("where", condition, x1, x2)
        raise


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; the gradient is converted back (none flows through a cast to an
    integer or boolean dtype). A Tensor that already has ``dtype`` is returned as is."""
    dtype = np.dtype(dtype)
    if isinstance(x, Tensor) and x.data.dtype == dtype:
        return x
    if not np.issubdtype(dtype, np.floating):
        return Tensor._wrap(np.asarray(_raw(x)).astype(dtype))
    return Cast.apply(x, dtype=dtype)


true_divide = divide
absolute = abs


# ----------------------------------------------------------------------------- no-gradient ops
def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _constant(ufunc, name: str, doc: str):
    def op(*xs) -> Tensor:
        return Tensor._wrap(ufunc(*[_raw(x) for x in xs]))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " (no gradient; returns a constant Tensor)."
    return op


equal = _constant(np.equal, "equal", "Elementwise ``x1 == x2``")
not_equal = _constant(np.not_equal, "not_equal", "Elementwise ``x1 != x2``")
greater = _constant(np.greater, "greater", "Elementwise ``x1 > x2``")
greater_equal = _constant(np.greater_equal, "greater_equal", "Elementwise ``x1 >= x2``")
less = _constant(np.less, "less", "Elementwise ``x1 < x2``")
less_equal = _constant(np.less_equal, "less_equal", "Elementwise ``x1 <= x2``")
logical_and = _constant(np.logical_and, "logical_and", "Elementwise logical and")
logical_or = _constant(np.logical_or, "logical_or", "Elementwise logical or")
logical_not = _constant(np.logical_not, "logical_not", "Elementwise logical not")
isfinite = _constant(np.isfinite, "isfinite", "True where ``x`` is neither infinite nor NaN")
isnan = _constant(np.isnan, "isnan", "True where ``x`` is NaN")
floor = _constant(np.floor, "floor", "Elementwise floor")
ceil = _constant(np.ceil, "ceil", "Elementwise ceiling")


def round(x, decimals: int = 0) -> Tensor:  # noqa: A001 - Keras name
    """Round to ``decimals`` decimals, halves to even (no gradient; returns a constant Tensor)."""
    return Tensor._wrap(np.round(_raw(x), decimals))


def stop_gradient(variable) -> Tensor:
    """The same values, cut from the graph: no gradient flows back through the result."""
    return Tensor._wrap(_raw(variable) if isinstance(variable, Tensor) else np.asarray(variable))


# ----------------------------------------------------------------------------- constants
def _dtype(dtype):
    return np.dtype(config.floatx() if dtype is None else dtype)


def zeros(shape, dtype=None) -> Tensor:
    """A tensor of zeros of ``shape``; ``dtype`` defaults to ``config.floatx()``."""
    return Tensor._wrap(np.zeros(shape, _dtype(dtype)))


def ones(shape, dtype=None) -> Tensor:
    """A tensor of ones of ``shape``; ``dtype`` defaults to ``config.floatx()``."""
    return Tensor._wrap(np.ones(shape, _dtype(dtype)))


def full(shape, fill_value, dtype=None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value``; ``dtype`` defaults to ``config.floatx()``."""
    return Tensor._wrap(np.full(shape, _raw(fill_value), _dtype(dtype)))


def zeros_like(x, dtype=None) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``x``."""
    return Tensor._wrap(np.zeros_like(_raw(x), dtype=dtype))


def ones_like(x, dtype=None) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``x``."""
    return Tensor._wrap(np.ones_like(_raw(x), dtype=dtype))


def full_like(x, fill_value, dtype=None) -> Tensor:
    """``fill_value`` with the shape (and, unless given, the dtype) of ``x``."""
    return Tensor._wrap(np.full_like(_raw(x), _raw(fill_value), dtype=dtype))


def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    """Evenly spaced values in ``[start, stop)`` (NumPy ``arange``; integer inputs give int64)."""
    return Tensor._wrap(np.arange(start, stop, step, dtype=dtype))


def eye(N: int, M: int | None = None, k: int = 0, dtype=None) -> Tensor:  # noqa: N803 - Keras names
    """An ``N×M`` matrix with ones on diagonal ``k``; ``dtype`` defaults to ``config.floatx()``."""
    return Tensor._wrap(np.eye(N, M, k, dtype=_dtype(dtype)))
