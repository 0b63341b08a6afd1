"""Backpropagation step by step: every op of a loss's graph in the order the engine differentiates it."""

from __future__ import annotations

import functools
import inspect
import re
from typing import Callable

import numpy as np

from ..autograd import Tensor
from ._format import fmt as _fmt
from ._format import norm as _norm
from ._format import table as _table

__all__ = ["BackwardTrace", "explain", "trace_backward"]


class BackwardTrace:
    """The result of :func:`trace_backward`: the ops in backward order, and the leaves' gradients.

    Attributes:
        steps: one dict per op, in the order the engine ran their backward: ``step`` (1 = the op that
            made the loss), ``op`` (class name), ``inputs`` (list of ``(label, shape)``; a label ``#k`` is
            the output of step ``k``, a leaf shows its name, a constant ``const``), ``output_shapes``
            ``grad_norms`` (``‖∂L/∂output‖`` per output, None where no gradient reached it) and ``rule`` (the
            op's forward and derivative formula, from the comment at the top of its class).
        leaves: one dict per leaf tensor that requires grad (weights, inputs): ``label``, ``shape`` and
            ``grad_norm`` (``‖∂L/∂leaf‖`` from this backward pass, None before it).

    ``str(trace)`` (or ``print(trace)``) gives the readable table.
    """

    def __init__(self, steps: list, leaves: list, ran_backward: bool):
        self.steps = steps
        self.leaves = leaves
        self.ran_backward = ran_backward

    @property
    def ops(self) -> list:
        """The op class names in backward order (e.g. ``['Mean', 'Square', 'Add', 'MatMul']``)."""
        return [s["op"] for s in self.steps]

    def table(self) -> str:
        """The steps and the leaves as a text table."""
        rows = []
        for s in self.steps:
            inputs = ", ".join(f"{label} {shape}" for label, shape in s["inputs"])
            outs = ", ".join(str(shape) for shape in s["output_shapes"])
            grads = ", ".join(_fmt(g) for g in s["grad_norms"])
            rows.append([s["step"], s["op"], inputs, outs, grads, s["rule"]])
        text = ["Backward pass, from the loss back to the inputs (reverse topological order):",
                _table(["step", "op", "inputs (#k = output of step k)", "output", "|dL/d output|",
                        "forward and local derivative (gy = dL/d output)"], rows)]
        if self.leaves:
            leaf_rows = [[leaf["label"], leaf["shape"], _fmt(leaf["grad_norm"])] for leaf in self.leaves]
            text += ["", "Gradients reaching the leaves (what an optimizer would use):",
                     _table(["leaf", "shape", "|dL/d leaf|"], leaf_rows)]
        if self.ran_backward:
            text += ["", "Chain rule: each step receives gy = dL/d output from the steps that use its output "
                         "(#k), applies its local derivative and passes the result to its inputs."]
        return "\n".join(text)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<BackwardTrace of {len(self.steps)} ops, {len(self.leaves)} leaves>"


def _backward_order(root_fn) -> list:
    """The ops reachable from ``root_fn`` in exactly the order :func:`neuronet.autograd.backward` runs
    them: an op is ready once every op using its outputs has been processed (a stack of ready ops)."""
    pending = {root_fn: 0}
    stack = [root_fn]
    while stack:
        fn = stack.pop()
        if getattr(fn, "inputs", None) is None:
            raise RuntimeError(_FREED)
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            if need and x._ctx is not None:
                parent = x._ctx
                pending[parent] = pending.get(parent, 0) + 1
                if pending[parent] == 1:
                    stack.append(parent)
    order, ready = [], [root_fn]
    while ready:
        fn = ready.pop()
        order.append(fn)
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            if need and x._ctx is not None:
                pending[x._ctx] -= 1
                if pending[x._ctx] == 0:
                    ready.append(x._ctx)
    return order


_FREED = ("trace_backward: the graph of this loss was already freed by a backward() call; call "
          "trace_backward(loss) instead of loss.backward() (or backward(retain_graph=True) first)")


@functools.lru_cache(maxsize=None)
def _local_rule(op_class) -> str:
    """The op's forward and derivative as written in the comment that opens its class (the project's op
    style: ``# y = max(x, 0)    dx = gy · [x > 0]``); '' when the source is not available."""
    try:
        lines = inspect.getsource(op_class).splitlines()[1:]
    except (OSError, TypeError):
        return ""
    for line in lines:
        text = line.strip()
        if text.startswith("def ") or text.startswith("@"):
            break
        if text.startswith("#"):
            return re.sub(r"\s{2,}", "   ", text.lstrip("# ").strip())
    return ""


def _leaf_label(t: Tensor, index: int) -> str:
    path = getattr(t, "path", None)
    return path or t.name or f"leaf{index}"


def trace_backward(loss: Tensor, run_backward: bool = True, retain_graph: bool = False,
                   print_fn: Callable[[str], None] | None = None) -> BackwardTrace:
    """Run ``loss.backward()`` and record each step of the chain rule: op, shapes, gradient norms.

    Use it *instead of* ``loss.backward()`` on a graph built with gradients: the leaves receive exactly
    the gradients a plain ``backward`` gives them (the engine does the work; the trace only asks it to
    keep each op's output gradient for a moment and reads them).

    Args:
        loss: the Tensor to differentiate (a scalar, e.g. a model's loss). It must have been computed
            from tensors that require grad, and its graph must not have been freed by an earlier
            ``backward()``.
        run_backward: if False, list the ops and shapes only (no backward, no gradients). Defaults to True.
        retain_graph: passed to ``backward`` (keep the graph to run backward through it again).
            Defaults to False.
        print_fn: if given, called with the table text (e.g. ``print``). Defaults to None (no printing).

    Returns:
        A :class:`BackwardTrace`; ``print(trace)`` shows the table, ``trace.ops`` lists the op names in
        backward order, ``trace.steps`` / ``trace.leaves`` hold the numbers.

    Example::

        >>> W = Variable(np.ones((3, 2)), name="W")
        >>> loss = ops.relu(Tensor(np.ones((4, 3))) @ W).mean()
        >>> trace_backward(loss).ops
        ['Mean', 'ReLU', 'MatMul']
    """
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace_backward: expected loss to be a Tensor, received {type(loss).__name__}")
    if not loss.requires_grad:
        raise ValueError("trace_backward: the loss does not require grad: compute it from tensors with "
                         "requires_grad=True (or model weights), outside no_grad()")
    root_fn = loss._ctx
    if root_fn is not None and getattr(root_fn, "inputs", None) is None:
        raise RuntimeError(_FREED)
    order = _backward_order(root_fn) if root_fn is not None else []
    step_of = {fn: i + 1 for i, fn in enumerate(order)}
    outputs: dict = {}  # fn -> {output index: Tensor}
    if root_fn is not None:
        outputs[root_fn] = {loss._index: loss}
    leaves: list = []
    leaf_index: dict = {}  # id(leaf) -> its position in leaves
    steps = []
    for fn in order:
        inputs = []
        for x, need in zip(fn.inputs, fn.needs_input_grad):
            if isinstance(x, Tensor):
                shape = tuple(x.shape)
                if x._ctx is not None and need:
                    outputs.setdefault(x._ctx, {})[x._index] = x
                    label = f"#{step_of[x._ctx]}"
                elif x.requires_grad and need:
                    if id(x) not in leaf_index:
                        leaf_index[id(x)] = len(leaves)
                        leaves.append(x)
                    label = _leaf_label(x, leaf_index[id(x)])
                else:
                    label = "const"
            else:
                shape = tuple(np.shape(x))
                label = "const"
            inputs.append((label, shape))
        meta = fn._out_meta
        out_shapes = [tuple(s) for s, _ in meta] if meta is not None else [None]
        steps.append({"step": step_of[fn], "op": type(fn).__name__, "inputs": inputs, "output_shapes": out_shapes,
                      "grad_norms": [None] * len(out_shapes), "rule": _local_rule(type(fn)), "_fn": fn})
    for s in steps:  # single-output shapes come from the output tensors found above
        outs = outputs.get(s["_fn"], {})
        s["output_shapes"] = [tuple(outs[i].shape) if s["output_shapes"][i] is None and i in outs
                              else s["output_shapes"][i] for i in range(len(s["output_shapes"]))]

    if run_backward:
        # ask the engine to keep each op output's gradient (Tensor.retain_grad), then restore every flag
        watched = [t for outs in outputs.values() for t in outs.values()]
        saved = [(t, t._retains_grad, t.grad) for t in watched]
        try:
            for t in watched:
                t._retains_grad = True
                t.grad = None
            loss.backward(retain_graph=retain_graph)
            for s in steps:
                outs = outputs.get(s["_fn"], {})
                s["grad_norms"] = [_norm(outs[i].grad) if i in outs and outs[i].grad is not None else None
                                   for i in range(len(s["output_shapes"]))]
        finally:
            for t, flag, grad in saved:
                t._retains_grad = flag
                if not flag:  # a tensor the user asked to retain keeps its new gradient, as after backward()
                    t.grad = grad
    for s in steps:
        del s["_fn"]
    leaf_rows = [{"label": _leaf_label(t, i), "shape": tuple(t.shape),
                  "grad_norm": _norm(t.grad) if run_backward and t.grad is not None else None}
                 for i, t in enumerate(leaves)]
    trace = BackwardTrace(steps, leaf_rows, run_backward)
    if print_fn is not None:
        print_fn(trace.table())
    return trace


def explain(loss: Tensor, retain_graph: bool = False) -> BackwardTrace:
    """Print the backward pass of ``loss`` step by step and return its trace (see :func:`trace_backward`).

    Like ``loss.backward()``, it fills ``.grad`` of the weights and inputs.
    """
    return trace_backward(loss, run_backward=True, retain_graph=retain_graph, print_fn=print)
