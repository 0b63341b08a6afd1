"""Accuracy metrics against scikit-learn and Keras's documented values, with weights and batches."""

import numpy as np
import pytest

from neuronet import metrics

skm = pytest.importorskip("sklearn.metrics")


def test_binary_accuracy_sklearn_weights_and_batches(rng, batches):
    y = rng.integers(0, 2, size=(101, 1))
    p = rng.uniform(size=(101, 1)).astype(np.float32)
    w = rng.uniform(0.0, 3.0, size=101)
    m = metrics.BinaryAccuracy()
    for s in batches(101, 32):
        m.update_state(y[s], p[s], sample_weight=w[s])
    expected = skm.accuracy_score(y.ravel(), (p.ravel() > 0.5).astype(int), sample_weight=w)
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_binary_accuracy_threshold_and_shapes():
    assert metrics.BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) == 0.75
    # labels (n,) against predictions (n, 1)
    assert metrics.BinaryAccuracy(threshold=0.7)(np.array([1, 1, 0, 0]), np.array([[0.98], [0.6], [0], [0.6]])) == 0.75
    with pytest.raises(ValueError, match="threshold"):
        metrics.BinaryAccuracy(threshold=1.5)


def test_categorical_accuracy_keras_example_and_sklearn(rng, batches):
    m = metrics.CategoricalAccuracy()
    assert m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    labels = rng.integers(0, 5, size=90)
    onehot = np.eye(5)[labels]
    logits = rng.normal(size=(90, 5))
    w = rng.uniform(size=90)
    m = metrics.CategoricalAccuracy()
    for s in batches(90, 20):
        m.update_state(onehot[s], logits[s], sample_weight=w[s])
    assert m.result() == pytest.approx(skm.accuracy_score(labels, logits.argmax(1), sample_weight=w))


@pytest.mark.parametrize("label_shape", [(60,), (60, 1)])
def test_sparse_categorical_accuracy_label_shapes(rng, label_shape, batches):
    labels = rng.integers(0, 4, size=60)
    probs = rng.uniform(size=(60, 4)).astype(np.float32)
    m = metrics.SparseCategoricalAccuracy()
    for s in batches(60, 25):
        m.update_state(labels.reshape(label_shape)[s], probs[s])
    assert m.result() == pytest.approx(skm.accuracy_score(labels, probs.argmax(1)))


def test_sparse_categorical_accuracy_bad_label_shape():
    with pytest.raises(ValueError, match="shape"):
        metrics.SparseCategoricalAccuracy()(np.zeros((4, 3)), np.zeros((4, 5)))


def test_top_k_accuracies_match_sklearn(rng, batches):
    labels = np.arange(40) % 6
    scores = rng.normal(size=(40, 6))
    expected = skm.top_k_accuracy_score(labels, scores, k=3, labels=np.arange(6))
    sparse = metrics.SparseTopKCategoricalAccuracy(k=3)
    dense = metrics.TopKCategoricalAccuracy(k=3)
    for s in batches(40, 15):
        sparse.update_state(labels[s], scores[s])
        dense.update_state(np.eye(6)[labels][s], scores[s])
    assert sparse.result() == pytest.approx(expected)
    assert dense.result() == pytest.approx(expected)
    assert metrics.TopKCategoricalAccuracy().k == 5
    assert metrics.SparseTopKCategoricalAccuracy(k=1)([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]) == 0.5


def test_accuracy_exact_match():
    m = metrics.Accuracy()
    assert m([[1], [2], [3], [4]], [[0], [2], [3], [4]]) == 0.75
    m.reset_state()
    assert m([[1], [2], [3], [4]], [[0], [2], [3], [4]], sample_weight=[1, 1, 0, 0]) == 0.5


@pytest.mark.parametrize("fn", [metrics.binary_accuracy, metrics.mean_squared_error, metrics.mean_absolute_error,
                                metrics.mean_absolute_percentage_error, metrics.mean_squared_logarithmic_error,
                                metrics.binary_crossentropy, metrics.accuracy])
def test_per_sample_functions_keep_float32(rng, fn):
    y = rng.integers(0, 2, size=(8, 3)).astype(np.float32)
    p = rng.uniform(0.1, 0.9, size=(8, 3)).astype(np.float32)
    out = fn(y, p)
    assert out.shape == (8,) and out.dtype == np.float32



def test_a_prediction_exactly_at_the_threshold_is_negative():
    # Keras counts y_pred > threshold as positive; a prediction equal to the threshold is negative
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.5], [0.5], [0.75], [0.75]], dtype=np.float32)
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred), [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(metrics.binary_accuracy(y_true, y_pred, threshold=0.75), [0.0, 1.0, 0.0, 1.0])
    # the class agrees with the function, on its counting path and on the weighted one
    assert metrics.BinaryAccuracy()(y_true, y_pred) == 0.5
    assert metrics.BinaryAccuracy(threshold=0.75)(y_true, y_pred, sample_weight=np.ones(4)) == 0.5
    assert metrics.BinaryAccuracy()(y_true, y_pred, sample_weight=[0.0, 1.0, 1.0, 0.0]) == 1.0
