"""Control flow with Keras's signatures, run eagerly: ``cond``, ``switch``, ``while_loop``, ``fori_loop``,
``scan``, ``associative_scan``, ``map``, ``vectorized_map``, ``vectorize`` — plus ``custom_gradient`` and
``jvp``.

Execution is plain Python (each branch or step is an ordinary call), so gradients flow through whatever
the functions compute. ``jvp`` (a forward-mode product) is computed exactly from reverse mode, one
backward pass per output entry: fine for small functions.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..autograd import Function, Tensor, no_grad
from . import manipulation as s

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "associative_scan", "map", "vectorized_map",
           "vectorize", "custom_gradient", "jvp"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` is true, else ``false_fn()``."""
    return true_fn() if bool(_data(pred)) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped to the valid range (as ``lax.switch``)."""
    if not branches:
        raise ValueError("switch: branches must not be empty")
    i = builtins.min(builtins.max(int(_data(index)), 0), len(branches) - 1)
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: A002 - Keras names
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most ``maximum_iterations``
    times); a single (non-tuple) ``loop_vars`` is passed and returned as it is."""
    packed = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if packed else (loop_vars,)
    count = 0
    while (maximum_iterations is None or count < maximum_iterations) and bool(_data(cond(*state))):
        state = body(*state)
        state = tuple(state) if isinstance(state, (tuple, list)) else (state,)
        count += 1
    return state if packed else state[0]


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` to ``upper - 1``, starting at ``init_val``."""
    value = init_val
    for i in range(int(_data(lower)), int(_data(upper))):
        value = body_fun(i, value)
    return value


def _leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in _leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _rebuild(tree, leaves: list):
    """``tree``'s structure with its leaves replaced, in order, by ``leaves`` (consumed)."""
    if isinstance(tree, dict):
        return {key: _rebuild(tree[key], leaves) for key in tree}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_rebuild(item, leaves) for item in tree)
    return leaves.pop(0)


def _slice(tree, i: int):
    return _rebuild(tree, [s.getitem(leaf, i) if isinstance(leaf, Tensor) else np.asarray(leaf)[i]
                           for leaf in _leaves(tree)])


def _stack(results: list):
    """Results of the same structure stacked leaf by leaf along a new first axis."""
    if not results:
        return None
    first = results[0]
    if first is None:
        return None
    columns = list(zip(*[_leaves(r) for r in results]))
    return _rebuild(first, [s.stack([c if isinstance(c, Tensor) else Tensor(np.asarray(c)) for c in col], axis=0)
                            for col in columns])


def scan(f, init, xs=None, length=None, reverse: bool = False, unroll=1):
    """``carry, y = f(carry, x)`` for each ``x`` in ``xs`` (slices along axis 0, any nesting), as
    ``jax.lax.scan``; returns ``(final carry, the ys stacked)``. ``xs=None`` runs ``length`` steps with
    ``x = None``."""
    if xs is None:
        if length is None:
            raise ValueError("scan: give xs or length")
        steps = int(length)
    else:
        sizes = {len(_data(leaf)) for leaf in _leaves(xs)}
        if len(sizes) != 1:
            raise ValueError(f"scan: every array of xs must have the same length, received {sorted(sizes)}")
        steps = sizes.pop()
        if length is not None and int(length) != steps:
            raise ValueError(f"scan: length={length} does not match xs of length {steps}")
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    carry, ys = init, []
    for i in order:
        carry, y = f(carry, None if xs is None else _slice(xs, i))
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, _stack(ys)


def associative_scan(f, elems, reverse: bool = False, axis: int = 0):
    """The inclusive prefix combination ``out[i] = f(out[i-1], elems[i])`` along ``axis`` for an
    associative ``f`` (e.g. ``ops.add`` gives a cumulative sum); ``elems`` may be nested."""
    leaves = _leaves(elems)
    moved = [s.moveaxis(leaf, axis, 0) for leaf in leaves]
    n = len(_data(moved[0]))
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    outputs, current = [None] * n, None
    for i in order:
        item = _rebuild(elems, [s.getitem(leaf, i) for leaf in moved])
        current = item if current is None else f(current, item)
        outputs[i] = current
    stacked = _stack(outputs)
    return _rebuild(elems, [s.moveaxis(leaf, 0, axis) for leaf in _leaves(stacked)])


def map(f, xs):  # noqa: A001 - Keras name
    """``f`` applied to each slice of ``xs`` along axis 0 (any nesting), the results stacked."""
    steps = {len(_data(leaf)) for leaf in _leaves(xs)}
    if len(steps) != 1:
        raise ValueError(f"map: every array of xs must have the same length, received {sorted(steps)}")
    return _stack([f(_slice(xs, i)) for i in range(steps.pop())])


def vectorized_map(function, elements):
    """``function`` applied to each slice of ``elements`` along axis 0, the results stacked (a loop here)."""
    return map(function, elements)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` made to run on every entry (or every core slice, with a NumPy ``signature``) of its
    arguments, as ``numpy.vectorize``; the results are constant Tensors (no gradient)."""
    vectorized = np.vectorize(pyfunc, excluded=excluded or set(), signature=signature)

    def wrapped(*args, **kwargs):
        out = vectorized(*[_data(a) if isinstance(a, Tensor) else a for a in args], **kwargs)
        return tuple(Tensor._wrap(np.asarray(o)) for o in out) if isinstance(out, tuple) else Tensor._wrap(
            np.asarray(out))

    wrapped.__name__ = getattr(pyfunc, "__name__", "vectorized")
    wrapped.__doc__ = getattr(pyfunc, "__doc__", None)
    return wrapped


class CustomGradient(Function):
    # y, grad_fn = f(x...) computed without recording;   dx = grad_fn(gy)
    def forward(self, *arrays, fn):
        with no_grad():
            out, self.grad_fn = fn(*[Tensor._wrap(np.asarray(a)) for a in arrays])
        self.count = len(arrays)
        return _data(out)

    def backward(self, gy):
        with no_grad():
            grads = self.grad_fn(Tensor._wrap(gy))
        grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
        if len(grads) != self.count:
            raise ValueError(f"custom_gradient: the gradient function returned {len(grads)} gradient(s) for "
                             f"{self.count} input(s)")
        out = tuple(None if g is None else _data(g) for g in grads)
        return out if self.count > 1 else out[0]


def custom_gradient(f):
    """Decorate ``f(*inputs) -> (output, grad_fn)`` so its gradient is ``grad_fn(upstream)`` (one gradient
    per input, or a tuple), as Keras's ``ops.custom_gradient``::

        @ops.custom_gradient
        def log1pexp(x):
            e = ops.exp(x)
            def grad(*args, upstream=None):
                if upstream is None:
                    (upstream,) = args
                return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
            return ops.log(1 + e), grad
    """
    def wrapped(*inputs):
        return CustomGradient.apply(*inputs, fn=f)

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = getattr(f, "__doc__", None)
    return wrapped


def jvp(fun, primals, tangents, has_aux: bool = False):
    """The Jacobian-vector product: ``(fun(*primals), J·tangents)`` (and ``fun``'s auxiliary output with
    ``has_aux``), as ``jax.jvp``. Computed exactly with reverse mode, one backward pass per output entry."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    inputs = [Tensor(np.array(_data(p), dtype=_data(p).dtype if _data(p).dtype.kind == "f" else "float32"),
                     requires_grad=True) for p in primals]
    result = fun(*inputs)
    out, aux = (result[0], result[1]) if has_aux else (result, None)
    outs = _leaves(out)
    tangent_out = []
    for o in outs:
        flat = np.zeros(o.data.size, o.data.dtype)
        for k in range(o.data.size):
            for x in inputs:
                x.grad = None
            seed = np.zeros(o.data.size, o.data.dtype)
            seed[k] = 1
            o.backward(seed.reshape(o.data.shape), retain_graph=True)
            flat[k] = sum(float(np.sum((x.grad if x.grad is not None else 0) * _data(t)))
                          for x, t in zip(inputs, tangents))
        tangent_out.append(Tensor._wrap(flat.reshape(o.data.shape)))
    primal_out = _rebuild(out, [Tensor._wrap(o.data) for o in outs])
    tangent_tree = _rebuild(out, tangent_out)
    return (primal_out, tangent_tree, aux) if has_aux else (primal_out, tangent_tree)
