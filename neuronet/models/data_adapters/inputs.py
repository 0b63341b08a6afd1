"""Inputs ``x`` as the model takes them: matching x's structure to the model's inputs, conversion, checks.

:func:`standardize_inputs` is the one place that knows how inputs may be structured, as Keras accepts
them: an array (a DataFrame, a Tensor, a nested list) for a one-input model; a list or tuple with one
array per input; a dict keyed by input name (the ``Input(name=...)`` of each input, or the keys of the
dict a functional model was built on); nested lists and dicts matching a model built on nested inputs
(``Model([[a, b], c], ...)`` takes ``[[xa, xb], xc]``, and also the flat ``[xa, xb, xc]``). Whatever
the structure, the adapters keep one array per model input, in the model's order, and
:func:`pack_inputs` hands the model a batch in the form it is called with.

Strings: an input that may receive text — an ``Input(dtype="string")``, or an input feeding only
preprocessing layers (``TextVectorization``, ``StringLookup``, ``Hashing``, ...) — takes str, bytes and
object arrays as they are (no float conversion, no finite check), decided input by input. A model whose
inputs are not declared (a subclassed model) takes x's own structure (a dict stays a dict) and any data.

Rank, as Keras's functional models: data of shape ``(n,)`` for an input of shape ``(None, 1)`` gains the
trailing axis, and ``(n, d, 1)`` for ``(None, d)`` loses it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ...utils.data import to_numpy

__all__ = ["to_numpy", "check_finite", "as_float_array", "standardize_inputs", "pack_inputs", "input_labels",
           "check_features", "InputStructure", "batch_length", "flatten_inputs"]


class InputStructure:
    """How a model takes its inputs, for matching the ``x`` a user passes.

    Args:
        names: the key of each input in the model's order: its ``Input`` name, or the key of the dict of
            Inputs the model was built on. None for a model that does not declare its inputs.
        nesting: the structure the model was built on, each input replaced by its position: ``0`` for one
            input, ``[0, 1]`` for a list, ``{"a": 0, "b": 1}`` for a dict, ``[[0, 1], 2]`` nested. None
            for a model that does not declare its inputs (then x's own structure is kept).
        strings: per input, True when it may receive text (see the module docstring). Defaults to all False.
        dtypes: per input, the dtype its ``Input`` declares (e.g. 'int64'), or None. Defaults to all None.
    """

    __slots__ = ("names", "nesting", "strings", "dtypes")

    def __init__(self, names=None, nesting=None, strings=None, dtypes=None):
        self.names = None if names is None else tuple(names)
        self.nesting = nesting
        count = 0 if names is None else len(self.names)
        self.strings = tuple(strings) if strings is not None else (False,) * count
        self.dtypes = tuple(dtypes) if dtypes is not None else (None,) * count

    @property
    def declared(self) -> bool:
        """Whether the model declares its inputs (functional, Sequential) rather than taking any structure."""
        return self.names is not None

    @classmethod
    def open(cls) -> "InputStructure":
        """The structure of a model that takes whatever structure x has (a subclassed model)."""
        return cls()


def check_finite(array: np.ndarray, what: str) -> None:
    """Raise a ValueError naming the first row and column holding NaN or Inf."""
    if array.dtype.kind != "f" or array.size == 0:
        return
    if _all_finite(array):  # a single pass in the common case
        return
    flat = array.reshape(len(array), -1)
    row, col = (int(i) for i in np.argwhere(~np.isfinite(flat))[0])
    value = flat[row, col]
    where = f"row {row}, column {col}" if array.ndim > 1 else f"row {row}"
    raise ValueError(f"{what} contains {value} at {where}; remove or impute non-finite values before training")


_FINITE_CHUNK = 1 << 16  # elements checked at a time: their boolean temporary stays in cache


def _all_finite(array: np.ndarray) -> bool:
    """Whether every value of ``array`` is finite. For large data: a NaN or an infinity makes the sum
    non-finite, so a finite sum proves it in one pass with no temporary (100k×784 float32: 14 ms against
    25–48 ms for one ``isfinite`` writing a 78 MB boolean array); a non-finite sum (bad data, or finite
    values overflowing) is settled by ``isfinite``, a block of rows at a time."""
    if array.size <= _FINITE_CHUNK or array.ndim == 0:
        return bool(np.logical_and.reduce(np.isfinite(array), axis=None))
    with np.errstate(over="ignore", invalid="ignore"):
        if math.isfinite(np.add.reduce(array, axis=None)):
            return True
    step = max(1, _FINITE_CHUNK * len(array) // array.size)
    return all(np.logical_and.reduce(np.isfinite(array[i:i + step]), axis=None) for i in range(0, len(array), step))


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


def _is_text(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "USO"


def _as_input_array(value, what: str, dtype: str, strings, declared_dtype) -> np.ndarray:
    """One input's data: text passed through where the input may take it (``strings`` True, or None when
    unknown); integers kept for an input declaring an integer dtype; everything else as floats."""
    if strings is not False:
        arr = to_numpy(value, what)
        if _is_text(arr):
            if arr.ndim == 0:
                raise ValueError(f"{what}: expected an array with a batch axis, received a scalar")
            return arr
    if declared_dtype is not None and np.dtype(declared_dtype).kind in "iu":
        arr = to_numpy(value, what)
        if arr.dtype.kind in "iub" and arr.ndim:
            return arr.astype(declared_dtype) if arr.dtype != declared_dtype else arr
    return as_float_array(value, what, dtype)


def _is_leaf(value) -> bool:
    """An array-like holding one input's data (not a list/dict of inputs)."""
    return hasattr(value, "shape") or hasattr(value, "to_numpy") or not isinstance(value, (list, tuple, dict))


class _Where:
    """Names for the errors of :func:`flatten_inputs`: the method and the model."""

    __slots__ = ("where", "model_name")

    def __init__(self, where: str, model_name: str):
        self.where, self.model_name = where, model_name


def flatten_inputs(x, structure: InputStructure, where: str, model_name: str) -> list:
    """The data of each input of a model declaring ``structure``, in the model's order, from ``x`` in any
    structure the model accepts (one array, a list, a dict keyed by input name, nested lists/dicts).

    Raises:
        ValueError: naming ``where``, the model and its inputs, when x does not fit them.
    """
    return _match(x, structure, _Where(where, model_name))


def _match(x, structure: InputStructure, spec) -> list:
    """The data of each model input, in the model's order, from ``x`` of any accepted structure."""
    where, names, nesting = spec.where, list(structure.names), structure.nesting
    count = len(names)
    if isinstance(x, dict):
        return _match_dict(x, structure, spec)
    if count == 1:
        if isinstance(x, (list, tuple)) and len(x) == 1 and (hasattr(x[0], "shape") or isinstance(x[0], dict)):
            x = x[0]
            if isinstance(x, dict):
                return _match_dict(x, structure, spec)
        return [x]
    if isinstance(x, (list, tuple)):
        if len(x) == count and all(_is_leaf(v) for v in x):
            return list(x)
        if isinstance(nesting, (list, tuple)) and len(x) == len(nesting):
            flat: list = [None] * count
            _fill(x, nesting, flat, spec, "x")
            return flat
        raise ValueError(f"{where}: model '{spec.model_name}' has {count} inputs {names}; pass a list of {count} "
                         f"arrays or a dict keyed by input name, received a list of {len(x)}")
    raise ValueError(f"{where}: model '{spec.model_name}' has {count} inputs {names}; pass a list of {count} arrays "
                     f"or a dict keyed by input name, received {type(x).__name__}")


def _fill(x, nesting, flat: list, spec, label: str) -> None:
    """Place the leaves of ``x`` (structured as ``nesting``) at their input positions in ``flat``."""
    if isinstance(nesting, int):
        flat[nesting] = x
        return
    if isinstance(nesting, dict):
        if not isinstance(x, dict) or any(k not in x for k in nesting):
            raise ValueError(f"{spec.where}: {label} must be a dict with the keys {list(nesting)} (as the model's "
                             f"inputs), received {_describe(x)}")
        for key, sub in nesting.items():
            _fill(x[key], sub, flat, spec, f"{label}[{key!r}]")
        return
    if not isinstance(x, (list, tuple)) or len(x) != len(nesting):
        raise ValueError(f"{spec.where}: {label} must be a list of {len(nesting)} (as the model's inputs), received "
                         f"{_describe(x)}")
    for i, (item, sub) in enumerate(zip(x, nesting)):
        _fill(item, sub, flat, spec, f"{label}[{i}]")


def _describe(x) -> str:
    if isinstance(x, dict):
        return f"a dict with keys {list(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    return type(x).__name__


def _match_dict(x: dict, structure: InputStructure, spec) -> list:
    """The inputs from a dict: keyed as the dict the model was built on, or by input name."""
    names, nesting = list(structure.names), structure.nesting
    if isinstance(nesting, dict) and all(k in x for k in nesting):
        flat: list = [None] * len(names)
        _fill({k: x[k] for k in nesting}, nesting, flat, spec, "x")
        keys = list(nesting)
    elif all(n in x for n in names):
        flat, keys = [x[n] for n in names], names
    else:
        expected = list(nesting) if isinstance(nesting, dict) and not all(n in x for n in names) else names
        missing = [k for k in expected if k not in x]
        if len(names) == 1 and names[0] is None and len(x) == 1:  # a Sequential whose input has no name
            return [next(iter(x.values()))]
        raise ValueError(f"{spec.where}: x has no data for the input(s) {missing} of model '{spec.model_name}': x is a "
                         f"dict with keys {list(x)}, and the model's inputs are {expected}")
    unknown = [k for k in x if k not in keys and k not in names]
    if unknown:  # Keras ignores them too; said once here so a misspelt optional key is seen
        warnings.warn(f"{spec.where}: x has keys {unknown} that are not inputs of model '{spec.model_name}' (its "
                      f"inputs are {keys}); they are ignored", stacklevel=4)
    return flat


def _open_structure(x) -> tuple:
    """For a model that takes any structure: x's leaves and its nesting (None for a single array)."""
    if isinstance(x, dict):
        return list(x.values()), {k: i for i, k in enumerate(x)}
    if isinstance(x, (list, tuple)) and x and all(hasattr(v, "shape") or hasattr(v, "to_numpy") for v in x):
        if len(x) == 1:
            return [x[0]], None
        return list(x), list(range(len(x)))
    return [x], None


def standardize_inputs(x, spec) -> list:
    """``x`` as a list of arrays, one per model input in the model's order, with the same number of samples.

    Args:
        x: the inputs in any structure the model accepts (see the module docstring).
        spec: the :class:`~neuronet.models.data_adapters.DataSpec` of the model.
    """
    where = spec.where
    if x is None:
        raise ValueError(f"{where}: x is None; pass the input data")
    structure = spec.structure
    if _plain_array(x, structure, spec):
        return [x]
    if structure is None or not structure.declared:
        leaves, nesting = _open_structure(x) if structure is not None else (None, None)
        if leaves is None:  # no structure known: one array, or a list of ``input_count`` arrays
            leaves = _legacy_leaves(x, spec)
        else:
            spec.found_nesting = nesting
        labels = input_labels(leaves) if nesting is None or isinstance(nesting, list) else \
            [f"x[{k!r}]" for k in nesting]
        strings = None if structure is not None else False
        arrays = [_as_input_array(a, f"{where}: {label}", spec.dtype, strings, None)
                  for a, label in zip(leaves, labels)]
    else:
        leaves = _match(x, structure, spec)
        labels = _labels(structure)
        arrays = [_as_input_array(a, f"{where}: {label}", spec.dtype, s, d)
                  for a, label, s, d in zip(leaves, labels, structure.strings, structure.dtypes)]
    if len({len(a) for a in arrays}) > 1:
        raise ValueError(f"{where}: the input arrays have different numbers of samples {[len(a) for a in arrays]}")
    if _known_shapes(spec, arrays):
        arrays = [_adjust_rank(a, shape) for a, shape in zip(arrays, spec.input_shapes)]
    return arrays


def _plain_array(x, structure, spec) -> bool:
    """Whether ``x`` is already what the general path makes of it: an ndarray of the model's float dtype
    and of its one declared input's rank (nothing to match, convert or re-rank)."""
    if type(x) is not np.ndarray or x.dtype != spec.dtype or x.ndim == 0 or structure is None:
        return False
    if structure.names is None or len(structure.names) != 1 or spec.input_count > 1 or structure.strings[0] \
            or structure.dtypes[0] is not None:
        return False
    shapes = spec.input_shapes
    if shapes is None:
        return True
    return len(shapes) == 1 and isinstance(shapes[0], (tuple, list)) and len(shapes[0]) == x.ndim


def _known_shapes(spec, arrays: list) -> bool:
    """Whether the spec gives one expected batch shape (a tuple) per input array."""
    shapes = spec.input_shapes
    return shapes is not None and len(shapes) == len(arrays) and all(isinstance(s, (tuple, list)) for s in shapes)


def _legacy_leaves(x, spec) -> list:
    count = spec.input_count
    if count > 1:
        if not isinstance(x, (list, tuple)) or len(x) != count:
            raise ValueError(f"{spec.where}: this model has {count} inputs; pass a list of {count} arrays, received "
                             f"{type(x).__name__}")
        return list(x)
    if isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape"):
        x = x[0]
    return [x]


def _labels(structure: InputStructure) -> list:
    names = structure.names
    if len(names) == 1:
        return ["x"]
    return [f"x[{name!r}]" if name is not None else f"x[{i}]" for i, name in enumerate(names)]


def _adjust_rank(a: np.ndarray, shape) -> np.ndarray:
    """(n,) data for an input of shape (None, 1) gains the trailing axis; (n, ..., 1) for one rank less
    loses it (Keras's functional models do the same)."""
    if shape is None or a.ndim == 0:
        return a
    want = len(shape)
    if a.ndim == want - 1 and shape[-1] == 1:
        return a[..., None]
    if a.ndim == want + 1 and a.shape[-1] == 1 and want >= 1:
        return a[..., 0]
    return a


def pack_inputs(arrays: list, spec):
    """The inputs in the form the model is called with: the array itself for one input, else the list in
    the model's order — or x's own structure (e.g. a dict) for a model that takes any structure."""
    nesting = getattr(spec, "found_nesting", None)
    if isinstance(nesting, dict):
        return {k: arrays[i] for k, i in nesting.items()}
    if isinstance(nesting, list):
        return list(arrays)
    return arrays[0] if len(arrays) == 1 and spec.input_count <= 1 else list(arrays)


def batch_length(x) -> int:
    """The number of samples of a batch in any input structure (an array, a list, a dict)."""
    while isinstance(x, (list, tuple, dict)):
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    return len(x)


def input_labels(arrays: list, spec=None) -> list:
    """How errors name each input array: 'x' for one; for several "x['name']" by input name, or 'x[0]', 'x[1]'."""
    structure = getattr(spec, "structure", None)
    if structure is not None and structure.declared and len(structure.names) == len(arrays):
        return _labels(structure)
    nesting = getattr(spec, "found_nesting", None)
    if isinstance(nesting, dict):
        return [f"x[{k!r}]" for k in nesting]
    return ["x"] if len(arrays) == 1 else [f"x[{i}]" for i in range(len(arrays))]


def check_features(arrays: list, spec) -> None:
    """Each input's sample shape against the model's expected input shape (scikit-learn's message)."""
    if not _known_shapes(spec, arrays):
        return
    structure = spec.structure
    for i, (a, shape) in enumerate(zip(arrays, spec.input_shapes)):
        want, got = tuple(shape[1:]), a.shape[1:]
        if want == got or len(want) == len(got) and all(w is None or w == g for w, g in zip(want, got)):
            continue
        if len(arrays) == 1:
            label = "X"
        elif structure is not None and structure.declared and structure.names[i] is not None:
            label = f"X[{structure.names[i]!r}]"
        else:
            label = f"X[{i}]"
        if len(want) == 1 and len(got) == 1:
            raise ValueError(f"{spec.where}: {label} has {got[0]} features, but {spec.model_name} is expecting "
                             f"{want[0]} features as input")
        raise ValueError(f"{spec.where}: {label} has sample shape {got}, but {spec.model_name} is expecting samples "
                         f"of shape {want} (input shape {tuple(shape)}), received data of shape {a.shape}")
