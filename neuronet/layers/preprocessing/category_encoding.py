"""CategoryEncoding: integer category ids → one-hot, multi-hot or count vectors; and the encoder that
the lookup, hashing and discretization layers share."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .data_layer import PreprocessingLayer, to_array

__all__ = ["CategoryEncoding"]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def check_output_mode(where: str, output_mode, allowed=OUTPUT_MODES) -> str:
    """``output_mode`` with Keras's aliases ('binary' → 'multi_hot', 'tf-idf' → 'tf_idf'), or a ValueError."""
    mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
    if mode not in allowed:
        raise ValueError(f"{where}: expected output_mode to be one of {allowed}, received output_mode={output_mode!r}")
    return mode


def encode_categorical(indices: np.ndarray, output_mode: str, depth: int, dtype, count_weights=None,
                       where: str = "", drop_out_of_range: bool = False) -> np.ndarray:
    """Encode integer ids in ``[0, depth)`` (Keras's ``encode_categorical_inputs``).

    * ``'int'``: the ids, cast to ``dtype``.
    * ``'one_hot'``: one vector per id; a trailing axis of size 1 is replaced by the encoding axis,
      otherwise one is appended: ``(batch,)`` or ``(batch, 1)`` → ``(batch, depth)``.
    * ``'multi_hot'``: one vector per sample (the last axis holds a sample's ids), 1 where an id occurs:
      ``(batch, k)`` → ``(batch, depth)``; a rank-1 input is one sample → ``(depth,)``.
    * ``'count'``: as multi_hot, with the number of occurrences (or the sum of ``count_weights``).

    Ids outside ``[0, depth)`` raise a ValueError, or are left out (zero rows) with ``drop_out_of_range``
    (how a lookup layer drops its mask token outside the 'int' mode).
    """
    indices = np.asarray(indices)
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices.reshape(1)
    if indices.dtype.kind == "f":
        if not np.all(np.isfinite(indices)) or np.any(indices != np.floor(indices)):
            raise ValueError(f"{where}: expected integer category ids, received non-integer values")
    elif indices.dtype.kind not in "iub":
        raise ValueError(f"{where}: expected integer category ids, received an array of dtype {indices.dtype}")
    indices = indices.astype(np.int64)
    valid = (indices >= 0) & (indices < depth)
    if not drop_out_of_range and not np.all(valid):
        bad = indices[~valid].reshape(-1)[0]
        raise ValueError(f"{where}: category id {bad} is out of range; expected ids in [0, {depth}) "
                         f"(num_tokens={depth})")
    safe = np.where(valid, indices, 0)
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            safe, valid = safe[..., 0], valid[..., 0]
        out = np.zeros(safe.shape + (depth,), dtype=dtype)
        np.put_along_axis(out, safe[..., None], 1, axis=-1)
        return out * valid[..., None].astype(dtype)
    # multi_hot / count: one row per sample, the last axis holding a sample's ids
    rows = safe.reshape(-1, safe.shape[-1])
    keep = valid.reshape(rows.shape)
    weights = keep.astype(np.float64)
    if count_weights is not None:
        cw = np.asarray(count_weights, dtype=np.float64)
        if cw.shape != indices.shape:
            raise ValueError(f"{where}: count_weights of shape {cw.shape} must match the inputs' shape {indices.shape}")
        weights = weights * cw.reshape(rows.shape)
    out = np.zeros((rows.shape[0], depth), dtype=np.float64)
    np.add.at(out, (np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.reshape(-1)), weights.reshape(-1))
    if output_mode == "multi_hot":
        out = (out > 0).astype(np.float64) if count_weights is None else np.minimum(out, 1.0)
    return out.reshape(safe.shape[:-1] + (depth,)).astype(dtype)


def encoded_shape(input_shape, output_mode: str, depth) -> tuple:
    """The output shape of :func:`encode_categorical` for ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    return input_shape[:-1] + (depth,)


class CategoryEncoding(PreprocessingLayer):
    """Encode integer category ids as one-hot, multi-hot or count vectors (Keras ``CategoryEncoding``).

    Args:
        num_tokens: the number of categories; ids must lie in ``[0, num_tokens)``.
        output_mode: ``'multi_hot'`` (1 for each id present in a sample, the last axis holding the
            sample's ids), ``'one_hot'`` (one vector per id) or ``'count'`` (occurrences per id).
            'binary' is an alias of 'multi_hot'. Defaults to 'multi_hot'.
        sparse: accepted for Keras compatibility; must be False (outputs are dense arrays).

    Call arguments:
        inputs: integer ids, ``(batch,)``, ``(batch, 1)`` or ``(batch, k)``.
        count_weights: for 'count', weights of the same shape as ``inputs`` summed instead of counts.

    Output shape: see :func:`encode_categorical`, e.g. ``(batch, k)`` → ``(batch, num_tokens)``.

    Example::

        >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 2, 0, 1])).shape
        (4, 4)
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.output_mode = check_output_mode("CategoryEncoding", output_mode, ("one_hot", "multi_hot", "count"))
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be set; if the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead")
        if isinstance(num_tokens, bool) or not isinstance(num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: expected num_tokens to be an integer >= 1, received "
                             f"num_tokens={num_tokens!r}")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported (neuronet has no sparse tensors); "
                             "use sparse=False")
        self.num_tokens = int(num_tokens)
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"CategoryEncoding '{self.name}': count_weights is used only when output_mode is "
                                 f"'count', received output_mode={self.output_mode!r}")
            count_weights = to_array(count_weights)
        out = encode_categorical(to_array(inputs), self.output_mode, self.num_tokens, self.dtype, count_weights,
                                 where=f"CategoryEncoding '{self.name}'")
        return Tensor._wrap(out)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(num_tokens=self.num_tokens, output_mode=self.output_mode, sparse=self.sparse)
        return cfg
