"""Weight initializers with Keras names: how a network's weights start before training.

Each initializer is called as ``init(shape, dtype=None)`` and returns an ndarray drawn from the
library's random generator (``neuronet.utils.set_random_seed`` makes it repeatable). Fan-in and
fan-out follow Keras: for a kernel of shape ``(..., in, out)`` the receptive field (the product of
the leading axes) multiplies both.
"""

from __future__ import annotations

import math

import numpy as np

from . import config
from .utils.naming import closest_match

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
    "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform",
    "LecunNormal", "Orthogonal", "Identity", "get", "serialize", "deserialize",
    # Keras's other spellings of the same classes
    "IdentityInitializer", "OrthogonalInitializer", "constant", "glorot_normal", "glorot_uniform", "he_normal",
    "he_uniform", "identity", "lecun_normal", "lecun_uniform", "ones", "orthogonal", "random_normal",
    "random_uniform", "truncated_normal", "variance_scaling", "zeros",
]


def _fans(shape) -> tuple[float, float]:
    """(fan_in, fan_out) as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``__call__(shape, dtype=None) -> ndarray`` and ``get_config()``."""

    def __call__(self, shape, dtype=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def _seeded(self):
        return np.random.default_rng(self.seed) if getattr(self, "seed", None) is not None else config.rng()


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype or config.floatx())


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype or config.floatx())


class Constant(Initializer):
    """Every element equal to ``value``. Defaults to 0."""

    def __init__(self, value: float = 0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype or config.floatx())

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Normal draws with ``mean`` (default 0) and ``stddev`` (default 0.05)."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        if stddev < 0:
            raise ValueError(f"RandomNormal: stddev must be >= 0, received {stddev}")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return self._seeded().normal(self.mean, self.stddev, shape).astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Uniform draws in ``[minval, maxval)``. Defaults to [-0.05, 0.05)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        if maxval < minval:
            raise ValueError(f"RandomUniform: maxval must be >= minval, received {minval}, {maxval}")
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return self._seeded().uniform(self.minval, self.maxval, shape).astype(dtype or config.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng, shape, stddev):
    """Normal draws with the given stddev, redrawn until within two standard deviations."""
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


class TruncatedNormal(Initializer):
    """Normal draws redrawn beyond two standard deviations. Defaults: mean 0, stddev 0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        if stddev < 0:
            raise ValueError(f"TruncatedNormal: stddev must be >= 0, received {stddev}")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        out = self.mean + _truncated_normal(self._seeded(), shape, self.stddev)
        return out.astype(dtype or config.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(Initializer):
    """Draws with variance ``scale / n`` where n is fan_in, fan_out or their mean (``mode``).

    ``distribution`` is 'truncated_normal' (stddev corrected by 0.8796…, as Keras does),
    'untruncated_normal' or 'uniform' (limit ``sqrt(3 · scale / n)``).
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be > 0, received {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', received {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
            raise ValueError(
                "VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or "
                f"'uniform', received {distribution!r}"
            )
        self.scale, self.mode, self.seed = scale, mode, seed
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._seeded()
        if self.distribution == "truncated_normal":
            out = _truncated_normal(rng, shape, math.sqrt(variance) / 0.87962566103423978)
        elif self.distribution == "untruncated_normal":
            out = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(dtype or config.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class GlorotUniform(VarianceScaling):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras's default kernel initializer)."""

    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_avg", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class GlorotNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeUniform(VarianceScaling):
    """Uniform in ±sqrt(6 / fan_in): suited to ReLU layers."""

    def __init__(self, seed: int | None = None):
        super().__init__(2.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class HeNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(2 / fan_in): suited to ReLU layers."""

    def __init__(self, seed: int | None = None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunUniform(VarianceScaling):
    """Uniform in ±sqrt(3 / fan_in): suited to SELU."""

    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_in", "uniform", seed)

    def get_config(self):
        return {"seed": self.seed}


class LecunNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(1 / fan_in): suited to SELU."""

    def __init__(self, seed: int | None = None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)

    def get_config(self):
        return {"seed": self.seed}


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``: keeps recurrent signals from growing or fading.

    The shape is flattened to (prod(shape[:-1]), shape[-1]); a QR decomposition of a normal
    matrix gives the orthogonal factor, signs fixed so the draw is uniform over rotations.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of rank >= 2, received {tuple(shape)}")
        rows, cols = int(np.prod(shape[:-1])), int(shape[-1])
        flat = self._seeded().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """The identity matrix times ``gain`` (2-D shapes only)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity: needs a 2-D shape, received {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(dtype or config.floatx())

    def get_config(self):
        return {"gain": self.gain}


_REGISTRY = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_normal": RandomNormal, "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal, "orthogonal": Orthogonal, "identity": Identity,
    # Keras 3 short aliases
    "uniform": RandomUniform, "normal": RandomNormal, "zero": Zeros, "one": Ones,
}
_CLASS_NAMES = {cls.__name__: cls for cls in _REGISTRY.values()}

# Keras exports each class under its snake_case name too (``keras.initializers.glorot_uniform`` is the class
# GlorotUniform), so ``kernel_initializer=initializers.he_normal(seed=1)`` works; two classes have a longer name.
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal
constant, glorot_normal, glorot_uniform = Constant, GlorotNormal, GlorotUniform
he_normal, he_uniform = HeNormal, HeUniform
identity, lecun_normal, lecun_uniform, ones, orthogonal = Identity, LecunNormal, LecunUniform, Ones, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, zeros = VarianceScaling, Zeros


def serialize(initializer: Initializer) -> dict:
    """``{'class_name': ..., 'config': ...}`` for saving in a model file."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config: dict) -> Initializer:
    """The initializer described by :func:`serialize`'s output (only registered classes)."""
    name = config.get("class_name")
    if name not in _CLASS_NAMES:
        raise ValueError(f"initializers.deserialize: unknown class_name {name!r}; valid: {sorted(_CLASS_NAMES)}")
    return _CLASS_NAMES[name](**config.get("config", {}))


def get(identifier) -> Initializer:
    """An initializer from a Keras name ('glorot_uniform', 'he_normal', ...), a config dict, an
    initializer object or class, or a callable ``(shape, dtype) -> array``."""
    if isinstance(identifier, Initializer) or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):  # a class: its default instance
        return identifier()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        key = identifier if identifier in _REGISTRY else identifier.lower()
        if key in _REGISTRY:
            return _REGISTRY[key]()
        if identifier in _CLASS_NAMES:
            return _CLASS_NAMES[identifier]()
        raise ValueError(
            f"Unknown initializer {identifier!r}{closest_match(identifier, _REGISTRY)}. "
            f"Valid names: {', '.join(sorted(_REGISTRY))}"
        )
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
