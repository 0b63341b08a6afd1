"""IntegerLookup: integer ids (e.g. sparse category codes) → contiguous indices or vectors."""

from __future__ import annotations

from .index_lookup import IndexLookup

__all__ = ["IntegerLookup"]


class IntegerLookup(IndexLookup):
    """Map integer tokens to contiguous indices through a vocabulary (Keras ``IntegerLookup``).

    Index 0 is the mask token when one is set ('int' mode), then ``num_oov_indices`` slots for unknown
    values, then the vocabulary (given, or learned by :meth:`adapt`, most frequent first). Inputs are
    integer arrays (float arrays holding whole numbers are accepted, as a numeric model input gives).

    Args:
        max_tokens: the largest vocabulary size, special slots included. Defaults to None.
        num_oov_indices: slots for unknown values; with more than one a value goes to slot
            ``value mod num_oov_indices`` (``oov_method='floormod'``) or to its FarmHash bucket
            (``'farmhash'``). Defaults to 1.
        mask_token: the value meaning "masked". Defaults to None.
        oov_token: the value returned for OOV indices with ``invert=True``. Defaults to -1.
        vocabulary: a list/array of integers or a path to a text file of one per line.
        vocabulary_dtype: 'int64' (the only value Keras accepts).
        idf_weights, invert, output_mode, sparse, pad_to_max_tokens, salt: as :class:`StringLookup`.
        oov_method: 'floormod' or 'farmhash'. Defaults to 'floormod'.

    Example::

        >>> IntegerLookup(vocabulary=[12, 36, 1138, 42])(np.array([[12, 1138, 42], [42, 1000, 36]]))
        Tensor([[1, 3, 4],
                [4, 0, 2]])
    """

    _vocabulary_dtype = "int64"

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token: int = -1,
                 vocabulary=None, vocabulary_dtype: str = "int64", idf_weights=None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", salt=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"IntegerLookup: only vocabulary_dtype='int64' is supported, received "
                             f"vocabulary_dtype={vocabulary_dtype!r}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, **kwargs)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["vocabulary_dtype"] = "int64"
        return cfg
