"""Data adapters: what ``fit``/``evaluate``/``predict`` receive, turned into checked batches.

One adapter per kind of data, as Keras (``keras/src/trainers/data_adapters``):

* :class:`ArrayDataAdapter` — arrays, nested lists, Tensors, pandas DataFrames/Series in memory;
* :class:`GeneratorDataAdapter` — a Python generator or iterator of ``(x, y[, sample_weight])``;
* :class:`PyDatasetAdapter` — a :class:`neuronet.utils.PyDataset`;
* :class:`ShardedDataAdapter` — one process's share of another adapter's batches (data-parallel training).

Each owns conversion, the checks (one-line errors naming the method and the argument), class
weights, shuffling, the validation split (arrays) and batching. The trainer (``models/training.py``)
describes its model with a :class:`DataSpec` and one :class:`TargetSpec` per output, builds the model
on ``first_inputs()`` and keeps the epochs, the step and the callbacks. See ``data_adapter.py`` for the
life of an adapter.
"""

from __future__ import annotations

import numpy as np

from .array_data_adapter import ArrayDataAdapter
from .data_adapter import BatchSourceAdapter, DataAdapter, DataSpec, TargetSpec
from .generator_data_adapter import GeneratorDataAdapter
from .py_dataset_adapter import PyDatasetAdapter
from .sharded_data_adapter import ShardedDataAdapter, shard_for_replica

__all__ = ["get_data_adapter", "is_batch_source", "DataAdapter", "BatchSourceAdapter", "DataSpec", "TargetSpec",
           "ArrayDataAdapter", "GeneratorDataAdapter", "PyDatasetAdapter", "ShardedDataAdapter", "shard_for_replica"]


def get_data_adapter(x, y=None, sample_weight=None, class_weight=None, *, spec: DataSpec, batch_size: int = 32,
                     shuffle: bool = False, steps: int | None = None, validation_split: float = 0.0) -> DataAdapter:
    """The adapter for ``x``'s kind, its inputs already converted and checked.

    Args:
        x, y, sample_weight, class_weight: as given to ``fit`` (``y`` and ``sample_weight`` must be None
            when ``x`` yields whole batches).
        spec: what the model expects (:class:`DataSpec`).
        batch_size: samples per batch of in-memory data. Defaults to 32.
        shuffle: reshuffle in-memory data every epoch. Defaults to False.
        steps: batches per epoch. Defaults to the whole data (arrays, PyDataset) or until a generator ends.
        validation_split: fraction of in-memory data held out for validation. Defaults to 0.

    Raises:
        ValueError: for arguments that do not fit the kind of data, and for any bad input.
    """
    if not is_batch_source(x):
        return ArrayDataAdapter(x, y, sample_weight, class_weight, spec=spec, batch_size=batch_size,
                                shuffle=shuffle, steps=steps, validation_split=validation_split)
    where = spec.where
    if y is not None:
        raise ValueError(f"{where}: y must be None when x is a generator or PyDataset (it yields (x, y))")
    if sample_weight is not None:
        raise ValueError(f"{where}: sample_weight must be None when x is a generator or PyDataset (it yields "
                         "(x, y, sample_weight))")
    if validation_split:
        raise ValueError(f"{where}: validation_split is not supported with a generator or PyDataset; "
                         "pass validation_data")
    if hasattr(x, "__getitem__") and hasattr(x, "__len__"):
        return PyDatasetAdapter(x, spec=spec, steps=steps, class_weight=class_weight)
    return GeneratorDataAdapter(x, spec=spec, steps=steps, class_weight=class_weight)


def is_batch_source(x) -> bool:
    """True for PyDatasets, generators and other iterables of batches (not arrays, lists, DataFrames)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "to_numpy"):
        return False
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # Tensor or array-like
        return False
    return (hasattr(x, "__getitem__") and hasattr(x, "__len__")) or hasattr(x, "__next__") or hasattr(x, "__iter__")
