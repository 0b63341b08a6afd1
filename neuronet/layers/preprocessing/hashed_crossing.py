"""HashedCrossing: a feature cross of two (or more) categorical features, hashed into buckets."""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from .category_encoding import check_output_mode, encode_categorical
from .data_layer import PreprocessingLayer, to_array
from .hash_functions import fingerprint64, fingerprint_cat64

__all__ = ["HashedCrossing"]

_CROSS_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key of sparse.cross_hashed


def _feature_hashes(arr: np.ndarray, where: str) -> list:
    """Each value's 64-bit hash as ``tf.sparse.cross_hashed`` takes it: FarmHash ``Fingerprint64`` of a
    string's UTF-8 bytes, an integer's own two's-complement bits."""
    flat = arr.reshape(-1)
    if arr.dtype.kind in "iub":
        return [int(v) & 0xFFFFFFFFFFFFFFFF for v in flat.tolist()]
    if arr.dtype.kind in "USO":
        out = []
        for v in flat.tolist():
            if isinstance(v, bytes):
                out.append(fingerprint64(v))
            elif isinstance(v, str):
                out.append(fingerprint64(v.encode("utf-8")))
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                out.append(int(v) & 0xFFFFFFFFFFFFFFFF)
            else:
                raise ValueError(f"{where}: expected strings or integers, found {v!r}")
        return out
    if arr.dtype.kind == "f" and (not arr.size or np.all(arr == np.floor(arr))):
        return [int(v) & 0xFFFFFFFFFFFFFFFF for v in flat.astype(np.int64).tolist()]
    raise ValueError(f"{where}: all inputs should have an integer or string dtype, received {arr.dtype}")


class HashedCrossing(PreprocessingLayer):
    """Cross categorical features and hash the crosses into ``num_bins`` buckets (Keras ``HashedCrossing``).

    For each sample the bucket is ``FingerprintCat64(...FingerprintCat64(key, h(a)), h(b)...) mod
    num_bins`` with ``h`` the FarmHash fingerprint of a string or the integer itself — the formula of
    ``tf.sparse.cross_hashed`` — so the buckets equal Keras's.

    Args:
        num_bins: the number of buckets.
        output_mode: 'int' (bucket ids) or 'one_hot'. Defaults to 'int'.
        sparse: must be False.

    Call on a list of two or more arrays of equal shape ``()``, ``(batch,)`` or ``(batch, 1)``.

    Example::

        >>> layer = HashedCrossing(num_bins=5)
        >>> layer([np.array([1, 2, 1]), np.array(["A", "B", "A"])]).shape
        (3,)
    """

    _single_input = False  # called on a list of inputs

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name=None, dtype=None,
                 **kwargs):
        output_mode = check_output_mode("HashedCrossing", output_mode, ("int", "one_hot"))
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"HashedCrossing: num_bins must be a positive integer, received num_bins={num_bins!r}")
        if sparse:
            raise ValueError("HashedCrossing: sparse=True is not supported (neuronet has no sparse tensors)")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs):
        where = f"HashedCrossing '{self.name}'"
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{where}: should be called on a list or tuple of at least two inputs, received "
                             f"{type(inputs).__name__}")
        arrays = [to_array(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"{where}: all inputs should have shape (), (batch_size,) or (batch_size, 1), received "
                             f"shape {shape}")
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError(f"{where}: all inputs should have equal shape, received {[a.shape for a in arrays]}")
        hashes = [_feature_hashes(a, where) for a in arrays]
        crossed = []
        for values in zip(*hashes):
            h = _CROSS_HASH_KEY
            for v in values:
                h = fingerprint_cat64(h, v)
            crossed.append(h % self.num_bins)
        ids = np.asarray(crossed, dtype=np.int64).reshape(shape)
        dtype = self.dtype
        return Tensor._wrap(encode_categorical(ids, self.output_mode, self.num_bins, dtype, where=where))

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"HashedCrossing: expected as input a list of at least 2 tensors, received input_shape="
                             f"{input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            return first[:-1] + (self.num_bins,)
        return first + (self.num_bins,)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(num_bins=self.num_bins, output_mode=self.output_mode, sparse=self.sparse)
        return cfg
