"""Seeing how a network learns: backprop step by step, a whole-model gradient check, one training step in
numbers, vanishing gradients diagnosed, and the two sanity checks before a long run.

1. ``trace_backward`` on a 2-layer network: every op of the graph in the order backpropagation visits
   it, with its shapes and the size of the gradient ∂L/∂output that reaches it — the chain rule, one
   row per step.
2. ``check_gradients``: every layer of a model checked in isolation against central differences, then
   end to end. A custom layer whose op has a deliberately wrong backward (it forgets the 2 in
   d(x²)/dx) is named, although it has no weights; with the backward fixed, everything passes.
3. ``explain_step``: one real training step of a 3-4-1 network on 4 samples, with the numbers — z, a,
   the loss, δ from the output back, dW, db and the update.
4. A deep (10 hidden layers) sigmoid MLP against the same depth of ReLU layers with He initialization,
   on two interleaved half-moons. ``layer_gradients`` prints ‖∂L/∂W‖ per layer at initialization: each
   sigmoid multiplies the backward signal by at most 1/4, so the gradient shrinks about tenfold per
   layer towards the input; the ReLU/He stack keeps it roughly level. Both are trained with the same
   optimizer; ``GradientMonitor`` diagnoses the sigmoid net once, with the remedy, and stays silent on
   the ReLU net. Saves ``gradient_flow.png`` and ``activations.png`` (sigmoid, tanh and ReLU beside
   their derivatives, computed by backpropagation: the sigmoid's never exceeds 1/4).
5. ``find_learning_rate`` (the range test; saves ``lr_range_test.png``) and ``check_overfit_batch`` on
   a sound network and on one whose output is a softmax over 1 unit (its loss cannot move).

Dead ReLUs (and their revival by Leaky ReLU) have their own example: ``examples/dying_relu.py``.

Run:  python examples/diagnostics.py [--quick] [--output DIR]
(full: well under a minute; --quick: a few seconds.)
"""

from __future__ import annotations

import numpy as np

import _data
import _output

import neuronet
from neuronet import diagnostics, layers, ops
from neuronet.autograd import Function, Tensor
from neuronet.callbacks import GradientMonitor


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


class SquareWrong(Function):
    # y = x²      dx should be 2·x·gy: this backward forgets the 2 (on purpose)
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x


class SquareRight(SquareWrong):
    # y = x²      dx = 2·x·gy
    def backward(self, gy):
        return 2.0 * gy * self.x


class Square(layers.Layer):
    """A custom layer without weights: y = x², computed by the op given."""

    def __init__(self, op, **kwargs):
        super().__init__(**kwargs)
        self.op = op

    def call(self, inputs):
        return self.op.apply(inputs)


def part2_check_gradients() -> None:
    print()
    print("=" * 100)
    print("2. check_gradients: each layer in isolation, then end to end (float64 copy, central differences)")
    print("=" * 100)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    for op in (SquareWrong, SquareRight):
        model = neuronet.Sequential([layers.Input(shape=(4,)), layers.Dense(5, activation="tanh", name="hidden"),
                                     Square(op, name="square"), layers.Dense(1, name="out")])
        model.compile(optimizer="sgd", loss="mse")
        print(f"\nwith {op.__name__}.backward:")
        report = diagnostics.check_gradients(model, x, y, print_fn=print)
        print(f"passed: {report.passed}; layers with a wrong backward: {report.culprits}")


def part3_explain_step() -> None:
    print()
    print("=" * 100)
    print("3. explain_step: one real training step of a 3-4-1 network, in numbers")
    print("=" * 100)
    model = neuronet.Sequential([layers.Input(shape=(3,)), layers.Dense(4, activation="tanh", name="hidden"),
                                 layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=neuronet.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    y = np.array([0, 1, 1, 0], np.float32)
    steps = diagnostics.explain_step(model, x, y)
    before = model.get_weights()
    model.train_on_batch(x, y)
    same = all(np.array_equal(a, b) for a, b in zip(model.get_weights(), (steps[0].W_new, steps[0].b_new,
                                                                         steps[1].W_new, steps[1].b_new)))
    moved = not np.array_equal(before[0], model.get_weights()[0])
    print(f"\nthe model's own next step made exactly these updates: {same and moved}")


def part4_vanishing(x, y, epochs: int, depth: int, output: str) -> None:
    print()
    print("=" * 100)
    print(f"4. Vanishing gradients: {depth} hidden sigmoid layers (Glorot) vs {depth} ReLU layers (He)")
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
        monitor = GradientMonitor(x=batch[0], y=batch[1], every=max(1, epochs // 2))
        model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor])
        accuracy = model.evaluate(x, y, verbose=0)[1]
        kinds = [w["kind"] for w in monitor.warnings]
        print(f"{name} net after {epochs} epochs: accuracy {accuracy:.3f}; GradientMonitor warnings: "
              f"{len(kinds)} {kinds}")
    plt = _output.pyplot()
    if plt is not None:
        axes = diagnostics.plot_activations(["sigmoid", "tanh", "relu"])
        _output.save(axes, output, "activations.png")  # sigmoid' never exceeds 1/4, relu' is 0 or 1
        _, (left, right) = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
        diagnostics.plot_gradient_flow(sig, ax=left, title=f"{depth} sigmoid layers (Glorot)")
        diagnostics.plot_gradient_flow(rel, ax=right, title=f"{depth} ReLU layers (He)")
        _output.save(left, output, "gradient_flow.png")


def part5_sanity_checks(x, y, quick: bool, output: str) -> None:
    print()
    print("=" * 100)
    print("5. Before a long run: the learning-rate range test and the overfit-one-batch check")
    print("=" * 100)
    model = mlp(3, "relu", "he_normal")
    result = diagnostics.find_learning_rate(model, x, y, steps=100 if quick else 300)
    print(result)
    print("overfit one batch, sound network:", diagnostics.check_overfit_batch(model, x, y).verdict.split(":")[0])
    broken = neuronet.Sequential([layers.Input(shape=(2,)), layers.Dense(32, activation="relu"),
                                  layers.Dense(1, activation="softmax")])
    broken.compile(optimizer="adam", loss="binary_crossentropy")
    print("overfit one batch, softmax over 1 unit:")
    print(diagnostics.check_overfit_batch(broken, x, y, steps=50))
    plt = _output.pyplot()
    if plt is not None:
        _output.save(result.plot(), output, "lr_range_test.png")


def main(argv=None) -> None:
    args = _output.arguments(__doc__, argv, "small data and few epochs (a few seconds)")
    rng = np.random.default_rng(0)
    n, epochs = (512, 4) if args.quick else (2000, 30)
    x, y = _data.two_moons(n, rng)
    part1_trace()
    part2_check_gradients()
    part3_explain_step()
    part4_vanishing(x, y, epochs, depth=10, output=args.output)
    part5_sanity_checks(x, y, args.quick, args.output)


if __name__ == "__main__":
    main()
