"""Losses of how much two masks overlap, for segmentation (Keras ``dice``, ``tversky``).

Both compare a target mask ``y`` (0/1, or soft) with a predicted one ``p`` by sums over ``axis``
(every axis when None, giving one number for the whole batch; ``axis=(1, 2, 3)`` gives one per image).
They are differentiable everywhere: composed from neuronet's ops (``ε = config.epsilon()`` keeps the
division finite for empty masks).
"""

from __future__ import annotations

from .. import config, ops
from ..autograd import Tensor
from .loss import LossFunctionWrapper, _to_pred, _to_true

__all__ = ["Dice", "Tversky", "dice", "tversky"]


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def dice(y_true, y_pred, axis=None) -> Tensor:
    """Dice loss: ``1 - 2·Σ y·p / (Σ y + Σ p + ε)`` over ``axis``.

    Args:
        y_true: target masks. y_pred: predicted masks, same shape.
        axis: the axes summed over; None (the default) sums over every axis (one value).

    Returns:
        Tensor with ``axis`` removed (a scalar when ``axis`` is None).
    """
    y_pred = _to_pred(y_pred)
    y_true = _to_true(y_true, y_pred)
    axis = _axis(axis)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), config.epsilon())
    return ops.subtract(1.0, ops.divide(ops.multiply(intersection, 2.0), total))


def tversky(y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None) -> Tensor:
    """Tversky loss (Salehi et al. 2017), Dice with weighted errors, as Keras computes it::

        TP = Σ y·p,  A = Σ y·(1 - p),  B = Σ p·(1 - y)
        loss = 1 - TP / (TP + alpha·A + beta·B + ε)

    (``A`` counts the target pixels the prediction missed, ``B`` the predicted pixels outside the
    target; with ``alpha = beta = 0.5`` this is the Dice loss.)

    Args:
        y_true: target masks. y_pred: predicted masks, same shape.
        alpha: weight of ``A``. Defaults to 0.5. beta: weight of ``B``. Defaults to 0.5.
        axis: the axes summed over; None (the default) sums over every axis (one value).
    """
    y_pred = _to_pred(y_pred)
    y_true = _to_true(y_true, y_pred)
    axis = _axis(axis)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    missed = ops.sum(ops.multiply(ops.subtract(1.0, y_pred), y_true), axis=axis)
    extra = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denominator = ops.add(ops.add(ops.add(intersection, ops.multiply(missed, float(alpha))),
                                  ops.multiply(extra, float(beta))), config.epsilon())
    return ops.subtract(1.0, ops.divide(intersection, denominator))


class Dice(LossFunctionWrapper):
    """The Dice loss (see :func:`dice`). Name 'dice'.

    Args:
        reduction, name ('dice'), dtype: as :class:`Loss`.
        axis: the axes summed over. Defaults to None (every axis).
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """The Tversky loss (see :func:`tversky`). Name 'tversky'.

    Args:
        alpha: Defaults to 0.5. beta: Defaults to 0.5.
        reduction, name ('tversky'), dtype: as :class:`Loss`.
        axis: the axes summed over. Defaults to None (every axis).
    """

    def __init__(self, alpha: float = 0.5, beta: float = 0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype, alpha=float(alpha), beta=float(beta),
                         axis=axis)
        self.alpha, self.beta, self.axis = float(alpha), float(beta), axis
