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

Then the cross-entropies by kind, with ``keras.ops`` names: ``binary_crossentropy``,
``categorical_crossentropy`` and ``sparse_categorical_crossentropy`` choose the kernel (from logits,
or from probabilities) and check the labels, in this one place. Probabilities made by
:func:`neuronet.ops.sigmoid` or :func:`neuronet.ops.softmax` carry their logits
(``_keras_logits``, as in tf.keras), and count as those logits: the same value where the
probabilities are not clipped, exact where they are, with the short gradient.
"""

from __future__ import annotations

import numpy as np

from .. import config
from ..autograd import Function, Tensor
from .activations import _sigmoid
from .math import where
from .manipulation import transpose

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
        elem = np.maximum(x, 0) - x * z
        elem += np.log1p(np.exp(-np.abs(x)))  # e^-|x| in (0, 1]: never overflows
        self.x, self.z, self.axis, self.n = x, z, axis, x.shape[axis]
        out, self.count = _finish(elem.sum(axis=axis) * (1.0 / self.n), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count) * (1.0 / self.n)
        gx = gz = None
        if self.needs_input_grad[0]:
            gx = _sigmoid(self.x)
            gx -= self.z
            gx *= g
        if self.needs_input_grad[1]:
            gz = -g * self.x
        return gx, gz


class SoftmaxCrossentropy(Function):
    # l = -Σ_c y_c · log_softmax(x)_c        log_softmax(x) = (x - m) - log Σ e^(x - m),  m = max x
    # dx = gy · (softmax(x) · Σ_c y_c - y)    (= softmax(x) - y for targets summing to 1)
    # dy = -gy · log_softmax(x)
    def forward(self, x, y, axis=-1, mean_all=False):
        shifted = x - x.max(axis=axis, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=axis, keepdims=True)
        log_p = shifted
        log_p -= np.log(total)
        e /= total
        self.p = e
        self.y, self.axis = y, axis
        self.log_p = log_p
        out, self.count = _finish(-(y * log_p).sum(axis=axis), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count)
        gx = gyy = None
        if self.needs_input_grad[0]:
            y = self.y
            gx = self.p * y.sum(axis=self.axis, keepdims=True)
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
        s = p.sum(axis=axis, keepdims=True)
        q = p / s
        c = np.clip(q, epsilon, 1.0 - epsilon)
        log_c = np.log(c)
        self.s, self.q, self.c, self.y, self.axis, self.eps, self.log_c = s, q, c, y, axis, epsilon, log_c
        out, self.count = _finish(-(y * log_c).sum(axis=axis), mean_all)
        return out

    def backward(self, gy):
        g = _spread(gy, self.axis, self.count)
        gp = gyy = None
        if self.needs_input_grad[0]:
            q = self.q
            inside = (q >= self.eps) & (q <= 1.0 - self.eps)
            dq = -self.y / self.c * inside
            gp = (dq - (dq * q).sum(axis=self.axis, keepdims=True)) / self.s * g
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
        out, self.count = _finish((d * d).sum(axis=axis) * (1.0 / self.n), mean_all)
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


# The cross-entropies by kind (``keras.ops`` names, targets first) ---------------------------------------
# Each picks its kernel: from logits when ``from_logits`` or when a sigmoid/softmax left them on ``output``
# (``output._keras_logits``), else from probabilities. neuronet.losses adds label smoothing and the Keras
# rank rules on top; these are the one place the kernel is chosen and labels are checked.
def _as_float_target(target, like):
    if isinstance(target, Tensor):
        return target if target.dtype == like.dtype else target.astype(like.dtype)
    return np.asarray(target, dtype=like.dtype)


def _as_output(output) -> Tensor:
    return output if isinstance(output, Tensor) else Tensor(output)


def _check_same_shape(name: str, target, output) -> None:
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"{name}: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


def _logits_left_on(output, axis):
    """The logits a sigmoid (``axis=None``) or a softmax over ``axis`` left on ``output``, or None.

    :func:`neuronet.ops.sigmoid` sets ``output._keras_logits``; :func:`neuronet.ops.softmax` also sets
    ``output._keras_logits_axis``. Logits of another kind or axis are not used (the cross-entropy of a
    softmax over axis 1 is not a softmax cross-entropy over axis 2).
    """
    logits = getattr(output, "_keras_logits", None)
    if logits is None or getattr(output, "_keras_logits_axis", None) != axis:
        return None
    return logits


def binary_crossentropy(target, output, from_logits: bool = False, axis: int | None = None,
                        mean_all: bool = False) -> Tensor:
    """Binary cross-entropy (``keras.ops.binary_crossentropy``): elementwise, the shape of ``output``.

    From logits ``x`` it is ``max(x, 0) - x·z + log(1 + e^-|x|)``, exact; from probabilities
    ``output`` is clipped to ``[ε, 1-ε]`` first. Probabilities made by :func:`neuronet.ops.sigmoid`
    count as their logits.

    Args:
        target: ``z`` in [0, 1], the shape of ``output``.
        output: probabilities, or logits when ``from_logits=True``.
        from_logits: whether ``output`` are logits. Defaults to False.
        axis: average over this axis (the per-sample loss of :func:`neuronet.losses.binary_crossentropy`).
            Defaults to None: every entry kept.
        mean_all: return the mean of all the values instead (a scalar). Defaults to False.
    """
    output = _as_output(output)
    target = _as_float_target(target, output)
    _check_same_shape("binary_crossentropy", target, output)
    logits = output if from_logits else _logits_left_on(output, None)
    x = output if logits is None else logits
    if axis is None:  # elementwise: each entry is its own axis of one
        axis = -1
        x = x.reshape(x.shape + (1,))
        target = target.reshape(target.shape + (1,))
    if logits is not None:
        return sigmoid_binary_crossentropy(x, target, axis=axis, mean_all=mean_all)
    return binary_crossentropy_probs(x, target, axis=axis, epsilon=config.epsilon(), mean_all=mean_all)


def categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1,
                             mean_all: bool = False) -> Tensor:
    """Categorical cross-entropy over ``axis`` (``keras.ops.categorical_crossentropy``): one value per sample.

    From logits: ``-Σ y·log_softmax(x)``; from probabilities: ``-Σ y·log clip(p / Σp, ε, 1-ε)`` (as
    Keras). Probabilities made by :func:`neuronet.ops.softmax` over the same axis count as their logits.

    Args:
        target: a distribution over ``axis`` (one-hot or smoothed), the shape of ``output``.
        output: probabilities, or logits when ``from_logits=True``.
        from_logits: whether ``output`` are logits. Defaults to False.
        axis: the class axis. Defaults to -1.
        mean_all: return the mean over all samples instead (a scalar). Defaults to False.
    """
    output = _as_output(output)
    target = _as_float_target(target, output)
    _check_same_shape("categorical_crossentropy", target, output)
    logits = output if from_logits else _logits_left_on(output, axis % max(output.ndim, 1))
    if logits is not None:
        return softmax_crossentropy(logits, target, axis=axis, mean_all=mean_all)
    return categorical_crossentropy_probs(output, target, axis=axis, epsilon=config.epsilon(), mean_all=mean_all)


def _check_labels(labels: np.ndarray, classes: int, ignore_class=None,
                 name: str = "sparse_categorical_crossentropy") -> np.ndarray:
    """Integer labels in ``[0, classes)`` (``ignore_class`` excepted) as ``intp``, or a ValueError naming
    the first bad one and its index."""
    if not np.issubdtype(labels.dtype, np.integer):
        if np.issubdtype(labels.dtype, np.bool_):
            labels = labels.astype(np.intp)
        else:
            whole = np.isfinite(labels) & (labels == np.floor(labels))
            if not whole.all():
                idx = tuple(int(i) for i in np.argwhere(~whole)[0])
                raise ValueError(
                    f"{name}: expected integer class labels, received {labels[idx].item()!r} at index {idx}"
                )
    if not labels.size or (labels.min() >= 0 and labels.max() < classes):
        return labels.astype(np.intp, copy=False)
    bad = (labels < 0) | (labels >= classes)
    if ignore_class is not None:
        bad &= labels != ignore_class
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name}: expected labels in [0, {classes}) for y_pred with {classes} classes, "
            f"received label {labels[idx].item()!r} at index {idx}"
        )
    return labels.astype(np.intp, copy=False)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False, axis: int = -1,
                                    ignore_class: int | None = None, mean_all: bool = False) -> Tensor:
    """Cross-entropy from integer labels (``keras.ops.sparse_categorical_crossentropy``): one value per sample.

    From logits: ``log Σ e^x - x[label]``; from probabilities: ``-log clip(p[label] / Σp, ε, 1-ε)``.
    Probabilities made by :func:`neuronet.ops.softmax` over the same axis count as their logits.

    Args:
        target: integer labels in ``[0, classes)``, the shape of ``output`` without ``axis`` (a trailing
            axis of 1 is accepted).
        output: probabilities, or logits when ``from_logits=True``.
        from_logits: whether ``output`` are logits. Defaults to False.
        axis: the class axis. Defaults to -1.
        ignore_class: a label whose entries get loss 0; the result then carries ``_keras_mask`` marking
            the kept entries. Defaults to None.
        mean_all: return the mean over all samples instead (a scalar); not with ``ignore_class``, whose
            mean runs over the kept entries only. Defaults to False.

    Raises:
        ValueError: if a label is not an integer or lies outside ``[0, classes)``, naming the first.
    """
    name = "sparse_categorical_crossentropy"
    if mean_all and ignore_class is not None:
        raise ValueError(f"{name}: mean_all cannot be combined with ignore_class (the mean runs over the kept "
                         "entries: reduce the masked per-sample values instead)")
    output = _as_output(output)
    labels = np.asarray(target.data if isinstance(target, Tensor) else target)
    axis = axis % output.ndim if output.ndim else axis
    logits = output if from_logits else _logits_left_on(output, axis)
    x = output if logits is None else logits
    if axis != output.ndim - 1:
        x = transpose(x, [i for i in range(output.ndim) if i != axis] + [axis])
    classes = x.shape[-1]
    if labels.ndim == x.ndim and labels.shape[-1:] == (1,):
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != tuple(x.shape[:-1]):
        raise ValueError(
            f"{name}: expected integer labels of shape {tuple(x.shape[:-1])} for y_pred of shape "
            f"{tuple(x.shape)}, received y_true of shape {np.shape(target)}"
        )
    labels = _check_labels(labels, classes, ignore_class, name)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = np.where(valid, labels, 0)
    if logits is not None:
        res = sparse_softmax_crossentropy(x, labels, mean_all=mean_all)
    else:
        onehot = np.zeros(x.shape, dtype=x.dtype)
        np.put_along_axis(onehot, labels[..., None], 1.0, axis=-1)
        res = categorical_crossentropy_probs(x, onehot, axis=-1, epsilon=config.epsilon(), mean_all=mean_all)
    if valid is not None:
        res = where(valid, res, np.zeros((), res.dtype))
        res._keras_mask = valid
    return res


__all__ += ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]
