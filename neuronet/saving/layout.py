"""Where each variable goes in a Keras 3 weight file (``model.weights.h5`` / ``.weights.h5``).

Keras 3 stores the state of every object it can reach from the model, each in a group named by the
path to it, its own variables as datasets ``0, 1, 2, ...`` in that group's ``vars`` subgroup::

    vars                                    the model's own variables (usually none)
    layers/dense/vars/0, 1                  Dense: kernel, bias
    layers/dense_1/vars/0, 1                the second Dense of the model's layer list
    layers/batch_normalization/vars/0..3    gamma, beta, moving_mean, moving_variance
    layers/lstm/cell/vars/0..2              an LSTM's variables live in its cell
    layers/bidirectional/forward_layer/cell/vars/0..2
    optimizer/vars/0, 1, ...                iterations, learning_rate, then the slots (optimizer_state.py)

The path is built as Keras walks objects (``keras/src/saving/saving_lib.py``): a Sequential or
functional model's layer list first, under ``layers/`` with names made from the class name
(``dense``, ``dense_1``, ... — not the layer names, which differ between two copies of a model), then
the object's other attributes in sorted order (private ones last), each layer or list of layers under
its attribute name; an object reached twice is stored once, at its first path. A layer's own
variables are its trainable ones, then its non-trainable ones, each in creation order.

This module applies the same walk to neuronet objects (their attributes, and the properties their
classes define, as Keras's ``dir()`` finds both), so any layer whose sublayers are attributes named
as in Keras (``cell``, ``forward_layer``, ``layer``, ``cells``, ``key_dense``) and whose variables are
created in Keras's order needs no code here: new layers save without special code.
"""

from __future__ import annotations

import collections
import re

__all__ = ["Entry", "keras_snake_case", "walk", "functional_layer_order", "keras_trainable_variables",
           "own_variables"]

Entry = collections.namedtuple("Entry", "path name obj variables")

# instance attributes that hold sublayers for the base classes' own bookkeeping
_SKIP = frozenset({"_layers", "_outer", "_nodes", "_input_layers", "_inputs", "_outputs", "_order",
                   "_output", "optimizer", "_heads"})


def keras_snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: ``'PReLU'`` → ``'p_re_lu'``, ``'Conv2D'`` → ``'conv2d'``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def own_variables(layer) -> list:
    """The layer's own variables in Keras's order: trainable ones, then non-trainable ones."""
    own = list(layer.__dict__.get("_own_weights", ()))
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def _layer_types():
    from ..layers.base import Layer
    from ..models import Functional, Sequential

    return Layer, Sequential, Functional


def functional_layer_order(model) -> list:
    """The layers of a functional model in Keras 3's order (``keras/src/ops/function.py`` ``map_graph``):
    by decreasing depth from the outputs, ties in the order a depth-first walk from the outputs
    first meets them; input layers included. (The same order ``model.summary()`` lists them in.)"""
    from ..models.summary import functional_layout

    return functional_layout(model)[0]


def _model_layers(obj) -> list | None:
    """The layer list Keras walks first for a Sequential or functional model (else None)."""
    _, Sequential, Functional = _layer_types()
    if isinstance(obj, Sequential):
        return list(obj.layers)
    if isinstance(obj, Functional):
        return functional_layer_order(obj)
    return None


def _holds_layers(value, Layer) -> bool:
    if isinstance(value, Layer):
        return True
    if isinstance(value, dict):
        value = list(value.values())
    return isinstance(value, (list, tuple)) and any(_holds_layers(v, Layer) for v in value)


def _children(obj) -> list:
    """``[(attribute name, layer or container)]`` in Keras's walking order."""
    Layer, _, _ = _layer_types()
    from ..models.training import Model

    out = []
    layers = _model_layers(obj)
    if layers is not None:
        out.append(("layers", layers))
    found = {}
    for name, value in obj.__dict__.items():
        if name.startswith("__") or name in _SKIP or (layers is not None and name == "layers"):
            continue
        if _holds_layers(value, Layer):
            found[name] = value
    for name in _properties(type(obj), Layer):  # Keras walks dir(), so properties count too
        if name not in found and name not in _SKIP:
            try:
                value = getattr(obj, name)
            except Exception:  # a property that cannot be read now (as Keras, skip it)
                continue
            if _holds_layers(value, Layer):
                found[name] = value
    if layers is None and isinstance(obj, Model):
        found["layers"] = list(obj.layers)  # a subclassed model's tracked layers, sorted among its attributes
    for name in sorted(found, key=_name_key):
        out.append((name, found[name]))
    return out


def _properties(cls, Layer) -> list:
    """The names of the properties ``cls`` defines below the library's base classes (Layer, Model)."""
    from ..models.training import Model

    names = []
    for klass in cls.__mro__:
        if klass in (Layer, Model, object) or (klass.__module__ or "").startswith("neuronet.models"):
            continue
        names.extend(name for name, attr in vars(klass).items()
                     if isinstance(attr, property) and not name.startswith("__"))
    return names


def walk(model) -> list:
    """Every layer reachable from ``model`` (the model itself first) as ``Entry(path, name, obj,
    variables)``, in the order and with the paths of Keras 3's weight files (see the module docstring)."""
    Layer, _, _ = _layer_types()
    entries, visited = [], set()

    def visit(obj, path: str) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        entries.append(Entry(path, obj.name, obj, own_variables(obj)))
        for name, child in _children(obj):
            if isinstance(child, Layer):
                visit(child, _join(path, name))
            else:
                container(child, _join(path, name), set())

    def container(items, path: str, seen: set) -> None:
        if id(items) in seen:
            return
        seen.add(id(items))
        if isinstance(items, dict):
            items = list(items.values())
        used: dict = {}
        for item in items:
            if isinstance(item, Layer):
                visit(item, _join(path, _unique(keras_snake_case(type(item).__name__), used)))
            elif isinstance(item, (list, tuple, dict)):
                container(item, _join(path, _unique("container", used)), seen)

    visit(model, "")
    return entries


def _unique(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def keras_trainable_variables(model) -> list:
    """The model's trainable variables in the order Keras 3 gives them (``model.trainable_variables``),
    which numbers its optimizer's slots: for a functional model the layers in Keras's order, otherwise
    the model's own order."""
    if not model.trainable:
        return []
    layers = _model_layers(model)
    _, Sequential, _ = _layer_types()
    if layers is None or isinstance(model, Sequential):
        return list(model.trainable_weights)
    out, seen = [], set()
    own = [w for w in own_variables(model) if w.trainable]
    for v in own + [v for layer in layers for v in layer.trainable_weights]:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out
