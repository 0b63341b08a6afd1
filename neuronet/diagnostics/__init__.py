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

from .health import LayerHealth, Problem, diagnose, gate_saturation, measure_health
from .lr_finder import LRFinderResult, OverfitResult, check_overfit_batch, find_learning_rate
from .plots import (plot_activations, plot_confusion_matrix, plot_gradient_flow, plot_history, plot_lr_finder,
                    plot_step_gradients, save_figure)
from .stats import SATURATION, Stats, activation_stats, layer_grad_norms, layer_gradients
from .compile_checks import check_loss_output, loss_output_warnings
from .explain import LayerStep, StepExplanation, explain_step
from .gradient_check import GradientReport, check_gradients
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
    "layer_gradients",
    "layer_grad_norms",
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
