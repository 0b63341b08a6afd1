"""Running an op's work on slices of the batch, one slice per thread.

Samples of a batch are independent in a convolution, a pooling or a dense layer, so such an op can
hand each thread its own rows: ``map_batch(work, n, work_per_sample)`` calls ``work(i, s)`` for
consecutive slices ``s`` of ``range(n)`` and returns the results in order. Run in parallel, the first
slice runs on the calling thread and the others on a small pool of worker threads; NumPy's loops and
BLAS release Python's lock while they compute, so the slices run on separate cores. Inside a slice
BLAS runs on :func:`neuronet.config.blas_threads` (one thread by default), so the cores are not
oversubscribed.

Whether parallel pays depends on the machine: waking a worker thread costs ~20-300 µs here, and on
a busy machine the other core may not be free at all. So each call site is timed both ways — the
first calls alternate between running its slices in parallel and one after the other on the calling
thread, and every :data:`RECHECK` calls it tries the other way again — and runs the way that was
faster recently.

The slices themselves depend only on the batch size, the work and
:func:`neuronet.config.num_threads`, and what sums over the batch (a kernel gradient) is returned per
slice and added by the caller in slice order: the results are the same bits either way. (A threaded
BLAS is not used for this reason too: OpenBLAS's results differ in the last bits between one and
two threads.)
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait

from ..config import blas_threads, num_threads

_POOL = {"executor": None, "size": 0}
_LOCAL = threading.local()

# A batch is cut into slices only when each has at least this much work, counted in array elements
# read or written (a few nanoseconds each): ~0.1-0.3 ms; whether the hand-off pays is timed.
MIN_SLICE_WORK = 1 << 19
# Below this much work an op runs as it is: its products are under OpenBLAS's threshold for threads
# (m·n·k < 2^18 multiply-adds; the ops count a multiply-add as 1/16 of an element).
TINY_WORK = 1 << 14
PROBES = 3     # timed calls of each way before a call site settles
RECHECK = 50   # calls between two tries of the way not taken


def _executor(workers: int) -> ThreadPoolExecutor:
    if _POOL["size"] < workers:
        if _POOL["executor"] is not None:
            _POOL["executor"].shutdown(wait=False)
        _POOL["executor"] = ThreadPoolExecutor(workers, thread_name_prefix="neuronet-op")
        _POOL["size"] = workers
    return _POOL["executor"]


def _forget_pool() -> None:
    # Threads do not survive a fork: a forked child must start its own pool, not queue work for
    # the parent's threads (it would wait forever).
    _POOL["executor"], _POOL["size"] = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _in_worker(work, i, s):
    """Run one slice; ops it calls run their own work unsplit."""
    outer = getattr(_LOCAL, "busy", False)
    _LOCAL.busy = True
    try:
        return work(i, s)
    finally:
        _LOCAL.busy = outer


# Calls of batch_slices so far, and the count at the last one that cut several slices: a model that
# splits its work over the op threads wants no spinning BLAS threads next to them (see ops/dense.py).
_CALLS = {"n": 0, "last_split": None}
RECENT_CALLS = 256


def splitting_recently() -> bool:
    """True when one of the last :data:`RECENT_CALLS` ops that asked for slices split its batch.

    It depends only on the calls made (their sizes and :func:`neuronet.config.num_threads`), never on
    timings, so ops that choose by it choose the same way in every run."""
    last = _CALLS["last_split"]
    return last is not None and _CALLS["n"] - last < RECENT_CALLS


def batch_slices(n: int, work_per_sample: float, min_rows: int = 1) -> list:
    """The consecutive slices of ``range(n)`` that :func:`map_batch` hands out: one per thread, as
    long as each gets at least :data:`MIN_SLICE_WORK` and ``min_rows`` samples (a single slice when
    splitting is off, inside a slice already, or the work is small)."""
    parts = 1 if getattr(_LOCAL, "busy", False) else num_threads()
    if parts > 1:
        parts = max(1, min(parts, n // max(min_rows, 1), int(n * work_per_sample // MIN_SLICE_WORK)))
    _CALLS["n"] += 1
    if parts > 1:
        _CALLS["last_split"] = _CALLS["n"]
    return [slice(n * i // parts, n * (i + 1) // parts) for i in range(parts)]


class _Site:
    """Recent timings of one call site (one ``work`` function at one size), in parallel and serial.

    The first call each way only warms up (a worker thread's first large arrays cost page faults);
    the fastest of the recent timings speaks for each way, so a stray slow call does not flip it.
    """

    __slots__ = ("times", "warm", "calls")

    def __init__(self):
        self.times = {True: deque(maxlen=PROBES), False: deque(maxlen=PROBES)}
        self.warm = {True: False, False: False}
        self.calls = 0

    def choose(self) -> bool:
        self.calls += 1
        par, ser = self.times[True], self.times[False]
        if len(par) < PROBES or len(ser) < PROBES:  # still probing: alternate
            return len(par) <= len(ser)
        faster = min(par) <= min(ser)
        return (not faster) if self.calls % RECHECK == 0 else faster

    def record(self, parallel: bool, seconds: float) -> None:
        if self.warm[parallel]:
            self.times[parallel].append(seconds)
        self.warm[parallel] = True


_SITES: dict = {}


def timed_site(key) -> _Site:
    """The timings kept for one call site (``key``: what the call is and how large)."""
    site = _SITES.get(key)
    if site is None:
        if len(_SITES) > 4096:  # many distinct batch sizes: start over rather than grow
            _SITES.clear()
        site = _SITES[key] = _Site()
    return site
def add_up(parts: list):
    """The sum of per-slice partial results (kernel gradients) in slice order; None stays None."""
    total = parts[0]
    if total is None or len(parts) == 1:
        return total
    total = total + parts[1]
    for part in parts[2:]:
        total += part
    return total


def map_batch(work, n: int, work_per_sample: float, min_rows: int = 1) -> list:
    """``[work(i, s) for i, s in enumerate(batch_slices(n, work_per_sample, min_rows))]``, in parallel
    when that was faster at this call site.

    ``work_per_sample`` is roughly the number of array elements one sample's work reads or writes.
    Every slice is finished before this returns, even when one of them raises (the first error is
    then raised).
    """
    slices = batch_slices(n, work_per_sample, min_rows)
    if len(slices) == 1 and n * work_per_sample < TINY_WORK:
        return [work(0, slices[0])]  # BLAS runs products this small on one thread anyway
    return map_slices(work, slices, work_per_sample)


def map_slices(work, slices: list, work_per_sample: float = 0.0) -> list:
    """``[work(i, s) for i, s in enumerate(slices)]`` under the library's BLAS-thread policy, in
    parallel when that was faster at this call site (for a backward pass that reuses its forward's
    slices)."""
    if len(slices) == 1:
        with blas_threads():
            return [work(0, slices[0])]
    site = timed_site((work.__code__, slices[-1].stop, len(slices), work_per_sample))
    parallel = site.choose()
    start = time.perf_counter()
    with blas_threads():
        if parallel:
            pool = _executor(len(slices) - 1)
            # each slice runs in a copy of the caller's context, so settings kept in context
            # variables (NumPy's errstate) hold in the worker threads too
            futures = [pool.submit(contextvars.copy_context().run, _in_worker, work, i, s)
                       for i, s in enumerate(slices[1:], 1)]
            try:
                first = _in_worker(work, 0, slices[0])
            finally:
                wait(futures)  # no slice may still be writing when this returns or raises
            results = [first] + [f.result() for f in futures]
        else:
            results = [work(i, s) for i, s in enumerate(slices)]
    site.record(parallel, time.perf_counter() - start)
    return results
