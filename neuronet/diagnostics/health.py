"""A model's health on one batch: the evidence a diagnosis needs, measured in one training step on a copy.

:func:`measure_health` runs the model's own training step once on a copy and collects, per top-level
layer: the gradient norm ``‖∂L/∂W‖`` (and per weight entry, its root mean square), the weight norm,
its activation and how many of its units are dead or saturated, and for recurrent layers the largest
singular value of the recurrent kernel, ``‖∂L/∂x_t‖`` for every time step of the layer's input (the
vanishing-gradient picture: how much the loss still feels step ``t``) and, for LSTM/GRU, how saturated
each gate is (gates recomputed from the layer's public weights).

:func:`diagnose` turns two such measurements (now, and at the start of training) into problems, each
with the layer, the evidence and the guide's remedy. The :class:`~neuronet.callbacks.GradientMonitor`
callback calls both during ``fit``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import activations
from ..autograd import Tensor, no_grad
from . import _access
from .stats import SATURATION, _activation_kind, _output_stats

__all__ = ["LayerHealth", "Problem", "diagnose", "gate_saturation", "measure_health", "REMEDIES"]

# the guide's remedies, by problem
REMEDIES = {
    "dead": "use LeakyReLU or ELU activations, He initialization (kernel_initializer='he_normal') with biases at 0, "
            "or a lower learning rate",
    "vanishing": "use ReLU activations with He initialization (kernel_initializer='he_normal'), or "
                 "BatchNormalization between the layers (for sequences: LSTM or GRU layers)",
    "vanishing_time": "use an LSTM or GRU layer, whose gates carry the gradient across many steps",
    "exploding": "lower the learning rate, or clip the gradients: clipnorm=1.0 in the optimizer",
    "no_gradient": "check that the layer is connected to the output and trainable, and that its outputs are not "
                   "all dead or saturated",
}
_DEAD_KINDS = ("relu", "relu6")
_SATURATING_KINDS = ("sigmoid", "hard_sigmoid", "tanh")


class LayerHealth(dict):
    """One layer's numbers (a dict): ``kind`` (class name), ``grad_norm``, ``grad_rms``, ``weight_norm``,
    ``params``, ``activation``, ``dead_fraction``, ``saturated_fraction``, ``units``; for recurrent layers also
    ``recurrent_norm`` (largest singular value of the recurrent kernel), ``step_grad_norms`` (one per
    time step of the input) and ``gate_saturation`` (LSTM/GRU: ``{gate: fraction}``)."""


class Problem:
    """One diagnosed problem: ``kind`` ('dead', 'vanishing', 'vanishing_time', 'exploding',
    'no_gradient'), the ``layer`` named, the ``evidence`` (a sentence with the numbers) and the
    ``remedy``; ``str()`` is the message."""

    def __init__(self, kind: str, layer: str, evidence: str, remedy: str | None = None):
        self.kind, self.layer, self.evidence = kind, layer, evidence
        self.remedy = remedy or REMEDIES[kind]

    def __str__(self) -> str:
        return f"{self.evidence}. Remedy: {self.remedy}."

    def __repr__(self) -> str:
        return f"<Problem {self.kind} in '{self.layer}'>"


def _norm(a) -> float:
    flat = np.asarray(a, dtype=np.float64).ravel()
    return math.sqrt(float(np.dot(flat, flat)))


def _recurrent_parts(layer):
    """``(cell, kind)`` for a recurrent layer ('lstm', 'gru', 'simple'), else ``(None, None)``."""
    cell = getattr(layer, "cell", None) or layer
    if getattr(cell, "recurrent_kernel", None) is None:
        return None, None
    name = (type(cell).__name__ + type(layer).__name__).lower()
    kind = "lstm" if "lstm" in name else "gru" if "gru" in name else "simple"
    return cell, kind


def _apply(name, z: np.ndarray) -> np.ndarray:
    fn = activations.get(name) if isinstance(name, str) or name is None else name
    with no_grad():
        return fn(Tensor(z)).data


def _saturated(values: np.ndarray, kind: str) -> float:
    if kind == "tanh":
        return float(np.mean(np.abs(values) > SATURATION))
    return float(np.mean((values < 1.0 - SATURATION) | (values > SATURATION)))


def gate_saturation(layer, inputs) -> dict:
    """The fraction of saturated values of each gate of an LSTM or GRU layer on ``inputs`` (batch, time,
    features): sigmoid gates below 0.01 or above 0.99, the tanh candidate beyond ±0.99.

    The gates are recomputed step by step from the layer's public weights (``kernel``,
    ``recurrent_kernel``, ``bias``, on the layer or its ``cell``) with Keras's equations and gate order;
    a saturated gate passes almost no gradient. Masks are not applied (padded steps count too).

    Returns:
        ``{'input', 'forget', 'cell', 'output'}`` for an LSTM, ``{'update', 'reset', 'candidate'}`` for a
        GRU, ``{}`` for other layers.
    """
    cell, kind = _recurrent_parts(layer)
    if kind not in ("lstm", "gru"):
        return {}
    x = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float64)
    if getattr(layer, "go_backwards", False):
        x = x[:, ::-1]
    W = np.asarray(cell.kernel.data, np.float64)
    U = np.asarray(cell.recurrent_kernel.data, np.float64)
    b = None if getattr(cell, "bias", None) is None else np.asarray(cell.bias.data, np.float64)
    act = getattr(cell, "activation", None) or getattr(layer, "activation", "tanh")
    rec = getattr(cell, "recurrent_activation", None) or getattr(layer, "recurrent_activation", "sigmoid")
    units = U.shape[0]
    h = np.zeros((x.shape[0], units))
    c = np.zeros_like(h)
    names = ("input", "forget", "cell", "output") if kind == "lstm" else ("update", "reset", "candidate")
    totals = dict.fromkeys(names, 0.0)
    for t in range(x.shape[1]):
        if kind == "lstm":
            z = x[:, t] @ W + h @ U + (0.0 if b is None else b)
            i, f, g, o = (z[:, k * units:(k + 1) * units] for k in range(4))
            i, f, o, g = _apply(rec, i), _apply(rec, f), _apply(rec, o), _apply(act, g)
            c = f * c + i * g
            h = o * _apply(act, c)
            values = {"input": (i, "sigmoid"), "forget": (f, "sigmoid"), "cell": (g, "tanh"), "output": (o, "sigmoid")}
        else:
            reset_after = b is not None and b.ndim == 2 or getattr(cell, "reset_after", True)
            b_in = (b[0] if b is not None and b.ndim == 2 else b) if b is not None else 0.0
            b_rec = b[1] if b is not None and b.ndim == 2 else 0.0
            xz = x[:, t] @ W + b_in
            hz = h @ U + b_rec
            zt = _apply(rec, xz[:, :units] + hz[:, :units])
            r = _apply(rec, xz[:, units:2 * units] + hz[:, units:2 * units])
            if reset_after:
                cand = _apply(act, xz[:, 2 * units:] + r * hz[:, 2 * units:])
            else:
                cand = _apply(act, xz[:, 2 * units:] + (r * h) @ U[:, 2 * units:])
            h = zt * h + (1.0 - zt) * cand
            values = {"update": (zt, "sigmoid"), "reset": (r, "sigmoid"), "candidate": (cand, "tanh")}
        for name, (v, how) in values.items():
            totals[name] += _saturated(v, how)
    return {name: total / x.shape[1] for name, total in totals.items()}


def measure_health(model, x, y, sample_weight=None) -> dict:
    """One training step of ``model`` on a copy, and per top-level layer its :class:`LayerHealth`.

    Nothing of the model changes (weights, ``.grad``, optimizer, random generators).

    Args:
        model: a compiled neuronet model.
        x, y: a batch (a few hundred samples give stable fractions).
        sample_weight: optional per-sample weights. Defaults to None.

    Returns:
        ``{'loss': float, 'layers': {layer name: LayerHealth}}``, layers in model order.
    """
    where = "measure_health"
    _access.check_model(model, where)
    xs = _access.as_inputs(model, x, where)
    _access.check_targets(xs, y, where)
    _access.ensure_built(model, xs, where)
    saved = _access.RandomState(model)
    try:
        twin = _access.copy_model(model)
        catcher = _access.prepare_step(twin)
        with _access.record_calls(twin.layers, watch_inputs=True) as calls, \
                np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss, grads = _access.train_step(twin, catcher, xs, y, sample_weight)
    finally:
        saved.restore()
    first_call = {}
    for call in calls:
        first_call.setdefault(id(call.layer), call)
    out = {}
    for layer in twin.layers:
        weights = layer.trainable_weights
        g2 = sum(_norm(grads[id(w)]) ** 2 for w in weights if id(w) in grads)
        params = int(sum(w.size for w in weights))
        health = LayerHealth(grad_norm=math.sqrt(g2), weight_norm=_norm([]) if not weights else
                             math.sqrt(sum(_norm(w.data) ** 2 for w in weights)), params=params,
                             grad_rms=math.sqrt(g2 / params) if params else None, activation="-",
                             dead_fraction=None, saturated_fraction=None, units=None,
                             kind=type(layer).__name__)
        call = first_call.get(id(layer))
        if call is not None and call.output_tensor is not None and call.output_tensor.data.dtype.kind == "f":
            values = call.output_tensor.data
            if call.kwargs.get("_logits") and callable(getattr(layer, "activation", None)):
                values = _apply(layer.activation, values)  # the step asked for logits: show the activations
            stats = _output_stats(values, _activation_kind(layer))
            health.update(activation=stats["activation"], dead_fraction=stats["dead_fraction"],
                          saturated_fraction=stats["saturated_fraction"],
                          units=call.output_tensor.shape[-1] if call.output_tensor.ndim >= 2 else None)
        cell, kind = _recurrent_parts(layer)
        if kind is not None:
            rk = np.asarray(cell.recurrent_kernel.data, np.float64)
            health["recurrent_norm"] = float(np.linalg.norm(rk, 2)) if np.all(np.isfinite(rk)) else math.inf
            health["activation"] = getattr(cell, "activation", None) or getattr(layer, "activation", "tanh")
            if not isinstance(health["activation"], str):
                health["activation"] = _activation_kind(cell) or "tanh"
            if call is not None and call.input_tensors:
                t = call.input_tensors[0]
                if t.grad is not None and t.ndim == 3:
                    health["step_grad_norms"] = np.sqrt(np.sum(np.square(t.grad, dtype=np.float64), axis=(0, 2)))
                if kind in ("lstm", "gru") and t.ndim == 3:
                    with np.errstate(over="ignore", invalid="ignore"):
                        health["gate_saturation"] = gate_saturation(layer, t.data)
                out_t = call.output_tensor
                if out_t is not None and health["activation"] == "tanh":
                    health["saturated_fraction"] = _saturated(out_t.data, "tanh")
        out[layer.name] = health
    return {"loss": loss, "layers": out}


def _fmt(v) -> str:
    if v == 0:
        return "0"
    return f"{v:.2g}" if v is not None and math.isfinite(v) and 1e-3 <= abs(v) < 1e4 else f"{v:.1e}"


def _pinned(h) -> str:
    """'saturated at ±1' / 'at 0 or 1' evidence for a layer whose outputs are mostly saturated, else ''."""
    sat = h.get("saturated_fraction")
    if sat is None or sat <= 0.5:
        return ""
    where = "±1" if h["activation"] == "tanh" else "0 or 1"
    return f"{sat:.0%} of its {h['activation']} outputs are pinned at {where}"


def diagnose(now: dict, start: dict | None = None, *, vanishing: float = 1e-4, growth: float = 100.0,
             dead_fraction: float = 0.5, time_ratio: float = 1e-6, learning_rate: float | None = None) -> list:
    """Problems found in a :func:`measure_health` result ``now``, compared with ``start`` (the same
    measurement at the start of training, if known). At most one problem of each kind; it names the
    layer most concerned and lists the others.

    Rules, in order (a layer counts for one problem only):

    * **exploding** — a weight norm more than ``growth`` times its start, a non-finite weight or
      gradient, or a gradient norm more than ``growth²`` times its start. A layer whose weights exploded
      often has a near-zero gradient now — its tanh/sigmoid units are pinned at their limits — which is
      told apart from a vanishing gradient by the weight growth and the saturation;
    * **dead** — more than ``dead_fraction`` of a ReLU layer's units are 0 for every sample;
    * **vanishing** — layers whose gradient per weight entry (RMS) is below ``vanishing`` times the
      largest layer's; named by the one nearest the input;
    * **no_gradient** — a layer with weights that gets exactly zero gradient for another reason;
    * **vanishing_time** — a recurrent layer without gates (SimpleRNN) whose first time step gets less
      than ``time_ratio`` of the gradient its last step gets.

    Returns:
        A list of :class:`Problem`.
    """
    layers = now["layers"]
    base = (start or {}).get("layers", {})
    lr = f" (now {learning_rate:g})" if learning_rate is not None else ""
    problems, named = [], set()

    exploded = []
    for name, h in layers.items():
        b = base.get(name)
        w, g = h["weight_norm"], h["grad_norm"]
        w_growth = w / b["weight_norm"] if b is not None and b["weight_norm"] > 0 else None
        g_growth = g / b["grad_norm"] if b is not None and b["grad_norm"] > 0 else None
        if not (math.isfinite(w) and math.isfinite(g)) or (w_growth or 0) > growth or (g_growth or 0) > growth ** 2:
            exploded.append((name, h, b, w_growth if w_growth is not None and math.isfinite(w_growth) else math.inf))
    if exploded:
        exploded.sort(key=lambda e: -e[3])
        name, h, b, _ = exploded[0]
        parts = [f"its weight norm grew from {_fmt(b['weight_norm'])} to {_fmt(h['weight_norm'])}" if b is not None
                 else f"its weight norm is {_fmt(h['weight_norm'])}"]
        if "recurrent_norm" in h:
            parts.append(f"the recurrent kernel's largest singular value is {_fmt(h['recurrent_norm'])}")
        parts.append(f"|dL/dW| = {_fmt(h['grad_norm'])}" + (f" against {_fmt(b['grad_norm'])} at the start"
                                                             if b is not None and b["grad_norm"] > 0 else ""))
        pinned = _pinned(h)
        if pinned:
            parts.append(pinned + ", so little gradient passes now: the weights exploded, the gradient did not "
                         "vanish")
        others = [e[0] for e in exploded[1:]]
        evidence = f"gradients exploded in layer '{name}': " + "; ".join(parts)
        if others:
            evidence += f"; also exploded: {', '.join(others)}"
        remedy = REMEDIES["exploding"].replace("lower the learning rate", f"lower the learning rate{lr}")
        problems.append(Problem("exploding", name, evidence, remedy))
        named.update(e[0] for e in exploded)

    dead = [(n, h) for n, h in layers.items() if n not in named and h.get("dead_fraction") is not None
            and h["activation"] in _DEAD_KINDS and h["dead_fraction"] > dead_fraction]
    if dead:
        name, h = dead[0]
        units = f" of the {h['units']} units" if h.get("units") else " of the units"
        evidence = (f"{h['dead_fraction']:.0%}{units} of ReLU layer '{name}' are dead: they output 0 for every sample "
                    f"of the batch, so they get no gradient and cannot recover (|dL/dW| = {_fmt(h['grad_norm'])})")
        if len(dead) > 1:
            evidence += "; also dead: " + ", ".join(f"'{n}' {d['dead_fraction']:.0%}" for n, d in dead[1:])
        problems.append(Problem("dead", name, evidence))
        named.update(n for n, _ in dead)

    rms = {n: h["grad_rms"] for n, h in layers.items()
           if h["grad_rms"] and n not in named and math.isfinite(h["grad_rms"]) and not _is_lookup(h)}
    top = max(rms.values(), default=0.0)
    weak = [n for n, v in rms.items() if v < vanishing * top]
    if weak:
        first, top_name = weak[0], max(rms, key=rms.get)
        kinds = {layers[n]["activation"] for n in weak}
        why = ""
        if kinds & {"sigmoid", "hard_sigmoid"}:
            why = "; each sigmoid layer passes back at most 1/4 of the gradient it receives (sigmoid' ≤ 0.25)"
        elif "tanh" in kinds:
            why = "; tanh layers pass back less than they receive, nothing where they saturate"
        sat = [layers[n]["saturated_fraction"] for n in weak if layers[n].get("saturated_fraction")]
        if sat:
            why += f"; up to {max(sat):.0%} of their outputs are saturated"
        chain = ", ".join(f"{n} {_fmt(v)}" for n, v in rms.items())
        evidence = (f"gradients vanish towards the input: layer '{first}' gets |dL/dW| = {_fmt(rms[first])} per "
                    f"weight, {rms[first] / top:.1e} of the largest ('{top_name}': {_fmt(top)}); {len(weak)} layer(s) "
                    f"get less than {vanishing:g} of it ({', '.join(weak)}){why}. Per weight, by layer: {chain}")
        problems.append(Problem("vanishing", first, evidence))
        named.update(weak)

    silent = [n for n, h in layers.items() if n not in named and h["params"] and h["grad_norm"] == 0.0
              and not _is_lookup(h)]
    if silent:
        problems.append(Problem("no_gradient", silent[0], f"no gradient reaches layer(s) {', '.join(silent)} "
                                "(|dL/dW| = 0 while their weights are finite)"))
        named.update(silent)

    for name, h in layers.items():
        steps = h.get("step_grad_norms")
        if name in named or steps is None or "gate_saturation" in h or len(steps) < 2 or not steps[-1] > 0:
            continue
        ratio = steps[0] / steps[-1]
        if ratio < time_ratio:
            problems.append(Problem("vanishing_time", name, f"gradients vanish through time in recurrent layer "
                                    f"'{name}': the first of {len(steps)} steps gets {ratio:.1e} of the gradient the "
                                    "last step gets, so it cannot learn dependencies that far back"))
            break
    return problems


def _is_lookup(h) -> bool:
    """Embedding-like layers get gradients only in the rows looked up: their RMS says nothing about depth."""
    return h.get("kind") == "Embedding"
