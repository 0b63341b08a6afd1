"""Sequence utilities: pad ragged lists of sequences into one array (Keras ``pad_sequences``)."""

from __future__ import annotations

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pad (or truncate) sequences of different lengths to one length, giving a 2-D (or more) array.

    Sequences shorter than ``maxlen`` are filled with ``value``; longer ones are cut. Pair the result
    with ``Embedding(mask_zero=True)`` or ``Masking(mask_value=value)`` so recurrent layers skip the
    padding. Same arguments and results as ``keras.utils.pad_sequences``.

    Args:
        sequences: list of sequences (each a list or array of ids, or of feature vectors).
        maxlen: the length of the result. Defaults to None (the longest sequence).
        dtype: dtype of the result. Defaults to 'int32'.
        padding: 'pre' or 'post': pad before or after each sequence. Defaults to 'pre'.
        truncating: 'pre' or 'post': drop values from the start or the end of longer sequences.
            Defaults to 'pre'.
        value: the padding value. Defaults to 0.0.

    Returns:
        An array of shape (len(sequences), maxlen) + the shape of one sequence element.

    Example::

        >>> pad_sequences([[1, 2, 3], [4, 5], [6]])
        array([[1, 2, 3],
               [0, 4, 5],
               [0, 0, 6]], dtype=int32)
        >>> pad_sequences([[1, 2, 3], [4, 5]], maxlen=2, padding="post", truncating="post")
        array([[1, 2],
               [4, 5]], dtype=int32)
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"pad_sequences: padding must be 'pre' or 'post', received padding={padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f"pad_sequences: truncating must be 'pre' or 'post', received truncating={truncating!r}")
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences: sequences must be a list of sequences, received {type(sequences).__name__}")
    if maxlen is not None and (isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be a non-negative integer or None, received maxlen={maxlen!r}")
    lengths, sample_shape = [], ()
    found_shape = False
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"pad_sequences: every sequence must be iterable with a length; sequence {i} is "
                             f"{s!r}")
        lengths.append(len(s))
        if not found_shape and len(s) > 0:
            sample_shape = np.asarray(s).shape[1:]
            found_shape = True
    n = len(sequences)
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    dtype = np.dtype(dtype)
    is_text = dtype.kind in ("U", "S", "O")
    if isinstance(value, str) and not is_text:
        raise ValueError(f"pad_sequences: dtype {dtype} cannot hold the padding value {value!r}; use dtype=object")
    x = np.full((n, maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return x
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: every element must have shape {sample_shape}; sequence {i} has "
                             f"elements of shape {kept.shape[1:]}")
        if padding == "post":
            x[i, :len(kept)] = kept
        else:
            x[i, -len(kept):] = kept
    return x
