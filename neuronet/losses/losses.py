"""The loss functions, one per formula, and the classes that wrap them (Keras ``losses/losses.py``).

A function returns one loss per sample; its class (``MeanSquaredError`` around
:func:`mean_squared_error`) weighs and reduces them (see :class:`~neuronet.losses.Loss`).
"""

from __future__ import annotations

import numpy as np

from .. import config, ops
from ..autograd import Tensor
from ..ops import losses as kernels
from .loss import LossFunctionWrapper, _check_smoothing, _data, _prepare, _smooth, _to_pred, _to_true

__all__ = [
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy", "SparseCategoricalCrossentropy", "Huber", "LogCosh", "KLDivergence", "Hinge",
    "SquaredHinge", "CategoricalHinge", "Poisson", "CosineSimilarity", "CTC",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_generalized_cross_entropy",
    "sparse_categorical_crossentropy", "huber", "log_cosh", "kl_divergence",
    "hinge", "squared_hinge", "categorical_hinge", "poisson", "cosine_similarity", "ctc",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "kullback_leibler_divergence",
    "logcosh",
]


# --------------------------------------------------------------------------------------- functions
def mean_squared_error(y_true, y_pred, *, mean_all: bool = False) -> Tensor:
    """Mean squared error per sample: ``mean((y_true - y_pred)², axis=-1)``.

    Args:
        y_true: targets, shape ``(batch, d0, .., dN)`` (or ``(batch,)`` against ``(batch, 1)``).
        y_pred: predictions, same shape.
        mean_all: return the mean over every sample instead, a scalar, from the same single op (the
            loss classes' unweighted ``'sum_over_batch_size'``). Defaults to False.

    Returns:
        Tensor of shape ``(batch, d0, .., dN-1)``.
    """
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_error")
    return kernels.mean_squared_difference(y_pred, y_true, axis=-1, mean_all=mean_all)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean absolute error per sample: ``mean(|y_true - y_pred|, axis=-1)`` (gradient 0 where equal)."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_error")
    return ops.mean(ops.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """``100 · mean(|(y_true - y_pred) / max(|y_true|, ε)|, axis=-1)`` (ε = 1e-7 keeps it finite)."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    scale = ops.maximum(ops.abs(y_true), config.epsilon())
    return 100.0 * ops.mean(ops.abs((y_true - y_pred) / scale), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """``mean((log(max(y_pred, ε) + 1) - log(max(y_true, ε) + 1))², axis=-1)`` (values ≤ 0 become ε)."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = config.epsilon()
    return kernels.mean_squared_difference(ops.log1p(ops.maximum(y_pred, eps)), ops.log1p(ops.maximum(y_true, eps)),
                                           axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1, *, mean_all: bool = False) -> Tensor:
    """Binary cross-entropy per sample, averaged over ``axis``.

    From probabilities ``p``: ``-mean(z·log c + (1-z)·log(1-c))`` with ``c = clip(p, ε, 1-ε)``.
    From logits ``x``: ``mean(max(x, 0) - x·z + log(1 + e^-|x|))``, exact for any ``x``. Probabilities
    made by a sigmoid (:func:`neuronet.ops.sigmoid`, a ``Dense(activation='sigmoid')``) carry their
    logits, and are computed from them: the same value where ``p`` is not clipped, exact where it is.

    Args:
        y_true: targets ``z`` in [0, 1], shape ``(batch, d0, .., dN)``.
        y_pred: probabilities, or logits when ``from_logits=True``; same shape.
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``z·(1 - s) + 0.5·s``. Defaults to 0.
        axis: the axis the mean is taken over. Defaults to -1.
        mean_all: return the mean over every sample instead, a scalar, from the same single op.
            Defaults to False.

    Returns:
        Tensor of shape ``(batch, d0, .., dN-1)``.
    """
    label_smoothing = _check_smoothing("binary_crossentropy", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, 2)
    return kernels.binary_crossentropy(y_true, y_pred, from_logits, axis=axis, mean_all=mean_all)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> Tensor:
    """Binary focal cross-entropy (Lin et al., 2017), averaged over ``axis``.

    ``mean((1 - p_t)^γ · bce)`` with ``p_t = z·p + (1-z)·(1-p)``; with ``apply_class_balancing`` each
    term is also weighted by ``α`` for class 1 and ``1 - α`` for class 0. From logits, ``p = σ(x)`` and
    ``bce`` is computed from the logits (exact, as Keras on TensorFlow), else from the clipped ``p``.

    Args:
        alpha: weight of class 1 when balancing. Defaults to 0.25.
        gamma: focusing parameter; 0 gives plain binary cross-entropy. Defaults to 2.0.
        Other args as :func:`binary_crossentropy`.
    """
    label_smoothing = _check_smoothing("binary_focal_crossentropy", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, 2)
    p = ops.sigmoid(y_pred) if from_logits else y_pred  # a sigmoid's output carries its logits to the bce
    bce = kernels.binary_crossentropy(y_true, p)  # elementwise
    p_t = y_true * p + (1.0 - y_true) * (1.0 - p)
    focal = ops.power(1.0 - p_t, float(gamma)) * bce
    if apply_class_balancing:
        focal = (y_true * float(alpha) + (1.0 - y_true) * (1.0 - float(alpha))) * focal
    return ops.mean(focal, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1, *, mean_all: bool = False) -> Tensor:
    """Categorical cross-entropy per sample, for one-hot (or soft) targets.

    From logits ``x``: ``-Σ y·log_softmax(x)`` over ``axis`` (max-subtracted, exact). From
    probabilities ``p``: ``p`` is divided by its sum, clipped to ``[ε, 1-ε]``, and ``-Σ y·log`` of it
    is returned, as Keras does. Probabilities made by a softmax over ``axis`` carry their logits and
    are computed from them.

    Args:
        y_true: one-hot targets, shape ``(batch, classes)`` (or ``(batch, d0, .., classes)``).
        y_pred: probabilities, or logits when ``from_logits=True``; same shape.
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``y·(1 - s) + s / classes``. Defaults to 0.
        axis: the class axis. Defaults to -1.
        mean_all: return the mean over every sample instead, a scalar, from the same single op.
            Defaults to False.

    Returns:
        Tensor with ``axis`` removed, e.g. ``(batch,)``.
    """
    label_smoothing = _check_smoothing("categorical_crossentropy", label_smoothing)
    y_pred = _to_pred(y_pred)
    y_true = _to_true(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = " (for integer labels use sparse_categorical_crossentropy)" if y_true.shape[-1:] in ((1,), ()) \
            else ""
        raise ValueError(
            f"categorical_crossentropy: expected one-hot y_true with the shape of y_pred {tuple(y_pred.shape)}, "
            f"received y_true of shape {tuple(y_true.shape)}{hint}"
        )
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    return kernels.categorical_crossentropy(y_true, y_pred, from_logits, axis=axis, mean_all=mean_all)


def categorical_focal_crossentropy(y_true, y_pred, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Categorical focal cross-entropy (Lin et al. 2017) per sample: the cross-entropy of each class
    weighted down where the model is already confident::

        p = clip(y_pred / Σ y_pred, ε, 1 - ε)          (softmax first when from_logits)
        loss = Σ_axis alpha · (1 - p)^gamma · (-y_true · log p)

    Args:
        y_true: one-hot targets. y_pred: probabilities (or logits), same shape.
        alpha: weighting factor. Defaults to 0.25. gamma: focusing exponent (>= 0). Defaults to 2.0.
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``y·(1 - s) + s / classes``. Defaults to 0.
        axis: the class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` removed, e.g. ``(batch,)``.
    """
    label_smoothing = _check_smoothing("categorical_focal_crossentropy", label_smoothing)
    y_pred = _to_pred(y_pred)
    y_true = _to_true(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"categorical_focal_crossentropy: expected one-hot y_true with the shape of y_pred "
                         f"{tuple(y_pred.shape)}, received y_true of shape {tuple(y_true.shape)}")
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = config.epsilon()
    p = ops.clip(ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True)), eps, 1.0 - eps)
    cross_entropy = ops.multiply(ops.negative(y_true), ops.log(p))
    weight = ops.multiply(ops.power(ops.subtract(1.0, p), float(gamma)), float(alpha))
    return ops.sum(ops.multiply(weight, cross_entropy), axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q: float) -> Tensor:
    """Generalized cross-entropy (Zhang & Sabuncu 2018), robust to noisy labels: ``(1 - p^q) / q`` with
    ``p`` the predicted probability of the true class (cross-entropy as q → 0, MAE-like at q = 1).

    Args:
        y_true: integer labels, shape ``(batch,)`` or ``(batch, 1)``.
        y_pred: class probabilities, shape ``(batch, classes)``.
        q: in (0, 1).

    Returns:
        Tensor of shape ``(batch,)``.
    """
    y_pred = _to_pred(y_pred)
    labels = np.asarray(_data(y_true))
    if labels.ndim == y_pred.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if labels.shape != tuple(y_pred.shape[:-1]):
        raise ValueError(f"categorical_generalized_cross_entropy: expected integer labels of shape "
                         f"{tuple(y_pred.shape[:-1])} for y_pred of shape {tuple(y_pred.shape)}, received "
                         f"{labels.shape}")
    one_hot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels.astype(np.int64)]
    p = ops.sum(ops.multiply(y_pred, one_hot), axis=-1)
    return ops.divide(ops.subtract(1.0, ops.power(p, float(q))), float(q))


def ctc(y_true, y_pred) -> Tensor:
    """Connectionist temporal classification loss per sequence (``ops.ctc_loss`` with blank 0).

    Args:
        y_true: integer labels, shape ``(batch, max_label_length)``, padded with 0 (the blank): each
            label's length is its count of non-zero entries.
        y_pred: logits, shape ``(batch, time, classes)``; every frame counts.

    Returns:
        Tensor of shape ``(batch,)``.
    """
    y_pred = _to_pred(y_pred)
    labels = np.asarray(_data(y_true))
    if labels.ndim != 2 or y_pred.ndim != 3:
        raise ValueError(f"ctc: expected y_true (batch, labels) and y_pred (batch, time, classes), received shapes "
                         f"{labels.shape} and {tuple(y_pred.shape)}")
    batch, time = y_pred.shape[0], y_pred.shape[1]
    return ops.ctc_loss(labels, y_pred, (labels != 0).sum(axis=-1), np.full(batch, time), mask_index=0)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, ignore_class: int | None = None,
                                    axis: int = -1, *, mean_all: bool = False) -> Tensor:
    """Categorical cross-entropy per sample for integer labels.

    From logits: ``log Σ e^x - x[label]`` (exact). From probabilities: ``-log clip(p[label] / Σp, ε, 1-ε)``;
    probabilities made by a softmax over ``axis`` carry their logits and are computed from them.

    Args:
        y_true: integer labels in ``[0, classes)``, shape ``(batch,)`` or ``(batch, 1)``
            (or ``(batch, d0, ..)`` against ``y_pred`` of shape ``(batch, d0, .., classes)``).
        y_pred: probabilities, or logits when ``from_logits=True``, shape ``(batch, classes)``.
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        ignore_class: a label whose entries get loss 0 and are left out of the batch mean (e.g. a
            padding class such as -1 or 255). Defaults to None.
        axis: the class axis. Defaults to -1.
        mean_all: return the mean over every sample instead, a scalar, from the same single op (not
            with ``ignore_class``). Defaults to False.

    Returns:
        Tensor of shape ``y_pred.shape`` without ``axis``, e.g. ``(batch,)``. With ``ignore_class``
        it carries ``_keras_mask`` marking the kept entries, which the loss classes use to divide
        by their count.

    Raises:
        ValueError: if a label is outside ``[0, classes)`` or not an integer.
    """
    return kernels.sparse_categorical_crossentropy(y_true, _to_pred(y_pred), from_logits, axis=axis,
                                                   ignore_class=ignore_class, mean_all=mean_all)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Huber loss per sample: ``mean(½e² if |e| ≤ δ else δ|e| - ½δ², axis=-1)``, ``e = y_pred - y_true``.

    Args:
        delta: where the loss turns from quadratic to linear. Defaults to 1.0.
    """
    delta = float(delta)
    if not delta > 0:
        raise ValueError(f"huber: expected delta > 0, received {delta}")
    y_true, y_pred = _prepare(y_true, y_pred, "huber")
    error = y_pred - y_true
    abs_error = ops.abs(error)
    small = abs_error.data <= delta
    return ops.mean(ops.where(small, 0.5 * ops.square(error), delta * abs_error - 0.5 * delta * delta), axis=-1)


def log_cosh(y_true, y_pred) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``: like MSE for small errors, like MAE for large ones."""
    y_true, y_pred = _prepare(y_true, y_pred, "log_cosh")
    return ops.mean(kernels.log_cosh(y_pred - y_true), axis=-1)


def kl_divergence(y_true, y_pred) -> Tensor:
    """Kullback-Leibler divergence ``Σ t·log(t / p)`` over the last axis, with ``t, p`` clipped to ``[ε, 1]``."""
    y_true, y_pred = _prepare(y_true, y_pred, "kl_divergence")
    eps = config.epsilon()
    t, p = ops.clip(y_true, eps, 1.0), ops.clip(y_pred, eps, 1.0)
    return ops.sum(t * (ops.log(t) - ops.log(p)), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    """Poisson loss per sample: ``mean(y_pred - y_true·log(y_pred + ε), axis=-1)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "poisson")
    return ops.mean(y_pred - y_true * ops.log(y_pred + config.epsilon()), axis=-1)


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}; other labels are kept (Keras's rule)."""
    data = _data(y_true)
    if np.all((data == 0) | (data == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred) -> Tensor:
    """Hinge loss ``mean(max(1 - y_true·y_pred, 0), axis=-1)``; labels in {0, 1} are read as {-1, 1}."""
    y_true, y_pred = _prepare(y_true, y_pred, "hinge")
    return ops.mean(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    """``mean(max(1 - y_true·y_pred, 0)², axis=-1)``; labels in {0, 1} are read as {-1, 1}."""
    y_true, y_pred = _prepare(y_true, y_pred, "squared_hinge")
    return ops.mean(ops.square(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """``max(neg - pos + 1, 0)`` with ``pos = Σ y_true·y_pred`` and ``neg = max((1 - y_true)·y_pred)``."""
    y_true, y_pred = _prepare(y_true, y_pred, "categorical_hinge")
    pos = ops.sum(y_true * y_pred, axis=-1)
    others = (1.0 - y_true) * y_pred
    flat = ops.reshape(others, (-1, others.shape[-1]))
    best = np.argmax(flat.data, axis=-1)  # the max picks one entry; its gradient goes there
    neg = ops.reshape(flat[np.arange(flat.shape[0]), best], others.shape[:-1])
    return ops.maximum(neg - pos + 1.0, 0.0)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """The NEGATIVE cosine similarity ``-Σ (y_true/‖y_true‖)·(y_pred/‖y_pred‖)`` over ``axis``, as Keras.

    Values lie in [-1, 1]; -1 means the same direction, so minimizing it aligns the vectors. Norms are
    floored at ε, so a zero vector gives 0.
    """
    y_true, y_pred = _prepare(y_true, y_pred, "cosine_similarity")

    def unit(x):  # x / max(‖x‖, ε) along axis
        return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)), config.epsilon())

    return -ops.sum(unit(y_true) * unit(y_pred), axis=axis)


# Keras's legacy short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# --------------------------------------------------------------------------------------- classes
class MeanSquaredError(LossFunctionWrapper):
    """Mean of ``(y_true - y_pred)²``. Name 'mean_squared_error'."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of ``|y_true - y_pred|``. Name 'mean_absolute_error'."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 · mean(|(y_true - y_pred) / y_true|)``. Name 'mean_absolute_percentage_error'."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean of ``(log(y_pred + 1) - log(y_true + 1))²``. Name 'mean_squared_logarithmic_error'."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for 0/1 targets (see :func:`binary_crossentropy`).

    Args:
        from_logits: whether ``y_pred`` are logits (exact, recommended) rather than probabilities.
            Defaults to False.
        label_smoothing: in [0, 1]; targets become ``z·(1 - s) + 0.5·s``. Defaults to 0.
        axis: the axis averaged over. Defaults to -1.
        reduction, name ('binary_crossentropy'), dtype: as :class:`Loss`.

    Example::

        >>> loss = BinaryCrossentropy(from_logits=True)
        >>> loss(np.array([[0.0], [1.0]]), Tensor([[-2.0], [3.0]]))     # scalar Tensor
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        label_smoothing = _check_smoothing("BinaryCrossentropy", label_smoothing)
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=label_smoothing, axis=int(axis))
        self.from_logits = bool(from_logits)
        self.label_smoothing = label_smoothing
        self.axis = int(axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy (see :func:`binary_focal_crossentropy`). Name 'binary_focal_crossentropy'.

    Args:
        apply_class_balancing: weight class 1 by ``alpha`` and class 0 by ``1 - alpha``. Defaults to False.
        alpha: Defaults to 0.25. gamma: Defaults to 2.0. from_logits: Defaults to False.
        label_smoothing: Defaults to 0. axis: Defaults to -1.
    """

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        label_smoothing = _check_smoothing("BinaryFocalCrossentropy", label_smoothing)
        if float(gamma) < 0:
            raise ValueError(f"BinaryFocalCrossentropy: expected gamma >= 0, received {gamma}")
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=bool(apply_class_balancing), alpha=float(alpha), gamma=float(gamma),
                         from_logits=bool(from_logits), label_smoothing=label_smoothing, axis=int(axis))
        self.from_logits = bool(from_logits)
        self.apply_class_balancing, self.alpha, self.gamma = bool(apply_class_balancing), float(alpha), float(gamma)
        self.label_smoothing, self.axis = label_smoothing, int(axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for one-hot targets (see :func:`categorical_crossentropy`).

    Args:
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        label_smoothing: in [0, 1]; targets become ``y·(1 - s) + s / classes``. Defaults to 0.
        axis: the class axis. Defaults to -1.
        reduction, name ('categorical_crossentropy'), dtype: as :class:`Loss`.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        label_smoothing = _check_smoothing("CategoricalCrossentropy", label_smoothing)
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), label_smoothing=label_smoothing, axis=int(axis))
        self.from_logits = bool(from_logits)
        self.label_smoothing = label_smoothing
        self.axis = int(axis)


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy (see :func:`categorical_focal_crossentropy`). Name
    'categorical_focal_crossentropy'.

    Args:
        alpha: Defaults to 0.25. gamma: Defaults to 2.0. from_logits: Defaults to False.
        label_smoothing: Defaults to 0. axis: Defaults to -1.
        reduction, name, dtype: as :class:`Loss`.
    """

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction="sum_over_batch_size",
                 name="categorical_focal_crossentropy", dtype=None):
        label_smoothing = _check_smoothing("CategoricalFocalCrossentropy", label_smoothing)
        if float(gamma) < 0:
            raise ValueError(f"CategoricalFocalCrossentropy: expected gamma >= 0, received {gamma}")
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         alpha=float(alpha), gamma=float(gamma), from_logits=bool(from_logits),
                         label_smoothing=label_smoothing, axis=int(axis))
        self.alpha, self.gamma, self.from_logits = float(alpha), float(gamma), bool(from_logits)
        self.label_smoothing, self.axis = label_smoothing, int(axis)


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy for integer labels (see :func:`categorical_generalized_cross_entropy`).
    Name 'categorical_generalized_cross_entropy'.

    Args:
        q: in (0, 1). Defaults to 0.5.
        reduction, name, dtype: as :class:`Loss`.
    """

    def __init__(self, q: float = 0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0.0 < float(q) < 1.0:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: expected q in (0, 1), received q={q}")
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype,
                         q=float(q))
        self.q = float(q)


class CTC(LossFunctionWrapper):
    """The CTC loss (see :func:`ctc`). Name 'ctc'."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy for integer labels (see :func:`sparse_categorical_crossentropy`).

    Args:
        from_logits: whether ``y_pred`` are logits. Defaults to False.
        ignore_class: a label left out of the loss and of the mean. Defaults to None.
        axis: the class axis. Defaults to -1.
        reduction, name ('sparse_categorical_crossentropy'), dtype: as :class:`Loss`.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1,
                 reduction="sum_over_batch_size", name="sparse_categorical_crossentropy", dtype=None):
        ignore_class = None if ignore_class is None else int(ignore_class)
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=bool(from_logits), ignore_class=ignore_class, axis=int(axis))
        self.from_logits = bool(from_logits)
        self.ignore_class = ignore_class
        self.axis = int(axis)
        if ignore_class is not None:
            self._mean_in_one_op = False  # the mean runs over the kept entries only: the general path


class Huber(LossFunctionWrapper):
    """Huber loss (see :func:`huber`). Args: delta (Defaults to 1.0). Name 'huber_loss' as in Keras."""

    def __init__(self, delta: float = 1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        delta = float(delta)
        if not delta > 0:
            raise ValueError(f"Huber: expected delta > 0, received {delta}")
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


class LogCosh(LossFunctionWrapper):
    """Mean of ``log(cosh(y_pred - y_true))``. Name 'log_cosh'."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``Σ y_true·log(y_true / y_pred)``. Name 'kl_divergence'."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """Mean of ``max(1 - y_true·y_pred, 0)``, labels -1/1 (0/1 converted). Name 'hinge'."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Mean of ``max(1 - y_true·y_pred, 0)²``, labels -1/1 (0/1 converted). Name 'squared_hinge'."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """``max(neg - pos + 1, 0)`` for one-hot targets. Name 'categorical_hinge'."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Mean of ``y_pred - y_true·log(y_pred + ε)``. Name 'poisson'."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """The negative cosine similarity over ``axis`` (Defaults to -1). Name 'cosine_similarity'."""

    def __init__(self, axis: int = -1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=int(axis))
        self.axis = int(axis)
