"""Activation layers with parameters: ReLU, LeakyReLU, ELU, Softmax, PReLU (Keras 3 defaults).

Each output has the input's shape; the formulas are in the docstrings, the derivatives in the ops
(``neuronet/ops/activations.py``).
"""

from __future__ import annotations

import numpy as np

from .. import constraints, initializers, ops, regularizers
from .base import Layer

__all__ = ["ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU"]


def _nonnegative(layer: str, name: str, value) -> float:
    if value is None:
        return None
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{layer}: expected {name} >= 0, received {name}={value}")
    return value


class _ElementwiseLayer(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_ElementwiseLayer):
    """Rectified linear unit, with Keras' optional cap, slope and threshold::

        f(x) = max_value                        if x >= max_value
        f(x) = x                                if threshold <= x < max_value
        f(x) = negative_slope * (x - threshold) otherwise

    Args:
        max_value: upper cap (>= 0). Defaults to None (no cap).
        negative_slope: slope below the threshold (>= 0). Defaults to 0.0.
        threshold: where the function switches. Defaults to 0.0.
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs):
        self.max_value = _nonnegative("ReLU", "max_value", max_value)
        self.negative_slope = _nonnegative("ReLU", "negative_slope", negative_slope)
        self.threshold = float(threshold)
        super().__init__(**kwargs)

    def call(self, inputs):
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            y = ops.relu(inputs)
        else:
            below = inputs.data < self.threshold
            y = ops.where(below, (inputs - self.threshold) * self.negative_slope, inputs)
        if self.max_value is not None:
            y = ops.minimum(y, self.max_value)
        return y

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold)
        return cfg


class LeakyReLU(_ElementwiseLayer):
    """Leaky ReLU: ``f(x) = x if x >= 0 else negative_slope * x``.

    Args:
        negative_slope: slope for negative inputs (>= 0). Defaults to 0.3 (as Keras 3's layer; the
            Keras 2 spelling ``alpha=`` is accepted too).
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        self.negative_slope = _nonnegative("LeakyReLU", "negative_slope", negative_slope)
        super().__init__(**kwargs)

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["negative_slope"] = self.negative_slope
        return cfg


class ELU(_ElementwiseLayer):
    """Exponential linear unit: ``f(x) = x if x > 0 else alpha * (exp(x) - 1)``.

    Args:
        alpha: scale of the negative part. Defaults to 1.0.
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        self.alpha = float(alpha)
        super().__init__(**kwargs)

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["alpha"] = self.alpha
        return cfg


class Softmax(_ElementwiseLayer):
    """Softmax over ``axis``: ``f(x)_i = exp(x_i) / Σ_j exp(x_j)``; masked positions get probability 0.

    Args:
        axis: the axis (or axes) normalized over. Defaults to -1.

    Call arguments:
        mask: optional boolean array broadcastable to the input; False positions are excluded.
    """

    def __init__(self, axis: int = -1, **kwargs):
        self.axis = axis
        super().__init__(**kwargs)

    def call(self, inputs, mask=None):
        if mask is not None:
            m = np.asarray(getattr(mask, "data", mask), dtype=bool)
            while m.ndim < inputs.ndim:
                m = m[..., None]
            # a large negative number instead of -inf keeps fully masked rows finite (as Keras)
            inputs = inputs + np.where(m, 0.0, -1e9).astype(inputs.dtype)
        if isinstance(self.axis, (list, tuple)):
            axes = tuple(self.axis)
            shifted = inputs - np.max(inputs.data, axis=axes, keepdims=True)
            e = ops.exp(shifted)
            return e / ops.sum(e, axis=axes, keepdims=True)
        return ops.softmax(inputs, axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg


class PReLU(Layer):
    """Parametric ReLU: ``f(x) = max(0, x) + alpha * min(0, x)`` with a learned ``alpha`` per unit.

    Args:
        alpha_initializer: initializer of ``alpha``. Defaults to 'zeros'.
        alpha_regularizer, alpha_constraint: optional penalty / constraint on ``alpha``.
        shared_axes: axes (1-based, the batch axis excluded) along which ``alpha`` is shared, e.g.
            ``[1, 2]`` for one alpha per channel of an image. Defaults to None (one per element).

    Shapes:
        output shape = input shape; ``alpha`` has the input shape without the batch axis, with 1 on
        ``shared_axes``.
    """

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]
        self.supports_masking = True

    def build(self, input_shape) -> None:
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(
                    f"Layer '{self.name}': shared_axes must be in [1, {len(input_shape) - 1}] for inputs of shape "
                    f"{tuple(input_shape)}, received {self.shared_axes}"
                )
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f"Layer '{self.name}': every non-batch axis must be known or shared, received input shape "
                f"{tuple(input_shape)} with shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(tuple(param_shape), self.alpha_initializer, name="alpha",
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(alpha_initializer=initializers.serialize(self.alpha_initializer)
                   if isinstance(self.alpha_initializer, initializers.Initializer) else None,
                   alpha_regularizer=regularizers.serialize(self.alpha_regularizer)
                   if isinstance(self.alpha_regularizer, regularizers.Regularizer) else None,
                   alpha_constraint=constraints.serialize(self.alpha_constraint), shared_axes=self.shared_axes)
        return cfg
