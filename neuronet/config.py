"""Global settings: the default float type, the fuzz factor epsilon and the random generator.

Every layer, initializer and op reads the dtype from here, so one call switches the whole library to
float64 (used by the gradient checks)::

    neuronet.config.set_floatx("float64")
"""

from __future__ import annotations

import random

import numpy as np

from .runtime import blas_threads  # noqa: F401  (re-exported: a block on the chosen BLAS threads)
from .runtime import policy as _policy

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


# ----------------------------------------------------------------------------- threads and BLAS
# These switches set fields of neuronet.runtime.policy, where every setting of how the ops use the
# cores, BLAS and memory lives (see its docstring for the defaults and why).
def num_threads() -> int:
    """How many slices the dense, convolution, pooling and recurrent ops cut a large batch into at most,
    one per core (``runtime.policy.num_threads``; default: the CPUs this process may use, or the
    ``NEURONET_NUM_THREADS`` environment variable). On Linux the recurrent ops run their extra slices
    in helper processes instead of threads."""
    return _policy.num_threads


def set_num_threads(threads: int) -> None:
    """Set how many slices the dense, convolution, pooling and recurrent ops cut a batch into at most;
    1 turns splitting off (results then differ from split ones in the last bits, as sums are grouped
    differently).

    Example::

        neuronet.config.set_num_threads(1)   # one core, e.g. beside other work
    """
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, received {threads!r}")
    _policy.num_threads = int(threads)


def set_blas_threads(threads: int | None) -> None:
    """Number of BLAS threads the library's ops use (``runtime.policy.blas_threads``, 1 by default);
    None leaves BLAS as configured. More threads help only for large layers on an otherwise idle
    machine."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"set_blas_threads: expected a positive integer or None, received {threads!r}")
    _policy.blas_threads = threads


