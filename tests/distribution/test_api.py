"""neuronet.distribution in one process (no mpiexec): Keras's names, and training exactly as without it."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as keras
from neuronet import layers
from neuronet.models.data_adapters import ShardedDataAdapter
from neuronet.models.data_adapters.inputs import batch_length as batch_rows


@pytest.fixture(autouse=True)
def _no_distribution():
    yield
    keras.distribution.set_distribution(None)


def test_one_process_is_one_device():
    dist = keras.distribution
    assert dist.list_devices() == ["cpu:0"] and dist.list_devices("gpu") == []
    assert dist.get_device_count() == 1 and dist.num_processes() == 1 and dist.process_id() == 0
    assert dist.is_chief()
    dp = dist.DataParallel()
    assert dp.num_model_replicas == 1 and dp.data_shard_id == 0 and dp.batch_dim_name == "batch"
    assert dp.device_mesh.shape == (1,) and dp.device_mesh.axis_names == ["batch"]
    assert dp.get_data_layout((32, 4)).axes == ("batch", None)
    assert dp.get_variable_layout(np.zeros((3, 2))).axes == (None, None)
    assert dist.distribution() is None
    with dp.scope():
        assert dist.distribution() is dp
    assert dist.distribution() is None
    dist.initialize(num_processes=1, process_id=0)


def test_keras_script_runs_unchanged_and_trains_as_without_it(float64):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 3)), rng.integers(0, 2, size=50)

    def train():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((3,)), layers.Dense(4, activation="relu"),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, batch_size=8, epochs=2, validation_split=0.2, verbose=0)
        return model.get_weights(), history.history

    plain_weights, plain_history = train()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    weights, history = train()
    assert history == plain_history
    assert all(np.array_equal(a, b) for a, b in zip(weights, plain_weights))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="devices must be all of"):
        keras.distribution.DataParallel(devices=["cpu:0", "cpu:1"])
    with pytest.raises(ValueError, match="timeout"):
        keras.distribution.DataParallel(timeout=0)
    with pytest.raises(ValueError, match="num_processes=1"):
        keras.distribution.initialize(num_processes=2)
    with pytest.raises(ValueError, match="set_distribution: expected"):
        keras.distribution.set_distribution("data_parallel")
    with pytest.raises(AttributeError, match="data-parallel only"):
        keras.distribution.ModelParallel  # noqa: B018
    with pytest.raises(ValueError, match="does not match the number of devices"):
        keras.distribution.DeviceMesh((2,), ["batch"])


class _Batches:
    """A stand-in adapter yielding fixed batches."""

    steps, num_samples = 2, 7

    def __init__(self, batches):
        self.batches = batches

    def epoch(self):
        yield from self.batches


def test_sharded_adapter_gives_each_process_a_contiguous_share():
    x = {"a": np.arange(7.0), "b": np.arange(14.0).reshape(7, 2)}
    y = [np.arange(7), None]
    seen = []
    shares = [list(ShardedDataAdapter(_Batches([(x, y, np.ones(7))]), i, 3,
                                      on_batch=lambda s, n: seen.append((s, n))).epoch()) for i in range(3)]
    assert seen == [(2, 7), (2, 7), (3, 7)]  # rows [0, 2), [2, 4), [4, 7)
    xs, ys, sws = shares[2][0]
    assert xs["a"].tolist() == [4.0, 5.0, 6.0] and xs["b"].shape == (3, 2)
    assert ys[0].tolist() == [4, 5, 6] and ys[1] is None and sws.shape == (3,)
    assert batch_rows(xs) == 3 and batch_rows([np.zeros((5, 1))]) == 5


def test_sharded_adapter_refuses_a_first_batch_smaller_than_the_processes():
    adapter = ShardedDataAdapter(_Batches([(np.zeros((1, 2)), np.zeros(1), None)]), 0, 2)
    with pytest.raises(ValueError, match="fewer than the 2 processes"):
        list(adapter.epoch())


def test_sharded_adapter_passes_batches_through_for_one_share():
    seen = []
    batch = (np.zeros((5, 2)), np.zeros(5), None)
    out = list(ShardedDataAdapter(_Batches([batch]), 0, 1, on_batch=lambda s, n: seen.append((s, n))).epoch())
    assert out[0][0] is batch[0] and seen == [(5, None)]
