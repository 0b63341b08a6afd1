"""MNIST: 70,000 28×28 grayscale images of handwritten digits 0-9 (Keras ``keras.datasets.mnist``)."""

from __future__ import annotations

import numpy as np

from ..utils.file_utils import get_file

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # sha256 of Keras's file


def load_data(path: str = "mnist.npz"):
    """Load MNIST: 60,000 training and 10,000 test images (uint8, 0-255) with their digit labels.

    Args:
        path: the file name in the cache (``~/.keras/datasets`` or ``$KERAS_HOME/datasets``).
            Defaults to 'mnist.npz'.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28), (60000,),
        (10000, 28, 28), (10000,).

    Example::

        (x_train, y_train), (x_test, y_test) = neuronet.datasets.mnist.load_data()
    """
    path = get_file(fname=path, origin=f"{ORIGIN}mnist.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
