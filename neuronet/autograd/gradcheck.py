"""Gradient checking: compare backpropagation with central finite differences, in float64.

This is how every op, layer and loss in neuronet is proven correct, and you can use it on your own::

    >>> from neuronet.autograd import gradcheck
    >>> gradcheck(lambda x: (x * x).sum(), [np.random.randn(3, 4)])   # raises if backward is wrong
    True

The checked function maps Tensors to a Tensor ``y``. The scalar that is differentiated is
``Σ y · r`` with a fixed random ``r``, so every output element's gradient takes part.
"""

from __future__ import annotations

import numpy as np

from .function import enable_grad
from .tensor import Tensor

ELEMENTWISE_LIMIT = 64  # inputs with at most this many elements are checked element by element


class GradcheckError(AssertionError):
    """Raised when analytic and numeric gradients disagree."""


def _as_outputs(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


def gradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              wrt=None, directions: int = 6, seed: int = 0, params=()) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Args:
        fn: callable taking Tensors (one per input) and returning a Tensor or a tuple of Tensors.
        inputs: arrays; converted to float64 Tensors that require grad.
        eps: finite-difference step. Defaults to 1e-6.
        atol, rtol: each element must satisfy ``|analytic - numeric| <= atol + rtol * |numeric|``.
        wrt: indices of the inputs to check (defaults to all floating inputs).
        directions: for inputs larger than 64 elements, the number of random directions ``v``
            along which ``<grad, v>`` is compared with ``(f(x + eps v) - f(x - eps v)) / 2 eps``.
        seed: seed of the output weights and directions.
        params: extra Tensors (e.g. a layer's weights) whose ``.data`` is perturbed in place and
            whose ``.grad`` is checked too. They must be float64 and require grad.

    Returns:
        True; raises :class:`GradcheckError` naming the input and the worst element otherwise.
    """
    rng = np.random.default_rng(seed)
    tensors = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) if not isinstance(x, Tensor)
               else x for x in inputs]
    if wrt is None:
        wrt = [i for i, t in enumerate(tensors) if np.issubdtype(t.dtype, np.floating)]
    targets = [(f"input {i}", tensors[i]) for i in wrt]
    targets += [(f"param {getattr(p, 'name', None) or k}", p) for k, p in enumerate(params)]
    for name, t in targets:
        if t.dtype != np.float64:
            raise TypeError(f"gradcheck: {name} must be float64, received {t.dtype}")
    with enable_grad():
        outs = _as_outputs(fn(*tensors))
    weights = [rng.standard_normal(o.shape) for o in outs]

    def scalar() -> float:
        with enable_grad():
            ys = _as_outputs(fn(*tensors))
        return float(sum(np.sum(y.data * w) for y, w in zip(ys, weights)))

    for _, t in targets:
        t.grad = None
    total = None
    for o, w in zip(outs, weights):
        if o.requires_grad:
            term = (o * Tensor(w)).sum()
            total = term if total is None else total + term
    if total is None:
        raise GradcheckError("gradcheck: no output depends on the checked inputs")
    total.backward()

    for name, t in targets:
        analytic = np.zeros_like(t.data) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
        data = t.data
        if data.size <= ELEMENTWISE_LIMIT:
            numeric = np.zeros_like(data)
            for idx in np.ndindex(data.shape):
                old = data[idx]
                data[idx] = old + eps
                plus = scalar()
                data[idx] = old - eps
                minus = scalar()
                data[idx] = old
                numeric[idx] = (plus - minus) / (2 * eps)
            err = np.abs(analytic - numeric)
            bad = err > atol + rtol * np.abs(numeric)
            if bad.any():
                worst = np.unravel_index(np.argmax(err - rtol * np.abs(numeric)), data.shape)
                raise GradcheckError(
                    f"gradcheck: {name} (shape {data.shape}) disagrees at {tuple(int(i) for i in worst)}: "
                    f"analytic {analytic[worst]:.8g}, numeric {numeric[worst]:.8g}"
                )
        else:
            original = data.copy()
            for d in range(directions):
                v = rng.standard_normal(data.shape)
                data[...] = original + eps * v
                plus = scalar()
                data[...] = original - eps * v
                minus = scalar()
                data[...] = original
                numeric = (plus - minus) / (2 * eps)
                projected = float(np.sum(analytic * v))
                if abs(projected - numeric) > atol + rtol * abs(numeric):
                    raise GradcheckError(
                        f"gradcheck: {name} (shape {data.shape}) disagrees along random direction {d}: "
                        f"analytic {projected:.8g}, numeric {numeric:.8g}"
                    )
    return True
