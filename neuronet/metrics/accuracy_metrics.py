"""Accuracy metrics: how often predictions match labels (Keras ``accuracy_metrics``).

Each accuracy is one elementwise rule, a ``_*_matches`` function returning booleans (in
``metric_functions.py``, with the per-sample functions ``binary_accuracy`` ... that average the
matches of a sample). The metric class wraps that function and, on the unweighted, unmasked path
taken every batch, counts the matches directly.
"""

from __future__ import annotations

import numpy as np

from ._arrays import _array, _check_k
from .base import MeanMetricWrapper
from .metric_functions import (_binary_matches, _categorical_matches, _sparse_categorical_matches, accuracy,
                               binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                               sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
]


# ----------------------------------------------------------------------------------------------------------
# Classes
# ----------------------------------------------------------------------------------------------------------


class _CountingAccuracy(MeanMetricWrapper):
    """An accuracy whose unweighted, unmasked update counts its matches (the path taken every batch).

    ``_matches(y_true, y_pred)`` is the rule its per-sample function averages.
    """

    _direction = "up"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if sample_weight is None and getattr(y_pred, "_keras_mask", None) is None:
            yt, yp = _array(y_true), _array(y_pred)
            if yp.ndim and yt.ndim and yt.shape[0] == yp.shape[0] and yp.shape[0]:
                matches = self._matches(yt, yp)
                # Each sample's value is the mean of its matches, so their sum is count / per-sample size.
                n = matches.shape[0]
                self.total += int(np.count_nonzero(matches)) * (n / matches.size)
                self.count += n
                return
        super().update_state(y_true, y_pred, sample_weight=sample_weight)

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (for class ids, not probabilities).

    Args:
        name: Defaults to ``'accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        0.75
    """

    _direction = "up"

    def __init__(self, name: str = "accuracy", dtype: str | None = None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(_CountingAccuracy):
    """How often thresholded predictions match binary labels.

    A prediction counts as 1 when ``y_pred > threshold``. Shapes: y_true (batch,) or (batch, d); y_pred
    the same shape (a trailing axis of 1 on either side is accepted).

    Args:
        name: Defaults to ``'binary_accuracy'``.
        dtype: Defaults to ``config.floatx()``.
        threshold: probability above which a prediction is positive, in (0, 1). Defaults to 0.5.

    Example::

        >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype: str | None = None, threshold: float = 0.5):
        if threshold is None or not 0 < float(threshold) < 1:
            raise ValueError(f"BinaryAccuracy: expected threshold in the interval (0, 1), received {threshold!r}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=float(threshold))
        self.threshold = float(threshold)

    def _matches(self, y_true, y_pred):
        return _binary_matches(y_true, y_pred, self.threshold)


class CategoricalAccuracy(_CountingAccuracy):
    """How often the arg-max of the predictions matches one-hot labels.

    Shapes: y_true and y_pred (batch, classes). Logits work as well as probabilities.

    Args:
        name: Defaults to ``'categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: str | None = None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    _matches = staticmethod(_categorical_matches)


class SparseCategoricalAccuracy(_CountingAccuracy):
    """How often the arg-max of the predictions matches integer labels.

    Shapes: y_true (batch,) or (batch, 1) integer class ids; y_pred (batch, classes).

    Args:
        name: Defaults to ``'sparse_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: str | None = None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    _matches = staticmethod(_sparse_categorical_matches)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest predictions.

    Args:
        k: number of top predictions to look at. Defaults to 5.
        name: Defaults to ``'top_k_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: str | None = None):
        k = _check_k("TopKCategoricalAccuracy", k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest predictions.

    Args:
        k: number of top predictions to look at. Defaults to 5.
        name: Defaults to ``'sparse_top_k_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: str | None = None):
        k = _check_k("SparseTopKCategoricalAccuracy", k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
