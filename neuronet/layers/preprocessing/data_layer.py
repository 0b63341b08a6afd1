"""What every preprocessing layer shares: turning raw inputs into arrays, and walking ``adapt()`` data.

Preprocessing layers see raw data: NumPy arrays of numbers or of strings (``str`` or ``object``
dtype), Python lists of strings, pandas DataFrames/Series, and, for ``adapt()``, generators and
PyDatasets of batches. The helpers here give each layer plain ndarrays, so a layer's ``call`` and
``adapt`` are NumPy code.
"""

from __future__ import annotations

import numpy as np

from ...autograd import Tensor
from ..base import Layer

__all__ = ["PreprocessingLayer", "to_array", "to_string_array", "adapt_batches"]


def to_array(x) -> np.ndarray:
    """``x`` as an ndarray: Tensors give their data, DataFrames/Series their ``to_numpy()``, lists and
    scalars go through ``np.asarray``."""
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "to_numpy"):
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def to_string_array(x, where: str, encoding: str = "utf-8") -> np.ndarray:
    """``x`` as an object array of Python ``str``: bytes are decoded with ``encoding``; anything that is
    not text (numbers, None) is refused with a ValueError naming ``where``."""
    arr = to_array(x)
    if arr.dtype.kind == "U":
        return arr.astype(object)
    if arr.dtype.kind == "S":
        return np.char.decode(arr, encoding).astype(object)
    if arr.dtype.kind == "O":
        out = np.empty(arr.shape, dtype=object)
        flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
        for i, v in enumerate(flat_in):
            if isinstance(v, bytes):
                flat_out[i] = v.decode(encoding)
            elif isinstance(v, str):
                flat_out[i] = v
            else:
                raise ValueError(f"{where}: expected strings, found {v!r} of type {type(v).__name__} at flat index {i}")
        return out
    raise ValueError(f"{where}: expected string data (str or bytes), received an array of dtype {arr.dtype}")


def _is_batch_source(data) -> bool:
    """PyDatasets (``__len__`` + ``__getitem__``, not an array) and generators/iterators yield batches."""
    if isinstance(data, (np.ndarray, Tensor, list, tuple, str, bytes, dict)) or hasattr(data, "to_numpy"):
        return False
    return hasattr(data, "__iter__") or (hasattr(data, "__getitem__") and hasattr(data, "__len__"))


def _batch_x(batch):
    """The inputs of a batch: a PyDataset or generator may yield ``(x, y)`` or ``(x, y, sample_weight)``."""
    return batch[0] if isinstance(batch, tuple) else batch


def adapt_batches(data, steps: int | None, where: str, list_is_batches: bool = False):
    """Yield the ndarray batches of ``data`` for ``adapt()``.

    ``data`` may be an array, a Tensor, a pandas DataFrame/Series or a list (one batch: the whole data),
    a list of arrays when ``list_is_batches`` (each one batch, as Keras's Normalization), a PyDataset
    (its batches in order) or a generator/iterable of batches; a batch given as ``(x, y[, w])`` gives x.
    ``steps`` caps the number of batches of a PyDataset or generator.
    """
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
        raise ValueError(f"{where}: expected steps to be a positive integer or None, received steps={steps!r}")
    if data is None:
        raise ValueError(f"{where}: received data=None; pass an array, a DataFrame, a PyDataset or a generator")
    if list_is_batches and isinstance(data, list) and data and all(hasattr(d, "shape") for d in data):
        yield from (to_array(_batch_x(d)) for d in (data if steps is None else data[:steps]))
        return
    if not _is_batch_source(data):
        yield to_array(data)
        return
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and not hasattr(data, "__next__"):
        count = len(data) if steps is None else min(int(steps), len(data))
        for i in range(count):
            yield to_array(_batch_x(data[i]))
        return
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield to_array(_batch_x(batch))


class PreprocessingLayer(Layer):
    """Base of the preprocessing layers: built from shapes, called on raw arrays, never trained by ``fit``.

    Subclasses implement ``call`` on ndarrays (``self._input(inputs)`` gives one) and
    ``compute_output_shape``; layers with state learned from data implement ``adapt``.
    """

    _single_input = True  # a Python list given to the layer is one input (e.g. a list of strings)

    def __call__(self, inputs, *args, **kwargs):
        if self._single_input and isinstance(inputs, (list, tuple)) and not any(
                isinstance(v, (np.ndarray, Tensor)) or hasattr(v, "to_numpy") or hasattr(v, "_keras_history")
                for v in inputs):
            inputs = np.asarray(inputs)  # Keras's data layers take lists of values, not lists of inputs
        return super().__call__(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    @property
    def is_adapted(self) -> bool:
        """Whether the layer has state (statistics or a vocabulary) to use."""
        return True
