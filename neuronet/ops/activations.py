"""Activation functions: each forward beside its derivative, numerically stable for large inputs."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["relu", "sigmoid", "tanh"]


class ReLU(Function):
    # y = max(x, 0)          dx = gy · [x > 0]
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, np.zeros((), x.dtype))

    def backward(self, gy):
        return gy * self.mask


class Sigmoid(Function):
    # y = 1 / (1 + e⁻ˣ)      dx = gy · y · (1 - y)
    # computed as (1 + tanh(x/2)) / 2, which never exponentiates a large positive number
    def forward(self, x):
        y = np.tanh(x * 0.5)
        y += 1
        y *= 0.5
        self.y = y
        return y

    def backward(self, gy):
        y = self.y
        return gy * y * (1 - y)


class Tanh(Function):
    # y = tanh x             dx = gy · (1 - y²)
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, gy):
        y = self.y
        return gy * (1 - y * y)


def relu(x) -> Tensor:
    """Rectified linear unit: ``max(x, 0)``."""
    return ReLU.apply(x)


def sigmoid(x) -> Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, stable for any x."""
    return Sigmoid.apply(x)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return Tanh.apply(x)
