"""Per-op overhead of the autograd engine, side by side with PyTorch when it is installed.

Small networks spend their time in the bookkeeping around each NumPy call (creating Tensors,
recording the graph, walking it backward), not in arithmetic. This script measures that cost:

1. a chain of N elementwise ops (multiply, add, tanh, relu, sigmoid, ...) on tiny 4×4 float32
   tensors: µs per op for forward only, and for forward + backward;
2. one training step of a 20-64-10 MLP (batch 32) written with raw ops: matmul, bias add, relu,
   matmul, bias add, log_softmax, pick the label column, mean, backward — and the same step in plain
   NumPy by hand (the floor: no engine at all);
3. the hot training ops on a 128×512 float32 batch, forward + backward each: matmul by a 512×512
   weight, bias add, relu, sigmoid, tanh, gelu, softmax, mean. Here the arithmetic dominates, and
   what shows is how the ops use NumPy (passes over memory, allocations).

Everything runs on one thread (NumPy's BLAS through threadpoolctl when it is installed, PyTorch
through ``set_num_threads(1)``): with two thread pools spinning on a shared 2-core machine, GEMM
timings swing by 100×, and per-op cost is a single-thread matter anyway.

Each figure is the best (minimum) of several repeats — for microbenchmarks on a shared machine the
minimum is the figure least disturbed by other processes; peers run interleaved in the same process,
so the ratios hold even when the machine drifts. ``--baseline DIR`` also times another copy of the
neuronet package (e.g. an older checkout extracted with ``git archive``), interleaved, to measure a
change before and after.

Usage::

    python benchmarks/op_overhead.py [--n 200] [--repeats 7] [--baseline /tmp/old/neuronet]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time

import numpy as np

import neuronet as nn

try:  # optional peer
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

try:  # optional: limits NumPy's BLAS threads
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - depends on the machine
    threadpool_limits = None


def _best_time(fn, repeats: int, min_time: float = 0.2) -> float:
    """Best over ``repeats`` of the seconds per call of ``fn`` (each repeat runs about ``min_time`` s)."""
    fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start >= min_time / 4:
            break
        calls *= 2
    calls = max(1, int(calls * (min_time / 4) / max(time.perf_counter() - start, 1e-9)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return min(times)


# ----------------------------------------------------------------------------- elementwise chain
def _neuronet_chain(ops, x, n: int):
    steps = (
        lambda y: y * 1.01,
        lambda y: y + 0.1,
        ops.tanh,
        lambda y: y * x,
        ops.relu,
        ops.sigmoid,
        lambda y: y - x,
        ops.exp,
    )
    y = x
    for i in range(n):
        y = steps[i % len(steps)](y)
    return y


def _torch_chain(x, n: int):
    steps = (
        lambda y: y * 1.01,
        lambda y: y + 0.1,
        torch.tanh,
        lambda y: y * x,
        torch.relu,
        torch.sigmoid,
        lambda y: y - x,
        torch.exp,
    )
    y = x
    for i in range(n):
        y = steps[i % len(steps)](y)
    return y


def bench_chain(n: int, repeats: int, libs: dict) -> dict:
    data = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32) * 0.1
    results = {}
    for label, lib in libs.items():
        x = lib.Tensor(data, requires_grad=True)

        def nn_forward(lib=lib, x=x):
            _neuronet_chain(lib.ops, x, n)

        def nn_step(lib=lib, x=x):
            x.grad = None
            _neuronet_chain(lib.ops, x, n).sum().backward()

        results[f"{label} forward"] = _best_time(nn_forward, repeats) / n
        results[f"{label} forward+backward"] = _best_time(nn_step, repeats) / n
    if torch is not None:
        tx = torch.tensor(data, requires_grad=True)

        def torch_forward():
            _torch_chain(tx, n)

        def torch_step():
            tx.grad = None
            _torch_chain(tx, n).sum().backward()

        results["torch forward"] = _best_time(torch_forward, repeats) / n
        results["torch forward+backward"] = _best_time(torch_step, repeats) / n
    return results


# ----------------------------------------------------------------------------- MLP step
def bench_mlp(repeats: int, libs: dict, batch: int = 32) -> dict:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 20)).astype(np.float32)
    labels = rng.integers(0, 10, batch)
    w1 = (rng.standard_normal((20, 64)) * 0.2).astype(np.float32)
    b1 = np.zeros(64, np.float32)
    w2 = (rng.standard_normal((64, 10)) * 0.2).astype(np.float32)
    b2 = np.zeros(10, np.float32)
    results = {}

    pick = labels[:, None]

    def nn_step(lib, params):
        ops = lib.ops
        W1, B1, W2, B2 = params
        for p in params:
            p.grad = None
        h = ops.relu(ops.matmul(x, W1) + B1)
        logp = ops.log_softmax(ops.matmul(h, W2) + B2)
        loss = -ops.mean(ops.take_along_axis(logp, pick, axis=1))
        loss.backward()

    def numpy_step():
        # the same step by hand: forward, then the derivatives written out
        z1 = x @ w1 + b1
        h = np.maximum(z1, 0)
        z2 = h @ w2 + b2
        z2 = z2 - z2.max(axis=1, keepdims=True)
        e = np.exp(z2)
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(batch), labels] -= 1
        gz2 = p * (1.0 / batch)
        gw2 = h.T @ gz2
        gb2 = gz2.sum(axis=0)
        gz1 = (gz2 @ w2.T) * (z1 > 0)
        gw1 = x.T @ gz1
        gb1 = gz1.sum(axis=0)
        return gw1, gb1, gw2, gb2

    for label, lib in libs.items():
        if not hasattr(lib.ops, "log_softmax") or not hasattr(lib.ops, "take_along_axis"):
            continue  # an older copy without these ops
        params = [lib.Variable(a.copy()) for a in (w1, b1, w2, b2)]
        results[f"{label} MLP step"] = _best_time(lambda lib=lib, params=params: nn_step(lib, params), repeats)
    results["numpy by hand MLP step"] = _best_time(numpy_step, repeats)
    if torch is not None:
        tparams = [torch.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
        tx, tlabels = torch.tensor(x), torch.tensor(labels)

        def torch_step():
            W1, B1, W2, B2 = tparams
            for p in tparams:
                p.grad = None
            h = torch.relu(tx @ W1 + B1)
            logp = torch.log_softmax(h @ W2 + B2, dim=1)
            loss = -logp.gather(1, tlabels[:, None]).mean()
            loss.backward()

        results["torch MLP step"] = _best_time(torch_step, repeats)
    return results


# ----------------------------------------------------------------------------- hot ops on a batch
def _hot_ops(ops, w, b):
    # an older copy given by --baseline may lack some ops: those are None and shown as n/a
    return {
        "matmul 512x512": lambda x: ops.matmul(x, w),
        "bias add": lambda x: x + b,
        "relu": ops.relu,
        "sigmoid": ops.sigmoid,
        "tanh": ops.tanh,
        "gelu (tanh approx.)": getattr(ops, "gelu", None),
        "softmax": getattr(ops, "softmax", None),
        "mean": ops.mean,
    }


def bench_hot_ops(repeats: int, libs: dict) -> dict:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((128, 512)).astype(np.float32)
    w_data = (rng.standard_normal((512, 512)) * 0.05).astype(np.float32)
    b_data = np.zeros(512, np.float32)
    results = {}
    for label, lib in libs.items():
        x, w, b = (lib.Tensor(a, requires_grad=True) for a in (data, w_data, b_data))
        for name, fn in _hot_ops(lib.ops, w, b).items():
            if fn is None:
                continue

            def step(fn=fn, x=x, w=w, b=b):
                x.grad = w.grad = b.grad = None
                y = fn(x)
                y.backward(np.ones(y.shape, np.float32))
            results.setdefault(name, {})[label] = _best_time(step, repeats, min_time=0.1)
    if torch is not None:
        F = torch.nn.functional
        x, w, b = (torch.tensor(a, requires_grad=True) for a in (data, w_data, b_data))
        torch_ops = {
            "matmul 512x512": lambda t: t @ w, "bias add": lambda t: t + b, "relu": torch.relu,
            "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "gelu (tanh approx.)": lambda t: F.gelu(t, approximate="tanh"),
            "softmax": lambda t: torch.softmax(t, dim=-1), "mean": torch.mean,
        }
        for name, fn in torch_ops.items():
            def step(fn=fn):
                x.grad = w.grad = b.grad = None
                y = fn(x)
                y.backward(torch.ones_like(y))
            results[name]["torch"] = _best_time(step, repeats, min_time=0.1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="ops in the elementwise chain (default 200)")
    parser.add_argument("--repeats", type=int, default=7, help="repeats per figure; the best is shown")
    parser.add_argument("--baseline", help="directory of another neuronet package to time alongside")
    args = parser.parse_args()
    libs = {"neuronet": nn}
    if args.baseline:
        libs["baseline"] = _load_baseline(args.baseline)
    if torch is None:
        print("torch is not installed: its columns are skipped")
    else:
        torch.set_num_threads(1)
    if threadpool_limits is not None:
        threadpool_limits(1)
    else:
        print("threadpoolctl is not installed: NumPy's BLAS keeps its default threads")
    print(f"elementwise chain of {args.n} ops on 4x4 float32 (µs per op, best of {args.repeats})")
    for name, seconds in bench_chain(args.n, args.repeats, libs).items():
        print(f"  {name:<28s} {seconds * 1e6:8.2f} µs/op")
    print("one training step, 20-64-10 MLP, batch 32, softmax cross-entropy (µs per step)")
    for name, seconds in bench_mlp(args.repeats, libs).items():
        print(f"  {name:<28s} {seconds * 1e6:8.1f} µs/step")
    hot = bench_hot_ops(args.repeats, libs)
    columns = list(libs) + (["torch"] if torch is not None else [])
    print("hot ops on a 128x512 float32 batch, forward+backward (µs)")
    print("  " + f"{'op':<22s}" + "".join(f"{c:>12s}" for c in columns))
    for name, row in hot.items():
        print("  " + f"{name:<22s}" + "".join(f"{row[c] * 1e6:12.1f}" if c in row else f"{'n/a':>12s}"
                                               for c in columns))


def _load_baseline(path: str):
    """Import the neuronet package in directory ``path`` under another name, beside the current one."""
    spec = importlib.util.spec_from_file_location(
        "neuronet_baseline", f"{path.rstrip('/')}/__init__.py", submodule_search_locations=[path]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["neuronet_baseline"] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
