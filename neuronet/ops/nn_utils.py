"""Small functions of ``keras.ops.nn``: normalize, rms_normalization, psnr, in_top_k, multi_hot, polar.
Composed from the library's ops (their gradients follow); ``in_top_k``, ``multi_hot`` and ``polar`` give
constants."""

from __future__ import annotations

import numpy as np

from .. import config
from ..autograd import Tensor
from . import manipulation as s
from . import math as m
from . import reduce as r
from .core import float_tensor

__all__ = ["normalize", "rms_normalization", "psnr", "in_top_k", "multi_hot", "polar"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)




def normalize(x, axis: int = -1, order: int = 2, epsilon=None) -> Tensor:
    """``x / max(norm(x), epsilon)`` along ``axis`` with the ``order``-norm (an int ≥ 1); for order 2 as
    Keras, ``x · min(1/√Σx², 1/epsilon)``. ``epsilon`` defaults to ``config.epsilon()``."""
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"normalize: order must be an int >= 1, received order={order!r}")
    x = float_tensor(x)
    if x.data.ndim == 0:
        x = s.reshape(x, (1,))
    eps = config.epsilon() if epsilon is None else float(epsilon)
    if order == 2:
        return m.multiply(x, m.minimum(m.rsqrt(r.sum(m.square(x), axis=axis, keepdims=True)), 1.0 / eps))
    norm = m.power(r.sum(m.power(m.abs(x), float(order)), axis=axis, keepdims=True), 1.0 / order)
    return m.divide(x, m.maximum(norm, eps))


def rms_normalization(x, scale=None, axis: int = -1, epsilon=None) -> Tensor:
    """Root-mean-square normalization (Zhang & Sennrich 2019): ``x · rsqrt(mean(x², axis) + epsilon) · scale``
    (``scale`` defaults to 1, ``epsilon`` to ``config.epsilon()``)."""
    x = float_tensor(x)
    if x.data.ndim == 0:
        x = s.reshape(x, (1,))
    eps = config.epsilon() if epsilon is None else float(epsilon)
    axis = tuple(sorted(axis)) if isinstance(axis, (tuple, list)) else axis
    out = m.multiply(x, m.rsqrt(m.add(r.mean(m.square(x), axis=axis, keepdims=True), eps)))
    return out if scale is None else m.multiply(out, scale)


def psnr(x1, x2, max_val) -> Tensor:
    """Peak signal-to-noise ratio in dB: ``20·log10(max_val) - 10·log10(mean((x1 - x2)²))`` over all entries."""
    if _data(x1).shape != _data(x2).shape:
        raise ValueError(f"psnr: x1 and x2 must have the same shape, received {_data(x1).shape} and "
                         f"{_data(x2).shape}")
    mse = r.mean(m.square(m.subtract(float_tensor(x1), float_tensor(x2))))
    return m.subtract(20.0 * np.log10(float(_data(max_val))), m.multiply(m.log(mse), 10.0 / np.log(10.0)))


def in_top_k(targets, predictions, k: int) -> Tensor:
    """True where the score of each row's target class is among the row's ``k`` largest (ties count as in)."""
    scores, labels = _data(predictions), _data(targets).astype(np.int64)
    if scores.ndim != 2 or labels.shape != scores.shape[:1]:
        raise ValueError(f"in_top_k: expected predictions (batch, classes) and targets (batch,), received "
                         f"{scores.shape} and {labels.shape}")
    kth = -np.sort(-scores, axis=-1)[:, int(k) - 1:int(k)]
    return Tensor._wrap(np.take_along_axis(scores, labels[:, None], axis=-1)[:, 0] >= kth[:, 0])


def multi_hot(inputs, num_classes=None, axis: int = -1, dtype=None, sparse: bool = False, **kwargs) -> Tensor:
    """Multi-hot encoding of integer ids: for ``(batch, n)`` ids a ``(batch, num_classes)`` tensor with 1 at
    every id of the row (a 1-D input gives one vector). No gradient."""
    if sparse:
        raise ValueError("multi_hot: sparse=True is not supported")
    num_classes = kwargs.pop("num_tokens", num_classes)
    if kwargs:
        raise TypeError(f"multi_hot: unexpected keyword argument(s) {sorted(kwargs)}")
    if num_classes is None or int(num_classes) <= 0:
        raise ValueError(f"multi_hot: num_classes must be a positive integer, received {num_classes!r}")
    ids = _data(inputs).astype(np.int64)
    hot = s.one_hot(ids, int(num_classes), axis=axis, dtype=dtype).data
    return Tensor._wrap(hot.max(axis=1 if ids.ndim > 1 else 0))


def polar(abs_, angle) -> Tensor:
    """The complex numbers ``abs_ · (cos(angle) + i·sin(angle))`` (a complex constant Tensor)."""
    magnitude, phase = _data(abs_), _data(angle)
    dtype = np.complex128 if np.result_type(magnitude, phase) == np.float64 else np.complex64
    return Tensor._wrap((magnitude * np.exp(1j * phase)).astype(dtype))
