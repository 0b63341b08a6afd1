"""CIFAR-10: 60,000 32×32 colour images in 10 classes (Keras ``keras.datasets.cifar10``)."""

from __future__ import annotations

import os

import numpy as np

from ..utils.file_utils import get_file
from .cifar import load_batch

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Load CIFAR-10: 50,000 training and 10,000 test images of airplane, automobile, bird, cat, deer,
    dog, frog, horse, ship, truck (labels 0-9).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays (50000, 32, 32, 3), (50000, 1),
        (10000, 32, 32, 3), (10000, 1) — channels last, labels as columns, as Keras.
    """
    path = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, extract=True, file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(p[1]) for p in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test).reshape(len(y_test), 1).astype(y_train.dtype)
    return (x_train.transpose(0, 2, 3, 1), y_train), (x_test.astype(x_train.dtype).transpose(0, 2, 3, 1), y_test)
