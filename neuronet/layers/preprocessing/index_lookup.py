"""IndexLookup: the vocabulary table behind StringLookup, IntegerLookup and TextVectorization.

A vocabulary maps each known token to an index. The indices start after the special slots:

    [mask (index 0, only when mask_token is set and output_mode='int')] [OOV 0 .. OOV k-1] [tokens ...]

A token not in the vocabulary goes to an OOV slot (with ``num_oov_indices > 1``, the slot is chosen by
a hash of the token, as Keras: FarmHash ``Fingerprint64`` for strings, ``token mod k`` for integers).
``adapt`` counts the tokens of the data and keeps the most frequent ones (ties broken by the token,
larger first — Keras's order), up to ``max_tokens`` entries in all.

Saving: the vocabulary (given or adapted) and, for 'tf_idf', the IDF weights are written into
``get_config`` (Keras keeps an adapted vocabulary in a separate asset file and the IDF weights as a
variable; neuronet model files hold JSON and arrays only, so the config carries them).
"""

from __future__ import annotations

import collections
import os

import numpy as np

from ...autograd import Tensor
from .category_encoding import check_output_mode, encode_categorical, encoded_shape
from .data_layer import PreprocessingLayer, adapt_batches, to_array, to_string_array
from .hash_functions import hash_to_bucket, parse_salt

__all__ = ["IndexLookup"]

_LOOKUP_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(PreprocessingLayer):
    """Maps tokens to indices (or back, with ``invert``); see :class:`StringLookup` and
    :class:`IntegerLookup` for the arguments, which are Keras's."""

    _vocabulary_dtype = "string"  # or "int64" (IntegerLookup)

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token=None, vocabulary=None,
                 idf_weights=None, invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", salt=None, **kwargs):
        where = type(self).__name__
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        frozen_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(**kwargs)
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, (int, np.integer))
                                       or max_tokens <= 1):
            raise ValueError(f"{where}: if set, max_tokens must be an integer greater than 1, received "
                             f"max_tokens={max_tokens!r}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{where}: pad_to_max_tokens=True needs max_tokens, received max_tokens=None")
        if (isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, (int, np.integer))
                or num_oov_indices < 0):
            raise ValueError(f"{where}: num_oov_indices must be an integer >= 0, received "
                             f"num_oov_indices={num_oov_indices!r}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{where}: expected oov_method to be 'floormod' or 'farmhash', received {oov_method!r}")
        if salt is not None and self._vocabulary_dtype != "string" and oov_method != "farmhash":
            raise ValueError(f"{where}: salt can only be used when oov_method='farmhash', received "
                             f"oov_method={oov_method!r}")
        salt = parse_salt(where, salt)
        output_mode = check_output_mode(where, output_mode, _LOOKUP_MODES)
        if invert and output_mode != "int":
            raise ValueError(f"{where}: output_mode must be 'int' when invert=True, received "
                             f"output_mode={output_mode!r}")
        if sparse:
            raise ValueError(f"{where}: sparse=True is not supported (neuronet has no sparse tensors)")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{where}: idf_weights should only be set when output_mode='tf_idf', received "
                             f"output_mode={output_mode!r}")
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = self._token(mask_token) if mask_token is not None else None
        self.oov_token = self._token(oov_token) if oov_token is not None else None
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.oov_method = oov_method
        self.salt = salt
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._frozen_vocab_size = frozen_size
        self._tokens: list = []  # the learned/given tokens, without the special slots
        self._index: dict = {}
        self.idf_weights = None
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_vocabulary_file(vocabulary)
        self.input_vocabulary = None if vocabulary is None else self._token_list(vocabulary)
        self.input_idf_weights = None if idf_weights is None else np.asarray(idf_weights, np.float64).tolist()
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(f"{where}: with a vocabulary argument and output_mode='tf_idf', idf_weights must also "
                             "be given")
        if vocabulary is not None:
            self.set_vocabulary(self.input_vocabulary, idf_weights)

    # ------------------------------------------------------------------ tokens
    def _token(self, value):
        """A token of this layer's kind: a Python str, or an int for IntegerLookup."""
        if self._vocabulary_dtype == "string":
            return value.decode(getattr(self, "encoding", "utf-8")) if isinstance(value, bytes) else str(value)
        return int(value)

    def _token_list(self, values) -> list:
        arr = to_array(values).reshape(-1)
        return [self._token(v) for v in arr.tolist()]

    def _tokens_of(self, inputs, where: str) -> np.ndarray:
        """The inputs as an array of tokens (object array of str, or int64)."""
        if self._vocabulary_dtype == "string":
            return to_string_array(inputs, where, getattr(self, "encoding", "utf-8"))
        arr = to_array(inputs)
        if arr.dtype.kind == "f":
            if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr != np.floor(arr))):
                raise ValueError(f"{where}: expected integer tokens, received non-integer values")
        elif arr.dtype.kind not in "iub":
            raise ValueError(f"{where}: expected integer tokens, received an array of dtype {arr.dtype}")
        return arr.astype(np.int64)

    def _read_vocabulary_file(self, path) -> list:
        """One token per line of a text file (a path the caller gave, never one read from a model file)."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(f"{type(self).__name__}: vocabulary file '{path}' does not exist")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return lines if self._vocabulary_dtype == "string" else [int(line) for line in lines]

    # ------------------------------------------------------------------ indices
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of indices, special slots (mask, OOV) included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order; with ``include_special_tokens`` the mask and OOV slots come first
        (so a token's position is its index)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (a list/array of tokens, or a path to a text file of one token per line) and,
        for 'tf_idf', the IDF weights, instead of adapting. A vocabulary may start with the special
        tokens in slot order (mask, OOV), which are then recognised and skipped."""
        where = f"{type(self).__name__} '{self.name}'.set_vocabulary"
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{where}: idf_weights must be set when output_mode='tf_idf'")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{where}: idf_weights should only be set when output_mode='tf_idf', received "
                             f"output_mode={self.output_mode!r}")
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_vocabulary_file(vocabulary)
        tokens = self._token_list(vocabulary)
        if not tokens:
            raise ValueError(f"{where}: cannot set an empty vocabulary")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = tokens[:start] == special
        if found_special:
            tokens = tokens[start:]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{where}: the vocabulary has repeated tokens {repeated[:10]}; make it unique")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{where}: found the mask token {self.mask_token!r} at an unexpected place in the "
                             f"vocabulary; remove it, or put the special tokens first in this order: {special}")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{where}: found the OOV token {self.oov_token!r} at an unexpected place in the "
                             f"vocabulary; remove it, or put the special tokens first in this order: {special}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"{where}: the vocabulary has {start + len(tokens)} entries (special slots included), "
                             f"more than max_tokens={self.max_tokens}")
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights, dtype=np.float64).reshape(-1)
            if len(weights) != len(tokens) + (start if found_special else 0):
                raise ValueError(f"{where}: idf_weights must have the vocabulary's length {len(vocabulary)}, "
                                 f"received {len(weights)}")
            if not found_special:  # the special slots get the mean weight, as Keras
                weights = np.concatenate([np.full(start, weights.mean() if weights.size else 0.0), weights])
            self.idf_weights = self._pad_idf(weights)
        self._set_tokens(tokens)

    def _pad_idf(self, weights: np.ndarray) -> np.ndarray:
        if self.pad_to_max_tokens and self.max_tokens is not None and len(weights) < self.max_tokens:
            weights = np.concatenate([weights, np.zeros(self.max_tokens - len(weights))])
        return weights.astype(self.dtype)

    def _set_tokens(self, tokens: list) -> None:
        new_size = len(tokens) + self._token_start_index()
        if (self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is not None
                and self.built and new_size != self._frozen_vocab_size):
            raise RuntimeError(f"{type(self).__name__} '{self.name}': with output_mode={self.output_mode!r} and "
                               f"pad_to_max_tokens=False the vocabulary size cannot change after the layer is used; "
                               f"old size {self._frozen_vocab_size}, new size {new_size}")
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: i + start for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = new_size

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Build the vocabulary from ``data`` (an array or list of tokens, a DataFrame/Series, a PyDataset
        or a generator of batches): the most frequent tokens first, up to ``max_tokens`` entries."""
        where = f"{type(self).__name__} '{self.name}'.adapt"
        if self._has_input_vocabulary:
            raise ValueError(f"{where}: cannot adapt after a vocabulary was given (vocabulary argument or "
                             "set_vocabulary)")
        counts: collections.Counter = collections.Counter()
        doc_counts: collections.Counter = collections.Counter()
        num_documents = 0
        for batch in adapt_batches(data, steps, where):
            tokens = self._tokens_of(batch, where)
            self._count(tokens, counts)
            if self.output_mode == "tf_idf":
                docs = tokens.reshape(1, -1) if tokens.ndim <= 1 else tokens.reshape(tokens.shape[0], -1)
                for doc in docs:
                    doc_counts.update(set(doc.tolist()))
                num_documents += len(docs)
        self._finalize(counts, doc_counts, num_documents)

    @staticmethod
    def _count(tokens: np.ndarray, counts: collections.Counter) -> None:
        flat = tokens.reshape(-1)
        if flat.size:
            values, n = np.unique(flat, return_counts=True)
            counts.update(dict(zip(values.tolist(), n.tolist())))

    def _finalize(self, counts: collections.Counter, doc_counts: collections.Counter, num_documents: int) -> None:
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        if not counts:
            raise ValueError(f"{type(self).__name__} '{self.name}'.adapt: received no tokens to build a vocabulary "
                             "from")
        # most frequent first; among equal counts the larger token first (Keras: lexsort(...)[::-1])
        order = sorted(counts.items(), key=lambda kv: (kv[1], self._sort_key(kv[0])), reverse=True)
        if self.max_tokens is not None:
            order = order[:max(self.max_tokens - self._token_start_index(), 0)]
        tokens = [t for t, _ in order]
        if self.output_mode == "tf_idf":
            # idf = log(1 + N / (1 + number of documents holding the token)); special slots get the mean
            idf = np.log(1.0 + num_documents / (1.0 + np.array([doc_counts[t] for t in tokens], np.float64)))
            idf = np.concatenate([np.full(self._token_start_index(), idf.mean() if idf.size else 0.0), idf])
            self.idf_weights = self._pad_idf(idf)
        self._set_tokens(tokens)

    def _sort_key(self, token):
        return token.encode("utf-8") if isinstance(token, str) else token

    # ------------------------------------------------------------------ calling
    def _oov_buckets(self, tokens: np.ndarray) -> np.ndarray:
        k = self.num_oov_indices
        if self._vocabulary_dtype != "string" and self.oov_method != "farmhash":
            return np.mod(tokens, k)
        flat = tokens.reshape(-1).tolist()
        return np.asarray(hash_to_bucket(flat, k, self.salt), dtype=np.int64).reshape(tokens.shape)

    def _lookup(self, tokens: np.ndarray, where: str) -> np.ndarray:
        """Indices of ``tokens``: the vocabulary's, the mask slot, or an OOV slot."""
        flat = tokens.reshape(-1)
        if flat.size == 0:
            return np.zeros(tokens.shape, np.int64)
        uniq, inverse = np.unique(flat, return_inverse=True)
        mapped = np.array([self._index.get(t, -1) for t in uniq.tolist()], dtype=np.int64)
        out = mapped[inverse].reshape(tokens.shape)
        oov = out == -1
        if self.mask_token is not None:
            is_mask = tokens == self.mask_token
            oov &= ~is_mask
            mask_value = 0 if self.output_mode == "int" else -1  # dropped by the encoders
            out = np.where(is_mask, mask_value, out)
        if np.any(oov):
            if self.num_oov_indices == 0:
                bad = tokens[oov].reshape(-1)[:5].tolist()
                raise ValueError(f"{where}: with num_oov_indices=0 every input must be in the vocabulary; found "
                                 f"out-of-vocabulary values {bad}; consider setting num_oov_indices=1")
            if self.num_oov_indices == 1:
                out = np.where(oov, self._oov_start_index(), out)
            else:
                out = np.where(oov, self._oov_buckets(tokens) + self._oov_start_index(), out)
        return out

    def _invert(self, indices: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        table = np.empty(len(vocab) + 1, dtype=object)
        table[:len(vocab)] = vocab
        table[len(vocab)] = self.oov_token
        idx = np.asarray(indices, dtype=np.int64)
        safe = np.where((idx >= 0) & (idx < len(vocab)), idx, len(vocab))
        out = table[safe]
        if self.num_oov_indices:  # every OOV slot reads back as the OOV token
            oov = (safe >= self._oov_start_index()) & (safe < self._token_start_index())
            out = np.where(oov, self.oov_token, out)
        if self._vocabulary_dtype != "string":
            return out.astype(np.int64)
        return out

    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            return int(self.max_tokens)
        if self._frozen_vocab_size is None:
            raise RuntimeError(f"{type(self).__name__} '{self.name}': with output_mode={self.output_mode!r} and "
                               "pad_to_max_tokens=False, set the vocabulary before calling the layer: pass a "
                               "vocabulary argument or call adapt(data)")
        return int(self._frozen_vocab_size)

    def call(self, inputs):
        where = f"{type(self).__name__} '{self.name}'"
        if self.invert:
            ids = to_array(inputs)
            if ids.dtype.kind not in "iuf":
                raise ValueError(f"{where}: with invert=True expected integer indices, received dtype {ids.dtype}")
            return Tensor._wrap(self._invert(ids))
        if not self._tokens and not self.pad_to_max_tokens and self.output_mode != "int":
            self._depth()
        tokens = self._tokens_of(inputs, where)
        indices = self._lookup(tokens, where)
        if self.output_mode == "int":
            return Tensor._wrap(indices)
        depth = self._depth()
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(indices, mode, depth, self.dtype, where=where, drop_out_of_range=True)
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights[:depth].astype(self.dtype)
        return Tensor._wrap(out)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encoded_shape(input_shape, "count" if self.output_mode == "tf_idf" else self.output_mode, depth)

    def get_config(self) -> dict:
        cfg = super().get_config()
        vocabulary, idf = self.input_vocabulary, self.input_idf_weights
        if not self._has_input_vocabulary:  # an adapted vocabulary travels in the config
            vocabulary = self.get_vocabulary(include_special_tokens=True) if self._tokens else None
            idf = None
            if self._tokens and self.idf_weights is not None:
                idf = self.idf_weights[:self.vocabulary_size()].astype(np.float64).tolist()
        cfg.update(invert=self.invert, max_tokens=self.max_tokens, num_oov_indices=self.num_oov_indices,
                   oov_token=self.oov_token, mask_token=self.mask_token, output_mode=self.output_mode,
                   sparse=self.sparse, pad_to_max_tokens=self.pad_to_max_tokens, idf_weights=idf,
                   vocabulary=vocabulary, vocabulary_size=self._frozen_vocab_size, oov_method=self.oov_method,
                   salt=self.salt, has_input_vocabulary=self._has_input_vocabulary)
        return cfg

