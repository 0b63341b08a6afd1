"""Linear algebra (``keras.ops.linalg``): inverses, determinants, solves and decompositions of matrices
(the last two axes; leading axes are a batch), each backward beside its forward.

Notation: ``Aᵀ`` swaps the last two axes; ``gY`` is the gradient reaching an output ``Y``. The formulas
are the standard matrix-calculus results (Giles 2008, "Extended collection of matrix derivative results";
Murray 2016 for Cholesky; Townsend 2016 for the SVD), as PyTorch and TensorFlow implement them.
Decompositions of symmetric matrices (``cholesky``, ``eigh``) read one triangle, as NumPy: their
gradients are for symmetric inputs. ``eig``, ``lu_factor`` and ``matrix_rank`` have no gradient.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from . import math as m

__all__ = [
    "inv", "det", "slogdet", "logdet", "solve", "solve_triangular", "cholesky", "cholesky_inverse", "eigh", "eig",
    "qr", "svd", "pinv", "lstsq", "lu_factor", "matrix_rank", "singular_values",
]


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _square(name: str, x) -> None:
    shape = _data(x).shape
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"{name}: expected square matrices (..., n, n), received shape {shape}")


def _floats(x):
    data = _data(x)
    return x if data.dtype.kind == "f" else data.astype("float32")


class Inv(Function):
    # Y = A⁻¹       gA = -Yᵀ gY Yᵀ
    def forward(self, a):
        self.y = np.linalg.inv(a)
        return self.y

    def backward(self, gy):
        yt = _t(self.y)
        return -(yt @ gy @ yt)


def inv(x) -> Tensor:
    """The inverse of each square matrix (``LinAlgError`` for a singular one)."""
    _square("inv", x)
    return Inv.apply(_floats(x))


class Det(Function):
    # d = det A       gA = gd · d · A⁻ᵀ
    def forward(self, a):
        self.a, self.d = a, np.linalg.det(a)
        return self.d

    def backward(self, gy):
        return (gy * self.d)[..., None, None] * _t(np.linalg.inv(self.a))


def det(x) -> Tensor:
    """The determinant of each square matrix (its gradient needs an invertible matrix)."""
    _square("det", x)
    return Det.apply(_floats(x))


class LogAbsDet(Function):
    # l = log |det A|       gA = gl · A⁻ᵀ
    def forward(self, a):
        self.a = a
        sign, self.logabs = np.linalg.slogdet(a)
        self.sign = sign
        return self.logabs

    def backward(self, gy):
        return gy[..., None, None] * _t(np.linalg.inv(self.a))


def slogdet(x) -> tuple:
    """``(sign, log|det|)`` of each square matrix: the sign (a constant) and the log of the absolute
    determinant (differentiable), stable where ``det`` would overflow."""
    _square("slogdet", x)
    logabs = LogAbsDet.apply(_floats(x))
    sign = np.linalg.slogdet(_data(_floats(x)))[0]
    return Tensor._wrap(np.asarray(sign)), logabs


def logdet(x) -> Tensor:
    """``log(det(x))`` of each (positive definite) matrix: NaN where the determinant is negative."""
    sign, logabs = slogdet(x)
    return m.where(sign.data > 0, logabs, np.nan)


class Solve(Function):
    # X = A⁻¹ B        gB = A⁻ᵀ gX,  gA = -gB Xᵀ   (a vector b is taken as one column)
    def forward(self, a, b, triangle):
        if triangle is not None:  # only the lower/upper triangle of A is read
            a = np.tril(a) if triangle == "lower" else np.triu(a)
        self.a, self.triangle, self.vector = a, triangle, b.ndim == a.ndim - 1
        bm = b[..., None] if self.vector else b
        self.x = np.linalg.solve(a, bm)
        return self.x[..., 0] if self.vector else self.x

    def backward(self, gy):
        g = gy[..., None] if self.vector else gy
        gb = np.linalg.solve(_t(self.a), g)
        ga = -(gb @ _t(self.x)) if self.needs_input_grad[0] else None
        if ga is not None and self.triangle is not None:
            ga = np.tril(ga) if self.triangle == "lower" else np.triu(ga)
        if self.vector:
            gb = gb[..., 0]
        return ga, (gb if self.needs_input_grad[1] else None)


def _check_solve(name: str, a, b) -> None:
    _square(name, a)
    n, bs = _data(a).shape[-1], _data(b).shape
    if not bs or (bs[-1] != n and (len(bs) < 2 or bs[-2] != n)):
        raise ValueError(f"{name}: b of shape {bs} does not match matrices a of shape {_data(a).shape}")


def solve(a, b) -> Tensor:
    """``x`` with ``a @ x = b``: ``b`` of shape ``(..., n, k)`` (columns) or ``(..., n)`` (one vector)."""
    _check_solve("solve", a, b)
    return Solve.apply(_floats(a), _floats(b), triangle=None)


def solve_triangular(a, b, lower: bool = False) -> Tensor:
    """:func:`solve` for a triangular ``a``: only its lower (``lower=True``) or upper triangle is read."""
    _check_solve("solve_triangular", a, b)
    return Solve.apply(_floats(a), _floats(b), triangle="lower" if lower else "upper")


class Cholesky(Function):
    # A = L Lᵀ (L lower)      P = tril(Lᵀ gL), S = ½(P + tril(P, -1)ᵀ) (symmetric),  gA = L⁻ᵀ S L⁻¹
    def forward(self, a):
        self.l = np.linalg.cholesky(a)
        return self.l

    def backward(self, gy):
        lower = self.l
        p = np.tril(_t(lower) @ gy)
        sym = 0.5 * (p + _t(np.tril(p, -1)))
        left = np.linalg.solve(_t(lower), sym)  # L⁻ᵀ S
        return _t(np.linalg.solve(_t(lower), _t(left)))  # (L⁻ᵀ (L⁻ᵀ S)ᵀ)ᵀ = L⁻ᵀ S L⁻¹


def cholesky(x, upper: bool = False) -> Tensor:
    """The Cholesky factor of each symmetric positive definite matrix: lower ``L`` with ``x = L Lᵀ``, or
    upper ``U = Lᵀ`` (``x = Uᵀ U``) with ``upper=True``."""
    _square("cholesky", x)
    lower = Cholesky.apply(_floats(x))
    return _swap(lower) if upper else lower


def _swap(x):
    from .manipulation import swapaxes

    return swapaxes(x, -1, -2)


def cholesky_inverse(x, upper: bool = False) -> Tensor:
    """The inverse of ``A = L Lᵀ`` (``Uᵀ U`` with ``upper``) from its Cholesky factor ``x``."""
    from .products import matmul

    _square("cholesky_inverse", x)
    product = matmul(_swap(x), x) if upper else matmul(x, _swap(x))
    return inv(product)


class Eigh(Function):
    # A = V diag(w) Vᵀ     gA = V (diag(gw) + F ∘ (Vᵀ gV)) Vᵀ,  F_ij = 1 / (w_j - w_i) (i ≠ j), 0 on the diagonal
    def forward(self, a):
        self.w, self.v = np.linalg.eigh(a)
        return self.w, self.v

    def backward(self, grads):
        gw, gv = grads
        w, v = self.w, self.v
        diff = w[..., None, :] - w[..., :, None]
        with np.errstate(divide="ignore"):
            f = np.where(diff == 0, 0.0, 1.0 / np.where(diff == 0, 1.0, diff))
        inner = f * (_t(v) @ gv)
        inner = inner + np.einsum("...i,ij->...ij", gw, np.eye(w.shape[-1]))
        return v @ inner @ _t(v)


def eigh(x) -> tuple:
    """``(w, v)``: the eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix (its
    lower triangle is read). Differentiable for distinct eigenvalues."""
    _square("eigh", x)
    return Eigh.apply(_floats(x))


def eig(x) -> tuple:
    """``(w, v)``: eigenvalues and eigenvectors of each square matrix — complex in general (no gradient)."""
    _square("eig", x)
    w, v = np.linalg.eig(_data(x))
    return Tensor._wrap(w), Tensor._wrap(v)


class QR(Function):
    # A = Q R (reduced, m ≥ n)     (TensorFlow's QrGrad)
    # M = tril(Qᵀ gQ - gQᵀ Q + R gRᵀ - gR Rᵀ),  gA = Q (gR + M R⁻ᵀ) + (gQ - Q Qᵀ gQ) R⁻ᵀ
    def forward(self, a, mode):
        self.q, self.r = np.linalg.qr(a, mode=mode)
        self.mode = mode
        return self.q, self.r

    def backward(self, grads):
        gq, gr = grads
        q, r = self.q, self.r
        if self.mode != "reduced" or q.shape[-1] != r.shape[-1]:
            raise ValueError("qr: gradients are only defined for mode='reduced' with rows >= columns")
        qdq = _t(q) @ gq
        rdr = r @ _t(gr)
        lower = np.tril(qdq - _t(qdq) + rdr - _t(rdr))
        r_inv_t = _t(np.linalg.inv(r))
        return q @ (gr + lower @ r_inv_t) + (gq - q @ qdq) @ r_inv_t


def qr(x, mode: str = "reduced") -> tuple:
    """``(q, r)``: orthonormal ``q`` and upper-triangular ``r`` with ``x = q r`` ('reduced' or 'complete').
    Differentiable for 'reduced' with at least as many rows as columns."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', received {mode!r}")
    if _data(x).ndim < 2:
        raise ValueError(f"qr: expected matrices (..., m, n), received shape {_data(x).shape}")
    return QR.apply(_floats(x), mode=mode)


class SVD(Function):
    # A = U S Vᵀ (reduced), F_ij = 1/(s_j² - s_i²) (i ≠ j), J = F ∘ (Uᵀ gU), K = F ∘ (Vᵀ gV)
    # gA = U [(J + Jᵀ) S + diag(gS) + S (K + Kᵀ)] Vᵀ + (I - U Uᵀ) gU S⁻¹ Vᵀ + U S⁻¹ gVᵀ (I - V Vᵀ)
    def forward(self, a, full_matrices):
        self.u, self.s, self.vh = np.linalg.svd(a, full_matrices=full_matrices)
        return self.u, self.s, self.vh

    def backward(self, grads):
        gu, gs, gvh = grads
        k = self.s.shape[-1]
        u, s, v = self.u[..., :k], self.s, _t(self.vh[..., :k, :])
        gu, gv = gu[..., :k], _t(gvh[..., :k, :])
        s2 = s * s
        diff = s2[..., None, :] - s2[..., :, None]
        f = np.where(diff == 0, 0.0, 1.0 / np.where(diff == 0, 1.0, diff))
        j = f * (_t(u) @ gu)
        kk = f * (_t(v) @ gv)
        smat = s[..., None, :] * np.eye(k)  # diag(S)
        inner = (j + _t(j)) @ smat + gs[..., None, :] * np.eye(k) + smat @ (kk + _t(kk))
        ga = u @ inner @ _t(v)
        s_inv = 1.0 / s
        m_rows, n_cols = u.shape[-2], v.shape[-2]
        if m_rows > k:
            ga = ga + (gu - u @ (_t(u) @ gu)) * s_inv[..., None, :] @ _t(v)
        if n_cols > k:
            ga = ga + (u * s_inv[..., None, :]) @ _t(gv - v @ (_t(v) @ gv))
        return ga


class SingularValues(Function):
    # s = singular values of A       gA = U diag(gs) Vᵀ
    def forward(self, a):
        self.u, s, self.vh = np.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, gy):
        return (self.u * gy[..., None, :]) @ self.vh


def singular_values(x) -> Tensor:
    """The singular values of each matrix, descending (differentiable: ``gA = U diag(gs) Vᵀ``)."""
    return SingularValues.apply(_floats(x))


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """``(u, s, vh)`` with ``x = u · diag(s) · vh`` (NumPy's convention: the third factor is Vᵀ), or the
    singular values ``s`` alone when ``compute_uv`` is False. Differentiable for distinct nonzero singular
    values (the extra columns of ``full_matrices`` receive no gradient)."""
    if _data(x).ndim < 2:
        raise ValueError(f"svd: expected matrices (..., m, n), received shape {_data(x).shape}")
    if not compute_uv:
        return singular_values(x)
    return SVD.apply(_floats(x), full_matrices=bool(full_matrices))


class PInv(Function):
    # P = A⁺ (Moore-Penrose)     gA = -Pᵀ G Pᵀ + (I - A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I - P A)   (constant rank)
    def forward(self, a, rcond):
        self.a = a
        self.p = np.linalg.pinv(a, rcond=rcond) if rcond is not None else np.linalg.pinv(a)
        return self.p

    def backward(self, gy):
        a, p = self.a, self.p
        pt, gt = _t(p), _t(gy)
        eye_m, eye_n = np.eye(a.shape[-2]), np.eye(a.shape[-1])
        return -(pt @ gy @ pt) + (eye_m - a @ p) @ gt @ p @ pt + pt @ p @ gt @ (eye_n - p @ a)


def pinv(x, rcond=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each matrix (singular values below ``rcond`` times the largest
    treated as 0). Differentiable where the rank does not change."""
    if _data(x).ndim < 2:
        raise ValueError(f"pinv: expected matrices (..., m, n), received shape {_data(x).shape}")
    return PInv.apply(_floats(x), rcond=rcond)


def lstsq(a, b, rcond=None) -> Tensor:
    """The least-squares solution ``x`` minimizing ``‖a x - b‖`` (the smallest one when several do):
    ``pinv(a) @ b``, differentiable in both."""
    from .products import matmul

    a_shape, b_shape = _data(a).shape, _data(b).shape
    if len(a_shape) != 2 or len(b_shape) not in (1, 2) or b_shape[0] != a_shape[0]:
        raise ValueError(f"lstsq: expected a (m, n) and b (m,) or (m, k), received {a_shape} and {b_shape}")
    return matmul(pinv(a, rcond=rcond), _floats(b))


def lu_factor(x) -> tuple:
    """``(lu, pivots)`` as ``scipy.linalg.lu_factor``: L (unit diagonal, below) and U (on and above) packed
    in one matrix, and the row swapped with each row (0-based) by partial pivoting. No gradient."""
    _square("lu_factor", x)
    lu = np.array(_data(_floats(x)), dtype=np.float64 if _data(x).dtype == np.float64 else np.float32)
    n = lu.shape[-1]
    flat = lu.reshape(-1, n, n)
    pivots = np.zeros((flat.shape[0], n), np.int32)
    rows = np.arange(flat.shape[0])
    for k in range(n):
        p = k + np.argmax(np.abs(flat[:, k:, k]), axis=1)
        pivots[:, k] = p
        row_k, row_p = flat[rows, k].copy(), flat[rows, p].copy()
        flat[rows, k], flat[rows, p] = row_p, row_k
        pivot = flat[:, k, k]
        safe = np.where(pivot == 0, 1, pivot)
        flat[:, k + 1:, k] /= safe[:, None]
        flat[:, k + 1:, k + 1:] -= flat[:, k + 1:, k:k + 1] * flat[:, k:k + 1, k + 1:]
    return Tensor._wrap(flat.reshape(lu.shape)), Tensor._wrap(pivots.reshape(lu.shape[:-1]))


def matrix_rank(x, tol=None) -> Tensor:
    """The rank of each matrix: the number of singular values above ``tol`` (default: the largest times
    max(m, n) times the dtype's epsilon). No gradient."""
    return Tensor._wrap(np.asarray(np.linalg.matrix_rank(_data(x), tol=tol)))
