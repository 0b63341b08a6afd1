"""The library's classes by name: the ONLY way a class name read from a config or a model file becomes a class.

A config names classes (``"Dense"``, ``"Adam"``, ``"Custom>MyLayer"``). Each name is looked up
in the objects users made known (``custom_objects``, then :mod:`neuronet.registry`: the classes
registered with ``register_keras_serializable``), then in tables built from the library's public
classes. Nothing else is tried: no import, no attribute lookup on a module path written in the file,
so a tampered file naming ``"os.system"`` is refused with a ValueError instead of being executed.

The built-in tables are filled on first use (walking the ``__all__`` of ``neuronet.layers``,
``neuronet.models``, ``neuronet.losses``, ...), so ``import neuronet`` stays fast. They live with the
models because a model is the highest of the kinds they name (a layer may be a nested model); saving
reads them through ``neuronet.saving.registry``.

Names are kept per kind ("layers", "losses", "metrics", ...) because some classes share a name
across modules, as in Keras: ``losses.MeanSquaredError`` and ``metrics.MeanSquaredError``.
"""

from __future__ import annotations

from ..registry import get_registered_object
from ..utils.naming import closest_match

__all__ = ["KINDS", "builtin_classes", "base_class", "lookup"]

# the kinds of objects a file names; each has its own table of names
KINDS = ("layers", "models", "losses", "metrics", "optimizers", "initializers", "regularizers")

_BUILTINS: dict | None = None  # kind -> {class name: class}, built on first use
_BASES: dict = {}  # kind -> the base class(es) every class of that kind derives from


def _public_names(module) -> list:
    names = getattr(module, "__all__", None)
    if names is None:  # a package re-exporting its submodules with ``import *``
        names = [n for n in dir(module) if not n.startswith("_")]
    return list(names)


def _builtins() -> dict:
    """The built-in tables, built once by walking the public names of the library's own modules."""
    global _BUILTINS
    if _BUILTINS is None:
        from .. import initializers, layers, losses, metrics, models, optimizers, regularizers
        from ..optimizers import schedules

        modules = {"layers": (layers,), "models": (models,), "losses": (losses,), "metrics": (metrics,),
                   "optimizers": (optimizers, schedules), "initializers": (initializers,),
                   "regularizers": (regularizers,)}
        bases = {"layers": layers.Layer, "models": models.Model, "losses": losses.Loss, "metrics": metrics.Metric,
                 "optimizers": (optimizers.Optimizer, schedules.LearningRateSchedule),
                 "initializers": initializers.Initializer, "regularizers": regularizers.Regularizer}
        tables: dict = {}
        for kind, kind_modules in modules.items():
            table: dict = {}
            for module in kind_modules:
                for name in _public_names(module):
                    obj = getattr(module, name, None)
                    if (isinstance(obj, type) and issubclass(obj, bases[kind])
                            and obj.__module__.startswith("neuronet.")):
                        table.setdefault(name, obj)
            tables[kind] = table
        # a model is also a layer: a Sequential can be nested inside a functional model
        tables["layers"] = {**tables["models"], **tables["layers"]}
        _BASES.update(bases)
        _BUILTINS = tables
    return _BUILTINS


def base_class(kind: str):
    """The base class (or tuple of classes) of every object of ``kind``, e.g. ``Layer`` for 'layers'."""
    _builtins()
    return _BASES[kind]


def builtin_classes(kind: str) -> dict:
    """``{class name: class}`` of the library's public classes of ``kind`` (e.g. 'layers')."""
    if kind not in KINDS:
        raise ValueError(f"builtin_classes: unknown kind {kind!r}; expected one of {sorted(KINDS)}")
    return dict(_builtins()[kind])


def lookup(name, kind: str, custom_objects: dict | None = None, where: str = "", registered_name=None):
    """The class for ``name`` of ``kind`` from a file, or a ValueError saying how to make it known.

    User objects (``custom_objects``, then the registered ones) win over built-ins, as in Keras.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}expected a class name (a non-empty string), found {name!r}")
    table = _builtins()[kind]
    for candidate in (registered_name, name):
        if isinstance(candidate, str):
            obj = get_registered_object(candidate, custom_objects)
            if obj is not None:
                return obj
    obj = table.get(name)
    if obj is not None:
        return obj
    raise ValueError(
        f"{where}unknown {kind[:-1]} class {name!r}{closest_match(name, sorted(table))}. If it is your own class, "
        "decorate it with @neuronet.saving.register_keras_serializable() or pass "
        f"custom_objects={{{name.split('>')[-1]!r}: YourClass}} to load_model"
    )
