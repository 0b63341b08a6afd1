"""Metrics against hand computations and scikit-learn, with sample weights and several batches."""

import numpy as np
import pytest

import neuronet
from neuronet import metrics
from neuronet.autograd import Tensor

skm = pytest.importorskip("sklearn.metrics")


def _batches(n, size):
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


# ---------------------------------------------------------------------------------------------------------
# Mean / Sum
# ---------------------------------------------------------------------------------------------------------


def test_mean_weighted_over_batches_matches_numpy(rng):
    values = rng.normal(size=50)
    weights = rng.uniform(0.1, 2.0, size=50)
    m = metrics.Mean()
    for s in _batches(50, 16):
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


# ---------------------------------------------------------------------------------------------------------
# Accuracy family
# ---------------------------------------------------------------------------------------------------------


def test_binary_accuracy_sklearn_weights_and_batches(rng):
    y = rng.integers(0, 2, size=(101, 1))
    p = rng.uniform(size=(101, 1)).astype(np.float32)
    w = rng.uniform(0.0, 3.0, size=101)
    m = metrics.BinaryAccuracy()
    for s in _batches(101, 32):
        m.update_state(y[s], p[s], sample_weight=w[s])
    expected = skm.accuracy_score(y.ravel(), (p.ravel() > 0.5).astype(int), sample_weight=w)
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_binary_accuracy_threshold_and_shapes():
    assert metrics.BinaryAccuracy()([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]) == 0.75
    # labels (n,) against predictions (n, 1)
    assert metrics.BinaryAccuracy(threshold=0.7)(np.array([1, 1, 0, 0]), np.array([[0.98], [0.6], [0], [0.6]])) == 0.75
    with pytest.raises(ValueError, match="threshold"):
        metrics.BinaryAccuracy(threshold=1.5)


def test_categorical_accuracy_keras_example_and_sklearn(rng):
    m = metrics.CategoricalAccuracy()
    assert m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3]) == pytest.approx(0.3)
    labels = rng.integers(0, 5, size=90)
    onehot = np.eye(5)[labels]
    logits = rng.normal(size=(90, 5))
    w = rng.uniform(size=90)
    m = metrics.CategoricalAccuracy()
    for s in _batches(90, 20):
        m.update_state(onehot[s], logits[s], sample_weight=w[s])
    assert m.result() == pytest.approx(skm.accuracy_score(labels, logits.argmax(1), sample_weight=w))


@pytest.mark.parametrize("label_shape", [(60,), (60, 1)])
def test_sparse_categorical_accuracy_label_shapes(rng, label_shape):
    labels = rng.integers(0, 4, size=60)
    probs = rng.uniform(size=(60, 4)).astype(np.float32)
    m = metrics.SparseCategoricalAccuracy()
    for s in _batches(60, 25):
        m.update_state(labels.reshape(label_shape)[s], probs[s])
    assert m.result() == pytest.approx(skm.accuracy_score(labels, probs.argmax(1)))


def test_sparse_categorical_accuracy_bad_label_shape():
    with pytest.raises(ValueError, match="shape"):
        metrics.SparseCategoricalAccuracy()(np.zeros((4, 3)), np.zeros((4, 5)))


def test_top_k_accuracies_match_sklearn(rng):
    labels = np.arange(40) % 6
    scores = rng.normal(size=(40, 6))
    expected = skm.top_k_accuracy_score(labels, scores, k=3, labels=np.arange(6))
    sparse = metrics.SparseTopKCategoricalAccuracy(k=3)
    dense = metrics.TopKCategoricalAccuracy(k=3)
    for s in _batches(40, 15):
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


# ---------------------------------------------------------------------------------------------------------
# Precision / Recall / AUC
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls,sk", [(metrics.Precision, "precision_score"), (metrics.Recall, "recall_score")])
def test_precision_recall_sklearn_weighted_batches(rng, cls, sk):
    y = rng.integers(0, 2, size=77)
    p = rng.uniform(size=77)
    w = rng.uniform(0.1, 2, size=77)
    m = cls()
    for s in _batches(77, 20):
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


def test_auc_roc_close_to_sklearn(rng):
    y = rng.integers(0, 2, size=500)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.2, size=500), 0, 1)
    w = rng.uniform(0.5, 1.5, size=500)
    m = metrics.AUC()
    for s in _batches(500, 64):
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


# ---------------------------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------------------------


def test_regression_metrics_match_sklearn(rng):
    y = rng.normal(size=(70, 2))
    p = y + rng.normal(scale=0.3, size=(70, 2))
    w = rng.uniform(0.1, 1, size=70)
    mse, mae, rmse = metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.RootMeanSquaredError()
    for s in _batches(70, 30):
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


# ---------------------------------------------------------------------------------------------------------
# get / resolve_accuracy / config
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,cls", [
    ("binary_accuracy", metrics.BinaryAccuracy), ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy), ("precision", metrics.Precision),
    ("recall", metrics.Recall), ("auc", metrics.AUC), ("mse", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError), ("mae", metrics.MeanAbsoluteError),
    ("rmse", metrics.RootMeanSquaredError), ("BinaryAccuracy", metrics.BinaryAccuracy),
])
def test_get_names(name, cls):
    m = metrics.get(name)
    assert type(m) is cls
    if name.islower():
        assert m.name == name  # logged under the name the user wrote, as Keras compile does


def test_get_instance_class_function_and_none():
    m = metrics.AUC()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(None) is None

    def within_half(y_true, y_pred):
        return (np.abs(y_true - y_pred) < 0.5).astype(np.float32)

    wrapped = metrics.get(within_half)
    assert wrapped.name == "within_half"
    assert wrapped(np.array([1.0, 2.0]), np.array([1.2, 3.0])) == 0.5


def test_get_unknown_name_lists_valid_and_closest():
    with pytest.raises(ValueError, match=r"binary_accuracy.*did you mean 'binary_accuracy'"):
        metrics.get("binary_acuracy")
    with pytest.raises(ValueError, match="resolve"):
        metrics.get("accuracy")
    with pytest.raises(TypeError):
        metrics.get(3)


@pytest.mark.parametrize("loss,units,cls", [
    ("binary_crossentropy", 1, metrics.BinaryAccuracy),
    ("mse", 1, metrics.BinaryAccuracy),
    ("sparse_categorical_crossentropy", 10, metrics.SparseCategoricalAccuracy),
    ("categorical_crossentropy", 10, metrics.CategoricalAccuracy),
    ("binary_crossentropy", 3, metrics.BinaryAccuracy),
])
def test_resolve_accuracy(loss, units, cls):
    m = metrics.resolve_accuracy(loss, units)
    assert type(m) is cls and m.name == "accuracy"


def test_resolve_accuracy_accepts_loss_objects():
    class SparseCategoricalCrossentropy:
        name = "sparse_categorical_crossentropy"

    assert isinstance(metrics.resolve_accuracy(SparseCategoricalCrossentropy(), 4), metrics.SparseCategoricalAccuracy)


def test_auto_names_are_unique_and_config_round_trips():
    assert metrics.Precision().name == "precision"
    assert metrics.Precision().name == "precision_1"
    for m in (metrics.BinaryAccuracy(threshold=0.3), metrics.AUC(curve="PR", num_thresholds=50),
              metrics.Precision(thresholds=[0.2, 0.6]), metrics.SparseTopKCategoricalAccuracy(k=2)):
        again = metrics.deserialize(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()


def test_sample_weight_shape_mismatch_is_one_clear_error():
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="same number of samples"):
        metrics.BinaryAccuracy()(np.zeros(4), np.zeros(5))


def test_keras_mask_on_predictions_weights_samples():
    pred = Tensor(np.array([0.9, 0.9, 0.1]))
    pred._keras_mask = np.array([True, True, False])
    assert metrics.BinaryAccuracy()(np.array([1, 0, 1]), pred) == 0.5


def test_module_is_exposed():
    assert neuronet.metrics.get("mae").name == "mae"


# ---------------------------------------------------------------------------------------------------------
# Cross-entropies, MSLE, confusion counts
# ---------------------------------------------------------------------------------------------------------


def test_crossentropy_metrics_match_sklearn_log_loss(rng):
    y = rng.integers(0, 2, size=60)
    p = rng.uniform(0.05, 0.95, size=60)
    w = rng.uniform(0.2, 1, size=60)
    bce = metrics.BinaryCrossentropy()
    for s in _batches(60, 25):
        bce.update_state(y[s, None], p[s, None], sample_weight=w[s])
    assert bce.result() == pytest.approx(skm.log_loss(y, p, sample_weight=w), rel=1e-6)
    logits = np.log(p / (1 - p))
    assert metrics.BinaryCrossentropy(from_logits=True)(y, logits) == pytest.approx(skm.log_loss(y, p), rel=1e-6)

    labels = rng.integers(0, 4, size=50)
    probs = rng.dirichlet(np.ones(4), size=50)
    expected = skm.log_loss(labels, probs, labels=np.arange(4))
    assert metrics.CategoricalCrossentropy()(np.eye(4)[labels], probs) == pytest.approx(expected, rel=1e-6)
    assert metrics.SparseCategoricalCrossentropy()(labels[:, None], probs) == pytest.approx(expected, rel=1e-6)
    assert metrics.SparseCategoricalCrossentropy(from_logits=True)(labels, np.log(probs) + 3.0) == pytest.approx(
        expected, rel=1e-6)
    with pytest.raises(ValueError, match="label 7"):
        metrics.SparseCategoricalCrossentropy()(np.array([0, 7]), probs[:2])


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


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(metrics, extraglobs={"np": np}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("fn", [metrics.binary_accuracy, metrics.mean_squared_error, metrics.mean_absolute_error,
                                metrics.mean_absolute_percentage_error, metrics.mean_squared_logarithmic_error,
                                metrics.binary_crossentropy, metrics.accuracy])
def test_per_sample_functions_keep_float32(rng, fn):
    y = rng.integers(0, 2, size=(8, 3)).astype(np.float32)
    p = rng.uniform(0.1, 0.9, size=(8, 3)).astype(np.float32)
    out = fn(y, p)
    assert out.shape == (8,) and out.dtype == np.float32


def test_crossentropy_keeps_input_precision_and_runs_in_float64(rng, float64):
    labels = rng.integers(0, 3, size=8)
    p = rng.dirichlet(np.ones(3), size=8)
    onehot32, p32 = np.eye(3, dtype=np.float32)[labels], p.astype(np.float32)
    assert metrics.categorical_crossentropy(onehot32, p32).dtype == np.float32
    assert metrics.categorical_crossentropy(np.eye(3)[labels], p).dtype == np.float64
    assert metrics.categorical_accuracy(np.eye(3)[labels], p).dtype == np.float64  # floatx is float64 here
    expected = -np.mean(np.log(p[np.arange(8), labels]))
    assert metrics.SparseCategoricalCrossentropy()(labels, p) == pytest.approx(expected)


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_score_matches_sklearn_multilabel(rng, average):
    y = rng.integers(0, 2, size=(60, 4))
    p = rng.uniform(size=(60, 4))
    m = metrics.F1Score(average=average, threshold=0.5)
    for s in _batches(60, 25):
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


def test_r2_score_matches_sklearn(rng):
    y = rng.normal(size=(80, 2))
    p = y + rng.normal(scale=0.5, size=(80, 2))
    w = rng.uniform(size=80)
    for aggregation, sk in (("uniform_average", "uniform_average"), ("variance_weighted_average", "variance_weighted"),
                            (None, "raw_values")):
        m = metrics.R2Score(class_aggregation=aggregation)
        for s in _batches(80, 30):
            m.update_state(y[s], p[s], sample_weight=w[s])
        np.testing.assert_allclose(m.result(), skm.r2_score(y, p, sample_weight=w, multioutput=sk), rtol=1e-6)
    assert metrics.get("r2_score")(y[:, 0], p[:, 0]) == pytest.approx(skm.r2_score(y[:, 0], p[:, 0]))


def test_get_accepts_loss_functions_and_loss_objects(rng):
    y = rng.normal(size=(20, 2)).astype(np.float32)
    p = rng.normal(size=(20, 2)).astype(np.float32)
    w = rng.uniform(size=20)
    from_fn = metrics.get(neuronet.losses.mean_squared_error)
    from_obj = metrics.get(neuronet.losses.MeanSquaredError())
    expected = skm.mean_squared_error(y, p, sample_weight=w)
    assert from_fn.name == "mean_squared_error" and from_obj.name == "mean_squared_error"
    assert from_fn(y, p, sample_weight=w) == pytest.approx(expected, rel=1e-5)
    assert from_obj(y, p, sample_weight=w) == pytest.approx(expected, rel=1e-5)


def test_loss_like_metrics_match_torch(rng):
    torch = pytest.importorskip("torch")
    y01 = rng.integers(0, 2, size=(12, 3)).astype(np.float64)
    raw = rng.normal(size=(12, 3))
    probs = rng.dirichlet(np.ones(3), size=12)
    target = rng.dirichlet(np.ones(3), size=12)
    t = torch.from_numpy
    ypm = 2 * y01 - 1
    assert metrics.Hinge()(y01, raw) == pytest.approx(torch.clamp(1 - t(ypm) * t(raw), min=0).mean().item())
    squared = (torch.clamp(1 - t(ypm) * t(raw), min=0) ** 2).mean().item()
    assert metrics.SquaredHinge()(ypm, raw) == pytest.approx(squared)
    kl = torch.nn.functional.kl_div(t(np.log(probs)), t(target), reduction="batchmean").item()
    assert metrics.KLDivergence()(target, probs) == pytest.approx(kl, rel=1e-6)
    rates = np.abs(raw) + 0.1
    counts = rng.poisson(2.0, size=(12, 3)).astype(np.float64)
    expected = torch.nn.functional.poisson_nll_loss(t(rates), t(counts), log_input=False, eps=1e-7).item()
    assert metrics.Poisson()(counts, rates) == pytest.approx(expected, rel=1e-5)
    cos = torch.nn.functional.cosine_similarity(t(raw), t(probs), dim=-1).mean().item()
    assert metrics.CosineSimilarity()(raw, probs) == pytest.approx(cos, rel=1e-9)
    assert metrics.LogCoshError()(raw, probs) == pytest.approx(np.mean(np.log(np.cosh(probs - raw))), rel=1e-9)
    big = np.array([[1000.0]])
    assert np.isfinite(metrics.log_cosh(np.zeros((1, 1)), big)).all()
    onehot = np.eye(3)[rng.integers(0, 3, size=12)]
    expected = np.maximum((((1 - onehot) * raw).max(-1)) - (onehot * raw).sum(-1) + 1, 0).mean()
    assert metrics.CategoricalHinge()(onehot, raw) == pytest.approx(expected)
    assert metrics.get("kld").name == "kld" and metrics.get("logcosh").name == "logcosh"


def test_copies_have_independent_state():
    import copy

    for m in (metrics.Precision(), metrics.AUC(), metrics.Precision(thresholds=[0.3, 0.6]), metrics.BinaryAccuracy()):
        twin = copy.copy(m)
        twin.update_state([1, 0, 1], [0.9, 0.8, 0.2])
        assert np.all(np.asarray(m.result()) == 0.0)
        assert np.any(np.asarray(twin.result()) != 0.0)
