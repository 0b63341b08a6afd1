"""Utilities: seeding, one-hot labels, padding sequences, data adapters, naming, file downloads, the
dataset helpers (timeseries windows, folders of images or texts, splitting), plot_model, Progbar, and
Keras's aliases of the serialization, logging and dtype names (``keras_names.py``).

The helpers for files, images, folders of data and plotting load on first use (:mod:`neuronet._lazy`).
"""

from .. import _lazy
from ..config import set_random_seed
from . import data, naming, sequence
from .data import *  # noqa: F401,F403
from .naming import reset_names
from .sequence import *  # noqa: F401,F403


def clear_session() -> None:
    """Reset layer-name counters (as ``keras.backend.clear_session``): the next Dense is 'dense' again."""
    reset_names()


_LAZY_NAMES = {
    "Dataset": "dataset_utils", "split_dataset": "dataset_utils",
    "text_dataset_from_directory": "directory_dataset",
    "get_file": "file_utils",
    "array_to_img": "image_utils", "image_dataset_from_directory": "image_utils", "img_to_array": "image_utils",
    "load_img": "image_utils", "save_img": "image_utils", "smart_resize": "image_utils",
    "timeseries_dataset_from_array": "timeseries",
    "model_to_dot": "model_visualization", "plot_model": "model_visualization",
    "Progbar": "progbar", "Config": "config_object", "audio_dataset_from_directory": "audio_dataset",
    **{name: "keras_names" for name in (
        "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "disable_interactive_logging",
        "enable_interactive_logging", "get_custom_objects", "get_registered_name", "get_registered_object",
        "get_source_inputs", "is_interactive_logging_enabled", "is_keras_tensor", "pack_x_y_sample_weight",
        "register_keras_serializable", "serialize_keras_object", "standardize_dtype", "unpack_x_y_sample_weight")},
}

__all__ = ["clear_session", "naming", "set_random_seed", *data.__all__, *sequence.__all__, *_LAZY_NAMES]

__getattr__, __dir__ = _lazy.attach(
    __name__, globals(),
    submodules=("audio_dataset", "config_object", "dataset_utils", "directory_dataset", "file_utils", "image_utils",
                "keras_names", "model_visualization", "progbar", "timeseries"),
    names=_LAZY_NAMES,
)
