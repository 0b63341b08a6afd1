"""The convolution path side by side: cifar and cnn training, cnn predict, and how a conv scales.

Every framework runs in its own worker process (so imports and peak RSS stay apart); the parent
asks each in turn for one measurement per repeat, so a drift of this shared machine hits all of
them alike. Reported per framework: the median samples/s by the wall clock and per CPU-second (all
threads of the worker), the spread (min–max), the ratio to the best peer in the same repeat, and the
worker's peak RSS (``ru_maxrss``: the whole process, data included).

Workloads:

    cifar     32×32×3: Conv2D(32,3,same,relu)×2 → MaxPool 2 → Conv2D(64,3,same,relu)×2 → MaxPool 2
              → Flatten → Dense(256, relu) → Dense(10); batch 128, Adam(1e-3), softmax CE from logits
    cnn       28×28×1: Conv2D(32,3,relu) → MaxPool 2 → Conv2D(64,3,relu) → MaxPool 2 → Flatten
              → Dense(128, relu) → Dense(10); batch 64
    predict   ``model.predict`` of the cnn model over ``--rows`` rows (default 100k), batch 1024
              (PyTorch: ``eval()`` and ``no_grad()`` over the same batches)

Usage (the peers live in /work/main/.venv-bench)::

    PY=/work/main/.venv-bench/bin/python
    $PY benchmarks/conv_bench.py train cifar --threads 1            # every framework on one thread
    $PY benchmarks/conv_bench.py train cnn --frameworks neuronet,torch
    $PY benchmarks/conv_bench.py predict --rows 100000
    $PY benchmarks/conv_bench.py train cifar --baseline /tmp/old    # also the neuronet found in /tmp/old
    $PY benchmarks/conv_bench.py scaling                            # neuronet: one conv vs image size, channels
    $PY benchmarks/conv_bench.py profile cifar                      # neuronet: time per op in one step

``--threads N`` gives every framework N threads: torch ``set_num_threads``, TensorFlow's intra- and
inter-op pools, XLA's CPU pool for JAX (through ``XLA_FLAGS``), OpenBLAS and neuronet's
``NEURONET_NUM_THREADS``. Without it each framework uses the machine as it chooses. With
``--cpus 0`` (a ``taskset`` list) every worker is pinned to those CPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

FRAMEWORKS = ("neuronet", "torch", "keras-tensorflow", "keras-jax")
BATCH = {"cifar": 128, "cnn": 64}
SHAPE = {"cifar": (32, 32, 3), "cnn": (28, 28, 1)}
PREDICT_BATCH = 1024


# ----------------------------------------------------------------------------------------- the models
def keras_model(K, workload: str):
    """The workload's model, compiled, with the Keras-API module ``K`` (neuronet or keras)."""
    L = K.layers
    if workload == "cifar":
        body = [L.Conv2D(32, 3, padding="same", activation="relu"), L.Conv2D(32, 3, padding="same", activation="relu"),
                L.MaxPooling2D(2),
                L.Conv2D(64, 3, padding="same", activation="relu"), L.Conv2D(64, 3, padding="same", activation="relu"),
                L.MaxPooling2D(2), L.Flatten(), L.Dense(256, activation="relu"), L.Dense(10)]
    else:
        body = [L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                L.MaxPooling2D(2), L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10)]
    model = K.Sequential([K.Input(shape=SHAPE[workload]), *body])
    model.compile(optimizer=K.optimizers.Adam(learning_rate=1e-3),
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def torch_model(torch, workload: str):
    nn = torch.nn
    if workload == "cifar":
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


def make_data(workload: str, rows: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, *SHAPE[workload]), dtype=np.float32)
    return x, rng.integers(0, 10, rows)


# ----------------------------------------------------------------------------------------- the worker
class Worker:
    """One framework in this process: ``setup`` builds the model and data, ``measure`` times them."""

    def __init__(self, framework: str, threads: int | None):
        self.framework, self.threads = framework, threads
        start = time.perf_counter()
        if framework.startswith("neuronet"):
            import neuronet

            self.K = neuronet
        elif framework == "torch":
            import torch

            if threads:
                torch.set_num_threads(threads)
                torch.set_num_interop_threads(threads)
            self.torch = torch
        else:
            os.environ["KERAS_BACKEND"] = framework.split("-")[1]
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import keras

            if threads and framework == "keras-tensorflow":
                import tensorflow as tf

                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(threads)
            self.K = keras
        self.import_s = time.perf_counter() - start

    def setup(self, task: str, workload: str, rows: int, seconds: float) -> dict:
        self.task, self.workload, self.seconds = task, workload, seconds
        if task == "predict":
            self.x, _ = make_data("cnn", rows)
            self.batch = PREDICT_BATCH
        else:
            self.batch = BATCH[workload]
            self.x, self.y = make_data(workload, 8 * self.batch)
        if self.framework == "torch":
            torch = self.torch
            torch.manual_seed(0)
            self.model = torch_model(torch, "cnn" if task == "predict" else workload)
            self.xt = torch.from_numpy(self.x.transpose(0, 3, 1, 2).copy())
            if task == "predict":
                self.model.eval()
            else:
                self.yt = torch.from_numpy(self.y)
                self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)
                self.loss = torch.nn.CrossEntropyLoss()
        else:
            self.model = keras_model(self.K, "cnn" if task == "predict" else workload)
        # warm-up: traces and compiles where a framework does (JAX: the full and the last partial batch)
        if task == "predict":
            n = min(len(self.x), 2 * self.batch + len(self.x) % self.batch)
            self.run(self.x[:n])
        else:
            self.run(self.x[:3 * self.batch], self.y[:3 * self.batch])
        return {"import_s": self.import_s}

    def run(self, x, y=None):
        """One pass: fit over ``(x, y)`` (one epoch, in batches), or predict ``x``."""
        b = self.batch
        if self.framework == "torch":
            torch = self.torch
            xt = self.xt[:len(x)]
            if self.task == "predict":
                with torch.no_grad():
                    for i in range(0, len(xt), b):
                        self.model(xt[i:i + b])
                return
            for i in range(0, len(xt), b):
                self.opt.zero_grad()
                self.loss(self.model(xt[i:i + b]), self.yt[i:i + b]).backward()
                self.opt.step()
            return
        if self.task == "predict":
            self.model.predict(x, batch_size=b, verbose=0)
        else:
            self.model.fit(x, y, batch_size=b, epochs=1, shuffle=False, verbose=0)

    def measure(self) -> dict:
        """Samples/s over at least ``seconds`` (predict: one pass over every row)."""
        samples, cpu, start = 0, time.process_time(), time.perf_counter()
        while True:
            if self.task == "predict":
                self.run(self.x)
                samples += len(self.x)
            else:
                self.run(self.x, self.y)
                samples += len(self.x)
            elapsed = time.perf_counter() - start
            if elapsed >= self.seconds:
                break
        return {"wall": samples / elapsed, "cpu": samples / (time.process_time() - cpu)}


def worker_main(framework: str, threads: int | None) -> int:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever the libraries print goes to stderr
    sys.stdout = sys.stderr
    worker = Worker(framework, threads)
    protocol.write(json.dumps({"ok": True}) + "\n")
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        out = worker.setup(cmd["task"], cmd["workload"], cmd["rows"], cmd["seconds"]) if cmd["cmd"] == "setup" \
            else worker.measure()
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        protocol.write(json.dumps(out) + "\n")
    return 0


# ----------------------------------------------------------------------------------------- the parent
def _env(framework: str, args) -> dict:
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    root = args.baseline if framework == "neuronet-baseline" else here
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # force old kernels on this machine (see README)
        env.pop(key, None)
    if args.threads:
        t = str(args.threads)
        env.update(OPENBLAS_NUM_THREADS=t, OMP_NUM_THREADS=t, NEURONET_NUM_THREADS=t,
                   XLA_FLAGS=f"--xla_cpu_multi_thread_eigen={'true' if args.threads > 1 else 'false'} "
                             f"intra_op_parallelism_threads={t}")
    return env


def _start(framework: str, args):
    cmd = [sys.executable, os.path.abspath(__file__), "_worker", framework]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if args.cpus:
        cmd = ["taskset", "-c", args.cpus] + cmd
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(framework, args))
    first = proc.stdout.readline()
    if not first:
        print(f"{framework}: the worker did not start (not installed?) — skipped")
        return None
    return proc


def _ask(proc, **cmd) -> dict:
    proc.stdin.write(json.dumps(cmd) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError("the worker died")
    return json.loads(line)


def compare(args) -> None:
    frameworks = [f.strip() for f in args.frameworks.split(",")]
    if args.baseline:
        frameworks.insert(1, "neuronet-baseline")
    workload = "cnn" if args.task == "predict" else args.workload
    procs, rss = {}, {}
    for fw in frameworks:
        proc = _start(fw, args)
        if proc is None:
            continue
        try:
            rss[fw] = _ask(proc, cmd="setup", task=args.task, workload=workload, rows=args.rows,
                           seconds=args.seconds)["rss_mb"]
            procs[fw] = proc
        except RuntimeError:
            print(f"{fw}: setup failed — skipped")
    load = os.getloadavg()[0]
    what = f"predict of the cnn model over {args.rows} rows, batch {PREDICT_BATCH}" if args.task == "predict" \
        else f"{workload} training, batch {BATCH[workload]} (model.fit epochs of 8 batches)"
    print(f"{what}; threads {args.threads or 'default'}; cpus {args.cpus or 'all'}; {args.repeats} repeats; "
          f"load {load:.1f} at start")
    results = {fw: [] for fw in procs}
    for r in range(args.repeats):
        order = list(procs) if r % 2 == 0 else list(reversed(procs))  # alternate who goes first
        for fw in order:
            out = _ask(procs[fw], cmd="measure")
            results[fw].append(out)
            rss[fw] = out["rss_mb"]
        print(f"repeat {r}: " + "  ".join(f"{fw} {results[fw][-1]['wall']:.0f} (cpu {results[fw][-1]['cpu']:.0f})"
                                           for fw in procs), flush=True)
    for proc in procs.values():
        proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
        proc.stdin.flush()
        proc.wait()
    peers = [fw for fw in procs if not fw.startswith("neuronet")]
    print(f"load {os.getloadavg()[0]:.1f} at end")
    print(f"{'framework':18} {'samples/s (min–max)':>24} {'per CPU-s (min–max)':>24} {'peak RSS MB':>12}"
          f" {'÷ best peer':>12} {'cpu ÷ best':>11}")
    for fw, res in results.items():
        cells = []
        for key in ("wall", "cpu"):
            vals = [o[key] for o in res]
            cells.append(f"{statistics.median(vals):8.0f} ({min(vals):.0f}–{max(vals):.0f})")
        ratios = []
        for key in ("wall", "cpu"):
            if peers:  # the median over repeats of (this / the best peer of that repeat)
                ratios.append(statistics.median(o[key] / max(results[p][i][key] for p in peers)
                                                for i, o in enumerate(res)))
        ratio_text = "".join(f" {x:11.2f}" for x in ratios)
        print(f"{fw:18} {cells[0]:>24} {cells[1]:>24} {rss[fw]:12.0f}{ratio_text}")


# ----------------------------------------------------------------------------------------- neuronet only
def scaling(args) -> None:
    """One 3×3 'same' conv (+ relu), forward and backward, over image sizes and channel counts: time
    per sample and the peak of NumPy's allocations (tracemalloc) during the step, beyond its inputs."""
    import tracemalloc

    import numpy as np

    import neuronet
    from neuronet import ops

    rng = np.random.default_rng(0)
    print(f"one Conv2D(3×3, same, relu) forward + backward, batch {args.batch}; neuronet threads "
          f"{neuronet.runtime.policy.num_threads}; load {os.getloadavg()[0]:.1f}")
    print(f"{'size':>5} {'cin':>4} {'cout':>5} {'ms/step':>9} {'µs/sample':>10} {'ps/MAC':>11}"
          f" {'peak MB':>8} {'peak / output':>14} {'predict ms':>11} {'predict peak MB':>16}")
    for size, cin, cout in [(28, 32, 32), (56, 32, 32), (112, 32, 32), (56, 16, 16), (56, 64, 64), (56, 128, 128),
                            (32, 3, 32), (64, 3, 32), (128, 3, 32)]:
        x = neuronet.Tensor(rng.standard_normal((args.batch, size, size, cin), dtype=np.float32), requires_grad=True)
        k = neuronet.Tensor(rng.standard_normal((3, 3, cin, cout), dtype=np.float32) * 0.1, requires_grad=True)
        b = neuronet.Tensor(np.zeros(cout, np.float32), requires_grad=True)

        def step():
            y = ops.conv(x, k, padding="same", bias=b, relu=True)
            y.backward(np.ones(y.shape, np.float32))
            x.grad = k.grad = b.grad = None

        def infer():
            with neuronet.no_grad():
                ops.conv(x, k, padding="same", bias=b, relu=True)

        out_mb = args.batch * size * size * cout * 4 / 2**20
        row = []
        for fn in (step, infer):
            fn()
            times = []
            for _ in range(args.repeats):
                t = time.process_time() if args.cpu_time else time.perf_counter()
                fn()
                times.append((time.process_time() if args.cpu_time else time.perf_counter()) - t)
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            fn()
            peak = (tracemalloc.get_traced_memory()[1] - base) / 2**20
            tracemalloc.stop()
            row.append((statistics.median(times), peak))
        macs = args.batch * size * size * 9 * cin * cout * 3  # forward + two backward GEMMs
        (t, peak), (ti, peaki) = row
        print(f"{size:5} {cin:4} {cout:5} {1e3 * t:9.2f} {1e6 * t / args.batch:10.1f} {1e12 * t / macs:11.2f}"
              f" {peak:8.1f} {peak / out_mb:14.2f} {1e3 * ti:11.2f} {peaki:16.1f}")


def profile(args) -> None:
    """Time of each op's forward and backward in neuronet's training step (one fit batch)."""
    import collections

    import neuronet

    model = keras_model(neuronet, args.workload)
    x, y = make_data(args.workload, BATCH[args.workload])
    times = collections.defaultdict(float)
    clock = time.process_time if args.cpu_time else time.perf_counter

    def wrap(cls):
        f0, b0 = cls.forward, cls.backward

        def forward(self, *a, **k):
            t = clock()
            out = f0(self, *a, **k)
            self._profile_name = f"{cls.__name__} {tuple(getattr(a[0], 'shape', ()))[1:]}"
            times[(self._profile_name, "forward")] += clock() - t
            return out

        def backward(self, *a, **k):
            t = clock()
            out = b0(self, *a, **k)
            times[(self._profile_name, "backward")] += clock() - t
            return out

        cls.forward, cls.backward = forward, backward

    for cls in _functions():
        if "forward" in vars(cls) and "backward" in vars(cls):
            wrap(cls)
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    times.clear()
    steps = args.repeats
    start = clock()
    for _ in range(steps):
        model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    total = (clock() - start) / steps
    print(f"{args.workload}: {1e3 * total:.1f} ms per fit step (batch {len(x)}, "
          f"{'CPU' if args.cpu_time else 'wall'} time), load {os.getloadavg()[0]:.1f}")
    for (name, kind), t in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {name:40} {kind:9} {1e3 * t / steps:8.2f} ms")
    print(f"  {'(everything else)':50} {1e3 * (total - sum(times.values()) / steps):8.2f} ms")


def _functions() -> list:
    """Every Function subclass of neuronet that is defined by now."""
    from neuronet.autograd import Function

    found, todo = [], [Function]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        threads = int(argv[3]) if len(argv) > 3 and argv[2] == "--threads" else None
        return worker_main(argv[1], threads)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("task", choices=("train", "predict", "scaling", "profile"))
    parser.add_argument("workload", nargs="?", default="cifar", choices=("cifar", "cnn"))
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    parser.add_argument("--baseline", default=None, help="a directory holding another neuronet/ to measure too")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--cpus", default=None, help="taskset CPU list every worker is pinned to")
    parser.add_argument("--batch", type=int, default=32, help="scaling: the batch")
    parser.add_argument("--cpu-time", action="store_true",
                        help="scaling, profile: time by CPU time, not the wall clock")
    args = parser.parse_args(argv)
    if args.task in ("train", "predict"):
        compare(args)
    elif args.task == "scaling":
        scaling(args)
    else:
        profile(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
