"""TextVectorization: raw strings → token indices (or multi-hot/count/TF-IDF vectors), in three steps:

    standardize  "Hello, World!"  → "hello world"      (lowercase ASCII letters, drop punctuation)
    split        "hello world"    → ["hello", "world"] (on whitespace, or into characters)
    ngrams       ["hello", "world"] → + ["hello world"] (optional)
    lookup       tokens → indices through a vocabulary learned by adapt() (a StringLookup inside)

Each step is Keras's: ``tf.strings.lower`` lowercases ASCII letters only, the punctuation removed is
Keras's set ``!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'``, whitespace splitting drops empty tokens, and n-grams
join tokens with a single space.
"""

from __future__ import annotations

import collections
import re

import numpy as np

from ...autograd import Tensor
from ...registry import get_registered_name, get_registered_object
from .category_encoding import check_output_mode
from .data_layer import PreprocessingLayer, adapt_batches, to_array, to_string_array
from .string_lookup import StringLookup

__all__ = ["TextVectorization"]

_PUNCTUATION = re.compile(r"[!\"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~']")
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _callable_name(fn) -> str:
    return get_registered_name(fn)


def _callable_from(name, where: str):
    fn = get_registered_object(name)
    if fn is None:
        raise ValueError(f"{where}: unknown function {name!r}; register it with "
                         "@neuronet.saving.register_keras_serializable() or pass it in custom_objects")
    return fn


class TextVectorization(PreprocessingLayer):
    """Turn raw strings into sequences of token indices or into vectors (Keras ``TextVectorization``).

    Args:
        max_tokens: the largest vocabulary size, the mask ('') and OOV ('[UNK]') entries included.
            Defaults to None (no cap).
        standardize: 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', None, or a callable
            taking an object array of ``str`` and returning one of the same shape. Defaults to
            'lower_and_strip_punctuation'.
        split: 'whitespace', 'character', None (each string is one token) or a callable taking one
            string and returning its list of tokens. Defaults to 'whitespace'.
        ngrams: None, an integer n (all 1..n-grams) or a tuple of n-gram widths. Defaults to None.
        output_mode: 'int' (index sequences), 'multi_hot', 'count', 'tf_idf' (one vector per string)
            or 'one_hot'. Defaults to 'int'.
        output_sequence_length: in 'int' mode, pad with 0 or truncate every sequence to this length.
            Defaults to None (pad to the longest sequence of the batch).
        pad_to_max_tokens: in the vector modes, make vectors ``max_tokens`` long. Defaults to False.
        vocabulary: a list of tokens or a path to a text file of one token per line. Defaults to None.
        idf_weights: with 'tf_idf' and a vocabulary, the inverse document frequencies.
        sparse, ragged: must be False (outputs are dense, padded arrays).
        encoding: the encoding of bytes inputs. Defaults to 'utf-8'.

    Input: strings, shape ``(batch,)`` or ``(batch, 1)`` (NumPy str/object arrays, lists, Series).
    Output: 'int': ``(batch, sequence_length)`` int64; vector modes: ``(batch, vocabulary_size)``.

    Example::

        vectorize = TextVectorization(max_tokens=20000, output_sequence_length=200)
        vectorize.adapt(train_texts)                   # a list/array of strings or batches of them
        ids = vectorize(["the movie was great"])       # shape (1, 200)
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode: str = "int", output_sequence_length=None, pad_to_max_tokens: bool = False,
                 vocabulary=None, idf_weights=None, sparse: bool = False, ragged: bool = False,
                 encoding: str = "utf-8", name=None, **kwargs):
        where = "TextVectorization"
        if isinstance(standardize, str) and standardize not in _STANDARDIZE:
            raise ValueError(f"{where}: expected standardize to be one of {_STANDARDIZE}, None or a callable, "
                             f"received standardize={standardize!r}")
        if standardize is not None and not isinstance(standardize, str) and not callable(standardize):
            raise ValueError(f"{where}: expected standardize to be a string, None or a callable, received "
                             f"{standardize!r}")
        if isinstance(split, str) and split not in _SPLIT:
            raise ValueError(f"{where}: expected split to be one of {_SPLIT}, None or a callable, received "
                             f"split={split!r}")
        if split is not None and not isinstance(split, str) and not callable(split):
            raise ValueError(f"{where}: expected split to be a string, None or a callable, received {split!r}")
        output_mode = check_output_mode(where, output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams >= 1)
                or (isinstance(ngrams, tuple) and ngrams and all(isinstance(n, int) and n >= 1 for n in ngrams))):
            raise ValueError(f"{where}: ngrams must be None, a positive integer or a tuple of positive integers, "
                             f"received ngrams={ngrams!r}")
        if output_sequence_length is not None:
            if output_mode != "int":
                raise ValueError(f"{where}: output_sequence_length must not be set when output_mode is not 'int', "
                                 f"received output_sequence_length={output_sequence_length!r}")
            if (isinstance(output_sequence_length, bool) or not isinstance(output_sequence_length, (int, np.integer))
                    or output_sequence_length < 1):
                raise ValueError(f"{where}: output_sequence_length must be a positive integer or None, received "
                                 f"{output_sequence_length!r}")
        if sparse or ragged:
            raise ValueError(f"{where}: sparse and ragged outputs are not supported (neuronet has dense arrays "
                             "only); use sparse=False, ragged=False")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self._encoding = str(encoding)
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                          has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                          vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------------ the text pipeline
    def _standardized(self, strings: np.ndarray) -> np.ndarray:
        mode = self._standardize
        if mode is None:
            return strings
        if callable(mode):
            out = np.asarray(mode(strings), dtype=object)
            if out.shape != strings.shape:
                raise ValueError(f"TextVectorization '{self.name}': the standardize callable returned shape "
                                 f"{out.shape} for inputs of shape {strings.shape}")
            return to_string_array(out, f"TextVectorization '{self.name}': standardize output", self._encoding)
        out = np.empty(strings.shape, dtype=object)
        flat_in, flat_out = strings.reshape(-1), out.reshape(-1)
        lower = mode in ("lower", "lower_and_strip_punctuation")
        strip = mode in ("strip_punctuation", "lower_and_strip_punctuation")
        for i, s in enumerate(flat_in):
            if lower:
                s = s.translate(_ASCII_LOWER)
            if strip:
                s = _PUNCTUATION.sub("", s)
            flat_out[i] = s
        return out

    def _tokens(self, text: str) -> list:
        split = self._split
        if split == "whitespace":
            tokens = [t for t in _WHITESPACE.split(text) if t]
        elif split == "character":
            tokens = list(text)
        elif callable(split):
            tokens = [str(t) for t in split(text)]
        else:
            tokens = [text]
        if self._ngrams is not None:
            grams = []
            for width in self._ngrams:
                grams.extend(" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1))
            tokens = grams
        return tokens

    def _preprocess(self, inputs) -> list:
        """One list of tokens per input string (inputs of shape (batch,) or (batch, 1))."""
        where = f"TextVectorization '{self.name}'"
        strings = to_string_array(inputs, where, self._encoding)
        if strings.ndim == 0:
            strings = strings.reshape(1)
        if strings.ndim == 2 and strings.shape[-1] == 1:
            strings = strings[:, 0]
        elif strings.ndim != 1:
            raise ValueError(f"{where}: expected strings of shape (batch,) or (batch, 1), received shape "
                             f"{strings.shape}")
        return [self._tokens(s) for s in self._standardized(strings).tolist()]

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary (and, for 'tf_idf', the document frequencies) from ``data``: a list or
        array of strings, a pandas Series, or a PyDataset/generator of batches of strings."""
        where = f"TextVectorization '{self.name}'.adapt"
        lookup = self._lookup_layer
        if self._has_input_vocabulary:
            raise ValueError(f"{where}: cannot adapt after a vocabulary was given")
        counts: collections.Counter = collections.Counter()
        doc_counts: collections.Counter = collections.Counter()
        documents = 0
        for batch in adapt_batches(data, steps, where):
            for tokens in self._preprocess(batch):
                counts.update(tokens)
                if self._output_mode == "tf_idf":
                    doc_counts.update(set(tokens))
                documents += 1
        lookup._finalize(counts, doc_counts, documents)

    # ------------------------------------------------------------------ calling
    def call(self, inputs):
        where = f"TextVectorization '{self.name}'"
        lookup = self._lookup_layer
        docs = self._preprocess(inputs)
        lengths = [len(d) for d in docs]
        flat = np.empty(sum(lengths), dtype=object)
        flat[:] = [t for d in docs for t in d]
        ids = lookup._lookup(flat, where) if flat.size else np.zeros(0, np.int64)
        rows = np.repeat(np.arange(len(docs)), lengths)
        if self._output_mode == "int":
            if self._whole_strings and self._output_sequence_length is None:  # one token per string
                shape = np.shape(to_array(inputs))
                return Tensor._wrap(ids.reshape(shape if shape else (1,)))
            return Tensor._wrap(self._pad(ids, rows, lengths, len(docs)))
        depth = lookup._depth()
        if self._output_mode == "one_hot":
            padded = self._pad(ids, rows, lengths, len(docs), fill=-1)
            out = np.zeros(padded.shape + (depth,), dtype=self.dtype)
            valid = (padded >= 0) & (padded < depth)
            np.put_along_axis(out, np.where(valid, padded, 0)[..., None], 1, axis=-1)
            out *= valid[..., None]
            return Tensor._wrap(out[:, 0] if self._whole_strings else out)
        counts = np.zeros((len(docs), depth), dtype=np.float64)
        keep = (ids >= 0) & (ids < depth)
        np.add.at(counts, (rows[keep], ids[keep]), 1.0)
        if self._output_mode == "multi_hot":
            counts = (counts > 0).astype(np.float64)
        elif self._output_mode == "tf_idf":
            counts = counts * lookup.idf_weights[:depth]
        return Tensor._wrap(counts.astype(self.dtype))

    @property
    def _whole_strings(self) -> bool:
        """True when every string is one token (no split, no n-grams)."""
        return self._split is None and self._ngrams is None

    def _pad(self, ids: np.ndarray, rows: np.ndarray, lengths: list, n: int, fill: int = 0) -> np.ndarray:
        width = self._output_sequence_length
        if width is None:
            width = max(lengths, default=0)
        out = np.full((n, width), fill, dtype=np.int64)
        positions = np.arange(len(ids)) - np.repeat(np.cumsum([0] + lengths[:-1]), lengths)
        keep = positions < width
        out[rows[keep], positions[keep]] = ids[keep]
        return out

    # ------------------------------------------------------------------ vocabulary and config
    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order: '' (padding, index 0), '[UNK]' (index 1), then the tokens."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, padding and OOV included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and IDF weights for 'tf_idf') instead of adapting."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[0] if len(input_shape) else None
        if self._output_mode == "int":
            if self._whole_strings and self._output_sequence_length is None:
                return tuple(input_shape)
            return (batch, self._output_sequence_length)
        depth = (self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens
                 else self._lookup_layer._frozen_vocab_size)
        if self._output_mode == "one_hot" and not self._whole_strings:
            return (batch, None, depth)
        return (batch, depth)

    def get_config(self) -> dict:
        lookup = self._lookup_layer
        cfg = super().get_config()
        lookup_cfg = lookup.get_config()
        standardize = self._standardize if not callable(self._standardize) else _callable_name(self._standardize)
        split = self._split if not callable(self._split) else _callable_name(self._split)
        cfg.update(max_tokens=lookup.max_tokens, standardize=standardize, split=split,
                   ngrams=list(self._ngrams_arg) if isinstance(self._ngrams_arg, tuple) else self._ngrams_arg,
                   output_mode=self._output_mode, output_sequence_length=self._output_sequence_length,
                   pad_to_max_tokens=lookup.pad_to_max_tokens, sparse=False, ragged=False,
                   vocabulary=lookup_cfg["vocabulary"], idf_weights=lookup_cfg["idf_weights"], encoding=self._encoding,
                   vocabulary_size=lookup._frozen_vocab_size, has_input_vocabulary=self._has_input_vocabulary)
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("standardize", "split"):
            value = config.get(key)
            builtin = _STANDARDIZE if key == "standardize" else _SPLIT
            if isinstance(value, str) and value not in builtin:
                config[key] = _callable_from(value, f"TextVectorization.from_config: {key}")
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)
