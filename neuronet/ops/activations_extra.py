"""The activations of ``keras.ops.nn`` beyond the classic ones (those are in ``activations.py``): CELU,
GLU, the shrink functions, sparse_plus/sparse_sigmoid, squareplus, threshold and sparsemax.

Each is composed from differentiable ops, its formula in the docstring; the gradient follows from them
(at a kink, the one-sided value the composing ``where``/``maximum`` picks).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from . import activations as a
from . import manipulation as s
from . import math as m
from . import reduce as r
from .core import float_tensor

__all__ = ["celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "sparse_plus", "sparse_sigmoid",
           "squareplus", "threshold", "sparsemax"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)




def celu(x, alpha: float = 1.0) -> Tensor:
    """Continuously differentiable ELU: ``max(x, 0) + alpha · (exp(min(x, 0) / alpha) - 1)``."""
    x = float_tensor(x)
    return m.add(m.maximum(x, 0.0), m.multiply(m.expm1(m.divide(m.minimum(x, 0.0), alpha)), alpha))


def glu(x, axis: int = -1) -> Tensor:
    """Gated linear unit: ``x1 · sigmoid(x2)`` where ``x1, x2`` are the two halves of ``x`` along ``axis``."""
    size = _data(x).shape[axis]
    if size % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, received shape {_data(x).shape}")
    first, second = s.split(float_tensor(x), 2, axis=axis)
    return m.multiply(first, a.sigmoid(second))


def hard_tanh(x) -> Tensor:
    """``clip(x, -1, 1)``."""
    return m.clip(float_tensor(x), -1.0, 1.0)


def hard_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, else 0."""
    x = float_tensor(x)
    return m.where(np.abs(x.data) > threshold, x, 0.0)


def soft_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, 0 between."""
    x = float_tensor(x)
    return m.where(x.data > threshold, m.subtract(x, threshold), m.where(x.data < -threshold, m.add(x, threshold), 0.0))


def tanh_shrink(x) -> Tensor:
    """``x - tanh(x)``."""
    x = float_tensor(x)
    return m.subtract(x, a.tanh(x))


def sparse_plus(x) -> Tensor:
    """0 for ``x ≤ -1``, ``(x + 1)² / 4`` for ``-1 < x < 1``, ``x`` for ``x ≥ 1`` (a smooth ReLU)."""
    x = float_tensor(x)
    middle = m.multiply(m.square(m.add(x, 1.0)), 0.25)
    return m.where(x.data <= -1, 0.0, m.where(x.data < 1, middle, x))


def sparse_sigmoid(x) -> Tensor:
    """0 for ``x ≤ -1``, ``(x + 1) / 2`` between, 1 for ``x ≥ 1``."""
    x = float_tensor(x)
    return m.where(x.data <= -1, 0.0, m.where(x.data >= 1, 1.0, m.multiply(m.add(x, 1.0), 0.5)))


def squareplus(x, b: float = 4) -> Tensor:
    """``(x + sqrt(x² + b)) / 2`` (a smooth ReLU; ``b`` ≥ 0)."""
    x = float_tensor(x)
    return m.multiply(m.add(x, m.sqrt(m.add(m.square(x), float(_data(b))))), 0.5)


def threshold(x, threshold, default_value) -> Tensor:  # noqa: A002 - Keras name
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = float_tensor(x)
    return m.where(x.data > _data(threshold), x, default_value)


def sparsemax(x, axis: int = -1) -> Tensor:
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis`` (Martins & Astudillo
    2016): ``max(x - τ, 0)`` with τ such that the outputs sum to 1; many outputs are exactly 0.

    τ = (Σ_{j∈S} x_j - 1) / |S| over the support S, so the gradient is ``gy - mean of gy over S`` inside S
    and 0 outside (the composition below gives exactly that)."""
    x = float_tensor(x)
    data = x.data
    ordered = -np.sort(-data, axis=axis)
    ranks = np.arange(1, data.shape[axis] + 1).reshape([-1 if i == axis % data.ndim else 1
                                                        for i in range(data.ndim)])
    cumulative = np.cumsum(ordered, axis=axis)
    in_support = ordered - (cumulative - 1) / ranks > 0
    k = in_support.sum(axis=axis, keepdims=True)
    kth = np.take_along_axis(ordered, k - 1, axis=axis)  # the smallest value in the support
    support = data >= kth  # the same set, in x's order
    tau = m.divide(m.subtract(r.sum(m.where(support, x, 0.0), axis=axis, keepdims=True), 1.0), k.astype(data.dtype))
    return m.maximum(m.subtract(x, tau), 0.0)
