"""Losses on embeddings (metric learning): Circle loss (Keras ``circle``)."""

from __future__ import annotations

import numpy as np

from .. import ops
from ..autograd import Tensor
from .loss import LossFunctionWrapper, _data, _to_pred

__all__ = ["Circle", "circle"]

_NEG_INF = -1e30  # stands for -inf inside logsumexp (a real -inf row would give NaN gradients)


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True, gamma: float = 80.0,
           margin: float = 0.4) -> Tensor:
    """Circle loss (Sun et al. 2020) per sample, as Keras computes it: pulls embeddings of the same
    label together and pushes the others apart, each pair weighted by how far it is from its optimum.

    With cosine distances ``d = max(1 - y_pred · refᵀ, 0)`` (embeddings L2-normalized beforehand),
    ``m = margin``, positives P (same label; the sample itself left out with ``remove_diagonal``) and
    negatives N::

        s_p = -γ · max(m + d, 0) · (m - d)        over P
        s_n =  γ · max(1 + m - d, 0) · (1 - m - d) over N
        loss = softplus(logsumexp(s_p) + logsumexp(s_n))

    A sample with no positive or no negative gets 0, and the values are masked where they are 0 (the
    class's mean is over the others).

    Args:
        y_true: integer labels, shape (batch,). y_pred: embeddings, shape (batch, dims).
        ref_labels, ref_embeddings: the pairs' other side. Defaults to the batch itself.
        remove_diagonal: leave each sample out of its own positives. Defaults to True.
        gamma: the scale γ. Defaults to 80.0. margin: Defaults to 0.4.

    Returns:
        Tensor of shape (batch,).
    """
    y_pred = _to_pred(y_pred)
    labels = np.asarray(_data(y_true)).astype(np.int64).reshape(-1)
    refs = y_pred if ref_embeddings is None else _to_pred(ref_embeddings)
    ref = labels if ref_labels is None else np.asarray(_data(ref_labels)).astype(np.int64).reshape(-1)
    if y_pred.ndim != 2 or labels.shape[0] != y_pred.shape[0]:
        raise ValueError(f"circle: expected y_pred (batch, dims) and y_true (batch,), received shapes "
                         f"{tuple(y_pred.shape)} and {np.shape(_data(y_true))}")
    same = labels[:, None] == ref[None, :]
    positive, negative = same.copy(), ~same
    if remove_diagonal and ref_labels is None and ref_embeddings is None:
        np.fill_diagonal(positive, False)
    dtype = y_pred.dtype
    distance = ops.maximum(ops.subtract(1.0, ops.matmul(y_pred, ops.transpose(refs))), 0.0)
    pos_weight = ops.maximum(ops.multiply(ops.add(distance, margin), positive.astype(dtype)), 0.0)
    neg_weight = ops.maximum(ops.multiply(ops.subtract(1.0 + margin, distance), negative.astype(dtype)), 0.0)
    pos = ops.multiply(ops.multiply(pos_weight, ops.subtract(margin, distance)), -float(gamma))
    neg = ops.multiply(ops.multiply(neg_weight, ops.subtract(1.0 - margin, distance)), float(gamma))
    p_loss = ops.logsumexp(ops.where(positive, pos, np.asarray(_NEG_INF, dtype)), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg, np.asarray(_NEG_INF, dtype)), axis=1)
    loss = ops.softplus(ops.add(p_loss, n_loss))
    loss._keras_mask = loss.data > 0
    return loss


class Circle(LossFunctionWrapper):
    """The Circle loss (see :func:`circle`). Name 'circle'.

    Args:
        gamma: Defaults to 80.0. margin: Defaults to 0.4. remove_diagonal: Defaults to True.
        reduction, name, dtype: as :class:`Loss`.
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        if not float(gamma) > 0:
            raise ValueError(f"Circle: expected gamma > 0, received gamma={gamma}")
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype, gamma=float(gamma),
                         margin=float(margin), remove_diagonal=bool(remove_diagonal))
        self.gamma, self.margin, self.remove_diagonal = float(gamma), float(margin), bool(remove_diagonal)
