"""neuronet.ops reductions: gradients over every axis form, PyTorch oracle, ties, zeros, errors."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import gradcheck

AXES = [((5,), None, False), ((2, 3), None, True), ((2, 3), 0, False), ((2, 3), -1, True),
        ((2, 3, 4), (0, 2), False), ((2, 3, 4), [1], True), ((2, 3, 4), 1, False)]


def distinct(shape, rng):
    """Values whose pairwise gaps are at least 0.1, so max/min have no ties."""
    n = int(np.prod(shape))
    return rng.permutation(np.arange(n) * 0.25 - n * 0.1).reshape(shape)


REDUCTIONS = {
    "sum": (ops.sum, lambda s, r: r.standard_normal(s)),
    "mean": (ops.mean, lambda s, r: r.standard_normal(s)),
    "max": (ops.max, distinct),
    "min": (ops.min, distinct),
    "var": (ops.var, lambda s, r: r.standard_normal(s)),
    "std": (ops.std, lambda s, r: r.standard_normal(s)),
    "prod": (ops.prod, lambda s, r: r.uniform(0.5, 1.5, s) * np.where(r.random(s) < 0.5, -1, 1)),
    "logsumexp": (ops.logsumexp, lambda s, r: r.standard_normal(s) * 3),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("shape,axis,keepdims", AXES, ids=str)
def test_reduction_gradients(name, shape, axis, keepdims, rng):
    fn, make = REDUCTIONS[name]
    gradcheck(lambda x: fn(x, axis=axis, keepdims=keepdims), [make(shape, rng)])


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("shape,axis,keepdims", AXES, ids=str)
def test_reduction_values_match_numpy(name, shape, axis, keepdims, rng):
    fn, make = REDUCTIONS[name]
    x = make(shape, rng)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    reference = {"logsumexp": lambda a, axis, keepdims: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))}
    expected = (reference[name] if name in reference else getattr(np, name))(x, axis=np_axis, keepdims=keepdims)
    y = fn(x, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)


def test_reductions_match_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4, 5))
    pairs = [
        (lambda t: ops.sum(t, axis=(0, 2)), lambda t: t.sum(dim=(0, 2))),
        (lambda t: ops.mean(t, axis=1, keepdims=True), lambda t: t.mean(dim=1, keepdim=True)),
        (lambda t: ops.max(t, axis=-1), lambda t: t.amax(dim=-1)),
        (lambda t: ops.min(t, axis=0), lambda t: t.amin(dim=0)),
        (lambda t: ops.var(t, axis=1), lambda t: t.var(dim=1, unbiased=False)),
        (lambda t: ops.std(t, axis=(1, 2)), lambda t: t.std(dim=(1, 2), unbiased=False)),
        (lambda t: ops.prod(t, axis=2), lambda t: t.prod(dim=2)),
        (lambda t: ops.logsumexp(t, axis=1), lambda t: torch.logsumexp(t, dim=1)),
    ]
    for fn, torch_fn in pairs:
        t = nn.Tensor(x, requires_grad=True)
        y = fn(t)
        w = rng.standard_normal(y.shape)
        (y * nn.Tensor(w)).sum().backward()
        tx = torch.tensor(x, requires_grad=True)
        ty = torch_fn(tx)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(t.grad, tx.grad.numpy(), atol=1e-6)


def grad_of(fn, values):
    x = nn.Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    fn(x).sum().backward()
    return x.grad


def test_max_ties_share_the_gradient_evenly_like_torch_amax():
    np.testing.assert_allclose(grad_of(ops.max, [1.0, 3.0, 3.0, 2.0]), [0.0, 0.5, 0.5, 0.0])
    np.testing.assert_allclose(grad_of(lambda x: ops.min(x, axis=1), [[1.0, 1.0, 1.0], [0.0, 2.0, 3.0]]),
                               [[1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0]])


def test_max_with_initial_is_a_lower_bound():
    assert ops.max(np.array([-3.0, -1.0]), initial=0.0).item() == 0.0


def test_prod_gradient_is_exact_with_zeros():
    np.testing.assert_allclose(grad_of(ops.prod, [2.0, 0.0, 3.0]), [0.0, 6.0, 0.0])
    np.testing.assert_allclose(grad_of(ops.prod, [0.0, 0.0, 3.0]), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(grad_of(lambda x: ops.prod(x, axis=0), [[2.0, 0.0], [5.0, 4.0]]),
                               [[5.0, 4.0], [2.0, 0.0]])


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = ops.logsumexp(x, axis=1)
    np.testing.assert_allclose(y.data, [1000.0 + np.log(2), -1000.0 + np.log(2)])


def test_argmax_and_argmin_return_int_constants():
    x = nn.Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    assert ops.argmax(x, axis=1).data.tolist() == [1, 0]
    assert ops.argmin(x, axis=0, keepdims=True).data.tolist() == [[0, 1, 0]]
    assert ops.argmax(x).item() == 3
    y = ops.argmax(x)
    assert np.issubdtype(y.dtype, np.integer) and not y.requires_grad


def test_mean_and_sum_keep_float32():
    x = nn.Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    y = ops.mean(x) + ops.sum(x, axis=0).mean() + ops.var(x, axis=1).sum()
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


def test_large_sum_gradient_is_a_broadcast_of_the_upstream_value():
    x = nn.Tensor(np.ones((300, 300)), requires_grad=True)
    (ops.sum(x) * 3.0).backward()
    assert x.grad.shape == (300, 300) and np.all(x.grad == 3.0)


@pytest.mark.parametrize("axis", [2, -3, (0, 0), "a", 1.5])
def test_bad_axis_is_a_one_line_value_error(axis):
    with pytest.raises(ValueError, match=r"sum: axis .*received axis="):
        ops.sum(np.ones((2, 3)), axis=axis)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum(axis, rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(ops.cumsum(x, axis=axis).data, np.cumsum(x, axis=axis))
    gradcheck(lambda t: ops.cumsum(t, axis=axis), [x])


@pytest.mark.parametrize("ord", [None, 1, 2, np.inf])
def test_norm(ord, rng):
    x = distinct((3, 4), rng) + 0.05
    expected = np.linalg.norm(x, ord=ord, axis=1)
    np.testing.assert_allclose(ops.norm(x, ord=ord, axis=1).data, expected)
    gradcheck(lambda t: ops.norm(t, ord=ord, axis=1), [x])
    with pytest.raises(ValueError, match="norm: unknown matrix norm ord=3"):
        ops.norm(x, ord=3)


def test_logical_reductions_are_constants():
    x = nn.Tensor([[0.0, 1.0], [0.0, 0.0]], requires_grad=True)
    assert ops.any(x, axis=1).tolist() == [True, False]
    assert ops.all(x > -1).item() is True
    assert ops.count_nonzero(x).item() == 1 and not ops.any(x).requires_grad
