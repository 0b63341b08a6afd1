"""Fashion-MNIST: 70,000 28×28 grayscale images of 10 kinds of clothing (``keras.datasets.fashion_mnist``)."""

from __future__ import annotations

import gzip
import os

import numpy as np

from ..utils.file_utils import get_file

__all__ = ["load_data", "read_idx"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# MD5s published by the Fashion-MNIST project (Keras itself checks none for these four files)
FILE_HASHES = {"train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
               "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
               "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
               "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79"}
FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz"]


def read_idx(path: str, rank: int) -> np.ndarray:
    """The uint8 array of a gzip'd IDX file (magic 0x0000080N, N = rank, then N big-endian sizes)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = 4 + 4 * rank
    if len(data) < header or data[:2] != b"\0\0" or data[2] != 0x08 or data[3] != rank:
        raise ValueError(f"fashion_mnist: '{path}' is not a uint8 IDX file of rank {rank}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    if len(data) - header != int(np.prod(shape)):
        raise ValueError(f"fashion_mnist: '{path}' holds {len(data) - header} values, its header announces {shape}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def load_data():
    """Load Fashion-MNIST: 60,000 training and 10,000 test images with labels 0-9 (T-shirt/top,
    Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays (60000, 28, 28), (60000,),
        (10000, 28, 28), (10000,). The four gzip'd IDX files are cached in ``datasets/fashion-mnist``.
    """
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=ORIGIN + name, cache_subdir=dirname, file_hash=FILE_HASHES[name]) for name in FILES]
    y_train, x_train = read_idx(paths[0], 1), read_idx(paths[1], 3)
    y_test, x_test = read_idx(paths[2], 1), read_idx(paths[3], 3)
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError("fashion_mnist: the image and label files hold different numbers of samples")
    return (x_train, y_train), (x_test, y_test)
