"""Confusion-matrix metrics and F-scores against scikit-learn: Precision, Recall, AUC, TP/FP/TN/FN, F1."""

import numpy as np
import pytest

from neuronet import metrics

skm = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("cls,sk", [(metrics.Precision, "precision_score"), (metrics.Recall, "recall_score")])
def test_precision_recall_sklearn_weighted_batches(rng, cls, sk, batches):
    y = rng.integers(0, 2, size=77)
    p = rng.uniform(size=77)
    w = rng.uniform(0.1, 2, size=77)
    m = cls()
    for s in batches(77, 20):
        m.update_state(y[s], p[s], sample_weight=w[s])
    expected = getattr(skm, sk)(y, (p > 0.5).astype(int), sample_weight=w)
    assert m.result() == pytest.approx(expected, rel=1e-9)


def test_precision_recall_thresholds_list_top_k_and_class_id():
    p = metrics.Precision(thresholds=[0.5, 0.8])
    out = p([0, 1, 1, 1], [0.9, 0.6, 0.85, 0.2])
    np.testing.assert_allclose(out, [2 / 3, 1 / 2])
    # Keras' examples: with ties, top_k keeps the first k entries of the row.
    assert metrics.Precision(top_k=2)([0, 0, 1, 1], [1, 1, 1, 1]) == 0.0
    assert metrics.Precision(top_k=4)([0, 0, 1, 1], [1, 1, 1, 1]) == pytest.approx(0.5)
    r = metrics.Recall(class_id=2)
    y = np.array([[0, 0, 1], [0, 1, 0], [0, 0, 1]])
    pred = np.array([[0.1, 0.2, 0.7], [0.1, 0.2, 0.9], [0.6, 0.3, 0.1]])
    assert r(y, pred) == pytest.approx(0.5)


def test_precision_no_positive_prediction_is_zero_not_nan():
    assert metrics.Precision()([1, 1], [0.1, 0.2]) == 0.0


def test_auc_roc_close_to_sklearn(rng, batches):
    y = rng.integers(0, 2, size=500)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.2, size=500), 0, 1)
    w = rng.uniform(0.5, 1.5, size=500)
    m = metrics.AUC()
    for s in batches(500, 64):
        m.update_state(y[s], score[s], sample_weight=w[s])
    assert m.result() == pytest.approx(skm.roc_auc_score(y, score, sample_weight=w), abs=1e-2)
    assert m.num_thresholds == 200


def test_auc_exact_on_separated_grid_and_from_logits():
    y = np.array([0, 0, 1, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8])
    assert metrics.AUC()(y, s) == pytest.approx(0.75, abs=1e-6)
    logits = np.log(s / (1 - s))
    assert metrics.AUC(from_logits=True)(y, logits) == pytest.approx(0.75, abs=1e-6)


def test_auc_pr_close_to_average_precision(rng):
    y = rng.integers(0, 2, size=400)
    score = np.clip(0.4 * y + rng.normal(0.3, 0.2, size=400), 0, 1)
    m = metrics.AUC(curve="PR", num_thresholds=1000)
    m.update_state(y, score)
    assert m.result() == pytest.approx(skm.average_precision_score(y, score), abs=3e-2)


def test_auc_multi_label_is_mean_of_per_label(rng):
    y = rng.integers(0, 2, size=(200, 3))
    s = np.clip(0.3 * y + rng.uniform(0, 0.7, size=(200, 3)), 0, 1)
    m = metrics.AUC(multi_label=True)
    m.update_state(y, s)
    expected = np.mean([skm.roc_auc_score(y[:, j], s[:, j]) for j in range(3)])
    assert m.result() == pytest.approx(expected, abs=1e-2)


def test_auc_bad_arguments():
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)


def test_msle_and_confusion_counts_match_sklearn(rng):
    y = rng.uniform(0, 3, size=(40, 2))
    p = rng.uniform(0, 3, size=(40, 2))
    assert metrics.get("msle")(y, p) == pytest.approx(skm.mean_squared_log_error(y, p))

    labels = rng.integers(0, 2, size=70)
    scores = rng.uniform(size=70)
    w = rng.uniform(size=70)
    tn, fp, fn, tp = skm.confusion_matrix(labels, scores > 0.5, sample_weight=w).ravel()
    got = [metrics.get(name)(labels, scores, sample_weight=w)
           for name in ("true_negatives", "false_positives", "false_negatives", "true_positives")]
    np.testing.assert_allclose(got, [tn, fp, fn, tp])
    many = metrics.TruePositives(thresholds=[0.9, 0.1])(labels, scores)
    np.testing.assert_allclose(many, [np.sum((scores > 0.9) & (labels == 1)), np.sum((scores > 0.1) & (labels == 1))])


def test_row_sample_weights_apply_to_every_column_in_confusion_metrics(rng):
    y = rng.integers(0, 2, size=(30, 3))
    p = rng.uniform(size=(30, 3))
    w = rng.uniform(size=30)
    expected = skm.precision_score(y.ravel(), (p > 0.5).ravel(), sample_weight=np.repeat(w, 3))
    assert metrics.Precision()(y, p, sample_weight=w) == pytest.approx(expected)
    assert metrics.Precision(thresholds=[0.5, 0.7])(y, p, sample_weight=w)[0] == pytest.approx(expected)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_matches_sklearn_multilabel(rng, average, batches):
    y = rng.integers(0, 2, size=(60, 4))
    p = rng.uniform(size=(60, 4))
    m = metrics.F1Score(average=average, threshold=0.5)
    for s in batches(60, 25):
        m.update_state(y[s], p[s])
    expected = skm.f1_score(y, (p > 0.5).astype(int), average=average, zero_division=0)
    np.testing.assert_allclose(m.result(), expected, atol=1e-5)


def test_fbeta_argmax_mode_matches_sklearn_multiclass(rng):
    labels = rng.integers(0, 3, size=50)
    p = rng.dirichlet(np.ones(3), size=50)
    w = rng.uniform(size=50)
    got = metrics.FBetaScore(beta=2.0, average="macro")(np.eye(3)[labels], p, sample_weight=w)
    expected = skm.fbeta_score(labels, p.argmax(1), beta=2.0, average="macro", sample_weight=w)
    assert got == pytest.approx(expected, abs=1e-5)

