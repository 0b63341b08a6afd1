"""Matrix products."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["matmul", "dot", "einsum"]


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
