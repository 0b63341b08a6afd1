"""How saving finds classes by name, handed on from where each part lives.

The user registry (``register_keras_serializable``, ``get_registered_object``, ...) is
:mod:`neuronet.registry`; the tables of the library's own classes (``builtin_classes``, ``lookup``)
are :mod:`neuronet.models.class_lookup`. ``neuronet.saving.registry.<name>`` keeps working for both.
"""

from ..models.class_lookup import KINDS, base_class, builtin_classes, lookup  # noqa: F401
from ..registry import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401
                        get_registered_name, get_registered_object, register_keras_serializable)
