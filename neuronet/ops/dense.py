"""The fully connected layer's whole computation as one op: ``activation(x @ kernel + bias)``.

One graph node per Dense layer instead of two or three (matmul, bias add, activation): the forward
adds the bias and applies the activation in place on the GEMM's output, and the backward takes the
activation's derivative from the output ``y`` (never from the pre-activation, which is not kept), so a
training step makes one fewer pass over each layer's activations and the engine never has to sum the
bias gradient back from a broadcast.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..autograd import Function, Tensor
from .activations import FUSED_ACTIVATIONS

__all__ = ["dense"]

# activations applied in place on the layer output (from the shared table, each with its derivative
# written from y)
DENSE_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")


class FusedDense(Function):
    # y = act(x @ W + b)      dx = g @ Wᵀ,  dW = xᵀ @ g,  db = Σ_rows g,  where g = gy · act' (from y)
    # act' from the output y (ops.activations.FUSED_ACTIVATIONS):  relu: [y > 0]   sigmoid: y (1 - y)
    #   tanh: 1 - y²   linear: 1
    # x: (..., k) with its leading axes flattened into rows, W: (k, m), b: (m,) or absent
    # Rows are independent: a slice s of them computes y[s] and gx[s] and its part of dW and db (added
    # up in slice order); the runtime decides how the rows run (neuronet.runtime.rows, which also
    # holds the rule for large products on BLAS's threads: gemm_macs).
    def forward(self, x, kernel, bias=None, activation="linear"):
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
        rows, (k, m) = len(x2), kernel.shape
        self.x2, self.kernel, self.bias, self.x_shape = x2, kernel, bias, x.shape
        self.act = None if activation == "linear" else FUSED_ACTIVATIONS[activation]  # linear: nothing to do
        self.y = np.empty((rows, m), np.result_type(x2, kernel))
        # per row: x, y and the GEMM's k·m multiply-adds
        self.rows = runtime.plan_rows(rows, k + m + k * m / 16, gemm_macs=rows * k * m)
        self.rows.map(self._forward_rows)
        y = self.y
        return y.reshape(x.shape[:-1] + y.shape[-1:]) if x.ndim != 2 else y

    def _forward_rows(self, _, s):
        ys = self.y[s]
        np.matmul(self.x2[s], self.kernel, out=ys)
        if self.bias is not None:
            ys += self.bias
        if self.act is not None:
            self.act.forward(ys, out=ys)

    def backward(self, gy):
        self.gy = gy.reshape(self.y.shape) if gy.ndim != 2 else gy
        self.gx = np.empty(self.x2.shape, self.gy.dtype) if self.needs_input_grad[0] else None
        gw, gb = self.rows.map_sum(self._backward_rows)
        gx, self.gx, self.gy = self.gx, None, None
        return (None if gx is None else gx.reshape(self.x_shape)), gw, gb

    def _backward_rows(self, _, s):
        g, y = self.gy[s], self.y[s]
        if self.act is not None:
            g = self.act.backward(g, y)  # a new array: gy is never written to
        need_x, need_w, need_b = self.needs_input_grad
        if need_x:
            np.matmul(g, self.kernel.T, out=self.gx[s])
        return (self.x2[s].T @ g if need_w else None), (g.sum(axis=0) if need_b else None)


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
