"""Side-by-side speed of the recurrent workloads: neuronet's fused LSTM/GRU against torch.nn.LSTM/GRU.

Workloads (BENCHMARKS.md 'lstm' and 'gru'): input (50 steps, 32 features), LSTM(128) or GRU(128) →
last state → Dense(10), batch 64, Adam(1e-3), softmax cross-entropy from logits, float32. The run
alternates the frameworks every 4 steps (after 3 warm-up steps) for ``--seconds`` each, and the
median step time gives the samples/s, with the ratio neuronet / torch. PyTorch runs with 2 threads
(``torch.set_num_threads(2)``, as BENCHMARKS.md) and, as a second peer, with 1 thread, since on a busy
shared machine its threads can cost more than they gain; the ratio is taken to the faster of the two.
Also prints how long the fused recurrent op's forward and backward (BPTT) take within a step.

NumPy's OpenBLAS may pick AVX2 ("Haswell") kernels on CPUs whose AVX-512 it does not recognise (it
did on this AMD EPYC machine); ``OPENBLAS_CORETYPE=SkylakeX`` in the environment, set before Python
starts, selects the AVX-512 kernels, which run these GEMMs about 1.8× faster here. The line
"OpenBLAS kernels:" shows which were used.

Usage::

    .venv/bin/python benchmarks/rnn_profile.py                 # lstm and gru, 10 s per framework
    .venv/bin/python benchmarks/rnn_profile.py --seconds 3 --workloads lstm
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import neuronet
from neuronet import layers, ops

BATCH, STEPS, FEATURES, UNITS, CLASSES = 64, 50, 32, 128, 10


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    return x, y


class _Adam:
    """Adam in place on float32 arrays (used when neuronet.optimizers has no Adam yet)."""

    def __init__(self, variables, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
        self.vars, self.lr, self.b1, self.b2, self.eps, self.t = variables, lr, b1, b2, eps, 0
        self.m = [np.zeros_like(v.data) for v in variables]
        self.v = [np.zeros_like(v.data) for v in variables]

    def step(self):
        self.t += 1
        lr = self.lr * (1 - self.b2**self.t) ** 0.5 / (1 - self.b1**self.t)
        for var, m, v in zip(self.vars, self.m, self.v):
            g = var.grad
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            var.data -= lr * m / (np.sqrt(v) + self.eps)
            var.grad = None


def neuronet_step_fn(kind: str):
    x, y = _data()
    rnn = layers.LSTM(UNITS) if kind == "lstm" else layers.GRU(UNITS)
    dense = layers.Dense(CLASSES)
    dense(rnn(x))
    variables = rnn.trainable_weights + dense.trainable_weights
    opt_cls = getattr(getattr(neuronet, "optimizers", None), "Adam", None)
    opt = opt_cls(learning_rate=1e-3) if opt_cls is not None else _Adam(variables)
    loss_fn = neuronet.losses.SparseCategoricalCrossentropy(from_logits=True)

    def step():
        loss = loss_fn(y, dense(rnn(x, training=True), training=True))
        loss.backward()
        if isinstance(opt, _Adam):
            opt.step()
        else:
            opt.apply([v.grad for v in variables], variables)
            for v in variables:
                v.grad = None
        return float(loss.data)

    return step, rnn, x


def torch_step_fn(kind: str, threads: int):
    import torch

    x, y = _data()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(FEATURES, UNITS, batch_first=True)
    head = torch.nn.Linear(UNITS, CLASSES)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        torch.set_num_threads(threads)
        opt.zero_grad()
        out, _ = rnn(xt)
        loss = loss_fn(head(out[:, -1]), yt)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def interleaved(steps: dict, seconds: float, chunk: int = 4) -> dict:
    """Samples/s of each step function, measured in alternating chunks of ``chunk`` steps.

    Alternating every few steps (rather than running each framework for seconds in turn) keeps the
    comparison fair when the load of this shared machine drifts; the median over chunks is reported.
    """
    for step in steps.values():
        for _ in range(3):
            step()
    times = {name: [] for name in steps}
    spent = 0.0
    while spent < seconds * len(steps):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(chunk):
                step()
            elapsed = time.perf_counter() - start
            times[name].append(elapsed / chunk)
            spent += elapsed
    return {name: BATCH / statistics.median(t) for name, t in times.items()}


def breakdown(kind: str, rnn, x, n: int = 10) -> str:
    """Milliseconds of the recurrent op's forward and backward within one step."""
    h0 = np.zeros((BATCH, UNITS), np.float32)
    args = [x, h0] + ([h0] if kind == "lstm" else []) + [rnn.kernel, rnn.recurrent_kernel, rnn.bias]
    fn = ops.lstm if kind == "lstm" else ops.gru
    fwd = bwd = 0.0
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn(*args, return_sequences=False)
        t1 = time.perf_counter()
        out[0].sum().backward()
        t2 = time.perf_counter()
        fwd, bwd = fwd + t1 - t0, bwd + t2 - t1
        for w in (rnn.kernel, rnn.recurrent_kernel, rnn.bias):
            w.grad = None
    return f"fused {kind} op: forward {fwd / n * 1e3:.1f} ms, backward (BPTT) {bwd / n * 1e3:.1f} ms per batch"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per framework")
    parser.add_argument("--workloads", nargs="+", default=["lstm", "gru"], choices=["lstm", "gru"])
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
        print("torch is not installed: the PyTorch peer is skipped")
    try:
        from threadpoolctl import threadpool_info

        arch = ", ".join(str(i.get("architecture")) for i in threadpool_info() if i.get("user_api") == "blas")
    except ImportError:
        arch = "unknown (threadpoolctl not installed)"
    print(f"OpenBLAS kernels: {arch}")
    for kind in args.workloads:
        ours, step_rnn, x = neuronet_step_fn(kind)
        steps = {"neuronet": ours}
        if have_torch:
            steps["torch(2 threads)"] = torch_step_fn(kind, 2)
            steps["torch(1 thread)"] = torch_step_fn(kind, 1)
        med = interleaved(steps, args.seconds)
        print(f"{kind}: " + "; ".join(f"{name} {r:,.0f} samples/s ({BATCH / r * 1e3:.1f} ms/step)"
                                      for name, r in med.items()))
        if have_torch:
            best = max(med["torch(2 threads)"], med["torch(1 thread)"])
            print(f"  ratio neuronet / best torch: {med['neuronet'] / best:.2f}")
        print("  " + breakdown(kind, step_rnn, x))


if __name__ == "__main__":
    main()
