"""The runtime's policy: every setting that decides how ops use the cores, BLAS and memory, in one place.

``neuronet.runtime.policy`` is the one instance the library reads, at each call (never copied into
other modules). Set a field directly, or for a block with :func:`policy_override`::

    from neuronet import runtime

    runtime.policy.num_threads = 1                  # one core, e.g. beside other work
    with runtime.policy_override(blas_threads=None, malloc_tuning=False):
        model.fit(x, y)

Every assignment is checked (a wrong value raises a ValueError naming the field); the defaults and
what each field decides are listed in :class:`Policy`. ``neuronet.config.set_num_threads`` and
``set_blas_threads`` and the environment variables ``NEURONET_NUM_THREADS`` and
``NEURONET_MALLOC_TUNING`` set the same fields.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os

import numpy as np


def _default_threads() -> int:
    env = os.environ.get("NEURONET_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _default_malloc_tuning() -> bool:
    return os.environ.get("NEURONET_MALLOC_TUNING", "1").strip().lower() not in ("0", "false", "no", "off")


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _positive_int(value) -> bool:
    return _is_int(value) and value >= 1


def _non_negative(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and value >= 0


_CHECKS = {  # field: (test, what it expects)
    "num_threads": (_positive_int, "a positive integer"),
    "blas_threads": (lambda v: v is None or _positive_int(v), "a positive integer or None"),
    "use_helper_processes": (lambda v: isinstance(v, bool), "True or False"),
    "min_slice_work": (_non_negative, "a non-negative number"),
    "tiny_work": (_non_negative, "a non-negative number"),
    "parallel": (lambda v: v is None or isinstance(v, bool), "None, True or False"),
    "probes": (_positive_int, "a positive integer"),
    "recheck": (_positive_int, "a positive integer"),
    "threaded_blas_macs": (lambda v: v is None or _non_negative(v), "a non-negative number or None"),
    "recent_calls": (_positive_int, "a positive integer"),
    "sequence_min_rows": (_positive_int, "a positive integer"),
    "helper_spin": (_non_negative, "a non-negative number of seconds"),
    "helper_max_buffer": (_positive_int, "a positive number of bytes"),
    "malloc_tuning": (lambda v: isinstance(v, bool), "True or False"),
    "mmap_threshold": (_positive_int, "a positive number of bytes"),
    "trim_threshold": (_positive_int, "a positive number of bytes"),
}


@dataclasses.dataclass
class Policy:
    """How the library uses the machine. Each field, its default and what it decides:

    Threads (dense, convolution, pooling and recurrent ops cut a large batch into slices of rows):
        num_threads: slices a batch is cut into at most, one per core. Defaults to the CPUs this process
            may use, or the ``NEURONET_NUM_THREADS`` environment variable. 1 turns splitting off.
        min_slice_work: a batch is cut only when every slice gets at least this much work, counted in
            array elements read or written (a few ns each; 2¹⁹ ≈ 0.1-0.3 ms). Defaults to 524288.
        tiny_work: below this much work an op runs as it is, without the runtime's BLAS setting (such
            products are too small for BLAS to thread anyway). Defaults to 16384.
        parallel: None times each call site (op and size) running its slices in parallel and one
            after the other, and keeps the faster way; True or False always takes that way (both
            give the same bits). For recurrent ops "in parallel" means in helper processes where
            there are any. Defaults to None.
        probes: a call site is timed this many times each way before it settles. Defaults to 3.
        recheck: every this many calls a settled site tries the other way again. Defaults to 50.
        sequence_min_rows: recurrent ops cut slices of at least this many samples (each step costs a
            dozen NumPy calls per slice, whatever its size). Defaults to 16.

    Helper processes (Linux): the recurrent ops run their extra slices in helper processes instead of
    threads, because their many small per-step calls would queue for Python's lock.
        use_helper_processes: Defaults to True (they start at the first split recurrent op).
        helper_spin: seconds either side polls for the next message before sleeping. Defaults to 0.002.
        helper_max_buffer: larger requests run on threads instead, in bytes. Defaults to 64 MiB.

    BLAS:
        blas_threads: BLAS threads the ops run their products on; None leaves BLAS as configured.
            Defaults to 1: the cores are used by slices instead, which does not spin.
        threaded_blas_macs: a dense product of at least this many multiply-adds runs whole on BLAS's
            own threads, unless an op split its batch over threads within the last
            ``recent_calls`` slicing decisions (BLAS's idle threads spin and take the core those slices
            need); an optimizer's update then runs whole too. Defaults to 8,388,608 (2²³): on a quiet
            machine OpenBLAS's threads run such products faster than row slices (the mlp's 128×784×512
            product 0.34 ms against 0.37 ms on two Python threads), but when other work shares the
            cores they wait for each other and run several times slower. None cuts every dense product
            into row slices like every other op, whose parallel run is timed against the serial one at
            each call site: one core's speed at worst, the same bits whatever the load
            (benchmarks/README.md has both measured).
        recent_calls: the window of that rule, in slicing decisions (counted, never timed, so every
            run chooses alike). Defaults to 256.

    Memory (glibc only):
        malloc_tuning: when the first op runs through the runtime, ask glibc's allocator to keep large
            freed blocks for reuse (see :mod:`neuronet.runtime.memory`); it cannot be undone in the
            process. Defaults to True, or the ``NEURONET_MALLOC_TUNING`` environment variable ("0" off).
        mmap_threshold: blocks at least this large are still mapped from the kernel. Defaults to 256 MiB
            (a batch of 1024 28×28 images makes 88-143 MB activations and im2col buffers; mapped afresh
            every step, their zeroed pages cost the cnn's step 7-10 % of its CPU time).
        trim_threshold: freed heap beyond this is returned to the kernel. Defaults to 512 MiB.
    """

    num_threads: int = dataclasses.field(default_factory=_default_threads)
    min_slice_work: float = 1 << 19
    tiny_work: float = 1 << 14
    parallel: bool | None = None
    probes: int = 3
    recheck: int = 50
    sequence_min_rows: int = 16
    use_helper_processes: bool = True
    helper_spin: float = 0.002
    helper_max_buffer: int = 64 << 20  # Docker gives /dev/shm 64 MB
    blas_threads: int | None = 1
    threaded_blas_macs: float | None = 1 << 23
    recent_calls: int = 256
    malloc_tuning: bool = dataclasses.field(default_factory=_default_malloc_tuning)
    mmap_threshold: int = 256 << 20
    trim_threshold: int = 512 << 20

    def __setattr__(self, name, value):
        check = _CHECKS.get(name)
        if check is None:
            raise AttributeError(f"runtime.policy has no field {name!r}; the fields are {tuple(_CHECKS)}")
        if not check[0](value):
            raise ValueError(f"runtime.policy.{name}: expected {check[1]}, received {value!r}")
        object.__setattr__(self, name, int(value) if _is_int(value) else value)


policy = Policy()


@contextlib.contextmanager
def policy_override(**fields):
    """Context manager: set fields of :data:`policy` for the block, then restore them (even on error).

    Every value is checked before any is set. Example::

        with runtime.policy_override(num_threads=1):
            model.predict(x)        # on one core
    """
    probe = dataclasses.replace(policy)  # validates every value against a copy first
    for name, value in fields.items():
        setattr(probe, name, value)
    saved = {name: getattr(policy, name) for name in fields}
    try:
        for name, value in fields.items():
            setattr(policy, name, value)
        yield policy
    finally:
        for name, value in saved.items():
            object.__setattr__(policy, name, value)
