"""Cross-entropy, divergence and hinge metrics against scikit-learn and PyTorch."""

import numpy as np
import pytest

from neuronet import metrics

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

