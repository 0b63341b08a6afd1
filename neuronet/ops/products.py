"""Products: matmul, einsum, and the others NumPy has (tensordot, inner, outer, vdot, kron, cross),
plus ``cdist`` (pairwise Euclidean distances). The latter are composed from matmul, einsum and the
shape ops, so their gradients come from those."""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["matmul", "dot", "einsum", "tensordot", "inner", "outer", "vdot", "kron", "cross", "cdist"]


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


def dot(x1, x2) -> Tensor:
    """The dot product as ``numpy.dot``: the matrix product for 1-D and 2-D operands; for N-D operands the
    sum over the last axis of ``x1`` and the second-to-last of ``x2`` (``(2, 3, 4)·(5, 4, 6) → (2, 3, 5, 6)``,
    unlike :func:`matmul`, which broadcasts batch axes); a scalar operand multiplies."""
    a, b = _shape(x1), _shape(x2)
    if not a or not b:
        from .math import multiply

        return multiply(x1, x2)
    if len(a) <= 2 and len(b) <= 2:
        return matmul(x1, x2)
    return tensordot(x1, x2, axes=([-1], [-1 if len(b) == 1 else -2]))


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


# ----------------------------------------------------------------------------- composed products
def _shape(x) -> tuple:
    return x.data.shape if isinstance(x, Tensor) else np.shape(x)


def tensordot(x1, x2, axes=2) -> Tensor:
    """The sum of products over ``axes``: the last ``axes`` axes of ``x1`` with the first ``axes`` of ``x2``
    (an int), or the listed pairs ``(axes_of_x1, axes_of_x2)``, as ``numpy.tensordot``."""
    from .manipulation import reshape, transpose

    a_shape, b_shape = _shape(x1), _shape(x2)
    if isinstance(axes, (int, np.integer)):
        a_axes = list(range(len(a_shape) - int(axes), len(a_shape)))
        b_axes = list(range(int(axes)))
    else:
        a_axes, b_axes = ([int(v)] if isinstance(v, (int, np.integer)) else [int(i) for i in v] for v in axes)
    a_axes = [a % len(a_shape) for a in a_axes]
    b_axes = [b % len(b_shape) for b in b_axes]
    if len(a_axes) != len(b_axes) or any(a_shape[i] != b_shape[j] for i, j in zip(a_axes, b_axes)):
        raise ValueError(f"tensordot: axes {a_axes} of shape {a_shape} do not match axes {b_axes} of shape {b_shape}")
    a_free = [i for i in range(len(a_shape)) if i not in a_axes]
    b_free = [i for i in range(len(b_shape)) if i not in b_axes]
    k = int(np.prod([a_shape[i] for i in a_axes], dtype=np.int64))
    a2 = reshape(transpose(x1, a_free + a_axes), (-1, k))
    b2 = reshape(transpose(x2, b_axes + b_free), (k, -1))
    return reshape(matmul(a2, b2), tuple(a_shape[i] for i in a_free) + tuple(b_shape[i] for i in b_free))


def inner(x1, x2) -> Tensor:
    """The sum of products over the last axes of ``x1`` and ``x2`` (a plain product for scalars)."""
    from .math import multiply

    if not _shape(x1) or not _shape(x2):
        return multiply(x1, x2)
    return tensordot(x1, x2, axes=([-1], [-1]))


def outer(x1, x2) -> Tensor:
    """The outer product of the flattened ``x1`` and ``x2``: ``out[i, j] = x1[i] · x2[j]``."""
    from .manipulation import reshape
    from .math import multiply

    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def vdot(x1, x2) -> Tensor:
    """The dot product of the flattened ``x1`` and ``x2`` (a scalar)."""
    from .manipulation import reshape
    from .math import multiply
    from .reduce import sum as sum_

    return sum_(multiply(reshape(x1, (-1,)), reshape(x2, (-1,))))


def kron(x1, x2) -> Tensor:
    """The Kronecker product: blocks ``x1[i, j] · x2``, as ``numpy.kron`` (operands of any rank)."""
    from .manipulation import reshape
    from .math import multiply

    a, b = _shape(x1), _shape(x2)
    ndim = max(len(a), len(b))
    a = (1,) * (ndim - len(a)) + tuple(a)
    b = (1,) * (ndim - len(b)) + tuple(b)
    a_spread = reshape(x1, tuple(d for n in a for d in (n, 1)))
    b_spread = reshape(x2, tuple(d for n in b for d in (1, n)))
    return reshape(multiply(a_spread, b_spread), tuple(i * j for i, j in zip(a, b)))


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None) -> Tensor:
    """The cross product of 3-vectors (or 2-vectors, taken with z = 0) along the given axes, as
    ``numpy.cross``; ``axis`` sets all three."""
    from .manipulation import moveaxis, stack, take
    from .math import multiply, subtract

    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(x1, axisa, -1), moveaxis(x2, axisb, -1)
    na, nb = _shape(a)[-1], _shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"cross: the vectors must have 2 or 3 components, received {na} and {nb}")

    def component(v, n, i):
        return take(v, i, axis=-1) if i < n else 0.0

    a0, a1, a2 = (component(a, na, i) for i in range(3))
    b0, b1, b2 = (component(b, nb, i) for i in range(3))
    z = subtract(multiply(a0, b1), multiply(a1, b0))
    if na == 2 and nb == 2:
        return z
    out = stack([subtract(multiply(a1, b2), multiply(a2, b1)), subtract(multiply(a2, b0), multiply(a0, b2)), z],
                axis=-1)
    return moveaxis(out, -1, axisc)


def cdist(x, y) -> Tensor:
    """Pairwise Euclidean distances: ``out[..., i, j] = ‖x[..., i, :] - y[..., j, :]‖`` for ``x`` of shape
    ``(..., m, d)`` and ``y`` of shape ``(..., n, d)``."""
    from .manipulation import expand_dims
    from .math import sqrt, square, subtract
    from .reduce import sum as sum_

    a, b = _shape(x), _shape(y)
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        raise ValueError(f"cdist: expected x (..., m, d) and y (..., n, d) with the same d, received {a} and {b}")
    diff = subtract(expand_dims(x, -2), expand_dims(y, -3))
    return sqrt(sum_(square(diff), axis=-1))
