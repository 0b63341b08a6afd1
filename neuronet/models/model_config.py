"""Models and layers ↔ plain data: the architecture of a model as JSON-ready dicts, both ways.

Every object is written as ``{"class_name": ..., "config": ...}`` (plus ``"registered_name"`` for a
class registered with :func:`~neuronet.saving.register_keras_serializable`), where ``config`` is the
object's ``get_config()``. Reading goes the other way through the class tables only (see
``class_lookup.py``): a name that is not a known class is an error, never an import.

Models get their own layouts, close to Keras 3's ``config.json``:

* Sequential: ``{"name", "trainable", "dtype", "layers": [layer, ...], "build_input_shape"}``;
* functional: ``{"name", "trainable", "dtype", "layers": [layer + "name" + "inbound_nodes"],
  "input_layers", "output_layers"}`` where each inbound node is ``{"args": [...], "kwargs": {...}}``
  (the call's arguments and keywords, as Keras 3) and a symbolic tensor anywhere in them — e.g.
  ``"kwargs": {"initial_state": [<tensor>, <tensor>]}`` — is ``{"class_name": "__keras_tensor__",
  "config": {"keras_history": [layer_name, node_index, tensor_index]}}``; loading waits to make a
  call until every tensor it references, in args or kwargs, has been computed;
* a subclassed model: its own ``get_config()`` and, at the top level, ``build_config`` with the
  input shape it was built for.

Sequential and Functional write and read their layers themselves (``_layers_config`` and
``_from_layers_config``, in sequential.py and functional.py); this module calls them, so it never
imports those classes. It uses nothing of ``neuronet.saving``: the file formats use it.
"""

from __future__ import annotations

import json
import numbers

import numpy as np

from ..autograd import no_grad
from ..registry import get_registered_name
from . import class_lookup
from .training import Model

__all__ = ["serialize_keras_object", "deserialize_keras_object", "model_to_config", "model_from_config",
           "layer_to_config", "deserialize_layer", "plain_data", "short_repr", "shape_from_config", "to_json",
           "build_config", "build_from_config"]

# ------------------------------------------------------------------------------------ plain data
def _plain(value, where: str):
    """``value`` with NumPy scalars/arrays and tuples turned into JSON types; anything else is refused."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"{where}: config keys must be strings, found {k!r}")
            out[k] = _plain(v, f"{where}['{k}']")
        return out
    raise ValueError(
        f"{where}: {value!r} (type {type(value).__name__}) is not plain data (numbers, strings, lists, dicts), so "
        "it cannot be written to a model file; make get_config() return its name or its config instead"
    )


def plain_data(value, where: str):
    """``value`` as JSON-ready plain data (NumPy values converted); a ValueError starting with ``where``
    for anything else (an object, a function)."""
    return _plain(value, where)


def short_repr(value) -> str:
    """``repr(value)`` cut to 80 characters, for error messages."""
    return _short(value)


def to_json(data, where: str) -> bytes:
    """``data`` as UTF-8 JSON bytes (after converting NumPy values)."""
    return json.dumps(_plain(data, where), indent=1, allow_nan=True).encode("utf-8")


# ------------------------------------------------------------------------------------ generic objects
def serialize_keras_object(obj) -> dict | str | None:
    """Plain data describing ``obj``: ``{"class_name", "config"[, "registered_name"]}`` for an object with
    ``get_config``, the (registered) name for a class or a function, and ``obj`` itself for plain data.

    Raises:
        ValueError: when ``obj`` has no ``get_config`` and is not a function, class or plain data.
    """
    if obj is None or isinstance(obj, (bool, str, numbers.Number)):
        return obj
    if isinstance(obj, type):
        return get_registered_name(obj)
    if callable(getattr(obj, "get_config", None)):
        cls = type(obj)
        entry = {"class_name": cls.__name__, "config": _plain(obj.get_config(), f"{cls.__name__}.get_config()")}
        registered = get_registered_name(cls)
        if registered != cls.__name__:
            entry["registered_name"] = registered
        return entry
    if callable(obj) and hasattr(obj, "__name__"):
        return get_registered_name(obj)
    raise ValueError(f"cannot serialize {obj!r}: it has no get_config() method")


def _check_spec(spec, where: str) -> tuple:
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected {{'class_name': ..., 'config': {{...}}}}, found {_short(spec)}")
    name = spec.get("class_name")
    config = spec.get("config", {})
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: expected 'class_name' to be a non-empty string, found {_short(name)}")
    if not isinstance(config, dict):
        raise ValueError(f"{where}: the config of {name!r} must be a dict, found {_short(config)}")
    registered = spec.get("registered_name")
    if registered is not None and not isinstance(registered, str):
        raise ValueError(f"{where}: expected 'registered_name' to be a string, found {_short(registered)}")
    return name, config, registered


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def deserialize_keras_object(config, custom_objects: dict | None = None, kind: str | None = None):
    """The object described by ``config`` (the output of :func:`serialize_keras_object`).

    Classes come from the registry only (``custom_objects``, registered classes, then the library's
    own); ``from_config`` rebuilds the object. A string names a class or function.

    Args:
        config: ``{"class_name": ..., "config": {...}}`` or a name.
        custom_objects: ``{name: class or function}`` for your own classes.
        kind: where to look for built-in names: 'layers', 'losses', 'metrics', 'optimizers',
            'initializers' or 'regularizers'. Defaults to the first of these that knows the name
            (so give ``kind='metrics'`` for ``MeanSquaredError`` the metric).

    Raises:
        ValueError: for an unknown class name (saying how to register it), a class of the wrong kind,
            or a config its class does not accept.
    """
    where = "deserialize_keras_object"
    if kind is None:
        name = config if isinstance(config, str) else config.get("class_name") if isinstance(config, dict) else None
        kind = next((k for k in ("layers", "optimizers", "losses", "metrics", "initializers", "regularizers")
                     if name in class_lookup.builtin_classes(k)), "layers")
    elif kind not in class_lookup.KINDS:
        raise ValueError(f"{where}: expected kind in {class_lookup.KINDS}, received {kind!r}")
    return _deserialize(config, kind, custom_objects, where)


def deserialize_layer(spec, custom_objects: dict | None, where: str):
    """The layer (or nested model) described by ``spec``; errors start with ``where``."""
    return _deserialize(spec, "layers", custom_objects, where)


def _deserialize(spec, kind: str, custom_objects: dict | None, where: str):
    """:func:`deserialize_keras_object` for one ``kind``; errors start with ``where``."""
    if isinstance(spec, str):
        return class_lookup.lookup(spec, kind, custom_objects, where=f"{where}: ")
    name, config, registered = _check_spec(spec, where)
    cls = class_lookup.lookup(name, kind, custom_objects, where=f"{where}: ", registered_name=registered)
    if kind in ("layers", "models", "optimizers"):  # the model relies on these base classes' contracts
        if not (isinstance(cls, type) and issubclass(cls, class_lookup.base_class(kind))):
            raise ValueError(f"{where}: {name!r} resolves to {cls!r}, which is not one of the {kind} classes")
    elif not callable(getattr(cls, "from_config", None)):
        raise ValueError(f"{where}: {name!r} resolves to {cls!r}, which has no from_config() to rebuild it")
    if _is_model_class(cls):
        return model_from_config(spec, custom_objects, where)
    return _from_config(cls, config, name, where)


def _from_config(cls, config: dict, name: str, where: str):
    try:
        return cls.from_config(dict(config))
    except (TypeError, ValueError, KeyError) as err:
        label = config.get("name", name) if isinstance(config, dict) else name
        raise ValueError(f"{where}: could not rebuild {name} '{label}' from its config: {err}") from err


def _is_model_class(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model)


# ------------------------------------------------------------------------------------ models
def model_to_config(model) -> dict:
    """``{"class_name", "config"[, "registered_name"]}`` describing ``model``'s architecture (see module
    docstring); layers are described the same way, nested models recursively."""
    cls = type(model)
    if model._layers_config is not None:  # Sequential and functional models: their layers, each described
        config = model._layers_config()
    else:
        config = _plain(model.get_config(), f"model '{model.name}' get_config()")
    entry = {"class_name": cls.__name__, "config": config}
    registered = get_registered_name(cls)
    if registered != cls.__name__:
        entry["registered_name"] = registered
    return entry


def layer_to_config(layer) -> dict:
    """``{"class_name", "config"[, "registered_name"]}`` for a layer (or a nested model)."""
    if _is_model_class(type(layer)):
        return model_to_config(layer)
    return serialize_keras_object(layer)


def model_from_config(spec: dict, custom_objects: dict | None = None, where: str = "load_model"):
    """The model described by :func:`model_to_config`'s output, with its weights created (not loaded)."""
    name, config, registered = _check_spec(spec, where)
    cls = class_lookup.lookup(name, "models", custom_objects, where=f"{where}: ", registered_name=registered)
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise ValueError(f"{where}: {name!r} resolves to {cls!r}, which is not a Model class")
    if cls._from_layers_config is None and "input_layers" in config:
        cls = class_lookup.builtin_classes("models")["Functional"]  # a functional graph saved by a subclass
    if cls._from_layers_config is not None:  # Sequential and functional models rebuild their layers
        return cls._from_layers_config(config, custom_objects, where)
    return _from_config(cls, config, name, where)


def shape_from_config(value, where: str) -> tuple:
    """A shape read from a config (a list of non-negative integers or nulls) as a tuple."""
    return _shape(value, where)


def _shape(value, where: str) -> tuple:
    if not isinstance(value, (list, tuple)) or not all(d is None or (isinstance(d, int) and not isinstance(d, bool)
                                                           and d >= 0) for d in value):
        raise ValueError(f"{where}: expected a shape (a list of non-negative integers or nulls), found {_short(value)}")
    return tuple(value)


def build_config(model) -> dict | None:
    """``{"input_shape": ...}`` for a built subclassed model (Sequential and functional models carry
    their shapes in their config), else None."""
    if model._layers_config is not None or not model.built:
        return None
    shape = getattr(model, "_build_input_shape", None)
    if shape is None:
        return None
    if isinstance(shape, list):
        return {"input_shape": [[None] + list(s)[1:] for s in shape]}
    return {"input_shape": [None] + list(shape)[1:]}


def build_from_config(model, build: dict | None, where: str) -> None:
    """Create a subclassed model's weights by running it once on zeros of the saved input shape."""
    if not build or model.built:
        return
    shape = build.get("input_shape")
    if shape and isinstance(shape[0], list):
        x = [np.zeros([1] + list(_shape(s, where))[1:], model.dtype) for s in shape]
    else:
        x = np.zeros([1] + list(_shape(shape, where))[1:], model.dtype)
    try:
        with no_grad():
            model(x, training=False)
    except Exception as err:  # a user model's call: report which file could not be rebuilt
        raise ValueError(f"{where}: could not build model '{model.name}' for inputs of shape {shape}: {err}") from err
