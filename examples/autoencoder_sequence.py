"""A sequence autoencoder: an LSTM reads a whole curve into one vector, another LSTM writes it back.

Encoder ``LSTM(16)`` turns a 20-step sine wave (random frequency and phase) into its final state, a
16-number code; ``RepeatVector(20)`` hands that code to every step of the decoder ``LSTM(16,
return_sequences=True)``, and a ``Dense(1)`` at each step reads out the value. The whole curve must
pass through the code: the reconstruction error is compared with predicting the mean curve.

Run:  python examples/autoencoder_sequence.py [--quick] [--output DIR]
(full: ~40 seconds; --quick: a few seconds.) Saves ``autoencoder_sequence.png``.
"""

from __future__ import annotations

import numpy as np

import _output

import neuronet
from neuronet import layers

STEPS = 20


def waves(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(STEPS)
    freq = rng.uniform(0.2, 0.6, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    return np.sin(freq * t + phase)[:, :, None].astype("float32")


def build() -> neuronet.Sequential:
    model = neuronet.Sequential([
        layers.Input(shape=(STEPS, 1)),
        layers.LSTM(16, name="encoder"),                      # the code: the final hidden state
        layers.RepeatVector(STEPS),                           # the code given to every decoder step
        layers.LSTM(16, return_sequences=True, name="decoder"),
        layers.Dense(1),                                      # one value per step
    ], name="sequence_autoencoder")
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.01), loss="mse")
    return model


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer sequences and epochs (a few seconds)")
    rng = np.random.default_rng(0)
    n, epochs = (1024, 12) if args.quick else (4096, 30)
    train, test = waves(n, rng), waves(256, rng)
    model = build()
    history = model.fit(train, train, epochs=epochs, batch_size=32, verbose=0, validation_data=(test, test))
    baseline = float(np.mean((test - train.mean(axis=0)) ** 2))
    mse = history.history["val_loss"][-1]
    print(f"{n} sine waves of {STEPS} steps, {epochs} epochs: reconstruction MSE on new waves {mse:.4f} "
          f"(predicting the mean curve: {baseline:.4f}); ratio {mse / baseline:.3f}")
    plt = _output.pyplot()
    if plt is not None:
        rebuilt = model.predict(test[:3], verbose=0)
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for i in range(3):
            ax.plot(test[i, :, 0], color=f"C{i}", label="input" if i == 0 else None)
            ax.plot(rebuilt[i, :, 0], "--", color=f"C{i}", label="reconstruction" if i == 0 else None)
        ax.set_xlabel("time step")
        ax.set_title("three test waves through a 16-number LSTM code")
        ax.legend(fontsize="small")
        _output.save(ax, args.output, "autoencoder_sequence.png")
    return {"mse": mse, "baseline": baseline}


if __name__ == "__main__":
    main()
