"""The dying ReLU, and how a Leaky ReLU revives it (numbers before and after).

A ReLU unit whose input is negative for every sample outputs 0 and has derivative 0: no gradient
reaches its weights, so training can never bring it back — it is *dead*. Here the hidden biases start
at −3, so most units start dead (a large learning-rate step can do the same mid-training). The ReLU
network is trained and stays stuck; the GradientMonitor names the dead layers.

The same network with ``leaky_relu`` (slope 0.2 below zero, Keras's default) starts from the very same
weights: a negative input still passes 0.2 of the gradient back, the biases climb, and the units come
back to life — a unit counts as *active* when its pre-activation is positive for some sample.

Run:  python examples/dying_relu.py [--quick] [--output DIR]
(full: ~15 seconds; --quick: a few seconds.) Saves ``dying_relu.png``: active units per layer, before
and after, for both networks.
"""

from __future__ import annotations

import numpy as np

import _data
import _output

import neuronet
from neuronet import layers
from neuronet.callbacks import GradientMonitor


def build(activation: str) -> neuronet.Sequential:
    hidden = [layers.Dense(32, activation=activation, kernel_initializer="he_normal",
                           bias_initializer=neuronet.initializers.Constant(-3.0), name=f"hidden_{i + 1}")
              for i in range(3)]
    model = neuronet.Sequential([layers.Input((2,))] + hidden + [layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=neuronet.optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def active_fraction(model, x) -> list:
    """Per hidden layer, the fraction of units whose output is positive for at least one sample (for ReLU
    and Leaky ReLU alike this means a positive pre-activation)."""
    out, h = [], x
    for layer in model.layers[:-1]:
        h = layer(h)
        out.append(float(np.mean(np.any(h.data > 0, axis=0))))
    return out


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer samples and epochs (a few seconds)")
    rng = np.random.default_rng(0)
    n, epochs = (1024, 8) if args.quick else (4000, 30)
    x, y = _data.two_moons(n, rng)
    relu, leaky = build("relu"), build("leaky_relu")
    leaky.set_weights(relu.get_weights())  # the very same starting point
    results = {}
    for name, model in (("relu", relu), ("leaky_relu", leaky)):
        before = active_fraction(model, x)
        monitor = GradientMonitor(x=x[:256], y=y[:256], verbose=0)
        model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[monitor])
        after = active_fraction(model, x)
        accuracy = model.evaluate(x, y, verbose=0)[1]
        results[name] = {"before": before, "after": after, "accuracy": accuracy,
                         "warnings": [w["kind"] for w in monitor.warnings]}
        print(f"{name:>10}: active units per hidden layer {[f'{a:.0%}' for a in before]} before, "
              f"{[f'{a:.0%}' for a in after]} after {epochs} epochs; accuracy {accuracy:.3f}")
        for w in monitor.warnings:
            print(f"            {w['message']}")
    print(f"revived by Leaky ReLU: {np.mean(results['leaky_relu']['after']):.0%} of the hidden units active against "
          f"{np.mean(results['relu']['after']):.0%} with ReLU; accuracy {results['leaky_relu']['accuracy']:.3f} "
          f"against {results['relu']['accuracy']:.3f} (chance: 0.5)")
    plt = _output.pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(7, 3.8))
        idx = np.arange(3)
        for k, (name, label) in enumerate((("relu", "ReLU"), ("leaky_relu", "Leaky ReLU"))):
            ax.bar(idx + 0.2 * (2 * k - 1) - 0.1, results[name]["before"], 0.2, color=f"C{k}", alpha=0.4,
                   label=f"{label}, before")
            ax.bar(idx + 0.2 * (2 * k - 1) + 0.1, results[name]["after"], 0.2, color=f"C{k}", label=f"{label}, after")
        ax.set_xticks(idx)
        ax.set_xticklabels([f"hidden_{i + 1}" for i in idx])
        ax.set_ylabel("active units")
        ax.set_ylim(0, 1.05)
        ax.set_title("Units with a positive pre-activation for some sample")
        ax.legend(fontsize="small")
        _output.save(ax, args.output, "dying_relu.png")
    return results


if __name__ == "__main__":
    main()
