"""Vanishing gradients: why LSTM and GRU learn long-range dependencies that a SimpleRNN cannot.

Backpropagation through time multiplies one Jacobian per step. For a SimpleRNN each factor is
``diag(tanh'(a_t)) · Uᵀ``, so the gradient that reaches a step k steps back shrinks (or grows)
geometrically in k. An LSTM carries its cell along ``c_t = f_t·c_{t-1} + i_t·g_t``: the factor on
that path is the forget gate ``f_t``, which the network can learn to hold near 1, so the gradient
survives. (A GRU does the same with its update gate: ``h_t = z_t·h_{t-1} + …``.)

1. The gradient of the loss with respect to each step's input over 100 steps, at initialization.
2. The adding problem (Hochreiter & Schmidhuber): 100 steps of (value, marker) pairs; two markers,
   one in each half; the target is the sum of the two marked values. Predicting the mean scores
   MSE ≈ 0.167 (the target's variance); solving it needs a memory of 50+ steps.
3. The same gradient profile for the trained models: the trained LSTM and GRU still feel their first
   steps; the SimpleRNN's gradient vanishes long before it reaches them.

Run:  python examples/vanishing_gradients.py [--quick] [--output DIR]
(full: a minute or two on 100-step sequences; --quick: 30-step sequences, 16 units, about 8 seconds —
long enough that the SimpleRNN fails where the LSTM and GRU learn.) Saves the trained models' gradient
profiles as ``vanishing_gradients.png`` in the output folder.
"""

from __future__ import annotations

import argparse

import numpy as np

import _output

import neuronet
from neuronet import diagnostics, layers
from neuronet.autograd import Tensor

KINDS = ("SimpleRNN", "LSTM", "GRU")


def adding_problem(n: int, steps: int, rng: np.random.Generator):
    values = rng.random((n, steps))
    markers = np.zeros((n, steps))
    rows = np.arange(n)
    markers[rows, rng.integers(0, steps // 2, n)] = 1.0
    markers[rows, rng.integers(steps // 2, steps, n)] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values * markers).sum(axis=1, keepdims=True).astype(np.float32)
    return x, y


def build(kind: str, steps: int, units: int = 32) -> neuronet.Sequential:
    model = neuronet.Sequential([layers.Input(shape=(steps, 2)), getattr(layers, kind)(units), layers.Dense(1)])
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model


def step_gradients(model, x, y) -> np.ndarray:
    """‖∂loss/∂x_t‖ for every step t (norm over the batch and the features)."""
    xt = Tensor(x, requires_grad=True)
    loss = neuronet.losses.MeanSquaredError()(y, model(xt))
    loss.backward()
    return np.linalg.norm(xt.grad, axis=(0, 2))


def print_profile(title: str, profiles: dict) -> None:
    steps = len(next(iter(profiles.values())))
    shown = sorted(set(list(range(0, steps, max(1, steps // 10))) + [steps - 1]))
    print(title)
    print("  step      " + " ".join(f"{kind:>10}" for kind in profiles))
    for t in shown:
        print(f"  {t + 1:4d}      " + " ".join(f"{g[t]:10.2e}" for g in profiles.values()))
    print("  first/last " + " ".join(f"{g[0] / g[-1]:10.2e}" for g in profiles.values()))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30-step adding problem, 16 units (seconds)")
    _output.add_argument(parser)
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)

    x100, y100 = adding_problem(64, 100, rng)
    init = {kind: step_gradients(build(kind, 100), x100, y100) for kind in KINDS}
    print_profile("1. gradient of the loss w.r.t. the input at each of 100 steps, at initialization:", init)
    print("   At initialization all three decay towards the first steps: the gates start half open, and"
          " no weights have yet learned to carry anything.")

    steps, n_train, epochs, units, batch = (30, 3072, 5, 16, 32) if args.quick else (100, 6400, 12, 32, 64)
    x, y = adding_problem(n_train, steps, rng)
    x_val, y_val = adding_problem(1000, steps, rng)
    baseline = float(((y_val - y_val.mean()) ** 2).mean())
    print(f"\n2. the adding problem over {steps} steps: {n_train} training sequences, {epochs} epochs, {units} units; "
          f"predicting the mean gives MSE {baseline:.3f}")
    models, finals = {}, {}
    for kind in KINDS:
        model = build(kind, steps, units)
        curve = []
        for _ in range(epochs):
            model.fit(x, y, epochs=1, batch_size=batch, verbose=0)
            curve.append(model.evaluate(x_val, y_val, verbose=0))
        models[kind], finals[kind] = model, curve[-1]
        print(f"  {kind:>9}: validation MSE by epoch " + " ".join(f"{v:.3f}" for v in curve))
    for kind in KINDS:
        verdict = "learned it" if finals[kind] < 0.1 * baseline else "did not learn it"
        print(f"  {kind:>9}: final MSE {finals[kind]:.4f} -> {verdict}")

    xs, ys = x_val[:256], y_val[:256]
    trained = {kind: step_gradients(models[kind], xs, ys) for kind in KINDS}
    print_profile(f"\n3. gradient of the loss w.r.t. the input at each of {steps} steps, after training:", trained)
    ratios = {kind: trained[kind][: steps // 2].mean() / trained[kind][steps // 2:].mean() for kind in KINDS}
    print("   mean gradient in the first half / in the second half: "
          + ", ".join(f"{kind} {r:.2e}" for kind, r in ratios.items()))
    plt = _output.pyplot()
    if plt is not None:
        _, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        diagnostics.plot_step_gradients(init, ax=left, title="at initialization (100 steps)")
        diagnostics.plot_step_gradients(trained, ax=right, title=f"after training ({steps} steps)")
        _output.save(left, args.output, "vanishing_gradients.png")


if __name__ == "__main__":
    main()
