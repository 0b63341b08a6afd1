"""Diagnostics: watch a network learn — backprop step by step, checked, explained and diagnosed.

The questions a beginner (and everyone else) asks when a network does not learn, and the tool for each:

* *What does backpropagation actually do here?* :func:`trace_backward` (or :func:`explain`) lists every op
  of a loss's graph in the order the engine differentiates them, with shapes and the gradient reaching
  each; :func:`explain_step` runs one real training step of a Dense network and prints ``z = xW + b``,
  ``a = f(z)``, the loss, ``δ`` from the output back, ``dW``, ``db`` and the update, with real numbers.
* *Is the backward pass right?* :func:`check_gradients` checks a whole model on a float64 copy: every
  layer in isolation (so a wrong backward is named even in a layer without weights), then end to end.
* *Do the gradients reach the first layers? Are the units alive?* :func:`layer_gradients` gives
  ``‖∂L/∂w‖`` per weight, :func:`activation_stats` the dead and saturated units,
  :func:`measure_health` both plus per-time-step gradients and LSTM/GRU gate saturation, and
  :func:`diagnose` turns them into problems with the guide's remedies — which the
  :class:`neuronet.callbacks.GradientMonitor` callback reports once each during ``fit``.
* *Will training work at all?* :func:`find_learning_rate` (the range test), :func:`check_overfit_batch`
  (can the model memorize one batch?) and :func:`loss_output_warnings` (a softmax over 1 unit, a relu
  output into a cross-entropy, ...).
* *Show me.* ``plot_*`` (matplotlib, the ``plot`` extra): history, confusion matrix, gradient flow,
  per-step gradients, activations with their derivatives, the range test; :func:`save_figure`.

Every function that trains or differentiates works on a copy of the model: the model, its optimizer
state, its weights' ``.grad`` and the random generators are unchanged afterwards. Models are reached
through their public face only (duck-typed: ``layers``, ``weights``, ``compile``, ``train_on_batch``).

Example::

    from neuronet import diagnostics

    print(diagnostics.check_gradients(model, x[:16], y[:16]))     # a table, then a verdict
    steps = diagnostics.explain_step(small_model, x[:4], y[:4])     # prints the six steps
    diagnostics.layer_gradients(model, x_batch, y_batch)            # {'dense': {'kernel': {...}}, ...}
    print(diagnostics.check_overfit_batch(model, x, y))             # PASSED: ... / FAILED: ... check that
"""

from .compile_checks import check_loss_output, loss_output_warnings
from .explain import LayerStep, StepExplanation, explain_step
from .gradient_check import GradientReport, check_gradients
from .health import LayerHealth, Problem, diagnose, gate_saturation, measure_health
from .lr_finder import LRFinderResult, OverfitResult, check_overfit_batch, find_learning_rate
from .plots import (plot_activations, plot_confusion_matrix, plot_gradient_flow, plot_history, plot_lr_finder,
                    plot_step_gradients, save_figure)
from .stats import SATURATION, Stats, activation_stats, layer_grad_norms, layer_gradients
from .trace import BackwardTrace, explain, trace_backward

__all__ = [
    "BackwardTrace",
    "GradientReport",
    "LRFinderResult",
    "LayerHealth",
    "LayerStep",
    "OverfitResult",
    "Problem",
    "SATURATION",
    "Stats",
    "StepExplanation",
    "activation_stats",
    "check_gradients",
    "check_loss_output",
    "check_overfit_batch",
    "diagnose",
    "explain",
    "explain_step",
    "find_learning_rate",
    "gate_saturation",
    "layer_grad_norms",
    "layer_gradients",
    "loss_output_warnings",
    "measure_health",
    "plot_activations",
    "plot_confusion_matrix",
    "plot_gradient_flow",
    "plot_history",
    "plot_lr_finder",
    "plot_step_gradients",
    "save_figure",
    "trace_backward",
]
