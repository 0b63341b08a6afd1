"""Data utilities: to_categorical, normalize, PyDataset, the validation split, ragged-list errors.

The adapters that feed fit are tested in tests/models/test_data_adapters.py."""

import numpy as np
import pytest

from neuronet.utils import PyDataset, normalize, to_categorical
from neuronet.utils import data as data_utils


def test_to_categorical():
    out = to_categorical([0, 2, 1], num_classes=3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert out.dtype == np.float32
    assert to_categorical(np.array([[1], [0]])).shape == (2, 2)  # trailing axis of size 1 dropped
    assert to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)


@pytest.mark.parametrize("labels,num_classes,match", [
    ([0, 3], 3, "out of range"),
    ([-1, 0], None, ">= 0"),
    ([0.5, 1.0], None, "integer"),
])
def test_to_categorical_errors(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        to_categorical(labels, num_classes)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(normalize(x, order=1)[0], [3 / 7, 4 / 7])


def test_split_takes_last_fraction():
    x = np.arange(10)
    (train_x, train_y), (val_x, val_y) = data_utils.split_train_validation([x, x * 2], 0.3)
    np.testing.assert_array_equal(train_x, np.arange(7))
    np.testing.assert_array_equal(val_y, [14, 16, 18])
    with pytest.raises(ValueError, match="no data"):
        data_utils.split_train_validation([np.arange(1)], 0.5)


def test_pydataset_contract():
    class Squares(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full((3, 1), i), np.full(3, i * i)

    ds = Squares(workers=2)
    assert ds.num_batches == 2 and ds.workers == 2
    assert [int(ds[i][1][0]) for i in range(len(ds))] == [0, 1]


def test_split_rounds_the_training_part_down():
    """n·(1 - split) = 7.5 for n = 10, split = 0.25: 7 samples train, 3 validate (Keras floors)."""
    (train,), (val,) = data_utils.split_train_validation([np.arange(10)], 0.25)
    assert len(train) == 7 and len(val) == 3


def test_ragged_lists_are_named():
    with pytest.raises(ValueError, match=r"to_categorical: x is ragged: row 0 has shape \(2,\) but row 1 has shape "
                                         r"\(1,\); .*pad_sequences"):
        to_categorical([[0, 1], [2]])
