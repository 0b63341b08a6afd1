"""Checks of a compiled model's training setup: a loss that does not fit the activation of the output
it trains. The trainer runs :func:`check_training_setup` once per ``compile``, at the first
``fit``/``evaluate``/``train_on_batch`` (when the output shapes are known); ``neuronet.diagnostics``
offers the same rules before any training (``loss_output_warnings``).

Keras 3.15 warns about a softmax over an axis of size 1 (its output is always 1), categorical
cross-entropy on a single output unit, and ``from_logits=True`` on an output that a sigmoid/softmax
already turned into probabilities. These rules also catch what it misses: softmax + binary and
sigmoid + categorical cross-entropy, and a relu or linear output (not a probability) feeding a
cross-entropy that expects one.

Each mistake warns once per process (as Python's 'once' filter): a model trained in a loop warns once.
"""

from __future__ import annotations

import warnings

__all__ = ["check_training_setup", "output_loss_mismatches", "warn_once"]

_PROBABILITY = ("sigmoid", "hard_sigmoid", "softmax")
_WARNED: set = set()


def warn_once(key: str, message: str, stacklevel: int = 2) -> None:
    """Warn about one kind of mistake (``key``) once per process; ``stacklevel`` counts from this
    function's frame, as in ``warnings.warn``."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, UserWarning, stacklevel=stacklevel)


def activation_name(layer_or_name) -> str | None:
    """'softmax', 'sigmoid', 'relu', 'linear', ... for a layer (its ``activation``, or an activation layer's
    kind), an activation function or a name; None when unknown."""
    if layer_or_name is None:
        return None
    if isinstance(layer_or_name, str):
        return layer_or_name.lower()
    from .. import activations

    fn = getattr(layer_or_name, "activation", None)
    if fn is None:
        kind = type(layer_or_name).__name__
        known = {"Softmax": "softmax", "ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu", "PReLU": "prelu"}
        if kind in known:
            return known[kind]
        fn = layer_or_name if callable(layer_or_name) and not hasattr(layer_or_name, "call") else None
    if fn is None:
        return None
    if isinstance(fn, str):
        return fn.lower()
    try:
        return activations.serialize(fn)
    except (ValueError, TypeError):
        return getattr(fn, "__name__", None)


def loss_kind(loss) -> tuple:
    """``(kind, name, from_logits)`` of a loss (name, object or function): kind is 'binary', 'categorical'
    or 'sparse' for the three cross-entropies, else ''."""
    from .. import losses

    try:
        fn = losses.get(loss)
    except (ValueError, TypeError):
        return "", str(loss), False
    inner = getattr(fn, "fn", None)
    kinds = {"binary": (losses.BinaryCrossentropy, losses.binary_crossentropy),
             "categorical": (losses.CategoricalCrossentropy, losses.categorical_crossentropy),
             "sparse": (losses.SparseCategoricalCrossentropy, losses.sparse_categorical_crossentropy)}
    kind = next((k for k, (cls, f) in kinds.items() if isinstance(fn, cls) or inner is f or fn is f), "")
    from_logits = bool(getattr(fn, "from_logits", False) or getattr(fn, "_fn_kwargs", {}).get("from_logits"))
    name = {"binary": "binary_crossentropy", "categorical": "categorical_crossentropy",
            "sparse": "sparse_categorical_crossentropy"}.get(kind) or getattr(fn, "name", None) or str(loss)
    return kind, name, from_logits


def output_loss_mismatches(layer, units, loss) -> list:
    """``[(kind of mistake, one-line message), ...]`` for an output (a layer, an activation function or
    name) of ``units`` units trained with ``loss``; empty when the pair is sound."""
    activation = activation_name(layer)
    kind, loss_name, from_logits = loss_kind(loss)
    name = f"the output layer '{layer.name}'" if hasattr(layer, "name") and not isinstance(layer, str) else "the output"
    found = []
    if activation == "softmax" and units == 1:
        found.append(("softmax_one_unit",
                      f"{name} applies softmax over 1 unit: its output is always 1.0, so the loss is constant and "
                      "nothing is learned; for two classes use one sigmoid unit with binary_crossentropy"))
    if kind in ("categorical", "sparse") and units == 1:
        found.append((f"{kind}_one_unit",
                      f"{loss_name} expects an output of one unit per class (classes > 1), but {name} has 1 unit; "
                      "for two classes use one sigmoid unit with binary_crossentropy"))
    if from_logits and activation in ("sigmoid", "softmax"):
        found.append((f"{activation}_from_logits",
                      f"the loss has from_logits=True but {name} already applies {activation}: the loss will treat "
                      "probabilities as logits. Remove the activation or use from_logits=False"))
    if kind == "binary" and activation == "softmax" and (units or 0) > 1:
        found.append(("softmax_binary",
                      f"{name} applies softmax over {units} units but the loss is binary_crossentropy: use "
                      "categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy (integer "
                      "labels), or a sigmoid output for independent labels"))
    if kind in ("categorical", "sparse") and activation in ("sigmoid", "hard_sigmoid") and not from_logits:
        found.append(("sigmoid_categorical",
                      f"{name} applies sigmoid but the loss is {loss_name}: categorical cross-entropy expects a "
                      "softmax output (probabilities summing to 1)"))
    if kind and not from_logits and activation is not None and activation not in _PROBABILITY:
        want = "sigmoid" if kind == "binary" else "softmax"
        found.append((f"{activation}_{kind}_probabilities",
                      f"{name} has activation '{activation}', whose outputs are not probabilities, but {loss_name} "
                      f"expects probabilities: use activation='{want}', or keep the layer linear and pass "
                      f"from_logits=True to the loss"))
    return found


def check_training_setup(model) -> None:
    """Warn (once per process for each kind of mistake, pointing at the user's call) about every output
    whose loss does not fit its activation (see :func:`output_loss_mismatches`).

    Args:
        model: a compiled neuronet model. It is read through ``model._heads`` (each output's ``loss_fn`` and
            ``index``), ``model._output_layer(i)`` (the layer producing output ``i``, or None) and
            ``model._units(i)`` (its last axis, or None).
    """
    for head in model._heads:
        if head.loss_fn is None:
            continue
        layer = model._output_layer(head.index)
        for key, message in output_loss_mismatches(layer, model._units(head.index), head.loss_fn):
            warn_once(key, message, stacklevel=5)
