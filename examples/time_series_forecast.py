"""Forecast the next values of a noisy periodic signal with an LSTM, against a naive baseline.

The series is the sum of two sines (periods 50 and 23 steps) plus Gaussian noise (σ = 0.1). From a
window of the last 40 observations the model predicts the next 5 values. The naive forecast repeats
the last observation; it is hard to beat for one step on smooth series but not when the signal moves
and the last observation is noisy. Errors are mean squared errors on a held-out later stretch.

Run:  python examples/time_series_forecast.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet
from neuronet import layers

WINDOW, HORIZON, NOISE = 40, 5, 0.1


def make_series(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n)
    clean = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 23)
    return (clean + NOISE * rng.standard_normal(n)).astype(np.float32)


def windows(series: np.ndarray):
    """Inputs (samples, WINDOW, 1) and targets (samples, HORIZON): every window and the values after it."""
    n = len(series) - WINDOW - HORIZON + 1
    idx = np.arange(WINDOW)[None, :] + np.arange(n)[:, None]
    x = series[idx][..., None]
    y = series[np.arange(HORIZON)[None, :] + np.arange(n)[:, None] + WINDOW]
    return x, y


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter series and few epochs (seconds)")
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    length, epochs = (1200, 4) if args.quick else (5000, 20)
    series = make_series(length, rng)
    split = int(0.8 * length)
    x_train, y_train = windows(series[:split])
    x_test, y_test = windows(series[split:])
    print(f"series of {length} steps (noise σ = {NOISE}); {len(x_train)} training windows, {len(x_test)} test "
          f"windows; input {WINDOW} steps -> next {HORIZON} values")

    model = neuronet.Sequential([
        layers.Input(shape=(WINDOW, 1)),
        layers.LSTM(32),
        layers.Dense(HORIZON),
    ])
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.01), loss="mse")
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=0)
    print(f"training loss: {history.history['loss'][0]:.4f} (epoch 1) -> {history.history['loss'][-1]:.4f} "
          f"(epoch {epochs})")

    pred = model.predict(x_test, verbose=0)
    naive = np.repeat(x_test[:, -1, :], HORIZON, axis=1)   # the last observed value, held
    mse_model = float(((pred - y_test) ** 2).mean())
    mse_naive = float(((naive - y_test) ** 2).mean())
    print(f"test MSE  LSTM: {mse_model:.4f}   naive (repeat last value): {mse_naive:.4f}   "
          f"noise floor (σ²): {NOISE ** 2:.4f}")
    per_step = ((pred - y_test) ** 2).mean(axis=0)
    per_naive = ((naive - y_test) ** 2).mean(axis=0)
    for h in range(HORIZON):
        print(f"  {h + 1} step(s) ahead: LSTM {per_step[h]:.4f}   naive {per_naive[h]:.4f}")
    print("one test window, next values:")
    print("  true: " + " ".join(f"{v:+.2f}" for v in y_test[0]))
    print("  LSTM: " + " ".join(f"{v:+.2f}" for v in pred[0]))
    print(f"LSTM beats the naive forecast: {mse_model < mse_naive}")


if __name__ == "__main__":
    main()
