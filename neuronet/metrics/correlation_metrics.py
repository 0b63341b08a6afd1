"""Correlation metrics (Keras ``correlation_metrics``): Pearson's and Lin's concordance correlation of
each sample's values along ``axis``, averaged over samples like every MeanMetricWrapper."""

from __future__ import annotations

import numpy as np

from .. import config
from .base import MeanMetricWrapper, _float_array

__all__ = ["ConcordanceCorrelation", "PearsonCorrelation", "concordance_correlation", "pearson_correlation"]


def pearson_correlation(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """Pearson's correlation of ``y_true`` and ``y_pred`` along ``axis``, one value per sample::

        r = mean(((y - ȳ) / σ_y) · ((p - p̄) / σ_p))       (σ: population standard deviation)

    A constant row has no correlation: its value is NaN, as in Keras.
    """
    y_true, y_pred = _float_array(y_true), _float_array(y_pred)
    with np.errstate(invalid="ignore", divide="ignore"):
        true = y_true - y_true.mean(axis=axis, keepdims=True)
        pred = y_pred - y_pred.mean(axis=axis, keepdims=True)
        true = true / true.std(axis=axis, keepdims=True)
        pred = pred / pred.std(axis=axis, keepdims=True)
        return (true * pred).mean(axis=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """Lin's concordance correlation of ``y_true`` and ``y_pred`` along ``axis``, one value per sample:
    how close the pairs lie to the line ``y = p`` (1 only for identical values)::

        ccc = 2·cov(y, p) / (var(y) + var(p) + (ȳ - p̄)² + ε)
    """
    y_true, y_pred = _float_array(y_true), _float_array(y_pred)
    mean_true, mean_pred = y_true.mean(axis=axis, keepdims=True), y_pred.mean(axis=axis, keepdims=True)
    covariance = ((y_true - mean_true) * (y_pred - mean_pred)).mean(axis=axis)
    denominator = (y_true.var(axis=axis) + y_pred.var(axis=axis)
                   + np.square(mean_true - mean_pred).squeeze(axis=axis) + config.epsilon())
    return 2 * covariance / denominator


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over samples of :func:`pearson_correlation`. Name 'pearson_correlation'.

    Args:
        name, dtype: as :class:`Metric`. axis: the axis correlated along. Defaults to -1.
    """

    _direction = "up"

    def __init__(self, name: str = "pearson_correlation", dtype: str | None = None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=int(axis))
        self.axis = int(axis)


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over samples of :func:`concordance_correlation`. Name 'concordance_correlation'.

    Args:
        name, dtype: as :class:`Metric`. axis: the axis correlated along. Defaults to -1.
    """

    _direction = "up"

    def __init__(self, name: str = "concordance_correlation", dtype: str | None = None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=int(axis))
        self.axis = int(axis)
