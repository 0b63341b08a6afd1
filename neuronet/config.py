"""Global settings: the default float type, the fuzz factor epsilon and the random generator.

Every layer, initializer and op reads the dtype from here, so one call switches the whole library to
float64 (used by the gradient checks)::

    neuronet.config.set_floatx("float64")
"""

from __future__ import annotations

import os
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


# ----------------------------------------------------------------------------- BLAS threads
# The per-step products of recurrent layers and the convolution GEMMs are too small for BLAS threads
# to pay off, and on a busy machine a threaded OpenBLAS spends more time waking and waiting for its
# threads than multiplying: measured on a shared 2-core machine, one BLAS thread made an LSTM forward +
# backward 2-5x faster than two, GRU up to 10x, and the cnn workload ran 3-6x slower with two threads
# when other work shared the cores. An idle OpenBLAS thread also spins for a while after each call,
# taking a core from the library's own op threads (see num_threads below). So those ops, and dense
# layers below THREADED_BLAS_MACS, run their BLAS calls on one thread (through threadpoolctl),
# restoring the previous count afterwards; the cores are used by splitting the batch instead.
# :func:`set_blas_threads` changes the choice.
_BLAS = {"threads": 1, "libs": None}


def set_blas_threads(threads: int | None) -> None:
    """Number of BLAS threads the convolution, recurrent and (smaller) dense ops use (1 by default); None
    leaves BLAS as configured. More threads help only for large layers on an otherwise idle machine."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"set_blas_threads: expected a positive integer or None, received {threads!r}")
    _BLAS["threads"] = threads


def _blas_libs() -> list:
    if _BLAS["libs"] is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS["libs"] = [lib for lib in ThreadpoolController().select(user_api="blas").lib_controllers
                             if hasattr(lib, "set_num_threads")]
        except Exception:  # the BLAS cannot be inspected: leave its threads alone
            _BLAS["libs"] = []
    return _BLAS["libs"]


# Products at least this large (multiply-adds) keep BLAS's own thread count in blas_threads(macs):
# there a threaded GEMM pays for waking its threads (the mlp workload's 128×784×512 layer ran ~12 %
# faster on two threads), below it a spinning BLAS thread would only compete with the op threads.
THREADED_BLAS_MACS = 1 << 25


class blas_threads:
    """Context manager: run the block with the BLAS thread count chosen by :func:`set_blas_threads`.

    With ``macs`` (the multiply-adds of the product inside), products of at least
    :data:`THREADED_BLAS_MACS` keep BLAS as configured. Reusable: ``with`` it several times.
    """

    __slots__ = ("want", "libs", "old")

    def __init__(self, macs: float | None = None):
        want = _BLAS["threads"]
        self.want = None if macs is not None and macs >= THREADED_BLAS_MACS else want
        self.libs = self.old = ()

    def __enter__(self):
        if self.want is not None:
            self.libs = _blas_libs()
            self.old = [lib.get_num_threads() for lib in self.libs]
            for lib, n in zip(self.libs, self.old):
                if n != self.want:
                    lib.set_num_threads(self.want)
        return self

    def __exit__(self, *exc):
        for lib, n in zip(self.libs, self.old):
            if n != self.want:
                lib.set_num_threads(n)
        self.libs = self.old = ()
        return False


# ----------------------------------------------------------------------------- op threads
# The convolution and pooling ops split their batch into one slice per thread (see
# neuronet.ops.parallel); NumPy and BLAS release Python's lock while they compute, so the slices run
# on separate cores. Waiting threads sleep rather than spin, so on a busy machine a split costs
# little, unlike a threaded BLAS.
def _default_threads() -> int:
    env = os.environ.get("NEURONET_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_THREADS = {"n": _default_threads()}


def num_threads() -> int:
    """How many threads the convolution and pooling ops split a batch over (default: the CPUs this
    process may use, or the ``NEURONET_NUM_THREADS`` environment variable)."""
    return _THREADS["n"]


def set_num_threads(threads: int) -> None:
    """Set how many threads the convolution and pooling ops split a batch over; 1 turns splitting off."""
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, received {threads!r}")
    _THREADS["n"] = int(threads)
