"""Hinge metrics (Keras ``hinge_metrics``): the hinge losses of :mod:`neuronet.losses` tracked as
running means. Labels in {-1, 1}; 0/1 labels are read as -1/1."""

from __future__ import annotations

from .. import losses
from .base import MeanMetricWrapper

__all__ = ["hinge", "squared_hinge", "categorical_hinge", "Hinge", "SquaredHinge", "CategoricalHinge"]

hinge = losses.hinge
squared_hinge = losses.squared_hinge
categorical_hinge = losses.categorical_hinge


class Hinge(MeanMetricWrapper):
    """Hinge loss as a metric: ``mean(max(1 - y_true * y_pred, 0))``, labels in {-1, 1} or 0/1.

    Args:
        name: Defaults to ``'hinge'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> round(Hinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        1.3
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "hinge", dtype: str | None = None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Squared hinge loss as a metric: ``mean(max(1 - y_true * y_pred, 0) ** 2)``.

    Args:
        name: Defaults to ``'squared_hinge'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "squared_hinge", dtype: str | None = None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Categorical hinge loss as a metric, for one-hot labels: ``max(neg - pos + 1, 0)``.

    Args:
        name: Defaults to ``'categorical_hinge'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "categorical_hinge", dtype: str | None = None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
