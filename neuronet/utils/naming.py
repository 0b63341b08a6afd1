"""Helpers for names: unique layer names and 'did you mean' hints in errors."""

from __future__ import annotations

import difflib
import re

_COUNTS: dict[str, int] = {}


def closest_match(name, valid, n: int = 1) -> str:
    """``" (did you mean 'x'?)"`` for the valid name closest to ``name``, or ``""`` when none is close.

    Args:
        name: the unknown name.
        valid: the known names.
        n: at most this many suggestions: the closest and those about as close as it (similarity
            within 0.1 of the best), ``" (did you mean 'x' or 'y'?)"``. Defaults to 1.
    """
    query = str(name).lower()
    found = difflib.get_close_matches(query, [str(v) for v in valid], n=n, cutoff=0.5)
    if not found:
        return ""
    best = difflib.SequenceMatcher(None, query, found[0]).ratio()
    found = [repr(f) for f in found if difflib.SequenceMatcher(None, query, f).ratio() >= best - 0.1]
    listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " or " + found[-1]
    return f" (did you mean {listed}?)"


def to_snake_case(name: str) -> str:
    """``'GlobalMaxPooling2D'`` → ``'global_max_pooling2d'``."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (as Keras names layers)."""
    n = _COUNTS.get(base, 0)
    _COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def get_uid(prefix: str = "") -> int:
    """How many times ``prefix`` has been counted, this call included: 1, 2, 3, ... (``keras.backend.get_uid``).

    Shares its counter with layer names, as Keras does: after ``get_uid("dense")`` the next Dense is
    named 'dense_1'."""
    n = _COUNTS.get(prefix, 0) + 1
    _COUNTS[prefix] = n
    return n


def reset_names() -> None:
    """Start name counters afresh (``neuronet.utils.clear_session``)."""
    _COUNTS.clear()
