"""Saving and loading models (``keras.saving``) in Keras's file formats.

    save_model / load_model         a whole model (.keras, Keras 3's layout; Keras 2 .h5 read): architecture,
                                    weights, compile settings, optimizer state, random state
    save_weights / load_weights     the weights only (.weights.h5, .weights.safetensors, .npz)
    model_to_json / model_from_json the architecture only, as a JSON string
    register_keras_serializable     make your own classes loadable by name
    get_registered_object / get_registered_name / get_custom_objects / custom_object_scope
    SavingMixin                     model.save / model.save_weights / model.load_weights

Nothing read from a file is executed or imported: class names are looked up in a registry of known
classes; weights are HDF5 or safetensors arrays, read within fixed bounds (no pickle). The modules:
api (the functions above), keras_format (.keras / .weights.h5), keras_config and keras_ops (configs
both ways), layout and optimizer_state (where each variable goes), legacy_h5 (Keras 2 files),
safetensors_io, random_state, files (atomic writes, bounded zip reading), h5io (checked HDF5 access).
"""

from .api import SavingMixin, load_model, load_weights, model_from_json, model_to_json, save_model, save_weights
from ..registry import (CustomObjectScope, custom_object_scope, get_custom_objects, get_registered_name,
                       get_registered_object, register_keras_serializable)
from .serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_to_json", "model_from_json",
           "register_keras_serializable",
           "get_registered_object", "get_registered_name", "get_custom_objects", "custom_object_scope",
           "CustomObjectScope", "serialize_keras_object", "deserialize_keras_object", "SavingMixin"]
