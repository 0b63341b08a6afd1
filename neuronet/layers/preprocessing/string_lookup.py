"""StringLookup: strings → integer indices (or multi-hot/count/TF-IDF vectors) through a vocabulary."""

from __future__ import annotations

from .index_lookup import IndexLookup

__all__ = ["StringLookup"]


class StringLookup(IndexLookup):
    """Map strings to integer indices through a vocabulary (Keras ``StringLookup``).

    The vocabulary is given, or learned from data with :meth:`adapt` (most frequent first). Index 0
    is the mask token when one is set (output_mode 'int'), then ``num_oov_indices`` slots for unknown
    strings, then the vocabulary. Inputs are NumPy arrays of ``str``/``bytes``/``object`` dtype, lists of
    strings or pandas Series.

    Args:
        max_tokens: the largest vocabulary size, special slots included. Defaults to None (no cap).
        num_oov_indices: slots for out-of-vocabulary strings; with more than one, a string's slot is
            ``Fingerprint64(string) mod num_oov_indices`` (FarmHash, as Keras). 0 makes an unknown
            string an error. Defaults to 1.
        mask_token: a string meaning "masked" (index 0 in 'int' mode, dropped in the other modes).
            Defaults to None.
        oov_token: the string returned for OOV indices when ``invert=True``. Defaults to '[UNK]'.
        vocabulary: a list/array of strings, or a path to a text file with one string per line.
            Defaults to None (adapt instead).
        idf_weights: with output_mode 'tf_idf' and a vocabulary: the inverse document frequencies.
        invert: map indices back to strings. Defaults to False.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'. Defaults to 'int'.
        pad_to_max_tokens: for the vector modes, make the vectors ``max_tokens`` long. Defaults to False.
        sparse: must be False (outputs are dense).
        encoding: the encoding of bytes inputs. Defaults to 'utf-8'.
        salt: with several OOV slots, hash with SipHash-2-4 keyed by this (an int or 2 ints) instead.

    Example::

        >>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer(np.array([["a", "c", "d"], ["d", "z", "b"]]))
        Tensor([[1, 3, 4],
                [4, 0, 2]])
    """

    _vocabulary_dtype = "string"

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token: str = "[UNK]",
                 vocabulary=None, idf_weights=None, invert: bool = False, output_mode: str = "int",
                 pad_to_max_tokens: bool = False, sparse: bool = False, encoding: str = "utf-8", salt=None, **kwargs):
        self.encoding = str(encoding)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, salt=salt,
                         **kwargs)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["encoding"] = self.encoding
        return cfg
