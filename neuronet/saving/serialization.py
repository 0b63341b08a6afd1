"""Compile settings ↔ plain data (optimizer, loss, metrics, loss weights), and the names of the
architecture's (de)serialization, handed on from :mod:`neuronet.models.model_config` where it lives.

Every object is written as ``{"class_name": ..., "config": ...}`` (plus ``"registered_name"`` for a
class registered with :func:`~neuronet.saving.register_keras_serializable`). Reading goes the other
way through the class tables only: a name that is not a known class is an error, never an import.
"""

from __future__ import annotations

import numbers
import warnings


from ..models import class_lookup
from ..models.model_config import (_check_spec, _deserialize, _short, build_config,  # noqa: F401
                                   build_from_config, deserialize_keras_object, deserialize_layer, layer_to_config,
                                   model_from_config, model_to_config, plain_data, serialize_keras_object,
                                   shape_from_config, short_repr, to_json)
from ..registry import get_registered_object

__all__ = ["serialize_keras_object", "deserialize_keras_object", "model_to_config", "model_from_config",
           "compile_to_config", "compile_from_config"]

# ------------------------------------------------------------------------------------ compile settings
def _compile_args(model) -> tuple:
    """``(loss specs, metric groups, weighted metric groups, loss weights)``, one entry per output, as
    given to ``compile`` (read from the model's per-output heads, or from the one-output attributes)."""
    heads = getattr(model, "_heads", None)
    if heads:
        return ([h.loss for h in heads], [list(h.metric_specs) for h in heads],
                [list(h.weighted_specs) for h in heads], [float(h.weight) for h in heads])
    return ([model.loss], [list(getattr(model, "_metric_specs", []))],
            [list(getattr(model, "_weighted_metric_specs", []))], [float(getattr(model, "_loss_weight", 1.0))])


def compile_to_config(model) -> dict:
    """The arguments of ``model.compile`` as plain data (optimizer, loss, metrics, loss weights).

    With one output the values are as Keras writes them (a loss, a list of metrics, a number); with
    several outputs each is a list with one entry per output. A user function or class that is not
    registered is written by name with a warning: loading will need it in ``custom_objects``.

    Raises:
        ValueError: when the loss, a metric or the optimizer cannot be described by a name or config
            (a lambda, for instance).
    """
    from .. import losses
    from .. import metrics as metrics_module

    label = {"losses": "loss", "metrics": "metric"}

    def entry(obj, kind: str, builtin_get):
        if isinstance(obj, losses.LossFunctionWrapper) and type(obj) is losses.LossFunctionWrapper:
            obj = obj.fn  # a plain function given to compile
        out = serialize_keras_object(obj)
        name = out if isinstance(out, str) else out.get("class_name") if isinstance(out, dict) else None
        if isinstance(out, str):
            if "<" in out:  # '<lambda>', '<locals>'
                raise ValueError(f"the {label[kind]} {obj!r} has no name to be saved under; use a named function "
                                 "decorated with @neuronet.saving.register_keras_serializable()")
            known = get_registered_object(out) is not None or out.lower() in ("accuracy", "acc")
            if not known:
                try:
                    builtin_get(out)
                    known = True
                except (ValueError, TypeError):
                    known = False
        else:
            known = "registered_name" in out or name in class_lookup.builtin_classes(kind)
        if not known:
            warnings.warn(f"save_model: the {label[kind]} {name!r} is not registered, so load_model will need "
                          f"custom_objects={{{name!r}: ...}}; decorate it with "
                          "@neuronet.saving.register_keras_serializable() to avoid this", UserWarning, stacklevel=4)
        return out

    loss_specs, metric_groups, weighted_groups, weights = _compile_args(model)
    loss_out = [None if spec is None else entry(spec, "losses", losses.get) for spec in loss_specs]
    metrics_out = [[entry(m, "metrics", metrics_module.get) for m in group] for group in metric_groups]
    weighted_out = [[entry(m, "metrics", metrics_module.get) for m in group] for group in weighted_groups]
    optimizer = serialize_keras_object(model.optimizer)
    if len(loss_specs) == 1:
        return {"optimizer": optimizer, "loss": loss_out[0], "metrics": metrics_out[0] or None,
                "weighted_metrics": weighted_out[0] or None,
                "loss_weights": None if weights[0] == 1.0 else weights[0]}
    return {"optimizer": optimizer, "loss": loss_out, "metrics": metrics_out if any(metrics_out) else None,
            "weighted_metrics": weighted_out if any(weighted_out) else None,
            "loss_weights": None if all(w == 1.0 for w in weights) else weights}


def compile_from_config(model, config: dict, custom_objects: dict | None, where: str) -> None:
    """Compile ``model`` with the settings :func:`compile_to_config` wrote."""
    from .. import losses, metrics

    if not isinstance(config, dict):
        raise ValueError(f"{where}: 'compile_config' must be a dict, found {_short(config)}")
    optimizer = _deserialize(config.get("optimizer"), "optimizers", custom_objects, f"{where} (optimizer)")
    if isinstance(optimizer, type):
        optimizer = optimizer()

    def one_loss(value):
        if isinstance(value, str):
            return _named(value, losses.get, "losses", custom_objects, f"{where} (loss)")
        if value is None:
            return None
        return _deserialize(value, "losses", custom_objects, f"{where} (loss)")

    loss = config.get("loss")
    loss = [one_loss(v) for v in loss] if isinstance(loss, list) else one_loss(loss)

    def one_metric(value, label):
        if isinstance(value, str):
            if value.lower() in ("accuracy", "acc"):
                return value
            return _named(value, metrics.get, "metrics", custom_objects, f"{where} ({label})")
        if isinstance(value, list):  # the metrics of one output of several
            return [one_metric(v, label) for v in value]
        return _deserialize(value, "metrics", custom_objects, f"{where} ({label})")

    def metric_list(values, label):
        if values is None:
            return None
        if not isinstance(values, list):
            raise ValueError(f"{where}: '{label}' must be a list, found {_short(values)}")
        return [one_metric(v, label) for v in values]

    weights = config.get("loss_weights")
    for w in weights if isinstance(weights, list) else [weights]:
        if w is not None and (isinstance(w, bool) or not isinstance(w, numbers.Real)):
            raise ValueError(f"{where}: 'loss_weights' must be numbers, found {_short(weights)}")
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metric_list(config.get("metrics"), "metrics"),
                      weighted_metrics=metric_list(config.get("weighted_metrics"), "weighted_metrics"),
                      loss_weights=weights)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: could not compile the model with the saved settings: {err}") from err


def _named(name: str, builtin_get, kind: str, custom_objects, where: str):
    """A loss/metric name: user objects first (custom_objects, registered), then the built-in names."""
    found = get_registered_object(name, custom_objects)
    if found is not None:
        return found
    try:
        builtin_get(name)
    except (ValueError, TypeError):
        return class_lookup.lookup(name, kind, custom_objects, where=f"{where}: ")
    return name
