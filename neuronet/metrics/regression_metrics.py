"""Regression metrics (Keras ``regression_metrics``): the regression losses of :mod:`neuronet.losses`
tracked as running means, the root of the mean squared error, cosine similarity and R².

The per-sample functions are the loss functions themselves (``metrics.mean_squared_error is
losses.mean_squared_error``, as in Keras); they return Tensors.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import losses
from ._arrays import _apply_mask, _broadcast_weight, _check_batch, _float_array, _same_rank
from .base import Mean, MeanMetricWrapper, Metric
from .metric_functions import cosine_similarity

__all__ = [
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "log_cosh", "cosine_similarity", "huber",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "RootMeanSquaredError", "CosineSimilarity", "LogCoshError", "R2Score",
]

mean_squared_error = losses.mean_squared_error
mean_absolute_error = losses.mean_absolute_error
mean_absolute_percentage_error = losses.mean_absolute_percentage_error
mean_squared_logarithmic_error = losses.mean_squared_logarithmic_error
log_cosh = losses.log_cosh
huber = losses.huber


def _squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """``(y_pred - y_true)²`` per entry: what RootMeanSquaredError averages and R2Score sums (SS_res)."""
    return np.square(y_pred - y_true)


class MeanSquaredError(MeanMetricWrapper):
    """Mean squared error over samples: ``mean((y_true - y_pred) ** 2)`` (wraps the loss function).

    Args:
        name: Defaults to ``'mean_squared_error'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        0.25
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "mean_squared_error", dtype: str | None = None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean absolute error over samples: ``mean(|y_true - y_pred|)``.

    Args:
        name: Defaults to ``'mean_absolute_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "mean_absolute_error", dtype: str | None = None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean absolute percentage error: ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))``.

    Args:
        name: Defaults to ``'mean_absolute_percentage_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: str | None = None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean squared logarithmic error: ``mean((log(1 + y_pred) - log(1 + y_true)) ** 2)``.

    Args:
        name: Defaults to ``'mean_squared_logarithmic_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: str | None = None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Logarithm of the hyperbolic cosine of the error, averaged over samples.

    Args:
        name: Defaults to ``'logcosh'`` (Keras's name).
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "logcosh", dtype: str | None = None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Cosine similarity between labels and predictions, averaged over samples (1 = same direction).

    Args:
        name: Defaults to ``'cosine_similarity'``.
        dtype: Defaults to ``config.floatx()``.
        axis: axis along which the similarity is computed. Defaults to -1.

    Example::

        >>> round(CosineSimilarity()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]), 6)
        0.5
    """

    _direction = "up"

    def __init__(self, name: str = "cosine_similarity", dtype: str | None = None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=int(axis))


class RootMeanSquaredError(Mean):
    """Root of the mean squared error over everything seen: ``sqrt(mean((y_true - y_pred) ** 2))``.

    The square root is taken of the epoch's mean, not averaged over batches. As in Keras, the mean
    runs over the squared error of every entry, so ``sample_weight`` may weigh single entries.

    Args:
        name: Defaults to ``'root_mean_squared_error'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.5
    """

    _direction = "down"

    def __init__(self, name: str = "root_mean_squared_error", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add the squared errors of one batch. Shapes: y_true, y_pred (batch, ...)."""
        sample_weight = _apply_mask(y_pred, sample_weight)
        y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
        _check_batch(self.name, y_true, y_pred)
        super().update_state(_squared_error(y_true, y_pred), sample_weight=sample_weight)

    def result(self) -> float:
        return math.sqrt(super().result())


class R2Score(Metric):
    """Coefficient of determination ``R² = 1 - SS_res / SS_tot`` per output column, then aggregated.

    Accumulates weighted sums over batches, so the epoch value is the R² of all samples seen.

    Args:
        class_aggregation: 'uniform_average' (mean over columns), 'variance_weighted_average' (weighted
            by each column's variance) or None (one score per column). Defaults to 'uniform_average'.
        num_regressors: number of regressors p for the adjusted R² ``1 - (1 - R²)(n - 1)/(n - p - 1)``.
            Defaults to 0 (plain R²).
        name: Defaults to ``'r2_score'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> R2Score()([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
        0.5714...
    """

    _direction = "up"

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"R2Score: expected class_aggregation in {valid}, received {class_aggregation!r}")
        if isinstance(num_regressors, bool) or not isinstance(num_regressors, int) or num_regressors < 0:
            raise ValueError(f"R2Score: expected num_regressors to be an integer >= 0, received {num_regressors!r}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.reset_state()

    def reset_state(self) -> None:
        self.sum = self.squared_sum = self.total_mse = self.count = None
        self.num_samples = 0

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add one batch. Shapes: y_true and y_pred (batch, outputs) or (batch,); sample_weight (batch,)."""
        yt, yp = _same_rank(_float_array(y_true).astype(np.float64), _float_array(y_pred).astype(np.float64))
        if yt.ndim == 1:
            yt, yp = yt[:, None], yp[:, None]
        if yp.ndim != 2 or yt.shape != yp.shape:
            raise ValueError(
                f"{self.name}: expected y_true and y_pred of the same shape (batch, outputs), received y_true with "
                f"shape {yt.shape} and y_pred with shape {yp.shape}"
            )
        weight = np.ones_like(yt) if sample_weight is None else _broadcast_weight(self.name, sample_weight, yt.shape)
        weighted = yt * weight
        batch = (weighted.sum(axis=0), (yt * weighted).sum(axis=0), (_squared_error(yt, yp) * weight).sum(axis=0),
                 weight.sum(axis=0))
        if self.sum is None:
            self.sum, self.squared_sum, self.total_mse, self.count = batch
        else:
            self.sum = self.sum + batch[0]
            self.squared_sum = self.squared_sum + batch[1]
            self.total_mse = self.total_mse + batch[2]
            self.count = self.count + batch[3]
        self.num_samples += yt.size

    def result(self):
        if self.sum is None:
            return 0.0
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 1.0 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = float(np.mean(raw))
        elif self.class_aggregation == "variance_weighted_average":
            score = float(np.sum(total * raw) / np.sum(total))
        else:
            score = raw
        if self.num_regressors:
            n, p = float(self.num_samples), float(self.num_regressors)
            if p >= n - 1:
                warnings.warn(f"{self.name}: adjusted R² needs more samples than num_regressors + 1; returning the "
                              "plain R²", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score if isinstance(score, float) else np.asarray(score, dtype=self.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
