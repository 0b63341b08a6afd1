"""Normalization layers (Keras 3 names, defaults and weight order): BatchNormalization, LayerNormalization,
GroupNormalization, RMSNormalization, UnitNormalization."""

from __future__ import annotations

import numpy as np

from .. import constraints, initializers, ops, regularizers
from .base import InputSpec, Layer
from .conv import serialize_initializer, serialize_regularizer

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "RMSNormalization", "UnitNormalization"]


def _check_momentum_epsilon(where: str, momentum: float | None, epsilon: float) -> None:
    if momentum is not None and not 0.0 <= float(momentum) <= 1.0:
        raise ValueError(f"{where}: `momentum` must be in [0, 1], received momentum={momentum!r}")
    if not float(epsilon) > 0.0:
        raise ValueError(f"{where}: `epsilon` must be positive, received epsilon={epsilon!r}")


def _set_beta_gamma(layer, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                    beta_constraint, gamma_constraint) -> None:
    """Resolve a normalization layer's offset (beta) and scale (gamma) arguments onto it."""
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def _beta_gamma_config(layer) -> dict:
    """The config entries of a normalization layer's offset (beta) and scale (gamma) weights."""
    return {
        "beta_initializer": serialize_initializer(layer.beta_initializer),
        "gamma_initializer": serialize_initializer(layer.gamma_initializer),
        "beta_regularizer": serialize_regularizer(layer.beta_regularizer),
        "gamma_regularizer": serialize_regularizer(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


class BatchNormalization(Layer):
    """Normalize each feature with the batch's statistics while training, moving averages at inference.

    While training (``training=True``, as in ``fit``), for every feature (channel) ``c``::

        y = gamma · (x - mean(batch)) / sqrt(var(batch) + epsilon) + beta
        moving_mean     = moving_mean     · momentum + mean(batch) · (1 - momentum)
        moving_variance = moving_variance · momentum + var(batch)  · (1 - momentum)

    where the statistics run over every axis but ``axis`` and ``var`` is the biased variance
    (divided by the count), as in Keras 3. At inference (``training=False``, as in ``predict`` and
    ``evaluate``) the moving averages replace the batch statistics. A layer with ``trainable=False``
    always runs in inference mode (Keras 3 behaviour, for fine-tuning).

    Args:
        axis: the feature axis. Defaults to -1 (channels-last).
        momentum: of the moving averages. Defaults to 0.99.
        epsilon: added to the variance. Defaults to 1e-3.
        center: learn an offset ``beta``. Defaults to True.
        scale: learn a scale ``gamma``. Defaults to True.
        beta_initializer: Defaults to 'zeros'. gamma_initializer: Defaults to 'ones'.
        moving_mean_initializer: Defaults to 'zeros'. moving_variance_initializer: Defaults to 'ones'.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: Defaults to None.
        synchronized: accepted for Keras compatibility (one device: no effect). Defaults to False.

    Weights (Keras order): ``gamma``, ``beta`` (trainable), ``moving_mean``, ``moving_variance``
    (non-trainable), each of shape ``(input_shape[axis],)``.

    With a mask (e.g. after ``Embedding(mask_zero=True)``), the batch statistics are taken over the
    unmasked positions only, as in Keras 3; the mask is passed on unchanged.

    Shapes: output shape = input shape.

    Example::

        >>> bn = BatchNormalization()
        >>> y = bn(np.random.randn(32, 8, 8, 16), training=True)      # normalized per channel
        >>> [w.name for w in bn.weights]
        ['gamma', 'beta', 'moving_mean', 'moving_variance']
    """

    supports_masking = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, synchronized: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        where = f"BatchNormalization '{self.name}'"
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"{where}: `axis` must be an int, received axis={axis!r}")
        _check_momentum_epsilon(where, momentum, epsilon)
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale, self.synchronized = bool(center), bool(scale), bool(synchronized)
        _set_beta_gamma(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                        beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} is out of range for inputs of "
                             f"shape {tuple(input_shape)}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} of the input must be known, "
                             f"received input shape {tuple(input_shape)}")
        shape = (int(size),)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape, self.moving_mean_initializer, name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape, self.moving_variance_initializer, name="moving_variance",
                                               trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: int(size)})
        self.built = True

    def _masked_moments(self, inputs, mask):
        """Mean and biased variance over the unmasked positions only (Keras 3), differentiable."""
        ndim = inputs.ndim
        if np.ndim(mask) != ndim - 1:
            raise ValueError(f"BatchNormalization '{self.name}': the mask must have one axis less than the inputs, "
                             f"received mask shape {np.shape(mask)} and inputs shape {tuple(inputs.shape)}")
        weights = np.expand_dims(np.asarray(mask, dtype=inputs.dtype), -1)
        axes = tuple(a for a in range(ndim) if a != self.axis % ndim)
        count = np.sum(np.broadcast_to(weights, inputs.shape), axis=axes, keepdims=True) + 1e-7
        mean = ops.sum(inputs * weights, axis=axes, keepdims=True) / count
        diff = inputs - mean
        variance = ops.sum(diff * diff * weights, axis=axes, keepdims=True) / count
        return ops.reshape(mean, (-1,)), ops.reshape(variance, (-1,))

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            if mask is not None:
                mask = getattr(mask, "data", mask)
                mean, variance = self._masked_moments(inputs, mask)
                y = ops.batch_normalization(inputs, mean, variance, self.axis, offset=self.beta, scale=self.gamma,
                                            epsilon=self.epsilon)
            else:
                y, mean, variance = ops.fused_batch_normalization(inputs, self.beta, self.gamma, self.axis,
                                                                  self.epsilon)
            m = self.momentum
            # moving = moving·momentum + batch·(1 - momentum), in place, without changing the dtype
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
                moving.data *= m
                moving.data += batch.data.astype(moving.dtype, copy=False) * (1.0 - m)
            return y
        return ops.batch_normalization(inputs, self.moving_mean.data, self.moving_variance.data, self.axis,
                                       offset=self.beta, scale=self.gamma, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, **_beta_gamma_config(self),
            "moving_mean_initializer": serialize_initializer(self.moving_mean_initializer),
            "moving_variance_initializer": serialize_initializer(self.moving_variance_initializer),
            "synchronized": self.synchronized,
        })
        return cfg


class LayerNormalization(Layer):
    """Normalize each sample over its last axis (or ``axis``): ``y = gamma · (x - mean) / sqrt(var + epsilon) + beta``.

    Unlike BatchNormalization the statistics belong to each sample, so training and inference behave
    the same and the batch size does not matter (the normalization of Transformers and RNNs).

    Args:
        axis: int or list of ints to normalize over. Defaults to -1.
        epsilon: added to the variance. Defaults to 1e-3.
        center: learn an offset ``beta``. Defaults to True.
        scale: learn a scale ``gamma``. Defaults to True.
        rms_scaling: only False is implemented. Defaults to False.
        beta_initializer: Defaults to 'zeros'. gamma_initializer: Defaults to 'ones'.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: Defaults to None.

    Weights (Keras order): ``gamma``, ``beta``, each shaped like the normalized axes.

    Shapes: output shape = input shape.
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 rms_scaling: bool = False, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        where = f"LayerNormalization '{self.name}'"
        if rms_scaling:
            raise ValueError(f"{where}: rms_scaling=True is not implemented")
        _check_momentum_epsilon(where, None, epsilon)
        if isinstance(axis, (list, tuple)):
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise ValueError(f"{where}: `axis` must be an int or a list of ints, received axis={axis!r}")
        self.epsilon, self.center, self.scale, self.rms_scaling = float(epsilon), bool(center), bool(scale), False
        _set_beta_gamma(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                        beta_constraint, gamma_constraint)

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"LayerNormalization '{self.name}': axis {a} is out of range for inputs of shape "
                                 f"{tuple(input_shape)}")
        axes = sorted(a % ndim for a in axes)
        if any(input_shape[a] is None for a in axes):
            raise ValueError(f"LayerNormalization '{self.name}': the normalized axes must be known, received input "
                             f"shape {tuple(input_shape)}")
        shape = tuple(int(input_shape[a]) for a in axes)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self._axes = tuple(axes)
        self.input_spec = InputSpec(ndim=ndim, axes={a: int(input_shape[a]) for a in axes})
        self.built = True

    def call(self, inputs):
        return ops.layer_normalization(inputs, self.gamma, self.beta, self._axes, self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
            "rms_scaling": self.rms_scaling, **_beta_gamma_config(self),
        })
        return cfg


def _axis_argument(where: str, axis):
    """``axis`` as an int or a list of ints, or a one-line error."""
    if isinstance(axis, (list, tuple)) and axis and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
        return [int(a) for a in axis]
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise ValueError(f"{where}: `axis` must be an int or a non-empty list of ints, received axis={axis!r}")


def _checked_axes(where: str, axis, input_shape) -> list:
    """The non-negative, sorted axes of ``axis`` for inputs of ``input_shape``."""
    ndim = len(input_shape)
    axes = axis if isinstance(axis, list) else [axis]
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{where}: axis {a} is out of range for inputs of shape {tuple(input_shape)}")
    return sorted(a % ndim for a in axes)


class GroupNormalization(Layer):
    """Normalize each sample over groups of channels (Wu & He 2018).

    The ``C`` channels of ``axis`` are split into ``groups`` groups of ``C / groups``; each sample's
    group is normalized over its channels and every other non-batch axis, then scaled and shifted
    per channel::

        y = gamma · (x - mean_group) / sqrt(var_group + epsilon) + beta

    With ``groups=1`` this is LayerNormalization over all non-batch axes; with ``groups=C`` it is
    instance normalization. Like LayerNormalization it is the same in training and inference.

    Args:
        groups: number of groups; must divide the channels; -1 means one group per channel.
            Defaults to 32.
        axis: the channel axis. Defaults to -1.
        epsilon: added to the variance. Defaults to 1e-3.
        center: learn an offset ``beta``. Defaults to True.
        scale: learn a scale ``gamma``. Defaults to True.
        beta_initializer: Defaults to 'zeros'. gamma_initializer: Defaults to 'ones'.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: Defaults to None.

    Weights (Keras order): ``gamma``, ``beta``, each of shape ``(C,)``.

    Shapes: output shape = input shape.
    """

    supports_masking = True

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        where = f"GroupNormalization '{self.name}'"
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or (groups < 1 and groups != -1):
            raise ValueError(f"{where}: expected groups to be a positive integer or -1, received groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"{where}: expected axis to be an int, received axis={axis!r}")
        _check_momentum_epsilon(where, None, epsilon)
        self.groups, self.axis, self.epsilon = int(groups), int(axis), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        _set_beta_gamma(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                        beta_constraint, gamma_constraint)

    def build(self, input_shape) -> None:
        where = f"GroupNormalization '{self.name}'"
        (axis,) = _checked_axes(where, self.axis, input_shape)
        if axis == 0:
            raise ValueError(f"{where}: axis {self.axis} is the batch axis of inputs of shape {tuple(input_shape)}")
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"{where}: axis {self.axis} of the input must have a known size, received input "
                             f"shape {tuple(input_shape)}")
        groups = int(channels) if self.groups == -1 else self.groups
        if groups > channels or channels % groups:
            raise ValueError(f"{where}: groups ({groups}) must divide the {channels} channels of axis {self.axis}; "
                             f"received input shape {tuple(input_shape)}")
        self._channel_axis, self._groups = axis, groups
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight((int(channels),), self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight((int(channels),), self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={axis: int(channels)})
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        a, g = self._channel_axis, self._groups
        per_group = shape[a] // g
        grouped = ops.reshape(inputs, (-1, *shape[1:a], g, per_group, *shape[a + 1:]))
        # statistics of each (sample, group): every axis but the batch and the group axis
        axes = tuple(i for i in range(1, len(shape) + 1) if i != a)
        mean = ops.mean(grouped, axis=axes, keepdims=True)
        centred = ops.subtract(grouped, mean)
        variance = ops.mean(ops.square(centred), axis=axes, keepdims=True)
        normalized = ops.multiply(centred, ops.rsqrt(ops.add(variance, self.epsilon)))
        per_channel = [1] * (len(shape) + 1)
        per_channel[a], per_channel[a + 1] = g, per_group
        if self.gamma is not None:
            normalized = ops.multiply(normalized, ops.reshape(self.gamma, per_channel))
        if self.beta is not None:
            normalized = ops.add(normalized, ops.reshape(self.beta, per_channel))
        return ops.reshape(normalized, (-1, *shape[1:]))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale, **_beta_gamma_config(self),
        })
        return cfg


class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich 2019), the normalization of many recent
    Transformers: ``y = x / sqrt(mean(x², axis) + epsilon) · scale``.

    Unlike LayerNormalization it does not subtract the mean and has no offset.

    Args:
        axis: int or list of ints to normalize over. Defaults to -1.
        epsilon: added to the mean square. Defaults to 1e-6.

    Weights: ``scale``, shaped like the normalized axes, initialized to ones.

    Shapes: output shape = input shape.
    """

    supports_masking = True

    def __init__(self, axis=-1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        where = f"RMSNormalization '{self.name}'"
        self.axis = _axis_argument(where, axis)
        _check_momentum_epsilon(where, None, epsilon)
        self.epsilon = float(epsilon)

    def build(self, input_shape) -> None:
        where = f"RMSNormalization '{self.name}'"
        axes = _checked_axes(where, self.axis, input_shape)
        if any(input_shape[a] is None for a in axes):
            raise ValueError(f"{where}: the normalized axes must be known, received input shape "
                             f"{tuple(input_shape)}")
        self._axes = tuple(axes)
        # the scale broadcasts against the input: its axes at their place, 1 elsewhere
        self._scale_shape = tuple(int(input_shape[i]) if i in axes else 1 for i in range(min(axes), len(input_shape)))
        self.scale = self.add_weight(tuple(int(input_shape[a]) for a in axes), "ones", name="scale")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: int(input_shape[a]) for a in axes})
        self.built = True

    def call(self, inputs):
        scale = ops.reshape(self.scale, self._scale_shape)
        return ops.rms_normalization(inputs, scale=scale, axis=self._axes, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({"axis": self.axis, "epsilon": self.epsilon})
        return cfg


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm along ``axis``: ``y = x / max(||x||₂, 1e-12)`` (no weights).

    Used before a dot product to turn it into a cosine similarity.

    Args:
        axis: int or list of ints along which the norm is taken. Defaults to -1.

    Shapes: output shape = input shape.
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_argument(f"UnitNormalization '{self.name}'", axis)

    def build(self, input_shape) -> None:
        self._axes = tuple(_checked_axes(f"UnitNormalization '{self.name}'", self.axis, input_shape))
        self.built = True

    def call(self, inputs):
        return ops.normalize(inputs, axis=self._axes, order=2, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg
