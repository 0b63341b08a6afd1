"""``check_gradients``: is backpropagation right for this whole model? Layer by layer, then end to end.

Backpropagation is correct when each layer's backward is the derivative of its own forward. The check
asks exactly that, on a float64 copy of the model (the model itself is never touched):

1. **Each layer in isolation.** One forward pass records every top-level layer's inputs. Each layer is
   then run alone on its recorded inputs, and the scalar ``f = Σ output · R`` (``R`` a fixed random
   array, so every output element takes part) is differentiated twice: by the layer's backward
   (analytic) and by central differences ``(f(v + ε) − f(v − ε)) / 2ε`` (numeric) — for the layer's
   input(s) and for each of its weights. A layer whose backward is wrong is named here even when it
   has no weights (its input gradient is wrong).
2. **End to end.** The training loss of the whole model (``fit``'s step: compiled loss,
   regularization, ``add_loss``) against each weight, the same way.

Sampling (so a model of a few thousand weights is checked in seconds): a tensor of at most 64 entries
is checked entry by entry; a larger one at ``entries`` randomly chosen entries (plus the entry with the
largest analytic gradient) and along ``directions`` random directions through the whole tensor,
comparing ``⟨∇f, v⟩`` with ``(f(x + εv) − f(x − εv)) / 2ε`` — a wrong gradient anywhere in the tensor
moves a random projection, so the directions catch errors the sampled entries miss.

An entry sitting on a kink (a ReLU input or a max-pool tie within ε of switching) has no derivative:
where the one-sided differences ``(f(x+ε) − f(x))/ε`` and ``(f(x) − f(x−ε))/ε`` disagree, it is left
out and counted as ``skipped`` rather than reported as an error.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ..autograd import Tensor, enable_grad
from . import _access
from ._format import table as _table
from .stats import _weight_names

__all__ = ["GradientReport", "check_gradients"]

ENTRYWISE_LIMIT = 64  # tensors with at most this many entries are checked entry by entry
_MACHINE_EPS = float(np.finfo(np.float64).eps)


class GradientReport:
    """The result of :func:`check_gradients`: one row per checked (layer, tensor) pair.

    Attributes:
        rows: dicts with ``scope`` (a layer's name, or 'end to end'), ``layer``, ``tensor`` ('input',
            'input 1', 'kernel', ...), ``shape``, ``checked`` (how it was sampled), ``skipped`` (entries
            on a kink), ``max_rel_error`` (``max |analytic − numeric| / max(|analytic|, |numeric|)`` over the
            checked entries and directions) and ``passed``.
        passed: True when every row passed.
        failed: the failing rows' names, ``'layer/tensor'`` for the isolated checks and
            ``'end to end: layer/weight'`` for the whole-model ones.
        culprits: the layers whose own backward disagrees with their own forward (from step 1).

    ``print(report)`` shows the table and a verdict.
    """

    def __init__(self, rows: list, notes: list):
        self.rows = rows
        self.notes = notes

    @property
    def passed(self) -> bool:
        return all(r["passed"] for r in self.rows)

    @property
    def failed(self) -> list:
        out = []
        for r in self.rows:
            if not r["passed"]:
                name = f"{r['layer']}/{r['tensor']}"
                out.append(name if r["scope"] == "layer" else f"end to end: {name}")
        return out

    @property
    def culprits(self) -> list:
        return list(dict.fromkeys(r["layer"] for r in self.rows if r["scope"] == "layer" and not r["passed"]))

    def table(self) -> str:
        rows = [[("" if r["scope"] == "layer" else "end to end: ") + r["layer"], r["tensor"], r["shape"], r["checked"],
                 r["skipped"] or "", f"{r['max_rel_error']:.1e}", "ok" if r["passed"] else "FAILED"]
                for r in self.rows]
        text = [_table(["layer", "tensor", "shape", "checked", "kinks", "max rel. error", ""], rows)]
        text += self.notes
        if self.passed:
            text.append("All gradients agree with central differences (float64).")
        else:
            culprits = self.culprits
            if culprits:
                text.append("Wrong backward in layer(s) " + ", ".join(f"'{c}'" for c in culprits)
                            + ": the layer's gradient disagrees with its own forward"
                            + ("; the end-to-end errors follow from it." if any(
                                r["scope"] != "layer" and not r["passed"] for r in self.rows) else "."))
            else:
                text.append("FAILED: " + ", ".join(self.failed))
        return "\n".join(text)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<GradientReport {len(self.rows)} checks, passed={self.passed}, failed={self.failed}>"


class _Checker:
    """Compares ``analytic`` with central differences of ``f`` for one tensor whose data is perturbed in place."""

    def __init__(self, rng: np.random.Generator, eps: float, rtol: float, entries: int, directions: int):
        self.rng, self.eps, self.rtol, self.entries, self.directions = rng, eps, rtol, entries, directions

    def check(self, f: Callable[[], float], data: np.ndarray, analytic: np.ndarray, f0: float) -> dict:
        eps = self.eps
        noise = 100 * _MACHINE_EPS * max(abs(f0), 1.0) / eps  # rounding error of a central difference
        pairs, skipped = [], 0
        if data.size <= ENTRYWISE_LIMIT:
            picked = list(range(data.size))
            how = f"all {data.size}"
        else:
            picked = set(self.rng.choice(data.size, size=min(self.entries, data.size), replace=False).tolist())
            picked.add(int(np.argmax(np.abs(analytic))))
            picked = sorted(picked)
            how = f"{len(picked)} of {data.size} + {self.directions} dir."
        flat = data.reshape(-1)  # a view: perturbing it perturbs the tensor
        for i in picked:
            old = flat[i]
            flat[i] = old + eps
            plus = f()
            flat[i] = old - eps
            minus = f()
            flat[i] = old
            if self._kink(plus, minus, f0, noise):
                skipped += 1
                continue
            pairs.append((float(analytic.reshape(-1)[i]), (plus - minus) / (2 * eps)))
        if data.size > ENTRYWISE_LIMIT:
            original = data.copy()
            for _ in range(self.directions):
                v = self.rng.standard_normal(data.shape)
                data[...] = original + eps * v
                plus = f()
                data[...] = original - eps * v
                minus = f()
                data[...] = original
                if self._kink(plus, minus, f0, noise):
                    skipped += 1
                    continue
                pairs.append((float(np.sum(analytic * v)), (plus - minus) / (2 * eps)))
        worst, passed = 0.0, True
        for a, n in pairs:
            diff, scale = abs(a - n), max(abs(a), abs(n))
            if not math.isfinite(diff):
                worst, passed = math.inf, False
                continue
            if diff > self.rtol * scale + noise:
                passed = False
            if scale > noise:
                worst = max(worst, diff / scale)
        return {"checked": how, "skipped": skipped, "max_rel_error": worst, "passed": passed and bool(pairs)
                or (not pairs and skipped > 0)}

    def _kink(self, plus: float, minus: float, f0: float, noise: float) -> bool:
        right, left = (plus - f0) / self.eps, (f0 - minus) / self.eps
        return abs(right - left) > 0.01 * max(abs(right), abs(left)) + 4 * noise


def _constant(value):
    """Tensors inside ``value`` (nested in lists/tuples/dicts) cut from the graph: a layer checked in
    isolation sees its extra arguments (initial states, masks) as constants."""
    if isinstance(value, Tensor):
        return Tensor(value.data)
    if isinstance(value, (list, tuple)):
        return type(value)(_constant(v) for v in value)
    if isinstance(value, dict):
        return {k: _constant(v) for k, v in value.items()}
    return value


def _outputs(out) -> list:
    flat = list(out) if isinstance(out, (list, tuple)) else [out]
    return [o for o in flat if isinstance(o, Tensor)]


def _check_layer(call, checker: _Checker, state, rng) -> tuple:
    """Rows for one recorded layer call checked in isolation (its inputs and its trainable weights)."""
    layer = call.layer
    inputs = call.inputs
    multi = isinstance(inputs, (list, tuple))
    arrays = [t.data.copy() if isinstance(t, Tensor) else t for t in (inputs if multi else [inputs])]
    floating = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays]
    args, kwargs = _constant(call.args), _constant(call.kwargs)
    weights = layer.trainable_weights
    names = _weight_names(layer) if weights else []

    def run(track: bool):
        state.restore()  # the same dropout mask at every evaluation
        tensors = [Tensor(a, requires_grad=track and fl) if isinstance(a, np.ndarray) else a
                   for a, fl in zip(arrays, floating)]
        with enable_grad():
            out = layer.call(tensors if multi else tensors[0], *args, **kwargs)
        return tensors, _outputs(out)

    _, outs = run(False)
    if not outs:
        return [], None
    weights_r = [rng.standard_normal(o.shape) for o in outs]

    def f() -> float:
        _, ys = run(False)
        return float(sum(np.sum(y.data * r) for y, r in zip(ys, weights_r)))

    f0 = f()
    if f() != f0:
        return [], (f"layer '{layer.name}' was not checked: its forward pass is not deterministic (it draws random "
                    "numbers from a generator the check cannot reset); pass training=False to check it")
    for w in weights:
        w.grad = None
    tensors, ys = run(True)
    total = None
    for y, r in zip(ys, weights_r):
        if y.requires_grad:
            term = (y * Tensor(r)).sum()
            total = term if total is None else total + term
    if total is None:
        return [], None
    total.backward()
    rows = []
    input_indices = [i for i, fl in enumerate(floating) if fl]
    for i in input_indices:
        t = tensors[i]
        analytic = np.zeros_like(arrays[i]) if t.grad is None else np.asarray(t.grad, dtype=np.float64)
        result = checker.check(f, arrays[i], analytic, f0)
        label = "input" if len(arrays) == 1 else f"input {i}"
        rows.append({"scope": "layer", "layer": layer.name, "tensor": label, "shape": tuple(arrays[i].shape),
                     **result})
    grads = [None if w.grad is None else np.asarray(w.grad, dtype=np.float64) for w in weights]
    for name, w, g in zip(names, weights, grads):
        analytic = np.zeros_like(w.data) if g is None else g
        result = checker.check(f, w.data, analytic, f0)
        rows.append({"scope": "layer", "layer": layer.name, "tensor": name, "shape": tuple(w.shape), **result})
    for w in weights:
        w.grad = None
    return rows, None


def check_gradients(model, x, y=None, sample_weight=None, loss=None, *, training: bool = True,
                    eps: float = 1e-6, rtol: float = 1e-5, entries: int = 16, directions: int = 3,
                    max_samples: int | None = 32, end_to_end: bool = True, seed: int = 0,
                    print_fn: Callable[[str], None] | None = None) -> GradientReport:
    """Check backpropagation through a whole model against central differences, in float64.

    Works on a float64 copy of the model (custom layers and custom ops included: they run on the copy
    like the library's own); the model, its optimizer and the random generators are left unchanged.
    First every top-level layer is checked **in isolation** — its input gradient and weight gradients
    against its own forward, so a layer with a wrong backward is named even when it has no weights —
    then (``end_to_end``) the gradient of the training loss with respect to every weight.

    Args:
        model: a neuronet model (built, or buildable from ``x``).
        x: a batch of inputs (only the first ``max_samples`` rows are used).
        y: the batch's targets; needed for the end-to-end check. Defaults to None (layers only).
        sample_weight: optional per-sample weights for the loss. Defaults to None.
        loss: a loss for the end-to-end check of a model that is not compiled. Defaults to None (the
            compiled loss).
        training: run the layers in training mode (dropout with one fixed mask, BatchNormalization on
            batch statistics). Defaults to True.
        eps: the finite-difference step. Defaults to 1e-6.
        rtol: an entry passes when ``|analytic − numeric| ≤ rtol · max(|analytic|, |numeric|) + noise``,
            ``noise`` being the rounding error of a central difference (``100 · 2⁻⁵² · max(|f|, 1) / eps``).
            Defaults to 1e-5.
        entries: entries sampled from each tensor larger than 64 entries. Defaults to 16.
        directions: random directions checked through each tensor larger than 64 entries. Defaults to 3.
        max_samples: use at most this many rows of ``x``/``y``; None for all. Defaults to 32.
        end_to_end: also check the whole model's loss gradient. Defaults to True.
        seed: seed of the sampled entries, directions and output weights. Defaults to 0.
        print_fn: if given, called with the report's table (e.g. ``print``). Defaults to None.

    Returns:
        A :class:`GradientReport`: ``report.passed``, ``report.failed`` (names), ``report.culprits``
        (layers with a wrong backward) and ``report.rows``; ``print(report)`` shows the table.

    Example::

        report = diagnostics.check_gradients(model, x_train[:16], y_train[:16])
        print(report)            # one row per layer input and weight, then end to end
        assert report.passed, report.failed
    """
    where = "check_gradients"
    _access.check_model(model, where)
    eps = _access.number(where, "eps", eps, 1e-12, 1e-1)
    rtol = _access.number(where, "rtol", rtol, 0.0, 1.0)
    entries = _access.number(where, "entries", entries, 1, None, integer=True)
    directions = _access.number(where, "directions", directions, 0, None, integer=True)
    if max_samples is not None:
        max_samples = _access.number(where, "max_samples", max_samples, 1, None, integer=True)
    if end_to_end and y is None:
        raise ValueError(f"{where}: the end-to-end check needs the targets y; pass y (or end_to_end=False)")
    if end_to_end and loss is None and not _access.is_compiled(model):
        raise ValueError(f"{where}: model '{model.name}' is not compiled with a loss; compile it, pass loss=... "
                         "(e.g. loss='mse'), or end_to_end=False")
    xs = _access.as_inputs(model, x, where)
    if y is not None:
        _access.check_targets(xs, y, where)
    if max_samples is not None:
        xs = [a[:max_samples] for a in xs] if isinstance(xs, list) else xs[:max_samples]
        if y is not None and not isinstance(y, (list, tuple, dict)):
            y = y[:max_samples]
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight)[:max_samples]
    _access.ensure_built(model, xs, where)
    saved = _access.RandomState(model)
    rng = np.random.default_rng(seed)
    checker = _Checker(rng, eps, rtol, entries, directions)
    rows, notes = [], []
    try:
        with _access.floatx("float64"):
            twin = _access.copy_model(model, dtype="float64")
            xs64 = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in xs] if isinstance(xs, list) \
                else (xs.astype(np.float64) if xs.dtype.kind == "f" else xs)
            state = _access.RandomState(twin)
            with _access.record_calls(twin.layers) as calls:
                twin(xs64, training=training)
            seen = set()
            for call in calls:
                if id(call.layer) in seen:  # a shared layer: its first call is checked
                    continue
                seen.add(id(call.layer))
                layer_rows, note = _check_layer(call, checker, state, rng)
                rows += layer_rows
                if note:
                    notes.append(note)
            if end_to_end:
                rows += _check_end_to_end(twin, xs64, y, sample_weight, loss, checker, state)
    finally:
        saved.restore()
    report = GradientReport(rows, notes)
    if print_fn is not None:
        print_fn(report.table())
    return report


def _check_end_to_end(twin, xs, y, sample_weight, loss, checker: _Checker, state) -> list:
    """Rows comparing the training loss's gradient (from the model's own step) with central differences."""
    catcher = _access.prepare_step(twin, loss=loss)

    def step():
        state.restore()
        return _access.train_step(twin, catcher, xs, y, sample_weight)

    f0, grads = step()
    grads = dict(grads)

    def f() -> float:
        return step()[0]

    rows = []
    for layer in twin.layers:
        weights = layer.trainable_weights
        if not weights:
            continue
        for name, w in zip(_weight_names(layer), weights):
            g = grads.get(id(w))
            analytic = np.zeros_like(w.data) if g is None else np.asarray(g, dtype=np.float64)
            result = checker.check(f, w.data, analytic, f0)
            rows.append({"scope": "model", "layer": layer.name, "tensor": name, "shape": tuple(w.shape), **result})
    return rows
