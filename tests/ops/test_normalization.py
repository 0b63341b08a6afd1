"""Normalization ops: gradcheck, the fused batch norm against its composed twin, torch parity, dtypes."""

import numpy as np
import pytest

from neuronet import ops
from neuronet.autograd import Tensor, gradcheck


@pytest.mark.parametrize("shape,axis", [((4, 3), -1), ((3, 4, 5, 2), -1), ((3, 2, 4, 4), 1), ((5, 3, 2), 1)])
def test_batch_normalization_gradcheck(float64, rng, shape, axis):
    c = shape[axis]
    x, mean, var = rng.normal(size=shape), rng.normal(size=c), rng.uniform(0.5, 1.5, size=c)
    offset, scale = rng.normal(size=c), rng.normal(size=c)
    gradcheck(lambda x, m, v, b, g: ops.batch_normalization(x, m, v, axis, b, g), [x, mean, var, offset, scale])
    gradcheck(lambda x, m, v: ops.batch_normalization(x, m, v, axis, epsilon=0.1), [x, mean, var])


@pytest.mark.parametrize("shape,axis", [((6, 3), -1), ((3, 4, 5, 2), -1), ((3, 2, 4, 4), 1)])
def test_fused_batch_normalization_gradcheck(float64, rng, shape, axis):
    c = shape[axis]
    x, offset, scale = rng.normal(size=shape), rng.normal(size=c), rng.normal(size=c)
    gradcheck(lambda x, b, g: ops.fused_batch_normalization(x, b, g, axis), [x, offset, scale])  # y, mean, var
    gradcheck(lambda x: ops.fused_batch_normalization(x, axis=axis)[0], [x])


def test_fused_batch_normalization_equals_its_composed_twin(float64, rng):
    x, offset, scale = rng.normal(size=(4, 3, 3, 2)), rng.normal(size=2), rng.normal(size=2)
    gy = rng.normal(size=x.shape)
    grads = []
    for fused in (True, False):
        xt, bt, gt = (Tensor(v, requires_grad=True) for v in (x, offset, scale))
        if fused:
            y = ops.fused_batch_normalization(xt, bt, gt)[0]
        else:
            mean, var = ops.moments(xt, (0, 1, 2))
            y = ops.batch_normalization(xt, mean, var, -1, bt, gt)
        (y * Tensor(gy)).sum().backward()
        grads.append((y.data, xt.grad, bt.grad, gt.grad))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_moments_gradcheck_and_values(float64, rng):
    x = rng.normal(size=(4, 3, 2))
    mean, var = ops.moments(x, [0, 1])
    np.testing.assert_allclose(mean.data, x.mean(axis=(0, 1)))
    np.testing.assert_allclose(var.data, x.var(axis=(0, 1)))  # biased, as Keras
    assert ops.moments(x, 0, keepdims=True)[0].shape == (1, 3, 2)
    gradcheck(lambda x: ops.moments(x, (0, 2)), [x])


@pytest.mark.parametrize("shape,axis", [((4, 5), -1), ((2, 3, 4), -1), ((2, 3, 4), (1, 2)), ((2, 3, 4, 2), (2, 3))])
def test_layer_normalization_gradcheck(float64, rng, shape, axis):
    axes = (axis,) if isinstance(axis, int) else axis
    pshape = tuple(shape[a] for a in axes)
    x, gamma, beta = rng.normal(size=shape), rng.normal(size=pshape), rng.normal(size=pshape)
    gradcheck(lambda x, g, b: ops.layer_normalization(x, g, b, axis), [x, gamma, beta])
    gradcheck(lambda x: ops.layer_normalization(x, axis=axis), [x])


def test_batch_norm_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x, offset, scale = rng.normal(size=(4, 3, 3, 2)), rng.normal(size=2), rng.normal(size=2)
    gy = rng.normal(size=x.shape)
    xn, bn, gn = (Tensor(v, requires_grad=True) for v in (x, offset, scale))
    y = ops.fused_batch_normalization(xn, bn, gn, -1, 1e-3)[0]
    (y * Tensor(gy)).sum().backward()
    xt, bt, gt = (torch.tensor(v, requires_grad=True) for v in (x, offset, scale))
    yt = torch.nn.functional.batch_norm(xt.permute(0, 3, 1, 2), None, None, gt, bt, training=True, eps=1e-3)
    yt = yt.permute(0, 2, 3, 1)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    for ours, theirs in ((xn, xt), (bn, bt), (gn, gt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-6)
    # inference mode: given statistics
    mean, var = rng.normal(size=2), rng.uniform(0.5, 2.0, size=2)
    y = ops.batch_normalization(x, mean, var, -1, offset, scale, 1e-3).data
    yt = torch.nn.functional.batch_norm(torch.tensor(x).permute(0, 3, 1, 2), torch.tensor(mean), torch.tensor(var),
                                        torch.tensor(scale), torch.tensor(offset), training=False, eps=1e-3)
    np.testing.assert_allclose(y, yt.permute(0, 2, 3, 1).numpy(), atol=1e-6)


def test_layer_norm_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x, gamma, beta = rng.normal(size=(2, 3, 5)), rng.normal(size=5), rng.normal(size=5)
    gy = rng.normal(size=x.shape)
    xn, gn, bn = (Tensor(v, requires_grad=True) for v in (x, gamma, beta))
    y = ops.layer_normalization(xn, gn, bn, -1, 1e-3)
    (y * Tensor(gy)).sum().backward()
    xt, gt, bt = (torch.tensor(v, requires_grad=True) for v in (x, gamma, beta))
    yt = torch.nn.functional.layer_norm(xt, (5,), gt, bt, eps=1e-3)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    for ours, theirs in ((xn, xt), (gn, gt), (bn, bt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-6)


def test_float32_stays_float32(rng):
    x = Tensor(rng.normal(size=(4, 3, 3, 2)).astype(np.float32), requires_grad=True)
    p = [Tensor(np.ones(2, np.float32), requires_grad=True) for _ in range(2)]
    outs = [ops.fused_batch_normalization(x, p[0], p[1])[0], ops.layer_normalization(x, p[0], p[1]),
            ops.batch_normalization(x, np.zeros(2, np.float32), np.ones(2, np.float32), -1, p[0], p[1])]
    for y in outs:
        assert y.dtype == np.float32
        x.grad = None
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="mean"):
        ops.batch_normalization(np.ones((2, 3)), np.zeros(4), np.ones(3), -1)
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        ops.layer_normalization(np.ones((2, 3)), axis=3)
