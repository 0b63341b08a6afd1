"""Data utilities: to_categorical, normalize, PyDataset, the array adapter and the validation split."""

import numpy as np
import pytest

from neuronet import config
from neuronet.autograd import Tensor
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


def test_check_finite_names_row_and_column():
    x = np.zeros((4, 3))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match="x contains nan at row 2, column 1"):
        data_utils.check_finite(x, "x")
    with pytest.raises(ValueError, match="inf at row 3"):
        data_utils.check_finite(np.array([0.0, 1.0, 2.0, np.inf]), "y")
    data_utils.check_finite(np.array([1, 2, 3]), "ints")  # integers are always finite


def test_as_float_array_casts_and_rejects():
    arr = data_utils.as_float_array(np.ones((2, 2)), "x", "float32")
    assert arr.dtype == np.float32
    assert data_utils.as_float_array(Tensor(np.ones(3)), "x", "float64").dtype == np.float64
    with pytest.raises(TypeError, match="numeric"):
        data_utils.as_float_array(np.array(["a", "b"]), "x", "float32")
    with pytest.raises(ValueError, match="scalar"):
        data_utils.as_float_array(3.0, "x", "float32")


def test_split_takes_last_fraction():
    x = np.arange(10)
    (train_x, train_y), (val_x, val_y) = data_utils.split_train_validation([x, x * 2], 0.3)
    np.testing.assert_array_equal(train_x, np.arange(7))
    np.testing.assert_array_equal(val_y, [14, 16, 18])
    with pytest.raises(ValueError, match="no data"):
        data_utils.split_train_validation([np.arange(1)], 0.5)


def test_array_adapter_batches_and_shuffle():
    x = np.arange(10).reshape(10, 1)
    adapter = data_utils.ArrayAdapter(x, x[:, 0], None, batch_size=4, shuffle=False)
    batches = list(adapter.epoch())
    assert adapter.steps == 3 and [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[0][0].base is not None  # slices are views, not copies
    config.set_random_seed(0)
    shuffled = np.concatenate([b[0][:, 0] for b in data_utils.ArrayAdapter(x, None, None, 4, shuffle=True).epoch()])
    assert sorted(shuffled) == list(range(10)) and list(shuffled) != list(range(10))
    xs, ys = [], []
    for xb, yb, _ in data_utils.ArrayAdapter(x, x[:, 0] * 10, None, 3, shuffle=True).epoch():
        xs.extend(xb[:, 0])
        ys.extend(yb)
    np.testing.assert_array_equal(np.array(xs) * 10, ys)  # x and y stay paired


def test_pydataset_contract():
    class Squares(PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.full((3, 1), i), np.full(3, i * i)

    ds = Squares(workers=2)
    assert ds.num_batches == 2 and ds.workers == 2
    adapter = data_utils.IteratorAdapter(ds, None, lambda b: b)
    assert [int(b[1][0]) for b in adapter.epoch()] == [0, 1]
    assert data_utils.is_batch_source(ds)
    assert not data_utils.is_batch_source(np.zeros(3)) and not data_utils.is_batch_source([1, 2])


def test_exhausted_generator_is_reported():
    adapter = data_utils.IteratorAdapter(iter([]), None, lambda b: b)
    with pytest.raises(ValueError, match="exhausted"):
        list(adapter.epoch())
