"""Where the examples put their pictures: ``--output DIR`` (default ``examples/output/``, ignored by git).

A picture needs matplotlib (``pip install neuronet[plot]``); without it an example still runs and
prints its numbers, and says that it drew nothing.
"""

from __future__ import annotations

import os

import numpy as np

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")


def add_argument(parser) -> None:
    parser.add_argument("--output", default=DEFAULT, help="folder for the pictures (default: examples/output/)")


def arguments(doc: str, argv=None, quick: str = "fewer epochs (a few seconds)"):
    """The example's command line (``--quick``, ``--output``), parsed; the random seed set to 0."""
    import argparse

    import neuronet

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    add_argument(parser)
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    return args


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


def image_rows(plt, rows: list, labels: list, shape=(8, 8)):
    """A figure of small grey images: one row per array in ``rows`` (each ``(count, ...)``), labelled."""
    count = len(rows[0])
    fig, grid = plt.subplots(len(rows), count, figsize=(count, 1.1 * len(rows) + 0.1), squeeze=False)
    for r, images in enumerate(rows):
        for i in range(count):
            grid[r, i].imshow(np.asarray(images[i]).reshape(shape), cmap="gray_r", vmin=0, vmax=1)
            grid[r, i].axis("off")
        grid[r, 0].set_title(labels[r], loc="left", fontsize="small")
    return fig
