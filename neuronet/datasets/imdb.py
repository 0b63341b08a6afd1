"""IMDB movie reviews: 50,000 reviews as word-id sequences, labelled positive/negative (``keras.datasets.imdb``)."""

from __future__ import annotations

import numpy as np

from ..utils.file_utils import get_file
from .npz import load_npz
from .sequences import as_object_array, cap_ids, read_word_index, remove_long, shift_ids

__all__ = ["load_data", "get_word_index"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3, **kwargs):
    """Load the IMDB reviews: 25,000 training and 25,000 test reviews, each a list of word ids (words
    ranked by frequency: id i+index_from is the i-th most frequent word), label 1 positive, 0 negative.

    Args:
        path: the cache file name. Defaults to 'imdb.npz'.
        num_words: keep the ids below this (the most frequent words); others become ``oov_char``.
            Defaults to None (all).
        skip_top: ids below this (the most frequent words) also become ``oov_char``. Defaults to 0.
        maxlen: drop the reviews of ``maxlen`` ids or more. Defaults to None.
        seed: the seed shuffling each split (NumPy RandomState, as Keras). Defaults to 113.
        start_char: the id that starts every review. Defaults to 1.
        oov_char: the id of removed words (None: drop them). Defaults to 2.
        index_from: added to every word id. Defaults to 3.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x object arrays of lists of ints, y int arrays.
    """
    if kwargs:
        raise TypeError(f"imdb.load_data: unexpected keyword argument(s) {sorted(kwargs)}")
    path = get_file(fname=path, origin=f"{ORIGIN}imdb.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]
    x_train, x_test = shift_ids(x_train, start_char, index_from), shift_ids(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"imdb.load_data: after filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept; increase maxlen")
    xs = cap_ids(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    n = len(x_train)
    return (as_object_array(xs[:n]), labels[:n]), (as_object_array(xs[n:]), labels[n:])


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The ``{word: rank}`` index of the IMDB words (rank 1 = most frequent; add ``index_from`` to get
    the ids of :func:`load_data`)."""
    path = get_file(fname=path, origin=f"{ORIGIN}imdb_word_index.json", file_hash=WORD_INDEX_HASH)
    return read_word_index(path, "imdb.get_word_index")
