"""Helpers for names: unique layer names and 'did you mean' hints in errors."""

from __future__ import annotations

import difflib
import re

_COUNTS: dict[str, int] = {}


def closest_match(name, valid) -> str:
    """``" (did you mean 'x'?)"`` for the valid name closest to ``name``, or ``""``."""
    found = difflib.get_close_matches(str(name).lower(), [str(v) for v in valid], n=1, cutoff=0.5)
    return f" (did you mean {found[0]!r}?)" if found else ""


def to_snake_case(name: str) -> str:
    """``'GlobalMaxPooling2D'`` → ``'global_max_pooling2d'``."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (as Keras names layers)."""
    n = _COUNTS.get(base, 0)
    _COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset_names() -> None:
    """Start name counters afresh (``neuronet.utils.clear_session``)."""
    _COUNTS.clear()
