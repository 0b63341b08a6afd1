"""Targets and weights as the losses take them: ``y`` per output, ``sample_weight``, ``class_weight``.

Each function checks one thing the user passes against what the built model's outputs need (a
:class:`~neuronet.models.data_adapters.TargetSpec` per output) and raises a one-line error naming
the method, the argument, the expected and the received value.
"""

from __future__ import annotations

import numbers

import numpy as np

from .inputs import check_finite, to_numpy

__all__ = ["standardize_targets", "prepare_target", "sample_weights", "check_class_weight", "class_weights"]


def standardize_targets(y, n: int, spec, targets: list):
    """``y`` checked and converted for every output: one array for a one-output model, else a list
    (None for an output without a loss).

    Args:
        y: the targets: an array for one output; a list (one per output) or a dict keyed by output
            name for several.
        n: the number of samples of ``x``.
        spec: the model's :class:`DataSpec` (its ``where``, ``dtype`` and ``output_names``).
        targets: one :class:`TargetSpec` per output, None for an output without a loss.
    """
    where = spec.where
    if len(targets) == 1:
        return prepare_target(targets[0], y, n, where, "y", spec.dtype)
    names = list(spec.output_names)
    if isinstance(y, dict):
        unknown = [k for k in y if k not in names]
        if unknown:
            raise ValueError(f"{where}: y has keys {unknown} that are not output names; outputs: {names}")
        ys = [y.get(name) for name in names]
    elif isinstance(y, (list, tuple)) and len(y) == len(targets):
        ys = list(y)
    else:
        raise ValueError(f"{where}: this model has {len(targets)} outputs {names}; pass y as a list of "
                         f"{len(targets)} arrays or a dict keyed by output name")
    return [prepare_target(t, yi, n, where, f"y[{name!r}]", spec.dtype) if t is not None else None
            for t, yi, name in zip(targets, ys, names)]


def prepare_target(target, y, n: int, where: str, label: str, dtype: str) -> np.ndarray:
    """The targets of one output: integer labels for a sparse cross-entropy, ``dtype`` floats otherwise.

    ``(n,)`` targets for an ``(n, 1)`` output gain the trailing axis; a sparse cross-entropy takes one
    label per output row (``(n,)`` for ``(n, classes)``, ``(n, time)`` for ``(n, time, classes)``).
    """
    if y is None:
        raise ValueError(f"{where}: {label} is None; pass the targets (labels) for the loss")
    arr = to_numpy(y, f"{where}: {label}")
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"{where}: expected numeric targets {label}, received an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{where}: expected {label} with one entry per sample, received a scalar")
    if len(arr) != n:
        raise ValueError(f"{where}: x and {label} have different numbers of samples: x has {n}, {label} has "
                         f"{len(arr)}")
    check_finite(arr, f"{where}: {label}")
    units, out_shape = target.units, target.output_shape
    if target.kind == "sparse":
        return _sparse_labels(target, arr, where, label)
    arr = arr.astype(dtype) if arr.dtype != dtype else arr
    if target.kind == "categorical" and units is not None:
        if arr.ndim == 1 or arr.shape[-1] != units:
            width = 1 if arr.ndim == 1 else arr.shape[-1]
            raise ValueError(
                f"{where}: categorical_crossentropy expects one-hot targets of width {units} (the output "
                f"units), received {label} of shape {arr.shape} (width {width}). Use "
                f"to_categorical(y, {units}) or loss='sparse_categorical_crossentropy' for integer labels"
            )
    if out_shape is not None and arr.ndim == len(out_shape) - 1 and out_shape[-1] == 1:
        arr = arr[..., None]  # (n,) targets for an (n, 1) output, (n, time) for (n, time, 1)
    return arr


def _sparse_labels(target, arr: np.ndarray, where: str, label: str) -> np.ndarray:
    """One integer label per output row, in range for the output's units (``ignore_class`` excepted)."""
    units, out_shape = target.units, target.output_shape
    # (n,) for an output (n, classes), (n, time) for a sequence output (n, time, classes); a trailing 1 is dropped
    rank = len(out_shape) - 1 if out_shape is not None else max(arr.ndim - (arr.shape[-1] == 1), 1)
    if arr.ndim == rank + 1 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != rank or (out_shape is not None and any(
            d is not None and d != g for d, g in zip(out_shape[1:-1], arr.shape[1:]))):
        want = "(n,)" if rank == 1 else "(n, " + ", ".join(str(d) for d in out_shape[1:-1]) + ")"
        raise ValueError(
            f"{where}: sparse_categorical_crossentropy expects integer labels of shape {want} (one per "
            f"output row), received {label} of shape {arr.shape}; for one-hot labels use "
            "categorical_crossentropy"
        )
    if arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
        raise ValueError(f"{where}: sparse_categorical_crossentropy expects integer class labels, "
                         f"received non-integer values in {label}")
    labels = arr.astype(np.int64)
    ignore = target.ignore_class
    kept = labels if ignore is None else labels[labels != ignore]
    if units is not None and kept.size and (kept.min() < 0 or kept.max() >= units):
        bad = int(kept.min()) if kept.min() < 0 else int(kept.max())
        row = int(np.argwhere(labels == bad)[0][0])
        raise ValueError(f"{where}: label {bad} (row {row}) is out of range for an output of {units} "
                         f"units; labels must be in [0, {units - 1}]")
    return labels


def sample_weights(sample_weight, class_weight, y, n: int, where: str, dtype: str, target=None):
    """The weight of each sample's loss: ``sample_weight`` times the weight of its class, or None.

    Args:
        sample_weight: one weight per sample (``(n,)`` or ``(n, 1)``), or None.
        class_weight: ``{class: weight}``, or None. The class of a sample is its integer label, the
            argmax of a one-hot row, or a rounded 0/1 target; with sequence targets each time step
            is weighted by its class. Every class present in ``y`` needs a weight.
        y: the converted targets (a list for several outputs, where ``class_weight`` is refused).
        target: the :class:`TargetSpec` of the one output (for its kind and ``ignore_class``).
    """
    sw = None
    if sample_weight is not None:
        sw = np.asarray(to_numpy(sample_weight, f"{where}: sample_weight"), dtype=dtype)
        if sw.ndim == 2 and sw.shape[1] == 1:
            sw = sw[:, 0]
        if sw.shape != (n,):
            raise ValueError(f"{where}: expected sample_weight of shape ({n},) (one per sample), received "
                             f"shape {sw.shape}")
        check_finite(sw, f"{where}: sample_weight")
    if class_weight is None:
        return sw
    if isinstance(y, list):
        raise ValueError(f"{where}: class_weight is not supported for a model with several outputs; "
                         "pass sample_weight instead")
    cw = class_weights(class_weight, _classes_of(y, target), where, dtype, target)
    if sw is not None and cw.ndim > 1:
        sw = sw.reshape(sw.shape + (1,) * (cw.ndim - 1))
    return cw if sw is None else sw * cw


def check_class_weight(class_weight, where: str) -> dict:
    """``class_weight`` as ``{int class: float weight}``, or a ValueError for another type or key."""
    if not isinstance(class_weight, dict):
        raise ValueError(f"{where}: expected class_weight to be a dict {{class: weight}}, received "
                         f"{type(class_weight).__name__}")
    table = {}
    for key, value in class_weight.items():
        index = _class_index(key)
        if index is None:
            raise ValueError(f"{where}: class_weight keys must be class indices (integers), received {key!r}")
        table[index] = float(value)
    return table


def _class_index(key):
    """A class_weight key as an int (an integer, a whole float or a string of digits), else None."""
    if isinstance(key, (bool, np.bool_)):
        return None
    if isinstance(key, numbers.Integral):
        return int(key)
    if isinstance(key, numbers.Real) and float(key).is_integer():
        return int(key)
    if isinstance(key, str) and key.lstrip("-").isdigit():
        return int(key)
    return None


def _classes_of(y: np.ndarray, target) -> np.ndarray:
    """The class of each output row: (n,) for one label per sample, (n, time) for sequence targets."""
    if target is not None and target.kind == "sparse":
        return y
    if y.ndim >= 2 and y.shape[-1] > 1:
        return np.argmax(y, axis=-1)
    return np.rint(y[..., 0] if y.ndim >= 2 else y).astype(np.int64)


def class_weights(class_weight, labels: np.ndarray, where: str, dtype: str, target=None) -> np.ndarray:
    """The weight of each label's class; every class present (``ignore_class`` and negatives aside) needs one."""
    table = check_class_weight(class_weight, where)
    ignore = None if target is None else target.ignore_class
    counted = labels >= 0 if ignore is None else (labels >= 0) & (labels != ignore)
    missing = sorted(set(np.unique(labels[counted]).tolist()) - set(table))
    if missing:
        raise ValueError(f"{where}: class_weight has no weight for the class(es) {missing} present in y; give "
                         f"every class a weight (1.0 keeps it as is), received keys {sorted(table)}")
    # a negative (ignore_class) label has loss 0 whatever its weight
    labels = np.where(counted, labels, 0) if ignore is not None else np.where(labels < 0, 0, labels)
    lookup = np.ones(int(max(labels.max(initial=0), max(table, default=0))) + 1, dtype=dtype)
    for key, value in table.items():
        if key >= 0:
            lookup[key] = value
    return lookup[labels]
