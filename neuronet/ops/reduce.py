"""Reductions: sum, mean. Backward spreads the output gradient back over the reduced axes."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["sum", "mean"]


def _expand(gy, shape, axis, keepdims):
    """``gy`` reshaped so it broadcasts against an input of ``shape`` reduced over ``axis``."""
    if axis is None or keepdims:
        return gy if keepdims else np.reshape(gy, (1,) * len(shape))
    axes = (axis,) if isinstance(axis, int) else axis
    axes = sorted(a % len(shape) for a in axes)
    for a in axes:
        gy = np.expand_dims(gy, a)
    return gy


class Sum(Function):
    # y = Σ x over axis       dx = gy broadcast back over axis
    def forward(self, x, axis, keepdims):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        return np.sum(x, axis=axis, keepdims=keepdims)

    def backward(self, gy):
        return np.broadcast_to(_expand(gy, self.shape, self.axis, self.keepdims), self.shape)


class Mean(Function):
    # y = Σ x / n over axis   dx = gy / n broadcast back over axis
    def forward(self, x, axis, keepdims):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        y = np.mean(x, axis=axis, keepdims=keepdims)
        self.n = x.size // max(np.size(y), 1) if x.size else 1
        return y

    def backward(self, gy):
        g = _expand(gy, self.shape, self.axis, self.keepdims) / self.n
        return np.broadcast_to(g, self.shape)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001 - Keras name
    """Sum of elements over ``axis`` (all axes when None)."""
    return Sum.apply(x, axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False) -> Tensor:
    """Mean of elements over ``axis`` (all axes when None)."""
    return Mean.apply(x, axis=_axis(axis), keepdims=keepdims)
