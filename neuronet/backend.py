"""Keras's ``keras.backend`` names that scripts commonly call: session reset, float settings and dtypes.

neuronet has one backend — NumPy with its own autograd — so this module forwards to
``neuronet.config`` and ``neuronet.utils`` and names dtypes as Keras does.
"""

from __future__ import annotations

import numpy as np

from .config import backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from .utils import clear_session
from .utils.naming import get_uid

__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format", "is_float_dtype",
           "is_int_dtype", "is_keras_tensor", "set_epsilon", "set_floatx", "set_image_data_format",
           "standardize_dtype"]

# Keras's dtype names; NumPy has all but bfloat16, which is named and checked but cannot be computed with
_DTYPES = ("bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "bfloat16", "float16",
           "float32", "float64", "complex64", "complex128", "string")
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", complex: "complex64", str: "string", bytes: "string",
                  "int": "int32", "complex": "complex64"}


def standardize_dtype(dtype) -> str:
    """Keras's name for ``dtype``: None is :func:`floatx`; Python's ``int``/``float`` are 'int32'/'float32';
    NumPy dtypes and scalar types by their name; text is 'string'.

    Raises:
        ValueError: for anything that is not one of Keras's dtypes.
    """
    if dtype is None:
        return floatx()
    if isinstance(dtype, (str, type)) and dtype in _PYTHON_DTYPES:
        return _PYTHON_DTYPES[dtype]
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)
    if name is None and isinstance(dtype, type) and issubclass(dtype, np.generic):
        name = np.dtype(dtype).name
    if isinstance(dtype, np.dtype) and dtype.kind in "USO":
        name = "string"
    if name not in _DTYPES:
        raise ValueError(f"standardize_dtype: invalid dtype {dtype!r}; expected one of {_DTYPES}")
    return name


def is_float_dtype(dtype) -> bool:
    """True for Keras's float dtypes (float16/32/64, bfloat16)."""
    return standardize_dtype(dtype) in ("bfloat16", "float16", "float32", "float64")


def is_int_dtype(dtype) -> bool:
    """True for Keras's signed and unsigned integer dtypes (not bool)."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def is_keras_tensor(x) -> bool:
    """True when ``x`` is a symbolic tensor of the functional API (what ``Input`` returns), not data."""
    from .layers.base import KerasTensor

    return isinstance(x, KerasTensor)
