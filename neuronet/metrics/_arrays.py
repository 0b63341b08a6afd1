"""The array helpers every metric shares: reading Tensors and lists as arrays, aligning the ranks of
labels and predictions, per-sample means, sample weights and masks.

Plain NumPy; it imports no metric, so the metric classes and the per-sample functions can both use it.
"""

from __future__ import annotations

import numpy as np

from .. import config

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


def _apply_mask(x, sample_weight):
    """Fold a Keras mask carried by ``x`` (``_keras_mask``: the predictions', or the entries a loss
    left out) into the sample weights."""
    mask = getattr(x, "_keras_mask", None)
    if mask is None:
        return sample_weight
    mask = _array(mask).astype(config.floatx())
    if sample_weight is None:
        return mask
    weight, mask = _same_rank(_array(sample_weight), mask)
    return weight * mask


def _check_k(cls: str, k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{cls}: expected k to be a positive integer, received {k!r}")
    return int(k)
