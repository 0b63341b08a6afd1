"""neuronet.losses: Keras values and semantics, gradients (float64), PyTorch where it has the same loss,
reductions, sample weights, errors and the registry."""

import json

import numpy as np
import pytest

import neuronet
from neuronet import Tensor, losses, ops
from neuronet.autograd import gradcheck

B, C = 5, 4


def _probs(rng, shape):
    e = np.exp(rng.normal(size=shape))
    return e / e.sum(-1, keepdims=True)


def _onehot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]


# ------------------------------------------------------------------ values Keras documents
def test_keras_documented_values():
    y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    y_pred = Tensor(np.array([[0.6, 0.4], [0.4, 0.6]]))
    np.testing.assert_allclose(losses.binary_crossentropy(y_true, y_pred).data, [0.916, 0.714], atol=1e-3)
    np.testing.assert_allclose(losses.huber(y_true, y_pred).data.mean(), 0.155, atol=1e-3)
    np.testing.assert_allclose(
        losses.log_cosh(np.array([[0.0, 1.0], [0.0, 0.0]]), Tensor(np.array([[1.0, 1.0], [0.0, 0.0]]))).data.mean(),
        0.108, atol=1e-3)
    cce = losses.categorical_crossentropy(np.array([[0, 1, 0], [0, 0, 1]]),
                                          Tensor(np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])))
    np.testing.assert_allclose(cce.data, [0.0513, 2.303], atol=1e-3)
    scce = losses.sparse_categorical_crossentropy(np.array([1, 2]),
                                                  Tensor(np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])))
    np.testing.assert_allclose(scce.data, [0.0513, 2.303], atol=1e-3)
    cos = losses.cosine_similarity(np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]]),
                                   Tensor(np.array([[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])))
    np.testing.assert_allclose(cos.data, [0.0, -1.0, 1.0], atol=1e-6)
    focal = losses.binary_focal_crossentropy(y_true, y_pred, gamma=2.0)
    np.testing.assert_allclose(focal.data, [0.330, 0.206], atol=1e-3)


def test_keras_formulas_written_out(rng):
    t, p = rng.uniform(0.1, 2.0, size=(B, C)), rng.uniform(0.1, 2.0, size=(B, C))
    eps = 1e-7
    expect = {
        losses.mean_squared_error: np.mean((t - p) ** 2, -1),
        losses.mean_absolute_error: np.mean(np.abs(t - p), -1),
        losses.mean_absolute_percentage_error: 100 * np.mean(np.abs((t - p) / t), -1),
        losses.mean_squared_logarithmic_error: np.mean((np.log(p + 1) - np.log(t + 1)) ** 2, -1),
        losses.poisson: np.mean(p - t * np.log(p + eps), -1),
        losses.log_cosh: np.mean(np.log(np.cosh(p - t)), -1),
        losses.kl_divergence: np.sum(np.clip(t, eps, 1) * np.log(np.clip(t, eps, 1) / np.clip(p, eps, 1)), -1),
        losses.hinge: np.mean(np.maximum(1 - t * p, 0), -1),
        losses.squared_hinge: np.mean(np.maximum(1 - t * p, 0) ** 2, -1),
        losses.categorical_hinge: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0),
        losses.cosine_similarity: -np.sum(t * p, -1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1),
    }
    for fn, value in expect.items():
        np.testing.assert_allclose(fn(t, Tensor(p)).data, value, rtol=1e-10, err_msg=fn.__name__)


def test_hinge_converts_01_labels():
    p = Tensor(np.array([[0.3, -0.8]]))
    np.testing.assert_allclose(losses.hinge(np.array([[1.0, 0.0]]), p).data,
                               losses.hinge(np.array([[1.0, -1.0]]), p).data)


# ------------------------------------------------------------------ gradients
def _grad_inputs(name, rng):
    """(y_true, y_pred) kept ≥ 0.1 away from every kink of the loss."""
    if name in ("binary_crossentropy", "binary_focal_crossentropy"):
        return rng.integers(0, 2, size=(B, C)).astype(float), rng.uniform(0.1, 0.9, size=(B, C))
    if name in ("categorical_crossentropy", "kl_divergence"):
        return _onehot(rng, (B, C)) * 0.8 + 0.05, _probs(rng, (B, C))
    if name == "hinge" or name == "squared_hinge":
        t = rng.choice([-1.0, 1.0], size=(B, C))
        return t, t * rng.choice([-1, 1], size=(B, C)) * rng.uniform(0.2, 0.8, size=(B, C)) + 0.0
    if name == "categorical_hinge":
        t = _onehot(rng, (B, C))
        return t, rng.permutation(np.arange(B * C)).reshape(B, C) * 0.15  # distinct values: no max ties
    if name == "huber":
        t = rng.normal(size=(B, C))
        e = rng.choice([-1, 1], size=(B, C)) * rng.choice([0.3, 0.6, 1.5, 2.5], size=(B, C))
        return t, t + e  # |error| away from delta = 1
    if name in ("mean_absolute_error", "mean_absolute_percentage_error"):
        t = rng.uniform(0.5, 2, size=(B, C))
        return t, t + rng.choice([-1, 1], size=(B, C)) * rng.uniform(0.1, 0.4, size=(B, C))
    if name in ("mean_squared_logarithmic_error", "poisson"):
        return rng.uniform(0.2, 2, size=(B, C)), rng.uniform(0.2, 2, size=(B, C))
    return rng.normal(size=(B, C)), rng.normal(size=(B, C))


ALL_FUNCTIONS = [losses.mean_squared_error, losses.mean_absolute_error, losses.mean_absolute_percentage_error,
                 losses.mean_squared_logarithmic_error, losses.binary_crossentropy, losses.binary_focal_crossentropy,
                 losses.categorical_crossentropy, losses.huber, losses.log_cosh, losses.kl_divergence, losses.hinge,
                 losses.squared_hinge, losses.categorical_hinge, losses.poisson, losses.cosine_similarity]


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_loss_gradchecks_on_predictions(fn, rng, float64):
    t, p = _grad_inputs(fn.__name__, rng)
    assert gradcheck(lambda x: fn(t, x), [p])


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy", "binary_focal_crossentropy"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropies_gradcheck_from_logits(name, smoothing, rng, float64):
    fn = getattr(losses, name)
    t = _onehot(rng, (B, C))
    assert gradcheck(lambda x: fn(t, x, from_logits=True, label_smoothing=smoothing), [rng.normal(size=(B, C)) * 2])


@pytest.mark.parametrize("from_logits", [True, False])
def test_sparse_ce_gradchecks(from_logits, rng, float64):
    labels = rng.integers(0, C, size=(B,))
    x = rng.normal(size=(B, C)) if from_logits else _probs(rng, (B, C))
    assert gradcheck(lambda a: losses.sparse_categorical_crossentropy(labels, a, from_logits=from_logits), [x])
    # a class axis that is not the last
    x3 = rng.normal(size=(2, C, 3))
    lab3 = rng.integers(0, C, size=(2, 3))
    assert gradcheck(lambda a: losses.sparse_categorical_crossentropy(lab3, a, from_logits=True, axis=1), [x3])


def test_gradient_with_respect_to_targets(rng, float64):
    t, p = rng.uniform(0.2, 0.8, size=(B, C)), rng.normal(size=(B, C))
    assert gradcheck(lambda a, b: losses.binary_crossentropy(a, b, from_logits=True), [t, p])
    assert gradcheck(lambda a, b: losses.mean_squared_error(a, b), [t, p])


def test_kinks_take_the_documented_side():
    # mae at zero error: gradient 0; huber at |e| = delta: the quadratic side (gradient e = delta)
    p = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    losses.mean_absolute_error(np.array([[1.0, 2.0]]), p).sum().backward()
    np.testing.assert_array_equal(p.grad, [[0.0, 0.0]])
    p = Tensor(np.array([[1.0]]), requires_grad=True)
    losses.huber(np.array([[0.0]]), p).sum().backward()
    np.testing.assert_allclose(p.grad, [[1.0]])


# ------------------------------------------------------------------ torch oracle
def _torch_pair(ours, theirs, y_true, y_pred, torch):
    a = Tensor(np.array(y_pred, dtype=np.float64), requires_grad=True)
    b = torch.tensor(np.array(y_pred, dtype=np.float64), requires_grad=True)
    ya = ours(y_true, a)
    yb = theirs(torch.tensor(y_true), b)
    np.testing.assert_allclose(ya.data, yb.detach().numpy(), atol=1e-6)
    ya.backward()
    yb.backward()
    np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=1e-6)


def test_losses_match_torch(rng, float64):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t, p = rng.normal(size=(B, C)), rng.normal(size=(B, C))
    _torch_pair(losses.MeanSquaredError(), F.mse_loss, t, p, torch)
    _torch_pair(losses.MeanAbsoluteError(), F.l1_loss, *_grad_inputs("mean_absolute_error", rng), torch)
    _torch_pair(losses.Huber(delta=1.0), lambda a, b: F.huber_loss(b, a, delta=1.0), *_grad_inputs("huber", rng), torch)
    _torch_pair(losses.Huber(delta=0.5), lambda a, b: F.huber_loss(b, a, delta=0.5), t, p, torch)
    z = rng.integers(0, 2, size=(B, C)).astype(float)
    _torch_pair(losses.BinaryCrossentropy(from_logits=True),
                lambda a, b: F.binary_cross_entropy_with_logits(b, a), z, p, torch)
    probs = rng.uniform(0.05, 0.95, size=(B, C))
    _torch_pair(losses.BinaryCrossentropy(), lambda a, b: F.binary_cross_entropy(b, a), z, probs, torch)
    onehot, labels = _onehot(rng, (B, C)), rng.integers(0, C, size=B)
    _torch_pair(losses.CategoricalCrossentropy(from_logits=True), lambda a, b: F.cross_entropy(b, a), onehot, p, torch)
    _torch_pair(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
                lambda a, b: F.cross_entropy(b, a, label_smoothing=0.1), onehot, p, torch)
    sm = _probs(rng, (B, C))
    # Keras divides probabilities by their sum first: the same in value, not in gradient, as nll_loss(log p)
    _torch_pair(losses.CategoricalCrossentropy(), lambda a, b: F.nll_loss(torch.log(b / b.sum(-1, keepdim=True)),
                                                                        a.argmax(-1)), onehot, sm, torch)
    _torch_pair(losses.SparseCategoricalCrossentropy(from_logits=True), lambda a, b: F.cross_entropy(b, a), labels, p,
                torch)
    _torch_pair(losses.SparseCategoricalCrossentropy(),
                lambda a, b: F.nll_loss(torch.log(b / b.sum(-1, keepdim=True)), a), labels, sm, torch)
    _torch_pair(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1),
                lambda a, b: F.cross_entropy(b, a, ignore_index=1), np.array([0, 1, 2, 1, 3]), p, torch)
    target = _probs(rng, (B, C))
    _torch_pair(losses.KLDivergence(), lambda a, b: F.kl_div(torch.log(b), a, reduction="sum") / B, target, sm, torch)
    counts = rng.integers(0, 4, size=(B, C)).astype(float)
    _torch_pair(losses.Poisson(), lambda a, b: F.poisson_nll_loss(b, a, log_input=False, eps=1e-7), counts,
                rng.uniform(0.2, 3, size=(B, C)), torch)
    _torch_pair(losses.CosineSimilarity(), lambda a, b: -F.cosine_similarity(a, b, dim=-1).mean(), t, p, torch)


# ------------------------------------------------------------------ shapes, reduction, weights
def test_rank_one_targets_against_one_column_predictions(rng):
    y = rng.integers(0, 2, size=8).astype(float)
    p = Tensor(rng.uniform(0.1, 0.9, size=(8, 1)))
    assert losses.binary_crossentropy(y, p).shape == (8,)
    np.testing.assert_allclose(losses.mean_squared_error(y, p).data, (y - p.data[:, 0]) ** 2)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"mean_squared_error: expected y_true with the shape of y_pred \(4, 3\)"):
        losses.mean_squared_error(np.zeros((4, 2)), Tensor(np.zeros((4, 3))))
    with pytest.raises(ValueError, match="use sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(np.zeros((4, 1)), Tensor(np.full((4, 3), 1 / 3)))


def test_reductions_and_sample_weight(rng):
    y, p = rng.normal(size=(B, 2)), Tensor(rng.normal(size=(B, 2)))
    per = losses.mean_squared_error(y, p).data
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p).data, per.mean())
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="sum")(y, p).data, per.sum())
    np.testing.assert_allclose(losses.MeanSquaredError(reduction=None)(y, p).data, per)
    w = rng.uniform(size=B)
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p, sample_weight=w).data, (per * w).sum() / B)
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p, sample_weight=w[:, None]).data, (per * w).sum() / B)
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="mean_with_sample_weight")(y, p, w).data,
                               (per * w).sum() / w.sum())
    with pytest.raises(ValueError, match="sample_weight of shape"):
        losses.MeanSquaredError()(y, p, sample_weight=np.ones(B + 1))
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_sequence_losses_average_over_every_entry(rng):
    y, p = rng.normal(size=(2, 3, 4)), Tensor(rng.normal(size=(2, 3, 4)))
    per = losses.mean_squared_error(y, p)
    assert per.shape == (2, 3)
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p).data, per.data.mean())
    w = np.array([1.0, 0.0])  # per sample, broadcast over time steps
    np.testing.assert_allclose(losses.MeanSquaredError()(y, p, sample_weight=w).data, per.data[0].sum() / 6)


def test_ignore_class_divides_by_the_kept_entries(rng):
    x = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    labels = np.array([0, -1, 2, -1])
    per = losses.sparse_categorical_crossentropy(labels, x, from_logits=True, ignore_class=-1)
    assert per.data[1] == 0 and per.data[3] == 0
    value = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, x)
    np.testing.assert_allclose(value.data, per.data.sum() / 2)
    value.backward()
    np.testing.assert_array_equal(x.grad[[1, 3]], 0)


def test_sparse_labels_out_of_range():
    x = Tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: expected labels in \[0, 3\).*"
                                         r"received label 3 at index \(2,\)"):
        losses.sparse_categorical_crossentropy(np.array([0, 1, 3, 7]), x)
    with pytest.raises(ValueError, match="received label -1 at index"):
        losses.SparseCategoricalCrossentropy()(np.array([[0], [-1], [1], [2]]), x)
    with pytest.raises(ValueError, match="expected integer class labels, received 1.5"):
        losses.sparse_categorical_crossentropy(np.array([0, 1.5, 1, 2]), x)
    with pytest.raises(ValueError, match=r"expected integer labels of shape \(4,\)"):
        losses.sparse_categorical_crossentropy(np.array([0, 1]), x)


def test_probability_path_clips_like_keras():
    # p = 0 and 1 are clipped to [1e-7, 1 - 1e-7]: a finite loss of -log(1e-7)
    value = losses.binary_crossentropy(np.array([[1.0, 0.0]]), Tensor(np.array([[0.0, 1.0]])))
    np.testing.assert_allclose(value.data, [-np.log(1e-7)], rtol=1e-6)
    value = losses.categorical_crossentropy(np.array([[1.0, 0.0]]), Tensor(np.array([[0.0, 1.0]])))
    np.testing.assert_allclose(value.data, [-np.log(1e-7)], rtol=1e-6)


def test_label_smoothing_formulas(rng):
    z, x = rng.integers(0, 2, size=(B, C)).astype(float), Tensor(rng.normal(size=(B, C)))
    np.testing.assert_allclose(losses.binary_crossentropy(z, x, from_logits=True, label_smoothing=0.2).data,
                               losses.binary_crossentropy(z * 0.8 + 0.1, x, from_logits=True).data)
    y = _onehot(rng, (B, C))
    np.testing.assert_allclose(losses.categorical_crossentropy(y, x, from_logits=True, label_smoothing=0.2).data,
                               losses.categorical_crossentropy(y * 0.8 + 0.2 / C, x, from_logits=True).data)
    with pytest.raises(ValueError, match="label_smoothing in \\[0, 1\\], received 1.5"):
        losses.BinaryCrossentropy(label_smoothing=1.5)


def test_float32_stays_float32(rng):
    x = Tensor(rng.normal(size=(B, C)).astype(np.float32), requires_grad=True)
    y = _onehot(rng, (B, C))  # float64 targets must not promote the loss
    for loss in (losses.CategoricalCrossentropy(from_logits=True), losses.BinaryCrossentropy(from_logits=True),
                 losses.MeanSquaredError(), losses.Huber(), losses.LogCosh(), losses.CosineSimilarity()):
        value = loss(y, x, sample_weight=np.ones(B))
        assert value.dtype == np.float32, loss.name
        x.grad = None
        value.backward()
        assert x.grad.dtype == np.float32
    assert losses.SparseCategoricalCrossentropy(from_logits=True)(np.arange(B) % C, x).dtype == np.float32


# ------------------------------------------------------------------ logits left on the tensor by sigmoid/softmax
SATURATED = np.array([[50.0, -50.0, 2.0], [-50.0, 50.0, -1.0], [50.0, 0.5, -50.0], [-3.0, -50.0, 50.0]])


def _value_and_grad(loss_of, x):
    """The loss of the Tensor ``x`` (requires grad) and d(sum loss)/dx."""
    t = Tensor(x, requires_grad=True)
    value = loss_of(t)
    value.sum().backward()
    return value.data, t.grad


def _assert_same(through_activation, from_logits, x=SATURATED):
    v1, g1 = _value_and_grad(through_activation, x)
    v2, g2 = _value_and_grad(from_logits, x)
    np.testing.assert_allclose(v1, v2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-12)


def test_sigmoid_and_softmax_leave_their_logits():
    x = Tensor(SATURATED)
    p = ops.sigmoid(x)
    assert p._keras_logits is x and getattr(p, "_keras_logits_axis", None) is None
    q = ops.softmax(x, axis=-1)
    assert q._keras_logits is x and q._keras_logits_axis == 1
    assert getattr(x * 1.0, "_keras_logits", None) is None  # any other op makes a tensor without them


def test_bce_of_a_sigmoid_is_the_bce_of_its_logits_where_probabilities_saturate(float64):
    z = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])  # ±50 on both sides
    _assert_same(lambda t: losses.binary_crossentropy(z, ops.sigmoid(t)),
                 lambda t: losses.binary_crossentropy(z, t, from_logits=True))
    # the probabilities alone saturate: σ(±50) rounds to 1 or 0, clipped to 1 - 1e-7 or 1e-7
    probs_only = losses.binary_crossentropy(z, ops.sigmoid(Tensor(SATURATED)).data).data
    exact = losses.binary_crossentropy(z, Tensor(SATURATED), from_logits=True).data
    assert np.all(probs_only[[0, 1, 3]] < exact[[0, 1, 3]] - 5.0)
    # the loss classes: sample weights, a mask, label smoothing and another axis
    w, mask = np.array([1.0, 0.5, 2.0, 0.0]), np.array([True, True, False, True])

    def with_mask(t):
        t._keras_mask = mask
        return t

    for kwargs, sw in (({}, w), ({"label_smoothing": 0.1}, w), ({"axis": 0}, w[:3])):  # axis 0: 3 per-column losses
        _assert_same(lambda t: losses.BinaryCrossentropy(**kwargs)(z, ops.sigmoid(t), sample_weight=sw),
                     lambda t: losses.BinaryCrossentropy(from_logits=True, **kwargs)(z, t, sample_weight=sw))
    _assert_same(lambda t: losses.BinaryCrossentropy()(z, with_mask(ops.sigmoid(t))),
                 lambda t: losses.BinaryCrossentropy(from_logits=True)(z, with_mask(t * 1.0)))
    _assert_same(lambda t: losses.BinaryCrossentropy()(z, ops.sigmoid(t)),  # the fused batch mean
                 lambda t: losses.BinaryCrossentropy(from_logits=True)(z, t))


def test_categorical_and_sparse_ce_of_a_softmax_are_computed_from_its_logits(float64):
    labels = np.array([1, 0, 2, 0])  # 50 is the right class in two rows, far off in the others
    onehot = np.eye(3)[labels]
    _assert_same(lambda t: losses.categorical_crossentropy(onehot, ops.softmax(t)),
                 lambda t: losses.categorical_crossentropy(onehot, t, from_logits=True))
    _assert_same(lambda t: losses.sparse_categorical_crossentropy(labels, ops.softmax(t)),
                 lambda t: losses.sparse_categorical_crossentropy(labels, t, from_logits=True))
    probs_only = losses.categorical_crossentropy(onehot, ops.softmax(Tensor(SATURATED)).data).data
    exact = losses.categorical_crossentropy(onehot, Tensor(SATURATED), from_logits=True).data
    assert exact[2] > 99.0 and probs_only[2] < 17.0  # -log(1e-7) ≈ 16.1: the clipped probability path
    w = np.array([1.0, 0.5, 2.0, 0.0])
    for kwargs in ({}, {"label_smoothing": 0.2}):
        _assert_same(lambda t: losses.CategoricalCrossentropy(**kwargs)(onehot, ops.softmax(t), sample_weight=w),
                     lambda t: losses.CategoricalCrossentropy(from_logits=True, **kwargs)(onehot, t, sample_weight=w))
    _assert_same(lambda t: losses.SparseCategoricalCrossentropy()(labels, ops.softmax(t), sample_weight=w),
                 lambda t: losses.SparseCategoricalCrossentropy(from_logits=True)(labels, t, sample_weight=w))
    ignored = np.array([1, -1, 2, 0])
    _assert_same(lambda t: losses.SparseCategoricalCrossentropy(ignore_class=-1)(ignored, ops.softmax(t)),
                 lambda t: losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(ignored, t))
    # a class axis that is not the last: (batch, classes, steps), softmax and loss over axis 1
    x3 = np.stack([SATURATED.T[:, :2], -SATURATED.T[:, 2:]], axis=0)  # (2, 3, 2)
    lab3 = np.array([[0, 1], [2, 0]])
    one3 = np.moveaxis(np.eye(3)[lab3], -1, 1)
    _assert_same(lambda t: losses.categorical_crossentropy(one3, ops.softmax(t, axis=1), axis=1),
                 lambda t: losses.categorical_crossentropy(one3, t, from_logits=True, axis=1), x3)
    _assert_same(lambda t: losses.sparse_categorical_crossentropy(lab3, ops.softmax(t, axis=1), axis=1),
                 lambda t: losses.sparse_categorical_crossentropy(lab3, t, from_logits=True, axis=1), x3)


def test_logits_of_another_kind_or_axis_are_not_used(float64):
    labels = np.array([1, 0, 2, 0])
    onehot = np.eye(3)[labels]
    # a softmax over axis 0 is not the distribution a cross-entropy over axis 1 reads
    p = ops.softmax(Tensor(SATURATED), axis=0)
    np.testing.assert_array_equal(losses.categorical_crossentropy(onehot, p).data,
                                  losses.categorical_crossentropy(onehot, p.data).data)
    np.testing.assert_array_equal(losses.sparse_categorical_crossentropy(labels, p).data,
                                  losses.sparse_categorical_crossentropy(labels, p.data).data)
    # sigmoid outputs under a categorical loss, softmax outputs under a binary one: the probabilities count
    s = ops.sigmoid(Tensor(SATURATED))
    np.testing.assert_array_equal(losses.categorical_crossentropy(onehot, s).data,
                                  losses.categorical_crossentropy(onehot, s.data).data)
    q = ops.softmax(Tensor(SATURATED))
    np.testing.assert_array_equal(losses.binary_crossentropy(onehot, q).data,
                                  losses.binary_crossentropy(onehot, q.data).data)
    # from_logits=True reads y_pred itself as logits, as the user said
    np.testing.assert_array_equal(losses.binary_crossentropy(onehot, s, from_logits=True).data,
                                  losses.binary_crossentropy(onehot, Tensor(s.data), from_logits=True).data)


def test_logits_survive_the_loss_dtype_cast(rng):
    x = Tensor(SATURATED.astype(np.float32), requires_grad=True)
    z = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    value = losses.BinaryCrossentropy(dtype="float64")(z, ops.sigmoid(x))
    assert value.dtype == np.float64
    expected = losses.BinaryCrossentropy(from_logits=True)(z, Tensor(SATURATED))
    np.testing.assert_allclose(value.data, expected.data, rtol=1e-6)
    value.backward()
    assert x.grad.dtype == np.float32 and np.abs(x.grad).max() > 0.01  # no saturation: the gradient flows


# ------------------------------------------------------------------ registry
def test_get_names_aliases_and_objects():
    assert isinstance(losses.get("binary_crossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert losses.get("mse").name == "mean_squared_error"
    assert isinstance(losses.get("sparse_categorical_crossentropy"), losses.SparseCategoricalCrossentropy)
    assert isinstance(losses.get(losses.categorical_crossentropy), losses.CategoricalCrossentropy)
    loss = losses.Huber()
    assert losses.get(loss) is loss
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    assert losses.get(None) is None
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.kld is losses.kl_divergence


def test_get_wraps_a_plain_function(rng):
    def my_loss(y_true, y_pred):
        return ops.mean(ops.abs(y_pred - y_true), axis=-1)

    loss = losses.get(my_loss)
    assert loss.name == "my_loss"
    y, p = rng.normal(size=(B, 2)), Tensor(rng.normal(size=(B, 2)))
    np.testing.assert_allclose(loss(y, p).data, np.abs(p.data - y).mean())


def test_get_unknown_name():
    with pytest.raises(ValueError, match=r"unknown loss 'binary_crosentropy' \(did you mean 'binary_crossentropy'\?\)"):
        losses.get("binary_crosentropy")
    with pytest.raises(ValueError, match=r"^losses.get: unknown loss 'hinje' \(did you mean 'hinge'\?\); "
                                         r"all names: neuronet.losses.ALL_NAMES$") as err:
        losses.get("hinje")  # one short line, not every valid name
    assert len(str(err.value)) < 120
    for name in losses.ALL_NAMES:
        assert isinstance(losses.get(name), losses.Loss)
    with pytest.raises(TypeError):
        losses.get(3)


@pytest.mark.parametrize("cls", sorted(losses._CLASSES.values(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_serialize_roundtrip(cls):
    loss = cls()
    blob = json.loads(json.dumps(losses.serialize(loss)))
    again = losses.deserialize(blob)
    assert type(again) is cls and again.get_config() == loss.get_config()
    assert again.name == loss.name


def test_config_keeps_arguments_and_attributes():
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert loss.from_logits and loss.name == "binary_crossentropy"
    assert loss.get_config()["label_smoothing"] == 0.1
    again = losses.deserialize(losses.serialize(loss))
    assert again.from_logits and again.label_smoothing == 0.1
    assert losses.SparseCategoricalCrossentropy(ignore_class=255).get_config()["ignore_class"] == 255
    assert losses.Huber().name == "huber_loss"
    with pytest.raises(ValueError, match="unknown loss class 'Nope'"):
        losses.deserialize({"class_name": "Nope", "config": {}})


def test_loss_value_flows_into_a_variable():
    w = neuronet.Variable(np.array([[0.5, -0.5]], dtype=np.float32))
    loss = losses.CategoricalCrossentropy(from_logits=True)(np.array([[1.0, 0.0]]), w * 1.0)
    loss.backward()
    p = np.exp([0.5, -0.5]) / np.exp([0.5, -0.5]).sum()
    np.testing.assert_allclose(w.grad, [p - [1.0, 0.0]], rtol=1e-6)


def test_keras_mask_on_predictions_excludes_entries(rng):
    y, x = rng.normal(size=(2, 3, 4)), Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    mask = np.array([[True, True, False], [True, False, False]])
    x._keras_mask = mask
    value = losses.MeanSquaredError()(y, x)
    per = ((y - x.data) ** 2).mean(-1)
    np.testing.assert_allclose(value.data, per[mask].sum() / 3)
    value.backward()
    assert np.all(x.grad[~mask] == 0) and np.all(x.grad[mask] != 0)
    x._keras_mask = np.ones(7, dtype=bool)  # a mask of another shape is not applied
    np.testing.assert_allclose(losses.MeanSquaredError()(y, x).data, per.mean())


def test_from_keras_style_config():
    config = {"name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True,
              "label_smoothing": 0.0, "axis": -1, "fn": "binary_crossentropy",
              "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}}
    loss = losses.deserialize({"class_name": "BinaryCrossentropy", "config": config})
    assert loss.from_logits and loss.dtype == "float32"


def test_prediction_mask_survives_a_dtype_cast():
    y_pred = Tensor(np.array([[0.2], [0.9], [0.5]], dtype="float32"))
    y_pred._keras_mask = np.array([True, True, False])
    y_true = np.array([[0.0], [1.0], [1.0]])
    kept = losses.MeanSquaredError(dtype="float64")(y_true[:2], y_pred.data[:2]).item()
    masked = losses.MeanSquaredError(dtype="float64")(y_true, y_pred).item()
    assert masked == pytest.approx(kept)


# ------------------------------------------------------------------ Dice, Tversky, focal and generalized CE, CTC
def _tversky_numpy(y, p, alpha, beta, axis):
    tp = (y * p).sum(axis=axis)
    return 1 - tp / (tp + alpha * (y * (1 - p)).sum(axis=axis) + beta * (p * (1 - y)).sum(axis=axis) + 1e-7)


@pytest.mark.parametrize("axis", [None, (1, 2)])
def test_dice_and_tversky_match_numpy_and_gradcheck(float64, rng, axis):
    y = rng.integers(0, 2, size=(3, 4, 2)).astype("float64")
    p = rng.uniform(0.1, 0.9, size=(3, 4, 2))
    dice_numpy = 1 - 2 * (y * p).sum(axis=axis) / (y.sum(axis=axis) + p.sum(axis=axis) + 1e-7)
    np.testing.assert_allclose(losses.dice(y, p, axis=axis).data, dice_numpy, rtol=1e-12)
    np.testing.assert_allclose(losses.tversky(y, p, 0.3, 0.7, axis=axis).data, _tversky_numpy(y, p, 0.3, 0.7, axis),
                               rtol=1e-12)
    # alpha = beta = 0.5 is the Dice loss
    np.testing.assert_allclose(losses.tversky(y, p, axis=axis).data, dice_numpy, rtol=1e-6)  # ε placed apart
    np.testing.assert_allclose(losses.Dice(axis=axis)(y, p).data, np.mean(dice_numpy), rtol=1e-12)
    gradcheck(lambda t: losses.Tversky(alpha=0.2, beta=0.8, axis=axis)(y, t), [p])
    gradcheck(lambda t: losses.Dice(axis=axis)(y, t), [p])


def test_categorical_focal_crossentropy_matches_numpy_and_gradcheck(float64, rng):
    y = np.eye(C)[rng.integers(0, C, size=B)]
    p = _probs(rng, (B, C))
    expected = (0.25 * (1 - p) ** 2 * -y * np.log(p)).sum(-1)
    np.testing.assert_allclose(losses.categorical_focal_crossentropy(y, p).data, expected, rtol=1e-10)
    # gamma = 0 and alpha = 1: the categorical cross-entropy
    np.testing.assert_allclose(losses.categorical_focal_crossentropy(y, p, alpha=1.0, gamma=0.0).data,
                               losses.categorical_crossentropy(y, p).data, rtol=1e-10)
    logits = rng.normal(size=(B, C))
    loss = losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1, gamma=1.5)
    gradcheck(lambda t: loss(y, t), [logits])
    with pytest.raises(ValueError, match="expected gamma >= 0"):
        losses.CategoricalFocalCrossentropy(gamma=-1)


def test_generalized_cross_entropy_matches_numpy_and_gradcheck(float64, rng):
    labels = rng.integers(0, C, size=B)
    p = _probs(rng, (B, C))
    expected = (1 - p[np.arange(B), labels] ** 0.3) / 0.3
    np.testing.assert_allclose(losses.categorical_generalized_cross_entropy(labels, p, q=0.3).data, expected)
    np.testing.assert_allclose(losses.CategoricalGeneralizedCrossEntropy(q=0.3)(labels[:, None], p).data,
                               expected.mean())
    gradcheck(lambda t: losses.CategoricalGeneralizedCrossEntropy()(labels, t), [p])
    with pytest.raises(ValueError, match="expected q in \\(0, 1\\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)
    with pytest.raises(ValueError, match="expected integer labels of shape \\(5,\\)"):
        losses.categorical_generalized_cross_entropy(np.zeros((B, C)), p, q=0.5)


def test_ctc_loss_counts_non_zero_labels(float64, rng):
    labels = np.array([[1, 2, 0], [3, 0, 0]])
    logits = rng.normal(size=(2, 5, 4))
    expected = ops.ctc_loss(labels, logits, np.array([2, 1]), np.array([5, 5])).data
    np.testing.assert_allclose(losses.ctc(labels, logits).data, expected)
    gradcheck(lambda t: losses.CTC()(labels, t), [logits])
    with pytest.raises(ValueError, match="ctc: expected y_true"):
        losses.ctc(labels[0], logits)


@pytest.mark.parametrize("name", ["dice", "tversky", "categorical_focal_crossentropy", "ctc",
                                  "categorical_generalized_cross_entropy"])
def test_new_losses_by_name_and_config_round_trip(name):
    loss = losses.get(name)
    assert loss.name == name
    config = json.loads(json.dumps(losses.serialize(loss)))
    again = losses.deserialize(config)
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


def _circle_numpy(labels, emb, gamma, margin):
    d = np.maximum(1 - emb @ emb.T, 0)
    pos = (labels[:, None] == labels[None, :]) & ~np.eye(len(labels), dtype=bool)
    neg = labels[:, None] != labels[None, :]
    out = []
    for i in range(len(labels)):
        sp = -gamma * np.maximum(margin + d[i], 0) * (margin - d[i])
        sn = gamma * np.maximum(1 + margin - d[i], 0) * (1 - margin - d[i])
        lse = lambda v, m: np.log(np.exp(v[m]).sum()) if m.any() else -np.inf  # noqa: E731
        out.append(np.logaddexp(0, lse(sp, pos[i]) + lse(sn, neg[i])))
    return np.array(out)


def test_circle_loss_matches_numpy_and_gradcheck(float64, rng):
    emb = rng.normal(size=(6, 4))
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    labels = np.array([0, 1, 0, 2, 1, 3])  # classes 2 and 3 have no positive: 0, masked out of the mean
    want = _circle_numpy(labels, emb, 10.0, 0.3)
    per_sample = losses.circle(labels, emb, gamma=10.0, margin=0.3)
    np.testing.assert_allclose(per_sample.data, want, rtol=1e-10, atol=1e-12)
    assert want[3] == 0 and want[5] == 0
    np.testing.assert_allclose(losses.Circle(gamma=10.0, margin=0.3)(labels, emb).data, want[want > 0].mean())
    gradcheck(lambda t: losses.Circle(gamma=10.0, margin=0.3)(labels, t), [emb])
    assert losses.get("circle").name == "circle"
    config = losses.Circle(remove_diagonal=False).get_config()
    assert losses.Circle.from_config(config).get_config() == config
