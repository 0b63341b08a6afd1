"""Per-layer numbers of a model on one batch: gradient norms (vanishing/exploding) and how alive the units are."""

from __future__ import annotations

import math

import numpy as np

from . import _access
from ..autograd import no_grad
from ._format import fmt as _fmt
from ._format import norm as _norm
from ._format import table as _table

__all__ = ["SATURATION", "Stats", "activation_stats", "layer_gradients", "layer_grad_norms"]

# a sigmoid output below 0.01 or above 0.99 (a tanh output beyond ±0.99) has a derivative under ~1 % of
# its maximum: the unit passes almost no gradient back
SATURATION = 0.99


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
    for layer in model.layers:
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
        training: kept for compatibility; must be True (the gradients are those of ``fit``'s training
            step, dropout on). Defaults to True.

    Returns:
        A :class:`Stats` dict ``{layer name: {weight name: {'shape', 'grad_norm', 'weight_norm',
        'ratio'}}}`` for the layers with trainable weights, in layer order; ``ratio = ‖∂L/∂w‖ / ‖w‖``
        (None for an all-zero weight, such as a bias at initialization). A weight no gradient reached
        has ``grad_norm`` 0.0.
        ``print(stats)`` shows a table.
    """
    where = "layer_gradients"
    _access.check_model(model, where)
    if loss is None and not _access.is_compiled(model):
        raise ValueError(f"{where}: model '{model.name}' is not compiled with a loss; compile it or pass "
                         "loss=... (e.g. loss='mse')")
    if not training:
        raise ValueError(f"{where}: gradients are measured as fit computes them, in training mode; received "
                         "training=False")
    xs = _access.as_inputs(model, x, where)
    _access.check_targets(xs, y, where)
    _access.ensure_built(model, xs, where)  # weights exist before they are copied (and before the RNG state is saved)
    state = _access.RandomState(model)
    try:
        twin = _access.copy_model(model)
        catcher = _access.prepare_step(twin, loss=loss)
        _, grads = _access.train_step(twin, catcher, xs, y, sample_weight)
    finally:
        state.restore()
    by_position = {id(v): grads.get(id(t)) for v, t in zip(model.weights, twin.weights)}
    return _gradient_stats(model, {k: g for k, g in by_position.items() if g is not None})


# ---------------------------------------------------------------------------------------------- activations
def _activation_kind(layer) -> str:
    """The name of the nonlinearity at the end of ``layer`` ('relu', 'sigmoid', 'tanh', ...), or ''."""
    from .. import activations
    from ..layers import activation as activation_layers

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
    _access.check_model(model, where)
    xs = _access.as_inputs(model, x, where)
    _access.ensure_built(model, xs, where)  # weights drawn before the RNG state is saved and given back
    records: dict = {}
    state = _access.RandomState(model)
    try:
        with _access.record_calls(model.layers) as calls, no_grad():
            model(xs, training=training)
    finally:
        state.restore()
    for call in calls:
        out = call.output_tensor
        if out is not None and np.issubdtype(out.dtype, np.floating):
            records.pop(call.layer.name, None)  # a layer called twice: keep its last output, in call order
            records[call.layer.name] = (call.layer, out.data)
    return Stats({name: _output_stats(out, _activation_kind(layer)) for name, (layer, out) in records.items()},
                 "activations")
