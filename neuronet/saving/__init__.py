"""Saving and loading models (``keras.saving``): ``.keras`` zip files of JSON + safetensors, weight files.

    save_model / load_model         a whole model: architecture, weights, compile settings, optimizer state
    save_weights / load_weights     the weights only (.weights.safetensors, or .npz)
    model_to_json / model_from_json the architecture only, as a JSON string
    register_keras_serializable     make your own classes loadable by name
    get_registered_object / get_registered_name / get_custom_objects / custom_object_scope
    SavingMixin                     model.save / model.save_weights / model.load_weights

Nothing read from a file is executed or imported: class names are looked up in a registry of known
classes, weights are safetensors (no pickle).
"""

from .api import SavingMixin, load_model, load_weights, model_from_json, model_to_json, save_model, save_weights
from .registry import (CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
                       get_registered_object, register_keras_serializable)
from .serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "register_keras_serializable",
           "get_registered_object", "get_registered_name", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "serialize_keras_object", "deserialize_keras_object", "SavingMixin"]
