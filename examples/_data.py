"""The small data sets the diagnostics and autoencoder examples share."""

from __future__ import annotations

import numpy as np


def digits(train: int = 1400, seed: int = 0):
    """scikit-learn's 1,797 handwritten digits (8×8 pixels, scaled to [0, 1]), shuffled once and split:
    ``(x_train, x_test, y_train, y_test)``, ``x`` of shape (n, 64) float32, ``y`` the digit."""
    from sklearn.datasets import load_digits

    data = load_digits()
    order = np.random.default_rng(seed).permutation(len(data.data))
    x, y = (data.data[order] / 16.0).astype("float32"), data.target[order]
    return x[:train], x[train:], y[:train], y[train:]


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.15):
    """Two interleaved half circles in 2-D, labels 0/1 (the classic 'moons' toy problem), standardized."""
    t = rng.random(n) * np.pi
    label = rng.integers(0, 2, n)
    x = np.where(label[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    x = x + rng.normal(scale=noise, size=x.shape)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x.astype(np.float32), label.astype(np.float32)
