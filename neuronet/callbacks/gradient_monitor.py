"""GradientMonitor: record per-layer gradient norms and dead units during fit, and warn when they go wrong."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .base import Callback

__all__ = ["GradientMonitor"]

# activations whose units can die (output exactly 0 for every input)
_DEAD_KINDS = ("relu", "relu6")
_SATURATING_KINDS = ("sigmoid", "hard_sigmoid", "tanh")


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
    """Watch how a network learns: per-layer gradient norms and dead ReLU units, every few epochs.

    After an epoch it computes, per layer, the gradient norm ``sqrt(Σ_w ‖∂L/∂w‖²)`` over the layer's
    weights and — when ``x`` is given — the fraction of dead ReLU units and of saturated sigmoid/tanh
    outputs (see :func:`neuronet.diagnostics.layer_gradients` and
    :func:`neuronet.diagnostics.activation_stats`). It records them in :attr:`history` and prints a
    one-line warning naming the layer when

    * its gradient norm is below ``vanishing`` (vanishing gradients: the layer barely learns),
    * its gradient norm is above ``exploding`` or not finite (exploding gradients),
    * more than ``dead_fraction`` of a ReLU layer's units are dead (zero for every sample).

    Where the numbers come from:

    * ``x`` and ``y`` given: a fixed batch (the first ``max_samples`` rows), one extra forward and
      backward pass that changes nothing (the same batch every epoch, so the numbers are comparable);
    * only ``x``: gradients of the epoch's last training batch (the ``.grad`` the optimizer just used)
      and activation statistics on ``x``;
    * neither: the last training batch's gradients only (no dead-unit statistics; free).

    Args:
        every: check every ``every`` epochs (the first epoch is always checked). Defaults to 1.
        vanishing: a layer gradient norm below this is reported as vanishing. Defaults to 1e-7.
        exploding: a layer gradient norm above this is reported as exploding. Defaults to 1e3.
        dead_fraction: report a ReLU layer with more than this fraction of dead units. Defaults to 0.5.
        verbose: 1 prints the warnings, 0 only records them. Defaults to 1.
        x: a small batch of training inputs to monitor. Defaults to None.
        y: its targets. Defaults to None.
        max_samples: at most this many rows of ``x``/``y`` are used. Defaults to 256.

    Attributes:
        history: ``{'epoch': [0, 1, ...], 'grad_norm': {layer: [...]}, 'dead_fraction': {relu layer:
            [...]}, 'saturated_fraction': {sigmoid/tanh layer: [...]}}``, one value per checked epoch.
        warnings: one dict per warning: ``epoch`` (0-based), ``layer``, ``kind`` ('vanishing',
            'exploding' or 'dead'), ``value`` and the printed ``message``.

    Example::

        monitor = GradientMonitor(x=x_train[:256], y=y_train[:256])
        model.fit(x_train, y_train, epochs=10, callbacks=[monitor])
        monitor.history["grad_norm"]["dense"]      # the first layer's gradient norm, epoch by epoch
    """

    def __init__(self, every: int = 1, vanishing: float = 1e-7, exploding: float = 1e3, dead_fraction: float = 0.5,
                 verbose: int = 1, x=None, y=None, max_samples: int = 256):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"GradientMonitor: expected every to be a positive integer, received {every!r}")
        if isinstance(max_samples, bool) or not isinstance(max_samples, numbers.Integral) or max_samples < 1:
            raise ValueError(f"GradientMonitor: expected max_samples to be a positive integer, received "
                             f"{max_samples!r}")
        self.vanishing = _number("vanishing", vanishing)
        self.exploding = _number("exploding", exploding)
        if self.exploding <= self.vanishing:
            raise ValueError(f"GradientMonitor: expected exploding > vanishing, received exploding={exploding!r} "
                             f"and vanishing={vanishing!r}")
        self.dead_fraction = _number("dead_fraction", dead_fraction, 0.0, 1.0)
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
        self.history = {"epoch": [], "grad_norm": {}, "dead_fraction": {}, "saturated_fraction": {}}
        self.warnings = []

    def on_train_begin(self, logs=None):
        self._reset()

    # ------------------------------------------------------------------ measuring
    def _last_batch_norms(self) -> dict:
        """Per layer, the norm of the gradients the last training step left on its weights."""
        norms = {}
        for layer in self.model.layers:
            weights = layer.trainable_weights
            if weights:
                norms[layer.name] = math.sqrt(sum(float(np.sum(np.square(w.grad, dtype=np.float64)))
                                                  for w in weights if w.grad is not None))
        return norms

    def measure(self) -> tuple:
        """The current ``(grad norms, activation stats)``: ``{layer: norm}`` and the
        :func:`~neuronet.diagnostics.activation_stats` dict (empty without ``x``)."""
        from .. import diagnostics

        if self.x is not None and self.y is not None:
            norms = diagnostics.layer_grad_norms(diagnostics.layer_gradients(self.model, self.x, self.y))
        else:
            norms = self._last_batch_norms()
        acts = diagnostics.activation_stats(self.model, self.x) if self.x is not None else {}
        return norms, acts

    # ------------------------------------------------------------------ the hook
    def on_epoch_end(self, epoch, logs=None):
        if epoch % self.every:
            return
        norms, acts = self.measure()
        self.history["epoch"].append(epoch)
        for layer, value in norms.items():
            self.history["grad_norm"].setdefault(layer, []).append(value)
            if not math.isfinite(value) or value > self.exploding:
                self._warn(epoch, layer, "exploding", value, f"gradients explode in layer '{layer}' "
                           f"(|grad| = {value:.3g} > exploding={self.exploding:g})")
            elif value == 0.0:
                self._warn(epoch, layer, "vanishing", value, f"no gradient reaches layer '{layer}' (|grad| = 0: "
                           "dead or saturated units, or it does not affect the loss)")
            elif value < self.vanishing:
                self._warn(epoch, layer, "vanishing", value, f"gradients vanish in layer '{layer}' "
                           f"(|grad| = {value:.3g} < vanishing={self.vanishing:g})")
        for layer, stats in acts.items():
            kind = stats["activation"]
            if kind in _DEAD_KINDS:
                dead = stats["dead_fraction"]
                self.history["dead_fraction"].setdefault(layer, []).append(dead)
                if dead > self.dead_fraction:
                    self._warn(epoch, layer, "dead", dead,
                               f"{dead:.0%} of the units of ReLU layer '{layer}' are dead (zero for every sample; "
                               f"dead_fraction={self.dead_fraction:g})")
            elif kind in _SATURATING_KINDS:
                self.history["saturated_fraction"].setdefault(layer, []).append(stats["saturated_fraction"])

    def _warn(self, epoch: int, layer: str, kind: str, value: float, text: str) -> None:
        message = f"GradientMonitor: epoch {epoch + 1}: {text}"
        self.warnings.append({"epoch": epoch, "layer": layer, "kind": kind, "value": value, "message": message})
        if self.verbose:
            print(message)
