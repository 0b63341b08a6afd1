"""Integer ops: bitwise logic and shifts, gcd/lcm, floor division. None has a gradient: each returns a
constant Tensor (``floor_divide`` of floats included — its derivative is 0 almost everywhere)."""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor

__all__ = [
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert", "bitwise_left_shift",
    "bitwise_right_shift", "left_shift", "right_shift", "gcd", "lcm", "floor_divide",
]


def _integers(name: str, x):
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    if data.dtype.kind not in "biu":
        raise TypeError(f"{name}: expected integer or boolean data, received dtype {data.dtype}")
    return data


def _integer_binary(ufunc, name: str, doc: str, names=("x", "y")):
    def op(x, y) -> Tensor:
        return Tensor._wrap(np.asarray(ufunc(_integers(name, x), _integers(name, y))))

    if names != ("x", "y"):  # Keras's parameter names (gcd, lcm take x1, x2)
        def op(x1, x2) -> Tensor:  # noqa: F811
            return Tensor._wrap(np.asarray(ufunc(_integers(name, x1), _integers(name, x2))))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " (integers; no gradient)."
    return op


def _integer_unary(ufunc, name: str, doc: str):
    def op(x) -> Tensor:
        return Tensor._wrap(np.asarray(ufunc(_integers(name, x))))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " (integers; no gradient)."
    return op


bitwise_and = _integer_binary(np.bitwise_and, "bitwise_and", "Elementwise ``x & y``")
bitwise_or = _integer_binary(np.bitwise_or, "bitwise_or", "Elementwise ``x | y``")
bitwise_xor = _integer_binary(np.bitwise_xor, "bitwise_xor", "Elementwise ``x ^ y``")
bitwise_invert = _integer_unary(np.invert, "bitwise_invert", "Elementwise ``~x``")
bitwise_not = _integer_unary(np.invert, "bitwise_not", "Elementwise ``~x``")
bitwise_left_shift = _integer_binary(np.left_shift, "bitwise_left_shift", "Elementwise ``x << y``")
bitwise_right_shift = _integer_binary(np.right_shift, "bitwise_right_shift", "Elementwise ``x >> y``")
left_shift = _integer_binary(np.left_shift, "left_shift", "Elementwise ``x << y``")
right_shift = _integer_binary(np.right_shift, "right_shift", "Elementwise ``x >> y``")
gcd = _integer_binary(np.gcd, "gcd", "The greatest common divisor of ``x1`` and ``x2``", names=("x1", "x2"))
lcm = _integer_binary(np.lcm, "lcm", "The least common multiple of ``x1`` and ``x2``", names=("x1", "x2"))


def floor_divide(x1, x2) -> Tensor:
    """``x1 // x2`` elementwise: the floor of the quotient (no gradient; returns a constant Tensor)."""
    a = x1.data if isinstance(x1, Tensor) else x1
    b = x2.data if isinstance(x2, Tensor) else x2
    return Tensor._wrap(np.asarray(np.floor_divide(a, b)))
