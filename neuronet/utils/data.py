"""Data helpers: one-hot labels, normalization, PyDataset, the validation split.

What ``fit`` does with the data it receives (conversion, checks, batching) is the work of the data
adapters in ``neuronet/models/data_adapters/``. pandas is never imported: anything with a
``to_numpy()`` method is converted through it.
"""

from __future__ import annotations

import math

import numpy as np

from .. import config

__all__ = ["to_categorical", "normalize", "PyDataset", "Sequence", "split_train_validation"]


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """Integer class labels → one-hot rows (Keras ``to_categorical``).

    Args:
        x: array-like of integer labels in ``[0, num_classes)``, any shape (a trailing axis of size 1
            is dropped).
        num_classes: number of classes. Defaults to ``max(x) + 1``.

    Returns:
        A float array of shape ``x.shape + (num_classes,)`` in ``config.floatx()``.

    Example::

        >>> to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    x = np.asarray(to_numpy(x, "to_categorical: x"))
    if x.size and (not np.all(np.isfinite(x)) or not np.all(np.equal(np.mod(x, 1), 0))):
        raise ValueError("to_categorical: expected integer labels, received non-integer values")
    x = x.astype(np.int64)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, received {int(x.min())}")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    num_classes = int(num_classes)
    if x.size and x.max() >= num_classes:
        raise ValueError(f"to_categorical: label {int(x.max())} is out of range for num_classes={num_classes} "
                         f"(valid labels 0..{num_classes - 1})")
    out = np.zeros(x.shape + (num_classes,), dtype=config.floatx())
    np.put_along_axis(out, x[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors stay zero).

    Args:
        x: array-like.
        axis: axis along which to normalize. Defaults to -1.
        order: norm order (2 for Euclidean). Defaults to 2.
    """
    x = np.asarray(to_numpy(x, "normalize: x"))
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(config.floatx())
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm).astype(x.dtype)


class PyDataset:
    """Base class for datasets that produce whole batches (Keras ``keras.utils.PyDataset``).

    Subclass it and implement ``__len__`` (batches per epoch) and ``__getitem__(index)`` returning
    ``(x, y)`` or ``(x, y, sample_weight)`` for batch ``index``; optionally ``on_epoch_end`` (called
    after each epoch, e.g. to reshuffle). ``fit`` walks the batches in order (shuffle by yourself in
    ``on_epoch_end``).

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for Keras compatibility; batches are
            loaded in the training thread.

    Example::

        class Batches(PyDataset):
            def __init__(self, x, y, batch_size=32, **kwargs):
                super().__init__(**kwargs)
                self.x, self.y, self.batch_size = x, y, batch_size

            def __len__(self):
                return math.ceil(len(self.x) / self.batch_size)

            def __getitem__(self, i):
                s = slice(i * self.batch_size, (i + 1) * self.batch_size)
                return self.x[s], self.y[s]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (the number of batches)")

    def __getitem__(self, index: int):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__ (one batch)")

    def on_epoch_end(self) -> None:
        """Called after every epoch; override to reshuffle."""

    @property
    def num_batches(self) -> int:
        return len(self)


Sequence = PyDataset  # the Keras 2 name


# --------------------------------------------------------------------------- conversion
def to_numpy(value, what: str = "the data") -> np.ndarray:
    """``value`` as an ndarray: Tensors give their data, DataFrames/Series their ``to_numpy()``.

    Raises:
        ValueError: for a ragged nested list (rows of different lengths), naming ``what`` and the
            first row whose shape differs from row 0.
    """
    if value is None or isinstance(value, np.ndarray):
        return value
    data = getattr(value, "data", None)
    if isinstance(data, np.ndarray) and hasattr(value, "requires_grad"):  # a neuronet Tensor
        return data
    try:
        return np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value)
    except ValueError as err:
        if "inhomogeneous" not in str(err):
            raise
        raise ValueError(f"{what} is ragged: {_ragged_rows(value)}; pass the same shape for every sample (pad "
                         "sequences with neuronet.utils.pad_sequences)") from None


def _ragged_rows(value) -> str:
    """'row 0 has shape (3,) but row 1 has shape (2,)' for the first row unlike row 0."""
    def shape(row):
        try:
            return np.shape(row)
        except ValueError:
            return "ragged"

    first = shape(value[0])
    for i, row in enumerate(value):
        if shape(row) != first:
            return f"row 0 has shape {first} but row {i} has shape {shape(row)}"
    return "its rows have different shapes"


def split_train_validation(arrays, validation_split: float):
    """Split each array into (train, validation) parts, the validation part being the LAST
    ``validation_split`` fraction of the samples, taken before any shuffling (as Keras).

    Args:
        arrays: a list of arrays (or None entries, passed through) with the same first dimension.
        validation_split: the fraction in (0, 1).

    Returns:
        ``(train_arrays, validation_arrays)``, each a list in the order of ``arrays``.
    """
    validation_split = float(validation_split)
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), received {validation_split}")
    n = next(len(next(x for x in a if x is not None)) if isinstance(a, list) else len(a)
             for a in arrays if a is not None)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"validation_split={validation_split} leaves no data on one side of the split of {n} "
                         "samples; use a larger dataset or another split")

    def cut(a, part):
        if a is None:
            return None
        if isinstance(a, list):
            return [cut(x, part) for x in a]
        return a[:split_at] if part == 0 else a[split_at:]

    return [cut(a, 0) for a in arrays], [cut(a, 1) for a in arrays]
