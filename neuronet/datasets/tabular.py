"""What the housing datasets share: an ``x``/``y`` npz, shuffled with a seed and split."""

from __future__ import annotations

import numpy as np

__all__ = ["load_split"]


def load_split(path: str, test_split: float, seed: int, first: int | None, where: str) -> tuple:
    """``(x_train, y_train), (x_test, y_test)`` from the npz at ``path`` (keys 'x' and 'y'): optionally
    the ``first`` rows only, shuffled by ``np.random.RandomState(seed)``, the last ``test_split`` for test."""
    with np.load(path, allow_pickle=False) as f:
        if "x" not in f.files or "y" not in f.files:
            raise ValueError(f"{where}: '{path}' must hold arrays 'x' and 'y', found {f.files}")
        x, y = f["x"], f["y"]
    if len(x) != len(y):
        raise ValueError(f"{where}: '{path}' holds {len(x)} samples of x but {len(y)} of y")
    if first is not None:
        x, y = x[:first], y[:first]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
