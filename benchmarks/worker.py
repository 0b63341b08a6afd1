"""One framework, one workload, in its own process: the measuring side of the benchmark harness.

``run.py`` starts one worker per (framework, workload), so imports and peak RSS stay separate, and
drives all workers of a workload in turn (round-robin) so their measurements interleave in time.

Protocol: one JSON object per line. The worker reads commands on stdin and answers each with one
line on its original stdout (anything a library prints is sent to stderr instead):

    {"cmd": "setup", "workload": "mlp", "smoke": false, "mode": "fit", "seconds": 5.0}
    {"cmd": "measure"}               → training samples/s over ≥ `seconds`
    {"cmd": "seed", "data": PATH}    → one end-to-end run of the seed example (data from an .npz)
    {"cmd": "latency", "calls": 200} → single-sample predict latency of the tiny model
    {"cmd": "gemm_peak"}             → NumPy float32 GEMM GFLOP/s (the mlp ceiling)
    {"cmd": "quit"}

Every answer carries "status" ("ok", "unavailable" or "error") and "peak_rss_mb" (ru_maxrss).

Usage: python benchmarks/worker.py FRAMEWORK   (neuronet, torch, keras-tensorflow, keras-jax, sklearn)
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import sys
import time
import traceback
import warnings

FRAMEWORKS = ("neuronet", "torch", "keras-tensorflow", "keras-jax", "sklearn")


def _children() -> list:
    """/proc entries of this process's live child processes (e.g. neuronet's helper processes)."""
    me, found = os.getpid(), []
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return found
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.append((entry, fields))
    return found


def peak_rss_mb() -> float:
    """Peak resident set size in MiB of this process (Linux reports ru_maxrss in KiB) plus the peaks of
    its live child processes, so a framework's helper processes count."""
    total = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    for entry, _ in _children():
        try:
            with open(f"/proc/{entry}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024.0
        except (OSError, StopIteration, ValueError):
            pass
    return total


def cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its live child processes."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return time.process_time() + sum((int(f[11]) + int(f[12])) / tick for _, f in _children())


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


class Runner:
    """Measures one framework. Subclasses fill in the framework-specific parts."""

    framework = ""

    def __init__(self):
        self.workload = None
        self.smoke = False
        self.mode = "fit"
        self.seconds = 5.0
        start = time.perf_counter()
        self.import_framework()
        self.import_s = time.perf_counter() - start

    # -- framework hooks ------------------------------------------------------------------------
    def import_framework(self):
        raise NotImplementedError

    def versions(self) -> dict:
        return {}

    def build(self, workload):
        raise NotImplementedError(f"{self.framework} does not run the {workload.name} workload")

    def fit_epoch(self, x, y):
        """Run one epoch over (x, y) in batches; return nothing."""
        raise NotImplementedError

    def train_step(self, xb, yb):
        raise NotImplementedError

    def seed_run(self, data_path: str | None = None) -> dict:
        raise NotImplementedError(f"{self.framework} does not run the seed example")

    def predict_one(self, x1):
        raise NotImplementedError

    def call_one(self, x1):
        raise NotImplementedError

    # -- shared measuring logic -----------------------------------------------------------------
    def setup(self, workload_name: str, smoke: bool, mode: str, seconds: float) -> dict:
        from workloads import SMOKE_BATCHES_PER_EPOCH, WORKLOADS, Workload, make_data

        self.smoke, self.mode, self.seconds = smoke, mode, seconds
        if workload_name == "seed":
            self.workload = None
            return {}
        workload = WORKLOADS[workload_name]
        if smoke:  # same architecture, a handful of samples
            workload = Workload(
                workload.name, workload.input_shape, min(workload.batch_size, 8), SMOKE_BATCHES_PER_EPOCH,
                workload.description, workload.autoencoder,
            )
        self.workload = workload
        x, y = make_data(workload, workload.batches_per_epoch)
        self.build(workload)
        self.x, self.y = self.prepare(x, y)
        b = workload.batch_size
        # 3 warm-up steps (they also trace/compile where a framework does that), then 3 more timed
        # to estimate the step time; an epoch never runs longer than the measuring window.
        warm = time.perf_counter()
        self.run_steps(3)
        warm_s = time.perf_counter() - warm
        est = time.perf_counter()
        self.run_steps(3)
        step_s = (time.perf_counter() - est) / 3
        self.epoch_batches = workload.batches_per_epoch
        if step_s * self.epoch_batches > seconds:
            self.epoch_batches = max(3, int(seconds / max(step_s, 1e-9)))
        return {"batch_size": b, "epoch_batches": self.epoch_batches, "warmup_s": warm_s, "step_estimate_s": step_s}

    def prepare(self, x, y):
        return x, y

    def run_steps(self, n: int):
        b = self.workload.batch_size
        if self.mode == "step":
            for _ in range(n):
                self.train_step(self.batch(0, b), self.batch_y(0, b))
        else:
            self.fit_epoch(self.x[: n * b], self.y[: n * b])

    def batch(self, i, b):
        return self.x[i * b:(i + 1) * b]

    def batch_y(self, i, b):
        return self.y[i * b:(i + 1) * b]

    def measure(self) -> dict:
        """Training samples/s: whole epochs (fit mode) or train steps (step mode) until ≥ `seconds`."""
        b = self.workload.batch_size
        n = self.epoch_batches
        xs, ys = self.x[: n * b], self.y[: n * b]
        xb, yb = self.batch(0, b), self.batch_y(0, b)
        samples = 0
        cpu_start = cpu_seconds()  # all threads and child processes: spinning thread pools count too
        start = time.perf_counter()
        while True:
            if self.mode == "step":
                self.train_step(xb, yb)
                samples += b
            else:
                self.fit_epoch(xs, ys)
                samples += n * b
            elapsed = time.perf_counter() - start
            if elapsed >= self.seconds:
                break
        cpu = cpu_seconds() - cpu_start
        return {"samples_per_s": samples / elapsed, "samples": samples, "elapsed_s": elapsed, "cpu_s": cpu,
                "samples_per_cpu_s": samples / cpu if cpu > 0 else None}

    def latency(self, calls: int) -> dict:
        """Median µs of one-sample ``predict`` and of a direct forward call on the tiny model."""
        import numpy as np

        from workloads import WORKLOADS

        if self.workload is None or self.workload.name != "tiny":
            self.build(WORKLOADS["tiny"])
        x1 = np.random.default_rng(1).standard_normal((1, 20), dtype=np.float32)
        out = {}
        for key, fn in (("predict_us", self.predict_one), ("call_us", self.call_one)):
            try:
                for _ in range(5):
                    fn(x1)
                times = []
                for _ in range(calls):
                    t = time.perf_counter()
                    fn(x1)
                    times.append(time.perf_counter() - t)
                out[key] = statistics.median(times) * 1e6
            except NotImplementedError:
                out[key] = None
        return out

    def gemm_peak(self) -> dict:
        """Best-of-several GFLOP/s of a 1024³ float32 NumPy matmul: the GEMM ceiling of a NumPy design."""
        import numpy as np

        n = 1024
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        c = rng.standard_normal((n, n), dtype=np.float32)
        a @ c
        best = math.inf
        for _ in range(5 if not self.smoke else 1):
            t = time.perf_counter()
            a @ c
            best = min(best, time.perf_counter() - t)
        return {"gflops": 2 * n**3 / best / 1e9}


# ---------------------------------------------------------------------------------------------------


class KerasAPIRunner(Runner):
    """neuronet and Keras share the Keras API, so they share this runner."""

    module = None  # set by import_framework

    def build(self, workload):
        from workloads import build_keras_model

        self.model = build_keras_model(self.module, workload)

    def fit_epoch(self, x, y):
        self.model.fit(x, y, batch_size=self.workload.batch_size, epochs=1, shuffle=False, verbose=0)

    def train_step(self, xb, yb):
        self.model.train_on_batch(xb, yb)

    def predict_one(self, x1):
        self.model.predict(x1, verbose=0)

    def call_one(self, x1):
        self.model(x1, training=False)

    def seed_run(self, data_path: str | None = None) -> dict:
        import numpy as np

        from workloads import SEED_BATCH, SEED_EPOCHS, build_keras_seed_model, seed_data

        x_train, x_test, y_train, y_test = seed_data(data_path)
        start = time.perf_counter()
        model = build_keras_seed_model(self.module)
        built = time.perf_counter()
        model.fit(x_train, y_train, epochs=SEED_EPOCHS, batch_size=SEED_BATCH, validation_data=(x_test, y_test),
                  verbose=0)
        fitted = time.perf_counter()
        proba = np.asarray(model.predict(x_test, verbose=0)).reshape(-1)
        done = time.perf_counter()
        accuracy = float(np.mean((proba > 0.5) == (y_test > 0.5)))
        return {"fit_s": fitted - built, "total_s": done - start, "test_accuracy": accuracy}


class NeuronetRunner(KerasAPIRunner):
    framework = "neuronet"

    def import_framework(self):
        import neuronet

        self.module = neuronet

    def versions(self):
        import numpy as np

        return {"neuronet": getattr(self.module, "__version__", "?"), "numpy": np.__version__}


class KerasRunner(KerasAPIRunner):
    backend = ""

    def import_framework(self):
        os.environ["KERAS_BACKEND"] = self.backend
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras

        if keras.backend.backend() != self.backend:
            raise RuntimeError(f"keras picked backend {keras.backend.backend()!r}, not {self.backend!r}")
        threads = os.environ.get("NEURONET_BENCH_THREADS")
        if threads and self.backend == "tensorflow":
            import tensorflow as tf

            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(int(threads))
        self.module = keras

    def versions(self):
        import keras

        out = {"keras": keras.__version__}
        if self.backend == "tensorflow":
            import tensorflow as tf

            out["tensorflow"] = tf.__version__
        else:
            import jax

            out["jax"] = jax.__version__
        return out


class KerasTFRunner(KerasRunner):
    framework = "keras-tensorflow"
    backend = "tensorflow"


class KerasJAXRunner(KerasRunner):
    framework = "keras-jax"
    backend = "jax"


class TorchRunner(Runner):
    framework = "torch"

    def import_framework(self):
        import torch

        threads = os.environ.get("NEURONET_BENCH_THREADS")
        if threads:
            torch.set_num_threads(int(threads))
        self.torch = torch

    def versions(self):
        return {"torch": self.torch.__version__, "torch_threads": self.torch.get_num_threads()}

    def build(self, workload):
        from workloads import build_torch_model

        self.model, self.loss_fn, self.optimizer, self._prepare_x = build_torch_model(self.torch, workload)
        self.model.train()

    def prepare(self, x, y):
        yt = self.torch.from_numpy(y)
        return self._prepare_x(x), yt

    def train_step(self, xb, yb):
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.optimizer.step()

    def fit_epoch(self, x, y):
        b = self.workload.batch_size
        for i in range(0, len(x), b):
            self.train_step(x[i:i + b], y[i:i + b])

    def predict_one(self, x1):
        with self.torch.no_grad():
            self.model(self.torch.from_numpy(x1))

    def call_one(self, x1):
        self.model.eval()
        self.predict_one(x1)

    def seed_run(self, data_path: str | None = None) -> dict:
        """The seed example written the PyTorch way: shuffled minibatches, validation loss/accuracy per epoch."""
        from workloads import SEED_BATCH, SEED_EPOCHS, seed_data

        torch = self.torch
        nn = torch.nn
        x_train, x_test, y_train, y_test = (torch.from_numpy(a) for a in seed_data(data_path))
        start = time.perf_counter()
        model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 1))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.BCEWithLogitsLoss()
        built = time.perf_counter()
        n = len(x_train)
        for _ in range(SEED_EPOCHS):
            model.train()
            order = torch.randperm(n)
            for i in range(0, n, SEED_BATCH):
                idx = order[i:i + SEED_BATCH]
                optimizer.zero_grad()
                loss = loss_fn(model(x_train[idx]).squeeze(1), y_train[idx])
                loss.backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                logits = model(x_test).squeeze(1)
                loss_fn(logits, y_test).item()
                ((logits > 0) == (y_test > 0.5)).float().mean().item()
        fitted = time.perf_counter()
        with torch.no_grad():
            proba = torch.sigmoid(model(x_test).squeeze(1))
        done = time.perf_counter()
        accuracy = float(((proba > 0.5) == (y_test > 0.5)).float().mean())
        return {"fit_s": fitted - built, "total_s": done - start, "test_accuracy": accuracy}


class SklearnRunner(Runner):
    framework = "sklearn"

    def import_framework(self):
        import sklearn
        import sklearn.neural_network

        self.sklearn = sklearn

    def versions(self):
        return {"scikit-learn": self.sklearn.__version__}

    def seed_run(self, data_path: str | None = None) -> dict:
        """MLPClassifier(hidden 64, adam, lr 1e-3, batch 32, 10 epochs): the seed example's twin."""
        import numpy as np
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        from workloads import SEED_BATCH, SEED_EPOCHS, seed_data

        x_train, x_test, y_train, y_test = seed_data(data_path)
        start = time.perf_counter()
        model = MLPClassifier(hidden_layer_sizes=(64,), solver="adam", learning_rate_init=1e-3,
                              batch_size=SEED_BATCH, max_iter=SEED_EPOCHS)
        built = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_train, y_train)
        fitted = time.perf_counter()
        pred = model.predict(x_test)
        done = time.perf_counter()
        return {"fit_s": fitted - built, "total_s": done - start, "test_accuracy": float(np.mean(pred == y_test))}


RUNNERS = {r.framework: r for r in (NeuronetRunner, TorchRunner, KerasTFRunner, KerasJAXRunner, SklearnRunner)}
RUNNERS["neuronet-baseline"] = NeuronetRunner  # run.py --baseline: neuronet from another checkout (PYTHONPATH)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in RUNNERS:
        print(f"usage: worker.py FRAMEWORK  (one of {', '.join(FRAMEWORKS)})", file=sys.stderr)
        return 2
    # The protocol keeps the original stdout; whatever libraries print goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    def reply(status: str, **fields):
        fields.update(status=status, peak_rss_mb=peak_rss_mb())
        protocol.write(json.dumps(fields) + "\n")

    # A peer that is not installed (or lacks what a workload uses) is "unavailable" and skipped; for
    # neuronet, the library measured, any failure is an "error" (tests/test_benchmarks_smoke.py fails on it).
    ours = argv[0] in ("neuronet", "neuronet-baseline")
    try:
        runner = RUNNERS[argv[0]]()
    except Exception as exc:  # not installed, or broken: the orchestrator reports it as skipped
        reply("error" if ours else "unavailable", reason=_first_line(exc))
        return 0
    reply("ok", import_s=runner.import_s, versions=runner.versions(), pid=os.getpid())

    handlers = {
        "setup": lambda c: runner.setup(c["workload"], c.get("smoke", False), c.get("mode", "fit"),
                                        float(c.get("seconds", 5.0))),
        "measure": lambda c: runner.measure(),
        "seed": lambda c: runner.seed_run(c.get("data")),
        "latency": lambda c: runner.latency(int(c.get("calls", 200))),
        "gemm_peak": lambda c: runner.gemm_peak(),
    }
    failed = None  # (status, reason) once setup failed: every later command answers the same
    for line in sys.stdin:
        command = json.loads(line)
        name = command.get("cmd")
        if name == "quit":
            reply("ok")
            break
        if failed is not None and name != "gemm_peak":
            reply(failed[0], reason=failed[1])
            continue
        try:
            result = handlers[name](command)
            reply("ok", **result)
        except Exception as exc:
            traceback.print_exc()
            # NotImplementedError/AttributeError/ImportError: a peer lacks something the workload uses;
            # anything else, and anything from neuronet, is a real error.
            missing = not ours and isinstance(exc, (NotImplementedError, AttributeError, ImportError))
            status = "unavailable" if missing else "error"
            if name == "setup":
                failed = (status, _first_line(exc))
            reply(status, reason=_first_line(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
