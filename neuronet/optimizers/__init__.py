"""Optimizers with Keras 3 names, defaults and update formulas, updating variables in place.

    SGD RMSprop Adagrad Adadelta Adam AdamW Adamax Nadam      (one file each; base.py holds the shared
    Lion Lamb Ftrl                                             clipping, weight decay and state_dict)
    schedules                                                  learning-rate schedules

``get('adam')`` (or ``'Adam'``) returns a fresh optimizer with Keras's defaults.
"""

from __future__ import annotations

from ..utils.naming import closest_match
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .base import Optimizer
from .ftrl import Ftrl
from .lamb import Lamb
from .lion import Lion
from .nadam import Nadam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "AdamW", "Adamax", "Nadam", "Lion", "Lamb",
           "Ftrl", "schedules", "get", "serialize", "deserialize"]

_CLASSES = {cls.__name__.lower(): cls
            for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam, Lion, Lamb, Ftrl)}


def get(identifier) -> Optimizer:
    """An optimizer from a name (``'sgd'``, ``'rmsprop'``, ``'adagrad'``, ``'adadelta'``, ``'adam'``,
    ``'adamw'``, ``'adamax'``, ``'nadam'``, ``'lion'``, ``'lamb'``, ``'ftrl'``; any case), an Optimizer
    (returned as is), an Optimizer class, or a ``{'class_name': ..., 'config': ...}`` dict.

    Raises:
        ValueError: for an unknown name, listing the valid names and the closest match.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier.lower())
        if cls is None:
            raise ValueError(
                f"optimizers.get: unknown optimizer {identifier!r}{closest_match(identifier, sorted(_CLASSES))}; "
                f"valid names: {', '.join(sorted(_CLASSES))}"
            )
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(
        f"optimizers.get: expected an optimizer name or Optimizer, received {identifier!r} "
        f"of type {type(identifier).__name__}"
    )


def serialize(optimizer: Optimizer) -> dict:
    """``{'class_name': ..., 'config': ...}`` for a built-in optimizer."""
    name = type(optimizer).__name__
    if name.lower() not in _CLASSES or _CLASSES[name.lower()] is not type(optimizer):
        raise ValueError(f"optimizers.serialize: {name} is not a registered optimizer")
    return {"class_name": name, "config": optimizer.get_config()}


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    """The optimizer described by :func:`serialize`'s output (looked up by registered class name only)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"optimizers.deserialize: expected {{'class_name': ..., 'config': ...}}, received {config!r}")
    name = str(config["class_name"])
    cls = (custom_objects or {}).get(name) or _CLASSES.get(name.lower())
    if cls is None:
        raise ValueError(
            f"optimizers.deserialize: unknown optimizer {name!r}{closest_match(name, sorted(_CLASSES))}; "
            f"valid names: {', '.join(sorted(_CLASSES))}"
        )
    return cls.from_config(dict(config.get("config", {})))
