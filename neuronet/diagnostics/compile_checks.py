"""Loss/output mismatches that train silently into nonsense: the ones Keras warns about, and those it misses.

Keras 3.15 warns about a softmax over an axis of size 1 (its output is always 1), categorical
cross-entropy on a single output unit, and ``from_logits=True`` on an output that a sigmoid/softmax
already turned into probabilities. It says nothing when a relu or linear output (not a probability)
feeds a cross-entropy that expects one, or about softmax + binary / sigmoid + categorical
cross-entropy. :func:`loss_output_warnings` finds all of these from the output layer and the loss
alone, before any training; the rules are the trainer's own (``neuronet.models.training_checks``), which
``fit`` applies at its first step.
"""

from __future__ import annotations

from ..models.training_checks import output_loss_mismatches as _pair
from ..models.training_checks import warn_once

__all__ = ["check_loss_output", "loss_output_warnings"]


def _output_layers(model) -> list:
    """``(layer, units)`` for each output of a model (duck-typed: functional outputs, else the last layer)."""
    outputs = getattr(model, "outputs", None)
    found = []
    if isinstance(outputs, (list, tuple)) and outputs:
        for t in outputs:
            node = getattr(t, "_node", None)
            layer = getattr(node, "layer", None)
            shape = getattr(t, "shape", None)
            found.append((layer, shape[-1] if shape else None))
        return found
    layers = getattr(model, "layers", None) or []
    if not layers:
        return []
    layer = layers[-1]
    return [(layer, getattr(layer, "units", None))]


def loss_output_warnings(model_or_layer, loss, units: int | None = None) -> list:
    """The loss/output mismatches of a model (or of an output layer, or an activation name), as messages.

    Args:
        model_or_layer: a model (its output layer is looked at), an output layer, an activation function
            or an activation name ('softmax', 'relu', ...).
        loss: the loss as given to ``compile`` (name, Loss object or function). For a model with several
            outputs, one loss for all or a list/dict (one per output).
        units: the output width, when ``model_or_layer`` does not tell it (an activation name).
            Defaults to None.

    Returns:
        A list of one-line messages, empty when the pair is sound. Each names the layer, what goes wrong
        and the fix.

    Example::

        >>> loss_output_warnings("softmax", "binary_crossentropy", units=1)[0]
        'the output applies softmax over 1 unit: its output is always 1.0, so the loss is constant and ...'
    """
    return [message for _, message in _mismatches(model_or_layer, loss, units)]


def _mismatches(model_or_layer, loss, units) -> list:
    if hasattr(model_or_layer, "layers") and hasattr(model_or_layer, "compile"):
        pairs = _output_layers(model_or_layer)
        if isinstance(loss, dict):
            names = [getattr(layer, "name", None) for layer, _ in pairs]
            losses = [loss.get(n) for n in names]
        elif isinstance(loss, (list, tuple)):
            losses = list(loss)
        else:
            losses = [loss] * len(pairs)
        found = []
        for (layer, width), one in zip(pairs, losses):
            if one is not None:
                found += _pair(layer, width, one)
        return found
    width = units if units is not None else getattr(model_or_layer, "units", None)
    return _pair(model_or_layer, width, loss)


def check_loss_output(model_or_layer, loss, units: int | None = None) -> list:
    """Warn (``UserWarning``, once per process for each kind of mismatch) about the mismatches that
    :func:`loss_output_warnings` finds; returns their messages."""
    found = _mismatches(model_or_layer, loss, units)
    for key, message in found:
        warn_once(key, message, stacklevel=3)  # points at the caller
    return [message for _, message in found]
