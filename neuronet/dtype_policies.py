"""Dtype policies (``keras.dtype_policies``): which dtype a layer keeps its weights in and computes in.

A policy is named by a float dtype (``'float32'``: weights and computation in float32) or by a mixed
precision name (``'mixed_float16'``, ``'mixed_bfloat16'``: float32 weights, 16-bit computation in Keras).
neuronet computes on NumPy, which has no fast 16-bit arithmetic, so a layer under a mixed policy keeps
and computes everything in its variable dtype, float32: results are those of float32 (a little more
precise than Keras's, and as fast as neuronet gets). The policy's name is kept, so files say what
Keras would.

Example::

    neuronet.mixed_precision.set_global_policy("mixed_float16")   # accepted; computes in float32
    neuronet.dtype_policies.DTypePolicy("mixed_float16").variable_dtype   # 'float32'
"""

from __future__ import annotations

from . import config

__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get", "serialize"]

_FLOAT_NAMES = ("float16", "float32", "float64", "bfloat16")
_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """A dtype policy: ``variable_dtype`` for weights, ``compute_dtype`` for computation (as Keras names them).

    Args:
        name: a float dtype name ('float16', 'float32', 'float64', 'bfloat16') or 'mixed_float16' /
            'mixed_bfloat16'. Defaults to ``config.floatx()``.

    Raises:
        ValueError: for any other name.
    """

    def __init__(self, name: str | None = None):
        name = config.floatx() if name is None else name
        if name not in _FLOAT_NAMES and name not in _MIXED:
            raise ValueError(f"DTypePolicy: expected 'mixed_float16', 'mixed_bfloat16' or a float dtype name "
                             f"{_FLOAT_NAMES}, received {name!r}")
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def variable_dtype(self) -> str:
        """The dtype of the weights: float32 under a mixed policy."""
        return "float32" if self._name in _MIXED else self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype Keras computes in (float16 / bfloat16 under a mixed policy; neuronet uses
        ``variable_dtype``, see the module docstring)."""
        return _MIXED.get(self._name, self._name)

    @property
    def quantization_mode(self):
        """None: neuronet has no quantized policies."""
        return None

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config_dict: dict) -> DTypePolicy:
        return cls(**config_dict)

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy  # Keras's name for the non-quantized policies


def serialize(policy: DTypePolicy) -> dict:
    """Keras 3's serialized form: ``{"module": "keras", "class_name": "DTypePolicy", "config": {"name": ...}}``."""
    if not isinstance(policy, DTypePolicy):
        raise TypeError(f"dtype_policies.serialize: expected a DTypePolicy, received {policy!r}")
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config(), "registered_name": None}


def deserialize(config_dict: dict) -> DTypePolicy:
    """The policy :func:`serialize` describes (class names DTypePolicy and FloatDTypePolicy only)."""
    if not isinstance(config_dict, dict) or config_dict.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(f"dtype_policies.deserialize: expected a serialized DTypePolicy, received "
                         f"{str(config_dict)[:80]}")
    return DTypePolicy.from_config(dict(config_dict.get("config", {})))


def get(identifier) -> DTypePolicy:
    """A policy from a name, a policy (returned as is), a serialized dict, or None (the global policy)."""
    if identifier is None:
        return config.dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    raise ValueError(f"dtype_policies.get: expected a policy name, a DTypePolicy or None, received {identifier!r}")
