"""Mean, Sum, MeanMetricWrapper and the Metric contract: weights, masks, copies, errors."""

import numpy as np
import pytest

from neuronet import metrics
from neuronet.autograd import Tensor


def test_mean_weighted_over_batches_matches_numpy(rng, batches):
    values = rng.normal(size=50)
    weights = rng.uniform(0.1, 2.0, size=50)
    m = metrics.Mean()
    for s in batches(50, 16):
        m.update_state(values[s], sample_weight=weights[s])
    assert m.result() == pytest.approx(np.average(values, weights=weights), rel=1e-12)
    m.reset_state()
    assert m.result() == 0.0


def test_mean_reduces_extra_axes_per_sample():
    m = metrics.Mean()
    m.update_state(np.array([[1.0, 3.0], [5.0, 7.0]]), sample_weight=np.array([1.0, 0.0]))
    assert m.result() == pytest.approx(2.0)


def test_sum_and_call_convenience():
    s = metrics.Sum()
    assert s([1, 2, 3]) == 6.0
    assert s([4]) == 10.0
    assert metrics.Mean()([1, 3, 5, 7]) == 4.0


def test_result_is_python_float_and_tensor_inputs_accepted():
    m = metrics.BinaryAccuracy()
    m.update_state(Tensor(np.array([1.0, 0.0])), Tensor(np.array([0.9, 0.8], dtype=np.float32)))
    assert type(m.result()) is float
    assert m.result() == 0.5


def test_sample_weight_shape_mismatch_is_one_clear_error():
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="same number of samples"):
        metrics.BinaryAccuracy()(np.zeros(4), np.zeros(5))


def test_keras_mask_on_predictions_weights_samples():
    pred = Tensor(np.array([0.9, 0.9, 0.1]))
    pred._keras_mask = np.array([True, True, False])
    assert metrics.BinaryAccuracy()(np.array([1, 0, 1]), pred) == 0.5


def test_copies_have_independent_state():
    import copy

    for m in (metrics.Precision(), metrics.AUC(), metrics.Precision(thresholds=[0.3, 0.6]), metrics.BinaryAccuracy()):
        twin = copy.copy(m)
        twin.update_state([1, 0, 1], [0.9, 0.8, 0.2])
        assert np.all(np.asarray(m.result()) == 0.0)
        assert np.any(np.asarray(twin.result()) != 0.0)

