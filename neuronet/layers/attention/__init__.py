"""Attention layers: ``Attention``, ``AdditiveAttention`` and ``MultiHeadAttention`` (Keras 3 names)."""

from .attention import *  # noqa: F401,F403
from .multi_head_attention import *  # noqa: F401,F403
from .attention import __all__ as _attention_all
from .multi_head_attention import __all__ as _mha_all

__all__ = list(_attention_all) + list(_mha_all)
