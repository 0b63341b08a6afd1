"""IoU family, correlation metrics and the rate-at-rate metrics, against formulas written in NumPy (and
scikit-learn's confusion matrix and Jaccard score where installed)."""

import json

import numpy as np
import pytest

from neuronet import metrics


def _iou_numpy(y_true, y_pred, n, ids, weight=None):
    cm = np.zeros((n, n))
    np.add.at(cm, (y_true.ravel(), y_pred.ravel()), 1.0 if weight is None else weight.ravel())
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    seen = [i for i in ids if union[i] > 0]
    return np.mean([tp[i] / union[i] for i in seen])


def test_mean_iou_and_iou_over_batches(rng):
    a, b = rng.integers(0, 4, size=(2, 6, 5)), rng.integers(0, 4, size=(2, 6, 5))
    m, one = metrics.MeanIoU(4), metrics.IoU(4, target_class_ids=[1, 3])
    for t, p in zip(a, b):
        m.update_state(t, p)
        one.update_state(t, p)
    assert m.result() == pytest.approx(_iou_numpy(a, b, 4, range(4)), rel=1e-6)
    assert one.result() == pytest.approx(_iou_numpy(a, b, 4, [1, 3]), rel=1e-6)
    m.reset_state()
    assert m.result() == 0.0


def test_iou_weights_ignore_class_and_one_hot(rng):
    t, p = rng.integers(0, 3, size=(4, 8)), rng.integers(0, 3, size=(4, 8))
    w = rng.uniform(size=(4, 8))
    assert metrics.MeanIoU(3)(t, p, sample_weight=w) == pytest.approx(_iou_numpy(t, p, 3, range(3), w), rel=1e-6)
    keep = t != 0
    assert metrics.MeanIoU(3, ignore_class=0)(t, p) == pytest.approx(
        _iou_numpy(t[keep], p[keep], 3, range(3)), rel=1e-6)
    scores = rng.uniform(size=(4, 8, 3))
    expected = _iou_numpy(t, scores.argmax(-1), 3, range(3))
    assert metrics.OneHotMeanIoU(3)(np.eye(3)[t], scores) == pytest.approx(expected, rel=1e-6)
    assert metrics.MeanIoU(3, sparse_y_pred=False)(t, scores) == pytest.approx(expected, rel=1e-6)
    assert metrics.OneHotIoU(3, [0, 2])(np.eye(3)[t], scores) == pytest.approx(
        _iou_numpy(t, scores.argmax(-1), 3, [0, 2]), rel=1e-6)


def test_binary_iou_thresholds_predictions(rng):
    t, s = rng.integers(0, 2, size=40), rng.uniform(size=40)
    assert metrics.BinaryIoU()(t, s) == pytest.approx(_iou_numpy(t, (s >= 0.5).astype(int), 2, [0, 1]), rel=1e-6)
    assert metrics.BinaryIoU([1], threshold=0.3)(t, s) == pytest.approx(
        _iou_numpy(t, (s >= 0.3).astype(int), 2, [1]), rel=1e-6)


def test_iou_agrees_with_sklearn_jaccard(rng):
    skm = pytest.importorskip("sklearn.metrics")
    t, p = rng.integers(0, 5, size=300), rng.integers(0, 5, size=300)
    assert metrics.MeanIoU(5)(t, p) == pytest.approx(skm.jaccard_score(t, p, average="macro"), rel=1e-6)


@pytest.mark.parametrize("make", [lambda: metrics.IoU(3, [0, 2], ignore_class=1), lambda: metrics.MeanIoU(4),
                                  lambda: metrics.OneHotIoU(3, [1]), lambda: metrics.OneHotMeanIoU(2),
                                  lambda: metrics.BinaryIoU([1], threshold=0.4)])
def test_iou_config_round_trip(make):
    metric = make()
    config = json.loads(json.dumps(metric.get_config()))
    assert type(metric).from_config(config).get_config() == metric.get_config()
    assert metrics.deserialize(metrics.serialize(metric)).get_config() == metric.get_config()


def test_iou_errors():
    with pytest.raises(ValueError, match="expected num_classes to be a positive integer"):
        metrics.MeanIoU(0)
    with pytest.raises(ValueError, match="expected target_class_ids to be class ids in \\[0, 3\\)"):
        metrics.IoU(3, target_class_ids=[3])
    with pytest.raises(ValueError, match="y_true has 4 labels but y_pred 3"):
        metrics.MeanIoU(3).update_state([0, 1, 2, 0], [0, 1, 2])


def test_correlations_match_numpy(rng):
    a = rng.normal(size=(6, 10))
    b = a + 0.5 * rng.normal(size=(6, 10)) + 0.2
    pearson = [np.corrcoef(x, y)[0, 1] for x, y in zip(a, b)]
    assert metrics.PearsonCorrelation()(a, b) == pytest.approx(np.mean(pearson), rel=1e-6)
    ccc = [2 * np.cov(x, y, bias=True)[0, 1] / (x.var() + y.var() + (x.mean() - y.mean()) ** 2) for x, y in zip(a, b)]
    assert metrics.ConcordanceCorrelation()(a, b) == pytest.approx(np.mean(ccc), rel=1e-6)
    assert metrics.ConcordanceCorrelation()(a, a) == pytest.approx(1.0, abs=1e-6)
    assert metrics.get("pearson_correlation").name == "pearson_correlation"
    assert metrics.PearsonCorrelation(axis=0).get_config()["axis"] == 0


def _rates_numpy(t, s, thresholds):
    tp = np.array([((s > th) & (t == 1)).sum() for th in thresholds], float)
    fp = np.array([((s > th) & (t == 0)).sum() for th in thresholds], float)
    fn = (t == 1).sum() - tp
    tn = (t == 0).sum() - fp
    with np.errstate(invalid="ignore"):
        return {"recall": np.nan_to_num(tp / (tp + fn)), "precision": np.nan_to_num(tp / (tp + fp)),
                "specificity": np.nan_to_num(tn / (tn + fp))}


@pytest.mark.parametrize("cls,constrained,dependent", [
    (metrics.PrecisionAtRecall, "recall", "precision"), (metrics.RecallAtPrecision, "precision", "recall"),
    (metrics.SensitivityAtSpecificity, "specificity", "recall"),
    (metrics.SpecificityAtSensitivity, "recall", "specificity")])
def test_rate_at_rate_metrics(rng, cls, constrained, dependent):
    t, s = rng.integers(0, 2, size=80), rng.uniform(size=80)
    thresholds = np.concatenate([[0.0], np.arange(1, 9) / 9, [1.0]])  # num_thresholds=10
    rates = _rates_numpy(t, s, thresholds)
    ok = rates[constrained] >= 0.6
    expected = rates[dependent][ok].max() if ok.any() else 0.0
    metric = cls(0.6, num_thresholds=10)
    metric.update_state(t[:30], s[:30])
    metric.update_state(t[30:], s[30:])
    assert metric.result() == pytest.approx(expected)
    config = metric.get_config()
    assert config["num_thresholds"] == 10 and cls.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="expected .* in \\[0, 1\\]"):
        cls(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        cls(0.5, num_thresholds=0)


def test_metric_aliases_of_loss_functions():
    from neuronet import losses

    assert metrics.huber is losses.huber and metrics.binary_focal_crossentropy is losses.binary_focal_crossentropy
    assert metrics.categorical_focal_crossentropy is losses.categorical_focal_crossentropy


def test_classes_needing_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="MeanIoU needs arguments \\(num_classes\\)"):
        metrics.get("MeanIoU")
    assert "MeanIoU" not in metrics.ALL_NAMES and "PearsonCorrelation" in metrics.ALL_NAMES
