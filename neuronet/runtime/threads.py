"""Running slices of rows on threads, and the timing that decides whether that pays.

``run_slices(work, slices, key)`` returns ``[work(i, s) for i, s in enumerate(slices)]``. Run in
parallel, the first slice runs on the calling thread and the others on a small pool of worker threads;
NumPy's loops and BLAS release Python's lock while they compute, so the slices run on separate cores.

Whether parallel pays depends on the machine: waking a worker thread costs tens to hundreds of µs,
and on a busy machine the other core may not be free at all. So each call site (``key``: the work and its size) is
timed both ways — the first calls alternate between running its slices in parallel and one after the
other on the calling thread, and every ``policy.recheck`` calls it tries the other way again — and runs
the way that was faster recently. Both ways compute the same slices, so they give the same bits.

Nothing starts at import: the pool is created by the first parallel call and forgotten in a forked
child (threads do not survive a fork).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait

from .policy import policy

_POOL = {"executor": None, "size": 0, "fork_hook": False}
_LOCAL = threading.local()


def _executor(workers: int) -> ThreadPoolExecutor:
    if _POOL["size"] < workers:
        if _POOL["executor"] is not None:
            _POOL["executor"].shutdown(wait=False)
        if not _POOL["fork_hook"] and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_forget_pool)
            _POOL["fork_hook"] = True
        _POOL["executor"] = ThreadPoolExecutor(workers, thread_name_prefix="neuronet-op")
        _POOL["size"] = workers
    return _POOL["executor"]


def _forget_pool() -> None:
    # A forked child must start its own pool, not queue work for the parent's threads (it would wait
    # forever).
    _POOL["executor"], _POOL["size"] = None, 0


def in_slice() -> bool:
    """True inside a slice run on a worker thread (or the caller's share of a parallel run): ops
    called from there run unsplit."""
    return getattr(_LOCAL, "busy", False)


def _in_worker(work, i, s):
    outer = getattr(_LOCAL, "busy", False)
    _LOCAL.busy = True
    try:
        return work(i, s)
    finally:
        _LOCAL.busy = outer


class _Site:
    """Recent timings of one call site, in parallel and serial.

    The first call each way only warms up (a worker thread's first large arrays cost page faults);
    the fastest of the recent timings speaks for each way, so a stray slow call does not flip it.
    """

    __slots__ = ("times", "warm", "calls")

    def __init__(self):
        self.times = {True: deque(maxlen=policy.probes), False: deque(maxlen=policy.probes)}
        self.warm = {True: False, False: False}
        self.calls = 0

    def choose(self) -> bool:
        """True: run this call's slices in parallel; False: one after the other."""
        if policy.parallel is not None:
            return policy.parallel
        self.calls += 1
        par, ser = self.times[True], self.times[False]
        probes = par.maxlen
        if len(par) < probes or len(ser) < probes:  # still probing: alternate
            return len(par) <= len(ser)
        faster = min(par) <= min(ser)
        return (not faster) if self.calls % policy.recheck == 0 else faster

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


def run_slices(work, slices: list, key) -> list:
    """``[work(i, s) for i, s in enumerate(slices)]``, in parallel when that was faster at this call
    site (``key``). Every slice is finished before this returns, even when one of them raises (the
    first error is then raised)."""
    site = timed_site(key)
    parallel = site.choose()
    start = time.perf_counter()
    if parallel:
        pool = _executor(len(slices) - 1)
        # each slice runs in a copy of the caller's context, so settings kept in context variables
        # (NumPy's errstate) hold in the worker threads too
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
