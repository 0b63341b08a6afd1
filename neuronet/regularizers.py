"""Weight regularizers with Keras names: penalties added to the loss to keep weights small.

A regularizer is called on a weight Tensor and returns a scalar Tensor; the model adds it to the
loss, so its gradient flows back into the weight through the ordinary backward pass.
"""

from __future__ import annotations

from . import ops
from .utils.naming import closest_match

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2", "orthogonal_regularizer",
           "get", "serialize",
           "deserialize"]


def _check(name, value):
    value = float(value)
    if value < 0:
        raise ValueError(f"{name}: expected a factor >= 0, received {value}")
    return value


class Regularizer:
    """Base class: ``__call__(weight) -> scalar Tensor`` and ``get_config()``."""

    def __call__(self, x):  # pragma: no cover - abstract
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1(Regularizer):
    """``l1 · Σ|w|``. Defaults to l1=0.01."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _check("L1 l1", l1)

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 · Σw²``. Defaults to l2=0.01."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _check("L2 l2", l2)

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 · Σ|w| + l2 · Σw²``. Defaults to l1=0, l2=0."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _check("L1L2 l1", l1)
        self.l2 = _check("L1L2 l2", l2)

    def __call__(self, x):
        total = 0.0
        if self.l1:
            total = total + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            total = total + self.l2 * ops.sum(ops.square(x))
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor · mean |WᵀW − I|`` over the off-diagonal products of normalized rows or columns
    (``mode`` 'rows' or 'columns'), encouraging orthogonal weight vectors. Defaults: 0.01, 'rows'."""

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _check("OrthogonalRegularizer factor", factor)
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', received {mode!r}")
        self.mode = mode

    def __call__(self, x):
        w = x if self.mode == "rows" else ops.transpose(x)
        w = w / ops.sqrt(ops.sum(ops.square(w), axis=1, keepdims=True) + 1e-12)
        product = ops.matmul(w, ops.transpose(w))
        n = product.shape[0]
        import numpy as np

        off = product * (1 - np.eye(n, dtype=product.dtype))
        return self.factor * ops.sum(ops.abs(off)) / max(n * (n - 1), 1)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2 = L1, L2, L1L2
orthogonal_regularizer = OrthogonalRegularizer
_REGISTRY = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
_CLASS_NAMES = {c.__name__: c for c in (L1, L2, L1L2, OrthogonalRegularizer)}


def serialize(regularizer: Regularizer) -> dict:
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config: dict) -> Regularizer:
    name = config.get("class_name")
    if name not in _CLASS_NAMES:
        raise ValueError(f"regularizers.deserialize: unknown class_name {name!r}; valid: {sorted(_CLASS_NAMES)}")
    return _CLASS_NAMES[name](**config.get("config", {}))


def get(identifier):
    """A regularizer from a name ('l1', 'l2', 'l1_l2'), a config dict, an object, a callable or None."""
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.lower() in _REGISTRY:
            return _REGISTRY[identifier.lower()]()
        raise ValueError(
            f"Unknown regularizer {identifier!r}{closest_match(identifier, _REGISTRY)}. "
            f"Valid names: {', '.join(sorted(_REGISTRY))}"
        )
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
