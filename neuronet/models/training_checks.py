"""Checks of a compiled model's training setup, run by the trainer once per ``compile`` at the first
``fit``/``evaluate``/``train_on_batch`` (when the output shapes are known).

Each mistake warns once per process (as Python's 'once' filter): a model trained in a loop warns once.
"""

from __future__ import annotations

import warnings

__all__ = ["check_training_setup"]

_WARNED: set = set()


def _warn_once(key: str, message: str) -> None:
    """Warn about one kind of mistake (``key``) once per process; the warning points at the user's call."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=5)


def check_training_setup(model) -> None:
    """Warn about losses that do not fit the activation of the output they train.

    * softmax over several units with binary cross-entropy (use a categorical cross-entropy, or sigmoid);
    * sigmoid with a categorical cross-entropy (which expects probabilities summing to 1);
    * ``from_logits=True`` after a sigmoid/softmax (the loss would read probabilities as logits).

    Args:
        model: a compiled neuronet model. It is read through ``model._heads`` (each output's ``loss_fn``,
            ``kind`` — 'binary', 'categorical', 'sparse' or '' — and ``index``), ``model._output_layer(i)``
            (the layer producing output ``i``, or None) and ``model._units(i)`` (its last axis, or None).
    """
    from .. import activations

    for head in model._heads:
        loss = head.loss_fn
        if loss is None:
            continue
        layer = model._output_layer(head.index)
        activation = getattr(layer, "activation", None)
        kind, units = head.kind, model._units(head.index)
        from_logits = bool(getattr(loss, "from_logits", False) or getattr(loss, "_fn_kwargs", {}).get("from_logits"))
        name = f"the output layer '{layer.name}'" if layer is not None else "the output"
        logits_note = "treat probabilities as logits. Remove the activation or use from_logits=False"
        if activation is activations.softmax:
            if kind == "binary" and (units or 0) > 1:
                _warn_once("softmax+binary",
                           f"{name} applies softmax over {units} units but the loss is binary_crossentropy: use "
                           "categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (integer "
                           "labels), or a sigmoid output for independent labels")
            if from_logits:
                _warn_once("softmax+from_logits", f"the loss has from_logits=True but {name} already applies "
                           f"softmax: the loss will {logits_note}")
        elif activation is activations.sigmoid:
            if kind in ("categorical", "sparse") and not from_logits:
                _warn_once("sigmoid+categorical",
                           f"{name} applies sigmoid but the loss is {getattr(loss, 'name', kind)}: categorical "
                           "cross-entropy expects a softmax output (probabilities summing to 1)")
            if from_logits:
                _warn_once("sigmoid+from_logits", f"the loss has from_logits=True but {name} already applies "
                           f"sigmoid: the loss will {logits_note}")
