"""Probabilistic metrics (Keras ``probabilistic_metrics``): the cross-entropies, the Kullback-Leibler
divergence and the Poisson loss of :mod:`neuronet.losses`, tracked as running means.

The per-sample functions are the loss functions themselves (``metrics.binary_crossentropy is
losses.binary_crossentropy``, as in Keras). Probabilities made by a sigmoid or softmax carry their
logits, and the cross-entropies then compute from them (see :func:`neuronet.losses.binary_crossentropy`).
"""

from __future__ import annotations

from .. import losses
from ..losses import _check_smoothing
from .base import MeanMetricWrapper

__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "poisson",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
]

binary_crossentropy = losses.binary_crossentropy
categorical_crossentropy = losses.categorical_crossentropy
sparse_categorical_crossentropy = losses.sparse_categorical_crossentropy
kl_divergence = losses.kl_divergence
poisson = losses.poisson
binary_focal_crossentropy = losses.binary_focal_crossentropy
categorical_focal_crossentropy = losses.categorical_focal_crossentropy


class BinaryCrossentropy(MeanMetricWrapper):
    """Binary cross-entropy averaged over samples (the loss, tracked as a metric).

    Args:
        name: Defaults to ``'binary_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
        label_smoothing: in [0, 1]; labels become ``y (1 - s) + 0.5 s``. Defaults to 0.

    Example::

        >>> round(BinaryCrossentropy()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 4)
        0.8149
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "binary_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0.0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=_check_smoothing("BinaryCrossentropy", label_smoothing))


class CategoricalCrossentropy(MeanMetricWrapper):
    """Categorical cross-entropy with one-hot labels, averaged over samples.

    Args:
        name: Defaults to ``'categorical_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
        label_smoothing: in [0, 1]; labels become ``y (1 - s) + s / classes``. Defaults to 0.
        axis: the class axis. Defaults to -1.
    """

    _direction = "down"

    def __init__(self, name: str = "categorical_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=_check_smoothing("CategoricalCrossentropy", label_smoothing), axis=int(axis))


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Categorical cross-entropy with integer labels, averaged over samples.

    Args:
        name: Defaults to ``'sparse_categorical_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
        ignore_class: a label left out of the metric: its entries weigh 0, weighted or not (Keras 3.15
            leaves them out only when a sample_weight is given). Defaults to None.
        axis: the class axis. Defaults to -1.
    """

    _direction = "down"

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: str | None = None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits),
                         ignore_class=None if ignore_class is None else int(ignore_class), axis=int(axis))


class KLDivergence(MeanMetricWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``, mean over samples.

    Args:
        name: Defaults to ``'kl_divergence'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "kl_divergence", dtype: str | None = None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Poisson loss as a metric: ``mean(y_pred - y_true * log(y_pred + epsilon))``.

    Args:
        name: Defaults to ``'poisson'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"
    _rank1_is_batch = True

    def __init__(self, name: str = "poisson", dtype: str | None = None):
        super().__init__(poisson, name=name, dtype=dtype)
