"""The `cnn` workload of BENCHMARKS.md, neuronet beside PyTorch in one run, plus a per-op profile.

    Conv2D(32, 3, relu) → MaxPool 2 → Conv2D(64, 3, relu) → MaxPool 2 → Flatten → Dense(128, relu)
    → Dense(10); batch 64 of 28×28×1 random images, Adam(1e-3), softmax cross-entropy from logits.

By default one neuronet step is forward + backward + Adam written with the library's layers, ops and
optimizer (the work ``fit`` does per batch, without its bookkeeping); ``--fit`` times whole
``model.fit`` epochs of a compiled Sequential instead (32 batches per epoch, as the benchmark
harness). Both frameworks run interleaved, repeat by repeat, so a drift of this shared machine hits
both; the median of the per-repeat ratios is reported.

Usage::

    .venv/bin/python benchmarks/cnn_profile.py               # throughput, side by side
    .venv/bin/python benchmarks/cnn_profile.py --fit         # through Sequential.fit
    .venv/bin/python benchmarks/cnn_profile.py --profile     # where neuronet's step spends its time
    .venv/bin/python benchmarks/cnn_profile.py --threads 1   # torch and OpenBLAS threads (default 2)

``--threads`` sets both torch's intra-op threads and OpenBLAS's (through OPENBLAS_NUM_THREADS, before
NumPy is imported), so both frameworks get the same cores. Both thread pools spin while waiting: on
this 2-core machine shared with other work, 2 threads can be many times slower than 1 for both, so
both settings are worth a look.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

BATCH = 64


def _threads_from_argv(default: int = 2) -> int:
    """The --threads value, read before NumPy is imported (OpenBLAS reads its variable at import)."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return default


if __name__ == "__main__":
    os.environ["OPENBLAS_NUM_THREADS"] = str(_threads_from_argv())

import numpy as np  # noqa: E402

import neuronet  # noqa: E402
from neuronet import layers, ops, optimizers  # noqa: E402


def build_neuronet():
    neuronet.config.set_random_seed(0)
    model = [
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10),
    ]
    x = np.zeros((BATCH, 28, 28, 1), np.float32)
    for layer in model:  # build every layer once
        x = layer(x)
    variables = [w for layer in model for w in layer.trainable_weights]
    return model, variables, optimizers.Adam(learning_rate=1e-3)


def build_neuronet_fit(x, y):
    """A compiled Sequential and a function running one fit epoch over ``x`` in batches of 64."""
    neuronet.config.set_random_seed(0)
    model = neuronet.Sequential([
        layers.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(10),
    ])
    model.compile(optimizer=optimizers.Adam(learning_rate=1e-3),
                  loss=neuronet.losses.SparseCategoricalCrossentropy(from_logits=True))

    def epoch():
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)

    return epoch


def neuronet_step(model, variables, opt, x, y):
    h = neuronet.Tensor._wrap(x)
    for layer in model:
        h = layer(h, training=True)
    loss = ops.sparse_softmax_crossentropy(h, y).mean()
    for v in variables:
        v.grad = None
    loss.backward()
    opt.apply([v.grad for v in variables], variables)
    return loss


def build_torch(threads: int):
    try:
        import torch
    except ImportError:
        print("torch is not installed: PyTorch skipped")
        return None
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return torch, step


def rate(step, seconds: float, samples_per_call: int = BATCH) -> tuple:
    """Samples per second of ``step`` over at least ``seconds``: by the wall clock and by the CPU time
    this process used (with one thread the latter ignores time stolen by other work on the machine)."""
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n * samples_per_call / elapsed, n * samples_per_call / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=2, help="torch and OpenBLAS threads (default 2)")
    parser.add_argument("--profile", action="store_true", help="cProfile neuronet's step instead")
    parser.add_argument("--fit", action="store_true", help="time model.fit epochs (32 batches) instead of steps")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    batches = 32 if args.fit else 1
    x = rng.standard_normal((batches * BATCH, 28, 28, 1)).astype(np.float32)
    y = rng.integers(0, 10, batches * BATCH)
    if args.fit:
        nn_step = build_neuronet_fit(x, y)
    else:
        model, variables, opt = build_neuronet()

        def nn_step():
            return neuronet_step(model, variables, opt, x, y)

    for _ in range(3):
        nn_step()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for _ in range(50):
            nn_step()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return

    peer = build_torch(args.threads)
    if peer is not None:
        torch, t_step = peer
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        yt = torch.from_numpy(y)

        def torch_step():
            for b in range(batches):
                t_step(xt[b * BATCH:(b + 1) * BATCH], yt[b * BATCH:(b + 1) * BATCH])

        for _ in range(3):
            torch_step()
    mode = "model.fit epochs" if args.fit else "hand-written steps"
    print(f"{mode}; threads: {args.threads} (torch and OpenBLAS); batch {BATCH}; "
          f"{args.repeats} repeats of {args.seconds} s each")
    ours, theirs = [], []
    for r in range(args.repeats):
        ours.append(rate(nn_step, args.seconds, batches * BATCH))
        line = f"repeat {r}: neuronet {ours[-1][0]:6.0f} samples/s (cpu {ours[-1][1]:6.0f})"
        if peer is not None:
            theirs.append(rate(torch_step, args.seconds, batches * BATCH))
            line += (f"   torch {theirs[-1][0]:6.0f} samples/s (cpu {theirs[-1][1]:6.0f})   "
                     f"ratio {ours[-1][0] / theirs[-1][0]:.2f} (cpu {ours[-1][1] / theirs[-1][1]:.2f})")
        print(line, flush=True)
    for k, clock in enumerate(("wall clock", "CPU time")):
        med = statistics.median(o[k] for o in ours)
        print(f"{clock}: neuronet median {med:.0f} samples/s ({1e3 * BATCH / med:.1f} ms/step)", end="")
        if theirs:
            tmed = statistics.median(t[k] for t in theirs)
            ratio = statistics.median(o[k] / t[k] for o, t in zip(ours, theirs))
            print(f", torch median {tmed:.0f} samples/s ({1e3 * BATCH / tmed:.1f} ms/step); "
                  f"ratio of medians {med / tmed:.2f}, median of per-repeat ratios {ratio:.2f}", end="")
        print()


if __name__ == "__main__":
    main()
