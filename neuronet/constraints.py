"""Weight constraints with Keras names: projections applied to a weight after every optimizer update.

A constraint is called on a weight and returns the value the weight is set to, e.g. ``NonNeg()``
clips negative entries to 0. Give one to a layer (``Dense(64, kernel_constraint=MaxNorm(3))``) and
the optimizer applies it after each step; ``get_config`` saves it and ``from_config`` rebuilds it::

    >>> layer = Dense(4, kernel_constraint="non_neg")
    >>> layer.get_config()["kernel_constraint"]
    {'class_name': 'NonNeg', 'config': {}}

Norms are taken along ``axis`` (0 by default: for a Dense kernel ``(input_dim, units)``, the vector of
weights entering each unit; for a Conv2D kernel ``(kh, kw, in, filters)`` use ``axis=[0, 1, 2]``).
"""

from __future__ import annotations

import numpy as np

from . import config
from .autograd import Tensor
from .registry import get_registered_name, get_registered_object
from .utils.naming import closest_match

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm", "min_max_norm", "non_neg",
           "unit_norm", "get", "serialize", "deserialize"]


def _array(w) -> np.ndarray:
    return w.data if isinstance(w, Tensor) else np.asarray(w)


def _axis(name: str, axis):
    """``axis`` as an int or a tuple of ints (Keras accepts both, and lists)."""
    if isinstance(axis, (list, tuple)):
        if not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
            raise ValueError(f"{name}: expected axis to be an int or a list of ints, received axis={axis!r}")
        return tuple(int(a) for a in axis)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{name}: expected axis to be an int or a list of ints, received axis={axis!r}")
    return int(axis)


def _norms(w: np.ndarray, axis) -> np.ndarray:
    # ‖w‖ along axis, kept for broadcasting
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: ``__call__(weight) -> new value`` (an ndarray of the weight's shape) and ``get_config()``.

    Subclass it for your own constraint; register the class with
    ``neuronet.saving.register_keras_serializable()`` so a saved model finds it again.
    """

    def __call__(self, w):
        return _array(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescale the weight vectors whose norm exceeds ``max_value``:
    ``w · clip(‖w‖, 0, max_value) / (ε + ‖w‖)``, norms along ``axis``.

    Args:
        max_value: the largest norm allowed. Defaults to 2.
        axis: axis (or list of axes) of the norm. Defaults to 0.
    """

    def __init__(self, max_value=2, axis=0):
        if float(max_value) < 0:
            raise ValueError(f"MaxNorm: expected max_value >= 0, received max_value={max_value!r}")
        self.max_value, self.axis = max_value, _axis("MaxNorm", axis)

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (config.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class MinMaxNorm(Constraint):
    """Move each weight vector's norm into ``[min_value, max_value]`` at ``rate``:
    ``w · (rate · clip(‖w‖, min, max) + (1 - rate) · ‖w‖) / (ε + ‖w‖)``.

    Args:
        min_value: the smallest norm. Defaults to 0.0.
        max_value: the largest norm. Defaults to 1.0.
        rate: 1.0 enforces the bounds at once; smaller values move the norm part of the way at each
            step. Defaults to 1.0.
        axis: axis (or list of axes) of the norm. Defaults to 0.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if float(min_value) > float(max_value):
            raise ValueError(f"MinMaxNorm: expected min_value <= max_value, received min_value={min_value!r}, "
                             f"max_value={max_value!r}")
        self.min_value, self.max_value, self.rate = min_value, max_value, rate
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w):
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (config.epsilon() + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class NonNeg(Constraint):
    """Clip negative weights to zero: ``max(w, 0)``."""

    def __call__(self, w):
        return np.maximum(_array(w), 0)


class UnitNorm(Constraint):
    """Scale each weight vector to norm 1: ``w / (ε + ‖w‖)``, norms along ``axis``.

    Args:
        axis: axis (or list of axes) of the norm. Defaults to 0.
    """

    def __init__(self, axis=0):
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w):
        w = _array(w)
        return (w / (config.epsilon() + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
_CLASSES = {c.__name__: c for c in (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
_NAMES = {**_CLASSES, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm}


def serialize(constraint):
    """A constraint as plain data for ``get_config``: ``{"class_name": ..., "config": {...}}``.

    None stays None; a function registered with ``neuronet.saving.register_keras_serializable`` is
    written as its registered name. Any other callable (a lambda, an unregistered function) cannot be
    written to a file and gives None: such a model must be rebuilt in code.
    """
    if constraint is None:
        return None
    if isinstance(constraint, (dict, str)):  # a name or an already serialized config
        return serialize(get(constraint))
    if isinstance(constraint, Constraint) or callable(getattr(constraint, "get_config", None)):
        return {"class_name": get_registered_name(constraint), "config": constraint.get_config()}
    name = get_registered_name(constraint)
    if ">" in name and get_registered_object(name) is constraint:
        return name
    return None


def deserialize(config, custom_objects: dict | None = None) -> Constraint:
    """The constraint described by ``config`` (the output of :func:`serialize`).

    Classes come only from this module and from the classes registered with
    ``neuronet.saving.register_keras_serializable`` or given in ``custom_objects``; nothing named in
    a file is imported.
    """
    if isinstance(config, str):
        return get(config, custom_objects)
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"constraints.deserialize: expected {{'class_name': ..., 'config': {{...}}}}, received "
                         f"{config!r}")
    name = config["class_name"]
    cls = get_registered_object(name, custom_objects) or _CLASSES.get(name)
    if cls is None:
        raise ValueError(f"constraints.deserialize: unknown constraint class {name!r}"
                         f"{closest_match(name, _CLASSES)}; valid: {', '.join(sorted(_CLASSES))}. Register your own "
                         "with @neuronet.saving.register_keras_serializable()")
    kwargs = config.get("config") or {}
    if isinstance(cls, type):
        return cls.from_config(kwargs) if hasattr(cls, "from_config") else cls(**kwargs)
    return cls


def get(identifier, custom_objects: dict | None = None):
    """A constraint from a name ('max_norm', 'NonNeg', ...), a config dict, an object, a callable or None."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier, custom_objects)
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier)
        if cls is None:
                    cls = get_registered_object(identifier, custom_objects)
        if cls is None:
            raise ValueError(f"Unknown constraint {identifier!r}{closest_match(identifier, _NAMES)}. Valid names: "
                             f"{', '.join(sorted(_NAMES))}")
        return cls() if isinstance(cls, type) else cls
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
