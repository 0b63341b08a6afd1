"""Is the second core really there right now? Throughput of a small training-like loop, half-second by
half-second, on BLAS's threads and on one thread.

On this shared 2-vCPU machine there are phases, seconds to minutes long, in which a two-threaded GEMM
runs no faster than a one-threaded one (likely the two vCPUs placed on hyper-threads of one physical
core; each vCPU alone keeps its speed), and every framework that counts on a second core (OpenBLAS's
threads, row slices, helper processes, PyTorch's and XLA's pools) slows by up to 2× meanwhile. Such a
phase shows here as a step in the first line, while the second line (one BLAS thread) stays level.
``make bench`` interleaves its measurements so that phases fall on every framework alike, but a
median of few repeats can still land on different sides of a step: read a before/after ratio together
with the run-by-run figures (benchmarks/README.md, "Round two").

Usage:
    python benchmarks/core_modes.py [SECONDS]      # default 10 s per line
"""

from __future__ import annotations

import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits


def loop_rate(seconds: float, threads: int | None) -> list:
    """Iterations per second of (a 128×784 by 784×128 float32 GEMM, then three elementwise passes over
    100k floats on the calling thread), for each half-second of ``seconds``."""
    rng = np.random.default_rng(0)
    a = rng.random((128, 784), dtype=np.float32)
    b = rng.random((784, 128), dtype=np.float32)
    c = rng.random(100_000, dtype=np.float32)
    rates = []
    with threadpool_limits(threads):
        for _ in range(int(seconds * 2)):
            n, start = 0, time.perf_counter()
            while time.perf_counter() - start < 0.5:
                a @ b
                for _ in range(3):
                    np.multiply(c, 1.0001, out=c)
                n += 1
            rates.append(n / (time.perf_counter() - start))
    return rates


def main(argv: list) -> int:
    seconds = float(argv[0]) if argv else 10.0
    for label, threads in (("BLAS's threads", None), ("one BLAS thread", 1)):
        rates = loop_rate(seconds, threads)
        print(f"{label:>16}: " + " ".join(f"{r:.0f}" for r in rates))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
