"""Side-by-side benchmarks: neuronet against PyTorch, Keras (TensorFlow, JAX) and scikit-learn.

Every framework runs in its own worker process (``worker.py``), one per workload, so imports and
peak RSS stay separate. The workers of one workload are driven round-robin — for each repeat, each
framework in turn (the order rotated every repeat and reversed every other one, 1 s of quiet before
each measurement) — so all measurements of a workload interleave in time and the ratios hold even
while this shared machine's speed drifts. Reported figures are medians.

Usage:
    python benchmarks/run.py                       # full run, writes benchmarks/results/latest.{md,json}
    python benchmarks/run.py --smoke               # tiny sizes, ~0.2 s per measurement (CI)
    python benchmarks/run.py --frameworks neuronet,torch --workloads tiny,mlp
    python benchmarks/run.py --frameworks neuronet --baseline ../other-checkout   # A/B of two trees

A framework that is not installed is skipped with a line saying so; nothing is ever filled in for it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from report import GOALS, LABELS, fmt, goal_rows, ratio_cells, render_markdown  # noqa: E402,F401
from scaling import describe, scaling_points  # noqa: E402
from workloads import PREDICT_ROWS, PREDICTS, WORKLOADS, mlp_step_flops  # noqa: E402

FRAMEWORKS = ["neuronet", "torch", "keras-tensorflow", "keras-jax", "sklearn"]
# The module whose import time is measured in a fresh process for each framework.
IMPORTS = {
    "neuronet": "import neuronet",
    "torch": "import torch",
    "keras-tensorflow": "import keras",
    "keras-jax": "import keras",
    "sklearn": "import sklearn.neural_network",
}
BACKENDS = {"keras-tensorflow": "tensorflow", "keras-jax": "jax"}
# --baseline DIR: a second neuronet worker that imports neuronet from another checkout, measured
# interleaved with this one as if it were a peer (the "neuronet / baseline" column is then the A/B ratio).
BASELINE = "neuronet-baseline"
# seconds between two frameworks' measurements of a workload: a finished worker's thread pools stop spinning
SETTLE_S = 1.0
BASELINE_DIR: str | None = None
THROUGHPUT_WORKLOADS = [*WORKLOADS, *PREDICTS]
ALL_WORKLOADS = ["seed", *THROUGHPUT_WORKLOADS, "scaling"]
ALIASES = {"predict": list(PREDICTS)}  # --workloads predict = both predict rows


THREADS: int | None = None  # --threads: every framework's thread pools capped to this many threads
# Some machines export OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE to keep old OpenBLAS builds from crashing; they force
# a current NumPy onto an older, slower GEMM kernel (here Haswell instead of SkylakeX: ~1.5x slower float32
# GEMM). The workers run without them unless --keep-blas-env is given. PyTorch, TensorFlow and XLA do not
# use OpenBLAS and are unaffected; NumPy-based runners (neuronet, scikit-learn) get the kernel OpenBLAS picks.
KEEP_BLAS_ENV = False
BLAS_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def worker_env(framework: str) -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not KEEP_BLAS_ENV:
        for name in BLAS_ENV_VARS:
            env.pop(name, None)
    if THREADS:
        n = str(THREADS)
        env.update(NEURONET_BENCH_THREADS=n, NEURONET_NUM_THREADS=n, OMP_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n,
                   MKL_NUM_THREADS=n)
        if framework == "keras-jax":
            flags = env.get("XLA_FLAGS", "")
            extra = f"--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}" if THREADS == 1 else \
                f"intra_op_parallelism_threads={n}"
            env["XLA_FLAGS"] = (flags + " " + extra).strip()
    if framework in BACKENDS:
        env["KERAS_BACKEND"] = BACKENDS[framework]
    if framework == BASELINE:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (BASELINE_DIR, env.get("PYTHONPATH")) if p)
    return env


class Worker:
    """A worker process and the JSON-lines conversation with it."""

    def __init__(self, python: str, framework: str, log, timeout: float):
        self.framework = framework
        self.timeout = timeout
        log.flush()
        self.proc = subprocess.Popen(
            [python, os.path.join(HERE, "worker.py"), framework],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, bufsize=1,
            env=worker_env(framework), cwd=HERE,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.hello = self._receive()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _receive(self) -> dict:
        try:
            line = self.lines.get(timeout=self.timeout)
        except queue.Empty:
            self.close()
            return {"status": "error", "reason": f"no answer within {self.timeout:.0f} s"}
        if line is None:
            return {"status": "error", "reason": f"worker exited (code {self.proc.poll()}); see the worker log"}
        return json.loads(line)

    def send(self, cmd: str, **fields) -> dict:
        if self.proc.poll() is not None:
            return {"status": "error", "reason": "worker is not running"}
        try:
            self.proc.stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return {"status": "error", "reason": "worker closed its input"}
        return self._receive()

    def close(self) -> dict:
        answer = {}
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                line = self.lines.get(timeout=30)
                answer = json.loads(line) if line else {}
            except (BrokenPipeError, OSError, queue.Empty, ValueError):
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return answer


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def rotate(items: list, k: int) -> list:
    """The frameworks' order for repeat k: rotated so no framework always runs first or last, and
    reversed every other repeat so no framework always runs right after the same one (a process that
    just finished can leave spinning threads behind it for a moment; measured with the same tree on
    both sides, always following Keras/JAX cost the autoencoder 1.47× in a 6-repeat run)."""
    if not items:
        return items
    order = list(items) if k % 2 == 0 else list(reversed(items))
    k %= len(order)
    return order[k:] + order[:k]


def say(msg: str = ""):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------------


def machine_info(python: str) -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    probe = (
        "import json, numpy as np\n"
        "cfg = np.show_config(mode='dicts')\n"
        "blas = cfg.get('Build Dependencies', {}).get('blas', {})\n"
        "simd = cfg.get('SIMD Extensions', {})\n"
        "out = {'numpy': np.__version__, 'blas': f\"{blas.get('name', '?')} {blas.get('version', '')}\".strip(),\n"
        "       'simd_found': simd.get('found', [])}\n"
        "try:\n"
        "    from threadpoolctl import threadpool_info\n"
        "    blas_pools = [p for p in threadpool_info() if p.get('user_api') == 'blas']\n"
        "    out['blas_threads'] = [p.get('num_threads') for p in blas_pools]\n"
        "    out['blas_kernel'] = [p.get('architecture') for p in blas_pools]\n"
        "except ImportError:\n"
        "    pass\n"
        "print(json.dumps(out))\n"
    )
    try:
        result = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60,
                                env=worker_env("neuronet"))
        info.update(json.loads(result.stdout.strip().splitlines()[-1]))
    except (subprocess.SubprocessError, ValueError, IndexError):
        pass
    return info


def measure_imports(python: str, frameworks: list, repeats: int, skipped: dict) -> dict:
    """``import X`` in a fresh process, interleaved across frameworks; in-process seconds and whole-process."""
    runs = {fw: [] for fw in frameworks}
    walls = {fw: [] for fw in frameworks}
    for k in range(repeats):
        for fw in rotate(frameworks, k):
            if fw in skipped:
                continue
            code = (
                "import time\nt = time.perf_counter()\n" + IMPORTS[fw] + "\n"
                "print(time.perf_counter() - t)\n"
            )
            start = time.perf_counter()
            # cwd: the benchmarks folder, whose own neuronet cannot shadow the one measured (``python -c``
            # puts the working directory first on sys.path)
            result = subprocess.run([python, "-c", code], capture_output=True, text=True, env=worker_env(fw),
                                    timeout=300, cwd=HERE)
            wall = time.perf_counter() - start
            if result.returncode != 0:
                lines = result.stderr.strip().splitlines()
                skipped[fw] = lines[-1] if lines else f"import failed (code {result.returncode})"
                continue
            runs[fw].append(float(result.stdout.strip().splitlines()[-1]))
            walls[fw].append(wall)
    return {
        fw: {"median_s": median(runs[fw]), "process_median_s": median(walls[fw]), "runs_s": runs[fw]}
        for fw in frameworks if runs[fw]
    }


def start_workers(python, frameworks, log, timeout, skipped) -> dict:
    workers = {}
    for fw in frameworks:
        if fw in skipped:
            continue
        w = Worker(python, fw, log, timeout)
        if w.hello.get("status") != "ok":
            skipped[fw] = w.hello.get("reason", "unavailable")
            say(f"  skipped {LABELS[fw]}: {skipped[fw]}")
            w.close()
            continue
        workers[fw] = w
    return workers


def run_seed(python, frameworks, repeats, log, timeout, skipped, versions, smoke=False) -> dict:
    say("seed example (end to end: build, 10 epochs fit with validation, predict)")
    fws = [fw for fw in frameworks if fw not in skipped]
    # The data are made once (scikit-learn's make_classification) and handed to every worker as an .npz,
    # so no framework's peak RSS carries scikit-learn unless it is the framework measured.
    data_path = os.path.join(tempfile.mkdtemp(prefix="neuronet-bench-"), "seed.npz")
    code = f"import sys; sys.path.insert(0, {HERE!r}); import workloads; workloads.save_seed_data({data_path!r})"
    made = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        lines = made.stderr.strip().splitlines()
        reason = "could not make the seed data: " + (lines[-1] if lines else f"exit code {made.returncode}")
        say(f"  {reason}")
        return {fw: {"status": "unavailable", "reason": reason} for fw in fws}
    workers = start_workers(python, fws, log, timeout, skipped)
    for fw, w in workers.items():
        versions.update(w.hello.get("versions", {}))
    results = {fw: {"runs": [], "status": "ok"} for fw in workers}
    # The first run in each process is a cold start; it is kept apart from the warm runs' median
    # (smoke: that one run only).
    for k in range(repeats if smoke else repeats + 1):
        for fw in rotate(list(workers), k):
            if results[fw]["status"] != "ok":
                continue
            answer = workers[fw].send("seed", data=data_path)
            if answer.get("status") != "ok":
                results[fw].update(status=answer.get("status"), reason=answer.get("reason"))
                continue
            results[fw]["runs"].append({key: answer[key] for key in ("fit_s", "total_s", "test_accuracy")})
    shutil.rmtree(os.path.dirname(data_path), ignore_errors=True)
    for fw, w in workers.items():
        final = w.close()
        entry = results[fw]
        runs = entry.pop("runs")
        entry["peak_rss_mb"] = final.get("peak_rss_mb") if runs else None
        if runs:
            warm = runs[1:] or runs
            entry.update(
                cold_fit_s=runs[0]["fit_s"],
                fit_s=median([r["fit_s"] for r in warm]),
                total_s=median([r["total_s"] for r in warm]),
                test_accuracy=median([r["test_accuracy"] for r in warm]),
                runs=runs,
            )
        line = (f"  {LABELS[fw]:<12} fit {entry['fit_s']:.3f} s  total {entry['total_s']:.3f} s  "
                f"accuracy {entry['test_accuracy']:.3f}") if runs else f"  {LABELS[fw]:<12} {entry['status']}: " \
                                                                       f"{entry.get('reason')}"
        say(line)
    return results


def run_workload(name, python, frameworks, args, log, skipped, versions, extra) -> dict:
    wl = WORKLOADS[PREDICTS.get(name, name)]
    what = f"model.predict of the {wl.name} model over {256 if args.smoke else PREDICT_ROWS:,} rows" \
        if name in PREDICTS else \
        f"{wl.description}, batch {wl.batch_size if not args.smoke else min(wl.batch_size, 8)}"
    say(f"{name}: {what}")
    fws = [fw for fw in frameworks if fw not in skipped and fw != "sklearn"]
    workers = start_workers(python, fws, log, args.timeout, skipped)
    results = {}
    for fw, w in workers.items():
        versions.update(w.hello.get("versions", {}))
        answer = w.send("setup", workload=name, smoke=args.smoke, mode=args.mode, seconds=args.seconds)
        results[fw] = {"status": answer.get("status"), "runs": []}
        if answer.get("status") == "ok":
            results[fw]["epoch_batches"] = answer.get("epoch_batches")
            extra.setdefault("batch_sizes", {})[name] = answer.get("batch_size")
        else:
            results[fw]["reason"] = answer.get("reason")
            say(f"  {LABELS[fw]:<12} {answer.get('status')}: {answer.get('reason')}")
    ready = [fw for fw in workers if results[fw]["status"] == "ok"]
    limits = []
    # the machine's limits (GEMM peak, memory bandwidth) are measured between the mlp repeats, in a process
    # of their own: the bandwidth's 512 MB of arrays must not count in any framework's peak RSS
    prober = Worker(python, "neuronet", log, args.timeout) if name == "mlp" and "neuronet" in workers else None
    for k in range(args.repeats):
        for fw in rotate(ready, k):
            if results[fw]["status"] != "ok":
                continue
            time.sleep(0 if args.smoke else SETTLE_S)  # the previous framework's threads go quiet
            answer = workers[fw].send("measure")
            if answer.get("status") != "ok":
                results[fw].update(status=answer.get("status"), reason=answer.get("reason"))
                continue
            results[fw]["runs"].append(answer["samples_per_s"])
            results[fw].setdefault("cpu_runs", []).append(answer.get("samples_per_cpu_s"))
        if prober is not None and prober.hello.get("status") == "ok":
            answer = prober.send("gemm_peak", smoke=args.smoke)
            if answer.get("status") == "ok":
                limits.append(answer)
    if prober is not None:
        prober.close()
    if name == "tiny":  # single-sample predict latency, also interleaved
        lat = {fw: {"predict_us": [], "call_us": []} for fw in ready}
        for k in range(args.repeats):
            for fw in rotate(ready, k):
                answer = workers[fw].send("latency", calls=20 if args.smoke else 200)
                if answer.get("status") == "ok":
                    for key in ("predict_us", "call_us"):
                        lat[fw][key].append(answer.get(key))
        extra["latency"] = {fw: {key: median(v) for key, v in d.items()} for fw, d in lat.items()}
    if limits:
        extra["limits"] = {"peak_gflops": median([a["gflops"] for a in limits]),
                           "bandwidth_gbs": median([a.get("bandwidth_gbs") for a in limits])}
    for fw in ("neuronet", BASELINE):  # what one training step allocates (tracemalloc), neuronet only
        if name not in PREDICTS and fw in ready and results[fw]["status"] == "ok":
            answer = workers[fw].send("step_memory")
            if answer.get("status") == "ok":
                results[fw]["step_memory"] = {k: answer[k] for k in ("forward_kept_mb", "step_peak_mb")}
    for fw, w in workers.items():
        final_rss = w.close().get("peak_rss_mb")
        results[fw]["samples_per_s"] = median(results[fw]["runs"])
        results[fw]["samples_per_cpu_s"] = median(results[fw].get("cpu_runs", []))
        results[fw]["peak_rss_mb"] = final_rss if results[fw]["samples_per_s"] is not None else None
        if results[fw]["samples_per_s"] is not None:
            say(f"  {LABELS[fw]:<12} {results[fw]['samples_per_s']:>10.0f} samples/s  "
                f"(runs {', '.join(f'{r:.0f}' for r in results[fw]['runs'])})  "
                f"peak RSS {results[fw]['peak_rss_mb']:.0f} MB")
    return results


def run_scaling(python, frameworks, args, log) -> list:
    """The scaling table: every point in a fresh neuronet worker (and the baseline's, interleaved, with
    --baseline), in a temporary directory that is removed afterwards."""
    fws = [fw for fw in ("neuronet", BASELINE) if fw in frameworks]
    points = []
    seconds = 0.1 if args.smoke else 2.0
    directory = tempfile.mkdtemp(prefix="neuronet-bench-scaling-")
    say("scaling (neuronet; each point in a fresh process)")
    try:
        for point in scaling_points(args.smoke):
            for fw in fws:
                worker = Worker(python, fw, log, args.timeout)
                entry = {**point, "framework": fw, "label": describe(point)}
                if worker.hello.get("status") != "ok":
                    entry.update(status="error", reason=worker.hello.get("reason"))
                else:
                    answer = worker.send("scale", point=point, seconds=seconds, smoke=args.smoke, dir=directory)
                    final = worker.close()
                    entry.update(answer)
                    entry["peak_rss_mb"] = final.get("peak_rss_mb", answer.get("peak_rss_mb"))
                worker.close()
                points.append(entry)
                if entry.get("status") == "ok":
                    say(f"  {LABELS[fw]:<12} {point['model']:<5} {entry['label']:<16} {entry['step_s'] * 1e3:9.2f} "
                        f"ms/step  traced {entry['step_peak_mb']:7.1f} MB  peak RSS {entry['peak_rss_mb']:.0f} MB")
                else:
                    say(f"  {LABELS[fw]:<12} {point['model']:<5} {entry['label']:<16} {entry.get('status')}: "
                        f"{entry.get('reason')}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    _relative_to_first(points)
    return points


def _relative_to_first(points: list) -> None:
    """``time_vs_linear`` and ``memory_vs_linear`` of each point: its cost per unit of work ÷ that of the
    first point of its axis and model (the memmap point: ÷ its own in-memory timing)."""
    first: dict = {}
    for p in points:
        if p.get("status") != "ok":
            continue
        if p["axis"] == "memmap":
            p["time_vs_linear"] = p["memmap_step_s"] / p["step_s"]
            p["memory_vs_linear"] = None
            continue
        key = (p["framework"], p["axis"], p["model"])
        time_unit = p["step_s"] / p["unit"]
        memory_unit = p["step_peak_mb"] / p["unit"]
        ref = first.setdefault(key, (time_unit, memory_unit))
        p["time_vs_linear"] = time_unit / ref[0]
        p["memory_vs_linear"] = memory_unit / ref[1] if ref[1] > 0 else None


OP_OVERHEAD_PROBE = """
import inspect, json, sys
sys.path.insert(0, {here!r})
if {block_torch}:  # PyTorch not among --frameworks: op_overhead's optional `import torch` then finds nothing
    sys.modules["torch"] = None
import neuronet
import op_overhead


def call(fn, *args):
    # newer versions of op_overhead take the engines to compare as `libs`
    if "libs" in inspect.signature(fn).parameters:
        return fn(*args, libs={{"neuronet": neuronet}})
    return fn(*args)


out = {{}}
for key, run in (("chain_us_per_op", lambda: call(op_overhead.bench_chain, {n}, {repeats})),
                 ("mlp_step_us", lambda: call(op_overhead.bench_mlp, {repeats}))):
    try:
        out[key] = {{name: seconds * 1e6 for name, seconds in run().items()}}
    except Exception as exc:
        out[key] = {{"error": f"{{type(exc).__name__}}: {{exc}}"[:300]}}
print(json.dumps(out))
"""


def run_op_overhead(python, args, log) -> dict:
    """Per-op overhead from ``benchmarks/op_overhead.py`` (another engineer's functions), when it exists.

    Calls its ``bench_chain(n, repeats)`` (µs per op of a chain of elementwise ops on 4×4 tensors, forward
    and forward+backward, neuronet beside PyTorch) and ``bench_mlp(repeats)`` (one raw-op 20-64-10 MLP
    step: neuronet, PyTorch, NumPy by hand) in a fresh process.
    """
    if not os.path.exists(os.path.join(HERE, "op_overhead.py")):
        return {"status": "unavailable", "reason": "benchmarks/op_overhead.py not present"}
    n, repeats = (20, 1) if args.smoke else (200, 7)
    code = OP_OVERHEAD_PROBE.format(here=HERE, n=n, repeats=repeats, block_torch="torch" not in args.frameworks)
    try:
        result = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=args.timeout, cwd=HERE)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"op_overhead took more than {args.timeout:.0f} s"}
    log.write(result.stderr)
    log.flush()
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        return {"status": "error", "reason": lines[-1] if lines else f"exit code {result.returncode}"}
    try:
        return {"status": "ok", "chain_ops": n, **json.loads(result.stdout.strip().splitlines()[-1])}
    except (ValueError, IndexError):
        return {"status": "error", "reason": "op_overhead printed no JSON"}


# ---------------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny sizes and ~0.2 s measurements: checks the harness")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                   help=f"comma-separated subset of {','.join(FRAMEWORKS)} (default: all)")
    p.add_argument("--workloads", default=",".join(ALL_WORKLOADS),
                   help=f"comma-separated subset of {','.join(ALL_WORKLOADS)}, or 'predict' for both predict rows "
                        "(default: all)")
    p.add_argument("--repeats", type=int, default=None, help="interleaved repeats per workload (default 3; smoke 1)")
    p.add_argument("--seconds", type=float, default=None, help="minimum seconds per measurement (default 5; smoke 0.2)")
    p.add_argument("--mode", choices=["fit", "step"], default="fit",
                   help="fit: timed model.fit epochs over fixed random batches (default); "
                        "step: train_on_batch on one fixed batch")
    p.add_argument("--python", default=sys.executable, help="interpreter for the workers (default: this one)")
    p.add_argument("--out-dir", default=None,
                   help="where to write latest.md/latest.json (default benchmarks/results; smoke writes smoke.*)")
    p.add_argument("--threads", type=int, default=None,
                   help="cap every framework's thread pools (BLAS, OpenMP, torch, TensorFlow, XLA) to N threads; "
                        "default: each framework's own default (all cores)")
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait for one worker answer")
    p.add_argument("--baseline", default=None, metavar="DIR",
                   help="also measure the neuronet of another checkout DIR (a peer column named "
                        "'neuronet (baseline)'), interleaved with this one: an A/B of two trees")
    p.add_argument("--keep-blas-env", action="store_true",
                   help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment in the workers "
                        "(default: drop them so NumPy's OpenBLAS picks its own kernel for this CPU)")
    args = p.parse_args(argv)

    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    workloads = []
    for w in (w.strip() for w in args.workloads.split(",") if w.strip()):
        workloads += [a for a in ALIASES.get(w, [w]) if a not in workloads]
    for f in frameworks:
        if f not in FRAMEWORKS:
            p.error(f"--frameworks: unknown framework {f!r}; expected a subset of {', '.join(FRAMEWORKS)}")
    for w in workloads:
        if w not in ALL_WORKLOADS:
            p.error(f"--workloads: unknown workload {w!r}; expected a subset of "
                    f"{', '.join([*ALL_WORKLOADS, *ALIASES])}")
    global THREADS, KEEP_BLAS_ENV, BASELINE_DIR
    KEEP_BLAS_ENV = args.keep_blas_env
    if args.baseline is not None:
        if not os.path.isfile(os.path.join(args.baseline, "neuronet", "__init__.py")):
            p.error(f"--baseline: {args.baseline!r} is not a checkout of neuronet (no neuronet/__init__.py in it)")
        BASELINE_DIR = os.path.abspath(args.baseline)
        LABELS[BASELINE] = "neuronet (baseline)"
        IMPORTS[BASELINE] = IMPORTS["neuronet"]
        frameworks.append(BASELINE)
    if args.threads is not None and args.threads < 1:
        p.error(f"--threads must be ≥ 1, got {args.threads}")
    THREADS = args.threads
    args.repeats = args.repeats or (1 if args.smoke else 3)
    args.frameworks = frameworks
    if args.repeats < 1:
        p.error(f"--repeats must be ≥ 1, got {args.repeats}")
    args.seconds = args.seconds if args.seconds is not None else (0.2 if args.smoke else 5.0)
    args.timeout = args.timeout or (120.0 if args.smoke else 900.0)
    out_dir = args.out_dir or os.path.join(HERE, "results")
    stem = "smoke" if args.smoke and args.out_dir is None else "latest"
    os.makedirs(out_dir, exist_ok=True)

    started = time.perf_counter()
    load_before = os.getloadavg()
    skipped: dict = {}
    versions: dict = {}
    log_file = tempfile.NamedTemporaryFile("w", prefix="neuronet-bench-", suffix=".log", delete=False)
    machine = machine_info(args.python)
    say(f"machine: {machine.get('cpu', '?')}, {machine.get('cores')} cores, NumPy {machine.get('numpy', '?')} "
        f"({machine.get('blas', '?')})")

    say("import time (fresh process, interleaved)")
    imports = measure_imports(args.python, frameworks, 1 if args.smoke else 5, skipped)
    for fw in frameworks:
        if fw in skipped:
            say(f"  skipped {LABELS[fw]}: {skipped[fw]}")
        else:
            say(f"  {LABELS[fw]:<12} {imports[fw]['median_s']:.3f} s")

    seed = {}
    if "seed" in workloads:
        seed = run_seed(args.python, frameworks, args.repeats if args.smoke else max(args.repeats, 5), log_file,
                        args.timeout, skipped, versions, smoke=args.smoke)
    throughput, extra, batch_sizes = {}, {}, {"seed": 32}
    for name in [w for w in workloads if w in THROUGHPUT_WORKLOADS]:
        throughput[name] = run_workload(name, args.python, frameworks, args, log_file, skipped, versions, extra)
        default = WORKLOADS[name].batch_size if name in WORKLOADS else None
        batch_sizes[name] = extra.get("batch_sizes", {}).get(name) or \
            (min(default, 8) if args.smoke and default else default)
    scaling = run_scaling(args.python, frameworks, args, log_file) if "scaling" in workloads else []

    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine,
        "versions": versions,
        "config": {
            "smoke": args.smoke, "frameworks": frameworks,
            "workloads": [w for w in workloads if w in THROUGHPUT_WORKLOADS],
            "repeats": args.repeats, "seconds": args.seconds, "mode": args.mode, "threads": args.threads,
            "keep_blas_env": args.keep_blas_env,
            "mode_description": ("timed `fit(epochs=1, shuffle=False)` calls over a fixed set of random batches "
                                 "(PyTorch: the same batches in a plain zero_grad/forward/backward/step loop)"
                                 if args.mode == "fit" else
                                 "`train_on_batch` on one fixed random batch (PyTorch: one zero_grad/forward/"
                                 "backward/step on it)"),
        },
        "batch_sizes": batch_sizes,
        "skipped": skipped,
        "import": imports,
        "seed": seed,
        "throughput": throughput,
        "latency": extra.get("latency"),
        "limits": extra.get("limits"),
        "predict_rows": 256 if args.smoke else PREDICT_ROWS,
        "scaling": scaling,
    }
    mlp = throughput.get("mlp", {}).get("neuronet", {})
    if extra.get("limits"):
        flops = mlp_step_flops(batch_sizes["mlp"])
        peak = extra["limits"]["peak_gflops"]
        ceiling = peak * 1e9 / flops * batch_sizes["mlp"]
        report["mlp_gemm"] = {
            "peak_gflops": peak, "flops_per_step": flops, "ceiling_samples_per_s": ceiling,
            "neuronet_fraction_of_peak": (mlp["samples_per_s"] / ceiling) if mlp.get("samples_per_s") else None,
        }
    say("per-op overhead")
    report["op_overhead"] = run_op_overhead(args.python, args, log_file)
    say(f"  {report['op_overhead'].get('status')}" + (f": {report['op_overhead'].get('reason')}"
                                                      if report["op_overhead"].get("reason") else ""))
    log_file.close()
    # The workers' stderr is kept only when something failed, to read why.
    failed = [e for res in [seed, *throughput.values()] for e in res.values() if e.get("status") != "ok"]
    failed += [p for p in scaling if p.get("status") != "ok"]
    if failed or report["op_overhead"].get("status") == "error":
        say(f"worker log (stderr of the workers): {log_file.name}")
    else:
        os.remove(log_file.name)
    report["elapsed_s"] = time.perf_counter() - started
    report["machine"]["load_average_before"] = [round(v, 2) for v in load_before]
    report["machine"]["load_average_after"] = [round(v, 2) for v in os.getloadavg()]

    markdown = render_markdown(report)
    md_path = os.path.join(out_dir, f"{stem}.md")
    json_path = os.path.join(out_dir, f"{stem}.json")
    # Written to a temporary name first, then renamed: an interrupted run never leaves a half file.
    for path, text in ((json_path, json.dumps(report, indent=2) + "\n"), (md_path, markdown)):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    say()
    say(markdown)
    say(f"wrote {md_path} and {json_path} in {report['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
