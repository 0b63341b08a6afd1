"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["matmul", "dot", "einsum"]


class MatMul(Function):
    # y = a @ b      da = gy @ bᵀ,  db = aᵀ @ gy   (batched over leading axes; 1-D operands promoted)
    # Gradients of operands broadcast over batch axes come back in the broadcast shape; the engine
    # sums them down (autograd.unbroadcast), as for every op.
    def forward(self, a, b):
        self.a, self.b = a, b
        if b.ndim == 2 and a.ndim > 2:  # a stack of rows times one matrix: a single GEMM
            return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    def backward(self, gy):
        a, b = self.a, self.b
        need_a, need_b = self.needs_input_grad
        if b.ndim == 2 and a.ndim >= 2:  # Dense layers, on batches (2-D) or sequences (N-D): plain GEMMs
            gy2 = gy.reshape(-1, gy.shape[-1])
            ga = (gy2 @ b.T).reshape(a.shape) if need_a else None
            gb = a.reshape(-1, a.shape[-1]).T @ gy2 if need_b else None
            return ga, gb
        # general case: promote 1-D operands to matrices (a row, b a column), as matmul does
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        gy2 = gy
        if a.ndim == 1:
            gy2 = gy2[..., None, :] if b.ndim > 1 else gy2[..., None]
        if b.ndim == 1:
            gy2 = gy2[..., None]
        ga = gb = None
        if need_a:
            ga = gy2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if need_b:
            gb = np.swapaxes(a2, -1, -2) @ gy2
            if b.ndim == 1:
                gb = gb[..., 0]
        return ga, gb


def matmul(x1, x2) -> Tensor:
    """Matrix product ``x1 @ x2`` with NumPy's rules.

    2-D operands give the usual product; N-D operands are stacks of matrices over the leading axes
    (broadcast against each other); a 1-D first operand is treated as a row vector and a 1-D second
    operand as a column vector, and the added axis is removed from the result.

    Shapes: ``(..., n, k) @ (..., k, m) -> (..., n, m)``.
    """
    try:
        return MatMul.apply(x1, x2)
    except ValueError:
        a = np.shape(x1.data if isinstance(x1, Tensor) else x1)
        b = np.shape(x2.data if isinstance(x2, Tensor) else x2)
        if not a or not b:
            raise ValueError(f"matmul: operands must have at least one axis, received shapes {a} and {b}") from None
        k_b = b[-2] if len(b) > 1 else b[0]
        if a[-1] != k_b:
            raise ValueError(f"matmul: the last axis of x1 (shape {a}) must match the "
                             f"{'second-to-last' if len(b) > 1 else 'only'} axis of x2 (shape {b}): "
                             f"{a[-1]} != {k_b}") from None
        raise ValueError(f"matmul: the batch axes of shapes {a} and {b} cannot be broadcast together") from None


dot = matmul


class Einsum(Function):
    # y = einsum("s₁,s₂,...->out", x₁, x₂, ...)
    # dxᵢ = einsum("out,s₁,..(without sᵢ)..->sᵢ", gy, x₁, ...): the same contraction with xᵢ's place taken
    # by gy; letters only xᵢ has (summed away in y) get gy's value broadcast back along them.
    def forward(self, *operands, inputs, output):
        self.operands, self.inputs_subs, self.output = operands, inputs, output
        return np.einsum(f"{','.join(inputs)}->{output}", *operands, optimize=len(operands) > 2)

    def backward(self, gy):
        grads = []
        for i, (x, sub) in enumerate(zip(self.operands, self.inputs_subs)):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [(s, o) for j, (s, o) in enumerate(zip(self.inputs_subs, self.operands)) if j != i]
            known = set(self.output).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in sub if c in known)
            spec = ",".join([self.output] + [s for s, _ in others]) + "->" + kept
            g = np.einsum(spec, gy, *[o for _, o in others], optimize=len(others) > 1)
            if kept != sub:  # broadcast over the letters only this operand had
                g = g.reshape([x.shape[k] if c in known else 1 for k, c in enumerate(sub)])
                g = np.broadcast_to(g, x.shape)
            grads.append(g)
        return tuple(grads)


def einsum(subscripts: str, *operands) -> Tensor:
    """Einstein summation (NumPy/Keras ``einsum``), differentiable in every operand.

    Args:
        subscripts: e.g. ``"bij,bjk->bik"`` (batched matmul) or ``"bhqd,bhkd->bhqk"`` (attention
            scores). Without ``->`` the output is the letters used once, in alphabetical order.
        *operands: Tensors or arrays, one per comma-separated term.

    Ellipsis (``...``) and a letter repeated within one operand (diagonals) are not supported.
    """
    text = subscripts.replace(" ", "")
    if "." in text:
        raise ValueError(f"einsum: ellipsis is not supported, received {subscripts!r}")
    lhs, arrow, out = text.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: {subscripts!r} names {len(inputs)} operands, received {len(operands)}")
    if not arrow:
        letters = "".join(inputs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub, op in zip(inputs, operands):
        if len(set(sub)) != len(sub):
            raise ValueError(f"einsum: repeated letters within one operand are not supported, received {sub!r}")
        ndim = op.ndim if isinstance(op, Tensor) else np.ndim(op)
        if len(sub) != ndim:
            raise ValueError(f"einsum: term {sub!r} has {len(sub)} letters but its operand has rank {ndim}")
    return Einsum.apply(*operands, inputs=tuple(inputs), output=out)
