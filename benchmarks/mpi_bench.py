"""Data-parallel scaling over MPI: the mlp and cnn workloads on 1 and 2 ranks of one thread each, the time
spent in allreduce per step, and the loopback's latency and bandwidth (for the N-machine cost model in
benchmarks/README.md).

    .venv/bin/python benchmarks/mpi_bench.py                       # mlp and cnn, 1 and 2 ranks, 3 repeats
    .venv/bin/python benchmarks/mpi_bench.py --workloads mlp --repeats 5 --seconds 6
    .venv/bin/python benchmarks/mpi_bench.py --weak                # the global batch grows with the ranks

The runs of 1 and 2 ranks alternate (1, 2, 2, 1, ...) so that a drifting machine hurts both alike; each
figure is reported as median, minimum and maximum over the repeats. Every rank runs neuronet's ops on one
thread (``runtime.policy.num_threads = 1``, ``blas_threads = 1``, ``OPENBLAS_NUM_THREADS=1``). Writes
``results/mpi.json`` and prints a Markdown table. Needs ``pip install 'neuronet[mpi]'`` (mpi4py and MPICH's mpiexec).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))


# ----------------------------------------------------------------------------- inside mpiexec
def _single_threaded():
    import neuronet
    from neuronet import runtime

    runtime.policy.num_threads = 1  # neuronet's ops on one thread, and BLAS too
    runtime.policy.blas_threads = 1
    return neuronet


def worker_train(name: str, seconds: float, weak: bool, out: str) -> None:
    """Train ``name`` data-parallel for about ``seconds``; rank 0 writes samples/s and allreduce time."""
    import numpy as np

    neuronet = _single_threaded()
    from workloads import WORKLOADS, build_keras_model, make_data

    dist = neuronet.distribution
    dist.set_distribution(dist.DataParallel())
    ranks = dist.num_processes()
    workload = WORKLOADS[name]
    batch = workload.batch_size * (ranks if weak else 1)  # the global batch
    batches = 8
    x, y = make_data(workload, batches * (ranks if weak else 1), seed=0)
    neuronet.utils.set_random_seed(0)
    model = build_keras_model(neuronet, workload)
    start = time.perf_counter()
    model.fit(x[:2 * batch], y[:2 * batch], batch_size=batch, epochs=1, shuffle=False, verbose=0)  # warm-up
    per_epoch = (time.perf_counter() - start) / 2 * batches
    optimizer, apply, spent = model.optimizer, model.optimizer.apply, [0.0]

    def timed_apply(*args, **kwargs):  # the update every rank repeats in full (not divided by the ranks)
        t = time.perf_counter()
        apply(*args, **kwargs)
        spent[0] += time.perf_counter() - t

    optimizer.apply = timed_apply
    comm = dist.api._STATE["comm"]
    epochs = np.array([max(1, round(seconds / max(per_epoch, 1e-3)))], dtype=np.int64)
    if comm is not None:
        comm.bcast_(epochs, "the number of epochs")  # every rank must run the same fit: rank 0 decides
    epochs = int(epochs[0])
    before = dict(comm.stats) if comm is not None else None
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=False, verbose=0)
    elapsed = time.perf_counter() - start
    steps = epochs * batches
    result = {"workload": name, "ranks": ranks, "global_batch": batch, "steps": steps, "seconds": elapsed,
              "samples_per_s": steps * batch / elapsed, "ms_per_step": 1e3 * elapsed / steps,
              "optimizer_ms_per_step": 1e3 * spent[0] / steps, "load_average": os.getloadavg()[0]}
    if comm is not None:
        result["allreduce_ms_per_step"] = 1e3 * (comm.stats["allreduce_seconds"] - before["allreduce_seconds"]) / steps
        calls = comm.stats["allreduce_calls"] - before["allreduce_calls"]
        result["allreduce_bytes_per_step"] = (comm.stats["allreduce_bytes"] - before["allreduce_bytes"]) / max(calls, 1)
    if dist.process_id() == 0:
        with open(out, "w") as f:
            json.dump(result, f)


def worker_loopback(out: str) -> None:
    """Latency and bandwidth between 2 ranks: ping-pong (one way) and in-place allreduce, by message size."""
    import numpy as np

    neuronet = _single_threaded()
    neuronet.distribution.initialize()
    comm = neuronet.distribution.api._STATE["comm"]
    mpi, raw = comm.MPI, comm.comm
    rows = []
    for exponent in range(0, 25, 2):  # 4 B ... 64 MiB of float32 (the first size also warms up)
        n = 2 ** exponent
        buf = np.ones(n, dtype=np.float32)
        repeats = max(3, min(200, int(2e7 // (buf.nbytes + 10_000))))
        times = {"pingpong": [], "allreduce": [], "blocking": []}
        for _ in range(7):
            raw.Barrier()
            start = time.perf_counter()
            for _ in range(repeats):
                if comm.rank == 0:
                    raw.Send(buf, dest=1)
                    raw.Recv(buf, source=1)
                else:
                    raw.Recv(buf, source=0)
                    raw.Send(buf, dest=0)
            times["pingpong"].append((time.perf_counter() - start) / repeats / 2)
            raw.Barrier()
            start = time.perf_counter()
            for _ in range(repeats):
                comm.allreduce_([buf], "the loopback benchmark")  # neuronet's call: polling wait included
            times["allreduce"].append((time.perf_counter() - start) / repeats)
            raw.Barrier()
            start = time.perf_counter()
            for _ in range(repeats):
                raw.Allreduce(mpi.IN_PLACE, buf, op=mpi.SUM)  # MPI's own blocking call, for comparison
            times["blocking"].append((time.perf_counter() - start) / repeats)
            buf.fill(1.0)
        rows.append({"bytes": buf.nbytes, **{f"{k}_s": min(v) for k, v in times.items()}})
    if comm.rank == 0:
        with open(out, "w") as f:
            json.dump(rows, f)


# ----------------------------------------------------------------------------- the N-machine model
def fit_link(loopback: list) -> tuple:
    """(latency α in s, bandwidth in bytes/s) of the loopback as neuronet's allreduce of 2 ranks sees it:
    ``T₂(n) = 2α + n / bandwidth``, α from the smallest message, the bandwidth from 1 MiB and 4 MiB (the
    range of the workloads' gradients)."""
    by_size = {row["bytes"]: row["allreduce_s"] for row in loopback}
    latency = min(by_size.values()) / 2
    slope = (by_size[4 * 2**20] - by_size[2**20]) / (3 * 2**20)
    return latency, 1.0 / slope if slope > 0 else float("inf")


def allreduce_seconds(ranks: int, nbytes: float, latency: float, bandwidth: float) -> float:
    """MPICH's allreduce of large messages (reduce-scatter then allgather, Thakur et al.):
    ``2·log2(N)·α + 2·(N−1)/N · n / bandwidth`` (the reduction's arithmetic left out)."""
    import math

    if ranks <= 1:
        return 0.0
    return 2 * math.ceil(math.log2(ranks)) * latency + 2 * (ranks - 1) / ranks * nbytes / bandwidth


def scaling_model(report: dict, links: dict) -> list:
    """Predicted efficiency on N machines for each workload and link: weak scaling (each machine keeps
    the 1-rank batch: ``t1 / (t1 + T(N))``) and strong scaling (the global batch split: the forward and
    backward pass divide by N, the optimizer's update does not: ``t1 / (N·((t1 − t_opt)/N + t_opt + T(N)))``)."""
    rows = []
    for name, entries in report["workloads"].items():
        one = next(e for e in entries if e["ranks"] == 1)
        two = next((e for e in entries if e["ranks"] == 2), None)
        if two is None:
            continue
        t1, t_opt = one["ms_per_step"]["median"] / 1e3, one["optimizer_ms_per_step"] / 1e3
        nbytes = two["allreduce_bytes_per_step"]
        for link, (latency, bandwidth) in links.items():
            for n in (2, 4, 8, 16, 64):
                comm = allreduce_seconds(n, nbytes, latency, bandwidth)
                rows.append({"workload": name, "link": link, "machines": n, "allreduce_ms": 1e3 * comm,
                             "weak": t1 / (t1 + comm), "strong": t1 / (n * ((t1 - t_opt) / n + t_opt + comm))})
    return rows


# ----------------------------------------------------------------------------- the driver
def _mpiexec() -> str:
    found = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    if found is None:
        raise SystemExit("mpi_bench: mpiexec not found; pip install 'neuronet[mpi]'")
    return found


def _launch(ranks: int, args: list) -> dict | list:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NEURONET_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        subprocess.run([_mpiexec(), "-n", str(ranks), sys.executable, os.path.abspath(__file__), *args, "--json", out],
                       check=True, env=env)
        with open(out) as f:
            return json.load(f)


def _spread(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="mlp,cnn")
    parser.add_argument("--ranks", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds of training per measurement")
    parser.add_argument("--weak", action="store_true", help="global batch = workload batch × ranks")
    parser.add_argument("--out", default=os.path.join(HERE, "results", "mpi.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "loopback":
        return worker_loopback(args.json)
    if args.worker:
        return worker_train(args.worker, args.seconds, args.weak, args.json)

    ranks = [int(r) for r in args.ranks.split(",")]
    runs: dict = {}
    for repeat in range(args.repeats):
        for name in args.workloads.split(","):
            order = ranks if repeat % 2 == 0 else ranks[::-1]  # interleaved: 1, 2 then 2, 1
            for n in order:
                extra = ["--weak"] if args.weak else []
                result = _launch(n, ["--worker", name, "--seconds", str(args.seconds), *extra])
                runs.setdefault((name, n), []).append(result)
                print(f"  {name} ranks={n}: {result['samples_per_s']:.0f} samples/s", flush=True)
    loopback = _launch(2, ["--worker", "loopback"])
    report = {"weak_scaling": args.weak, "machine_cores": os.cpu_count(), "loopback": loopback, "workloads": {}}
    print("\n| workload | ranks | global batch | samples/s (median, min–max) | speed-up per repeat | efficiency | "
          "ms/step | allreduce ms/step | allreduce MB/step |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (name, n), results in sorted(runs.items()):
        speed = _spread([r["samples_per_s"] for r in results])
        base = statistics.median(r["samples_per_s"] for r in runs[(name, ranks[0])]) * n / ranks[0]
        entry = {"ranks": n, "global_batch": results[0]["global_batch"], "samples_per_s": speed,
                 "efficiency": speed["median"] / base,
                 "ms_per_step": _spread([r["ms_per_step"] for r in results]),
                 "optimizer_ms_per_step": statistics.median(r["optimizer_ms_per_step"] for r in results),
                 "load_average": _spread([r["load_average"] for r in results])}
        if "allreduce_ms_per_step" in results[0]:
            entry["allreduce_ms_per_step"] = _spread([r["allreduce_ms_per_step"] for r in results])
            entry["allreduce_bytes_per_step"] = results[0]["allreduce_bytes_per_step"]
        if n != ranks[0]:  # the speed-up in each repeat: the runs of a repeat ran side by side
            entry["speedup_per_repeat"] = _spread([r["samples_per_s"] / b["samples_per_s"]
                                                   for r, b in zip(results, runs[(name, ranks[0])])])
        report["workloads"].setdefault(name, []).append(entry)
        ar = entry.get("allreduce_ms_per_step")
        up = entry.get("speedup_per_repeat")
        print(f"| {name} | {n} | {entry['global_batch']} | "
              f"{speed['median']:.0f} ({speed['min']:.0f}–{speed['max']:.0f}) | "
              + (f"{up['median']:.2f}× ({up['min']:.2f}–{up['max']:.2f})" if up else "—")
              + f" | {entry['efficiency']:.2f} | "
              f"{entry['ms_per_step']['median']:.1f} | "
              + (f"{ar['median']:.2f} ({ar['min']:.2f}–{ar['max']:.2f}) | "
                 f"{entry['allreduce_bytes_per_step'] / 1e6:.2f} |" if ar else "— | — |"))
    print("\n| bytes | ping-pong one way µs | neuronet allreduce (2 ranks) µs | MPI_Allreduce (blocking) µs |")
    print("|---|---|---|---|")
    for row in loopback:
        print(f"| {row['bytes']} | {row['pingpong_s'] * 1e6:.1f} | {row['allreduce_s'] * 1e6:.1f} | "
              f"{row['blocking_s'] * 1e6:.1f} |")
    latency, bandwidth = fit_link(loopback)
    links = {"loopback (measured)": (latency, bandwidth), "10 GbE (assumed: 30 µs, 1.1 GB/s)": (30e-6, 1.1e9)}
    report["link"] = {"latency_s": latency, "bandwidth_bytes_per_s": bandwidth}
    report["model"] = scaling_model(report, links)
    print(f"\nloopback, as neuronet's 2-rank allreduce sees it: latency {latency * 1e6:.1f} µs, "
          f"bandwidth {bandwidth / 1e9:.2f} GB/s")
    print("\n| workload | link | machines | allreduce ms | weak-scaling efficiency | strong-scaling efficiency |")
    print("|---|---|---|---|---|---|")
    for row in report["model"]:
        print(f"| {row['workload']} | {row['link']} | {row['machines']} | {row['allreduce_ms']:.2f} | "
              f"{row['weak']:.2f} | {row['strong']:.2f} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
