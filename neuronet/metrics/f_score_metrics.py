"""F-scores (Keras ``f_score_metrics``): the harmonic mean of precision and recall, per class or
averaged, for multi-class and multi-label outputs of shape (batch, classes)."""

from __future__ import annotations

import numpy as np

from .. import config
from ._arrays import _broadcast_weight, _float_array
from .base import Metric

__all__ = ["FBetaScore", "F1Score"]


class FBetaScore(Metric):
    """F-beta score per class (or averaged): ``(1 + b²) · precision · recall / (b² · precision + recall)``.

    Works for multi-class and multi-label outputs of shape (batch, classes). A prediction is positive
    when ``y_pred > threshold``; with ``threshold=None`` only the row's largest value is positive.

    Args:
        average: None (one score per class), 'micro' (global counts), 'macro' (unweighted mean of the
            class scores) or 'weighted' (mean weighted by each class's support). Defaults to None.
        beta: weight of recall in the harmonic mean, > 0. Defaults to 1.0.
        threshold: float in (0, 1], or None for the row's arg-max. Defaults to None.
        name: Defaults to ``'fbeta_score'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> scores = m([[1, 1, 1], [1, 0, 0], [1, 1, 0]], [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(float(v), 4) for v in scores]
        [0.3846, 0.9091, 0.8333]
    """

    _direction = "up"

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        cls = type(self).__name__
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"{cls}: expected average in (None, 'micro', 'macro', 'weighted'), received {average!r}")
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"{cls}: expected beta to be a float > 0, received {beta!r}")
        if threshold is not None and (isinstance(threshold, bool) or not 0.0 < float(threshold) <= 1.0):
            raise ValueError(f"{cls}: expected threshold in (0, 1] or None, received {threshold!r}")
        self.average = average
        self.beta = float(beta)
        self.threshold = None if threshold is None else float(threshold)
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = self.false_positives = self.false_negatives = self.intermediate_weights = None

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add one batch. Shapes: y_true and y_pred (batch, classes); sample_weight (batch,)."""
        yt, yp = _float_array(y_true), _float_array(y_pred)
        if yp.ndim != 2 or yt.shape != yp.shape:
            raise ValueError(
                f"{self.name}: expected y_true and y_pred of the same shape (batch, classes), received y_true with "
                f"shape {yt.shape} and y_pred with shape {yp.shape}"
            )
        if self.threshold is None:
            # The row's maximum is the positive class; an all-zero row stays all negative.
            predicted = (yp >= yp.max(axis=-1, keepdims=True)) & (np.abs(yp) > 1e-9)
        else:
            predicted = yp > self.threshold
        predicted = predicted.astype(np.float64)
        yt = yt.astype(np.float64)
        axis = None if self.average == "micro" else 0
        if sample_weight is not None:
            weight = _broadcast_weight(self.name, sample_weight, yp.shape)
            tp = (predicted * yt * weight).sum(axis=axis)
            fp = (predicted * (1.0 - yt) * weight).sum(axis=axis)
            fn = ((1.0 - predicted) * yt * weight).sum(axis=axis)
            support = (yt * weight).sum(axis=axis)
        else:
            tp = (predicted * yt).sum(axis=axis)
            fp = (predicted * (1.0 - yt)).sum(axis=axis)
            fn = ((1.0 - predicted) * yt).sum(axis=axis)
            support = yt.sum(axis=axis)
        if self.true_positives is None:
            self.true_positives, self.false_positives = tp, fp
            self.false_negatives, self.intermediate_weights = fn, support
        else:
            self.true_positives = self.true_positives + tp
            self.false_positives = self.false_positives + fp
            self.false_negatives = self.false_negatives + fn
            self.intermediate_weights = self.intermediate_weights + support

    def result(self):
        if self.true_positives is None:
            return 0.0
        eps = config.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        b2 = self.beta ** 2
        score = (1.0 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights / (np.sum(self.intermediate_weights) + eps)
            return float(np.sum(score * weights))
        if self.average is not None:
            return float(np.mean(score))
        return np.asarray(score, dtype=self.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, the harmonic mean of precision and recall: ``2 · precision · recall / (precision + recall)``.

    Args:
        average: None (one score per class), 'micro', 'macro' or 'weighted'. Defaults to None.
        threshold: float in (0, 1], or None for the row's arg-max. Defaults to None.
        name: Defaults to ``'f1_score'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> scores = F1Score(threshold=0.5)([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                                 [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(float(v), 4) for v in scores]
        [0.5, 0.8, 0.6667]
    """

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype: str | None = None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config


