"""How the diagnostics reach a model: through its public face only, duck-typed.

A model here is anything with ``layers``, ``weights``, ``compile``, ``fit`` and ``train_on_batch`` (a
neuronet Sequential, functional or subclassed model); the Model class is never imported, so the
diagnostics sit above models, saving and callbacks without an import circle.

Every measurement that needs a training step runs on a **copy** (:func:`copy_model`): the user's
model, its optimizer, its weights' ``.grad`` and the random generators are left exactly as they were.
Gradients come from the model's own training step (``train_on_batch``) with the copy's optimizer
replaced by a :class:`GradientCatcher` that keeps the gradients instead of applying them, so they are
the gradients ``fit`` would use — compiled loss, loss weights, ``add_loss`` terms, regularizers and
masks included — without the diagnostics re-implementing any of it.
"""

from __future__ import annotations

import contextlib
import copy
import numbers

import numpy as np

from .. import config
from ..autograd import Tensor, no_grad

_MODEL_METHODS = ("compile", "fit", "train_on_batch", "predict")


def is_model(obj) -> bool:
    """Whether ``obj`` looks like a trainable neuronet model (duck-typed)."""
    return (hasattr(obj, "layers") and hasattr(obj, "weights")
            and all(callable(getattr(obj, m, None)) for m in _MODEL_METHODS))


def check_model(model, where: str) -> None:
    if not is_model(model):
        raise TypeError(f"{where}: expected a neuronet Model (Sequential, functional or subclassed), received "
                        f"{type(model).__name__}")


def all_layers(model) -> list:
    """``model`` and every layer inside it (depth first, each once)."""
    out, seen, stack = [], set(), [model]
    while stack:
        layer = stack.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        stack.extend(reversed(list(getattr(layer, "_layers", ()))))
    return out


def is_compiled(model) -> bool:
    return bool(getattr(model, "compiled", False)) and getattr(model, "loss", None) is not None


def rows(x) -> int:
    return len(x[0]) if isinstance(x, list) else len(x)


def as_inputs(model, x, where: str):
    """``x`` as arrays the model takes (an ndarray, or a list for several inputs), floats in its dtype."""
    if x is None:
        raise ValueError(f"{where}: x is None; pass a batch of inputs")

    def convert(a, label):
        a = a.data if isinstance(a, Tensor) else np.asarray(a)
        if a.dtype == object or a.dtype.kind not in "fiub":
            raise TypeError(f"{where}: expected numeric {label}, received an array of dtype {a.dtype}")
        if a.ndim == 0:
            raise ValueError(f"{where}: expected {label} with one row per sample, received a scalar")
        return a.astype(model.dtype) if a.dtype.kind == "f" and a.dtype != model.dtype else a

    if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape"):
        xs = [convert(a, f"x[{i}]") for i, a in enumerate(x)]
        if len({len(a) for a in xs}) > 1:
            raise ValueError(f"{where}: the input arrays have different numbers of samples {[len(a) for a in xs]}")
        xs = xs if len(xs) > 1 else xs[0]
    else:
        xs = convert(x, "x")
    if rows(xs) == 0:
        raise ValueError(f"{where}: received empty data (0 samples)")
    return xs


def check_targets(xs, y, where: str) -> None:
    if y is None:
        raise ValueError(f"{where}: y is None; pass the batch's targets")
    if isinstance(y, (list, tuple, dict)):
        return  # several outputs: the model's own step checks each
    n, n_y = rows(xs), len(y)
    if n != n_y:
        raise ValueError(f"{where}: x and y have different numbers of samples: x has {n}, y has {n_y}")


def ensure_built(model, xs, where: str) -> None:
    """Create the model's weights and check the input shape (one forward pass, no graph); a wrong
    feature count fails here with the layer's message, prefixed by ``where``."""
    try:
        with no_grad():
            model(xs, training=False)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


# ---------------------------------------------------------------------------------------------- randomness
class RandomState:
    """A snapshot of every random source a forward pass may draw from: the library's generator
    (``config.rng()``), any NumPy Generator a layer keeps (e.g. a seeded Dropout) and the integer state
    weights of ``neuronet.random.SeedGenerator``s (any integer weight of the model). :meth:`restore`
    puts them all back, so the next pass draws the same dropout masks and noise."""

    def __init__(self, model=None):
        self.generators = [config.rng()]
        self.counters = []
        if model is not None:
            for layer in all_layers(model):
                for value in vars(layer).values():
                    if isinstance(value, np.random.Generator) and all(value is not g for g in self.generators):
                        self.generators.append(value)
            self.counters = [(v, v.data.copy()) for v in model.weights if v.data.dtype.kind in "iu"]
        self.states = [g.bit_generator.state for g in self.generators]

    def restore(self) -> None:
        for g, state in zip(self.generators, self.states):
            g.bit_generator.state = state
        for v, data in self.counters:
            v.data[...] = data


# ---------------------------------------------------------------------------------------------- copies
@contextlib.contextmanager
def floatx(dtype: str):
    """Run the block with ``config.floatx()`` set to ``dtype`` (restored afterwards)."""
    old = config.floatx()
    config.set_floatx(dtype)
    try:
        yield
    finally:
        config.set_floatx(old)


def copy_model(model, dtype: str | None = None):
    """A deep copy of ``model`` to experiment on, without its optimizer (``None``) and training history.

    With ``dtype`` (e.g. 'float64') every weight, every float array a layer keeps and every layer's
    compute dtype is converted, so the copy runs wholly in that precision (custom layers included: they
    read their dtype from ``self.dtype`` like the library's)."""
    memo: dict = {}
    for obj in (getattr(model, "optimizer", None), getattr(model, "history", None)):
        if obj is not None:
            memo[id(obj)] = None
    for layer in all_layers(model):  # loss tensors of the last call carry graphs: not worth copying
        for key in ("_added_losses", "_activity_losses"):
            value = vars(layer).get(key)
            if value:
                memo[id(value)] = []
    twin = copy.deepcopy(model, memo)
    for v in twin.weights:
        v.grad = None
    if dtype is not None:
        for layer in all_layers(twin):
            layer.dtype = dtype
            for key, value in list(vars(layer).items()):
                if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                    object.__setattr__(layer, key, value.astype(dtype))
        for v in twin.weights:
            if v.data.dtype.kind == "f":  # integer weights (random seed states) keep their type
                v.data = np.ascontiguousarray(v.data, dtype=dtype)
    return twin


def copy_optimizer(model, twin):
    """A new optimizer for ``twin`` with the configuration and state (moments, step count) of ``model``'s,
    so one step of the copy updates its weights exactly as the next step of ``model`` would."""
    opt = model.optimizer
    fresh = type(opt).from_config(opt.get_config())
    variables = twin.trainable_weights
    if opt.built:  # slots are taken in the order of the variables, cast to their dtype
        fresh.load_state_dict(opt.state_dict())
    fresh.build(variables)
    return fresh


class _Catcher:
    """Stands in for a model's optimizer: keeps the gradients ``apply`` receives instead of applying them."""

    def __init__(self, inner=None):
        self.inner = inner
        self.grads: dict = {}
        self.iterations = 0

    def build(self, variables) -> None:
        if self.inner is not None:
            self.inner.build(variables)

    @property
    def built(self) -> bool:
        return True

    @property
    def learning_rate(self) -> float:
        return self.inner.learning_rate if self.inner is not None else 0.0

    def apply(self, grads, variables=None) -> None:
        self.grads = {id(v): np.array(g.data if isinstance(g, Tensor) else g, copy=True)
                      for g, v in zip(grads, variables) if g is not None}
        if self.inner is not None:
            self.inner.apply(grads, variables)

    def apply_gradients(self, grads_and_vars) -> None:
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def get_config(self) -> dict:
        return {}


GradientCatcher = _Catcher


def prepare_step(twin, loss=None, optimizer=None) -> _Catcher:
    """Give ``twin`` (a copy) a catcher as optimizer — wrapping ``optimizer`` when a real update is
    wanted — and compile it with ``loss`` when one is given. Returns the catcher."""
    catcher = _Catcher(optimizer)
    if loss is not None:
        twin.compile(optimizer="sgd", loss=loss)
    twin.optimizer = catcher
    return catcher


def train_step(twin, catcher: _Catcher, xs, y, sample_weight=None) -> tuple:
    """One training step of ``twin`` on the batch: ``(loss, {id(variable): gradient})``."""
    logs = twin.train_on_batch(xs, y, sample_weight=sample_weight, return_dict=True)
    return float(logs["loss"]), catcher.grads


def number(where: str, name: str, value, low: float | None = None, high: float | None = None,
           integer: bool = False):
    """``value`` checked to be a real (an integer with ``integer``) in ``[low, high]``; else a ValueError."""
    kind = numbers.Integral if integer else numbers.Real
    ok = not isinstance(value, bool) and isinstance(value, kind)
    if ok:
        ok = (low is None or value >= low) and (high is None or value <= high) and np.isfinite(value)
    if not ok:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        what = "an integer" if integer else "a number"
        raise ValueError(f"{where}: expected {name} to be {what} in [{lo}, {hi}], received {name}={value!r}")
    return int(value) if integer else float(value)


class Call:
    """One recorded layer call: the layer, its positional inputs, keyword arguments and output."""

    __slots__ = ("layer", "inputs", "args", "kwargs", "output")

    def __init__(self, layer, inputs, args, kwargs, output):
        self.layer, self.inputs, self.args, self.kwargs, self.output = layer, inputs, args, kwargs, output

    @property
    def input_tensors(self) -> list:
        flat = self.inputs if isinstance(self.inputs, (list, tuple)) else [self.inputs]
        return [t for t in flat if isinstance(t, Tensor)]

    @property
    def output_tensor(self):
        out = self.output[0] if isinstance(self.output, (list, tuple)) else self.output
        return out if isinstance(out, Tensor) else None


@contextlib.contextmanager
def record_calls(layers, watch_inputs: bool = False):
    """Record every call of ``layers`` (instances' ``call`` shadowed for the block, restored after).

    With ``watch_inputs``, each floating input Tensor of a call is made to keep its gradient: a leaf
    that does not require grad is replaced by a copy that does (the data, not a weight), any other one
    retains its ``.grad`` — so after ``backward`` ``call.inputs`` hold ``∂L/∂input``.

    Yields the list of :class:`Call` records, in call order.
    """
    calls: list = []
    shadowed = []

    def watch(t):
        if not isinstance(t, Tensor) or not np.issubdtype(t.data.dtype, np.floating):
            return t
        if t._ctx is None and not t.requires_grad:
            return Tensor(t.data, requires_grad=True)
        if t.requires_grad:
            t.retain_grad()
        return t

    def hook(layer):
        call = layer.call

        def recording_call(inputs, *args, **kwargs):
            if watch_inputs:
                inputs = type(inputs)(watch(t) for t in inputs) if isinstance(inputs, (list, tuple)) else watch(inputs)
            out = call(inputs, *args, **kwargs)
            calls.append(Call(layer, inputs, args, kwargs, out))
            return out

        shadowed.append((layer, vars(layer).get("call")))
        object.__setattr__(layer, "call", recording_call)  # this instance only

    try:
        for layer in layers:
            hook(layer)
        yield calls
    finally:
        for layer, previous in reversed(shadowed):
            vars(layer).pop("call", None)
            if previous is not None:
                object.__setattr__(layer, "call", previous)
