"""Utilities: seeding, one-hot labels, padding sequences, data adapters, naming, file downloads, the
dataset helpers (timeseries windows, folders of images or texts, splitting) and plot_model."""

from ..config import set_random_seed
from . import naming
from .data import *  # noqa: F401,F403
from .dataset_utils import Dataset, split_dataset
from .directory_dataset import text_dataset_from_directory
from .file_utils import get_file
from .image_utils import array_to_img, image_dataset_from_directory, img_to_array, load_img, save_img, smart_resize
from .model_visualization import model_to_dot, plot_model
from .naming import reset_names
from .sequence import *  # noqa: F401,F403
from .timeseries import timeseries_dataset_from_array


def clear_session() -> None:
    """Reset layer-name counters (as ``keras.backend.clear_session``): the next Dense is 'dense' again."""
    reset_names()


__all__ = ["clear_session", "naming", "set_random_seed", "Dataset", "split_dataset", "text_dataset_from_directory",
           "get_file", "array_to_img", "image_dataset_from_directory", "img_to_array", "load_img", "save_img",
           "smart_resize", "timeseries_dataset_from_array", "model_to_dot", "plot_model"]
