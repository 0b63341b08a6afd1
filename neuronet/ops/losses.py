"""Fused, numerically stable loss kernels: each forward beside the closed-form gradient it implies.

Cross-entropy written as a chain of primitives (sigmoid → clip → log → multiply → mean) stores and
walks five or six intermediate arrays and overflows for large logits. Each kernel here computes the
per-sample loss in one pass and backpropagates the short closed form instead:

    sigmoid_binary_crossentropy     logits x, targets z     dx = (sigmoid(x) - z) / n
    softmax_crossentropy            logits x, targets y     dx = softmax(x) · Σy - y
    sparse_softmax_crossentropy     logits x, labels k      dx = softmax(x) - onehot(k)
    binary_crossentropy_probs       probabilities p (clipped like Keras)
    categorical_crossentropy_probs  probabilities p (normalized, then clipped like Keras)

Every kernel reduces over the class axis itself (mean for binary, sum for categorical), so it returns
one loss per sample, ready for the weighting and batch reduction in :mod:`neuronet.losses`. With
``mean_all=True`` it also averages those per-sample losses and returns a scalar: the unweighted
``'sum_over_batch_size'`` loss in a single op, the training loop's common case. Targets are constants
as a rule; a gradient for them is still returned when they require one.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = [
    "sigmoid_binary_crossentropy", "softmax_crossentropy", "sparse_softmax_crossentropy",
    "binary_crossentropy_probs", "categorical_crossentropy_probs",
]


def _spread(gy, axis, count):
    """The output gradient made to broadcast over the input: the reduced ``axis`` put back, or, for
    a ``mean_all`` scalar (``count`` per-sample losses averaged), divided by ``count``."""
    if count:
        return gy * (1.0 / count)
    return np.expand_dims(gy, axis)


def _finish(per_sample, mean_all: bool):
    """``per_sample``, or its mean as a 0-d array when ``mean_all``; also the count averaged (0 if not)."""
    if not mean_all:
        return per_sample, 0
    n = per_sample.size
    return np.asarray(per_sample.sum() * (1.0 / n) if n else per_sample.sum(), dtype=per_sample.dtype), n


class SigmoidBinaryCrossentropy(Function):
    # l = mean over axis of  max(x, 0) - x·z + log(1 + e^-|x|)     (= -z log σ(x) - (1-z) log(1-σ(x)))
    # dx = gy · (σ(x) - z) / n,   dz = -gy · x / n                  (n = size of the averaged axis)
    def forward(self, x, z, axis=-1, mean_all=False):
        e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
        elem = np.maximum(x, 0) - x * z
        elem += np.log1p(e)
        self.x, self.z, self.e, self.axis, self.n = x, z, e, axis, x.shape[axis]
        out, self.count = _finish(elem.sum(axis=axis) * (1.0 / self.n), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count) * (1.0 / self.n)
        gx = gz = None
        if self.needs_input_grad[0]:
            # σ(x) = 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0, with e = e^-|x|
            e, x = self.e, self.x
            sig = np.where(x >= 0, 1, e) / (1 + e)
            gx = g * (sig - self.z)
        if self.needs_input_grad[1]:
            gz = -g * self.x
        return gx, gz


class SoftmaxCrossentropy(Function):
    # l = -Σ_c y_c · log_softmax(x)_c        log_softmax(x) = (x - m) - log Σ e^(x - m),  m = max x
    # dx = gy · (softmax(x) · Σ_c y_c - y)    (= softmax(x) - y for targets summing to 1)
    # dy = -gy · log_softmax(x)
    def forward(self, x, y, axis=-1, mean_all=False):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(shifted)
        total = np.sum(e, axis=axis, keepdims=True)
        log_p = shifted
        log_p -= np.log(total)
        e /= total
        self.p = e
        self.y, self.axis = y, axis
        self.log_p = log_p
        out, self.count = _finish(-np.sum(y * log_p, axis=axis), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count)
        gx = gyy = None
        if self.needs_input_grad[0]:
            y = self.y
            gx = self.p * np.sum(y, axis=self.axis, keepdims=True)
            gx -= y
            gx *= g
        if self.needs_input_grad[1]:
            gyy = -g * self.log_p
        return gx, gyy


class SparseSoftmaxCrossentropy(Function):
    # l = -log_softmax(x)[k]      (classes on the last axis, k an integer label per sample)
    # dx = gy · (softmax(x) - onehot(k))
    def forward(self, x, labels, mean_all=False):
        x2 = x.reshape(-1, x.shape[-1])  # rows of classes (a view when x is contiguous)
        rows, k = np.arange(x2.shape[0]), labels.reshape(-1)
        shifted = x2 - x2.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=-1, keepdims=True)
        self.e, self.total, self.rows, self.k, self.shape = e, total, rows, k, x.shape
        per = np.log(total[:, 0])
        per -= shifted[rows, k]
        out, self.count = _finish(per.reshape(labels.shape), mean_all)
        return out

    def backward(self, gy):
        p = self.e / self.total  # softmax(x)
        p[self.rows, self.k] -= 1
        p *= gy * (1.0 / self.count) if self.count else gy.reshape(-1, 1)
        return p.reshape(self.shape), None


class BinaryCrossentropyProbs(Function):
    # c = clip(p, ε, 1-ε);   l = mean over axis of  -(z log c + (1-z) log(1-c))      (Keras, ε = 1e-7)
    # dp = gy · (c - z) / (c (1 - c)) / n  where ε ≤ p ≤ 1-ε, else 0;   dz = gy · (log(1-c) - log c) / n
    def forward(self, p, z, axis=-1, epsilon=1e-7, mean_all=False):
        c = np.clip(p, epsilon, 1.0 - epsilon)
        log_c, log_1mc = np.log(c), np.log1p(-c)
        elem = z * log_c
        elem += (1 - z) * log_1mc
        self.p, self.c, self.z, self.axis, self.n, self.eps = p, c, z, axis, p.shape[axis], epsilon
        out, self.count = _finish(elem.sum(axis=axis) * (-1.0 / self.n), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count) * (1.0 / self.n)
        gp = gz = None
        if self.needs_input_grad[0]:
            c = self.c
            inside = (self.p >= self.eps) & (self.p <= 1.0 - self.eps)
            gp = g * (c - self.z) / (c * (1 - c)) * inside
        if self.needs_input_grad[1]:
            gz = g * (np.log1p(-self.c) - np.log(self.c))
        return gp, gz


class CategoricalCrossentropyProbs(Function):
    # q = p / Σp;  c = clip(q, ε, 1-ε);  l = -Σ_c y_c log c_c                         (Keras, ε = 1e-7)
    # dq = -y / c where ε ≤ q ≤ 1-ε (else 0);   dp = gy · (dq - Σ_c dq_c q_c) / Σp;   dy = -gy · log c
    def forward(self, p, y, axis=-1, epsilon=1e-7, mean_all=False):
        s = np.sum(p, axis=axis, keepdims=True)
        q = p / s
        c = np.clip(q, epsilon, 1.0 - epsilon)
        log_c = np.log(c)
        self.s, self.q, self.c, self.y, self.axis, self.eps, self.log_c = s, q, c, y, axis, epsilon, log_c
        out, self.count = _finish(-np.sum(y * log_c, axis=axis), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count)
        gp = gyy = None
        if self.needs_input_grad[0]:
            q = self.q
            inside = (q >= self.eps) & (q <= 1.0 - self.eps)
            dq = -self.y / self.c * inside
            gp = (dq - np.sum(dq * q, axis=self.axis, keepdims=True)) / self.s * g
        if self.needs_input_grad[1]:
            gyy = -g * self.log_c
        return gp, gyy


def sigmoid_binary_crossentropy(logits, targets, axis: int = -1, mean_all: bool = False) -> Tensor:
    """Binary cross-entropy from logits, averaged over ``axis``, exact for any logit.

    ``mean(max(x, 0) - x·z + log(1 + exp(-|x|)), axis)``, which equals
    ``-z·log σ(x) - (1-z)·log(1-σ(x))`` without overflow. Gradient ``(σ(x) - z) / n``.

    Args:
        logits: Tensor ``x`` of any shape.
        targets: ``z``, same shape as ``logits``, values in [0, 1].
        axis: the axis averaged over. Defaults to -1.
        mean_all: return the mean over all samples (a scalar) instead. Defaults to False.

    Returns:
        Tensor of ``logits.shape`` without ``axis`` (a scalar with ``mean_all``).
    """
    return SigmoidBinaryCrossentropy.apply(logits, targets, axis=axis, mean_all=mean_all)


def softmax_crossentropy(logits, targets, axis: int = -1, mean_all: bool = False) -> Tensor:
    """Categorical cross-entropy from logits: ``-Σ y · log_softmax(x)`` over ``axis``.

    The log-softmax subtracts the maximum first, so any logits are safe. Gradient
    ``softmax(x)·Σy - y`` (``softmax(x) - y`` for one-hot or smoothed targets).

    Args:
        logits: Tensor of shape ``(..., classes, ...)``.
        targets: same shape, a distribution over ``axis`` (one-hot or smoothed).
        axis: the class axis. Defaults to -1.
        mean_all: return the mean over all samples (a scalar) instead. Defaults to False.

    Returns:
        Tensor of ``logits.shape`` without ``axis`` (a scalar with ``mean_all``).
    """
    return SoftmaxCrossentropy.apply(logits, targets, axis=axis, mean_all=mean_all)


def sparse_softmax_crossentropy(logits, labels, mean_all: bool = False) -> Tensor:
    """Cross-entropy from logits and integer labels: ``log Σ e^x - x[label]``, classes on the last axis.

    Args:
        logits: Tensor of shape ``(..., classes)``.
        labels: integer ndarray of shape ``(...)`` with values in ``[0, classes)`` (not checked here;
            :func:`neuronet.losses.sparse_categorical_crossentropy` checks them).
        mean_all: return the mean over all samples (a scalar) instead. Defaults to False.

    Returns:
        Tensor of shape ``(...)`` (a scalar with ``mean_all``). Gradient ``softmax(x) - onehot(label)``.
    """
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels).astype(np.intp, copy=False)
    return SparseSoftmaxCrossentropy.apply(logits, labels, mean_all=mean_all)


def binary_crossentropy_probs(probs, targets, axis: int = -1, epsilon: float = 1e-7,
                              mean_all: bool = False) -> Tensor:
    """Binary cross-entropy from probabilities, clipped to ``[ε, 1-ε]`` as Keras does, averaged over ``axis``.

    ``mean(-(z·log c + (1-z)·log(1-c)), axis)`` with ``c = clip(p, ε, 1-ε)``; the gradient is 0 where
    ``p`` was clipped.
    """
    return BinaryCrossentropyProbs.apply(probs, targets, axis=axis, epsilon=float(epsilon), mean_all=mean_all)


def categorical_crossentropy_probs(probs, targets, axis: int = -1, epsilon: float = 1e-7,
                                   mean_all: bool = False) -> Tensor:
    """Categorical cross-entropy from probabilities, as Keras computes it: ``p`` is divided by its sum
    over ``axis``, clipped to ``[ε, 1-ε]``, and ``-Σ y·log`` of it is returned."""
    return CategoricalCrossentropyProbs.apply(probs, targets, axis=axis, epsilon=float(epsilon), mean_all=mean_all)


class MeanSquaredDifference(Function):
    # l = mean over axis of (a - b)²        da = gy · 2 (a - b) / n,   db = -da
    def forward(self, a, b, axis=-1, mean_all=False):
        d = a - b
        self.d, self.axis, self.n = d, axis, d.shape[axis]
        out, self.count = _finish(np.sum(d * d, axis=axis) * (1.0 / self.n), mean_all)
        return out

    def backward(self, gy):
        g = self.d * (_spread(gy, self.axis, self.count) * (2.0 / self.n))
        return (g if self.needs_input_grad[0] else None), (-g if self.needs_input_grad[1] else None)


class LogCosh(Function):
    # y = log cosh x = |x| + log(1 + e^(-2|x|)) - log 2   (no overflow for large |x|)      dx = gy · tanh x
    def forward(self, x):
        a = np.abs(x)
        self.x = x
        y = np.log1p(np.exp(-2.0 * a))
        y += a
        y -= np.log(2.0).item()
        return y

    def backward(self, gy):
        return gy * np.tanh(self.x)


def mean_squared_difference(x1, x2, axis: int = -1, mean_all: bool = False) -> Tensor:
    """``mean((x1 - x2)², axis)`` in one op: the per-sample mean squared error (its mean, a scalar,
    with ``mean_all``)."""
    return MeanSquaredDifference.apply(x1, x2, axis=axis, mean_all=mean_all)


def log_cosh(x) -> Tensor:
    """Elementwise ``log(cosh(x))``, computed without overflow; its derivative is ``tanh(x)``."""
    return LogCosh.apply(x)


__all__ += ["mean_squared_difference", "log_cosh"]


# Keras's ``keras.ops`` cross-entropies: no batch reduction, targets first ---------------------------
def _as_float_target(target, like):
    if isinstance(target, Tensor):
        return target if target.dtype == like.dtype else target.astype(like.dtype)
    return np.asarray(target, dtype=like.dtype)


def binary_crossentropy(target, output, from_logits: bool = False) -> Tensor:
    """Elementwise binary cross-entropy (``keras.ops.binary_crossentropy``): same shape as ``output``.

    From logits it is exact; from probabilities ``output`` is clipped to ``[ε, 1-ε]`` first.
    """
    from .. import config

    output = output if isinstance(output, Tensor) else Tensor(output)
    target = _as_float_target(target, output)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"binary_crossentropy: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    x = output.reshape(output.shape + (1,))
    z = target.reshape(target.shape + (1,))
    if from_logits:
        return sigmoid_binary_crossentropy(x, z, axis=-1)
    return binary_crossentropy_probs(x, z, axis=-1, epsilon=config.epsilon())


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Categorical cross-entropy over ``axis`` (``keras.ops.categorical_crossentropy``): one value per sample."""
    from .. import config

    output = output if isinstance(output, Tensor) else Tensor(output)
    target = _as_float_target(target, output)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"categorical_crossentropy: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        return softmax_crossentropy(output, target, axis=axis)
    return categorical_crossentropy_probs(output, target, axis=axis, epsilon=config.epsilon())


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Cross-entropy from integer labels (``keras.ops.sparse_categorical_crossentropy``): one value per sample.

    Labels must lie in ``[0, classes)``; :func:`neuronet.losses.sparse_categorical_crossentropy` adds
    ``ignore_class`` and the label checks with their error messages.
    """
    from .. import config

    output = output if isinstance(output, Tensor) else Tensor(output)
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    if labels.ndim == output.ndim and labels.shape[-1:] == (1,):
        labels = labels.reshape(labels.shape[:-1])
    axis = axis % output.ndim
    if axis != output.ndim - 1:
        output = output.transpose([i for i in range(output.ndim) if i != axis] + [axis])
    classes = output.shape[-1]
    if labels.shape != tuple(output.shape[:-1]):
        raise ValueError(f"sparse_categorical_crossentropy: expected labels of shape {tuple(output.shape[:-1])}, "
                         f"received {labels.shape}")
    labels = labels.astype(np.intp)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"sparse_categorical_crossentropy: expected labels in [0, {classes}), received values in "
                         f"[{labels.min()}, {labels.max()}]")
    if from_logits:
        return sparse_softmax_crossentropy(output, labels)
    onehot = np.zeros(output.shape, dtype=output.dtype)
    np.put_along_axis(onehot, labels[..., None], 1.0, axis=-1)
    return categorical_crossentropy_probs(output, onehot, axis=-1, epsilon=config.epsilon())


__all__ += ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]
