"""GradientMonitor: watch a network learn during ``fit`` and say, once, what goes wrong and what to do."""

from __future__ import annotations

import collections
import math
import numbers

import numpy as np

from ._monitor import learning_rate
from .base import Callback

__all__ = ["GradientMonitor"]

_RECENT = 20  # batch losses a spike is compared with (their median)


def _number(name: str, value, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"GradientMonitor: expected {name} to be a number in [{low}, {high}], received {value!r}")
    return float(value)


def _rows(x) -> int:
    return len(x[0]) if isinstance(x, (list, tuple)) and x and hasattr(x[0], "shape") else len(x)


def _head(data, n: int):
    """The first ``n`` rows of an array (of each array of a list/dict: several inputs or outputs)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: v[:n] for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape"):
        return [a[:n] for a in data]
    return data[:n]


class GradientMonitor(Callback):
    """Diagnose training as it runs: dead ReLUs, vanishing and exploding gradients, loss spikes.

    At the start of training and every ``every`` epochs it measures, on a fixed batch and without
    changing anything (:func:`neuronet.diagnostics.measure_health`): each layer's gradient and weight
    norms, dead and saturated units, and for recurrent layers the gradient reaching every time step
    and the saturation of the LSTM/GRU gates. After every batch it watches the loss. Each problem is
    reported **once** (not every epoch), naming the layer, the evidence and the guide's remedy:

    * **dead** units — more than ``dead_fraction`` of a ReLU layer's units output 0 for every sample;
      remedy: Leaky ReLU/ELU, He initialization, a lower learning rate;
    * **vanishing** gradients — a layer whose gradient per weight is below ``vanishing`` times the
      largest layer's (so the threshold follows the model, not one fixed number); remedy: ReLU with He
      initialization or BatchNormalization (LSTM/GRU for sequences);
    * **exploding** gradients — weights grown more than ``exploding`` times (gradients more than
      ``exploding²`` times) since the start of training, or non-finite; a layer whose weights exploded
      and whose units are now pinned at ±1 is reported as exploded, not as vanishing; remedy: a lower
      learning rate or ``clipnorm``;
    * a **loss spike** — a batch loss more than ``spike`` times the median of the last 20 and above
      the first batch's loss, or a non-finite loss: checked at once, mid-epoch, with the evidence of
      which layer's gradients grew;
    * **vanishing through time** in a SimpleRNN (the first step gets less than 1e-6 of the last
      step's gradient); remedy: LSTM or GRU.

    Without ``x`` and ``y`` it uses the gradients of the epoch's last batch and the weight norms only
    (no dead or saturation evidence); with ``x`` alone it adds the activation statistics.

    Args:
        every: check every ``every`` epochs (the first epoch always). Defaults to 1.
        vanishing: a layer's per-weight gradient below this fraction of the largest layer's is
            vanishing. Defaults to 1e-4.
        exploding: weights grown by more than this factor since the start (gradients: its square) have
            exploded. Defaults to 100.
        dead_fraction: report a ReLU layer with more than this fraction of dead units. Defaults to 0.5.
        verbose: 1 prints each warning, 0 only records it. Defaults to 1.
        x: a batch of training inputs to measure on (the same every time, so numbers compare).
            Defaults to None.
        y: its targets. Defaults to None.
        max_samples: at most this many rows of ``x``/``y`` are used. Defaults to 256.
        spike: a batch loss more than this many times the recent median is a spike. Defaults to 10.0.

    Attributes:
        history: one value per check, by layer: ``'epoch'``, ``'grad_norm'``, ``'weight_norm'``,
            ``'dead_fraction'`` (ReLU layers), ``'saturated_fraction'`` (sigmoid/tanh layers),
            ``'step_grad_norms'`` (recurrent layers: an array, one norm per time step) and
            ``'gate_saturation'`` (LSTM/GRU: ``{gate: fraction}``).
        warnings: one dict per problem: ``epoch`` (0-based), ``batch`` (for a spike, else None),
            ``layer``, ``kind`` ('dead', 'vanishing', 'exploding', 'loss_spike', 'non_finite',
            'no_gradient', 'vanishing_time'), ``evidence``, ``remedy`` and the printed ``message``.

    Example::

        monitor = GradientMonitor(x=x_train[:256], y=y_train[:256])
        model.fit(x_train, y_train, epochs=10, callbacks=[monitor])
        monitor.history["grad_norm"]["dense"]      # the first layer's gradient norm, check by check
    """

    def __init__(self, every: int = 1, vanishing: float = 1e-4, exploding: float = 100.0, dead_fraction: float = 0.5,
                 verbose: int = 1, x=None, y=None, max_samples: int = 256, spike: float = 10.0):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"GradientMonitor: expected every to be a positive integer, received {every!r}")
        if isinstance(max_samples, bool) or not isinstance(max_samples, numbers.Integral) or max_samples < 1:
            raise ValueError(f"GradientMonitor: expected max_samples to be a positive integer, received "
                             f"{max_samples!r}")
        self.vanishing = _number("vanishing", vanishing, 0.0, 1.0)
        self.exploding = _number("exploding", exploding, 1.0)
        self.dead_fraction = _number("dead_fraction", dead_fraction, 0.0, 1.0)
        self.spike = _number("spike", spike, 1.0)
        if verbose not in (0, 1, True, False):
            raise ValueError(f"GradientMonitor: expected verbose to be 0 or 1, received {verbose!r}")
        if y is not None and x is None:
            raise ValueError("GradientMonitor: y was given without x; pass both (or x alone for activation "
                             "statistics)")
        n = None if x is None else _rows(x)
        if y is not None and not isinstance(y, (list, tuple, dict)) and len(y) != n:
            raise ValueError(f"GradientMonitor: x and y have different numbers of samples: x has {n}, y has {len(y)}")
        if n == 0:
            raise ValueError("GradientMonitor: received empty x (0 samples)")
        self.every = int(every)
        self.verbose = int(verbose)
        self.max_samples = int(max_samples)
        self.x = _head(x, self.max_samples)
        self.y = _head(y, self.max_samples)
        self.history: dict = {}
        self.warnings: list = []
        self._reset()

    def _reset(self) -> None:
        self.history = {"epoch": [], "grad_norm": {}, "weight_norm": {}, "dead_fraction": {}, "saturated_fraction": {},
                        "step_grad_norms": {}, "gate_saturation": {}}
        self.warnings = []
        self._warned: set = set()
        self._start = None
        self._recent = collections.deque(maxlen=_RECENT)
        self._first_loss = None
        self._epoch = 0
        self._last_mean = None

    # ------------------------------------------------------------------ measuring
    def measure(self) -> dict:
        """The model's health now: ``{'loss', 'layers': {name: LayerHealth}}`` (see
        :func:`neuronet.diagnostics.measure_health`); a lighter version without ``x``/``y``."""
        from ..diagnostics import health

        if self.x is not None and self.y is not None:
            return health.measure_health(self.model, self.x, self.y)
        return self._light_measure()

    def _light_measure(self) -> dict:
        """Weight norms, the last training batch's gradients and (with ``x``) activation statistics."""
        from ..diagnostics import activation_stats
        from ..diagnostics.health import LayerHealth

        acts = activation_stats(self.model, self.x) if self.x is not None else {}
        layers = {}
        for layer in self.model.layers:
            weights = layer.trainable_weights
            params = int(sum(w.size for w in weights))
            g2 = sum(float(np.sum(np.square(w.grad, dtype=np.float64))) for w in weights if w.grad is not None)
            w2 = sum(float(np.sum(np.square(w.data, dtype=np.float64))) for w in weights)
            h = LayerHealth(kind=type(layer).__name__, grad_norm=math.sqrt(g2), weight_norm=math.sqrt(w2),
                            params=params, grad_rms=math.sqrt(g2 / params) if params else None, activation="-",
                            dead_fraction=None, saturated_fraction=None, units=None)
            a = acts.get(layer.name)
            if a is not None:
                h.update(activation=a["activation"], dead_fraction=a["dead_fraction"],
                         saturated_fraction=a["saturated_fraction"], units=a["shape"][-1] if a["shape"] else None)
            layers[layer.name] = h
        return {"loss": None, "layers": layers}

    def _record(self, epoch: int, now: dict) -> None:
        hist = self.history
        hist["epoch"].append(epoch)
        for name, h in now["layers"].items():
            if h["params"]:
                hist["grad_norm"].setdefault(name, []).append(h["grad_norm"])
                hist["weight_norm"].setdefault(name, []).append(h["weight_norm"])
            if h.get("dead_fraction") is not None and h["activation"] in ("relu", "relu6"):
                hist["dead_fraction"].setdefault(name, []).append(h["dead_fraction"])
            if h.get("saturated_fraction") is not None and h["activation"] in ("sigmoid", "hard_sigmoid", "tanh"):
                hist["saturated_fraction"].setdefault(name, []).append(h["saturated_fraction"])
            if h.get("step_grad_norms") is not None:
                hist["step_grad_norms"].setdefault(name, []).append(h["step_grad_norms"])
            if h.get("gate_saturation"):
                hist["gate_saturation"].setdefault(name, []).append(h["gate_saturation"])

    def _diagnose(self, now: dict) -> list:
        from ..diagnostics import health

        return health.diagnose(now, self._start, vanishing=self.vanishing, growth=self.exploding,
                               dead_fraction=self.dead_fraction, learning_rate=learning_rate(self.model))

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._reset()
        if self.x is not None and self.y is not None:
            self._start = self.measure()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._last_mean = None

    def on_train_batch_end(self, batch, logs=None):
        mean = (logs or {}).get("loss")
        if mean is None:
            return
        mean = float(mean)
        # the logs hold the epoch's running mean: the batch's own loss is k·mean_k − (k−1)·mean_(k−1)
        # (exact for equal batches; the epoch's last, smaller batch is slightly off)
        value = mean if self._last_mean is None else (batch + 1) * mean - batch * self._last_mean
        self._last_mean = mean
        if self._first_loss is None:
            self._first_loss = value
        recent = self._recent
        if not math.isfinite(value):
            self._spike(batch, value, "non_finite")
        elif len(recent) >= 3:
            median = float(np.median(recent))
            if value > self.spike * median and value > self._first_loss:
                self._spike(batch, value, "loss_spike", median)
        if math.isfinite(value):
            recent.append(value)

    def _spike(self, batch: int, value: float, kind: str, median: float | None = None) -> None:
        if kind in self._warned:
            return
        where = f"at batch {batch + 1}"
        if kind == "non_finite":
            head = f"the loss became {value} {where}"
        else:
            head = (f"the loss jumped to {value:.4g} {where}, {value / median:.0f}× the median of the last "
                    f"{len(self._recent)} batches ({median:.4g})")
        evidence, layer = head, None
        if self.x is not None and self.y is not None:
            with np.errstate(all="ignore"):
                now = self.measure()
            exploded = [p for p in self._diagnose(now) if p.kind == "exploding"]
            if exploded:
                evidence += "; " + exploded[0].evidence
                layer = exploded[0].layer
            else:
                layer, growth = self._fastest_growing(now)
                if layer is not None and growth >= 10:
                    evidence += f"; the gradient grew most in layer '{layer}' ({growth:.0f}× its start)"
                elif layer is not None:
                    evidence += (f"; the gradients on the monitored batch are at most {growth:.1f}× their start, so "
                                 "it may be one unusual batch")
        lr = learning_rate(self.model)
        remedy = (f"lower the learning rate{f' (now {lr:g})' if lr is not None else ''}, or clip the gradients: "
                  "clipnorm=1.0 in the optimizer")
        self._warn(self._epoch, kind, layer, evidence, remedy, batch=batch)

    def _fastest_growing(self, now: dict):
        best, growth = None, 0.0
        for name, h in now["layers"].items():
            b = (self._start or {}).get("layers", {}).get(name)
            if b is not None and b["grad_norm"] > 0 and math.isfinite(h["grad_norm"]):
                g = h["grad_norm"] / b["grad_norm"]
                if g > growth:
                    best, growth = name, g
        return best, growth

    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every:
            return
        with np.errstate(all="ignore"):
            now = self.measure()
        if self._start is None:  # light mode: the first check is the reference
            self._start = now
        self._record(epoch, now)
        for problem in self._diagnose(now):
            self._warn(epoch, problem.kind, problem.layer, problem.evidence, problem.remedy)

    def _warn(self, epoch: int, kind: str, layer, evidence: str, remedy: str, batch=None) -> None:
        if kind in self._warned:
            return
        self._warned.add(kind)
        message = f"GradientMonitor: epoch {epoch + 1}: {evidence}. Remedy: {remedy}."
        self.warnings.append({"epoch": epoch, "batch": batch, "layer": layer, "kind": kind, "evidence": evidence,
                              "remedy": remedy, "message": message})
        if self.verbose:
            print(message)
