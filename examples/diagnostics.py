"""Seeing how a network learns: backprop step by step, vanishing gradients and dead ReLUs.

1. ``trace_backward`` on a 2-layer network: every op of the graph in the order backpropagation visits
   it, with its shapes and the size of the gradient ∂L/∂output that reaches it — the chain rule, one
   row per step.
2. A deep (10 hidden layers) sigmoid MLP against the same depth of ReLU layers with He initialization,
   on two interleaved half-moons. ``layer_gradients`` prints ‖∂L/∂W‖ per layer at initialization:
   each sigmoid multiplies the backward signal by at most 1/4, so the gradient shrinks about tenfold
   per layer towards the input (vanishing gradients); the ReLU/He stack keeps it roughly constant.
   Both are then trained with the same optimizer; ``GradientMonitor`` names the layers whose gradient
   has vanished.
3. A ReLU network whose biases start at a large negative value: every hidden unit outputs 0 for every
   sample, so no gradient flows and the units never recover. ``activation_stats`` and
   ``GradientMonitor`` report the dead units.

Run:  python examples/diagnostics.py [--quick]
(full: well under a minute; --quick: a few seconds.)
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet
from neuronet import diagnostics, layers, ops
from neuronet.autograd import Tensor
from neuronet.callbacks import GradientMonitor


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.15):
    """Two interleaved half circles in 2-D, labels 0/1 (the classic 'moons' toy problem)."""
    t = rng.random(n) * np.pi
    label = rng.integers(0, 2, n)
    x = np.where(label[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    x = x + rng.normal(scale=noise, size=x.shape)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype(np.float32), label.astype(np.float32)


def mlp(depth: int, activation: str, initializer: str, bias_initializer="zeros") -> neuronet.Sequential:
    hidden = [layers.Dense(32, activation=activation, kernel_initializer=initializer,
                           bias_initializer=bias_initializer, name=f"{activation}_{i + 1}") for i in range(depth)]
    model = neuronet.Sequential([layers.Input(shape=(2,))] + hidden + [layers.Dense(1, activation="sigmoid",
                                                                                    name="output")])
    model.compile(optimizer=neuronet.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def part1_trace() -> None:
    print("=" * 100)
    print("1. Backpropagation, step by step: loss = mean((relu(x @ W1 + b1) @ W2 + b2 - y)^2)")
    print("=" * 100)
    model = neuronet.Sequential([layers.Input(shape=(3,)), layers.Dense(4, activation="relu", name="hidden"),
                                 layers.Dense(1, name="out")])
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    y = np.ones((5, 1), np.float32)
    model.build((None, 3))
    hidden, output = model.layers
    # the same forward pass the model runs, written with one op per step so each shows in the trace
    # (Dense layers run these three steps as one fused op, ops.dense)
    h = ops.relu(ops.add(ops.matmul(Tensor(x), hidden.kernel), hidden.bias))
    out = ops.add(ops.matmul(h, output.kernel), output.bias)
    loss = ops.mean(ops.square(out - y))
    trace = diagnostics.trace_backward(loss, print_fn=print)
    print(f"\nThe ops, last to first: {' <- '.join(trace.ops)}")


def part2_vanishing(x, y, epochs: int, depth: int) -> None:
    print()
    print("=" * 100)
    print(f"2. Vanishing gradients: {depth} hidden sigmoid layers (Glorot) vs {depth} ReLU layers (He)")
    print("=" * 100)
    sigmoid_net = mlp(depth, "sigmoid", "glorot_uniform")
    relu_net = mlp(depth, "relu", "he_normal")
    batch = (x[:256], y[:256])
    sig = diagnostics.layer_grad_norms(diagnostics.layer_gradients(sigmoid_net, *batch))
    rel = diagnostics.layer_grad_norms(diagnostics.layer_gradients(relu_net, *batch))
    print("Gradient norm |dL/dW| per layer at initialization (input side first):")
    print(f"  {'layer':>7}  {'sigmoid net':>12}  {'relu net':>12}")
    for i, (a, b) in enumerate(zip(sig.values(), rel.values())):
        name = "output" if i == depth else f"{i + 1}"
        print(f"  {name:>7}  {a:12.3e}  {b:12.3e}")
    first_sig, last_sig = list(sig.values())[0], list(sig.values())[-1]
    first_rel, last_rel = list(rel.values())[0], list(rel.values())[-1]
    print(f"first layer / output layer: sigmoid net {first_sig / last_sig:.1e}, relu net {first_rel / last_rel:.2f}")
    print("(each sigmoid layer passes back at most 1/4 of the signal: sigmoid'(z) = s(1 - s) <= 0.25)\n")

    for name, model in (("sigmoid", sigmoid_net), ("relu", relu_net)):
        # a layer whose gradient is 10⁴ times smaller than a healthy one (~1e-1) learns nothing useful
        monitor = GradientMonitor(x=batch[0], y=batch[1], vanishing=1e-5, every=max(1, epochs // 2), verbose=0)
        model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor])
        accuracy = model.evaluate(x, y, verbose=0)[1]
        print(f"{name} net after {epochs} epochs: accuracy {accuracy:.3f}; first-layer |grad| per check "
              f"{[f'{g:.1e}' for g in monitor.history['grad_norm'][model.layers[0].name]]}")
        for kind in ("vanishing", "exploding"):
            flagged = list(dict.fromkeys(w["layer"] for w in monitor.warnings if w["kind"] == kind))
            print(f"  GradientMonitor(vanishing=1e-5): {kind} gradients in {len(flagged)} layer(s)"
                  + (f": {', '.join(flagged)}" if flagged else ""))


def part3_dead(x, y, epochs: int) -> None:
    print()
    print("=" * 100)
    print("3. Dead ReLUs: biases initialized at -3, so most pre-activations are negative for every sample")
    print("=" * 100)
    model = mlp(3, "relu", "he_normal", bias_initializer=neuronet.initializers.Constant(-3.0))
    print(diagnostics.activation_stats(model, x[:256]))
    print()
    monitor = GradientMonitor(x=x[:256], y=y[:256], dead_fraction=0.5)  # verbose=1: prints its warnings
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor])
    accuracy = model.evaluate(x, y, verbose=0)[1]
    dead = {layer: values[-1] for layer, values in monitor.history["dead_fraction"].items()}
    print(f"\nafter {epochs} epochs: accuracy {accuracy:.3f} (chance: 0.5); dead fraction per layer "
          f"{ {k: round(v, 3) for k, v in dead.items()} }")
    print("A dead unit gets no gradient (relu'(z) = 0 for z < 0), so training cannot revive it: initialize "
          "biases at 0 (or small positive) and use He initialization.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and few epochs (a few seconds)")
    args = parser.parse_args()
    neuronet.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    n, epochs = (512, 4) if args.quick else (2000, 30)
    x, y = two_moons(n, rng)
    part1_trace()
    part2_vanishing(x, y, epochs, depth=10)
    part3_dead(x, y, max(2, epochs // 3))


if __name__ == "__main__":
    main()
