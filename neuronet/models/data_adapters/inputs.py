"""Inputs ``x`` as the model takes them: conversion to float arrays and the checks done before training.

:func:`standardize_inputs` is the one place that knows how inputs may be structured (an array, a
DataFrame, a list with one array per model input); inputs given as a dict keyed by input name, or
nested structures, would be flattened there, in the order of the model's inputs, and nowhere else.
"""

from __future__ import annotations

import numpy as np

from ...utils.data import to_numpy

__all__ = ["to_numpy", "check_finite", "as_float_array", "standardize_inputs", "pack_inputs", "input_labels",
           "check_features"]


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


def as_float_array(value, what: str, dtype: str) -> np.ndarray:
    """``value`` as an ndarray; floats (and ints/bools) cast to ``dtype``; objects/strings rejected."""
    arr = to_numpy(value, what)
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(f"{what}: expected numeric data, received an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{what}: expected an array with a batch axis, received a scalar")
    if arr.dtype.kind in "fiub" and arr.dtype != dtype:
        arr = arr.astype(dtype)
    return arr


def standardize_inputs(x, spec) -> list:
    """``x`` as a list of float arrays, one per model input, with the same number of samples.

    Args:
        x: an array (or DataFrame, Tensor, nested list) for a one-input model; a list or tuple of
            them, one per input, for a model with several inputs.
        spec: the :class:`~neuronet.models.data_adapters.DataSpec` of the model.
    """
    where = spec.where
    if x is None:
        raise ValueError(f"{where}: x is None; pass the input data")
    if isinstance(x, dict):
        raise ValueError(f"{where}: inputs given as a dict are not supported; pass an array or a list of arrays")
    count = spec.input_count
    if count > 1:
        if not isinstance(x, (list, tuple)) or len(x) != count:
            raise ValueError(f"{where}: this model has {count} inputs; pass a list of {count} arrays, received "
                             f"{type(x).__name__}")
        arrays = [as_float_array(a, f"{where}: x[{i}]", spec.dtype) for i, a in enumerate(x)]
        if len({len(a) for a in arrays}) > 1:
            raise ValueError(f"{where}: the input arrays have different numbers of samples "
                             f"{[len(a) for a in arrays]}")
        return arrays
    if isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape"):
        x = x[0]
    return [as_float_array(x, f"{where}: x", spec.dtype)]


def pack_inputs(arrays: list, spec):
    """The inputs in the form the model is called with: the array itself for one input, else the list."""
    return arrays[0] if spec.input_count == 1 else list(arrays)


def input_labels(arrays: list) -> list:
    """How errors name each input array: 'x' for one, 'x[0]', 'x[1]', ... for several."""
    return ["x"] if len(arrays) == 1 else [f"x[{i}]" for i in range(len(arrays))]


def check_features(arrays: list, spec) -> None:
    """Each input's sample shape against the model's expected input shape (scikit-learn's message)."""
    if spec.input_shapes is None:
        return
    for i, (a, shape) in enumerate(zip(arrays, spec.input_shapes)):
        want, got = tuple(shape[1:]), tuple(a.shape[1:])
        if len(want) == len(got) and all(w is None or w == g for w, g in zip(want, got)):
            continue
        label = "X" if len(arrays) == 1 else f"X[{i}]"
        if len(want) == 1 and len(got) == 1:
            raise ValueError(f"{spec.where}: {label} has {got[0]} features, but {spec.model_name} is expecting "
                             f"{want[0]} features as input")
        raise ValueError(f"{spec.where}: {label} has sample shape {got}, but {spec.model_name} is expecting samples "
                         f"of shape {want} (input shape {tuple(shape)}), received data of shape {a.shape}")
