"""The per-sample metric functions (``keras.metrics.binary_accuracy``, ``cosine_similarity``, ...) and
:data:`FUNCTIONS`, the table of every function a metric config may name.

A metric class wraps one of these (:class:`~neuronet.metrics.MeanMetricWrapper`), and a saved
``MeanMetricWrapper`` names its function, which ``from_config`` finds again in :data:`FUNCTIONS`. The
functions use only the array helpers and the losses, never a metric class.

Each accuracy is one elementwise rule, a ``_*_matches`` function returning booleans; the per-sample
function averages the matches of a sample, and the accuracy classes count them directly.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import config, losses
from ._arrays import _array, _mean_last, _same_rank

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity", "FUNCTIONS",
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
# Regression
# ----------------------------------------------------------------------------------------------------------


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """Per-sample cosine of the angle between ``y_true`` and ``y_pred`` along ``axis`` (1 = same direction).

    ``Σ (y_true/‖y_true‖)·(y_pred/‖y_pred‖)``: the negative of the loss
    :func:`neuronet.losses.cosine_similarity` (norms floored at ε, so a zero vector gives 0).

    Example::

        >>> cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [2.0, 2.0]]).data.round(4)
        array([0., 1.], dtype=float32)
    """
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


# The per-sample functions a MeanMetricWrapper config may name (``{'fn': 'hinge', ...}``): the accuracies,
# cosine_similarity and the loss functions the metrics re-export under their Keras names.
FUNCTIONS: dict[str, Callable] = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    losses.mean_squared_error, losses.mean_absolute_error, losses.mean_absolute_percentage_error,
    losses.mean_squared_logarithmic_error, losses.log_cosh, cosine_similarity,
    losses.binary_crossentropy, losses.categorical_crossentropy, losses.sparse_categorical_crossentropy,
    losses.kl_divergence, losses.poisson,
    losses.hinge, losses.squared_hinge, losses.categorical_hinge,
)}
