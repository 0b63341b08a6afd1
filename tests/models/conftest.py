import numpy as np
import pytest


@pytest.fixture(scope="session")
def seed_data():
    """The guide's data: make_classification(1000, 20, n_informative=10, random_state=42), 80/20 split."""
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    assert sklearn
    X, y = make_classification(n_samples=1000, n_features=20, n_informative=10, random_state=42)
    return train_test_split(X, y, test_size=0.2, random_state=42)


@pytest.fixture
def blobs():
    """A small, easy 3-class problem: 8 features, integer labels."""
    rng = np.random.default_rng(5)
    centers = rng.normal(scale=3.0, size=(3, 8))
    y = rng.integers(0, 3, 150)
    X = centers[y] + rng.normal(size=(150, 8))
    return X, y
