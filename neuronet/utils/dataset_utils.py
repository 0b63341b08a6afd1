"""Dataset: the iterable of batches that neuronet's data helpers return where Keras returns a
``tf.data.Dataset``; and ``split_dataset``.

A :class:`Dataset` is a :class:`~neuronet.utils.PyDataset` (``len(ds)`` batches, ``ds[i]`` the i-th), so
``fit``, ``evaluate`` and ``predict`` take it directly, and it has the ``tf.data`` methods tutorials
call on these datasets: ``take``, ``skip``, ``map``, ``batch``, ``unbatch``, ``shuffle``, ``cache``,
``prefetch`` (a no-op), ``as_numpy_iterator``, ``cardinality``. Elements are built on demand from an
indexable source (arrays in memory, files on disk), one batch at a time.

Each element is what Keras's dataset yields: a tuple ``(x, y)`` (or ``(x, y, sample_weight)``), or ``x``
alone, as NumPy arrays.
"""

from __future__ import annotations

import math
import random as _py_random

import numpy as np

from .data import PyDataset

__all__ = ["Dataset", "split_dataset"]


def _stack(samples: list):
    """One batch from a list of samples: arrays stacked, tuples stacked field by field."""
    first = samples[0]
    if isinstance(first, tuple):
        return tuple(_stack([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([s[k] for s in samples]) for k in first}
    if isinstance(first, str):
        out = np.empty(len(samples), dtype=object)
        out[:] = samples
        return out
    return np.stack([np.asarray(s) for s in samples])


def _index(batch, i: int):
    """Sample ``i`` of a batch (a tuple of arrays, a dict of arrays or an array)."""
    if isinstance(batch, tuple):
        return tuple(_index(b, i) for b in batch)
    if isinstance(batch, dict):
        return {k: _index(v, i) for k, v in batch.items()}
    return batch[i]


def _batch_len(batch) -> int:
    if isinstance(batch, tuple):
        return _batch_len(batch[0])
    if isinstance(batch, dict):
        return _batch_len(next(iter(batch.values())))
    return len(batch)


class Dataset(PyDataset):
    """Batches built on demand from ``load(indices)``, in the style of ``tf.data.Dataset``.

    Args:
        load: ``load(indices)`` returns the batch of the samples at ``indices`` (an int array): a tuple
            ``(x, y)``, or ``x``.
        num_samples: how many samples the source holds.
        batch_size: samples per batch; None makes every element one sample (an un-batched dataset).
        shuffle: draw a new sample order after every epoch (``on_epoch_end``). Defaults to False.
        seed: the seed of those orders. Defaults to None.
        order: the sample order of the first epoch. Defaults to ``range(num_samples)``.

    Attributes:
        class_names, file_paths: set by the directory loaders, as on Keras's datasets.

    Example::

        ds = neuronet.utils.timeseries_dataset_from_array(series, targets, sequence_length=10, batch_size=32)
        for x_batch, y_batch in ds.take(1):
            print(x_batch.shape)       # (32, 10, features)
        model.fit(ds, epochs=5)
    """

    def __init__(self, load, num_samples: int, batch_size: int | None = 32, shuffle: bool = False, seed=None,
                 order=None):
        super().__init__()
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                       or batch_size < 1):
            raise ValueError(f"Dataset: expected batch_size to be a positive integer or None, received {batch_size!r}")
        self._load = load
        self.num_samples = int(num_samples)
        self.batch_size = None if batch_size is None else int(batch_size)
        self._shuffle = bool(shuffle)
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(self.num_samples) if order is None else np.asarray(order, dtype=np.int64)
        self.class_names = None
        self.file_paths = None

    # ------------------------------------------------------------------ the PyDataset contract
    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index: int):
        n = len(self)
        if isinstance(index, (np.integer, int)) and not isinstance(index, bool):
            if index < 0:
                index += n
            if not 0 <= index < n:
                raise IndexError(f"Dataset: batch index {index} out of range for {n} batches")
        else:
            raise TypeError(f"Dataset: expected an integer batch index, received {index!r}")
        if self.batch_size is None:
            return _index(self._load(self._order[index:index + 1]), 0)
        return self._load(self._order[index * self.batch_size:(index + 1) * self.batch_size])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def on_epoch_end(self) -> None:
        """Draw a new sample order when the dataset shuffles (tf.data reshuffles every epoch)."""
        if self._shuffle:
            self._order = self._rng.permutation(self._order)

    def __repr__(self) -> str:
        unit = "elements" if self.batch_size is None else f"batches of {self.batch_size}"
        return f"<Dataset: {len(self)} {unit}, {self.num_samples} samples>"

    # ------------------------------------------------------------------ tf.data-style methods
    def _derived(self, load, num_samples: int, batch_size, order=None) -> Dataset:
        ds = Dataset(load, num_samples, batch_size, self._shuffle, None, order)
        ds._rng = self._rng
        ds.class_names, ds.file_paths = self.class_names, self.file_paths
        return ds

    def _sample_indices(self, first_batch: int, count: int | None) -> np.ndarray:
        size = self.batch_size or 1
        stop = None if count is None else (first_batch + count) * size
        return self._order[first_batch * size:stop]

    def take(self, count: int) -> Dataset:
        """The first ``count`` elements (batches); -1 or more than there are: all."""
        count = len(self) if count is None or count < 0 else min(int(count), len(self))
        return self._derived(self._load, len(self._sample_indices(0, count)), self.batch_size,
                             self._sample_indices(0, count))

    def skip(self, count: int) -> Dataset:
        """All but the first ``count`` elements (batches)."""
        count = min(max(int(count), 0), len(self))
        rest = self._sample_indices(count, None)
        return self._derived(self._load, len(rest), self.batch_size, rest)

    def map(self, fn, num_parallel_calls=None) -> Dataset:
        """Apply ``fn`` to every element (a batch, or a sample when un-batched); a tuple element is
        passed as separate arguments, as ``tf.data``."""
        load, batched = self._load, self.batch_size is not None

        def mapped(indices):
            if batched:
                batch = load(indices)
                return fn(*batch) if isinstance(batch, tuple) else fn(batch)
            samples = []
            for i in indices:
                s = _index(load(np.array([i])), 0)
                samples.append(fn(*s) if isinstance(s, tuple) else fn(s))
            return _stack(samples)

        return self._derived(mapped, self.num_samples, self.batch_size, self._order)

    def unbatch(self) -> Dataset:
        """Elements of one sample each."""
        return self._derived(self._load, self.num_samples, None, self._order)

    def batch(self, batch_size: int, drop_remainder: bool = False) -> Dataset:
        """Group the samples into batches of ``batch_size`` (the last one smaller unless dropped)."""
        if self.batch_size is not None:
            raise ValueError("Dataset.batch: the dataset is already batched; call unbatch() first")
        order = self._order
        if drop_remainder:
            order = order[:len(order) - len(order) % int(batch_size)]
        return self._derived(self._load, len(order), int(batch_size), order)

    def shuffle(self, buffer_size: int = 1024, seed=None, reshuffle_each_iteration: bool = True) -> Dataset:
        """The elements in a random order (a full shuffle, whatever ``buffer_size``), redrawn every epoch."""
        rng = np.random.default_rng(seed)
        out = self._derived(self._load, self.num_samples, self.batch_size, rng.permutation(self._order))
        out._shuffle, out._rng = bool(reshuffle_each_iteration), rng
        return out

    def prefetch(self, buffer_size=None) -> Dataset:
        """Accepted for tf.data scripts; elements are built when asked for."""
        return self

    def cache(self, filename: str = "") -> Dataset:
        """Keep every sample in memory after it is first built."""
        load, memory = self._load, {}

        def cached(indices):
            missing = [int(i) for i in indices if int(i) not in memory]
            if missing:
                batch = load(np.asarray(missing))
                for j, i in enumerate(missing):
                    memory[i] = _index(batch, j)
            return _stack([memory[int(i)] for i in indices])

        return self._derived(cached, self.num_samples, self.batch_size, self._order)

    def repeat(self, count=None) -> Dataset:
        """Accepted for tf.data scripts: ``fit`` already walks the dataset once per epoch."""
        return self

    def as_numpy_iterator(self):
        """Iterate over the elements (they already are NumPy arrays)."""
        return iter(self)

    def cardinality(self) -> int:
        """The number of elements (batches)."""
        return len(self)


# ----------------------------------------------------------------------------- split_dataset
def _samples_of(dataset, where: str) -> tuple:
    """``(samples, kind)``: a list of samples and how to give them back ('tuple', 'array', 'dataset')."""
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError(f"{where}: received an empty {type(dataset).__name__}; pass arrays of the same length")
        arrays = [np.asarray(a) if not isinstance(a, np.ndarray) else a for a in dataset]
        if any(a.ndim == 0 for a in arrays) or len({len(a) for a in arrays}) != 1:
            raise ValueError(f"{where}: expected arrays of the same length, received lengths "
                             f"{[len(a) if a.ndim else 0 for a in arrays]}")
        return [tuple(a[i] for a in arrays) for i in range(len(arrays[0]))], "tuple"
    if isinstance(dataset, np.ndarray) or hasattr(dataset, "to_numpy"):
        array = np.asarray(dataset.to_numpy() if hasattr(dataset, "to_numpy") else dataset)
        return [array[i] for i in range(len(array))], "array"
    if isinstance(dataset, Dataset):
        samples = []
        for element in dataset:
            if dataset.batch_size is None:
                samples.append(element)
            else:
                samples.extend(_index(element, i) for i in range(_batch_len(element)))
        return samples, "dataset"
    if hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):  # a PyDataset of batches
        samples = []
        for b in range(len(dataset)):
            batch = dataset[b]
            samples.extend(_index(batch, i) for i in range(_batch_len(batch)))
        return samples, "dataset"
    raise TypeError(f"{where}: the dataset must be a list/tuple of arrays, an array or a Dataset, received "
                    f"{type(dataset).__name__}")


def _split_sizes(left, right, total: int, where: str) -> tuple:
    for name, value in (("left_size", left), ("right_size", right)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.integer))):
            raise TypeError(f"{where}: {name} must be an int, a float or None, received {value!r}")
    if left is None and right is None:
        raise ValueError(f"{where}: at least one of left_size or right_size must be given")

    def absolute(value, name):
        if value is None:
            return None
        if isinstance(value, float):
            if not 0 < value < 1:
                raise ValueError(f"{where}: a float {name} must be in (0, 1), received {name}={value}")
            return round(value * total)
        if not 0 < value < total:
            raise ValueError(f"{where}: an integer {name} must be in (0, {total}), received {name}={value}")
        return int(value)

    lsize, rsize = absolute(left, "left_size"), absolute(right, "right_size")
    if isinstance(left, float) and isinstance(right, float) and left + right > 1:
        raise ValueError(f"{where}: left_size + right_size must be at most 1, received {left} + {right}")
    lsize = total - rsize if lsize is None else lsize
    rsize = total - lsize if rsize is None else rsize
    if lsize + rsize > total:
        raise ValueError(f"{where}: left_size + right_size = {lsize + rsize} is more than the {total} samples")
    if lsize <= 0 or rsize <= 0:
        raise ValueError(f"{where}: with {total} samples, left_size={left} and right_size={right} leave one side empty")
    return lsize, rsize


def _from_samples(samples: list, batch_size) -> Dataset:
    def load(indices):
        return _stack([samples[int(i)] for i in indices])
    return Dataset(load, len(samples), batch_size)


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False, seed=None,
                  preferred_backend=None) -> tuple:
    """Split a dataset into a left and a right part (Keras ``keras.utils.split_dataset``).

    Args:
        dataset: a list or tuple of arrays of the same length (a sample is one row of each), an array,
            or a :class:`Dataset` / PyDataset (its batches are split into samples).
        left_size: the left part's size: a float in (0, 1) (a fraction, rounded) or an int (samples).
            Defaults to None (what the right part leaves).
        right_size: likewise for the right part (taken from the end). Defaults to None.
        shuffle: shuffle the samples first (Python's ``random.Random(seed)``, Keras's order). Defaults
            to False.
        seed: the shuffling seed. Defaults to None.
        preferred_backend: accepted for Keras compatibility.

    Returns:
        ``(left, right)``: two :class:`Dataset` objects whose elements are single samples (tuples for a
        tuple/list input), as Keras's ``from_tensor_slices`` datasets; a batched input gives batched
        parts of the same batch size. Call ``.batch(n)`` on un-batched parts before ``fit``.
    """
    where = "split_dataset"
    samples, kind = _samples_of(dataset, where)
    if not samples:
        raise ValueError(f"{where}: received an empty dataset")
    if shuffle:
        samples = list(samples)
        _py_random.Random(_py_random.randint(0, int(1e6)) if seed is None else seed).shuffle(samples)
    lsize, rsize = _split_sizes(left_size, right_size, len(samples), where)
    batch_size = getattr(dataset, "batch_size", None) if kind == "dataset" else None
    return _from_samples(samples[:lsize], batch_size), _from_samples(samples[-rsize:], batch_size)
