"""Data helpers: one-hot labels, normalization, PyDataset, and the adapters that turn what users pass
to ``fit`` (ndarrays, lists, pandas DataFrames/Series, generators, PyDatasets) into batches.

pandas is never imported: anything with a ``to_numpy()`` method is converted through it.
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
    x = np.asarray(_to_numpy(x))
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
    x = np.asarray(_to_numpy(x))
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


# --------------------------------------------------------------------------- conversion and checks
def _to_numpy(x):
    """ndarray of ``x``: Tensors give their data, DataFrames/Series their ``to_numpy()``."""
    if x is None or isinstance(x, np.ndarray):
        return x
    data = getattr(x, "data", None)
    if isinstance(data, np.ndarray) and hasattr(x, "requires_grad"):  # a neuronet Tensor
        return data
    if hasattr(x, "to_numpy"):
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def check_finite(array: np.ndarray, what: str) -> None:
    """Raise a ValueError naming the first row and column holding NaN or Inf."""
    if not np.issubdtype(array.dtype, np.floating) or array.size == 0:
        return
    if np.isfinite(array).all():  # a single pass in the common case
        return
    flat = array.reshape(len(array), -1)
    row, col = (int(i) for i in np.argwhere(~np.isfinite(flat))[0])
    value = flat[row, col]
    where = f"row {row}, column {col}" if array.ndim > 1 else f"row {row}"
    raise ValueError(f"{what} contains {value} at {where}; remove or impute non-finite values before training")


def as_float_array(x, what: str, dtype: str) -> np.ndarray:
    """``x`` as an ndarray; floats (and ints/bools) cast to ``dtype``; objects/strings rejected."""
    arr = _to_numpy(x)
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"{what}: expected numeric data, received an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{what}: expected an array with a batch axis, received a scalar")
    if arr.dtype.kind in "fiub" and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


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


# --------------------------------------------------------------------------- adapters
class ArrayAdapter:
    """Batches of in-memory arrays. ``x`` is an array or a list of arrays (one per model input).

    Index arrays are built once per epoch: with ``shuffle`` the data are gathered once in the new
    order, and every batch is then a contiguous slice (a view, no copy).
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size: int = 32, shuffle: bool = False,
                 steps: int | None = None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        first = x[0] if isinstance(x, list) else x
        self.num_samples = len(first)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.steps = int(math.ceil(self.num_samples / self.batch_size)) if steps is None else int(steps)
        self._bounds = [(i * self.batch_size, min((i + 1) * self.batch_size, self.num_samples))
                        for i in range(int(math.ceil(self.num_samples / self.batch_size)))]

    def _take(self, a, index):
        if a is None:
            return None
        if isinstance(a, list):  # one array per model input or output (None for an output without a loss)
            return [None if x is None else x[index] for x in a]
        return a[index]

    def epoch(self):
        """Yield ``(x, y, sample_weight)`` batches for one epoch."""
        x, y, sw = self.x, self.y, self.sample_weight
        if self.shuffle:
            perm = config.rng().permutation(self.num_samples)
            x, y, sw = self._take(x, perm), self._take(y, perm), self._take(sw, perm)
        multi_x, multi_y = isinstance(x, list), isinstance(y, list)
        bounds = self._bounds
        for step in range(self.steps):
            start, stop = bounds[step % len(bounds)]
            xb = [a[start:stop] for a in x] if multi_x else x[start:stop]
            if multi_y:
                yb = [None if a is None else a[start:stop] for a in y]
            else:
                yb = None if y is None else y[start:stop]
            yield xb, yb, None if sw is None else sw[start:stop]

    def on_epoch_end(self) -> None:
        pass


class IteratorAdapter:
    """Batches from a PyDataset (``__len__``/``__getitem__``) or a Python generator/iterable of
    ``(x, y[, sample_weight])`` tuples. ``convert`` turns each raw batch into checked arrays."""

    def __init__(self, source, steps: int | None, convert):
        self.source = source
        self.convert = convert
        self.is_dataset = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if self.is_dataset:
            self.steps = int(steps) if steps is not None else len(source)
            self._iterator = None
        else:
            self.steps = None if steps is None else int(steps)
            self._iterator = iter(source)
        self.num_samples = None

    def epoch(self):
        if self.is_dataset:
            n = len(self.source)
            for i in range(self.steps):
                yield self.convert(self.source[i % n])
            return
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = next(self._iterator)
            except StopIteration:
                if count == 0:
                    raise ValueError("fit: the generator is exhausted; give steps_per_epoch with an endless "
                                     "generator, or pass a PyDataset") from None
                return
            count += 1
            yield self.convert(batch)

    def on_epoch_end(self) -> None:
        if self.is_dataset and hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()


def is_batch_source(x) -> bool:
    """True for PyDatasets, generators and other iterables of batches (not arrays, lists, DataFrames)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "to_numpy"):
        return False
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # Tensor or array-like
        return False
    return (hasattr(x, "__getitem__") and hasattr(x, "__len__")) or hasattr(x, "__next__") or hasattr(x, "__iter__")
