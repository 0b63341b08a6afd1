"""Fixtures shared by the model tests."""

import numpy as np
import pytest


@pytest.fixture
def blobs():
    """A small, easy 3-class problem: 8 features, integer labels."""
    rng = np.random.default_rng(5)
    centers = rng.normal(scale=3.0, size=(3, 8))
    y = rng.integers(0, 3, 150)
    X = centers[y] + rng.normal(size=(150, 8))
    return X, y
