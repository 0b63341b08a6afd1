"""Where the examples put their pictures: ``--output DIR`` (default ``examples/output/``, ignored by git).

A picture needs matplotlib (``pip install neuronet[plot]``); without it an example still runs and
prints its numbers, and says that it drew nothing.
"""

from __future__ import annotations

import os

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


def add_argument(parser) -> None:
    parser.add_argument("--output", default=DEFAULT, help="folder for the pictures (default: examples/output/)")


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or None when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib is not installed: no picture; pip install neuronet[plot])")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure, folder: str, name: str) -> str:
    """Save ``figure`` (a Figure or Axes) as ``folder/name`` and print where."""
    from neuronet.diagnostics import save_figure

    path = save_figure(figure, os.path.join(folder, name))
    print(f"picture saved: {path}")
    return path
