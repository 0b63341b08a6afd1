"""California housing: 20,640 districts, 8 features, median house value (``keras.datasets.california_housing``)."""

from __future__ import annotations

from ..utils.file_utils import get_file
from .tabular import load_split

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Load the California housing data, shuffled and split.

    Args:
        version: 'large' (all 20,640 districts) or 'small' (the first 600). Defaults to 'large'.
        path: the cache file name. Defaults to 'california_housing.npz'.
        test_split: the fraction used as test set, in [0, 1). Defaults to 0.2.
        seed: the shuffling seed (NumPy RandomState). Defaults to 113.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays (n, 8) and (n,) (US dollars).
    """
    where = "california_housing.load_data"
    if not 0 <= float(test_split) < 1:
        raise ValueError(f"{where}: test_split must be in [0, 1), received test_split={test_split!r}")
    if version not in ("small", "large"):
        raise ValueError(f"{where}: version must be 'small' or 'large', received version={version!r}")
    path = get_file(path, origin=f"{ORIGIN}california_housing.npz", file_hash=FILE_HASH)
    return load_split(path, test_split, seed, 600 if version == "small" else None, where)
