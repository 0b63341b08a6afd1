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
import itertools
import operator

import numpy as np

from .tensor import Tensor, _as_array, _engine

_state = {"grad_enabled": True}
_creation_counter = itertools.count()  # numbers recorded ops in creation order (see _reachable)
_creation_order = operator.attrgetter("_seq")


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

    # Set by apply when the op is recorded in the graph:
    #   inputs            the Tensors/constants given to apply
    #   needs_input_grad  one bool per input: backward may return None for the others
    #   _seq              creation number; backward runs ops from the highest down (a topological order)
    #   _out_grads        one slot per output, where the gradients of its consumers are summed
    inputs: tuple
    needs_input_grad: tuple
    # (shape, dtype) of each output of a multi-output op (None for the usual single output)
    _out_meta = None

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, gy):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        # The hot path of every op: one pass over the inputs unwraps Tensors and notes which need a
        # gradient; the graph is recorded only when one does (and grad mode is on).
        fn = cls()
        if not _state["grad_enabled"]:  # inference: unwrap, compute, wrap
            arrays = [x.data if isinstance(x, Tensor) else _as_array(x) if type(x) is list else x for x in inputs]
            out = fn.forward(*arrays, **kwargs)
            return tuple(Tensor._wrap(o) for o in out) if type(out) is tuple else Tensor._wrap(out)
        arrays = []
        needs = []
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x.data)
                needs.append(x.requires_grad)
            else:  # a constant: numbers stay Python numbers (they adapt to the Tensor's dtype)
                arrays.append(_as_array(x) if type(x) is list else x)
                needs.append(False)
        out = fn.forward(*arrays, **kwargs)
        if True in needs:
            fn.inputs = inputs
            fn.needs_input_grad = tuple(needs)
            fn._seq = next(_creation_counter)
            if type(out) is tuple:
                fn._out_meta = [(o.shape, o.dtype) for o in out]
                fn._out_grads = [None] * len(out)
                return tuple(Tensor._from_op(o, fn, i) for i, o in enumerate(out))
            fn._out_grads = [None]
            return Tensor._from_op(out, fn, 0)
        if type(out) is tuple:
            return tuple(Tensor._wrap(o) for o in out)
        return Tensor._wrap(out)


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so it takes ``shape``.

    This is the chain rule for broadcasting: an input copied along an axis receives the sum of the
    gradients of all its copies. It is applied by the engine to every gradient whose shape differs
    from its input's, so ops never undo broadcasting themselves.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra == 1 and grad.shape[1:] == shape:  # the common case: a bias added to a batch
        return grad.sum(axis=0)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    return grad.sum(axis=axes).reshape(shape)


_FREED = (
    "backward: the graph through this tensor was already freed by an earlier backward() call; "
    "call backward(retain_graph=True) the first time to reuse it"
)


def _reachable(root_fn: Function) -> list:
    """Functions whose outputs lead to ``root_fn`` (itself included), latest-created first.

    Every op is created after the ops that made its inputs, so reverse creation order is a reverse
    topological order: each function comes after all functions that consume its outputs.
    """
    seen = {root_fn}
    stack = [root_fn]
    while stack:
        fn = stack.pop()
        if fn.inputs is None:
            raise RuntimeError(_FREED)
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            if need:
                parent = x._ctx
                if parent is not None and parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
    return sorted(seen, key=_creation_order, reverse=True)


def _own(g: np.ndarray) -> np.ndarray:
    """``g`` itself, or a writable copy when it is a read-only view (a broadcast): a leaf's ``.grad``
    can then be scaled or clipped in place."""
    return g if g.flags.writeable else g.copy()


def _accumulate(x: Tensor, g: np.ndarray) -> None:
    """Add gradient ``g`` into input ``x``: its producing op's slot, or ``x.grad`` for a leaf."""
    data = x.data
    if g.shape != data.shape:
        g = unbroadcast(g, data.shape)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    fn = x._ctx
    if fn is None:
        x.grad = _own(g) if x.grad is None else x.grad + g
        return
    slot = fn._out_grads
    i = x._index
    slot[i] = g if slot[i] is None else slot[i] + g
    if x._retains_grad:
        x.grad = slot[i]


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """Backpropagate from ``root``: apply the chain rule at each op in reverse topological order and
    accumulate (``+=``) the gradients into the leaves' ``.grad``.

    Gradients of different leaves may share memory (``a + b`` hands the same array to both): treat
    ``.grad`` as read-only, or copy it first.
    """
    if not root.requires_grad:
        raise RuntimeError("backward: this tensor does not require grad (no trainable input reached it)")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"backward: grad can be omitted only for a scalar output, received shape {root.shape}"
            )
        grad = np.ones(root.data.shape, root.data.dtype)
    else:
        grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=root.data.dtype)
        if grad.shape != root.data.shape:
            raise ValueError(f"backward: expected grad of shape {root.shape}, received {grad.shape}")
    root_fn = root._ctx
    if root_fn is None:
        root.grad = grad if root.grad is None else root.grad + grad
        return
    if getattr(root_fn, "inputs", None) is None:
        raise RuntimeError(_FREED)
    _accumulate(root, grad)
    for fn in _reachable(root_fn):
        gys = fn._out_grads
        if fn._out_meta is None:
            gy = gys[0]
        else:
            gy = tuple(
                g if g is not None else np.zeros(shape, dtype)
                for g, (shape, dtype) in zip(gys, fn._out_meta)
            )
        if gy is not None:  # else no gradient reached this op (e.g. a branch stopped below the loss)
            grads = fn.backward(gy)
            if type(grads) is not tuple:
                grads = (grads,)
            for x, need, g in zip(fn.inputs, fn.needs_input_grad, grads):
                if need and g is not None:  # _accumulate(x, g), inlined: this runs once per graph edge
                    data = x.data
                    if g.shape != data.shape:
                        g = unbroadcast(g, data.shape)
                    if g.dtype != data.dtype:
                        g = g.astype(data.dtype)
                    parent = x._ctx
                    if parent is None:
                        x.grad = _own(g) if x.grad is None else x.grad + g
                        continue
                    slot = parent._out_grads
                    i = x._index
                    slot[i] = g if slot[i] is None else slot[i] + g
                    if x._retains_grad:
                        x.grad = slot[i]
        if retain_graph:
            fn._out_grads = [None] * len(gys)
        else:
            fn.__dict__.clear()
            fn.inputs = None


_engine["backward"] = backward
