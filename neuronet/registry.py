"""Classes and functions registered by name: how a name written in a config becomes an object.

A config names classes and functions (``"Dense"``, ``"Custom>MyLayer"``, ``"my_package>scale"``).
Users make their own objects known with :func:`register_keras_serializable` (or
``get_custom_objects()[name] = obj``, or a :class:`custom_object_scope` block); every part of the
library that reads a config (constraints, layers, the model files of ``neuronet.saving``) asks
:func:`get_registered_object` and writes :func:`get_registered_name`. Nothing else is tried: no
import, no attribute lookup on a module path written in a config.

This module imports nothing of neuronet, so any module may use it. The public names are also
``neuronet.saving.register_keras_serializable`` and the like, as in Keras 3 (``keras.saving``).
"""

from __future__ import annotations

from typing import Callable

__all__ = ["register_keras_serializable", "get_registered_object", "get_registered_name", "get_custom_objects",
           "custom_object_scope", "CustomObjectScope"]

_CUSTOM: dict = {}  # "Package>Name" -> class or function registered by users
_CUSTOM_NAMES: dict = {}  # id(object) -> "Package>Name"
_SCOPES: list = []  # the dicts of the active custom_object_scope blocks, innermost last


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a user class (or function) so model files can refer to it by name.

    The registered name is ``'package>name'`` (Keras 3), e.g. ``'Custom>MyLayer'``; a saved model
    stores it and :func:`~neuronet.saving.load_model` finds the class again without needing
    ``custom_objects``. A class must define ``get_config`` (and ``from_config`` when its constructor
    does not take ``get_config()``'s keys).

    Args:
        package: a namespace for the name, so two libraries' classes cannot collide. Defaults to
            'Custom'.
        name: the name within the package. Defaults to the class's (or function's) ``__name__``.

    Example::

        @neuronet.saving.register_keras_serializable(package="my_lib")
        class Scale(neuronet.layers.Layer):
            def __init__(self, factor=2.0, **kwargs):
                super().__init__(**kwargs)
                self.factor = factor

            def call(self, inputs):
                return inputs * self.factor

            def get_config(self):
                return {**super().get_config(), "factor": self.factor}

    Raises:
        ValueError: when ``package`` or ``name`` contains '>', or the name is already taken by a
            different object.
        TypeError: when a class has no ``get_config`` method, or the object is not a class or function.
    """
    if not isinstance(package, str) or ">" in package or not package:
        raise ValueError(f"register_keras_serializable: expected package to be a non-empty string without '>', "
                         f"received {package!r}")
    if name is not None and (not isinstance(name, str) or ">" in name or not name):
        raise ValueError(f"register_keras_serializable: expected name to be a non-empty string without '>', "
                         f"received {name!r}")

    def decorator(obj):
        if isinstance(obj, type):
            if not callable(getattr(obj, "get_config", None)):
                raise TypeError(f"register_keras_serializable: cannot register class {obj.__name__}: it has no "
                                "get_config() method, so it could not be written to a model file")
        elif not callable(obj):
            raise TypeError(f"register_keras_serializable: expected a class or function, received {obj!r}")
        registered = f"{package}>{name or obj.__name__}"
        previous = _CUSTOM.get(registered)
        if previous is not None and previous is not obj and not _same_definition(previous, obj):
            raise ValueError(
                f"register_keras_serializable: {registered!r} is already registered to {previous!r}; choose "
                "another package or name"
            )
        _CUSTOM[registered] = obj
        _CUSTOM_NAMES[id(obj)] = registered
        return obj

    return decorator


def _same_definition(a, b) -> bool:
    """True when ``b`` redefines ``a`` (the same module and qualified name, e.g. a re-run notebook cell)."""
    return (getattr(a, "__module__", None) == getattr(b, "__module__", None)
            and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", None))


def get_registered_name(obj) -> str:
    """The name under which ``obj`` (a class, function or instance) is written to a model file:
    ``'package>name'`` when registered by the user, else its class (or function) name."""
    target = obj if isinstance(obj, type) or _is_function(obj) else type(obj)
    registered = _CUSTOM_NAMES.get(id(target))
    if registered is not None and _CUSTOM.get(registered) is target:
        return registered
    return target.__name__


def _is_function(obj) -> bool:
    return callable(obj) and hasattr(obj, "__name__") and not isinstance(obj, type) and not hasattr(obj, "get_config")


def get_custom_objects() -> dict:
    """The global ``{name: object}`` table of registered objects (Keras 3). Adding to it registers an
    object under that exact name: ``get_custom_objects()["MyLayer"] = MyLayer``."""
    return _CUSTOM


class CustomObjectScope:
    """Within a ``with`` block, make ``custom_objects`` known to every load (Keras 3).

    Example::

        with neuronet.saving.custom_object_scope({"MyLayer": MyLayer}):
            model = neuronet.saving.load_model("model.keras")
    """

    def __init__(self, custom_objects: dict | None = None):
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(f"custom_object_scope: expected a dict {{name: object}}, received {custom_objects!r}")
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPES.append(self.custom_objects)
        return self

    def __exit__(self, *exc) -> None:
        _SCOPES.remove(self.custom_objects)


custom_object_scope = CustomObjectScope


def get_registered_object(name: str, custom_objects: dict | None = None, module_objects: dict | None = None):
    """The class or function registered under ``name``, or None when nothing is.

    Looks in ``custom_objects`` first, then in the active :class:`custom_object_scope` blocks, then in
    the objects registered with :func:`register_keras_serializable` (by full ``'package>name'`` or,
    when unambiguous, by the short name), then in ``module_objects``.

    Args:
        name: the name written in a file, e.g. ``'Custom>MyLayer'`` or ``'MyLayer'``.
        custom_objects: ``{name: class or function}`` given by the caller.
        module_objects: another ``{name: object}`` table searched last.
    """
    if not isinstance(name, str):
        return None
    tables = [t for t in [custom_objects, *reversed(_SCOPES)] if t]
    for table in tables:
        if name in table:
            return table[name]
    if name in _CUSTOM:
        return _CUSTOM[name]
    short = name.split(">")[-1]
    for table in tables:
        if short in table:
            return table[short]
    if ">" not in name:
        matches = [obj for key, obj in _CUSTOM.items() if key.split(">")[-1] == name]
        if len(matches) == 1:
            return matches[0]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None
