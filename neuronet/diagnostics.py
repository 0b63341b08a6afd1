"""Diagnostics: watch a network learn — backprop step by step, gradient norms, dead and saturated units.

Three questions a beginner (and everyone else) asks when a network does not learn, and the tool for each:

* *What does backpropagation actually do here?* :func:`trace_backward` (or :func:`explain`) runs
  ``loss.backward()`` and lists every op of the graph in the order the engine differentiates them
  (reverse topological order), with input/output shapes and the size of the gradient ``∂L/∂output``
  reaching each op — the chain rule, one row per step.
* *Do the gradients reach the first layers?* :func:`layer_gradients` computes, on one batch and without
  touching the weights or the optimizer, ``‖∂L/∂w‖`` for every weight and the ratio ``‖∂L/∂w‖ / ‖w‖``
  (roughly the relative change one SGD step of learning rate 1 would make). Norms that shrink layer
  after layer towards the input are *vanishing gradients* (deep sigmoid/tanh stacks); norms that grow
  are *exploding gradients*.
* *Are the units alive?* :func:`activation_stats` reports per layer the fraction of *dead* units (zero
  for every sample of the batch: a ReLU whose input is always negative gets no gradient and never
  recovers), the fraction of *saturated* sigmoid/tanh outputs (where the derivative is ~0), and the
  mean/std of the activations.

The callback :class:`neuronet.callbacks.GradientMonitor` records these numbers every epoch during
``fit`` and prints a warning naming the layer when something goes wrong. :func:`plot_gradient_flow`
draws the per-layer gradient norms (needs matplotlib, the ``plot`` extra).

Example::

    from neuronet import diagnostics

    x = Tensor(np.random.randn(4, 3)); W = Variable(np.random.randn(3, 2), name="W")
    loss = (ops.relu(x @ W) ** 2).mean()
    diagnostics.explain(loss)                 # prints the backward steps, then W's gradient

    diagnostics.layer_gradients(model, x_batch, y_batch)   # {'dense': {'kernel': {...}, 'bias': {...}}, ...}
    diagnostics.activation_stats(model, x_batch)           # {'dense': {'dead_fraction': 0.25, ...}, ...}
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from typing import Callable

import numpy as np

from . import config
from .autograd import Tensor, no_grad

__all__ = [
    "BackwardTrace",
    "Stats",
    "activation_stats",
    "explain",
    "layer_gradients",
    "layer_grad_norms",
    "plot_gradient_flow",
    "trace_backward",
]

# a sigmoid output below 0.01 or above 0.99 (a tanh output beyond ±0.99) has a derivative under ~1 % of
# its maximum: the unit passes almost no gradient back
SATURATION = 0.99


def _norm(a) -> float:
    """The Euclidean (Frobenius) norm of an array as a Python float, summed in float64."""
    flat = np.asarray(a).ravel().astype(np.float64, copy=False)
    return math.sqrt(float(np.dot(flat, flat)))


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and (value == 0.0 or math.isfinite(value) and 1e-3 <= abs(value) < 1e4):
        return f"{value:.4g}"
    return f"{value:.3e}" if isinstance(value, float) else str(value)


def _table(header: list, rows: list) -> str:
    """A plain-text table with columns as wide as their widest cell."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- trace
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


# ---------------------------------------------------------------------------------------------- models
class Stats(dict):
    """A dict of per-layer statistics whose ``str()`` is a readable table.

    It is an ordinary dict (``stats['dense']['kernel']['grad_norm']``); ``print(stats)`` prints the table.
    """

    def __init__(self, data: dict, kind: str):
        super().__init__(data)
        self.kind = kind

    def table(self) -> str:
        if self.kind == "gradients":
            rows = [[layer, name, w["shape"], _fmt(w["grad_norm"]), _fmt(w["weight_norm"]), _fmt(w["ratio"])]
                    for layer, weights in self.items() for name, w in weights.items()]
            return _table(["layer", "weight", "shape", "|grad|", "|weight|", "|grad|/|weight|"], rows)
        rows = [[layer, s["activation"], s["shape"], _fmt(s["mean"]), _fmt(s["std"]), _fmt(s["dead_fraction"]),
                 _fmt(s["saturated_fraction"])] for layer, s in self.items()]
        return _table(["layer", "activation", "output", "mean", "std", "dead", "saturated"], rows)

    def __str__(self) -> str:
        return self.table()


def _check_model(model, where: str) -> None:
    from .models.training import Model

    if not isinstance(model, Model):
        raise TypeError(f"{where}: expected a neuronet Model (Sequential, functional or subclassed), received "
                        f"{type(model).__name__}")


def _top_layers(model) -> list:
    return list(model.layers)


def _weight_names(layer) -> list:
    """A short unique name for each trainable weight of ``layer`` ('kernel', 'bias'; the path if two clash)."""
    weights = layer.trainable_weights
    names = [w.name or w.path or f"weight{i}" for i, w in enumerate(weights)]
    if len(set(names)) < len(names):
        names = [w.path or f"weight{i}" for i, w in enumerate(weights)]
        prefix = f"{layer.name}/"
        names = [n[len(prefix):] if n.startswith(prefix) else n for n in names]
        if len(set(names)) < len(names):
            names = [f"{n}_{i}" for i, n in enumerate(names)]
    return names


def _gradient_stats(model, grads: dict) -> Stats:
    """Per layer, per trainable weight: shape, ‖grad‖, ‖weight‖ and their ratio (from ``grads``: id → array)."""
    out = {}
    for layer in _top_layers(model):
        weights = layer.trainable_weights
        if not weights:
            continue
        entry = {}
        for name, w in zip(_weight_names(layer), weights):
            g = grads.get(id(w))
            g_norm = _norm(g) if g is not None else 0.0
            w_norm = _norm(w.data)
            entry[name] = {"shape": tuple(w.shape), "grad_norm": g_norm, "weight_norm": w_norm,
                           "ratio": g_norm / w_norm if w_norm > 0 else None}
        out[layer.name] = entry
    return Stats(out, "gradients")


def layer_grad_norms(stats: dict) -> dict:
    """Per layer, the norm of the gradient of all its weights together: ``sqrt(Σ_w ‖∂L/∂w‖²)``.

    Args:
        stats: the result of :func:`layer_gradients`.

    Returns:
        ``{layer name: float}`` in layer order (input side first).
    """
    return {layer: math.sqrt(sum(w["grad_norm"] ** 2 for w in weights.values())) for layer, weights in stats.items()}


def layer_gradients(model, x, y, sample_weight=None, loss=None, training: bool = True) -> Stats:
    """One forward and backward pass on a batch: the gradient norm of every weight, layer by layer.

    Nothing is learned: no optimizer step, and the model's weights (also BatchNorm's moving statistics),
    the weights' ``.grad``, the optimizer's state and the random generator (dropout masks) are exactly as
    before the call.

    Args:
        model: a neuronet model. If compiled, its loss is used exactly as ``fit`` computes it (including
            regularization penalties and the fused sigmoid/softmax cross-entropy).
        x: a batch of inputs, shape ``(batch, ...)``.
        y: the batch's targets.
        sample_weight: optional per-sample weights, shape ``(batch,)``. Defaults to None.
        loss: a loss (name, object or function) to use instead of the compiled one; required when the
            model is not compiled. Defaults to None.
        training: run the forward pass in training mode (dropout on, as in ``fit``). Defaults to True.

    Returns:
        A :class:`Stats` dict ``{layer name: {weight name: {'shape', 'grad_norm', 'weight_norm',
        'ratio'}}}`` for the layers with trainable weights, in layer order; ``ratio = ‖∂L/∂w‖ / ‖w‖``
        (None for an all-zero weight, such as a bias at initialization). A weight no gradient reached
        has ``grad_norm`` 0.0.
        ``print(stats)`` shows a table.
    """
    where = "layer_gradients"
    _check_model(model, where)
    if loss is None and not (model.compiled and any(h.loss_fn is not None for h in model._heads)):
        raise ValueError(f"{where}: model '{model.name}' is not compiled with a loss; compile it or pass "
                         "loss=... (e.g. loss='mse')")
    if loss is None:
        xs, ys, sws = model._prepare_batch(x, y, sample_weight, where=where)
        loss_fn = None
    else:
        from . import losses

        loss_fn = losses.get(loss)
        xs = model._prepare_inputs(x, where)  # built: weights exist before they are saved (and the RNG state)
        ys = y.data if isinstance(y, Tensor) else np.asarray(y)
        n = len(xs[0]) if isinstance(xs, list) else len(xs)
        if len(ys) != n:
            raise ValueError(f"{where}: x and y have different numbers of samples: x has {n}, y has {len(ys)}")
        sws = None if sample_weight is None else np.asarray(sample_weight, dtype=model.dtype)

    variables = model.weights
    saved_data = [v.data.copy() for v in variables]
    saved_grads = [v.grad for v in variables]
    rng_state = config.rng().bit_generator.state
    train_vars = model._train_vars
    try:
        for v in variables:
            v.grad = None
        if loss_fn is None:
            model._prepare_step()
            outputs = model._forward(xs, training=training)
            total = model._compute_loss(ys, outputs, sws)
        else:
            outputs = model(xs, training=training)
            total = loss_fn(ys, outputs, sample_weight=sws)
            for term in model.losses:
                total = total + term
        if total.requires_grad:
            total.backward()
        grads = {id(v): v.grad for v in variables if v.grad is not None}
        stats = _gradient_stats(model, grads)
    finally:
        for v, data, grad in zip(variables, saved_data, saved_grads):
            v.data[...] = data
            v.grad = grad
        config.rng().bit_generator.state = rng_state
        model._train_vars = train_vars
    return stats


# ---------------------------------------------------------------------------------------------- activations
def _activation_kind(layer) -> str:
    """The name of the nonlinearity at the end of ``layer`` ('relu', 'sigmoid', 'tanh', ...), or ''."""
    from . import activations
    from .layers import activation as activation_layers

    if isinstance(layer, activation_layers.ReLU):
        return "relu" if layer.negative_slope == 0.0 else "leaky_relu"
    fn = getattr(layer, "activation", None)
    if fn is None or not callable(fn):
        return ""
    try:
        return activations.serialize(fn)
    except (ValueError, TypeError):
        return getattr(fn, "__name__", "custom")


def _output_stats(out: np.ndarray, kind: str) -> dict:
    """Mean/std, the dead-unit fraction and (sigmoid/tanh) the saturated fraction of one layer output."""
    out = np.asarray(out)
    data = out.astype(np.float64, copy=False)
    if out.ndim >= 2:
        dead = np.all(out == 0, axis=tuple(range(out.ndim - 1)))  # units on the last axis (channels)
    else:
        dead = np.array([np.all(out == 0)])
    saturated = None
    if kind in ("sigmoid", "hard_sigmoid"):
        saturated = float(np.mean((data < 1.0 - SATURATION) | (data > SATURATION)))
    elif kind == "tanh":
        saturated = float(np.mean(np.abs(data) > SATURATION))
    return {"activation": kind or "-", "shape": tuple(out.shape[1:]), "mean": float(data.mean()),
            "std": float(data.std()), "dead_fraction": float(dead.mean()), "saturated_fraction": saturated}


def activation_stats(model, x, training: bool = False) -> Stats:
    """Per layer: how alive its outputs are on a batch — dead units, saturation, mean and std.

    Runs one forward pass (no graph recorded, nothing changed) and looks at each top-level layer's
    output. The *units* of an output are its last axis (features of a Dense layer, channels of a conv
    layer); a unit is **dead** when it is exactly zero for every sample (and every position) of the
    batch — for a ReLU this means its input is negative everywhere, so it gets no gradient and cannot
    recover. A sigmoid output is **saturated** below 0.01 or above 0.99, a tanh output beyond ±0.99:
    there its derivative is nearly 0.

    Args:
        model: a neuronet model (built, or buildable from ``x``).
        x: a batch of inputs, shape ``(batch, ...)``; use a few hundred samples for stable fractions.
        training: run the layers in training mode (dropout on). Defaults to False.

    Returns:
        A :class:`Stats` dict ``{layer name: {'activation', 'shape', 'mean', 'std', 'dead_fraction',
        'saturated_fraction'}}`` in the order the layers ran. ``activation`` is the layer's activation
        name ('relu', 'sigmoid', ...; '-' for none); ``saturated_fraction`` is None except for
        sigmoid/tanh layers; ``dead_fraction`` is the fraction of units dead on this batch.
    """
    where = "activation_stats"
    _check_model(model, where)
    xs = model._prepare_inputs(x, where)  # built: weights drawn before the RNG state is saved and given back
    records: dict = {}
    hooked = []
    rng_state = config.rng().bit_generator.state

    def hook(layer):
        call = layer.call

        def recording_call(*args, **kwargs):
            out = call(*args, **kwargs)
            first = out[0] if isinstance(out, (list, tuple)) else out
            if isinstance(first, Tensor) and np.issubdtype(first.dtype, np.floating):
                records.pop(layer.name, None)  # a layer called twice: keep its last output, in call order
                records[layer.name] = (layer, first.data)
            return out

        object.__setattr__(layer, "call", recording_call)  # shadows the class's call for this instance only
        hooked.append(layer)

    try:
        for layer in _top_layers(model):
            hook(layer)
        with no_grad():
            model(xs, training=training)
    finally:
        for layer in hooked:
            layer.__dict__.pop("call", None)
        config.rng().bit_generator.state = rng_state
    return Stats({name: _output_stats(out, _activation_kind(layer)) for name, (layer, out) in records.items()},
                 "activations")


# ---------------------------------------------------------------------------------------------- plotting
def plot_gradient_flow(stats, ax=None, title: str = "Gradient flow"):
    """Bar chart of the gradient norm of each layer (log scale), input side on the left.

    Needs matplotlib (``pip install neuronet[plot]``); it is imported only when this is called.

    Args:
        stats: the result of :func:`layer_gradients`, a dict ``{layer name: gradient norm}`` (one bar per
            layer), or :class:`~neuronet.callbacks.GradientMonitor`'s ``history['grad_norm']`` (one line
            per recorded epoch: watch the gradients change as training goes on).
        ax: a matplotlib Axes to draw on. Defaults to None (a new figure).
        title: the plot title. Defaults to 'Gradient flow'.

    Returns:
        The matplotlib Axes.
    """
    if not isinstance(stats, dict) or not stats:
        raise ValueError(f"plot_gradient_flow: expected the non-empty dict returned by layer_gradients, received "
                         f"{type(stats).__name__}")
    values = list(stats.values())
    if all(isinstance(v, (list, tuple)) for v in values):  # GradientMonitor.history['grad_norm']
        curves = [{layer: v[i] for layer, v in stats.items() if i < len(v)} for i in range(max(map(len, values)))]
    elif all(isinstance(v, (int, float)) for v in values):
        curves = [stats]
    else:
        curves = [layer_grad_norms(stats)]
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plot_gradient_flow needs matplotlib: pip install matplotlib (or neuronet[plot])") from exc
    names = list(curves[0]) if len(curves) == 1 else list(stats)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(names) + 2.0), 3.5))
    if len(curves) == 1:
        ax.bar(range(len(names)), [max(float(curves[0][n]), 1e-30) for n in names])
    else:  # one line per recorded epoch, darker as training goes on
        for i, norms in enumerate(curves):
            shade = 0.2 + 0.8 * i / (len(curves) - 1)
            ax.plot([names.index(n) for n in norms], [max(float(v), 1e-30) for v in norms.values()], marker="o",
                    color=(0.1, 0.3, 0.8, shade), label=f"check {i + 1}")
        ax.legend(fontsize="small")
    ax.set_yscale("log")
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=45, ha="right")
    ax.set_ylabel("gradient norm |dL/dW|")
    ax.set_title(title)
    return ax
