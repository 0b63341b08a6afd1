"""Where a neuronet training step spends its time: cProfile over the benchmark workloads' ``fit``.

Builds the workload's model exactly as the benchmark does (``workloads.build_keras_model``), warms
up, then profiles ``fit`` over a fixed set of random batches and prints the functions with the most
own time (tottime) and the most inclusive time (cumtime), both in µs per training step.

Usage:
    python benchmarks/profile_neuronet.py tiny mlp autoencoder seed [--steps 200] [--top 25]
    python benchmarks/profile_neuronet.py mlp --mode step     # train_on_batch instead of fit

The profiler's clock is the process's CPU time (``time.process_time``), not wall time: on a shared
machine a process that is descheduled would otherwise charge the wait to whatever function it was
in. cProfile also adds a fixed cost per Python call, so small-model figures are inflated; use the
ratios between functions, and the benchmark's own samples/s for absolute speed. Run with
``OPENBLAS_NUM_THREADS=1`` so BLAS time is one thread's time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workloads import SEED_BATCH, SEED_EPOCHS, WORKLOADS, build_keras_model, build_keras_seed_model, make_data, \
    seed_data  # noqa: E402


def _short(func: tuple) -> str:
    filename, line, name = func
    parts = filename.split(os.sep)
    if "neuronet" in parts:
        filename = os.sep.join(parts[parts.index("neuronet"):])
    elif filename.startswith("~") or filename.startswith("<"):
        return name
    else:
        filename = parts[-1]
    return f"{filename}:{line}({name})"


def report(profile: cProfile.Profile, steps: int, top: int, wall: float, label: str):
    stats = pstats.Stats(profile)
    rows = [(func, *values) for func, values in stats.stats.items()]  # (func, cc, nc, tottime, cumtime, callers)
    print(f"\n=== {label}: {steps} steps, {wall / steps * 1e6:,.0f} µs/step wall time under the profiler ===")
    for title, key in (("own time (tottime)", 3), ("inclusive time (cumtime)", 4)):
        print(f"-- top {top} by {title}, CPU µs per step; calls per step")
        for row in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(f"{row[key] / steps * 1e6:10.1f}  {row[2] / steps:7.1f}  {_short(row[0])}")


def profile_workload(name: str, steps: int, top: int, mode: str):
    import neuronet

    if name == "seed":
        x_train, x_test, y_train, y_test = seed_data()
        build_keras_seed_model(neuronet).fit(x_train, y_train, epochs=1, batch_size=SEED_BATCH, verbose=0)
        model = build_keras_seed_model(neuronet)
        profile = cProfile.Profile(time.process_time)
        start = time.perf_counter()
        profile.enable()
        model.fit(x_train, y_train, epochs=SEED_EPOCHS, batch_size=SEED_BATCH, validation_data=(x_test, y_test),
                  verbose=0)
        model.predict(x_test, verbose=0)
        profile.disable()
        wall = time.perf_counter() - start
        n_steps = SEED_EPOCHS * -(-len(x_train) // SEED_BATCH)
        report(profile, n_steps, top, wall, "seed (fit 10 epochs with validation + predict)")
        return
    workload = WORKLOADS[name]
    x, y = make_data(workload, steps)
    model = build_keras_model(neuronet, workload)
    b = workload.batch_size
    model.fit(x[: 3 * b], y[: 3 * b], batch_size=b, epochs=1, shuffle=False, verbose=0)  # warm-up
    profile = cProfile.Profile(time.process_time)
    start = time.perf_counter()
    profile.enable()
    if mode == "step":
        for i in range(steps):
            model.train_on_batch(x[i * b:(i + 1) * b], y[i * b:(i + 1) * b])
    else:
        model.fit(x, y, batch_size=b, epochs=1, shuffle=False, verbose=0)
    profile.disable()
    wall = time.perf_counter() - start
    report(profile, steps, top, wall, f"{name} ({workload.description}, batch {b}, {mode})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workloads", nargs="+", help=f"some of: seed, {', '.join(WORKLOADS)}")
    p.add_argument("--steps", type=int, default=100, help="training steps to profile (default 100)")
    p.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    p.add_argument("--mode", choices=["fit", "step"], default="fit", help="fit (default) or train_on_batch")
    args = p.parse_args(argv)
    for name in args.workloads:
        if name != "seed" and name not in WORKLOADS:
            p.error(f"unknown workload {name!r}; expected some of seed, {', '.join(WORKLOADS)}")
    for name in args.workloads:
        profile_workload(name, args.steps, args.top, args.mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
