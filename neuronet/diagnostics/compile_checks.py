"""Loss/output mismatches that train silently into nonsense: the ones Keras warns about, and those it misses.

Keras 3.15 warns about a softmax over an axis of size 1 (its output is always 1), categorical
cross-entropy on a single output unit, and ``from_logits=True`` on an output that a sigmoid/softmax
already turned into probabilities. It says nothing when a relu or linear output (not a probability)
feeds a cross-entropy that expects one, or about softmax + binary / sigmoid + categorical
cross-entropy. :func:`loss_output_warnings` finds all of these from the output layer and the loss
alone, before any training.
"""

from __future__ import annotations

import warnings

__all__ = ["check_loss_output", "loss_output_warnings"]

_PROBABILITY = ("sigmoid", "hard_sigmoid", "softmax")
_WARNED: set = set()


def _activation_name(layer_or_name) -> str | None:
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


def _loss_info(loss) -> tuple:
    """``(kind, name, from_logits)``: kind 'binary', 'categorical', 'sparse' for the cross-entropies, else ''."""
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


def _pair(layer, units, loss) -> list:
    activation = _activation_name(layer)
    kind, loss_name, from_logits = _loss_info(loss)
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


def check_loss_output(model_or_layer, loss, units: int | None = None) -> list:
    """Warn (``UserWarning``, once per process for each kind of mismatch) about the mismatches that
    :func:`loss_output_warnings` finds; returns their messages."""
    found = _mismatches(model_or_layer, loss, units)
    for key, message in found:
        if key not in _WARNED:
            _WARNED.add(key)
            warnings.warn(message, UserWarning, stacklevel=2)
    return [message for _, message in found]
