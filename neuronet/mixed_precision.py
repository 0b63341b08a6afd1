"""``keras.mixed_precision``: the global dtype policy under its older names.

``set_global_policy("mixed_float16")`` is accepted so scripts written for GPUs run; neuronet keeps
computing in float32 under it (see :mod:`neuronet.dtype_policies`).
"""

from __future__ import annotations

from .config import dtype_policy, set_dtype_policy
from .dtype_policies import DTypePolicy

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy", "set_global_policy"]

Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy
