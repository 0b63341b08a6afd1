"""Every metric against real Keras 3 on the same batches, with sample weights (skipped without Keras;
it runs in .venv-bench)."""

import numpy as np
import pytest

from neuronet import metrics


def _keras_value(metric, batches):
    for args in batches:
        metric.update_state(*args)
    return np.asarray(metric.result(), dtype=np.float64)


def test_metric_values_match_keras(rng):
    keras = pytest.importorskip("keras")  # skipped unless Keras 3 is installed (e.g. in .venv-bench)
    km = keras.metrics
    n, c = 40, 4
    labels = rng.integers(0, c, size=n)
    onehot = np.eye(c, dtype=np.float32)[labels]
    probs = rng.dirichlet(np.ones(c), size=n).astype(np.float32)
    binary = rng.integers(0, 2, size=(n, 1)).astype(np.float32)
    scores = rng.uniform(size=(n, 1)).astype(np.float32)
    scores[:3] = 0.5  # exactly at the threshold
    real = rng.normal(size=(n, 3)).astype(np.float32)
    target = (real + rng.normal(scale=0.5, size=(n, 3))).astype(np.float32)
    pos_t, pos_p = np.abs(target) + 0.1, np.abs(real) + 0.1
    w = rng.uniform(0.1, 2.0, size=n).astype(np.float32)
    cases = [  # (ours, Keras's, y_true, y_pred)
        (metrics.BinaryAccuracy(), km.BinaryAccuracy(), binary, scores),
        (metrics.CategoricalAccuracy(), km.CategoricalAccuracy(), onehot, probs),
        (metrics.SparseCategoricalAccuracy(), km.SparseCategoricalAccuracy(), labels, probs),
        (metrics.TopKCategoricalAccuracy(k=2), km.TopKCategoricalAccuracy(k=2), onehot, probs),
        (metrics.SparseTopKCategoricalAccuracy(k=2), km.SparseTopKCategoricalAccuracy(k=2), labels, probs),
        (metrics.MeanSquaredError(), km.MeanSquaredError(), target, real),
        (metrics.MeanAbsoluteError(), km.MeanAbsoluteError(), target, real),
        (metrics.MeanAbsolutePercentageError(), km.MeanAbsolutePercentageError(), target, real),
        (metrics.MeanSquaredLogarithmicError(), km.MeanSquaredLogarithmicError(), pos_t, pos_p),
        (metrics.RootMeanSquaredError(), km.RootMeanSquaredError(), target, real),
        (metrics.LogCoshError(), km.LogCoshError(), target, real),
        (metrics.CosineSimilarity(), km.CosineSimilarity(), target, real),
        (metrics.R2Score(), km.R2Score(), target, real),
        (metrics.BinaryCrossentropy(), km.BinaryCrossentropy(), binary, scores),
        (metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
         km.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), binary, real[:, :1]),
        (metrics.CategoricalCrossentropy(label_smoothing=0.1), km.CategoricalCrossentropy(label_smoothing=0.1),
         onehot, probs),
        (metrics.SparseCategoricalCrossentropy(), km.SparseCategoricalCrossentropy(), labels, probs),
        (metrics.KLDivergence(), km.KLDivergence(), onehot * 0.9 + 0.025, probs),
        (metrics.Poisson(), km.Poisson(), pos_t, pos_p),
        (metrics.Hinge(), km.Hinge(), binary, real[:, :1]),
        (metrics.SquaredHinge(), km.SquaredHinge(), binary, real[:, :1]),
        (metrics.CategoricalHinge(), km.CategoricalHinge(), onehot, real[:, :1] * probs),
        (metrics.Precision(), km.Precision(), binary, scores),
        (metrics.Recall(thresholds=[0.3, 0.5]), km.Recall(thresholds=[0.3, 0.5]), binary, scores),
        (metrics.TruePositives(), km.TruePositives(), binary, scores),
        (metrics.FalseNegatives(), km.FalseNegatives(), binary, scores),
        (metrics.AUC(num_thresholds=50), km.AUC(num_thresholds=50), binary, scores),
        (metrics.F1Score(average="macro", threshold=0.5), km.F1Score(average="macro", threshold=0.5), onehot, probs),
    ]
    for ours, theirs, y_true, y_pred in cases:
        for weights in (None, w):
            ours.reset_state()
            theirs.reset_state()
            halves = [(y_true[s], y_pred[s]) + (() if weights is None else (weights[s],))
                      for s in (slice(0, 25), slice(25, n))]
            got = _keras_value(ours, halves)
            want = _keras_value(theirs, halves)
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6,
                                       err_msg=f"{type(ours).__name__} weighted={weights is not None}")
