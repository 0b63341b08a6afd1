"""Global settings: the default float type, the fuzz factor epsilon and the random generator.

Every layer, initializer and op reads the dtype from here, so one call switches the whole library to
float64 (used by the gradient checks)::

    neuronet.config.set_floatx("float64")
"""

from __future__ import annotations

import random

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_RNG = np.random.default_rng()
_VALID_FLOATX = ("float16", "float32", "float64")


def floatx() -> str:
    """The default float type name, ``'float32'`` unless changed by :func:`set_floatx`."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: one of ``'float16'``, ``'float32'``, ``'float64'``."""
    global _FLOATX
    if value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: expected one of {_VALID_FLOATX}, received {value!r}")
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used to keep logs and divisions finite (Keras default 1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor returned by :func:`epsilon`."""
    global _EPSILON
    _EPSILON = float(value)


def rng() -> np.random.Generator:
    """The library-wide random generator used by initializers, dropout and shuffling."""
    return _RNG


def set_random_seed(seed: int) -> None:
    """Seed every random source the library uses (its own generator, NumPy's and Python's).

    After this call every run that follows draws the same weights, dropout masks and shuffles.
    """
    global _RNG
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed: expected a non-negative integer seed, received {seed!r}")
    _RNG = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))
