"""``explain_step``: one real training step of a Dense network, printed with its numbers.

The guide's six steps of training, for one batch:

1. forward propagation, layer by layer: ``z = a_prev · W + b``, ``a = f(z)``;
2. the loss ``L(y, a_out)``;
3. the output layer's error ``δ_out = ∂L/∂z_out`` (``(a − y)/n`` for sigmoid + binary cross-entropy or
   softmax + categorical cross-entropy);
4. the error propagated back, layer by layer: ``δ = (δ_next · W_nextᵀ) ⊙ f'(z)``;
5. the gradients ``dW = a_prevᵀ · δ``, ``db = Σ_samples δ``;
6. the update: ``W ← W − lr · dW`` for plain SGD, or whatever the model's optimizer does.

A Dense layer normally runs as one fused op that never keeps ``z``; here, on a copy of the model, each
Dense layer computes ``z`` and ``a = f(z)`` as separate ops so both can be shown, and the engine's own
backward fills ``δ = ∂L/∂z``. The step itself is the model's real training step (``train_on_batch``) on
the copy, with a copy of the optimizer and its state: the update shown is the one the model's next
step would make. The model is unchanged.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import activations
from .. import ops
from ..autograd import no_grad
from ..layers.core import Dense
from . import _access

__all__ = ["LayerStep", "StepExplanation", "explain_step"]


class LayerStep:
    """The numbers of one layer in one training step (arrays of the model's dtype).

    Attributes:
        name: the layer's name.
        activation: the activation's name ('relu', 'sigmoid', ...; 'linear' for none); None for a layer
            that is not Dense.
        x: the layer's input ``a_prev`` (batch, inputs).
        W, b: the weights before the step (``b`` None without a bias; both None for a non-Dense layer).
        z: the weighted sum ``x · W + b`` (Dense layers; None otherwise).
        a: the output ``f(z)``.
        delta: ``δ = ∂L/∂z`` (for a non-Dense layer, ``∂L/∂a``).
        dW, db: the gradients the optimizer received (``xᵀ · δ`` and ``Σ δ``, plus any regularization).
        W_new, b_new: the weights after the optimizer's update.
    """

    def __init__(self, name: str, activation):
        self.name, self.activation = name, activation
        self.x = self.W = self.b = self.z = self.a = self.delta = None
        self.dW = self.db = self.W_new = self.b_new = None

    @property
    def is_dense(self) -> bool:
        return self.activation is not None

    def __repr__(self) -> str:
        kind = f"Dense, {self.activation}" if self.is_dense else "not Dense"
        return f"<LayerStep '{self.name}' ({kind})>"


class StepExplanation(list):
    """The :class:`LayerStep` records of :func:`explain_step`, input side first (a list), with the step's
    ``loss``, ``optimizer`` (name), ``learning_rate`` and ``text`` (the printed explanation)."""

    def __init__(self, records: list, loss: float, optimizer: str, learning_rate: float, text: str):
        super().__init__(records)
        self.loss, self.optimizer, self.learning_rate, self.text = loss, optimizer, learning_rate, text

    def __getitem__(self, key):
        if isinstance(key, str):
            for r in self:
                if r.name == key:
                    return r
            raise KeyError(f"explain_step: no layer named {key!r}; layers: {[r.name for r in self]}")
        return super().__getitem__(key)

    def __str__(self) -> str:
        return self.text


def _activation_name(fn) -> str:
    try:
        return activations.serialize(fn)
    except (ValueError, TypeError):
        return getattr(fn, "__name__", "custom")


_DERIVATIVE = {"linear": "1", "relu": "[z > 0]", "sigmoid": "a · (1 − a)", "tanh": "1 − a²"}


def _hook_dense(layer, record: LayerStep):
    """Shadow ``layer.call`` (this instance only) by the composed ``z = x·W + b``, ``a = f(z)``, keeping both."""

    def call(inputs, training=None, _logits: bool = False, **kwargs):
        record.x = inputs.data.copy()
        record.W = layer.kernel.data.copy()
        record.b = None if layer.bias is None else layer.bias.data.copy()
        z = ops.matmul(inputs, layer.kernel)
        if layer.bias is not None:
            z = ops.add(z, layer.bias)
        z.retain_grad()
        record._z = z
        if _logits:  # the model asked for logits (fused sigmoid/softmax + cross-entropy): a is computed aside
            with no_grad():
                record.a = layer.activation(z).data.copy()
            return z
        a = layer.activation(z)
        record.a = a.data.copy()
        return a

    object.__setattr__(layer, "call", call)


def _hook_other(layer, record: LayerStep):
    inner = layer.call

    def call(inputs, *args, **kwargs):
        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        record.x = np.array(first.data, copy=True) if hasattr(first, "data") else None
        out = inner(inputs, *args, **kwargs)
        out0 = out[0] if isinstance(out, (list, tuple)) else out
        if getattr(out0, "requires_grad", False):
            out0.retain_grad()
        record._z = out0
        record.a = np.array(out0.data, copy=True)
        return out

    object.__setattr__(layer, "call", call)


def _show(name: str, value, max_rows: int, precision: int, indent: str = "      ") -> str:
    arr = np.asarray(value)
    note = ""
    if arr.ndim >= 2 and arr.shape[0] > max_rows:
        note = f"   (first {max_rows} of {arr.shape[0]} rows)"
        arr = arr[:max_rows]
    body = np.array2string(arr, precision=precision, suppress_small=True, max_line_width=110,
                           floatmode="maxprec_equal")
    pad = " " * (len(indent) + len(name) + 3)
    return f"{indent}{name} = " + body.replace("\n", "\n" + pad) + note


def explain_step(model, x, y, sample_weight=None, loss=None, optimizer="sgd", *, max_rows: int = 4,
                 precision: int = 4, print_fn: Callable[[str], None] | None = print) -> StepExplanation:
    """Run one real training step of a (small) Dense network on a copy and print it with real numbers.

    Shows the guide's six steps — forward ``z = xW + b`` and ``a = f(z)`` per layer, the loss, the output
    error ``δ``, ``δ`` propagated back through every layer, ``dW`` and ``db``, and the update the model's
    optimizer makes (``W − lr · dW`` for plain SGD) — and returns the numbers for plotting. The model,
    its optimizer state and the random generators are unchanged; its next real step would make exactly
    the update shown.

    Args:
        model: a neuronet model whose layers are Dense layers (other layers, e.g. Dropout, are shown by
            their output and its gradient only).
        x: a batch of inputs, shape ``(batch, features)``; keep it small to read the numbers.
        y: the batch's targets.
        sample_weight: optional per-sample weights. Defaults to None.
        loss: the loss for a model that is not compiled (or to override the compiled one). Defaults to None.
        optimizer: the optimizer for a model that is not compiled. Defaults to 'sgd'.
        max_rows: print at most this many samples (rows) of each batch array. Defaults to 4.
        precision: decimals printed. Defaults to 4.
        print_fn: called with the explanation text; None to print nothing. Defaults to ``print``.

    Returns:
        A :class:`StepExplanation`: a list of :class:`LayerStep` records (fields ``x, W, b, z, a, delta,
        dW, db, W_new, b_new``), indexable by layer name, with ``.loss`` and ``.text``.

    Example::

        steps = diagnostics.explain_step(model, x[:4], y[:4])
        steps["dense"].delta          # δ = ∂L/∂z of the first layer, shape (4, units)
    """
    where = "explain_step"
    _access.check_model(model, where)
    max_rows = _access.number(where, "max_rows", max_rows, 1, None, integer=True)
    precision = _access.number(where, "precision", precision, 0, 16, integer=True)
    compiled = _access.is_compiled(model)
    if loss is None and not compiled:
        raise ValueError(f"{where}: model '{model.name}' is not compiled with a loss; compile it or pass loss=... "
                         "(e.g. loss='mse')")
    xs = _access.as_inputs(model, x, where)
    _access.check_targets(xs, y, where)
    _access.ensure_built(model, xs, where)
    if not any(isinstance(layer, Dense) for layer in model.layers):
        raise ValueError(f"{where}: model '{model.name}' has no Dense layer to explain; its layers are "
                         f"{[type(layer).__name__ for layer in model.layers]}")
    saved = _access.RandomState(model)
    try:
        twin = _access.copy_model(model)
        if compiled and getattr(model, "optimizer", None) is not None and loss is None:
            opt = _access.copy_optimizer(model, twin)
        else:
            from .. import optimizers

            opt = optimizers.get(optimizer)
        records = []
        for layer in twin.layers:
            if isinstance(layer, Dense):
                rec = LayerStep(layer.name, _activation_name(layer.activation))
                _hook_dense(layer, rec)
            else:
                rec = LayerStep(layer.name, None)
                _hook_other(layer, rec)
            records.append(rec)
        try:
            catcher = _access.prepare_step(twin, loss=loss, optimizer=opt)
            value, grads = _access.train_step(twin, catcher, xs, y, sample_weight)
        finally:
            for layer in twin.layers:
                vars(layer).pop("call", None)
    finally:
        saved.restore()
    by_name = {layer.name: layer for layer in twin.layers}
    ran = []
    for rec in records:
        z = getattr(rec, "_z", None)
        if z is None:
            continue  # the layer did not run (e.g. an unused branch)
        rec.delta = None if z.grad is None else np.array(z.grad, copy=True)
        if rec.is_dense:
            rec.z = z.data.copy()
            layer = by_name[rec.name]
            rec.dW = grads.get(id(layer.kernel))
            rec.W_new = layer.kernel.data.copy()
            if layer.bias is not None:
                rec.db = grads.get(id(layer.bias))
                rec.b_new = layer.bias.data.copy()
        del rec._z
        ran.append(rec)
    opt_name = type(opt).__name__
    lr = float(opt.learning_rate)
    loss_name = _loss_name(loss if loss is not None else model.loss)
    text = _explanation(model.name, ran, value, loss_name, opt_name, lr, opt, max_rows, precision)
    if print_fn is not None:
        print_fn(text)
    return StepExplanation(ran, value, opt_name, lr, text)


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


def _plain_sgd(opt) -> bool:
    cfg = opt.get_config()
    return (type(opt).__name__ == "SGD" and not cfg.get("momentum") and not cfg.get("weight_decay")
            and cfg.get("clipnorm") is None and cfg.get("clipvalue") is None and cfg.get("global_clipnorm") is None)


def _explanation(model_name, records, loss_value, loss_name, opt_name, lr, opt, max_rows, precision) -> str:
    def show(name, value, indent="      "):
        return _show(name, value, max_rows, precision, indent)

    dense = [r for r in records if r.is_dense]
    n = len(dense[0].x) if dense else 0
    out = [f"One training step of model '{model_name}' on a batch of {n} samples "
           f"(loss {loss_name}, optimizer {opt_name}, learning rate {lr:g})", "",
           "1. Forward propagation, layer by layer: z = a_prev · W + b, a = f(z)"]
    for r in records:
        if not r.is_dense:
            out += [f"   layer '{r.name}' (not Dense): output", show("a", r.a)]
            continue
        out.append(f"   layer '{r.name}' ({r.activation}): W {r.W.shape}, b {None if r.b is None else r.b.shape}")
        out += [show("W", r.W), show("b", r.b) if r.b is not None else "      (no bias)",
                show("z = a_prev·W + b", r.z), show(f"a = {r.activation}(z)", r.a)]
    out += ["", f"2. Loss: {loss_name}(y, a) = {loss_value:.{precision + 2}g}", ""]
    last = dense[-1] if dense else None
    if last is not None:
        hint = {"sigmoid": " = (a − y) / n for sigmoid + binary cross-entropy",
                "softmax": " = (a − y) / n for softmax + categorical cross-entropy"}.get(last.activation, "")
        out += [f"3. Output error of layer '{last.name}': δ = ∂L/∂z{hint}", show("δ", last.delta), ""]
    out.append("4. Backpropagate the error: δ = (δ_next · W_nextᵀ) ⊙ f'(z)")
    for r in reversed(records[:-1] if records and records[-1] is last else records):
        if r.is_dense:
            deriv = _DERIVATIVE.get(r.activation, f"{r.activation}'(z)")
            out += [f"   layer '{r.name}' ({r.activation}, f'(z) = {deriv}):", show("δ", r.delta)]
        else:
            out += [f"   layer '{r.name}' (not Dense): ∂L/∂output", show("∂L/∂a", r.delta)]
    out += ["", "5. Gradients: dW = a_prevᵀ · δ, db = Σ over the batch of δ"]
    for r in dense:
        out += [f"   layer '{r.name}':", show("dW", r.dW)]
        if r.db is not None:
            out.append(show("db", r.db))
    sgd = _plain_sgd(opt)
    rule = f"W ← W − {lr:g} · dW" if sgd else f"the {opt_name} update (ΔW = W_new − W)"
    out += ["", f"6. Update ({opt_name}, learning rate {lr:g}): {rule}"]
    for r in dense:
        out += [f"   layer '{r.name}':", show("W_new", r.W_new)]
        if r.b_new is not None:
            out.append(show("b_new", r.b_new))
        if not sgd:
            out.append(show("ΔW", r.W_new - r.W))
    return "\n".join(out)
