"""neuronet configs ↔ Keras 3's ``config.json``: the translation at the file boundary.

neuronet's ``get_config`` dicts already use Keras's class and argument names; what differs is the
wrapping Keras puts around every object and a few arguments only one side knows::

    neuronet                                   Keras 3 config.json
    {"class_name": "Dense", "config": {...}}   {"module": "keras.layers", "class_name": "Dense",
                                                "config": {...}, "registered_name": null,
                                                "build_config": {"input_shape": [null, 4]}}
    "dtype": "float32"                         "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                                         "config": {"name": "float32"}, ...}
    Sequential(build_input_shape=...)          an InputLayer entry first in "layers"
    first layer's "batch_input_shape"          (carried by that InputLayer)

Writing adds the wrapping (:func:`model_to_keras`); reading removes it (:func:`from_keras`) and
drops the arguments Keras writes that neuronet does not take, when they hold Keras's default
(``quantization_config: null``, ``renorm: false``, ``input_axes: null``, ...). An argument neuronet
does not support with any other value is an error naming the class, the argument and the value.

Nothing in a file is imported or executed: a class is found by name in the registry
(``registry.py``) or ``custom_objects``; the ``module`` Keras writes is never used to import
anything. A Lambda's code (``__lambda__``) is refused.
"""

from __future__ import annotations

import inspect
import numbers

from . import keras_ops, registry

__all__ = ["KERAS_VERSION", "model_to_keras", "compile_to_keras", "from_keras", "compile_from_keras",
           "dtype_policy"]

KERAS_VERSION = "3.15.1"  # the version of Keras whose file layout neuronet writes

_MODULES = {"layers": "keras.layers", "models": "keras", "initializers": "keras.initializers",
            "regularizers": "keras.regularizers", "optimizers": "keras.optimizers", "losses": "keras.losses",
            "metrics": "keras.metrics", "schedules": "keras.optimizers.schedules", "constraints": "keras.constraints"}
_FUNCTIONAL_MODULE = "keras.src.models.functional"
_TENSOR = "__keras_tensor__"
_COMPILE_EXTRAS = {"run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}

# Arguments Keras writes that neuronet's classes do not take: dropped when they hold this value
# (None is always dropped: an unset option).
_KERAS_DEFAULTS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None, "renorm": False, "renorm_clipping": None,
    "renorm_momentum": 0.99, "synchronized": False, "data_format": "channels_last", "sparse": False,
    "ragged": False, "optional": False, "input_axes": None, "output_axes": None, "arguments": {},
    "time_major": False, "unit_forget_bias": True, "reset_after": True, "autocast": True, "use_cudnn": "auto",
    "unroll": False, "mask_zero": False, "stateful": False, "zero_output_for_mask": False,
    "is_legacy_optimizer": False, "decay": 0.0, "use_ema": False, "ema_momentum": 0.99,
    "ema_overwrite_frequency": None, "loss_scale_factor": None, "gradient_accumulation_steps": None,
    "jit_compile": True, "reduction": ("sum_over_batch_size", "auto"), "fn": None, "keepdims": False, "axis": -1,
}
# Arguments that never change what a model computes, dropped whatever their value
_IGNORED = frozenset({"implementation", "jit_compile", "input_length", "autocast", "use_cudnn", "seed_generator"})
# neuronet-only arguments Keras 3's classes refuse, dropped on writing when they hold this value
_NEURONET_ONLY = {
    "UpSampling1D": {"data_format": "channels_last"}, "Cropping1D": {"data_format": "channels_last"},
    "RandomBrightness": {"data_format": "channels_last"}, "RandomContrast": {"data_format": "channels_last"},
    "SpatialDropout1D": {"trainable": True}, "SpatialDropout2D": {"trainable": True},
    "SpatialDropout3D": {"trainable": True}, "Discretization": {"trainable": True},
}
# layers whose Keras build() takes each input's shape as its own argument (build_config "shapes_dict")
_SHAPES_DICT = frozenset({"MultiHeadAttention"})
# neuronet writes a 1-D padding or cropping as [[before, after]], Keras as [before, after]
_PAIR_ARGUMENTS = {"ZeroPadding1D": "padding", "Cropping1D": "cropping"}
_ALLOWED_DTYPES = ("float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8",
                   "uint16", "uint32", "uint64", "bool")
_TEXT_DTYPES = ("object", "str", "string")  # a text input: Keras says 'string', NumPy (neuronet) 'object'


# ------------------------------------------------------------------------------------ writing
def dtype_policy(name: str) -> dict:
    """Keras 3's serialized ``DTypePolicy`` for a dtype name."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _module_and_name(entry: dict, kind: str):
    """``(module, registered_name)`` Keras writes for a neuronet ``{"class_name", "config"[, "registered_name"]}``."""
    name = entry.get("class_name")
    registered = entry.get("registered_name")
    if registered:
        obj = registry.get_registered_object(registered)
        module = getattr(obj, "__module__", None)
        return (None if module in (None, "__main__") else module), registered
    if name == "Sequential":  # a model, also where it is used as a layer
        return "keras", None
    if name in ("Functional", "Model"):
        return _FUNCTIONAL_MODULE, "Functional"
    if kind == "constraints":
        from .. import constraints

        builtin = isinstance(getattr(constraints, name, None), type)
        return (_MODULES[kind], None) if builtin else (None, name)
    table_kind = "optimizers" if kind == "schedules" else kind
    if name in registry.builtin_classes(table_kind):
        return _MODULES[kind], None
    return None, name  # an unregistered class of the user's: Keras writes its name


def _to_keras(value, kind: str | None, key: str = ""):
    """``value`` (part of a neuronet config) with every object in Keras's wrapping."""
    if isinstance(value, dict) and "class_name" in value and "config" in value and value["class_name"] != _TENSOR:
        kind = _kind_of(key, kind, value)
        module, registered = _module_and_name(value, kind)
        config = value["config"]
        name = value["class_name"]
        if isinstance(config, dict):
            config = {k: _to_keras(v, None, k) for k, v in config.items()
                      if not (k in _NEURONET_ONLY.get(name, {}) and v == _NEURONET_ONLY[name][k])}
            if kind == "layers":
                config.pop("batch_input_shape", None)
                pair = config.get(_PAIR_ARGUMENTS.get(name, ""))
                if isinstance(pair, list) and len(pair) == 1 and isinstance(pair[0], list):
                    config[_PAIR_ARGUMENTS[name]] = pair[0]
                if isinstance(config.get("dtype"), str):
                    config["dtype"] = dtype_policy(config["dtype"])
            if kind == "optimizers" and isinstance(config.get("learning_rate"), dict):
                config["learning_rate"] = _to_keras(config["learning_rate"], "schedules", "learning_rate")
        out = {"module": module, "class_name": name, "config": config, "registered_name": registered}
        for extra in ("name", "inbound_nodes", "build_config"):
            if extra in value:
                out[extra] = value[extra]
        return out
    if isinstance(value, dict):
        return {k: _to_keras(v, kind if k in ("layers", "cells") else None, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_keras(v, kind, key) for v in value]
    return value


def _kind_of(key: str, kind: str | None, value: dict) -> str:
    """The registry kind of an object entry found under ``key`` (see :func:`from_keras`)."""
    if kind is not None:
        return kind
    if key.endswith("_initializer"):
        return "initializers"
    if key.endswith("_regularizer"):
        return "regularizers"
    if key.endswith("_constraint"):
        return "constraints"
    if key == "learning_rate":
        return "schedules"
    if key == "optimizer":
        return "optimizers"
    name = value.get("class_name")
    for candidate in ("layers", "initializers", "regularizers", "losses", "metrics", "optimizers"):
        if name in registry.builtin_classes(candidate):
            return candidate
    return "layers"


def _input_layer_entry(batch_shape, dtype: str, name: str) -> dict:
    dtype = "string" if dtype in _TEXT_DTYPES else dtype  # Keras's name for text inputs
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": list(batch_shape), "dtype": dtype, "sparse": False, "ragged": False,
                       "name": name, "optional": False},
            "registered_name": None}


def _build_config(layer) -> dict | None:
    """Keras's ``build_config`` of a layer built for one input shape. Layers built for several
    (merges, attention) get none: Keras builds them while it rebuilds the graph, and some of them
    (MultiHeadAttention) take their shapes as separate arguments Keras names per layer."""
    shape = getattr(layer, "_build_input_shape", None)
    if not getattr(layer, "built", False) or not isinstance(shape, tuple) or type(layer).__name__ in _SHAPES_DICT:
        return None
    return {"input_shape": list(shape)}


def model_to_keras(model, native: dict) -> dict:
    """Keras 3's serialization of ``model`` from neuronet's (``serialization.model_to_config``); models
    nested as layers are translated the same way."""
    from ..layers.core import InputLayer
    from ..models import Functional, Sequential
    from . import layout

    out = _to_keras(native, "models")
    config = out["config"]

    def layer_entry(layer, entry: dict, native_entry: dict) -> dict:
        if isinstance(layer, (Sequential, Functional)):
            nested = model_to_keras(layer, native_entry)
            nested.pop("build_config", None)
            for extra in ("name", "inbound_nodes"):
                if extra in entry:
                    nested[extra] = entry[extra]
            return nested
        build = _build_config(layer)
        if build is not None:
            entry["build_config"] = build
        return entry

    native_config = native.get("config")
    native_layers = list(native_config.get("layers", [])) if isinstance(native_config, dict) else []
    if isinstance(model, Sequential):
        entries = [layer_entry(layer, entry, native_entry) for layer, entry, native_entry
                   in zip(model.layers, config.get("layers", []), native_layers)]
        shape = model._input_batch_shape
        if shape is not None:
            entries.insert(0, _input_layer_entry(shape, model.dtype, "input_layer"))
        config["layers"] = entries
        config["dtype"] = dtype_policy(model.dtype)
        out["build_config"] = {"input_shape": None if shape is None else list(shape)}
    elif isinstance(model, Functional):
        by_name = {entry["name"]: (entry, native_entry) for entry, native_entry
                   in zip(config.get("layers", []), native_layers)}
        ordered = []
        for layer in layout.functional_layer_order(model):
            entry, native_entry = by_name.pop(layer.name)
            if isinstance(layer, InputLayer):
                entry.update(_input_layer_entry(layer.batch_shape, layer.dtype, layer.name))
                entry["inbound_nodes"] = []
            elif entry.get("class_name") == "OperatorLayer" and entry.get("registered_name") is None:
                entry = keras_ops.to_keras_entry(native_entry)  # its arguments as neuronet wrote them
            else:
                entry = layer_entry(layer, entry, native_entry)
            ordered.append(entry)
        ordered.extend(entry for entry, _ in by_name.values())
        for entry in ordered:
            entry["inbound_nodes"] = _text_tensors(entry.get("inbound_nodes", []))
        config["layers"] = [_entry_order(e) for e in ordered]
        config.pop("dtype", None)
        out["build_config"] = {"input_shape": None}
    else:
        if isinstance(config.get("dtype"), str):
            config["dtype"] = dtype_policy(config["dtype"])
        from .serialization import build_config

        build = build_config(model)
        if build is not None:
            out["build_config"] = build
    return out


def _text_tensors(value):
    """Node arguments with text tensors' dtype named as Keras names it ('string', not 'object')."""
    if isinstance(value, dict) and value.get("class_name") == _TENSOR and isinstance(value.get("config"), dict) \
            and value["config"].get("dtype") in _TEXT_DTYPES:
        return {**value, "config": {**value["config"], "dtype": "string"}}
    if isinstance(value, dict):
        return {k: _text_tensors(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_tensors(v) for v in value]
    return value


def _entry_order(entry: dict) -> dict:
    keys = ("module", "class_name", "config", "registered_name", "build_config", "name", "inbound_nodes")
    return {k: entry[k] for k in keys if k in entry}


def compile_to_keras(compile_config: dict) -> dict:
    """Keras 3's ``compile_config`` from neuronet's (``serialization.compile_to_config``)."""
    out = {"optimizer": _to_keras(compile_config.get("optimizer"), "optimizers", "optimizer")}
    out["loss"] = _to_keras(compile_config.get("loss"), "losses", "loss")
    out["loss_weights"] = compile_config.get("loss_weights")
    for key in ("metrics", "weighted_metrics"):
        out[key] = _to_keras(compile_config.get(key), "metrics", key)
    out.update(_COMPILE_EXTRAS)
    return out


# ------------------------------------------------------------------------------------ reading
def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _class_for(name, registered, kind: str, custom_objects):
    """The neuronet class a Keras entry names, or None when the registry does not know it (the
    caller's deserializer then raises its own error)."""
    if kind not in registry.KINDS and kind != "schedules":
        return None
    try:
        return registry.lookup(name, "optimizers" if kind == "schedules" else kind, custom_objects,
                               registered_name=registered)
    except ValueError:
        return None


def _accepted_arguments(cls) -> set | None:
    """The keyword arguments ``cls`` takes, or None when it takes any (a ``**kwargs`` that goes to a
    base class accepting anything, or a user class: nothing is filtered for those)."""
    if not isinstance(cls, type) or not (cls.__module__ or "").startswith("neuronet."):
        return None
    from ..layers.base import Layer
    from ..optimizers.base import _KERAS_OFF, Optimizer

    names: set = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            return None
        names.update(n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
        if klass is Layer:  # its **kwargs takes only these (and refuses anything else)
            names.update(("autocast", "input_length", "seed_generator"))
            break
        if klass is Optimizer:
            names.update(_KERAS_OFF)
            break
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            break
    else:
        return None
    names.discard("self")
    return names


def _same(a, b) -> bool:
    if isinstance(b, tuple):
        return any(_same(a, option) for option in b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return float(a) == float(b)
    return a == b


def _filter_arguments(cls, config: dict, label: str) -> dict:
    """``config`` without the Keras-only arguments ``cls`` does not take that hold their default. Others
    stay: the class's ``from_config`` may take them (a lookup layer's vocabulary size), else it
    refuses them with an error naming the argument."""
    accepted = _accepted_arguments(cls)
    if accepted is None:
        return config
    return {key: value for key, value in config.items()
            if key in accepted or not (key in _IGNORED or value is None
                                       or (key in _KERAS_DEFAULTS and _same(value, _KERAS_DEFAULTS[key])))}


def _dtype_name(value, label: str, text: bool = False):
    """A dtype name from a Keras dtype or dtype policy (``text``: an input layer's, which may be text)."""
    if isinstance(value, dict):
        name = value.get("class_name")
        config = value.get("config")
        if name not in ("DTypePolicy", "FloatDTypePolicy") or not isinstance(config, dict):
            raise ValueError(f"{label}: unsupported dtype policy {_short(value)}")
        value = config.get("name")
    if value is None:
        return None
    if text and value in _TEXT_DTYPES:
        return "object"
    if value in ("mixed_float16", "mixed_bfloat16"):  # float32 weights; neuronet computes in them (dtype_policies)
        return "float32"
    if not isinstance(value, str) or value not in _ALLOWED_DTYPES:
        raise ValueError(f"{label}: unsupported dtype {_short(value)} (neuronet computes in float16, float32 or "
                         "float64, and under mixed-precision policies in float32)")
    return value


_MODELS = ("Sequential", "Functional", "Model")
_SUBLAYER_KEYS = ("layer", "backward_layer", "cell", "cells", "layers")


def from_keras(value, kind: str | None = None, custom_objects: dict | None = None, label: str = "config",
               key: str = ""):
    """neuronet's config for ``value`` read from a Keras (3 or 2) file: wrappers removed, dtype
    policies turned into names, Keras-only default arguments dropped (see the module docstring).

    Args:
        value: part of a Keras config (an object entry, a list, a dict of them or plain data).
        kind: the registry kind of the objects in ``value`` ('layers', 'models', 'losses', ...);
            None works it out from ``key`` (``kernel_initializer`` → 'initializers') or the class name.
        custom_objects: the user's classes, for looking up which arguments a class takes.
        label: the start of error messages. key: the config key ``value`` was found under.

    Raises:
        ValueError: for a Lambda's code, an unsupported dtype policy or an argument neuronet does
            not support with a non-default value.
    """
    if isinstance(value, list):
        return [from_keras(v, kind, custom_objects, label, key) for v in value]
    if not isinstance(value, dict):
        return value
    if "class_name" not in value or "config" not in value:
        return {k: from_keras(v, kind if k in ("layers", "cells") else None, custom_objects, label, k)
                for k, v in value.items()}
    name, config, registered = value.get("class_name"), value.get("config"), value.get("registered_name")
    if name == _TENSOR:
        return value
    special = _special(name, config, label)
    if special is not _NOT_SPECIAL:
        return special
    if not isinstance(name, str):
        raise ValueError(f"{label}: expected a class name (a string), found {_short(name)}")
    if name in ("DTypePolicy", "FloatDTypePolicy"):
        return _dtype_name(value, label)
    if registered is not None and not isinstance(registered, str):
        raise ValueError(f"{label}: expected 'registered_name' to be a string, found {_short(registered)}")
    if registered in ("Functional", name):
        registered = None
    kind = _kind_of(key, kind, value)
    out = {"class_name": name}
    if registered:
        out["registered_name"] = registered
    if isinstance(config, dict):
        config = _config_from_keras(name, registered, config, kind, custom_objects, f"{label} ({name})")
    elif not isinstance(config, (str, type(None))):
        raise ValueError(f"{label}: the config of {name!r} must be a dict, found {_short(config)}")
    out["config"] = config if config is not None else {}
    for extra in ("name", "inbound_nodes", "build_config", "compile_config"):
        if extra in value:
            out[extra] = value[extra]
    if "inbound_nodes" in out:
        out["inbound_nodes"] = _nodes_from_keras(out["inbound_nodes"], label)
    return out


def _config_from_keras(name: str, registered, config: dict, kind: str, custom_objects, where: str) -> dict:
    """The ``config`` of one object: nested objects translated, then the arguments neuronet's class
    does not take dropped (or refused)."""
    if name in ("Functional", "Model") and isinstance(config.get("layers"), list):
        config = keras_ops.from_keras_graph(config, where)
    holds_layers = kind in ("layers", "models")
    config = {k: from_keras(v, "layers" if k in _SUBLAYER_KEYS and holds_layers else None, custom_objects, where, k)
              for k, v in config.items()}
    if "dtype" in config and holds_layers:
        config["dtype"] = _dtype_name(config["dtype"], where, text=name == "InputLayer")
    if name in _MODELS:
        if name == "Sequential" and isinstance(config.get("layers"), list):
            return _sequential_from_keras(config)
        if isinstance(config.get("layers"), list):
            return _functional_from_keras(config)
        return config
    if name == "BatchNormalization" and isinstance(config.get("axis"), list) and len(config["axis"]) == 1:
        config["axis"] = config["axis"][0]  # Keras 2 writes the axis as a list
    cls = _class_for(name, registered, kind, custom_objects)
    return config if cls is None or kind == "models" else _filter_arguments(cls, config, where)


_NOT_SPECIAL = object()


def _special(name, config, label: str):
    """Keras's markers for non-object values; a Lambda's code is refused."""
    if name == "__lambda__" or name == "function" and isinstance(config, dict) and "code" in config:
        raise ValueError(f"{label}: the file holds a Python function's code (a Lambda layer or lambda); neuronet "
                         "never loads code from files. Rebuild that part of the model in code and load the weights")
    if name in ("__numpy__", "__tensor__"):
        if not isinstance(config, dict) or not isinstance(config.get("value"), (list, int, float)):
            raise ValueError(f"{label}: malformed array value {_short(config)}")
        return config["value"]
    if name == "__bytes__":
        return config.get("value") if isinstance(config, dict) else None
    if name in ("__slice__", "__ellipsis__", "__typespec__"):
        raise ValueError(f"{label}: the Keras value {name} is not supported by neuronet")
    if name == "function":  # a named function (activation, loss, metric): its registered name or name
        return config if isinstance(config, str) else _NOT_SPECIAL
    return _NOT_SPECIAL


def _sequential_from_keras(config: dict) -> dict:
    """A leading InputLayer becomes the first layer's ``batch_input_shape`` (neuronet's spelling of the
    same thing), unless that layer is itself a model."""
    layers = config["layers"]
    if len(layers) < 2 or not all(isinstance(e, dict) and isinstance(e.get("config"), dict) for e in layers[:2]):
        return config
    first, second = layers[0], layers[1]
    shape = first["config"].get("batch_shape", first["config"].get("batch_input_shape"))
    if first.get("class_name") != "InputLayer" or second.get("class_name") in ("Sequential", "Functional", "Model") \
            or not isinstance(shape, list):
        return config
    second = {**second, "config": {**second["config"]}}
    second["config"].setdefault("batch_input_shape", shape)
    return {**config, "layers": [second] + layers[2:]}


def _functional_from_keras(config: dict) -> dict:
    config = dict(config)
    for key in ("input_layers", "output_layers"):  # Keras 3 writes one input as a list of one reference
        refs = config.get(key)
        if isinstance(refs, list) and len(refs) == 1 and isinstance(refs[0], list) and len(refs[0]) == 3 \
                and isinstance(refs[0][0], str):
            config[key] = refs[0]
    return config


def _nodes_from_keras(nodes, label: str):
    """Inbound nodes in neuronet's (Keras 3's) form; Keras 2's ``[[name, node, tensor, kwargs], ...]``
    lists are converted. A node's ``training`` keyword is dropped: Keras always replaces it by the
    model's own training flag."""
    if not isinstance(nodes, list):
        return nodes
    out = []
    for node in nodes:
        if isinstance(node, list):  # Keras 2: one node = a list of [layer, node index, tensor index, kwargs]
            refs, kwargs = [], {}
            for ref in node:
                if not (isinstance(ref, list) and len(ref) in (3, 4) and isinstance(ref[0], str)):
                    raise ValueError(f"{label}: malformed inbound node {_short(node)}")
                refs.append({"class_name": _TENSOR, "config": {"keras_history": list(ref[:3])}})
                if len(ref) == 4 and isinstance(ref[3], dict):
                    kwargs.update(_legacy_kwargs(ref[3]))
            node = {"args": [refs[0] if len(refs) == 1 else refs], "kwargs": kwargs}
        elif isinstance(node, dict) and isinstance(node.get("kwargs"), dict):
            node = {**node, "kwargs": {k: v for k, v in node["kwargs"].items() if k != "training"}}
        out.append(node)
    return out


def _legacy_kwargs(kwargs: dict) -> dict:
    """Keras 2 call keywords: tensors referred to as ``[layer, node, tensor]`` lists become references."""
    out = {}
    for key, value in kwargs.items():
        if key == "training":
            continue
        if key in ("initial_state", "mask", "constants") and isinstance(value, list):
            items = value if value and isinstance(value[0], list) else [value]
            refs = [{"class_name": _TENSOR, "config": {"keras_history": list(v[:3])}} for v in items
                    if isinstance(v, list) and len(v) >= 3]
            out[key] = refs if key == "initial_state" or len(refs) != 1 else refs[0]
        else:
            out[key] = value
    return out


def compile_from_keras(config, custom_objects: dict | None, label: str) -> dict | None:
    """neuronet's compile settings from a Keras 3 ``compile_config`` (or a Keras 2 ``training_config``)."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise ValueError(f"{label}: 'compile_config' must be a dict, found {_short(config)}")
    config = dict(config)
    if "optimizer_config" in config:  # Keras 2's training_config
        config["optimizer"] = config.pop("optimizer_config")
    if config.get("optimizer") is None and config.get("loss") is None:
        return None  # nothing was compiled
    out = {}
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("class_name"), str) \
            and optimizer["class_name"].startswith("Custom>") \
            and optimizer["class_name"][7:] in registry.builtin_classes("optimizers"):
        optimizer = {**optimizer, "class_name": optimizer["class_name"][7:]}  # Keras 2.11+ names them so
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        optimizer = from_keras(optimizer, "optimizers", custom_objects, f"{label} (optimizer)", "optimizer")
        opt_config = dict(optimizer["config"])
        if isinstance(opt_config.get("learning_rate"), dict):
            opt_config["learning_rate"] = from_keras(opt_config["learning_rate"], "schedules", custom_objects,
                                                     f"{label} (learning_rate)", "learning_rate")
        name = opt_config.get("name")
        if isinstance(name, str) and name == optimizer["class_name"]:  # Keras 2 names optimizers 'Adam'
            opt_config["name"] = name.lower()
        if opt_config.get("use_ema") is False:  # the moving-average options mean nothing without it
            for key in ("ema_momentum", "ema_overwrite_frequency"):
                opt_config.pop(key, None)
        optimizer["config"] = opt_config
    out["optimizer"] = optimizer
    out["loss"] = from_keras(config.get("loss"), "losses", custom_objects, f"{label} (loss)", "loss")
    out["loss_weights"] = config.get("loss_weights")
    for key in ("metrics", "weighted_metrics"):
        out[key] = _simple_metrics(from_keras(config.get(key), "metrics", custom_objects, f"{label} ({key})", key))
    if isinstance(out["loss"], dict) and "class_name" not in out["loss"]:
        raise ValueError(f"{label}: losses given per output name (a dict) are not supported; found "
                         f"{_short(out['loss'])}")
    for key in ("metrics", "weighted_metrics"):
        if isinstance(out[key], dict):
            raise ValueError(f"{label}: {key} given per output name (a dict) are not supported")
    return out


def _simple_metrics(value):
    """Keras 2 writes a metric given by name as ``MeanMetricWrapper(fn='sparse_categorical_accuracy',
    name='accuracy')``: it becomes that name again (the name when neuronet knows it, else the function's)."""
    if isinstance(value, list):
        return [_simple_metrics(v) for v in value]
    if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper" and isinstance(value.get("config"),
                                                                                                   dict):
        config = value["config"]
        fn, name = config.get("fn"), config.get("name")
        if isinstance(fn, str):
            from .. import metrics

            if isinstance(name, str):
                if name.lower() in ("accuracy", "acc"):
                    return name
                try:
                    metrics.get(name)
                    return name
                except (ValueError, TypeError):
                    pass
            return fn
    return value
