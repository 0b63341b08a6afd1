"""The loss contract: :class:`Loss` (weights, masks and Keras's reductions) and
:class:`LossFunctionWrapper`, with the input rules every loss function shares (Keras ``losses/loss.py``).
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import config, ops
from ..autograd import Tensor

__all__ = ["Loss", "LossFunctionWrapper"]

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# --------------------------------------------------------------------------------------- input rules
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


def _smooth(y_true, label_smoothing: float, classes: int):
    """Targets moved towards the uniform distribution: ``y·(1 - s) + s / classes`` (binary: classes = 2)."""
    return y_true * (1.0 - label_smoothing) + label_smoothing / classes


def _data(x):
    return x.data if isinstance(x, Tensor) else x


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
    from ..utils.naming import to_snake_case

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
