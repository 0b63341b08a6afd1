"""The metric contract (:class:`Metric`), the running means every per-sample metric is built on
(:class:`Mean`, :class:`Sum`, :class:`MeanMetricWrapper`); the array helpers they share are in ``_arrays.py``.

Metrics read arrays: a :class:`~neuronet.Tensor` is read through its ``.data`` and no autograd graph
is built. Epoch values are weighted by samples (and by ``sample_weight``), as Keras does: the mean over
all samples seen, not the mean of per-batch means.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import config, losses
from ..autograd import no_grad
from ..utils.naming import closest_match, to_snake_case, unique_name
from ._arrays import _apply_mask, _array, _check_batch, _float_array, _samplewise
from .metric_functions import FUNCTIONS

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper"]


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

    The loss-like metrics are this wrapper around the loss functions themselves (as Keras:
    ``MeanSquaredError`` wraps :func:`neuronet.losses.mean_squared_error`), so a metric and the loss
    of the same name always give the same number.

    ``fn`` receives ``y_true`` as given and ``y_pred`` as given (an ndarray, or a Tensor with the mask
    and logits its layer left on it), runs without recording a graph, and returns one value per
    sample (an ndarray or a Tensor). A mask on ``y_pred`` (``_keras_mask``), and one on the values
    (entries a loss left out, such as ``ignore_class``), weigh those entries 0.

    Args:
        fn: function returning one value per sample (shape (batch,) or (batch, ...)).
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

    # True for the metrics whose function averages the last axis (MSE, binary cross-entropy, hinge, ...):
    # rank-1 y_true/y_pred are then a batch of samples of one value each (as the accuracies read them),
    # not one sample of n values
    _rank1_is_batch = False

    def __init__(self, fn: Callable, name: str | None = None, dtype: str | None = None, **kwargs):
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: expected fn to be callable, received {fn!r}")
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if self._direction is None and fn in losses.FUNCTIONS:
            self._direction = "down"  # a loss tracked as a metric is better smaller (as Keras decides)

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
        if self._rank1_is_batch and yp.ndim == 1:
            y_true, y_pred = (yt[:, None] if yt.ndim == 1 else yt), yp[:, None]
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = _apply_mask(values, sample_weight)
        super().update_state(_array(values), sample_weight=sample_weight)

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
                if fn not in FUNCTIONS:
                    raise ValueError(
                        f"MeanMetricWrapper.from_config: unknown metric function {fn!r}"
                        f"{closest_match(fn, FUNCTIONS, n=3)}; all: neuronet.metrics.registry.FUNCTIONS"
                    )
                fn = FUNCTIONS[fn]
            return cls(fn, **config)
        return cls(**config)
