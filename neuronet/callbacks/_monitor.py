"""Shared by callbacks that watch a logged value or the model: direction of improvement, missing-key
warnings, the learning rate."""

from __future__ import annotations

import warnings

# Names whose value is better when larger, used when no metric object tells its direction.
_UP_HINTS = ("acc", "auc", "precision", "recall", "f1", "iou", "r2")


def metric_direction(model, monitor: str) -> str | None:
    """'up', 'down' or None (unknown) for the monitored key, as Keras 3 decides in mode='auto'.

    Losses go down. Otherwise the model's metric objects are asked (their ``_direction``), then the
    metric registry by name ('mse' goes down, 'auc' up), then the name itself ('acc', 'auc', ... go up).
    """
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss" or name.endswith("loss"):
        return "down"
    for metric in _model_metrics(model):
        if getattr(metric, "name", None) == name and getattr(metric, "_direction", None) in ("up", "down"):
            return metric._direction
    from .. import metrics as metrics_module

    cls = metrics_module._NAMES.get(name.lower()) or metrics_module._CLASSES.get(name)
    if cls is not None and cls._direction is not None:
        return cls._direction
    lowered = name.lower()
    if any(hint in lowered for hint in _UP_HINTS):
        return "up"
    if any(hint in lowered for hint in ("error", "mse", "mae", "mape", "crossentropy", "hinge", "divergence")):
        return "down"
    return None


def _model_metrics(model) -> list:
    """The metric objects a model exposes (flattening containers that hold a ``.metrics`` list)."""
    found = []
    try:
        metrics = getattr(model, "metrics", None) or []
        for m in list(metrics):
            found.append(m)
            inner = getattr(m, "metrics", None)
            if isinstance(inner, (list, tuple)):
                found.extend(inner)
    except Exception:  # a model without compiled metrics: nothing to learn from
        return []
    return found


def learning_rate(model) -> float | None:
    """The current learning rate of ``model``'s optimizer as a float, or None when there is none."""
    try:
        return float(model.optimizer.learning_rate)
    except (AttributeError, TypeError, ValueError):
        return None


def warn_missing(callback: str, monitor: str, logs: dict) -> None:
    """Warn (as Keras) that ``monitor`` is not in the logs, listing the keys that are."""
    warnings.warn(
        f"{callback} is conditioned on metric `{monitor}` which is not available. Available metrics are: "
        f"{','.join(logs.keys())}",
        stacklevel=3,
    )
