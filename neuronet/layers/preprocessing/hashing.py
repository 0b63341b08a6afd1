"""Hashing: strings or integers → one of ``num_bins`` buckets by a hash, with no vocabulary to learn."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .category_encoding import check_output_mode, encode_categorical, encoded_shape
from .data_layer import PreprocessingLayer, to_array
from .hash_functions import hash_to_bucket, parse_salt

__all__ = ["Hashing"]


def _bucket_keys(arr: np.ndarray, where: str) -> list:
    """The byte strings that are hashed: strings as UTF-8; integers (floats truncated to integers) as their
    decimal text, as Keras does (``tf.as_string``)."""
    flat = arr.reshape(-1)
    if arr.dtype.kind in "US" or arr.dtype.kind == "O":
        out = []
        for v in flat.tolist():
            if isinstance(v, bytes):
                out.append(v)
            elif isinstance(v, str):
                out.append(v.encode("utf-8"))
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                out.append(str(int(v)).encode())
            else:
                raise ValueError(f"{where}: expected strings or integers, found {v!r} of type {type(v).__name__}")
        return out
    if arr.dtype.kind == "f":
        if flat.size and not np.all(np.isfinite(flat)):
            raise ValueError(f"{where}: expected finite values, received NaN or Inf")
        flat = flat.astype(np.int64)
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"{where}: expected strings or integers, received an array of dtype {arr.dtype}")
    return [str(int(v)).encode() for v in flat.tolist()]


class Hashing(PreprocessingLayer):
    """Hash strings or integers into ``num_bins`` buckets (Keras ``Hashing``).

    The bucket of a value is ``Fingerprint64(value) mod num_bins`` — FarmHash's fingerprint, the hash
    of TensorFlow's ``to_hash_bucket_fast`` — or, with a ``salt``, SipHash-2-4 keyed by the salt
    (``to_hash_bucket_strong``). Integers are hashed as their decimal text and floats are first
    truncated to integers, as Keras does, so the buckets equal Keras's exactly (checked against
    TensorFlow in the test suite).

    Args:
        num_bins: the number of buckets (>= 1), the mask bucket included.
        mask_value: a value that goes to bucket 0; the others then go to buckets 1..num_bins-1.
            Defaults to None.
        salt: an int or two ints keying SipHash instead of FarmHash. Defaults to None.
        output_mode: 'int' (bucket indices), 'one_hot', 'multi_hot' or 'count'. Defaults to 'int'.
        sparse: must be False.

    Example::

        >>> Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"], ["D"], ["E"]])).shape
        (5, 1)
    """

    def __init__(self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int", sparse: bool = False,
                 **kwargs):
        output_mode = check_output_mode("Hashing", output_mode)
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"Hashing: num_bins must be a positive integer, received num_bins={num_bins!r}")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(f"Hashing: with output_mode='int', dtype should be 'int32' or 'int64', received "
                             f"dtype={self.dtype!r}")
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported (neuronet has no sparse tensors)")
        salt = parse_salt("Hashing", salt)
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = False

    def _hash(self, arr: np.ndarray) -> np.ndarray:
        where = f"Hashing '{self.name}'"
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = arr == self.mask_value
        keys = _bucket_keys(arr, where)
        out = np.asarray(hash_to_bucket(keys, bins, self.salt), dtype=np.int64).reshape(arr.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        return out

    def call(self, inputs):
        arr = to_array(inputs)
        if self.output_mode == "one_hot" and arr.ndim and arr.shape[-1] == 1:
            arr = arr[..., 0]
        indices = self._hash(arr)
        return Tensor._wrap(encode_categorical(indices, self.output_mode, self.num_bins, self.dtype,
                                               where=f"Hashing '{self.name}'"))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if self.output_mode == "one_hot" and input_shape and input_shape[-1] == 1:
            input_shape = input_shape[:-1]
        return encoded_shape(input_shape, "count" if self.output_mode != "one_hot" else "one_hot", self.num_bins)

    def get_config(self) -> dict:
        cfg = super().get_config()
        mask = self.mask_value.item() if isinstance(self.mask_value, np.generic) else self.mask_value
        cfg.update(num_bins=self.num_bins, salt=self.salt, mask_value=mask, output_mode=self.output_mode,
                   sparse=self.sparse)
        return cfg
