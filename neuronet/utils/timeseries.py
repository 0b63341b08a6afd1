"""timeseries_dataset_from_array: sliding windows over a series, as batches for ``fit``."""

from __future__ import annotations

import numpy as np

from .dataset_utils import Dataset

__all__ = ["timeseries_dataset_from_array"]


def _check_int(where: str, name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{where}: {name} must be an integer >= {low}, received {name}={value!r}")
    return int(value)


def timeseries_dataset_from_array(data, targets, sequence_length: int, sequence_stride: int = 1,
                                  sampling_rate: int = 1, batch_size: int | None = 128, shuffle: bool = False,
                                  seed=None, start_index: int | None = None, end_index: int | None = None,
                                  format: str = "tf") -> Dataset:  # noqa: A002 - Keras's argument name
    """Windows of a time series as a dataset of batches (Keras ``keras.utils.timeseries_dataset_from_array``).

    Window ``i`` starts at ``start_index + i·sequence_stride`` and holds ``sequence_length`` steps taken
    every ``sampling_rate`` steps: ``data[p], data[p + r], ..., data[p + (L-1)·r]``. Its target is
    ``targets[i·sequence_stride]`` (counted from ``start_index``), so to predict the value that follows a
    window pass ``targets = data[sequence_length:]``.

    Args:
        data: array-like of shape (timesteps, ...) — the steps.
        targets: the target of each window (indexed by the window's start), or None for inputs only.
        sequence_length: steps per window.
        sequence_stride: steps between two window starts. Defaults to 1.
        sampling_rate: steps between two steps of a window. Defaults to 1.
        batch_size: windows per batch; None yields single windows. Defaults to 128.
        shuffle: shuffle the windows (their start positions with ``np.random.RandomState(seed)`` as
            Keras, and anew after every epoch). Defaults to False.
        seed: the shuffling seed. Defaults to None.
        start_index, end_index: only use ``data[start_index:end_index]``. Defaults to the whole series.
        format: 'tf' (Keras's default, accepted) — a neuronet :class:`Dataset` is returned either way.

    Returns:
        A :class:`~neuronet.utils.Dataset` of batches ``(x, y)`` (or ``x`` when ``targets`` is None), x of
        shape ``(batch, sequence_length, ...)``; ``fit``/``evaluate``/``predict`` accept it.

    Example::

        ds = timeseries_dataset_from_array(np.arange(100), None, sequence_length=10, batch_size=4)
        next(iter(ds))[0]      # array([0, 1, ..., 9])
    """
    where = "timeseries_dataset_from_array"
    data = np.asarray(data.to_numpy() if hasattr(data, "to_numpy") else data)
    if data.ndim == 0:
        raise ValueError(f"{where}: data must have a time axis, received a scalar")
    n = len(data)
    if start_index:
        _check_int(where, "start_index", start_index, 0)
        if start_index >= n:
            raise ValueError(f"{where}: start_index must be lower than the length of the data ({n}), received "
                             f"start_index={start_index}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"{where}: end_index must be higher than start_index, received start_index="
                             f"{start_index}, end_index={end_index}")
        if end_index >= n or end_index <= 0:
            raise ValueError(f"{where}: end_index must be in (0, {n}), received end_index={end_index}")
    sequence_length = _check_int(where, "sequence_length", sequence_length, 1)
    sampling_rate = _check_int(where, "sampling_rate", sampling_rate, 1)
    sequence_stride = _check_int(where, "sequence_stride", sequence_stride, 1)
    if sampling_rate >= n:
        raise ValueError(f"{where}: sampling_rate must be lower than the length of the data ({n}), received "
                         f"sampling_rate={sampling_rate}")
    if sequence_stride >= n:
        raise ValueError(f"{where}: sequence_stride must be lower than the length of the data ({n}), received "
                         f"sequence_stride={sequence_stride}")
    if format not in ("tf", "grain"):
        raise ValueError(f"{where}: format should be 'tf' or 'grain', received format={format!r}")
    start = start_index or 0
    end = end_index or n
    num_seqs = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets.to_numpy() if hasattr(targets, "to_numpy") else targets)
        num_seqs = min(num_seqs, len(targets))
    if num_seqs <= 0:
        raise ValueError(f"{where}: the data ({end - start} steps) is too short for one window of sequence_length="
                         f"{sequence_length} with sampling_rate={sampling_rate}")
    positions = np.arange(0, num_seqs, sequence_stride)
    if shuffle:
        np.random.RandomState(np.random.randint(1e6) if seed is None else seed).shuffle(positions)
    window = np.arange(sequence_length) * sampling_rate
    series = data[start:end]
    target_part = None if targets is None else targets[start:end]

    def load(indices):
        starts = positions[indices]
        x = series[starts[:, None] + window[None, :]]
        return x if target_part is None else (x, target_part[starts])

    return Dataset(load, len(positions), batch_size, shuffle=shuffle, seed=seed)
