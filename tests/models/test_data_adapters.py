"""Data adapters: conversion and checks of inputs, targets and weights; batches, shuffling and the
validation split of arrays; generators and PyDatasets read batch by batch."""

import numpy as np
import pytest

from neuronet import config
from neuronet.autograd import Tensor
from neuronet.models import data_adapters
from neuronet.models.data_adapters import (ArrayDataAdapter, DataSpec, GeneratorDataAdapter, PyDatasetAdapter,
                                           TargetSpec, inputs, targets)
from neuronet.utils import PyDataset

SPEC = DataSpec("fit", "float32", "model")


# ----------------------------------------------------------------------------- conversion and checks
def test_check_finite_names_row_and_column():
    x = np.ones((4, 3))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"x contains nan at row 2, column 1"):
        inputs.check_finite(x, "x")
    with pytest.raises(ValueError, match=r"y contains inf at row 3"):
        inputs.check_finite(np.array([0.0, 1.0, 2.0, np.inf]), "y")
    inputs.check_finite(np.array([1, 2, 3]), "ints")  # integers are always finite


@pytest.mark.parametrize("order", ["C", "F"])
def test_check_finite_in_blocks_finds_a_value_in_any_block(order):
    x = np.ones((3000, 7, 5), np.float32, order=order)  # 105k values: checked in several blocks of rows
    inputs.check_finite(x, "x")
    inputs.check_finite(x[::2], "x")  # a strided view is checked in place
    inputs.check_finite(np.full((3000, 7, 5), 3e38, np.float32), "x")  # finite, though their sum overflows
    inputs.check_finite(np.full((2, 3), 3e38, np.float32), "x")
    for row in (0, 1871, 2999):
        bad = x.copy(order=order)
        bad[row, 6, 4] = -np.inf
        with pytest.raises(ValueError, match=rf"x contains -inf at row {row}, column 34;"):
            inputs.check_finite(bad, "x")


def test_as_float_array_casts_and_rejects():
    arr = inputs.as_float_array(np.ones((2, 2)), "x", "float32")
    assert arr.dtype == np.float32
    assert inputs.as_float_array(Tensor(np.ones(3)), "x", "float64").dtype == np.float64
    with pytest.raises(TypeError, match="numeric"):
        inputs.as_float_array(np.array(["a", "b"]), "x", "float32")
    with pytest.raises(ValueError, match="scalar"):
        inputs.as_float_array(3.0, "x", "float32")


def test_ragged_x_is_named_with_the_first_unlike_row():
    with pytest.raises(ValueError, match=r"^fit: x is ragged: row 0 has shape \(3,\) but row 2 has shape \(2,\)"):
        ArrayDataAdapter([[1, 2, 3], [4, 5, 6], [7, 8]], spec=SPEC)


def test_multi_input_structure_is_checked():
    spec = DataSpec("fit", "float32", "model", input_count=2)
    with pytest.raises(ValueError, match="this model has 2 inputs; pass a list of 2 arrays"):
        ArrayDataAdapter(np.ones((3, 2)), spec=spec)
    with pytest.raises(ValueError, match=r"different numbers of samples \[3, 4\]"):
        ArrayDataAdapter([np.ones((3, 2)), np.ones((4, 2))], spec=spec)
    with pytest.raises(ValueError, match=r"fit: x\[1\] contains nan"):
        ArrayDataAdapter([np.ones((3, 2)), np.full((3, 2), np.nan)], spec=spec)
    adapter = ArrayDataAdapter([np.ones((3, 2)), np.zeros((3, 1))], spec=spec)
    assert [a.shape for a in adapter.first_inputs()] == [(1, 2), (1, 1)]


def test_features_are_checked_against_the_expected_input_shape():
    spec = DataSpec("predict", "float32", "net", input_shapes=[(None, 4)])
    with pytest.raises(ValueError, match="predict: X has 3 features, but net is expecting 4 features as input"):
        ArrayDataAdapter(np.ones((2, 3)), spec=spec)


# ----------------------------------------------------------------------------- arrays
def test_array_adapter_batches_and_shuffle():
    x = np.arange(10).reshape(10, 1)
    adapter = ArrayDataAdapter(x, x[:, 0], spec=SPEC, batch_size=4)
    adapter.prepare_targets([TargetSpec()])
    batches = list(adapter.epoch())
    assert adapter.steps == 3 and [len(b[0]) for b in batches] == [4, 4, 2]
    assert batches[0][0].base is not None  # slices are views, not copies
    config.set_random_seed(0)
    shuffled = np.concatenate([b[0][:, 0] for b in ArrayDataAdapter(x, spec=SPEC, batch_size=4, shuffle=True).epoch()])
    assert sorted(shuffled) == list(range(10)) and list(shuffled) != list(range(10))
    xs, ys = [], []
    paired = ArrayDataAdapter(x, x[:, 0] * 10, spec=SPEC, batch_size=3, shuffle=True)
    paired.prepare_targets([TargetSpec()])
    for xb, yb, _ in paired.epoch():
        xs.extend(xb[:, 0])
        ys.extend(yb)
    np.testing.assert_array_equal(np.array(xs) * 10, ys)  # x and y stay paired


def test_targets_are_converted_for_the_outputs():
    x = np.zeros((4, 2))
    adapter = ArrayDataAdapter(x, [[1], [0], [2], [1]], spec=SPEC)
    adapter.prepare_targets([TargetSpec("sparse", (None, 3))])
    assert adapter.y.dtype == np.int64 and adapter.y.shape == (4,)  # one label per row, the 1-axis dropped
    adapter = ArrayDataAdapter(x, [0.0, 1.0, 1.0, 0.0], spec=SPEC)
    adapter.prepare_targets([TargetSpec("binary", (None, 1))])
    assert adapter.y.dtype == np.float32 and adapter.y.shape == (4, 1)  # (n,) targets for an (n, 1) output


def test_validation_split_is_held_out_after_the_targets():
    x = np.arange(10.0).reshape(10, 1)
    adapter = ArrayDataAdapter(x, x[:, 0], spec=SPEC, batch_size=4, validation_split=0.25)
    adapter.prepare_targets([TargetSpec()])
    assert adapter.num_samples == 7 and adapter.steps == 2  # floor(10 · 0.75) = 7 train
    held = adapter.validation_adapter(batch_size=2)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in held.epoch()]), [7.0, 8.0, 9.0])
    assert held.steps == 2 and not held.shuffle


def test_class_weight_becomes_sample_weights():
    y = np.array([0, 2, 1, 2])
    w = targets.sample_weights(np.array([1.0, 2.0, 1.0, 0.5]), {0: 1.0, 1: 3.0, 2: 10.0}, y, 4, "fit", "float32",
                               TargetSpec("sparse", (None, 3)))
    np.testing.assert_allclose(w, [1.0, 20.0, 3.0, 5.0])
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(targets.sample_weights(None, {0: 1, 1: 3, 2: 10}, onehot, 4, "fit", "float32"),
                               [1.0, 10.0, 3.0, 10.0])


@pytest.mark.parametrize("class_weight,match", [
    ({0: 1.0, "one": 2.0, 2: 1.0}, "fit: class_weight keys must be class indices .integers., received 'one'"),
    ([1.0, 2.0, 3.0], r"fit: expected class_weight to be a dict \{class: weight\}, received list"),
])
def test_class_weight_of_the_wrong_form_fails_at_once(class_weight, match):
    with pytest.raises(ValueError, match=match):
        ArrayDataAdapter(np.zeros((4, 2)), np.array([0, 2, 1, 2]), class_weight=class_weight, spec=SPEC)


def test_class_weight_lacking_a_class_of_y_fails():
    adapter = ArrayDataAdapter(np.zeros((4, 2)), np.array([0, 2, 1, 2]), class_weight={0: 1.0, 1: 2.0}, spec=SPEC)
    with pytest.raises(ValueError, match=r"^fit: class_weight has no weight for the class\(es\) \[2\] present in "
                                         r"y; .*received keys \[0, 1\]$"):
        adapter.prepare_targets([TargetSpec("sparse", (None, 3))])


def test_ignored_class_needs_no_weight():
    adapter = ArrayDataAdapter(np.zeros((3, 2)), np.array([0, -1, 1]), class_weight={0: 2.0, 1: 1.0}, spec=SPEC)
    adapter.prepare_targets([TargetSpec("sparse", (None, 2), ignore_class=-1)])
    np.testing.assert_allclose(adapter.sample_weight, [2.0, 2.0, 1.0])  # the ignored row has loss 0 anyway


# ----------------------------------------------------------------------------- batch sources
class Squares(PyDataset):
    def __init__(self):
        super().__init__()
        self.loaded = []

    def __len__(self):
        return 2

    def __getitem__(self, i):
        self.loaded.append(i)
        return np.full((3, 1), i), np.full(3, i * i)


def test_pydataset_adapter_walks_the_batches_and_loads_batch_0_once():
    ds = Squares()
    adapter = data_adapters.get_data_adapter(ds, spec=SPEC)
    assert isinstance(adapter, PyDatasetAdapter) and adapter.steps == 2
    assert adapter.first_inputs().shape == (1, 1)
    adapter.prepare_targets([TargetSpec()])
    assert [int(b[1][0]) for b in adapter.epoch()] == [0, 1]
    assert ds.loaded == [0, 1]  # the batch read to build the model is the first batch of the first epoch
    assert data_adapters.is_batch_source(ds)
    assert not data_adapters.is_batch_source(np.zeros(3)) and not data_adapters.is_batch_source([1, 2])


def test_generator_adapter_keeps_the_batch_read_to_build():
    batches = iter([(np.ones((2, 1)) * i, np.full(2, float(i))) for i in range(3)])
    adapter = data_adapters.get_data_adapter(batches, spec=SPEC)
    assert isinstance(adapter, GeneratorDataAdapter) and adapter.steps is None
    adapter.first_inputs()
    adapter.prepare_targets([TargetSpec()])
    assert [float(b[1][0]) for b in adapter.epoch()] == [0.0, 1.0, 2.0]


def test_exhausted_generator_is_reported():
    adapter = GeneratorDataAdapter(iter([]), spec=SPEC)
    with pytest.raises(ValueError, match="exhausted"):
        list(adapter.epoch())


def test_batch_sources_apply_class_weight():
    ds = Squares()  # labels 0 and 1
    adapter = PyDatasetAdapter(ds, spec=SPEC, class_weight={0: 2.0, 1: 5.0})
    adapter.prepare_targets([TargetSpec("sparse", (None, 2))])
    assert [list(b[2]) for b in adapter.epoch()] == [[2.0] * 3, [5.0] * 3]


@pytest.mark.parametrize("kwargs,match", [
    ({"y": np.ones(3)}, "y must be None when x is a generator or PyDataset"),
    ({"sample_weight": np.ones(3)}, "sample_weight must be None when x is a generator or PyDataset"),
    ({"validation_split": 0.2}, "validation_split is not supported with a generator or PyDataset"),
])
def test_batch_sources_refuse_arguments_they_carry_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data_adapters.get_data_adapter(Squares(), spec=SPEC, **kwargs)
