"""The differentiable-function contract and the backward pass.

A :class:`Function` computes its forward on raw NumPy arrays and keeps, by name, what its backward
needs. Its backward receives the gradient of the loss with respect to its output (``gy``) and returns
one gradient per input — ``None`` for inputs whose ``needs_input_grad`` is False, which it need not
compute at all. Gradients whose shape was broadcast in the forward are summed back to the input's
shape here, in :func:`unbroadcast`, and nowhere else.

Example — the whole of multiplication::

    class Multiply(Function):
        def forward(self, a, b):
            self.a, self.b = a, b
            return a * b

        def backward(self, gy):
            ga = gy * self.b if self.needs_input_grad[0] else None
            gb = gy * self.a if self.needs_input_grad[1] else None
            return ga, gb
"""

from __future__ import annotations

import contextlib

import numpy as np

from .tensor import Tensor

_state = {"grad_enabled": True}


def is_grad_enabled() -> bool:
    """True unless inside a :func:`no_grad` block."""
    return _state["grad_enabled"]


class no_grad(contextlib.ContextDecorator):
    """Context manager (or decorator) in which ops record no graph: for inference and updates.

    Example::

        with neuronet.no_grad():
            y = model(x)          # y.requires_grad is False, nothing is kept for backward
    """

    def __enter__(self):
        self._prev = _state["grad_enabled"]
        _state["grad_enabled"] = False
        return self

    def __exit__(self, *exc):
        _state["grad_enabled"] = self._prev
        return False


class enable_grad(contextlib.ContextDecorator):
    """Context manager that turns graph recording back on inside a :class:`no_grad` block."""

    def __enter__(self):
        self._prev = _state["grad_enabled"]
        _state["grad_enabled"] = True
        return self

    def __exit__(self, *exc):
        _state["grad_enabled"] = self._prev
        return False


class Function:
    """Base class of every differentiable op: ``forward`` and ``backward`` side by side.

    Use an op through ``MyOp.apply(*inputs, **params)``: inputs may be Tensors or constants
    (arrays, Python numbers); ``params`` are passed to ``forward`` as keyword arguments. ``forward``
    returns an ndarray, or a tuple of ndarrays for an op with several outputs (``apply`` then returns
    a tuple of Tensors, and ``backward`` receives a tuple of output gradients, zeros for outputs that
    did not reach the loss).
    """

    # inputs: the Tensors/constants given to apply; needs_input_grad: one bool per input.
    inputs: tuple
    needs_input_grad: tuple

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, gy):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        fn = cls()
        out = fn.forward(*[x.data if isinstance(x, Tensor) else x for x in inputs], **kwargs)
        if _state["grad_enabled"]:
            needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
            if True in needs:
                fn.inputs = inputs
                fn.needs_input_grad = needs
                if isinstance(out, tuple):
                    fn._out_meta = [(o.shape, o.dtype) for o in out]
                    fn._out_grads = [None] * len(out)
                    return tuple(Tensor._from_op(o, fn, i) for i, o in enumerate(out))
                fn._out_meta = None
                fn._out_grads = [None]
                return Tensor._from_op(out, fn, 0)
        if isinstance(out, tuple):
            return tuple(Tensor._wrap(o) for o in out)
        return Tensor._wrap(out)


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it takes ``shape``.

    This is the chain rule for broadcasting: an input copied along an axis receives the sum of the
    gradients of all its copies.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


_FREED = (
    "backward: the graph through this tensor was already freed by an earlier backward() call; "
    "call backward(retain_graph=True) the first time to reuse it"
)


def _topological_order(root_fn: Function) -> list:
    """Functions reachable from ``root_fn``, each after every function that consumes its outputs."""
    # a function is marked when it is expanded (not when pushed), so it is finished only after
    # every function feeding it, whichever path reaches it first
    order, seen = [], set()
    stack = [(root_fn, False)]
    while stack:
        fn, done = stack.pop()
        if done:
            order.append(fn)
            continue
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        if getattr(fn, "inputs", None) is None:
            raise RuntimeError(_FREED)
        stack.append((fn, True))
        for x in fn.inputs:
            parent = x._ctx if isinstance(x, Tensor) else None
            if parent is not None and id(parent) not in seen:
                stack.append((parent, False))
    order.reverse()
    return order


def _accumulate(x: Tensor, g: np.ndarray) -> None:
    """Add gradient ``g`` into input ``x``: its producing op's slot, or ``x.grad`` for a leaf."""
    if g.shape != x.data.shape:
        g = unbroadcast(g, x.data.shape)
    if g.dtype != x.data.dtype:
        g = g.astype(x.data.dtype)
    fn = x._ctx
    if fn is None:
        x.grad = g if x.grad is None else x.grad + g
        return
    slot = fn._out_grads
    i = x._index
    slot[i] = g if slot[i] is None else slot[i] + g
    if x._retains_grad:
        x.grad = slot[i]


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """Backpropagate from ``root``: walk its graph in reverse topological order, applying the chain
    rule at each op and accumulating (``+=``) gradients into the leaves' ``.grad``."""
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad (no trainable input reached it)")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be omitted only for a scalar output, received shape {root.shape}"
            )
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.data.dtype)
        if grad.shape != root.data.shape:
            raise ValueError(f"backward: expected grad of shape {root.shape}, received {grad.shape}")
    if root._ctx is None:
        root.grad = grad if root.grad is None else root.grad + grad
        return
    if getattr(root._ctx, "inputs", None) is None:
        raise RuntimeError(_FREED)
    _accumulate(root, grad)
    for fn in _topological_order(root._ctx):
        gys = fn._out_grads
        if fn._out_meta is None:
            gy = gys[0]
        else:
            gy = tuple(
                g if g is not None else np.zeros(shape, dtype)
                for g, (shape, dtype) in zip(gys, fn._out_meta)
            )
        if gy is None:
            continue
        grads = fn.backward(gy)
        if not isinstance(grads, tuple):
            grads = (grads,)
        for x, need, g in zip(fn.inputs, fn.needs_input_grad, grads):
            if need and g is not None:
                _accumulate(x, g)
        if not retain_graph:
            fn.__dict__.clear()
            fn.inputs = None
        else:
            fn._out_grads = [None] * len(gys)

