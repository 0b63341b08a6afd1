"""Loss functions and classes with Keras 3 names, defaults and semantics.

Two forms, as in Keras:

* **functions** (``binary_crossentropy``, ``mean_squared_error``, ...) take ``(y_true, y_pred)`` and
  return one loss per sample: a Tensor shaped like ``y_pred`` without its last axis, e.g. ``(batch,)``;
* **classes** (``BinaryCrossentropy``, ``MeanSquaredError``, ...) are called
  ``loss(y_true, y_pred, sample_weight=None)`` and return a scalar Tensor, reduced as Keras's
  ``'sum_over_batch_size'``: the sum of the (weighted) per-sample losses divided by their count.

Cross-entropies run on the fused kernels of :mod:`neuronet.ops.losses`: from logits they are exact for
any input; from probabilities they clip to ``[ε, 1-ε]`` (``ε = config.epsilon()``, 1e-7) before the
log, as Keras does. Probabilities made by a sigmoid or softmax (``Dense(1, activation='sigmoid')``,
:func:`neuronet.ops.softmax`) carry their logits on the tensor (``_keras_logits``, as in tf.keras), and
a cross-entropy with ``from_logits=False`` computes from those: exact even where the probabilities
saturate to 0 or 1.

Each formula is one function. The classes' unweighted ``'sum_over_batch_size'`` value (the training
step's loss) comes from the same function called with ``mean_all=True``, which the fused kernels
answer in the op that computes the per-sample losses.

``y_true`` may be an ndarray, a list or a Tensor; ``y_pred`` a Tensor (or anything array-like).
Before a loss is computed, ``y_true`` of shape ``(batch,)`` against ``y_pred`` of shape
``(batch, 1)`` is expanded to ``(batch, 1)`` (and a trailing axis of 1 squeezed the other way), which
Keras does in ``compile``; any other shape mismatch is a ValueError rather than a silent broadcast.

Example::

    >>> loss = neuronet.losses.BinaryCrossentropy(from_logits=True)
    >>> value = loss(np.array([[1.0], [0.0]]), logits)     # scalar Tensor
    >>> value.backward()
"""

from __future__ import annotations

import inspect

import numpy as np

from . import config, ops
from .autograd import Tensor
from .ops import losses as kernels
from .utils.naming import closest_match

__all__ = [
    "Loss", "LossFunctionWrapper",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
    "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "Huber", "LogCosh", "KLDivergence", "Hinge", "SquaredHinge",
    "CategoricalHinge", "Poisson", "CosineSimilarity",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "huber", "log_cosh", "kl_divergence",
    "hinge", "squared_hinge", "categorical_hinge", "poisson", "cosine_similarity",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "kullback_leibler_divergence",
    "logcosh", "get", "serialize", "deserialize", "ALL_NAMES",
]

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# --------------------------------------------------------------------------------------- helpers
def _to_pred(y_pred, dtype=None) -> Tensor:
    """``y_pred`` as a floating Tensor (integers become floatx); a cast keeps the logits a sigmoid or
    softmax left on it (``_keras_logits``), cast alike."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor._wrap(y_pred) if type(y_pred) is np.ndarray else Tensor(y_pred)
    if dtype is None:
        if y_pred.dtype.kind == "f":
            return y_pred
        dtype = config.floatx()
    elif y_pred.dtype == dtype:
        return y_pred
    cast = ops.cast(y_pred, dtype)
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None:
        cast._keras_logits = ops.cast(logits, dtype)
        cast._keras_logits_axis = getattr(y_pred, "_keras_logits_axis", None)
    return cast


def _to_true(y_true, y_pred: Tensor):
    """``y_true`` cast to ``y_pred``'s dtype: an ndarray (a constant), or a Tensor if it needs a gradient."""
    if isinstance(y_true, Tensor):
        if y_true.requires_grad:
            return y_true if y_true.dtype == y_pred.dtype else ops.cast(y_true, y_pred.dtype)
        y_true = y_true.data
    return np.asarray(y_true, dtype=y_pred.dtype)


def _reshape(x, shape):
    return ops.reshape(x, shape) if isinstance(x, Tensor) else x.reshape(shape)


def _same_rank(y_true, y_pred: Tensor, name: str):
    """Keras's squeeze-or-expand for ranks differing by one on a trailing axis of 1, then a shape check."""
    t_shape, p_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if len(t_shape) == len(p_shape) + 1 and t_shape[-1] == 1:
        y_true = _reshape(y_true, t_shape[:-1])
    elif len(p_shape) == len(t_shape) + 1 and p_shape[-1] == 1:
        y_true = _reshape(y_true, t_shape + (1,))
    if tuple(y_true.shape) != p_shape:
        raise ValueError(
            f"{name}: expected y_true with the shape of y_pred {p_shape}, received y_true of shape {t_shape}"
        )
    return y_true, y_pred


def _prepare(y_true, y_pred, name: str):
    y_pred = _to_pred(y_pred)
    y_true = _to_true(y_true, y_pred)
    return _same_rank(y_true, y_pred, name)


def _check_smoothing(name: str, label_smoothing) -> float:
    label_smoothing = float(label_smoothing)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: expected label_smoothing in [0, 1], received {label_smoothing}")
    return label_smoothing


def _data(x):
    return x.data if isinstance(x, Tensor) else x


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
    if isinstance(y_true, Tensor):
        scale = ops.maximum(ops.abs(y_true), config.epsilon())
    else:
        scale = np.maximum(np.abs(y_true), config.epsilon())
    return 100.0 * ops.mean(ops.abs((y_true - y_pred) / scale), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """``mean((log(max(y_pred, ε) + 1) - log(max(y_true, ε) + 1))², axis=-1)`` (values ≤ 0 become ε)."""
    y_true, y_pred = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = config.epsilon()
    first = ops.log1p(ops.maximum(y_pred, eps))
    second = ops.log1p(ops.maximum(y_true, eps)) if isinstance(y_true, Tensor) else np.log1p(np.maximum(y_true, eps))
    return kernels.mean_squared_difference(first, second, axis=-1)


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
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return kernels.binary_crossentropy(y_true, y_pred, from_logits, axis=axis, mean_all=mean_all)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1) -> Tensor:
    """Binary focal cross-entropy (Lin et al., 2017), averaged over ``axis``.

    ``mean((1 - p_t)^γ · bce)`` with ``p_t = z·p + (1-z)·(1-p)``; with ``apply_class_balancing`` each
    term is also weighted by ``α`` for class 1 and ``1 - α`` for class 0. From logits, ``p = σ(x)``
    (then clipped like the probability path, as Keras does).

    Args:
        alpha: weight of class 1 when balancing. Defaults to 0.25.
        gamma: focusing parameter; 0 gives plain binary cross-entropy. Defaults to 2.0.
        Other args as :func:`binary_crossentropy`.
    """
    label_smoothing = _check_smoothing("binary_focal_crossentropy", label_smoothing)
    y_true, y_pred = _prepare(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    p = ops.sigmoid(y_pred) if from_logits else y_pred
    c = ops.clip(p, config.epsilon(), 1.0 - config.epsilon())
    bce = -(y_true * ops.log(c) + (1.0 - y_true) * ops.log(1.0 - c))
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
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[axis]
    return kernels.categorical_crossentropy(y_true, y_pred, from_logits, axis=axis, mean_all=mean_all)


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
    t = ops.clip(y_true, eps, 1.0) if isinstance(y_true, Tensor) else np.clip(y_true, eps, 1.0)
    p = ops.clip(y_pred, eps, 1.0)
    log_t = ops.log(t) if isinstance(t, Tensor) else np.log(t)
    return ops.sum(t * (log_t - ops.log(p)), axis=-1)


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
    eps = config.epsilon()
    p_norm = ops.maximum(ops.sqrt(ops.sum(ops.square(y_pred), axis=axis, keepdims=True)), eps)
    if isinstance(y_true, Tensor):
        t_unit = y_true / ops.maximum(ops.sqrt(ops.sum(ops.square(y_true), axis=axis, keepdims=True)), eps)
    else:
        t_unit = y_true / np.maximum(np.sqrt(np.sum(y_true * y_true, axis=axis, keepdims=True)), eps)
    return -ops.sum(t_unit * (y_pred / p_norm), axis=axis)


# Keras's legacy short names
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# --------------------------------------------------------------------------------------- classes
class Loss:
    """Base class of loss objects: ``loss(y_true, y_pred, sample_weight=None)`` → scalar Tensor.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses; ``__call__`` weights and
    reduces them.

    Args:
        name: the loss name (Keras snake case). Defaults to the class's.
        reduction: ``'sum_over_batch_size'`` (sum of weighted losses / their count; ``'mean'`` is the
            same), ``'sum'``, ``'mean_with_sample_weight'`` (divided by the sum of weights) or
            ``'none'``/None (per-sample losses). Defaults to ``'sum_over_batch_size'``.
        dtype: the dtype computations run in. Defaults to None (``y_pred``'s own float dtype).
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: expected reduction in {_REDUCTIONS}, received {reduction!r}"
            )
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        if isinstance(dtype, dict):  # a Keras DTypePolicy config: {'class_name': ..., 'config': {'name': ...}}
            dtype = dtype.get("config", {}).get("name")
        self.dtype = None if dtype is None else np.dtype(dtype).name

    def call(self, y_true, y_pred) -> Tensor:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.call is not implemented")

    # True when ``call(y_true, y_pred, mean_all=True)`` returns the unweighted 'sum_over_batch_size'
    # value from the same op that computes the per-sample losses: the training step's common case
    _mean_in_one_op = False

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        in_mask = getattr(y_pred, "_keras_mask", None)  # read before a cast makes a new tensor
        y_pred = _to_pred(y_pred, self.dtype)
        if (self._mean_in_one_op and sample_weight is None and in_mask is None
                and self.reduction in ("sum_over_batch_size", "mean")):
            return self.call(y_true, y_pred, mean_all=True)
        values = self.call(y_true, y_pred)
        out_mask = getattr(values, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = np.logical_and(_data(in_mask), _data(out_mask))
        else:
            mask = out_mask if in_mask is None else in_mask
        return _reduce(values, sample_weight, mask, self.reduction, self.name)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        """A loss from :meth:`get_config`'s output (keys the constructor does not take are an error)."""
        config = dict(config)
        config.pop("fn", None)  # Keras's LossFunctionWrapper records its function by name
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _snake(name: str) -> str:
    from .utils.naming import to_snake_case

    return to_snake_case(name)


def _reduce(values: Tensor, sample_weight, mask, reduction, name: str) -> Tensor:
    """Weight per-sample ``values`` (by ``sample_weight`` and ``mask``) and reduce them as Keras does."""
    weights = None
    if sample_weight is not None:
        w = np.asarray(_data(sample_weight), dtype=values.dtype)
        if w.ndim == values.ndim + 1 and w.shape[-1] == 1:
            w = w.reshape(w.shape[:-1])
        w = w.reshape(w.shape + (1,) * (values.ndim - w.ndim)) if w.ndim < values.ndim else w
        try:
            np.broadcast_shapes(w.shape, values.shape)
        except ValueError:
            raise ValueError(
                f"{name}: sample_weight of shape {np.shape(_data(sample_weight))} does not match the per-sample "
                f"losses of shape {values.shape}"
            ) from None
        weights = w
    if mask is not None:
        mask = np.asarray(_data(mask))
        if mask.ndim > values.ndim or mask.shape != values.shape[:mask.ndim]:
            mask = None  # a mask for another shape (e.g. per time step against per-sample losses): not ours
    if mask is not None:
        m = mask.astype(values.dtype).reshape(mask.shape + (1,) * (values.ndim - mask.ndim))
        weights = m if weights is None else weights * m
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values if weights is None else values * weights
    if weights is None:
        if reduction == "sum":
            return ops.sum(values)
        return ops.mean(values)  # sum / number of entries
    total = ops.sum(values * weights)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight":
        divisor = float(np.sum(np.broadcast_to(weights, values.shape)))
    elif mask is not None:
        divisor = float(np.sum(mask)) * (values.size / max(mask.size, 1))  # the entries kept by the mask
    else:
        divisor = float(values.size)
    return total / divisor if divisor else total * 0.0


def _takes_mean_all(fn) -> bool:
    """Whether ``fn`` can return its batch mean from the op that computes it (a ``mean_all`` argument)."""
    try:
        return "mean_all" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a callable without a signature
        return False


class LossFunctionWrapper(Loss):
    """A loss object around a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: the function; it returns one loss per sample.
        name: defaults to ``fn.__name__``.
        reduction, dtype: as :class:`Loss`.
        **kwargs: passed to ``fn`` on every call (and kept in ``get_config``).
    """

    def __init__(self, fn, reduction: str | None = "sum_over_batch_size", name: str | None = None, dtype=None,
                 **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._mean_in_one_op = _takes_mean_all(fn)

    def call(self, y_true, y_pred, **options) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs, **options)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        if cls is LossFunctionWrapper:
            raise ValueError("LossFunctionWrapper.from_config: a plain function cannot be restored from a config")
        return super().from_config(config)


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


# --------------------------------------------------------------------------------------- registry
_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Huber,
    LogCosh, KLDivergence, Hinge, SquaredHinge, CategoricalHinge, Poisson, CosineSimilarity,
)}

# function → the class that wraps it; names (functions' and aliases) → class
_FUNCTION_CLASS = {
    mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError, binary_crossentropy: BinaryCrossentropy,
    binary_focal_crossentropy: BinaryFocalCrossentropy, categorical_crossentropy: CategoricalCrossentropy,
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy, huber: Huber, log_cosh: LogCosh,
    kl_divergence: KLDivergence, hinge: Hinge, squared_hinge: SquaredHinge, categorical_hinge: CategoricalHinge,
    poisson: Poisson, cosine_similarity: CosineSimilarity,
}
#: The per-sample loss functions (``mean_squared_error``, ...).
FUNCTIONS = frozenset(_FUNCTION_CLASS)
_NAMES = {fn.__name__: cls for fn, cls in _FUNCTION_CLASS.items()}
_NAMES.update({
    "mse": MeanSquaredError, "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "kld": KLDivergence, "KLD": KLDivergence, "kullback_leibler_divergence": KLDivergence,
    "logcosh": LogCosh, "huber_loss": Huber,
})
_NAMES.update(_CLASSES)

#: Every name :func:`get` accepts: Keras's function names and short aliases, then the class names.
_SNAKE_NAMES = tuple(sorted(n for n in _NAMES if n.islower()))
ALL_NAMES = _SNAKE_NAMES + tuple(sorted(_CLASSES))


def get(identifier):
    """A loss object from a name, a Loss, a Loss class, a config dict or a per-sample function.

    Names are Keras's: ``'binary_crossentropy'``, ``'categorical_crossentropy'``,
    ``'sparse_categorical_crossentropy'``, ``'mse'``, ``'mean_absolute_error'``, ``'huber'``, ... and
    the class names (``'BinaryCrossentropy'``). Every result is called
    ``loss(y_true, y_pred, sample_weight=None)`` and returns a scalar Tensor.

    Args:
        identifier: the loss; None returns None.

    Raises:
        ValueError: for an unknown name, naming the closest ones (all are in :data:`ALL_NAMES`).
        TypeError: for anything else that is not callable.
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"losses.get: unknown loss {identifier!r}{closest_match(identifier, _SNAKE_NAMES, n=3)}; "
                             "all names: neuronet.losses.ALL_NAMES")
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        cls = _FUNCTION_CLASS.get(identifier)
        return cls() if cls is not None else LossFunctionWrapper(identifier)
    raise TypeError(
        f"losses.get: expected a loss name, a Loss, a class or a function, received {identifier!r} "
        f"of type {type(identifier).__name__}"
    )


def serialize(loss) -> dict | str:
    """``{'class_name': ..., 'config': ...}`` for a registered Loss; a built-in function's name for a function."""
    if isinstance(loss, Loss):
        name = type(loss).__name__
        if name not in _CLASSES:
            raise ValueError(
                f"losses.serialize: {name} is not a registered loss class; registered: {', '.join(sorted(_CLASSES))}"
            )
        return {"class_name": name, "config": loss.get_config()}
    if loss in _FUNCTION_CLASS:
        return loss.__name__
    raise ValueError(f"losses.serialize: cannot serialize {loss!r}: only registered losses can be saved")


def deserialize(config, custom_objects: dict | None = None) -> Loss:
    """The loss described by :func:`serialize`'s output (looked up by registered class name only)."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"losses.deserialize: expected {{'class_name': ..., 'config': ...}}, received {config!r}")
    name = config["class_name"]
    table = dict(_CLASSES)
    if custom_objects:
        table.update(custom_objects)
    cls = table.get(name)
    if cls is None:
        raise ValueError(
            f"losses.deserialize: unknown loss class {name!r}{closest_match(name, sorted(table), n=3)}; "
            "registered classes: neuronet.losses.ALL_NAMES (the capitalized ones) and custom_objects"
        )
    return cls.from_config(dict(config.get("config", {})))

