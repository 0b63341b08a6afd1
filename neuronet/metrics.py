"""Metrics with Keras names: stateful objects that accumulate a score over batches.

A metric is updated once per batch and read at the end of an epoch::

    m = neuronet.metrics.BinaryAccuracy()
    m.update_state([1, 0, 1], [0.9, 0.2, 0.4])    # batch 1
    m.update_state([0, 1], [0.1, 0.7])            # batch 2
    m.result()                                    # 0.8: 4 of 5 samples right
    m.reset_state()                               # start a new epoch

Metrics work on plain ndarrays (a :class:`~neuronet.Tensor` is read through its ``.data``); they never
build an autograd graph. Epoch values are weighted by samples (and by ``sample_weight`` when given),
exactly as Keras does: the mean over all samples seen, not the mean of per-batch means.

``metrics.get(name)`` turns a Keras name ('binary_accuracy', 'mse', 'auc', ...) into a fresh metric
named as written. The name ``'accuracy'`` depends on the loss and the output width, so the model
resolves it with :func:`resolve_accuracy`.
"""

from __future__ import annotations

import inspect
import math
import warnings
from typing import Callable

import numpy as np

from . import config
from .utils.naming import closest_match, to_snake_case, unique_name

__all__ = [
    "AUC",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "KLDivergence",
    "LogCoshError",
    "Poisson",
    "SquaredHinge",
    "categorical_hinge",
    "cosine_similarity",
    "hinge",
    "kl_divergence",
    "log_cosh",
    "poisson",
    "squared_hinge",
    "F1Score",
    "FBetaScore",
    "R2Score",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "FalseNegatives",
    "FalsePositives",
    "MeanSquaredLogarithmicError",
    "SparseCategoricalCrossentropy",
    "TrueNegatives",
    "TruePositives",
    "binary_crossentropy",
    "categorical_crossentropy",
    "mean_squared_logarithmic_error",
    "sparse_categorical_crossentropy",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "Metric",
    "Precision",
    "Recall",
    "RootMeanSquaredError",
    "SparseCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy",
    "Sum",
    "TopKCategoricalAccuracy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "deserialize",
    "get",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "resolve_accuracy",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "top_k_categorical_accuracy",
]

# Keras' stand-in for -inf when masking predictions outside the top k.
_NEG_INF = -1e10


# ----------------------------------------------------------------------------------------------------------
# Array helpers
# ----------------------------------------------------------------------------------------------------------


def _array(x) -> np.ndarray:
    """An ndarray view of ``x``: Tensors give their ``.data``, lists become arrays."""
    if type(x) is np.ndarray:
        return x
    data = getattr(x, "data", None)
    if isinstance(data, np.ndarray):
        return data
    return np.asarray(x)


def _float_array(x) -> np.ndarray:
    """``x`` as a floating ndarray (integers become floatx, floats keep their precision)."""
    arr = _array(x)
    if arr.dtype.kind != "f":
        arr = arr.astype(config.floatx())
    return arr


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squeeze or expand a trailing axis of size 1 so both arrays have the same rank (as Keras).

    ``(n,)`` labels against ``(n, 1)`` predictions become ``(n, 1)``; ``(n, 1)`` labels against
    ``(n,)`` predictions likewise.
    """
    r_true, r_pred = y_true.ndim, y_pred.ndim
    if r_true == r_pred + 1 and y_true.shape[-1] == 1:
        if r_pred == 1:
            y_pred = y_pred[:, None]
        else:
            y_true = y_true[..., 0]
    elif r_pred == r_true + 1 and y_pred.shape[-1] == 1:
        if r_true == 1:
            y_true = y_true[:, None]
        else:
            y_pred = y_pred[..., 0]
    return y_true, y_pred


def _check_batch(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """Fail with one clear line when labels and predictions hold different numbers of samples."""
    if y_true.ndim and y_pred.ndim and y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"{metric}: y_true and y_pred must have the same number of samples, received y_true with shape "
            f"{y_true.shape} and y_pred with shape {y_pred.shape}"
        )


def _mean_last(x: np.ndarray) -> np.ndarray:
    """``x.mean(axis=-1)`` for rank ≥ 2, ``x`` itself for rank 1; cheap on small per-batch arrays."""
    if x.ndim < 2:
        return x
    if x.shape[-1] == 1:
        return x[..., 0]
    return x.sum(axis=-1) * (1.0 / x.shape[-1])


def _mean_from(x: np.ndarray, axis: int) -> np.ndarray:
    """Mean over axes ``axis, axis+1, ...`` of ``x`` (the per-sample reduction of Keras metrics)."""
    return _mean_last(x.reshape(x.shape[:axis] + (-1,)))


def _broadcast_weight(metric: str, weight, shape: tuple) -> np.ndarray:
    """Sample weights aligned with the leading (batch) axes of ``shape`` and broadcast to it.

    Shape (batch,) weights every entry of a sample's row; a trailing axis of 1 is accepted.
    """
    weight = _array(weight)
    if weight.dtype.kind != "f":
        weight = weight.astype(np.float64)
    if weight.ndim == len(shape) + 1 and weight.shape[-1] == 1:
        weight = weight[..., 0]
    if weight.ndim < len(shape):
        weight = weight.reshape(weight.shape + (1,) * (len(shape) - weight.ndim))
    try:
        return np.broadcast_to(weight, shape)
    except ValueError:
        raise ValueError(
            f"{metric}: sample_weight with shape {weight.shape} does not broadcast to y_pred's shape {shape}"
        ) from None


def _divide_no_nan(a, b):
    """``a / b`` with 0 where ``b == 0`` (works on scalars and arrays)."""
    if np.ndim(b) == 0:
        return float(a) / float(b) if b else 0.0
    b = np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros(b.shape, dtype=np.float64), where=b != 0)


def _samplewise(values: np.ndarray, sample_weight, metric: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Reduce ``values`` to one number per sample and weight them (Keras ``reduce_to_samplewise_values``).

    Returns the weighted per-sample values and the per-sample weights (None when unweighted).
    """
    if sample_weight is not None:
        weight = _array(sample_weight)
        if weight.dtype.kind not in "fc":
            weight = weight.astype(values.dtype if values.dtype.kind == "f" else np.float64)
        values, weight = _same_rank(values, weight)
        if weight.ndim > values.ndim:
            raise ValueError(
                f"{metric}: sample_weight has more dimensions than the values it weights, received "
                f"sample_weight with shape {weight.shape} for values with shape {values.shape}"
            )
        if values.ndim > weight.ndim:
            values = _mean_from(values, weight.ndim)
        try:
            weight = np.broadcast_to(weight, values.shape)
        except ValueError:
            raise ValueError(
                f"{metric}: sample_weight with shape {weight.shape} does not broadcast to the values' shape "
                f"{values.shape}"
            ) from None
        values = values * weight
        if weight.ndim > 1:
            weight = _mean_from(weight, 1)
    else:
        weight = None
    if values.ndim > 1:
        values = _mean_from(values, 1)
    return values, weight


def _apply_mask(y_pred, sample_weight):
    """Fold a Keras mask carried by ``y_pred`` (``_keras_mask``) into the sample weights."""
    mask = getattr(y_pred, "_keras_mask", None)
    if mask is None:
        return sample_weight
    mask = _array(mask).astype(config.floatx())
    if sample_weight is None:
        return mask
    weight, mask = _same_rank(_array(sample_weight), mask)
    return weight * mask


# ----------------------------------------------------------------------------------------------------------
# Base classes
# ----------------------------------------------------------------------------------------------------------


class Metric:
    """Base class of all metrics: state that accumulates over batches and a result read from it.

    Subclasses implement ``update_state(...)``, ``result()`` and ``reset_state()``. Calling a metric
    (``m(y_true, y_pred)``) updates its state and returns the current result.

    Args:
        name: the metric's name, the key it gets in training logs. Defaults to the snake-case class
            name, made unique ('precision', 'precision_1', ...) like Keras.
        dtype: float type of the result. Defaults to ``config.floatx()``.
    """

    # 'up' when a larger value is better (accuracy, AUC), 'down' when smaller is (errors). Callbacks in
    # mode='auto' read it to know whether to maximize or minimize a monitored metric.
    _direction: str | None = None

    def __init__(self, name: str | None = None, dtype: str | None = None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: expected name to be a string, received {name!r}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._dtype = str(np.dtype(dtype)) if dtype is not None else config.floatx()

    @property
    def dtype(self) -> str:
        """Float type name of the result."""
        return self._dtype

    def update_state(self, *args, **kwargs) -> None:
        """Accumulate the statistics of one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self) -> float:
        """The metric's value over everything seen since the last reset."""
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self) -> None:
        """Forget everything seen (called at the start of every epoch)."""
        raise NotImplementedError(f"{type(self).__name__} must implement reset_state()")

    def __copy__(self) -> Metric:
        """A copy with its own state: array-valued state is copied, so updating one never changes the other."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for key, value in new.__dict__.items():
            if isinstance(value, np.ndarray):
                new.__dict__[key] = value.copy()
        return new

    def reset_states(self) -> None:
        """Legacy tf.keras name of :meth:`reset_state`."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        """Update the state with one batch and return the current result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments as plain data (JSON-serializable)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """A new metric built from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of the values passed to ``update_state``.

    ``result = sum(values * sample_weight) / sum(sample_weight)``. Values with more than one dimension
    are first averaged over all but the first axis, so each sample counts once.

    Args:
        name: Defaults to ``'mean'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        4.0
    """

    def __init__(self, name: str = "mean", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        """Add ``values`` (one per sample, or arrays averaged per sample) to the running mean.

        Args:
            values: array of shape (batch, ...) or a scalar.
            sample_weight: optional weights broadcastable to ``values`` (usually shape (batch,)).
                Defaults to 1 for every sample.
        """
        values = _float_array(values)
        values, weight = _samplewise(values, sample_weight, self.name)
        self.total += float(values.sum())
        if weight is not None:
            self.count += float(weight.sum())
        else:
            self.count += float(values.shape[0]) if values.ndim else 1.0

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0


class Sum(Metric):
    """The (weighted) sum of the values passed to ``update_state``.

    Args:
        name: Defaults to ``'sum'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7])
        >>> m.result()
        16.0
    """

    def __init__(self, name: str = "sum", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0

    def update_state(self, values, sample_weight=None) -> None:
        """Add ``sum(values * sample_weight)`` to the total."""
        values, _ = _samplewise(_float_array(values), sample_weight, self.name)
        self.total += float(values.sum())

    def result(self) -> float:
        return self.total

    def reset_state(self) -> None:
        self.total = 0.0


class MeanMetricWrapper(Mean):
    """Wrap a per-sample function ``fn(y_true, y_pred, **kwargs)`` into a running (weighted) mean.

    Args:
        fn: function returning one value per sample (shape (batch,) or (batch, ...)) as an ndarray.
        name: Defaults to ``fn.__name__``.
        dtype: Defaults to ``config.floatx()``.
        **kwargs: keyword arguments passed to ``fn`` on every call.

    Example::

        >>> def within_one(y_true, y_pred):
        ...     return (abs(y_true - y_pred) <= 1).astype("float32")
        >>> m = MeanMetricWrapper(within_one)
        >>> m(np.array([1.0, 5.0]), np.array([1.5, 2.0]))
        0.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: str | None = None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: expected fn to be callable, received {fn!r}")
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Compute ``fn`` on one batch and add its per-sample values to the mean.

        Args:
            y_true: labels/targets, ndarray or Tensor of shape (batch, ...).
            y_pred: predictions, ndarray or Tensor of shape (batch, ...).
            sample_weight: optional per-sample weights of shape (batch,) (or broadcastable to the
                per-sample values). Defaults to 1 for every sample.
        """
        sample_weight = _apply_mask(y_pred, sample_weight)
        yt, yp = _array(y_true), _array(y_pred)
        _check_batch(self.name, yt, yp)
        values = self._fn(yt, yp, **self._fn_kwargs)
        values = _array(values)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype}
        config.update(self._fn_kwargs)
        if type(self) is MeanMetricWrapper:
            config["fn"] = getattr(self._fn, "__name__", repr(self._fn))
        return config

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        config = dict(config)
        if cls is MeanMetricWrapper:
            fn = config.pop("fn")
            if isinstance(fn, str):
                if fn not in _FUNCTIONS:
                    raise ValueError(
                        f"MeanMetricWrapper.from_config: unknown metric function {fn!r}; expected one of "
                        f"{sorted(_FUNCTIONS)}{closest_match(fn, _FUNCTIONS)}"
                    )
                fn = _FUNCTIONS[fn]
            return cls(fn, **config)
        return cls(**config)


class _CountingAccuracy(MeanMetricWrapper):
    """Accuracy metrics whose unweighted update counts matches directly (the path taken every batch).

    Subclasses implement ``_matches(y_true, y_pred)`` returning a boolean array of shape (batch, ...) or
    None when the inputs need the general path (which also produces the errors).
    """

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if sample_weight is None and getattr(y_pred, "_keras_mask", None) is None:
            yt, yp = _array(y_true), _array(y_pred)
            if yp.ndim and yt.ndim and yt.shape[0] == yp.shape[0] and yp.shape[0]:
                matches = self._matches(yt, yp)
                if matches is not None:
                    # Each sample's value is the mean of its matches, so their sum is count / per-sample size.
                    n = matches.shape[0]
                    self.total += int(np.count_nonzero(matches)) * (n / matches.size)
                    self.count += n
                    return
        super().update_state(y_true, y_pred, sample_weight=sample_weight)

    def _matches(self, y_true: np.ndarray, y_pred: np.ndarray):
        return None


# ----------------------------------------------------------------------------------------------------------
# Per-sample functions (Keras ``keras.metrics.binary_accuracy`` etc.)
# ----------------------------------------------------------------------------------------------------------


def accuracy(y_true, y_pred) -> np.ndarray:
    """How often predictions equal labels exactly: ``mean(y_true == y_pred, axis=-1)``."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return _mean_last((y_true == y_pred).astype(config.floatx()))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """Per-sample binary accuracy: ``mean((y_pred > threshold) == y_true, axis=-1)``.

    Shapes: y_true (batch,) or (batch, d), y_pred the same or with a trailing axis of 1 → (batch,).
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return _mean_last(((y_pred > threshold) == (y_true > 0.5)).astype(config.floatx()))


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per-sample one-hot accuracy: ``argmax(y_true, -1) == argmax(y_pred, -1)``.

    Shapes: y_true and y_pred (batch, classes) → (batch,). Logits work as well as probabilities.
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape[-1:] != y_pred.shape[-1:]:
        raise ValueError(
            f"categorical_accuracy: expected one-hot y_true with {y_pred.shape[-1]} columns like y_pred, "
            f"received y_true with shape {y_true.shape} and y_pred with shape {y_pred.shape} (for integer "
            "labels use sparse_categorical_accuracy)"
        )
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(config.floatx())


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


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """Per-sample integer-label accuracy: ``y_true == argmax(y_pred, -1)``.

    Shapes: y_true (batch,) or (batch, 1) integer class ids, y_pred (batch, classes) → (batch,).
    """
    y_pred = _array(y_pred)
    y_true = _sparse_labels(_array(y_true), y_pred)
    return (y_true == y_pred.argmax(axis=-1)).astype(config.floatx())


def _in_top_k(targets: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Whether each integer target's score is among the ``k`` largest of its row (ties count as in).

    A target is in the top k when fewer than k classes score strictly higher than it.
    """
    flat_scores = scores.reshape(-1, scores.shape[-1])
    flat_targets = targets.reshape(-1).astype(np.intp)
    target_score = flat_scores[np.arange(flat_scores.shape[0]), flat_targets]
    higher = np.count_nonzero(flat_scores > target_score[:, None], axis=-1)
    return (higher < k).astype(config.floatx()).reshape(targets.shape)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """Per-sample: 1 when the one-hot target class is among the ``k`` highest predictions.

    Shapes: y_true and y_pred (batch, classes) → (batch,).
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    return _in_top_k(y_true.argmax(axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """Per-sample: 1 when the integer target class is among the ``k`` highest predictions.

    Shapes: y_true (batch,) or (batch, 1), y_pred (batch, classes) → (batch,).
    """
    y_pred = _array(y_pred)
    y_true = _sparse_labels(_array(y_true), y_pred)
    return _in_top_k(y_true, y_pred, k)


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean((y_true - y_pred) ** 2, axis=-1)``."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    diff = y_pred - y_true
    return _mean_last(diff * diff)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean(|y_true - y_pred|, axis=-1)``."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    return _mean_last(np.abs(y_pred - y_true))


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """Per-sample ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon), axis=-1)``."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    diff = np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), config.epsilon())
    return 100.0 * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean((log(1 + max(y_pred, eps)) - log(1 + max(y_true, eps))) ** 2, axis=-1)``."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    eps = config.epsilon()
    diff = np.log1p(np.maximum(y_pred, eps)) - np.log1p(np.maximum(y_true, eps))
    return _mean_last(diff * diff)


def _hinge_labels(y_true: np.ndarray) -> np.ndarray:
    """Labels in {-1, 1}: 0/1 labels are mapped to -1/1 (as Keras), others are kept."""
    if y_true.size and np.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean(max(1 - y_true * y_pred, 0), axis=-1)`` with labels in {-1, 1} (or 0/1)."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    return _mean_last(np.maximum(1.0 - _hinge_labels(y_true).astype(y_pred.dtype) * y_pred, 0.0))


def squared_hinge(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1)`` with labels in {-1, 1} (or 0/1)."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    margin = np.maximum(1.0 - _hinge_labels(y_true).astype(y_pred.dtype) * y_pred, 0.0)
    return _mean_last(margin * margin)


def categorical_hinge(y_true, y_pred) -> np.ndarray:
    """Per-sample ``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` for one-hot labels."""
    y_true, y_pred = _float_array(y_true), _float_array(y_pred)
    positive = (y_true * y_pred).sum(axis=-1)
    negative = ((1.0 - y_true) * y_pred).max(axis=-1)
    return np.maximum(negative - positive + 1.0, 0.0)


def kl_divergence(y_true, y_pred) -> np.ndarray:
    """Per-sample ``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [epsilon, 1]."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    eps = config.epsilon()
    y_true = np.clip(y_true, eps, 1.0)
    y_pred = np.clip(y_pred, eps, 1.0)
    return (y_true * np.log(y_true / y_pred)).sum(axis=-1)


def poisson(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    return _mean_last(y_pred - y_true * np.log(y_pred + config.epsilon()))


def log_cosh(y_true, y_pred) -> np.ndarray:
    """Per-sample ``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    x = y_pred - y_true
    # log(cosh(x)) = x + softplus(-2x) - log(2)
    return _mean_last(x + np.logaddexp(0.0, -2.0 * x) - math.log(2.0))


def cosine_similarity(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """Per-sample cosine of the angle between ``y_true`` and ``y_pred`` along ``axis`` (1 = same direction)."""
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    eps = 1e-12
    y_true = y_true / np.sqrt(np.maximum((y_true * y_true).sum(axis=axis, keepdims=True), eps))
    y_pred = y_pred / np.sqrt(np.maximum((y_pred * y_pred).sum(axis=axis, keepdims=True), eps))
    return (y_true * y_pred).sum(axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0) -> np.ndarray:
    """Per-sample binary cross-entropy ``-mean(y log p + (1 - y) log(1 - p), axis=-1)``.

    Probabilities are clipped to ``[epsilon, 1 - epsilon]`` (as Keras); with ``from_logits`` the stable
    form ``max(z, 0) - z y + log(1 + exp(-|z|))`` is used. ``label_smoothing`` moves labels towards 0.5.
    """
    y_true, y_pred = _same_rank(_float_array(y_true), _float_array(y_pred))
    y_true = y_true.astype(y_pred.dtype, copy=False)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        z = y_pred
        loss = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
    else:
        eps = config.epsilon()
        p = np.clip(y_pred, eps, 1.0 - eps)
        loss = -(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p))
    return _mean_last(loss)


def _log_probabilities(y_pred: np.ndarray, from_logits: bool) -> np.ndarray:
    """log of class probabilities along the last axis: log-softmax of logits, or of normalized clipped p."""
    if from_logits:
        shifted = y_pred - y_pred.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    eps = config.epsilon()
    p = y_pred / y_pred.sum(axis=-1, keepdims=True)
    return np.log(np.clip(p, eps, 1.0 - eps))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0) -> np.ndarray:
    """Per-sample ``-sum(y_true * log(p), axis=-1)`` for one-hot (or soft) labels of shape (batch, classes)."""
    y_true, y_pred = _float_array(y_true), _float_array(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"categorical_crossentropy: expected y_true with the shape of y_pred {y_pred.shape}, received "
            f"{y_true.shape} (for integer labels use sparse_categorical_crossentropy)"
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[-1]
    return -(y_true * _log_probabilities(y_pred, from_logits)).sum(axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """Per-sample ``-log(p[label])`` for integer labels of shape (batch,) or (batch, 1)."""
    y_pred = _float_array(y_pred)
    labels = _sparse_labels(_array(y_true), y_pred).astype(np.intp)
    n_classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)].reshape(-1)[0]
        raise ValueError(
            f"sparse_categorical_crossentropy: expected labels in [0, {n_classes - 1}] for y_pred with "
            f"{n_classes} classes, received label {bad}"
        )
    log_p = _log_probabilities(y_pred, from_logits)
    return -np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]


# ----------------------------------------------------------------------------------------------------------
# Accuracy and regression metric classes
# ----------------------------------------------------------------------------------------------------------


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (for class ids, not probabilities).

    Args:
        name: Defaults to ``'accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Accuracy()([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        0.75
    """

    _direction = "up"

    def __init__(self, name: str = "accuracy", dtype: str | None = None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(_CountingAccuracy):
    """How often thresholded predictions match binary labels.

    A prediction counts as 1 when ``y_pred > threshold``. Shapes: y_true (batch,) or (batch, d); y_pred
    the same shape (a trailing axis of 1 on either side is accepted).

    Args:
        name: Defaults to ``'binary_accuracy'``.
        dtype: Defaults to ``config.floatx()``.
        threshold: probability above which a prediction is positive, in (0, 1). Defaults to 0.5.

    Example::

        >>> BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        0.75
    """

    _direction = "up"

    def __init__(self, name: str = "binary_accuracy", dtype: str | None = None, threshold: float = 0.5):
        if threshold is None or not 0 < float(threshold) < 1:
            raise ValueError(f"BinaryAccuracy: expected threshold in the interval (0, 1), received {threshold!r}")
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=float(threshold))
        self.threshold = float(threshold)

    def _matches(self, y_true, y_pred):
        y_true, y_pred = _same_rank(y_true, y_pred)
        if y_true.shape != y_pred.shape:
            return None
        return (y_pred > self.threshold) == (y_true > 0.5)


class CategoricalAccuracy(_CountingAccuracy):
    """How often the arg-max of the predictions matches one-hot labels.

    Shapes: y_true and y_pred (batch, classes). Logits work as well as probabilities.

    Args:
        name: Defaults to ``'categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> CategoricalAccuracy()([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, name: str = "categorical_accuracy", dtype: str | None = None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def _matches(self, y_true, y_pred):
        if y_true.shape != y_pred.shape:
            return None
        return y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)


class SparseCategoricalAccuracy(_CountingAccuracy):
    """How often the arg-max of the predictions matches integer labels.

    Shapes: y_true (batch,) or (batch, 1) integer class ids; y_pred (batch, classes).

    Args:
        name: Defaults to ``'sparse_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> SparseCategoricalAccuracy()([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: str | None = None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def _matches(self, y_true, y_pred):
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            return None
        return y_true == y_pred.argmax(axis=-1)


def _check_k(cls: str, k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{cls}: expected k to be a positive integer, received {k!r}")
    return int(k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the ``k`` highest predictions.

    Args:
        k: number of top predictions to look at. Defaults to 5.
        name: Defaults to ``'top_k_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> TopKCategoricalAccuracy(k=1)([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: str | None = None):
        k = _check_k("TopKCategoricalAccuracy", k)
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the ``k`` highest predictions.

    Args:
        k: number of top predictions to look at. Defaults to 5.
        name: Defaults to ``'sparse_top_k_categorical_accuracy'``.
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    _direction = "up"

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: str | None = None):
        k = _check_k("SparseTopKCategoricalAccuracy", k)
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class MeanSquaredError(MeanMetricWrapper):
    """Mean squared error over samples: ``mean((y_true - y_pred) ** 2)``.

    Args:
        name: Defaults to ``'mean_squared_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "mean_squared_error", dtype: str | None = None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean absolute error over samples: ``mean(|y_true - y_pred|)``.

    Args:
        name: Defaults to ``'mean_absolute_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "mean_absolute_error", dtype: str | None = None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Mean absolute percentage error: ``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))``.

    Args:
        name: Defaults to ``'mean_absolute_percentage_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: str | None = None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean squared logarithmic error: ``mean((log(1 + y_pred) - log(1 + y_true)) ** 2)``.

    Args:
        name: Defaults to ``'mean_squared_logarithmic_error'``.
        dtype: Defaults to ``config.floatx()``.
    """

    _direction = "down"

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: str | None = None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """Binary cross-entropy averaged over samples (the loss, tracked as a metric).

    Args:
        name: Defaults to ``'binary_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
        label_smoothing: in [0, 1]; labels become ``y (1 - s) + 0.5 s``. Defaults to 0.
    """

    _direction = "down"

    def __init__(self, name: str = "binary_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0.0):
        _check_smoothing("BinaryCrossentropy", label_smoothing)
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing))


class CategoricalCrossentropy(MeanMetricWrapper):
    """Categorical cross-entropy with one-hot labels, averaged over samples.

    Args:
        name: Defaults to ``'categorical_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
        label_smoothing: in [0, 1]; labels become ``y (1 - s) + s / classes``. Defaults to 0.
    """

    _direction = "down"

    def __init__(self, name: str = "categorical_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0.0):
        _check_smoothing("CategoricalCrossentropy", label_smoothing)
        super().__init__(categorical_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing))


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Categorical cross-entropy with integer labels, averaged over samples.

    Args:
        name: Defaults to ``'sparse_categorical_crossentropy'``.
        dtype: Defaults to ``config.floatx()``.
        from_logits: whether ``y_pred`` are logits rather than probabilities. Defaults to False.
    """

    _direction = "down"

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: str | None = None,
                 from_logits: bool = False):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=bool(from_logits))


def _wrapper_class(class_name: str, fn: Callable, default_name: str, direction: str, doc: str) -> type:
    """A MeanMetricWrapper subclass around ``fn`` with a Keras name, for metrics without arguments."""

    def __init__(self, name: str = default_name, dtype: str | None = None):
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)

    return type(class_name, (MeanMetricWrapper,), {
        "__init__": __init__, "_direction": direction, "__module__": __name__,
        "__doc__": f"{doc}\n\n    Args:\n        name: Defaults to ``'{default_name}'``.\n"
                   "        dtype: Defaults to ``config.floatx()``.\n",
    })


Hinge = _wrapper_class("Hinge", hinge, "hinge", "down",
                       "Hinge loss as a metric: ``mean(max(1 - y_true * y_pred, 0))``, labels in {-1, 1} or 0/1.")
SquaredHinge = _wrapper_class("SquaredHinge", squared_hinge, "squared_hinge", "down",
                              "Squared hinge loss as a metric: ``mean(max(1 - y_true * y_pred, 0) ** 2)``.")
CategoricalHinge = _wrapper_class("CategoricalHinge", categorical_hinge, "categorical_hinge", "down",
                                  "Categorical hinge loss as a metric, for one-hot labels.")
KLDivergence = _wrapper_class("KLDivergence", kl_divergence, "kl_divergence", "down",
                              "Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``, mean over samples.")
Poisson = _wrapper_class("Poisson", poisson, "poisson", "down",
                         "Poisson loss as a metric: ``mean(y_pred - y_true * log(y_pred))``.")
LogCoshError = _wrapper_class("LogCoshError", log_cosh, "logcosh", "down",
                              "Logarithm of the hyperbolic cosine of the error, averaged over samples.")


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


def _check_smoothing(cls: str, label_smoothing) -> None:
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{cls}: expected label_smoothing in [0, 1], received {label_smoothing!r}")


class RootMeanSquaredError(Mean):
    """Root of the mean squared error over everything seen: ``sqrt(mean((y_true - y_pred) ** 2))``.

    The square root is taken of the epoch's mean, not averaged over batches.

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
        diff = y_pred - y_true
        super().update_state(diff * diff, sample_weight=sample_weight)

    def result(self) -> float:
        return math.sqrt(super().result())


# ----------------------------------------------------------------------------------------------------------
# Confusion-matrix metrics: Precision, Recall, AUC
# ----------------------------------------------------------------------------------------------------------


def _filter_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` largest predictions of each row; the others become -1e10 (never positive)."""
    if k >= y_pred.shape[-1]:
        return y_pred
    # A stable sort keeps the lower index first among ties, as Keras' top_k does.
    top = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    out = np.full(y_pred.shape, _NEG_INF, dtype=y_pred.dtype)
    np.put_along_axis(out, top, np.take_along_axis(y_pred, top, axis=-1), axis=-1)
    return out


def _confusion_counts(y_true, y_pred, thresholds: np.ndarray, sample_weight=None, metric: str = "metric"):
    """Weighted (tp, fp, tn, fn) for every threshold: a prediction is positive when ``y_pred > t``.

    Vectorized over samples: each prediction falls into the bucket "number of thresholds below it";
    a suffix sum over the bucket histogram then counts, for every threshold, the predictions above it.
    ``thresholds`` must be sorted ascending. Labels count as positive when non-zero.
    """
    y_true, y_pred = _same_rank(_array(y_true), _float_array(y_pred))
    _check_batch(metric, y_true, y_pred)
    try:
        y_true = np.broadcast_to(y_true, y_pred.shape)
    except ValueError:
        raise ValueError(
            f"{metric}: y_true with shape {y_true.shape} does not match y_pred with shape {y_pred.shape}"
        ) from None
    labels = y_true.reshape(-1) != 0
    preds = y_pred.reshape(-1)
    n_thr = thresholds.shape[0]
    buckets = np.searchsorted(thresholds, preds, side="left")
    nan = np.isnan(preds)
    if nan.any():
        buckets[nan] = 0  # NaN > t is False for every threshold
    if sample_weight is not None:
        weight = _broadcast_weight(metric, sample_weight, y_pred.shape).reshape(-1)
        pos_hist = np.bincount(buckets[labels], weights=weight[labels], minlength=n_thr + 1)
        neg_hist = np.bincount(buckets[~labels], weights=weight[~labels], minlength=n_thr + 1)
    else:
        pos_hist = np.bincount(buckets[labels], minlength=n_thr + 1).astype(np.float64)
        neg_hist = np.bincount(buckets[~labels], minlength=n_thr + 1).astype(np.float64)
    # above[j] = weight of predictions with bucket > j, i.e. y_pred > thresholds[j]
    pos_above = np.cumsum(pos_hist[::-1])[::-1][1:]
    neg_above = np.cumsum(neg_hist[::-1])[::-1][1:]
    tp = pos_above
    fp = neg_above
    fn = pos_hist.sum() - pos_above
    tn = neg_hist.sum() - neg_above
    return tp, fp, tn, fn


def _check_thresholds(cls: str, thresholds) -> list[float]:
    values = [thresholds] if np.ndim(thresholds) == 0 else list(np.asarray(thresholds).reshape(-1))
    if not values:
        raise ValueError(f"{cls}: expected at least one threshold, received thresholds={thresholds!r}")
    for t in values:
        if not 0.0 <= float(t) <= 1.0:
            raise ValueError(f"{cls}: expected thresholds in [0, 1], received thresholds={thresholds!r}")
    return [float(t) for t in values]


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall: weighted true/false positives/negatives per threshold."""

    _direction = "up"

    def __init__(self, thresholds=None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        cls = type(self).__name__
        if top_k is not None:
            top_k = _check_k(cls, top_k)
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))
                                     or class_id < 0):
            raise ValueError(f"{cls}: expected class_id to be a non-negative integer, received {class_id!r}")
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = None if class_id is None else int(class_id)
        if thresholds is None:
            # With top_k every prediction in the top k counts as positive, whatever its value.
            self.thresholds = [0.5] if top_k is None else [_NEG_INF]
        else:
            self.thresholds = _check_thresholds(cls, thresholds)
        self._single = thresholds is None or np.ndim(thresholds) == 0
        self._order = np.argsort(self.thresholds, kind="stable")
        self._sorted = np.asarray(self.thresholds, dtype=np.float64)[self._order]
        self.reset_state()

    def reset_state(self) -> None:
        n = len(self.thresholds)
        self.true_positives = np.zeros(n)
        self.false_positives = np.zeros(n)
        self.true_negatives = np.zeros(n)
        self.false_negatives = np.zeros(n)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate weighted confusion counts of one batch.

        Args:
            y_true: binary labels (non-zero is positive), shape (batch,) or (batch, d).
            y_pred: predicted probabilities of the same shape (a trailing axis of 1 on either side is
                accepted). ``y_pred > threshold`` counts as a positive prediction.
            sample_weight: optional weights broadcastable to y_pred (usually shape (batch,)).
                Defaults to 1.
        """
        yt, yp = _array(y_true), _float_array(y_pred)
        sample_weight = _apply_mask(y_pred, sample_weight)
        if self.top_k is not None:
            yp = _filter_top_k(yp, self.top_k)
        if self.class_id is not None:
            if self.class_id >= yp.shape[-1]:
                raise ValueError(
                    f"{self.name}: class_id={self.class_id} is out of range for y_pred with {yp.shape[-1]} classes"
                )
            yt = yt[..., self.class_id]
            yp = yp[..., self.class_id]
            if sample_weight is not None:
                sw = _array(sample_weight)
                if sw.ndim == yt.ndim + 1:
                    sw = sw[..., self.class_id] if sw.shape[-1] != 1 else sw[..., 0]
                sample_weight = sw
        if len(self.thresholds) == 1:
            self._update_one_threshold(yt, yp, sample_weight)
            return
        tp, fp, tn, fn = _confusion_counts(yt, yp, self._sorted, sample_weight, self.name)
        order = self._order
        self.true_positives[order] += tp
        self.false_positives[order] += fp
        self.true_negatives[order] += tn
        self.false_negatives[order] += fn

    def _update_one_threshold(self, y_true, y_pred, sample_weight) -> None:
        """The common case of one threshold: four weighted sums instead of the bucketed histogram."""
        y_true, y_pred = _same_rank(y_true, y_pred)
        _check_batch(self.name, y_true, y_pred)
        try:
            label = np.broadcast_to(y_true != 0, y_pred.shape)
        except ValueError:
            raise ValueError(
                f"{self.name}: y_true with shape {y_true.shape} does not match y_pred with shape {y_pred.shape}"
            ) from None
        predicted = y_pred > self.thresholds[0]
        if sample_weight is None:
            n_pos = np.count_nonzero(label)
            tp = np.count_nonzero(predicted & label)
            fp = np.count_nonzero(predicted) - tp
            fn = n_pos - tp
            tn = label.size - n_pos - fp
        else:
            weight = _broadcast_weight(self.name, sample_weight, y_pred.shape).reshape(-1)
            label, predicted = label.reshape(-1), predicted.reshape(-1)
            w_pos = float(np.dot(weight, label))
            tp = float(np.dot(weight, predicted & label))
            fp = float(np.dot(weight, predicted)) - tp
            fn = w_pos - tp
            tn = float(weight.sum()) - w_pos - fp
        self.true_positives[0] += tp
        self.false_positives[0] += fp
        self.true_negatives[0] += tn
        self.false_negatives[0] += fn

    def _output(self, values):
        return float(values[0]) if self._single else np.asarray(values, dtype=self.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """Precision: the fraction of positive predictions that are right, ``tp / (tp + fp)``.

    A prediction is positive when ``y_pred > threshold``. With ``top_k`` only the k highest
    predictions of each row can be positive; with ``class_id`` only that column is scored.

    Args:
        thresholds: a float in [0, 1] or a list of them (the result is then one value per threshold).
            Defaults to 0.5 (or "any value" when top_k is set).
        top_k: optional number of top predictions per row considered. Defaults to None.
        class_id: optional class index to score in multi-class/multi-label outputs. Defaults to None.
        name: Defaults to ``'precision'`` (made unique).
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Precision()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666666666666666
    """

    def result(self):
        return self._output(_divide_no_nan(self.true_positives, self.true_positives + self.false_positives))


class Recall(_PrecisionRecall):
    """Recall: the fraction of positive labels that are found, ``tp / (tp + fn)``.

    Args:
        thresholds: a float in [0, 1] or a list of them (the result is then one value per threshold).
            Defaults to 0.5 (or "any value" when top_k is set).
        top_k: optional number of top predictions per row considered. Defaults to None.
        class_id: optional class index to score in multi-class/multi-label outputs. Defaults to None.
        name: Defaults to ``'recall'`` (made unique).
        dtype: Defaults to ``config.floatx()``.

    Example::

        >>> Recall()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666666666666666
    """

    def result(self):
        return self._output(_divide_no_nan(self.true_positives, self.true_positives + self.false_negatives))


class _ConfusionCount(Metric):
    """Weighted count of one confusion-matrix cell at one or several thresholds."""

    _direction = None
    _cell = 0  # index into (tp, fp, tn, fn)

    def __init__(self, thresholds=None, name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = [0.5] if thresholds is None else _check_thresholds(type(self).__name__, thresholds)
        self._single = thresholds is None or np.ndim(thresholds) == 0
        self._order = np.argsort(self.thresholds, kind="stable")
        self._sorted = np.asarray(self.thresholds, dtype=np.float64)[self._order]
        self.reset_state()

    def reset_state(self) -> None:
        self.accumulator = np.zeros(len(self.thresholds))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Add one batch's weighted count. y_true: binary labels; y_pred: probabilities, same shape."""
        sample_weight = _apply_mask(y_pred, sample_weight)
        yt, yp = _same_rank(_array(y_true), _float_array(y_pred))
        if sample_weight is not None:
            sample_weight = _broadcast_weight(self.name, sample_weight, yp.shape)
        counts = _confusion_counts(yt, yp, self._sorted, sample_weight, self.name)
        self.accumulator[self._order] += counts[self._cell]

    def result(self):
        return float(self.accumulator[0]) if self._single else self.accumulator.astype(self.dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted number of true positives (label non-zero and ``y_pred > threshold``).

    Args:
        thresholds: a float in [0, 1] or a list of them. Defaults to 0.5.
        name: Defaults to ``'true_positives'`` (made unique).
        dtype: Defaults to ``config.floatx()``.
    """

    _cell = 0


class FalsePositives(_ConfusionCount):
    """Weighted number of false positives (label 0 and ``y_pred > threshold``). Args as TruePositives."""

    _cell = 1


class TrueNegatives(_ConfusionCount):
    """Weighted number of true negatives (label 0 and ``y_pred <= threshold``). Args as TruePositives."""

    _cell = 2


class FalseNegatives(_ConfusionCount):
    """Weighted number of false negatives (label non-zero, ``y_pred <= threshold``). Args as TruePositives."""

    _cell = 3


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
        diff = yt - yp
        batch = (weighted.sum(axis=0), (yt * weighted).sum(axis=0), (diff * diff * weight).sum(axis=0),
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


class AUC(Metric):
    """Area under the ROC or precision-recall curve, approximated on a grid of thresholds (as Keras).

    The predictions are bucketed at ``num_thresholds`` thresholds (evenly spaced in [0, 1], plus one
    just below 0 and one just above 1); at each threshold the true/false positive/negative counts give
    a point of the curve, and the area is a Riemann sum over the points:

    - ``curve='ROC'``: x = false-positive rate, y = recall; ``summation_method='interpolation'`` uses
      trapezoids (``(y[i] + y[i+1]) / 2``), 'minoring'/'majoring' the lower/upper rectangles.
    - ``curve='PR'``: x = recall, y = precision; 'interpolation' interpolates precision between
      thresholds as in Davis & Goadrich (2006), which keeps the PR area well-defined.

    With enough thresholds the ROC value agrees with ``sklearn.metrics.roc_auc_score`` to ~1e-3.

    Args:
        num_thresholds: number of thresholds (> 1). Defaults to 200.
        curve: 'ROC' or 'PR'. Defaults to 'ROC'.
        summation_method: 'interpolation', 'minoring' or 'majoring'. Defaults to 'interpolation'.
        name: Defaults to ``'auc'`` (made unique).
        dtype: Defaults to ``config.floatx()``.
        thresholds: optional explicit thresholds in [0, 1]; overrides num_thresholds. Defaults to None.
        multi_label: if True, y has shape (batch, labels) and the AUC is computed per label and averaged.
            If False, all entries are pooled into one curve. Defaults to False.
        num_labels: number of labels when multi_label is True (taken from the first batch if None).
        label_weights: optional weights per label: the average weights when multi_label, otherwise
            they multiply the sample weights of each label's column. Defaults to None.
        from_logits: if True, ``y_pred`` are logits and pass through a sigmoid first. Defaults to False.

    Example::

        >>> AUC()([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])   # sklearn.roc_auc_score gives 0.75
        0.75...
    """

    _direction = "up"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: str | None = None, thresholds=None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights=None, from_logits: bool = False):
        super().__init__(name=name, dtype=dtype)
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: expected curve to be 'ROC' or 'PR', received {curve!r}")
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(f"AUC: expected summation_method in {methods}, received {summation_method!r}")
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self.multi_label = bool(multi_label)
        self.from_logits = bool(from_logits)
        eps = config.epsilon()
        if thresholds is not None:
            inner = sorted(_check_thresholds("AUC", thresholds))
            self._init_from_thresholds = True
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"AUC: expected num_thresholds to be an integer > 1, received {num_thresholds!r}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        # The outer thresholds catch predictions of exactly 0 and exactly 1.
        self.thresholds = [0.0 - eps] + inner + [1.0 + eps]
        self.num_thresholds = len(self.thresholds)
        self._thresholds = np.asarray(self.thresholds, dtype=np.float64)
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=np.float64)
        if self.label_weights is not None and np.any(self.label_weights < 0):
            raise ValueError(f"AUC: expected non-negative label_weights, received {label_weights!r}")
        self.num_labels = None if num_labels is None else int(num_labels)
        self.reset_state()

    def reset_state(self) -> None:
        shape = (self.num_thresholds,) if not self.multi_label or self.num_labels is None \
            else (self.num_thresholds, self.num_labels)
        if self.multi_label and self.num_labels is None:
            self.true_positives = self.false_positives = self.true_negatives = self.false_negatives = None
            return
        self.true_positives = np.zeros(shape)
        self.false_positives = np.zeros(shape)
        self.true_negatives = np.zeros(shape)
        self.false_negatives = np.zeros(shape)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulate weighted confusion counts of one batch at every threshold.

        Args:
            y_true: binary labels (non-zero is positive), shape (batch,) or (batch, labels).
            y_pred: probabilities (or logits with from_logits=True) of the same shape.
            sample_weight: optional weights broadcastable to y_pred (usually (batch,)). Defaults to 1.
        """
        sample_weight = _apply_mask(y_pred, sample_weight)
        yt, yp = _same_rank(_array(y_true), _float_array(y_pred))
        if self.from_logits:
            yp = 1.0 / (1.0 + np.exp(-yp))
        if sample_weight is not None:
            sample_weight = _broadcast_weight(self.name, sample_weight, yp.shape)
        if self.multi_label:
            if yp.ndim != 2:
                raise ValueError(f"{self.name}: multi_label expects y_pred of shape (batch, labels), "
                                 f"received {yp.shape}")
            if self.true_positives is None:
                self.num_labels = yp.shape[-1]
                self.reset_state()
            if yp.shape[-1] != self.num_labels:
                raise ValueError(f"{self.name}: expected {self.num_labels} labels, received y_pred with shape "
                                 f"{yp.shape}")
            yt = np.broadcast_to(yt, yp.shape)
            for j in range(yp.shape[-1]):  # a loop over labels, each vectorized over samples
                counts = _confusion_counts(yt[:, j], yp[:, j], self._thresholds,
                                           None if sample_weight is None else sample_weight[:, j], self.name)
                for state, c in zip(self._state(), counts):
                    state[:, j] += c
            return
        if self.label_weights is not None:
            lw = self.label_weights
            sample_weight = lw if sample_weight is None else sample_weight * lw
        counts = _confusion_counts(yt, yp, self._thresholds, sample_weight, self.name)
        for state, c in zip(self._state(), counts):
            state += c

    def _state(self):
        return self.true_positives, self.false_positives, self.true_negatives, self.false_negatives

    def _interpolate_pr_auc(self):
        """PR-AUC with precision interpolated between thresholds (Davis & Goadrich 2006, as Keras)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - prec_slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        safe_p_ratio = np.where(both, _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.where(safe_p_ratio > 0, np.log(np.where(safe_p_ratio > 0, safe_p_ratio, 1.0)), 0.0)
        increment = _divide_no_nan(prec_slope * (dtp + intercept * log_ratio), np.maximum(tp[1:] + fn[1:], 0))
        return self._reduce_labels(increment)

    def _reduce_labels(self, terms) -> float:
        if not self.multi_label:
            return float(terms.sum())
        by_label = terms.sum(axis=0)
        if self.label_weights is None:
            return float(by_label.mean())
        return float(_divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum()))

    def result(self) -> float:
        if self.true_positives is None:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = self._state()
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._reduce_labels((x[:-1] - x[1:]) * heights)

    def get_config(self) -> dict:
        config = {
            "num_thresholds": self.num_thresholds, "curve": self.curve,
            "summation_method": self.summation_method, "multi_label": self.multi_label,
            "num_labels": self.num_labels, "from_logits": self.from_logits,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "name": self.name, "dtype": self.dtype,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


# ----------------------------------------------------------------------------------------------------------
# Registry: get / serialize / deserialize / resolve_accuracy
# ----------------------------------------------------------------------------------------------------------

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
        TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC, MeanSquaredError,
        MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError, MeanSquaredLogarithmicError,
        BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, TruePositives, FalsePositives,
        TrueNegatives, FalseNegatives, FBetaScore, F1Score, R2Score, Hinge, SquaredHinge, CategoricalHinge,
        KLDivergence, Poisson, LogCoshError, CosineSimilarity,
    )
}

_FUNCTIONS: dict[str, Callable] = {
    f.__name__: f
    for f in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
        mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
        hinge, squared_hinge, categorical_hinge, kl_divergence, poisson, log_cosh, cosine_similarity,
    )
}

# String identifiers accepted by get(): snake-case names (Keras' function and class names) and aliases.
_NAMES: dict[str, type] = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_categorical_accuracy": TopKCategoricalAccuracy,
    "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
    "precision": Precision,
    "recall": Recall,
    "auc": AUC,
    "mean": Mean,
    "sum": Sum,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "root_mean_squared_error": RootMeanSquaredError,
    "rmse": RootMeanSquaredError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "true_positives": TruePositives,
    "false_positives": FalsePositives,
    "true_negatives": TrueNegatives,
    "false_negatives": FalseNegatives,
    "f1_score": F1Score,
    "fbeta_score": FBetaScore,
    "r2_score": R2Score,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "poisson": Poisson,
    "logcosh": LogCoshError,
    "log_cosh": LogCoshError,
    "log_cosh_error": LogCoshError,
    "cosine_similarity": CosineSimilarity,
}

_ACCURACY_NAMES = ("accuracy", "acc")


def _valid_names() -> list[str]:
    """The snake-case names get() accepts (class names such as 'BinaryAccuracy' work too)."""
    return sorted(set(_NAMES) | set(_ACCURACY_NAMES))


def get(identifier) -> Metric | None:
    """A metric object from a name, class, instance, config dict or per-sample function.

    Args:
        identifier: a Keras name ('binary_accuracy', 'categorical_accuracy',
            'sparse_categorical_accuracy', 'top_k_categorical_accuracy', 'precision', 'recall', 'auc',
            'mse'/'mean_squared_error', 'mae', 'rmse', 'mape', ...) or class name ('BinaryAccuracy');
            a Metric instance (returned as is); a Metric subclass (instantiated with defaults); a config
            dict ``{'class_name': ..., 'config': {...}}``; a function ``fn(y_true, y_pred)`` returning
            per-sample values, such as ``neuronet.losses.mean_squared_error`` (wrapped in
            :class:`MeanMetricWrapper` named after the function); a loss object such as
            ``neuronet.losses.Huber()`` (its per-sample values are averaged, named after the loss); or None.

    Returns:
        A fresh metric (for names, named exactly as written, so ``'mse'`` logs as ``'mse'`` as in Keras),
        the given instance, or None.

    Raises:
        ValueError: for unknown names (listing the valid ones and the closest match), and for
            ``'accuracy'``/``'acc'``, whose meaning depends on the loss: the model resolves those with
            :func:`resolve_accuracy`.
        TypeError: for anything else.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in _CLASSES else identifier.lower()
        if key in _ACCURACY_NAMES:
            raise ValueError(
                f"metrics.get: {identifier!r} depends on the loss and the output width (binary, categorical "
                "or sparse categorical accuracy); the model resolves it at compile time. Outside a model use "
                "metrics.resolve_accuracy(loss, output_units) or a class such as BinaryAccuracy()"
            )
        if key in _NAMES:
            return _NAMES[key](name=identifier)
        if key in _CLASSES and key != "MeanMetricWrapper":
            return _CLASSES[key]()
        raise ValueError(
            f"Unknown metric {identifier!r}: expected one of {_valid_names()}"
            f"{closest_match(identifier, _valid_names())}"
        )
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    fn = getattr(identifier, "fn", None)
    if callable(fn) and isinstance(getattr(identifier, "name", None), str):
        # A loss object wrapping a per-sample function (neuronet.losses.MeanSquaredError(), ...): track
        # the per-sample values, so the epoch value is weighted by samples like every other metric.
        return MeanMetricWrapper(fn, name=identifier.name, **dict(getattr(identifier, "_fn_kwargs", {}) or {}))
    if callable(identifier):
        name = getattr(identifier, "__name__", None) or getattr(identifier, "name", None)
        return MeanMetricWrapper(identifier, name=name if isinstance(name, str) else None)
    raise TypeError(
        f"metrics.get: expected a metric name, Metric instance or class, config dict or function, "
        f"received {identifier!r} of type {type(identifier).__name__}"
    )


def serialize(metric: Metric) -> dict:
    """``{'class_name': ..., 'config': ...}`` for a metric (plain data, JSON-serializable)."""
    if not isinstance(metric, Metric):
        raise TypeError(f"metrics.serialize: expected a Metric, received {metric!r}")
    return {"class_name": type(metric).__name__, "config": metric.get_config()}


def deserialize(config: dict) -> Metric:
    """A metric from :func:`serialize`'s output. Only registered classes are created (nothing is imported)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"metrics.deserialize: expected a dict with 'class_name' and 'config', received {config!r}")
    name = config["class_name"]
    if name not in _CLASSES:
        raise ValueError(
            f"metrics.deserialize: unknown metric class {name!r}; expected one of {sorted(_CLASSES)}"
            f"{closest_match(name, _CLASSES)}"
        )
    return _CLASSES[name].from_config(dict(config.get("config", {})))


def _loss_name(loss) -> str:
    """A lowercase name for a loss given as a string, Loss object, class or function."""
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None)
    if isinstance(name, str):
        return name.lower()
    fn = getattr(loss, "fn", None)
    target = loss if inspect.isclass(loss) or inspect.isfunction(loss) else type(loss)
    if fn is not None and hasattr(fn, "__name__"):
        target = fn
    return to_snake_case(getattr(target, "__name__", "")).lower()


_BINARY_LOSSES = ("binary_crossentropy", "bce", "binary_focal_crossentropy", "hinge", "squared_hinge")


def resolve_accuracy(loss_name=None, output_units: int | None = None, name: str = "accuracy") -> Metric:
    """The accuracy metric meant by the string ``'accuracy'`` for a given loss and output width.

    Keras picks: binary accuracy for one output unit or a binary cross-entropy loss, sparse categorical
    accuracy for sparse categorical cross-entropy, categorical accuracy otherwise. The returned metric
    keeps the given name so logs say ``'accuracy'`` / ``'val_accuracy'``.

    Args:
        loss_name: the compiled loss (name, Loss object, class or function). Defaults to None.
        output_units: size of the model output's last axis. Defaults to None (unknown).
        name: the metric's name in logs. Defaults to ``'accuracy'``.

    Example::

        >>> resolve_accuracy("sparse_categorical_crossentropy", 10)
        <SparseCategoricalAccuracy name=accuracy>
    """
    loss = _loss_name(loss_name)
    if output_units == 1 or loss in _BINARY_LOSSES:
        return BinaryAccuracy(name=name)
    if "sparse_categorical" in loss or loss == "sparse_categorical_crossentropy":
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)
