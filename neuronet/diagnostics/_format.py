"""Small text helpers shared by the diagnostics: norms, number formatting, plain-text tables."""

from __future__ import annotations

import math

import numpy as np


def norm(a) -> float:
    """The Euclidean (Frobenius) norm of an array as a Python float, summed in float64."""
    flat = np.asarray(a).ravel().astype(np.float64, copy=False)
    return math.sqrt(float(np.dot(flat, flat)))


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and (value == 0.0 or math.isfinite(value) and 1e-3 <= abs(value) < 1e4):
        return f"{value:.4g}"
    return f"{value:.3e}" if isinstance(value, float) else str(value)


def table(header: list, rows: list) -> str:
    """A plain-text table with columns as wide as their widest cell."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)

