"""The fused loss kernels of neuronet/ops/losses.py: gradchecked, equal to their composed twins, stable,
and equal to PyTorch where it has the same function."""

import numpy as np
import pytest

from neuronet import Tensor, ops
from neuronet.autograd import gradcheck
from neuronet.ops import losses as K

SHAPES = [(4, 3), (2, 3, 5), (6, 1)]


def _logits(rng, shape):
    return rng.normal(size=shape) * 2.0


def _onehot(rng, shape, axis=-1):
    k = shape[axis]
    labels = rng.integers(0, k, size=np.delete(np.array(shape), axis % len(shape)))
    return np.moveaxis(np.eye(k)[labels], -1, axis)


def _probs(rng, shape, axis=-1):
    e = np.exp(rng.normal(size=shape))
    return e / e.sum(axis=axis, keepdims=True)


def _t(x):
    return Tensor(np.array(x, dtype=np.float64), requires_grad=True)


# composed twins, built only from primitive ops --------------------------------------------------
def _composed_sigmoid_bce(x, z, axis=-1):
    # -z log σ(x) - (1-z) log(1-σ(x)) = softplus(x) - x z, softplus via max + log1p(exp(-|x|))
    return ops.mean(ops.maximum(x, 0.0) - x * z + ops.log1p(ops.exp(-ops.abs(x))), axis=axis)


def _composed_softmax_ce(x, y, axis=-1):
    shifted = x - np.max(x.data, axis=axis, keepdims=True)  # a constant shift: softmax is unchanged
    log_p = shifted - ops.log(ops.sum(ops.exp(shifted), axis=axis, keepdims=True))
    return -ops.sum(y * log_p, axis=axis)


def _composed_bce_probs(p, z, axis=-1, eps=1e-7):
    c = ops.clip(p, eps, 1 - eps)
    return -ops.mean(z * ops.log(c) + (1 - z) * ops.log(1 - c), axis=axis)


def _composed_cce_probs(p, y, axis=-1, eps=1e-7):
    q = p / ops.sum(p, axis=axis, keepdims=True)
    return -ops.sum(y * ops.log(ops.clip(q, eps, 1 - eps)), axis=axis)


def _assert_twins(fused, composed, inputs):
    a = [_t(x) for x in inputs]
    b = [_t(x) for x in inputs]
    ya, yb = fused(*a), composed(*b)
    np.testing.assert_allclose(ya.data, yb.data, rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(0).normal(size=ya.shape)
    (ya * w).sum().backward()
    (yb * w).sum().backward()
    for ta, tb in zip(a, b):
        assert (ta.grad is None) == (tb.grad is None)
        if ta.grad is not None:
            np.testing.assert_allclose(ta.grad, tb.grad, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", SHAPES)
def test_sigmoid_bce_gradcheck_and_twin(shape, rng):
    x, z = _logits(rng, shape), rng.uniform(size=shape)
    assert gradcheck(lambda a, b: K.sigmoid_binary_crossentropy(a, b), [x, z])
    _assert_twins(K.sigmoid_binary_crossentropy, _composed_sigmoid_bce, [x, z])


@pytest.mark.parametrize("shape", SHAPES[:2])
@pytest.mark.parametrize("axis", [-1, 1])
def test_softmax_ce_gradcheck_and_twin(shape, axis, rng):
    x, y = _logits(rng, shape), _onehot(rng, shape, axis)
    assert gradcheck(lambda a, b: K.softmax_crossentropy(a, b, axis=axis), [x, y])
    _assert_twins(lambda a, b: K.softmax_crossentropy(a, b, axis=axis),
                  lambda a, b: _composed_softmax_ce(a, b, axis=axis), [x, y])


def test_softmax_ce_gradient_is_softmax_minus_targets(rng):
    x, y = _logits(rng, (5, 4)), _onehot(rng, (5, 4))
    t = _t(x)
    K.softmax_crossentropy(t, y).sum().backward()
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    np.testing.assert_allclose(t.grad, p - y, atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 6)])
def test_sparse_softmax_ce_gradcheck_and_twin(shape, rng):
    x = _logits(rng, shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    assert gradcheck(lambda a: K.sparse_softmax_crossentropy(a, labels), [x])
    onehot = np.eye(shape[-1])[labels]
    _assert_twins(lambda a: K.sparse_softmax_crossentropy(a, labels),
                  lambda a: _composed_softmax_ce(a, onehot), [x])


@pytest.mark.parametrize("shape", SHAPES)
def test_bce_probs_gradcheck_and_twin(shape, rng):
    p, z = rng.uniform(0.1, 0.9, size=shape), rng.uniform(size=shape)
    assert gradcheck(lambda a, b: K.binary_crossentropy_probs(a, b), [p, z])
    _assert_twins(K.binary_crossentropy_probs, _composed_bce_probs, [p, z])


def test_bce_probs_clipped_entries_get_no_gradient():
    p = _t([[0.0, 1.0, 0.5]])
    y = K.binary_crossentropy_probs(p, np.array([[1.0, 0.0, 1.0]]))
    y.sum().backward()
    assert np.isfinite(y.data).all()
    assert p.grad[0, 0] == 0 and p.grad[0, 1] == 0 and p.grad[0, 2] != 0
    # at the clip value, log(ε): 2 · -log(1e-7) + -log(0.5), averaged over 3
    np.testing.assert_allclose(y.data, [(2 * -np.log(1e-7) - np.log(0.5)) / 3], rtol=1e-6)


@pytest.mark.parametrize("shape", SHAPES[:2])
def test_cce_probs_gradcheck_and_twin(shape, rng):
    p, y = _probs(rng, shape) * 1.5, _onehot(rng, shape)  # not normalized: the kernel normalizes
    assert gradcheck(lambda a, b: K.categorical_crossentropy_probs(a, b), [p, y])
    _assert_twins(K.categorical_crossentropy_probs, _composed_cce_probs, [p, y])


@pytest.mark.parametrize("shape", SHAPES)
def test_mean_squared_difference_and_log_cosh(shape, rng):
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    assert gradcheck(lambda x, y: K.mean_squared_difference(x, y), [a, b])
    _assert_twins(K.mean_squared_difference, lambda x, y: ops.mean(ops.square(x - y), axis=-1), [a, b])
    assert gradcheck(lambda x: K.log_cosh(x), [a])
    np.testing.assert_allclose(K.log_cosh(Tensor(a)).data, np.log(np.cosh(a)), rtol=1e-12, atol=1e-14)


def test_kernels_are_stable_for_huge_logits():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 5.0]])
    z = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    t = _t(x)
    bce = K.sigmoid_binary_crossentropy(t, z)
    expected = np.array([np.log(2) / 3, (2000.0 + 5.0 + np.log1p(np.exp(-5.0))) / 3])
    np.testing.assert_allclose(bce.data, expected, rtol=1e-12)
    bce.sum().backward()
    assert np.isfinite(t.grad).all()
    ce = K.softmax_crossentropy(_t(x), np.eye(3)[[1, 0]])
    np.testing.assert_allclose(ce.data, [2000.0, 2000.0], rtol=1e-12)
    sp = K.sparse_softmax_crossentropy(_t(x), np.array([0, 1]))
    np.testing.assert_allclose(sp.data, [0.0, 0.0], atol=1e-12)
    assert np.isfinite(K.log_cosh(Tensor(np.array([1e4, -1e4]))).data).all()


def test_kernels_keep_float32(rng):
    x = Tensor(rng.normal(size=(4, 3)).astype(np.float32), requires_grad=True)
    z = rng.uniform(size=(4, 3)).astype(np.float32)
    for out in (K.sigmoid_binary_crossentropy(x, z), K.softmax_crossentropy(x, z),
                K.sparse_softmax_crossentropy(x, np.array([0, 1, 2, 0])), K.log_cosh(x),
                K.binary_crossentropy_probs(ops.sigmoid(x), z), K.categorical_crossentropy_probs(ops.sigmoid(x), z),
                K.mean_squared_difference(x, z)):
        assert out.dtype == np.float32
        x.grad = None
        out.sum().backward()
        assert x.grad.dtype == np.float32


def test_kernels_match_torch(rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, z = _logits(rng, (6, 4)), rng.uniform(size=(6, 4))
    labels = rng.integers(0, 4, size=6)
    soft = _probs(rng, (6, 4))

    def both(ours, theirs, *arrays):
        ts = [_t(a) for a in arrays]
        tt = [torch.tensor(a, requires_grad=True) for a in arrays]
        y, yt = ours(*ts), theirs(*tt)
        np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
        y.sum().backward()
        yt.sum().backward()
        for a, b in zip(ts, tt):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=1e-6)

    both(K.sigmoid_binary_crossentropy,
         lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none").mean(-1), x, z)
    both(K.softmax_crossentropy, lambda a, b: F.cross_entropy(a, b, reduction="none"), x, soft)
    both(lambda a: K.sparse_softmax_crossentropy(a, labels),
         lambda a: F.cross_entropy(a, torch.tensor(labels), reduction="none"), x)
    p = rng.uniform(0.05, 0.95, size=(6, 4))
    both(K.binary_crossentropy_probs, lambda a, b: F.binary_cross_entropy(a, b, reduction="none").mean(-1), p, z)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_mean_all_is_the_mean_of_the_per_sample_losses(shape, rng):
    x, z, p = _logits(rng, shape), rng.uniform(size=shape), _probs(rng, shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    cases = [
        (lambda a, b, **k: K.sigmoid_binary_crossentropy(a, b, **k), x, z),
        (lambda a, b, **k: K.softmax_crossentropy(a, b, **k), x, _onehot(rng, shape)),
        (lambda a, b, **k: K.binary_crossentropy_probs(a, b, **k), rng.uniform(0.1, 0.9, size=shape), z),
        (lambda a, b, **k: K.categorical_crossentropy_probs(a, b, **k), p, _onehot(rng, shape)),
        (lambda a, b, **k: K.mean_squared_difference(a, b, **k), x, z),
        (lambda a, b, **k: K.sparse_softmax_crossentropy(a, labels, **k) + 0 * b.sum(), x, z),
    ]
    for fn, a, b in cases:
        assert gradcheck(lambda u, v: fn(u, v, mean_all=True), [a, b])
        _assert_twins(lambda u, v: fn(u, v, mean_all=True), lambda u, v: ops.mean(fn(u, v)), [a, b])


def test_keras_ops_cross_entropies(rng):
    x, z = _logits(rng, (4, 3)), rng.integers(0, 2, size=(4, 3)).astype(float)
    p = rng.uniform(0.1, 0.9, size=(4, 3))
    elem = ops.binary_crossentropy(z, Tensor(x), from_logits=True)
    assert elem.shape == (4, 3)
    np.testing.assert_allclose(elem.data, np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))), rtol=1e-12)
    np.testing.assert_allclose(ops.binary_crossentropy(z, Tensor(p)).data,
                               -(z * np.log(p) + (1 - z) * np.log(1 - p)), rtol=1e-12)
    assert gradcheck(lambda a: ops.binary_crossentropy(z, a, from_logits=True), [x])
    labels = np.array([0, 2, 1, 1])
    onehot = np.eye(3)[labels]
    for from_logits, y_pred in ((True, x), (False, _probs(rng, (4, 3)))):
        dense = ops.categorical_crossentropy(onehot, Tensor(y_pred), from_logits=from_logits)
        sparse = ops.sparse_categorical_crossentropy(labels, Tensor(y_pred), from_logits=from_logits)
        np.testing.assert_allclose(dense.data, sparse.data, rtol=1e-12)
        assert gradcheck(lambda a: ops.sparse_categorical_crossentropy(labels, a, from_logits=from_logits), [y_pred])
    with pytest.raises(ValueError, match=r"expected labels in \[0, 3\)"):
        ops.sparse_categorical_crossentropy(np.array([0, 3, 1, 1]), Tensor(x))
    with pytest.raises(ValueError, match="same shape"):
        ops.binary_crossentropy(z[:, :2], Tensor(x))
