"""What a page may ask for: the data set and network settings, checked against fixed bounds.

Every request the page sends is checked here before any work is done; a bad value gets one line that
names the field, what is expected and what was received (``PlaygroundError``), which the page shows.
The bounds keep every request small enough to answer in well under a second on a laptop core.
"""

from __future__ import annotations

import json
import math

from .datasets import GENERATORS, TASKS

__all__ = ["ACTIVATIONS", "LIMITS", "OPTIMIZERS", "REGULARIZERS", "PlaygroundError", "data_spec", "network_spec"]


class PlaygroundError(ValueError):
    """A request the playground refuses; ``str()`` is the message shown on the page, ``status`` the HTTP code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


LIMITS = {
    "max_hidden_layers": 6,
    "max_units": 16,
    "min_samples": 20,
    "max_samples": 2000,
    "max_features": 20,
    "max_batch_size": 512,
    "max_learning_rate": 10.0,
    "max_noise": 1.0,
    "min_test_fraction": 0.1,
    "max_test_fraction": 0.9,
    "max_regularization_rate": 1.0,
    "max_seed": 2**31 - 1,
}

# the guide's activations, as Keras names them
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu", "swish", "softplus")
# name shown on the page -> (Keras optimizer, extra arguments)
OPTIMIZERS = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}), "rmsprop": ("RMSprop", {}),
              "adagrad": ("Adagrad", {}), "adam": ("Adam", {})}
REGULARIZERS = ("none", "l1", "l2")

DEFAULT_DATA = {"dataset": "xor", "samples": 300, "noise": 0.05, "test_fraction": 0.3, "features": 2, "seed": 0}
DEFAULT_NETWORK = {"layers": [{"units": 4, "activation": "tanh"}], "optimizer": "adam", "learning_rate": 0.03,
                   "batch_size": 10, "regularization": "none", "regularization_rate": 0.0, "seed": 1}


def _integer(where: str, value, low: int, high: int) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value, ok = int(value), True
    if not ok or not low <= value <= high:
        raise PlaygroundError(f"{where}: expected an integer from {low} to {high}, received {_show(value)}")
    return value


def _number(where: str, value, low: float, high: float, low_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        value = float(value)
        ok = (value > low if low_open else value >= low) and value <= high
    if not ok:
        bound = f"above {low:g}" if low_open else f"from {low:g}"
        raise PlaygroundError(f"{where}: expected a number {bound} to {high:g}, received {_show(value)}")
    return value


def _choice(where: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise PlaygroundError(f"{where}: unknown {_show(value)}; choose one of {', '.join(choices)}")
    return value


def _show(value) -> str:
    """A received value as the page sent it (JSON's null/true/false), cut to 40 characters."""
    text = json.dumps(value) if value is None or isinstance(value, bool) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fields(where: str, given, defaults: dict) -> dict:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise PlaygroundError(f"{where}: expected a JSON object, received {type(given).__name__}")
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise PlaygroundError(f"{where}: unknown field {_show(unknown[0])}; fields: {', '.join(defaults)}")
    return {**defaults, **given}


def data_spec(given) -> dict:
    """The checked data settings: ``dataset`` (a name of :data:`datasets.GENERATORS`), ``samples``,
    ``noise``, ``test_fraction``, ``features`` (classification only; 2 or up to 20) and ``seed``."""
    d = _fields("data", given, DEFAULT_DATA)
    lim = LIMITS
    out = {"dataset": _choice("data.dataset", d["dataset"], tuple(GENERATORS)),
           "samples": _integer("data.samples", d["samples"], lim["min_samples"], lim["max_samples"]),
           "noise": _number("data.noise", d["noise"], 0.0, lim["max_noise"]),
           "test_fraction": _number("data.test_fraction", d["test_fraction"], lim["min_test_fraction"],
                                    lim["max_test_fraction"]),
           "seed": _integer("data.seed", d["seed"], 0, lim["max_seed"])}
    if out["dataset"] == "classification":
        out["features"] = _integer("data.features", d["features"], 2, lim["max_features"])
    else:  # fixed by the data set
        out["features"] = 1 if TASKS[out["dataset"]] == "regression" else 2
    return out


def network_spec(given, n_train: int | None = None) -> dict:
    """The checked network settings: ``layers`` (hidden layers, each ``{'units', 'activation'}``),
    ``optimizer`` (a key of :data:`OPTIMIZERS`), ``learning_rate``, ``batch_size`` (at most ``n_train``
    when given), ``regularization`` ('none', 'l1', 'l2') with ``regularization_rate``, and ``seed``."""
    d = _fields("network", given, DEFAULT_NETWORK)
    lim = LIMITS
    layers = d["layers"]
    if not isinstance(layers, list) or len(layers) > lim["max_hidden_layers"]:
        size = len(layers) if isinstance(layers, list) else _show(layers)
        raise PlaygroundError(f"network.layers: expected a list of at most {lim['max_hidden_layers']} hidden "
                              f"layers, received {size}")
    hidden = []
    for i, layer in enumerate(layers):
        where = f"network.layers[{i}]"
        layer = _fields(where, layer, {"units": 4, "activation": "tanh"})
        hidden.append({"units": _integer(f"{where}.units", layer["units"], 1, lim["max_units"]),
                       "activation": _choice(f"{where}.activation", layer["activation"], ACTIVATIONS)})
    max_batch = lim["max_batch_size"] if n_train is None else min(lim["max_batch_size"], n_train)
    return {"layers": hidden,
            "optimizer": _choice("network.optimizer", d["optimizer"], tuple(OPTIMIZERS)),
            "learning_rate": _number("network.learning_rate", d["learning_rate"], 0.0, lim["max_learning_rate"],
                                     low_open=True),
            "batch_size": _integer("network.batch_size", d["batch_size"], 1, max_batch),
            "regularization": _choice("network.regularization", d["regularization"], REGULARIZERS),
            "regularization_rate": _number("network.regularization_rate", d["regularization_rate"], 0.0,
                                           lim["max_regularization_rate"]),
            "seed": _integer("network.seed", d["seed"], 0, lim["max_seed"])}
