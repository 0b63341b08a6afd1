"""The fully connected layer's whole computation as one op: ``activation(x @ kernel + bias)``.

One graph node per Dense layer instead of two or three (matmul, bias add, activation): the forward
adds the bias and applies the activation in place on the GEMM's output, and the backward takes the
activation's derivative from the output ``y`` (never from the pre-activation, which is not kept), so a
training step makes one fewer pass over each layer's activations and the engine never has to sum the
bias gradient back from a broadcast.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from ..config import blas_threads

__all__ = ["dense"]

# activations applied in place on the layer output, each with a derivative written in terms of y
DENSE_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")


class FusedDense(Function):
    # y = act(x @ W + b)      dx = g @ Wᵀ,  dW = xᵀ @ g,  db = Σ_rows g,  where g = gy · act' (from y)
    # act' from the output y:  relu: [y > 0]   sigmoid: y (1 - y)   tanh: 1 - y²   linear: 1
    # x: (..., k) with its leading axes flattened into rows, W: (k, m), b: (m,) or absent
    def forward(self, x, kernel, bias=None, activation="linear"):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        self.threads = blas_threads(x2.shape[0] * kernel.size)
        with self.threads:
            y = x2 @ kernel
        if bias is not None:
            y += bias
        if activation == "relu":
            np.maximum(y, 0, out=y)
        elif activation == "sigmoid":  # σ(z) = (1 + tanh(z/2)) / 2: no overflow for any z
            y *= 0.5
            np.tanh(y, out=y)
            y += 1
            y *= 0.5
        elif activation == "tanh":
            np.tanh(y, out=y)
        self.x2, self.kernel, self.y, self.activation, self.x_shape = x2, kernel, y, activation, x.shape
        return y.reshape(x.shape[:-1] + y.shape[-1:]) if x.ndim != 2 else y

    def backward(self, gy):
        y, activation = self.y, self.activation
        g = gy.reshape(y.shape) if gy.ndim != 2 else gy
        if activation == "relu":
            g = g * (y > 0)
        elif activation == "sigmoid":
            d = 1 - y  # one temporary, then in place: (1 - y)·y·gy
            d *= y
            d *= g
            g = d
        elif activation == "tanh":
            d = y * y
            np.subtract(1, d, out=d)
            d *= g
            g = d
        need_x, need_w, need_b = self.needs_input_grad
        with self.threads:
            gx = (g @ self.kernel.T).reshape(self.x_shape) if need_x else None
            gw = self.x2.T @ g if need_w else None
        gb = g.sum(axis=0) if need_b else None
        return gx, gw, gb


def dense(x, kernel, bias=None, activation: str = "linear") -> Tensor:
    """``activation(x @ kernel + bias)`` in one differentiable op: the computation of a Dense layer.

    Args:
        x: inputs of shape ``(..., k)``; all leading axes are treated as rows of one matrix product.
        kernel: weights of shape ``(k, m)``.
        bias: bias of shape ``(m,)``, or None for no bias. Defaults to None.
        activation: one of ``"linear"``, ``"relu"``, ``"sigmoid"``, ``"tanh"``. Defaults to "linear".

    Returns:
        A Tensor of shape ``(..., m)``.

    Example::

        >>> y = neuronet.ops.dense(np.ones((2, 4)), np.ones((4, 3)), np.zeros(3), activation="relu")
        >>> y.shape
        (2, 3)
    """
    if activation not in DENSE_ACTIVATIONS:
        raise ValueError(f"dense: activation must be one of {DENSE_ACTIVATIONS}, received {activation!r}")
    xs = np.shape(x.data if isinstance(x, Tensor) else x)
    ws = np.shape(kernel.data if isinstance(kernel, Tensor) else kernel)
    if len(ws) != 2:
        raise ValueError(f"dense: kernel must be 2-D (input_dim, units), received shape {ws}")
    if len(xs) < 1 or xs[-1] != ws[0]:
        raise ValueError(f"dense: the last axis of x (shape {xs}) must match the kernel's first axis (shape {ws})")
    if bias is not None:
        bs = np.shape(bias.data if isinstance(bias, Tensor) else bias)
        if bs != (ws[1],):
            raise ValueError(f"dense: bias must have shape ({ws[1]},), received {bs}")
    return FusedDense.apply(x, kernel, bias, activation=activation)
