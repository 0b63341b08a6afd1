"""Regression metrics against scikit-learn and hand computations."""

import numpy as np
import pytest

from neuronet import metrics

skm = pytest.importorskip("sklearn.metrics")


def test_regression_metrics_match_sklearn(rng, batches):
    y = rng.normal(size=(70, 2))
    p = y + rng.normal(scale=0.3, size=(70, 2))
    w = rng.uniform(0.1, 1, size=70)
    mse, mae, rmse = metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError()
    for s in batches(70, 30):
        for m in (mse, mae, rmse):
            m.update_state(y[s], p[s], sample_weight=w[s])
    assert mse.result() == pytest.approx(skm.mean_squared_error(y, p, sample_weight=w))
    assert mae.result() == pytest.approx(skm.mean_absolute_error(y, p, sample_weight=w))
    assert rmse.result() == pytest.approx(np.sqrt(skm.mean_squared_error(y, p, sample_weight=w)))


def test_mape_hand_computed():
    assert metrics.MeanAbsolutePercentageError()([[2.0], [4.0]], [[1.0], [5.0]]) == pytest.approx(37.5)


def test_float32_inputs_stay_fast_path_and_float64_works(float64):
    y = np.array([0.0, 1.0])
    assert metrics.MeanSquaredError()(y, np.array([0.5, 0.5])) == pytest.approx(0.25)
    assert metrics.mean_squared_error(y.astype(np.float32), np.array([0.5, 0.5], np.float32)).dtype == np.float32


def test_r2_score_matches_sklearn(rng, batches):
    y = rng.normal(size=(80, 2))
    p = y + rng.normal(scale=0.5, size=(80, 2))
    w = rng.uniform(size=80)
    for aggregation, sk in (("uniform_average", "uniform_average"), ("variance_weighted_average", "variance_weighted"),
                            (None, "raw_values")):
        m = metrics.R2Score(class_aggregation=aggregation)
        for s in batches(80, 30):
            m.update_state(y[s], p[s], sample_weight=w[s])
        np.testing.assert_allclose(m.result(), skm.r2_score(y, p, sample_weight=w, multioutput=sk), rtol=1e-6)
    assert metrics.get("r2_score")(y[:, 0], p[:, 0]) == pytest.approx(skm.r2_score(y[:, 0], p[:, 0]))



def test_rank_one_inputs_are_a_batch_of_samples():
    # (n,) targets and predictions are n samples of one value, weighted per sample, as for the accuracies
    # (Keras 3 reads them as one sample of n values for the loss-like metrics: 0.75 here, and no weights)
    m = metrics.MeanSquaredError()
    m.update_state(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    m.update_state(np.array([0.0, 0.0]), np.array([0.0, 0.0]))
    assert m.result() == pytest.approx(6.0 / 6)
    weighted = metrics.MeanAbsoluteError()(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 1.0]),
                                           sample_weight=np.array([1.0, 0.0, 1.0, 0.0]))
    assert weighted == pytest.approx(1.0)
    bce = metrics.BinaryCrossentropy()
    bce.update_state(np.array([0.0, 1.0, 1.0]), np.array([0.2, 0.7, 0.9]))
    bce.update_state(np.array([[1.0]]), np.array([0.5]))
    assert bce.result() == pytest.approx(-np.log([0.8, 0.7, 0.9, 0.5]).mean())
