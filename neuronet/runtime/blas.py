"""BLAS thread control: run a block on ``policy.blas_threads`` BLAS threads, then put the count back.

The ops run their products on one BLAS thread by default and use the cores by cutting the batch
into slices instead (:mod:`neuronet.runtime.rows`): a threaded OpenBLAS spends more time waking and
waiting for its threads than multiplying when other work shares the cores, and after each call its
idle threads spin for a while and take the core the next op's slices need (benchmarks/README.md has
the measurements). The count is changed through threadpoolctl around each op and restored after it,
so code outside neuronet sees BLAS as it configured it.
"""

from __future__ import annotations

from .policy import policy

_LIBS: dict = {"libs": None}


def _blas_libs() -> list:
    """The loaded BLAS libraries whose thread count can be set (looked up once, at first use)."""
    if _LIBS["libs"] is None:
        try:
            from threadpoolctl import ThreadpoolController

            _LIBS["libs"] = [lib for lib in ThreadpoolController().select(user_api="blas").lib_controllers
                             if hasattr(lib, "set_num_threads")]
        except Exception:  # the BLAS cannot be inspected: leave its threads alone
            _LIBS["libs"] = []
    return _LIBS["libs"]


class blas_threads:
    """Context manager: run the block on ``policy.blas_threads`` BLAS threads (None: as configured)."""

    __slots__ = ("want", "libs", "old")

    def __enter__(self):
        self.want = want = policy.blas_threads
        self.libs = _blas_libs() if want is not None else ()
        self.old = [lib.get_num_threads() for lib in self.libs]
        for lib, n in zip(self.libs, self.old):
            if n != want:
                lib.set_num_threads(want)
        return self

    def __exit__(self, *exc):
        for lib, n in zip(self.libs, self.old):
            if n != self.want:
                lib.set_num_threads(n)
        return False
