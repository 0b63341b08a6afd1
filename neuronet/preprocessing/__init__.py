"""``keras.preprocessing``: the dataset helpers and the image and sequence utilities under the names
older Keras tutorials import them by (``keras.preprocessing.image.load_img``,
``keras.preprocessing.sequence.pad_sequences``). Each is the same function as in :mod:`neuronet.utils`;
the package loads only when first used (``neuronet.preprocessing``).
"""

from ..utils.directory_dataset import text_dataset_from_directory
from ..utils.image_utils import image_dataset_from_directory
from ..utils.timeseries import timeseries_dataset_from_array
from . import image, sequence

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
