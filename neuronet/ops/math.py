"""Elementwise arithmetic: each op's forward and the derivative that backward applies, side by side.

Broadcasting is undone by the engine (``autograd.unbroadcast``), so backward here returns gradients
in the broadcast shape.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = [
    "add", "subtract", "multiply", "divide", "negative", "power", "square", "sqrt", "exp", "log",
    "abs", "maximum", "minimum", "clip", "where", "cast", "sign", "reciprocal", "log1p", "expm1",
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
                gb = gy * self.y * np.where(a > 0, np.log(np.where(a > 0, a, 1)), 0)
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
    # y = max(a, b)  the gradient goes to the larger input; ties split it evenly
    def forward(self, a, b):
        y = np.maximum(a, b)
        self.mask_a = (a > b) + 0.5 * (a == b)
        return y

    def backward(self, gy):
        ga = gy * self.mask_a if self.needs_input_grad[0] else None
        gb = gy * (1 - self.mask_a) if self.needs_input_grad[1] else None
        return ga, gb


class Minimum(Function):
    # y = min(a, b)  the gradient goes to the smaller input; ties split it evenly
    def forward(self, a, b):
        y = np.minimum(a, b)
        self.mask_a = (a < b) + 0.5 * (a == b)
        return y

    def backward(self, gy):
        ga = gy * self.mask_a if self.needs_input_grad[0] else None
        gb = gy * (1 - self.mask_a) if self.needs_input_grad[1] else None
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
        zero = np.zeros((), gy.dtype)
        ga = np.where(self.cond, gy, zero) if self.needs_input_grad[1] else None
        gb = np.where(self.cond, zero, gy) if self.needs_input_grad[2] else None
        return None, ga, gb


class Cast(Function):
    # y = x as dtype   dx = gy cast back
    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, gy):
        return gy.astype(self.dtype)




def add(x1, x2) -> Tensor:
    """Elementwise ``x1 + x2`` with broadcasting."""
    return Add.apply(x1, x2)


def subtract(x1, x2) -> Tensor:
    """Elementwise ``x1 - x2`` with broadcasting."""
    return Subtract.apply(x1, x2)


def multiply(x1, x2) -> Tensor:
    """Elementwise ``x1 * x2`` with broadcasting."""
    return Multiply.apply(x1, x2)


def divide(x1, x2) -> Tensor:
    """Elementwise ``x1 / x2`` with broadcasting."""
    return Divide.apply(x1, x2)


def negative(x) -> Tensor:
    """Elementwise ``-x``."""
    return Negative.apply(x)


def power(x1, x2) -> Tensor:
    """Elementwise ``x1 ** x2``; the gradient with respect to ``x2`` is taken where ``x1 > 0``."""
    return Power.apply(x1, x2)


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


def abs(x) -> Tensor:  # noqa: A001 - Keras name
    """Elementwise absolute value (gradient 0 at 0)."""
    return Abs.apply(x)


def sign(x) -> Tensor:
    """Elementwise sign (no gradient)."""
    return Sign.apply(x)


def maximum(x1, x2) -> Tensor:
    """Elementwise maximum; at ties the gradient is shared equally."""
    return Maximum.apply(x1, x2)


def minimum(x1, x2) -> Tensor:
    """Elementwise minimum; at ties the gradient is shared equally."""
    return Minimum.apply(x1, x2)


def clip(x, x_min, x_max) -> Tensor:
    """Clamp ``x`` to ``[x_min, x_max]``; gradient 1 inside the range (ends included), 0 outside."""
    return Clip.apply(x, x_min, x_max)


def where(condition, x1, x2) -> Tensor:
    """``x1`` where ``condition`` is true, else ``x2`` (gradient flows to the chosen input)."""
    return Where.apply(condition, x1, x2)


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; the gradient is converted back."""
    return Cast.apply(x, dtype=np.dtype(dtype))
