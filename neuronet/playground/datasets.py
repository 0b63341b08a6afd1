"""The playground's data sets: small generators that need NumPy only.

Each generator is ``name(n_samples, noise, rng) -> (x, y)`` with ``x`` float32 of shape
``(n_samples, features)`` and ``y`` float32 of shape ``(n_samples,)``: labels 0/1 for the classification
sets, a real target for ``curve``. ``rng`` is a ``numpy.random.Generator``; ``noise`` is the standard
deviation of Gaussian noise added to the inputs (to the target for ``curve``), in the units of the
data, whose inputs lie roughly in [-1, 1].

The functions are self-contained on purpose: the script the playground exports copies the source of the
generator it used (``inspect.getsource``), so the script runs with nothing but NumPy and neuronet.

Example::

    import numpy as np
    from neuronet.playground import datasets

    x, y = datasets.xor(200, 0.05, np.random.default_rng(0))
    x_train, y_train, x_test, y_test = datasets.split(x, y, 0.2, np.random.default_rng(0))
"""

from __future__ import annotations

import numpy as np

__all__ = ["GENERATORS", "TASKS", "classification", "circles", "curve", "moons", "spirals", "split", "xor"]


def classification(n_samples, noise, rng, n_features=2):
    """Two classes of Gaussian clusters at the corners of a hypercube — the design of scikit-learn's
    ``make_classification`` (Guyon, 2003), which the guide's example uses.

    With ``n_features=2``: both features informative, one cluster per class. With more (the guide's
    example has 20): half of them informative (at most 10), 2 redundant (linear combinations of the
    informative ones), the rest pure noise, and 2 clusters per class. Every cluster is a standard normal
    cloud, mixed by a random linear map, centred on a corner at distance 1 from the origin along each
    informative axis. The features are then scaled to lie roughly in [-1, 1].
    """
    n_informative = 2 if n_features == 2 else min(10, n_features // 2)
    n_redundant = 0 if n_features == 2 else min(2, n_features - n_informative)
    clusters_per_class = 1 if n_features == 2 else 2
    n_clusters = 2 * clusters_per_class
    # distinct corners of the hypercube {-1, +1}^n_informative, one per cluster
    corners = set()
    while len(corners) < n_clusters:
        corners.add(tuple(rng.choice([-1.0, 1.0], n_informative)))
    corners = np.array(sorted(corners))[rng.permutation(n_clusters)]
    cluster = np.arange(n_samples) % n_clusters
    y = (cluster % 2).astype(np.float32)  # clusters alternate between the classes
    informative = np.empty((n_samples, n_informative))
    for k in range(n_clusters):
        rows = cluster == k
        mix = rng.uniform(-1.0, 1.0, (n_informative, n_informative))  # a random covariance per cluster
        informative[rows] = rng.standard_normal((rows.sum(), n_informative)) @ mix * 0.5 + corners[k]
    redundant = informative @ rng.uniform(-1.0, 1.0, (n_informative, n_redundant))
    useless = rng.standard_normal((n_samples, n_features - n_informative - n_redundant))
    x = np.hstack([informative, redundant, useless])
    x = x / np.abs(x).max(axis=0)  # each feature in [-1, 1]
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), y


def xor(n_samples, noise, rng):
    """Points in the square [-1, 1]², kept 0.05 away from the axes; label 1 where x₁·x₂ > 0 (the first and
    third quadrants), 0 elsewhere. No single line separates the classes: a hidden layer is needed."""
    x = rng.uniform(-1.0, 1.0, (n_samples, 2))
    x = x + np.where(x > 0, 0.05, -0.05)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float32)
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), y


def circles(n_samples, noise, rng):
    """A disc (label 1, radius < 0.5) inside a ring (label 0, radius 0.7 to 1)."""
    inner = np.arange(n_samples) % 2 == 0
    radius = np.where(inner, rng.uniform(0.0, 0.5, n_samples), rng.uniform(0.7, 1.0, n_samples))
    angle = rng.uniform(0.0, 2.0 * np.pi, n_samples)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), inner.astype(np.float32)


def spirals(n_samples, noise, rng):
    """Two interleaved spirals of 1.75 turns each, from the centre out to radius 1; label = which spiral."""
    label = np.arange(n_samples) % 2
    t = rng.uniform(0.0, 1.0, n_samples)
    angle = 1.75 * 2.0 * np.pi * t + np.pi * label
    radius = 0.05 + 0.95 * t
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), label.astype(np.float32)


def moons(n_samples, noise, rng):
    """Two interleaving half circles (scikit-learn's ``make_moons``), centred and scaled into [-1, 1]²."""
    label = np.arange(n_samples) % 2
    t = rng.uniform(0.0, np.pi, n_samples)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(label[:, None] == 0, upper, lower)
    x = (x - np.array([0.5, 0.25])) / 1.5
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), label.astype(np.float32)


def curve(n_samples, noise, rng):
    """A 1-D regression: x uniform in [-1, 1], target y = sin(3x) + noise."""
    x = rng.uniform(-1.0, 1.0, (n_samples, 1))
    y = np.sin(3.0 * x[:, 0]) + noise * rng.standard_normal(n_samples)
    return x.astype(np.float32), y.astype(np.float32)


def split(x, y, test_fraction, rng):
    """Shuffle, then hold out ``test_fraction`` of the samples (at least one) as the test set.

    Returns:
        ``(x_train, y_train, x_test, y_test)``.
    """
    order = rng.permutation(len(x))
    n_test = max(1, int(round(test_fraction * len(x))))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


GENERATORS = {"classification": classification, "xor": xor, "circles": circles, "spirals": spirals, "moons": moons,
              "curve": curve}
# 'binary': one sigmoid output, binary cross-entropy, accuracy; 'regression': one linear output, MSE
TASKS = {"classification": "binary", "xor": "binary", "circles": "binary", "spirals": "binary", "moons": "binary",
         "curve": "regression"}
