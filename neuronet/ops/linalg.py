"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["matmul", "dot"]


class MatMul(Function):
    # y = a @ b      da = gy @ bᵀ,  db = aᵀ @ gy   (batched over leading axes; 1-D operands promoted)
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, gy):
        a, b = self.a, self.b
        if a.ndim == 2 and b.ndim == 2:  # the common case (Dense layers), without the batching rules below
            ga = gy @ b.T if self.needs_input_grad[0] else None
            gb = a.T @ gy if self.needs_input_grad[1] else None
            return ga, gb
        ga = gb = None
        if a.ndim == 1:
            a2 = a[None, :]
            gy2 = gy[..., None, :] if b.ndim > 1 else gy[..., None]
        else:
            a2, gy2 = a, gy
        if b.ndim == 1:
            b2 = b[:, None]
            gy2 = gy2[..., None]
        else:
            b2 = b
        if self.needs_input_grad[0]:
            ga = gy2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:]) if ga.ndim > 2 else ga[0]
            if ga.ndim > a.ndim:  # a was broadcast over batch axes
                ga = ga.sum(axis=tuple(range(ga.ndim - a.ndim)))
        if self.needs_input_grad[1]:
            if a2.ndim == 2 and gy2.ndim == 2:
                gb = a2.T @ gy2
            else:
                gb = np.swapaxes(a2, -1, -2) @ gy2
            if b.ndim == 1:
                gb = gb[..., 0]
            if gb.ndim > b.ndim:
                gb = gb.sum(axis=tuple(range(gb.ndim - b.ndim)))
        return ga, gb


def matmul(x1, x2) -> Tensor:
    """Matrix product ``x1 @ x2`` with NumPy's rules.

    2-D operands give the usual product; N-D operands are stacks of matrices over the leading axes
    (broadcast against each other); a 1-D first operand is treated as a row vector and a 1-D second
    operand as a column vector, and the added axis is removed from the result.

    Shapes: ``(..., n, k) @ (..., k, m) -> (..., n, m)``.
    """
    return MatMul.apply(x1, x2)


dot = matmul
