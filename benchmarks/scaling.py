"""The scaling table: how neuronet's time and memory grow with the work.

Four axes, each point measured in a fresh worker process (so its peak RSS is its own):

- **batch**: the mlp and cnn models at batch 32 → 1024 (time per sample should fall or stay flat,
  memory per sample stay flat);
- **image**: the cnn model on 28, 64 and 128 px images, batch 64 (time and memory per pixel flat);
- **sequence**: the lstm model over 50, 400 and 1600 steps, batch 64 (time and memory per step flat);
- **memmap**: the mlp model fit for one epoch from a ``PyDataset`` reading a 2 GB float32 array
  memory-mapped from a file in a temporary directory (written, evicted from the page cache, read,
  removed), against the same model fit from arrays in memory at the same batch size.

Each point reports the time per training step (wall and CPU, median of repeats of ``fit`` over a few
fixed batches), the memory one step allocates (``traced_step_memory``: NumPy's arrays, counted by
tracemalloc) and the worker's peak RSS. "× linear" divides the cost per unit of work (sample, pixel,
time step) by that of the axis's first point: 1.0 is linear, above 1 is worse than linear.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from workloads import Workload, build_keras_model, make_data

MEMMAP_FEATURES = 784


def scaling_points(smoke: bool) -> list:
    """The points of the table, in the order they are measured and printed."""
    def point(axis, model, value, batch, shape, unit):
        return {"axis": axis, "model": model, "value": value, "batch": batch, "input_shape": list(shape),
                "unit": unit}

    if smoke:
        return ([point("batch", "mlp", b, b, (784,), b) for b in (8, 16)]
                + [point("image", "cnn", s, 4, (s, s, 1), s * s) for s in (12, 16)]
                + [point("sequence", "lstm", t, 4, (t, 32), t) for t in (5, 10)]
                + [point("memmap", "mlp", 4, 64, (MEMMAP_FEATURES,), 1)])
    return ([point("batch", "mlp", b, b, (784,), b) for b in (32, 128, 512, 1024)]
            + [point("batch", "cnn", b, b, (28, 28, 1), b) for b in (32, 128, 512, 1024)]
            + [point("image", "cnn", s, 64, (s, s, 1), s * s) for s in (28, 64, 128)]
            + [point("sequence", "lstm", t, 64, (t, 32), t) for t in (50, 400, 1600)]
            + [point("memmap", "mlp", 2048, 1024, (MEMMAP_FEATURES,), 1)])


def describe(point: dict) -> str:
    value = point["value"]
    return {"batch": f"batch {value}", "image": f"{value}×{value} px", "sequence": f"{value} steps",
            "memmap": f"{value / 1024:g} GB memmap" if value >= 1024 else f"{value} MB memmap"}[point["axis"]]


def traced_step_memory(model, xb, yb) -> dict:
    """What one training step on ``(xb, yb)`` allocates, in MB, from tracemalloc (NumPy reports its
    arrays to it): ``forward_kept_mb``, what the forward keeps alive for the backward (the graph's
    saved arrays and outputs), and ``step_peak_mb``, the peak of a whole ``train_on_batch`` above what
    was allocated before it. Runs with the helper processes off, so every array is in this process."""
    import tracemalloc

    from neuronet import runtime

    with runtime.policy_override(use_helper_processes=False):
        model.train_on_batch(xb, yb)  # the optimizer's slots exist before measuring
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            out = model(xb, training=True)
            kept = tracemalloc.get_traced_memory()[0] - base
            del out
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            model.train_on_batch(xb, yb)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    return {"forward_kept_mb": kept / 2**20, "step_peak_mb": peak / 2**20}


def _time_fit(model, x, y, batch: int, seconds: float, repeats: int) -> dict:
    """Median seconds per step (wall and CPU) of ``fit`` epochs over ``(x, y)``; each repeat runs epochs
    until ``seconds / repeats`` have passed."""
    steps = -(-len(x) // batch)
    walls, cpus = [], []
    for _ in range(repeats):
        n = 0
        cpu, start = time.process_time(), time.perf_counter()
        while True:
            model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)
            n += steps
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / repeats:
                break
        walls.append(elapsed / n)
        cpus.append((time.process_time() - cpu) / n)
    return {"step_s": statistics.median(walls), "step_cpu_s": statistics.median(cpus),
            "step_runs_s": walls}


def measure_point(K, point: dict, seconds: float, smoke: bool, directory: str | None) -> dict:
    """Time and memory of one point (``K``: the neuronet module of this worker)."""
    batch = point["batch"]
    workload = Workload(point["model"], tuple(point["input_shape"]), batch, 1, "")
    model = build_keras_model(K, workload)
    batches = 2 if smoke else 4
    x, y = make_data(workload, batches)
    model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0)  # warm-up
    timing = _time_fit(model, x, y, batch, seconds, 1 if smoke else 3)
    memory = traced_step_memory(model, x[:batch], y[:batch])
    out = {**timing, **memory, "steps_per_repeat": batches}
    if point["axis"] == "memmap":
        out.update(_memmap_fit(K, model, point, smoke, directory))
    return out


def _rss_anon_mb() -> float | None:
    """Anonymous resident memory of this process in MB (Linux), which leaves out file pages mapped in."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _write_array(path: str, rows: int, features: int) -> None:
    """A float32 (rows, features) array of random numbers written to ``path`` block by block (never
    whole in memory), flushed to disk and dropped from the page cache, so reading it goes to the disk."""
    rng = np.random.default_rng(0)
    block = max(1, (16 << 20) // (features * 4))
    with open(path, "wb") as f:
        for start in range(0, rows, block):
            f.write(rng.standard_normal((min(block, rows - start), features), dtype=np.float32).tobytes())
        f.flush()
        os.fsync(f.fileno())
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def _memmap_fit(K, model, point: dict, smoke: bool, directory: str | None) -> dict:
    """One epoch of ``fit`` from a PyDataset over a memory-mapped file of ``point['value']`` MB."""
    if directory is None:
        raise ValueError("scaling: the memmap point needs a temporary directory")
    batch, features = point["batch"], point["input_shape"][0]
    rows = (point["value"] << 20) // (features * 4) // batch * batch
    path = os.path.join(directory, "memmap-x.f32")
    start = time.perf_counter()
    _write_array(path, rows, features)
    write_s = time.perf_counter() - start
    try:
        x = np.memmap(path, dtype=np.float32, mode="r", shape=(rows, features))
        y = np.random.default_rng(1).integers(0, 10, size=rows, dtype=np.int64)
        anon = {"peak": _rss_anon_mb() or 0.0}

        class MemmapBatches(K.utils.PyDataset):
            def __len__(self):
                return rows // batch

            def __getitem__(self, i):
                s = slice(i * batch, (i + 1) * batch)
                xb = np.array(x[s])  # read from the file (the page cache, or the disk)
                now = _rss_anon_mb()
                if now is not None and now > anon["peak"]:
                    anon["peak"] = now
                return xb, y[s]

        cpu, start = time.process_time(), time.perf_counter()
        model.fit(MemmapBatches(), epochs=1, verbose=0)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        os.remove(path)
    return {"memmap_rows": rows, "memmap_mb": rows * features * 4 / 2**20, "memmap_write_s": write_s,
            "memmap_epoch_s": elapsed, "memmap_step_s": elapsed / (rows // batch),
            "memmap_step_cpu_s": cpu / (rows // batch), "peak_rss_anon_mb": anon["peak"]}
