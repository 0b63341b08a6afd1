"""CSVLogger: write every epoch's logs as one row of a CSV file."""

from __future__ import annotations

import csv
import os

import numpy as np

from ..distribution import is_chief
from .base import Callback

__all__ = ["CSVLogger"]


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return f"[{', '.join(map(str, value))}]"
    return value


class CSVLogger(Callback):
    """Stream epoch results to a CSV file: a header ``epoch,<keys...>`` then one row per epoch.

    Columns are the first epoch's log keys in alphabetical order (as Keras), plus the ``val_*`` names
    the model announces in ``model.metrics_names`` when present; a key missing in some epoch is written
    as ``NA``. The file is flushed after every row, so it can be read while training runs.

    Args:
        filename: path of the CSV file, e.g. ``'run/log.csv'``.
        separator: string separating the columns. Defaults to ``','``.
        append: True appends to an existing file (no second header), False overwrites it.
            Defaults to False.

    Example::

        model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.csv")])
        # epoch,accuracy,loss,val_accuracy,val_loss
        # 0,0.71,0.59,0.75,0.52
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: expected separator to be a single character, received {separator!r}")
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = bool(append)
        self.writer = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if not is_chief():  # data-parallel training: rank 0 alone writes the file
            return
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(f.readline())
            mode = "a"
        else:
            self.append_header = True
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        if not is_chief():
            return
        logs = logs or {}
        if self.csv_file is None or self.csv_file.closed:
            # Used outside fit (hooks driven by hand): open as on_train_begin would.
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs.keys())
            names = getattr(self.model, "metrics_names", None) if self.model is not None else None
            if isinstance(names, (list, tuple)):
                self.keys.extend(n for n in names if isinstance(n, str) and n.startswith("val_")
                                 and n not in self.keys)
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, delimiter=self.sep,
                                         lineterminator="\n", extrasaction="ignore")
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
