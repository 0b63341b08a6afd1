"""Regularization layers: Dropout and its relatives. All are active only in training
(``training=True``, as inside ``fit``) and pass inputs through unchanged at inference.

Randomness comes from the library generator ``neuronet.config.rng()`` (so ``set_random_seed`` makes
runs repeatable) or, when a layer is given ``seed=``, from its own generator.
"""

from __future__ import annotations

import numpy as np

from .. import config, regularizers
from .base import Layer

__all__ = ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
           "GaussianDropout", "AlphaDropout", "ActivityRegularization"]


def _rate(layer: str, rate) -> float:
    try:
        value = float(rate)
    except (TypeError, ValueError):
        raise ValueError(f"{layer}: expected rate to be a float in [0, 1), received rate={rate!r}") from None
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{layer}: expected rate in [0, 1), received rate={value}")
    return value


class _RandomLayer(Layer):
    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.supports_masking = True

    def _generator(self) -> np.random.Generator:
        return self._rng if self._rng is not None else config.rng()

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(_RandomLayer):
    """Randomly sets a fraction ``rate`` of the inputs to 0 during training (inverted dropout).

    Kept inputs are scaled by ``1 / (1 - rate)`` so the expected sum is unchanged, and inference needs
    no rescaling::

        training:   y = x · m / (1 - rate),  m ~ Bernoulli(1 - rate)
        inference:  y = x

    Args:
        rate: fraction of the inputs to drop, in [0, 1).
        noise_shape: shape of the mask, broadcast against the input (1 on an axis shares the mask
            along it; None entries take the input's size). Defaults to None (the input's shape).
        seed: optional seed of this layer's own generator. Defaults to None (the library generator).
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        self.rate = _rate(type(self).__name__, rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        super().__init__(seed=seed, **kwargs)

    def _mask_shape(self, shape: tuple) -> tuple:
        if self.noise_shape is None:
            return shape
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        keep = self._generator().random(self._mask_shape(inputs.shape), dtype=np.float32) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=inputs.dtype)
        return inputs * (keep.astype(inputs.dtype) * scale)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(rate=self.rate, noise_shape=None if self.noise_shape is None else list(self.noise_shape),
                   seed=self.seed)
        return cfg


class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels of sequences ``(batch, steps, channels)``: one mask value per
    (sample, channel), shared along the steps. Args as :class:`Dropout`."""

    _rank = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, seed=seed, **kwargs)
        from .base import InputSpec

        self.input_spec = InputSpec(ndim=self._rank)

    def _mask_shape(self, shape: tuple) -> tuple:
        return (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.pop("noise_shape", None)
        return cfg


class SpatialDropout2D(SpatialDropout1D):
    """Dropout of whole feature maps of images ``(batch, height, width, channels)`` (channels last):
    one mask value per (sample, channel). Args as :class:`Dropout`."""

    _rank = 4

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs):
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__}: only data_format='channels_last' is supported, "
                             f"received {data_format!r}")
        super().__init__(rate, seed=seed, **kwargs)


class SpatialDropout3D(SpatialDropout2D):
    """Dropout of whole feature volumes of ``(batch, d1, d2, d3, channels)`` inputs. Args as :class:`Dropout`."""

    _rank = 5


class GaussianNoise(_RandomLayer):
    """Adds zero-mean Gaussian noise during training: ``y = x + ε, ε ~ N(0, stddev²)``.

    Args:
        stddev: standard deviation of the noise (>= 0).
        seed: optional seed. Defaults to None (the library generator).
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs):
        stddev = float(stddev)
        if not np.isfinite(stddev) or stddev < 0:
            raise ValueError(f"GaussianNoise: expected stddev >= 0, received stddev={stddev}")
        self.stddev = stddev
        super().__init__(seed=seed, **kwargs)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0.0:
            return inputs
        noise = self._generator().standard_normal(inputs.shape).astype(inputs.dtype, copy=False)
        noise *= np.asarray(self.stddev, dtype=inputs.dtype)
        return inputs + noise

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(stddev=self.stddev, seed=self.seed)
        return cfg


class GaussianDropout(_RandomLayer):
    """Multiplies the inputs by Gaussian noise of mean 1 during training:
    ``y = x · ε, ε ~ N(1, rate / (1 - rate))``.

    Args:
        rate: drop probability of the equivalent Dropout, in [0, 1).
        seed: optional seed. Defaults to None (the library generator).
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        self.rate = _rate("GaussianDropout", rate)
        super().__init__(seed=seed, **kwargs)

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
        noise = self._generator().standard_normal(inputs.shape).astype(inputs.dtype, copy=False)
        noise *= np.asarray(stddev, dtype=inputs.dtype)
        noise += np.asarray(1.0, dtype=inputs.dtype)
        return inputs * noise

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(rate=self.rate, seed=self.seed)
        return cfg


class AlphaDropout(Dropout):
    """Dropout for self-normalizing networks (SELU activations, Klambauer et al. 2017): dropped inputs
    are set to SELU's negative saturation value instead of 0, then an affine map restores the mean and
    variance the inputs had (0 and 1 for normalized inputs)::

        alpha' = -selu_scale · selu_alpha                   (≈ -1.7581)
        x' = x · m + alpha' · (1 - m),  m ~ Bernoulli(1 - rate)
        a = ((1 - rate) · (1 + rate · alpha'²))^(-1/2),  b = -a · alpha' · rate
        training:  y = a · x' + b;  inference:  y = x

    Args:
        rate: fraction of the inputs to drop, in [0, 1).
        noise_shape: shape of the mask, as for Dropout. Defaults to None (the input's shape).
        seed: optional seed of this layer's own generator. Defaults to None (the library generator).
    """

    _ALPHA_PRIME = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        m = (self._generator().random(self._mask_shape(inputs.shape), dtype=np.float32) >= self.rate)
        m = m.astype(inputs.dtype)
        alpha_p, rate = self._ALPHA_PRIME, self.rate
        a = ((1.0 - rate) * (1.0 + rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * rate
        # a · (x·m + alpha'·(1 - m)) + b, with the constant part computed on arrays: dy/dx = a·m
        return inputs * (a * m) + (a * alpha_p * (1 - m) + b).astype(inputs.dtype)


class ActivityRegularization(Layer):
    """Passes inputs through and adds ``l1 · Σ|x| + l2 · Σx²`` (per sample, averaged) to the model's loss.

    Args:
        l1: L1 factor (>= 0). Defaults to 0.0.
        l2: L2 factor (>= 0). Defaults to 0.0.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        cfg.update(l1=self.l1, l2=self.l2)
        return cfg
