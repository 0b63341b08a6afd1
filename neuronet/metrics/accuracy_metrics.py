"""Accuracy metrics: how often predictions match labels (Keras ``accuracy_metrics``).

Each accuracy is one elementwise rule, a ``_*_matches`` function returning booleans. The per-sample
function (``binary_accuracy`` ...) averages the matches of a sample; the metric class wraps that
function and, on the unweighted, unmasked path taken every batch, counts the matches directly.
"""

from __future__ import annotations

import numpy as np

from .. import config
from .base import MeanMetricWrapper, _array, _check_k, _mean_last, _same_rank

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
]


# ----------------------------------------------------------------------------------------------------------
# The rules: one boolean per entry (binary, exact) or per sample (categorical, top-k)
# ----------------------------------------------------------------------------------------------------------


def _exact_matches(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return y_true == y_pred


def _binary_matches(y_true, y_pred, threshold: float) -> np.ndarray:
    # positive prediction: y_pred > threshold (a prediction exactly at the threshold is negative, as Keras)
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_pred > threshold) == (y_true > 0.5)


def _categorical_matches(y_true, y_pred) -> np.ndarray:
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape[-1:] != y_pred.shape[-1:]:
        raise ValueError(
            f"categorical_accuracy: expected one-hot y_true with {y_pred.shape[-1]} columns like y_pred, "
            f"received y_true with shape {y_true.shape} and y_pred with shape {y_pred.shape} (for integer "
            "labels use sparse_categorical_accuracy)"
        )
    return y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)


def _sparse_labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Integer labels with the shape of ``y_pred`` minus its class axis (accepts a trailing axis of 1)."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"sparse categorical metric: expected integer labels of shape {y_pred.shape[:-1]} (or with a "
            f"trailing axis of 1) for y_pred of shape {y_pred.shape}, received y_true with shape {y_true.shape}"
        )
    return y_true


def _sparse_categorical_matches(y_true, y_pred) -> np.ndarray:
    y_pred = _array(y_pred)
    return _sparse_labels(_array(y_true), y_pred) == y_pred.argmax(axis=-1)


def _in_top_k(targets: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Whether each integer target's score is among the ``k`` largest of its row (ties count as in).

    A target is in the top k when fewer than k classes score strictly higher than it.
    """
    flat_scores = scores.reshape(-1, scores.shape[-1])
    flat_targets = targets.reshape(-1).astype(np.intp)
    target_score = flat_scores[np.arange(flat_scores.shape[0]), flat_targets]
    higher = np.count_nonzero(flat_scores > target_score[:, None], axis=-1)
    return (higher < k).reshape(targets.shape)


# ----------------------------------------------------------------------------------------------------------
# Per-sample functions (``keras.metrics.binary_accuracy`` etc.): the mean of a sample's matches
# ----------------------------------------------------------------------------------------------------------


def _as_float(matches: np.ndarray) -> np.ndarray:
    return matches.astype(config.floatx())


def accuracy(y_true, y_pred) -> np.ndarray:
    """How often predictions equal labels exactly: ``mean(y_true == y_pred, axis=-1)``."""
    return _mean_last(_as_float(_exact_matches(y_true, y_pred)))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """Per-sample binary accuracy: ``mean((y_pred > threshold) == y_true, axis=-1)``.

    A prediction exactly at ``threshold`` counts as negative (as Keras). Shapes: y_true (batch,) or
    (batch, d), y_pred the same or with a trailing axis of 1 → (batch,).

    Example::

        >>> binary_accuracy([[1], [0]], [[0.5], [0.5]])
        array([0., 1.], dtype=float32)
    """
    return _mean_last(_as_float(_binary_matches(y_true, y_pred, threshold)))


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per-sample one-hot accuracy: ``argmax(y_true, -1) == argmax(y_pred, -1)``.

    Shapes: y_true and y_pred (batch, classes) → (batch,). Logits work as well as probabilities.
    """
    return _as_float(_categorical_matches(y_true, y_pred))


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per-sample integer-label accuracy: ``y_true == argmax(y_pred, -1)``.

    Shapes: y_true (batch,) or (batch, 1) integer class ids, y_pred (batch, classes) → (batch,).
    """
    return _as_float(_sparse_categorical_matches(y_true, y_pred))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """Per-sample: 1 when the one-hot target class is among the ``k`` highest predictions.

    Shapes: y_true and y_pred (batch, classes) → (batch,).
    """
    return _as_float(_in_top_k(_array(y_true).argmax(axis=-1), _array(y_pred), k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """Per-sample: 1 when the integer target class is among the ``k`` highest predictions.

    Shapes: y_true (batch,) or (batch, 1), y_pred (batch, classes) → (batch,).
    """
    y_pred = _array(y_pred)
    return _as_float(_in_top_k(_sparse_labels(_array(y_true), y_pred), y_pred, k))


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
