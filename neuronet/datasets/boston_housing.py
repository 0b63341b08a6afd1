"""Boston housing prices: 506 samples of 13 features and the median home value (``keras.datasets.boston_housing``)."""

from __future__ import annotations

from ..utils.file_utils import get_file
from .tabular import load_split

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Load the Boston housing data, shuffled (NumPy RandomState ``seed``) and split.

    Args:
        path: the cache file name. Defaults to 'boston_housing.npz'.
        test_split: the fraction used as test set, in [0, 1). Defaults to 0.2.
        seed: the shuffling seed. Defaults to 113.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays (n, 13) and (n,) (in thousands of dollars).
    """
    where = "boston_housing.load_data"
    if not 0 <= float(test_split) < 1:
        raise ValueError(f"{where}: test_split must be in [0, 1), received test_split={test_split!r}")
    path = get_file(path, origin=f"{ORIGIN}boston_housing.npz", file_hash=FILE_HASH)
    return load_split(path, test_split, seed, None, where)
