"""The CIFAR "python version" batch files, read without pickle.

Keras downloads ``cifar-10-python.tar.gz`` / ``cifar-100-python.tar.gz``, whose batch files are
Python 2 pickles of ``{b'data': uint8 array (n, 3072), b'labels': [...], ...}``. Rather than switch
to the binary archives (other files, other URLs: a machine holding Keras's downloads would fetch
again), neuronet reads these same files with its closed pickle interpreter
(:mod:`neuronet.datasets.pickle_reader`), which builds only arrays and plain data and never runs
code named in a file; the archive's sha256 is also checked before anything is read.
"""

from __future__ import annotations

import numpy as np

from .pickle_reader import load_pickle_data

__all__ = ["load_batch"]


def load_batch(fpath: str, label_key: str = "labels") -> tuple:
    """``(data, labels)`` of one CIFAR batch file: data uint8 ``(n, 3, 32, 32)``, labels a list of ints."""
    where = f"cifar: '{fpath}'"
    with open(fpath, "rb") as f:
        batch = load_pickle_data(f.read(), where)
    if not isinstance(batch, dict):
        raise ValueError(f"{where}: expected a dict of arrays, found {type(batch).__name__}")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072 or labels is None:
        raise ValueError(f"{where}: expected 'data' of shape (n, 3072) and '{label_key}', found keys {sorted(batch)}")
    if len(labels) != len(data):
        raise ValueError(f"{where}: {len(data)} images but {len(labels)} labels")
    return data.reshape(data.shape[0], 3, 32, 32), labels
