"""Cross-entropy, divergence and hinge metrics against scikit-learn and PyTorch."""

import numpy as np
import pytest

import neuronet
from neuronet import metrics
from neuronet.autograd import Tensor

skm = pytest.importorskip("sklearn.metrics")


def test_crossentropy_metrics_match_sklearn_log_loss(rng, batches):
    y = rng.integers(0, 2, size=60)
    p = rng.uniform(0.05, 0.95, size=60)
    w = rng.uniform(0.2, 1, size=60)
    bce = metrics.BinaryCrossentropy()
    for s in batches(60, 25):
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


def test_crossentropy_keeps_input_precision_and_runs_in_float64(rng, float64):
    labels = rng.integers(0, 3, size=8)
    p = rng.dirichlet(np.ones(3), size=8)
    onehot32, p32 = np.eye(3, dtype=np.float32)[labels], p.astype(np.float32)
    assert metrics.categorical_crossentropy(onehot32, p32).dtype == np.float32
    assert metrics.categorical_crossentropy(np.eye(3)[labels], p).dtype == np.float64
    assert metrics.categorical_accuracy(np.eye(3)[labels], p).dtype == np.float64  # floatx is float64 here
    expected = -np.mean(np.log(p[np.arange(8), labels]))
    assert metrics.SparseCategoricalCrossentropy()(labels, p) == pytest.approx(expected)


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



LOSS_METRICS = [
    (metrics.MeanSquaredError, neuronet.losses.MeanSquaredError), (metrics.MeanAbsoluteError,
                                                                  neuronet.losses.MeanAbsoluteError),
    (metrics.MeanAbsolutePercentageError, neuronet.losses.MeanAbsolutePercentageError),
    (metrics.MeanSquaredLogarithmicError, neuronet.losses.MeanSquaredLogarithmicError),
    (metrics.LogCoshError, neuronet.losses.LogCosh), (metrics.BinaryCrossentropy, neuronet.losses.BinaryCrossentropy),
    (metrics.CategoricalCrossentropy, neuronet.losses.CategoricalCrossentropy),
    (metrics.KLDivergence, neuronet.losses.KLDivergence), (metrics.Poisson, neuronet.losses.Poisson),
    (metrics.Hinge, neuronet.losses.Hinge), (metrics.SquaredHinge, neuronet.losses.SquaredHinge),
    (metrics.CategoricalHinge, neuronet.losses.CategoricalHinge),
]


def test_loss_metrics_are_the_loss_functions():
    for name in ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "log_cosh", "binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge", "squared_hinge",
                 "categorical_hinge"):
        assert getattr(metrics, name) is getattr(neuronet.losses, name), name


@pytest.mark.parametrize("metric_cls,loss_cls", LOSS_METRICS, ids=lambda c: c.__name__)
def test_a_loss_metric_equals_its_loss_weighted_by_samples(rng, metric_cls, loss_cls):
    y = np.eye(4)[rng.integers(0, 4, size=12)] * 0.9 + 0.025
    p = rng.dirichlet(np.ones(4), size=12).astype(np.float32)
    w = rng.uniform(0.1, 2.0, size=12)
    metric = metric_cls()(y, p, sample_weight=w)
    loss = loss_cls(reduction="mean_with_sample_weight")(y, p, sample_weight=w).item()  # Σ w·l / Σ w
    assert metric == pytest.approx(loss, rel=1e-6)
    assert metric_cls()(y, p) == pytest.approx(loss_cls()(y, p).item(), rel=1e-6)
    sparse = metrics.SparseCategoricalCrossentropy()(y.argmax(-1), p, sample_weight=w)
    expected = neuronet.losses.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight")(y.argmax(-1), p, w)
    assert sparse == pytest.approx(expected.item(), rel=1e-6)


def test_crossentropy_metrics_read_the_logits_a_sigmoid_or_softmax_left():
    logits = np.array([[50.0, -50.0], [-50.0, 3.0]])
    z = np.array([[0.0, 1.0], [1.0, 1.0]])
    exact = neuronet.losses.binary_crossentropy(z, Tensor(logits), from_logits=True).data.mean()
    assert metrics.BinaryCrossentropy()(z, neuronet.ops.sigmoid(Tensor(logits))) == pytest.approx(exact, rel=1e-6)
    clipped = metrics.BinaryCrossentropy()(z, neuronet.ops.sigmoid(Tensor(logits)).data)  # probabilities only
    assert clipped < exact - 10
    labels = np.array([1, 0])
    exact = neuronet.losses.sparse_categorical_crossentropy(labels, Tensor(logits), from_logits=True).data.mean()
    got = metrics.SparseCategoricalCrossentropy()(labels, neuronet.ops.softmax(Tensor(logits)))
    assert got == pytest.approx(exact, rel=1e-6)


def test_sparse_crossentropy_metric_leaves_the_ignored_class_out(rng):
    labels = np.array([0, 1, 2, 1])
    p = rng.dirichlet(np.ones(3), size=4)
    per = -np.log(p[np.arange(4), labels])
    m = metrics.SparseCategoricalCrossentropy(ignore_class=1)
    assert m(labels, p) == pytest.approx((per[0] + per[2]) / 2)
    m = metrics.SparseCategoricalCrossentropy(ignore_class=1)
    w = np.array([1.0, 1.0, 2.0, 1.0])
    assert m(labels, p, sample_weight=w) == pytest.approx((per[0] + 2 * per[2]) / 3)  # Keras gives this too
    assert metrics.deserialize(metrics.serialize(m)).get_config() == m.get_config()
