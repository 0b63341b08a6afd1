"""Reuters newswires: 11,228 newswires as word-id sequences in 46 topics (``keras.datasets.reuters``)."""

from __future__ import annotations

import numpy as np

from ..utils.file_utils import get_file
from .npz import load_npz
from .sequences import as_object_array, cap_ids, read_word_index, remove_long, shift_ids

__all__ = ["load_data", "get_word_index", "get_label_names"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
_LABELS = ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
           "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
           "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
           "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
           "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              test_split: float = 0.2, seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3):
    """Load the Reuters newswires, shuffled and split into training and test parts.

    Args:
        path: the cache file name. Defaults to 'reuters.npz'.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as
            :func:`neuronet.datasets.imdb.load_data`.
        test_split: the fraction of the data used as test set. Defaults to 0.2.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x object arrays of lists of ints, y int arrays of
        topic ids 0-45 (see :func:`get_label_names`).
    """
    if not 0 <= float(test_split) < 1:
        raise ValueError(f"reuters.load_data: test_split must be in [0, 1), received test_split={test_split!r}")
    path = get_file(fname=path, origin=f"{ORIGIN}reuters.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    xs, labels = f["x"], f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = shift_ids(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long(maxlen, xs, labels)
    xs = cap_ids(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return ((as_object_array(xs[:idx]), np.array(labels[:idx])), (as_object_array(xs[idx:]), np.array(labels[idx:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The ``{word: rank}`` index of the Reuters words."""
    path = get_file(path, origin=f"{ORIGIN}reuters_word_index.json", file_hash=WORD_INDEX_HASH)
    return read_word_index(path, "reuters.get_word_index")


def get_label_names() -> tuple:
    """The 46 topic names, indexed by label."""
    return _LABELS
