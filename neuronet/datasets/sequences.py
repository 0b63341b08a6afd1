"""What imdb and reuters share: shifting word ids, dropping long sequences, capping the vocabulary."""

from __future__ import annotations

import json

import numpy as np

__all__ = ["shift_ids", "remove_long", "cap_ids", "as_object_array", "read_word_index"]


def shift_ids(xs, start_char, index_from: int) -> list:
    """Every sequence as a list, with ``index_from`` added to each id and ``start_char`` prepended."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return [list(x) for x in xs]


def remove_long(maxlen: int, seqs: list, labels) -> tuple:
    """Keep the sequences shorter than ``maxlen`` (and their labels)."""
    kept = [(x, y) for x, y in zip(seqs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def cap_ids(xs: list, num_words, skip_top: int, oov_char) -> list:
    """Ids outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped when it is None;
    ``num_words`` None means the largest id present (nothing is capped above)."""
    if not num_words:
        num_words = max((max(x) for x in xs if len(x)), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(seqs: list) -> np.ndarray:
    """A 1-D object array holding one list per sequence."""
    out = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def read_word_index(path: str, where: str) -> dict:
    """The ``{word: index}`` dict of a JSON word-index file."""
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{where}: '{path}' does not hold a JSON object of word indices")
    return index
