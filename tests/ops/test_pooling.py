"""Pooling ops: gradcheck, torch parity (values and gradients), ties, 'same' padding, dtypes, errors."""

import numpy as np
import pytest

from neuronet import no_grad, ops
from neuronet.autograd import Tensor, gradcheck
from neuronet.ops.conv import ReluMaskedGradient

CASES = [  # (h, w, pool, strides, padding)
    (6, 6, 2, None, "valid"),
    (7, 7, 3, 2, "valid"),
    (5, 7, 2, 1, "valid"),
    (7, 6, 3, 2, "same"),
    (5, 5, 2, None, "same"),
    (6, 5, (2, 3), (1, 2), "same"),
]


def _distinct(rng, *shape):
    """Values at least 0.1 apart, so no window has a tie near its maximum (max's kink)."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0


@pytest.mark.parametrize("h,w,pool,strides,padding", CASES)
def test_max_pool_gradcheck(float64, rng, h, w, pool, strides, padding):
    gradcheck(lambda x: ops.max_pool(x, pool, strides, padding), [_distinct(rng, 2, h, w, 3)])


@pytest.mark.parametrize("h,w,pool,strides,padding", CASES)
def test_average_pool_gradcheck(float64, rng, h, w, pool, strides, padding):
    gradcheck(lambda x: ops.average_pool(x, pool, strides, padding), [rng.normal(size=(2, h, w, 3))])


@pytest.mark.parametrize("pool,strides,padding", [(2, None, "valid"), (3, 2, "same"), (2, 1, "valid")])
def test_pool1d_gradcheck(float64, rng, pool, strides, padding):
    x = _distinct(rng, 2, 7, 3)
    gradcheck(lambda x: ops.max_pool(x, pool, strides, padding), [x])
    gradcheck(lambda x: ops.average_pool(x, pool, strides, padding), [x])


@pytest.mark.parametrize("h,w,pool,strides", [(6, 6, 2, None), (7, 7, 3, 2), (5, 7, 2, 1), (6, 5, (2, 3), (1, 2))])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d_matches_torch(float64, rng, h, w, pool, strides, kind):
    torch = pytest.importorskip("torch")
    x = _distinct(rng, 2, h, w, 3)
    op = ops.max_pool if kind == "max" else ops.average_pool
    tf = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    xn = Tensor(x, requires_grad=True)
    y = op(xn, pool, strides)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    yt = tf(xt.permute(0, 3, 1, 2), pool, strides or pool).permute(0, 2, 3, 1)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)


def test_max_pool1d_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x = _distinct(rng, 2, 9, 3)
    xn, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = ops.max_pool(xn, 3, 2)
    yt = torch.nn.functional.max_pool1d(xt.permute(0, 2, 1), 3, 2).permute(0, 2, 1)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum(float64):
    torch = pytest.importorskip("torch")
    x = np.zeros((1, 4, 4, 1))
    x[0, 2, 3, 0] = x[0, 3, 2, 0] = 1.0  # two tied maxima in the last window, and all-zero windows
    xn = Tensor(x, requires_grad=True)
    ops.max_pool(xn, 2).sum().backward()
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt.permute(0, 3, 1, 2), 2).sum().backward()
    np.testing.assert_array_equal(xn.grad, xt.grad.numpy())
    assert xn.grad.sum() == 4.0  # one unit of gradient per window, never split or duplicated


def test_same_padding_never_wins_the_max_and_is_not_averaged():
    x = -np.ones((1, 3, 3, 1))
    assert ops.max_pool(x, 2, padding="same").data.max() == -1.0  # padding is -inf, not 0
    y = ops.average_pool(np.ones((1, 5, 5, 1)), 2, padding="same").data
    np.testing.assert_allclose(y, 1.0)  # windows overlapping the border divide by the real pixels only
    y = ops.average_pool(np.arange(9.0).reshape(1, 3, 3, 1), 2, padding="same").data[0, :, :, 0]
    np.testing.assert_allclose(y, [[2.0, 3.5], [6.5, 8.0]])


def test_channels_first(rng):
    x = rng.normal(size=(2, 3, 6, 6))
    y = ops.max_pool(x, 2, data_format="channels_first").data
    np.testing.assert_allclose(y, ops.max_pool(x.transpose(0, 2, 3, 1), 2).data.transpose(0, 3, 1, 2))


def test_float32_stays_float32(rng):
    x = Tensor(rng.normal(size=(2, 6, 6, 3)).astype(np.float32), requires_grad=True)
    for op in (ops.max_pool, ops.average_pool):
        y = op(x, 3, 2, "same")
        assert y.dtype == np.float32
        x.grad = None
        y.sum().backward()
        assert x.grad.dtype == np.float32


@pytest.mark.parametrize("call,message", [
    (lambda: ops.max_pool(np.ones((4, 4)), 2), "rank 3"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), 5), "larger than"),
    (lambda: ops.average_pool(np.ones((1, 4, 4, 1)), 2, padding="causal"), "padding"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), 0), "pool_size"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), (2, 2, 2)), "pool_size"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- conv + relu + max-pool
def _conv_relu_pool_inputs(rng):
    """Inputs whose conv pre-activations are ≥ 0.1 from relu's kink, with no near-ties in a window."""
    for _ in range(200):
        x, k, b = rng.normal(size=(2, 5, 5, 2)), rng.normal(size=(2, 2, 2, 3)), rng.normal(size=3)
        z = ops.conv(x, k, bias=b).data
        windows = np.sort(z.reshape(2, 2, 2, 2, 2, 3).transpose(0, 1, 3, 5, 2, 4).reshape(-1, 4), axis=1)
        if np.abs(z).min() >= 0.1 and np.diff(windows, axis=1).min() >= 0.1 and (windows[:, -1] < 0).any():
            return x, k, b
    pytest.skip("no suitable random draw")


def test_max_pool_after_fused_relu_conv_gradcheck(float64, rng):
    # the pool applies relu's derivative for the convolution (some windows are entirely negative)
    x, k, b = _conv_relu_pool_inputs(rng)
    gradcheck(lambda x, k, b: ops.max_pool(ops.conv(x, k, bias=b, relu=True), 2), [x, k, b])


def test_fused_relu_mask_still_applies_when_the_conv_output_has_another_consumer(float64, rng):
    x, k, b = _conv_relu_pool_inputs(rng)
    gradcheck(lambda x, k, b: (lambda h: (ops.max_pool(h, 2), h * 1.5))(ops.conv(x, k, bias=b, relu=True)),
              [x, k, b])


def test_conv_relu_pool_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, k, b = rng.normal(size=(2, 7, 7, 2)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=4)
    xn, kn, bn = (Tensor(v, requires_grad=True) for v in (x, k, b))
    y = ops.max_pool(ops.conv(xn, kn, bias=bn, relu=True), 2)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    xt, kt, bt = (torch.tensor(v, requires_grad=True) for v in (x, k, b))
    yt = F.max_pool2d(F.relu(F.conv2d(xt.permute(0, 3, 1, 2), kt.permute(3, 2, 0, 1), bt)), 2).permute(0, 2, 3, 1)
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    for ours, theirs in ((xn, xt), (kn, kt), (bn, bt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-6)


def test_the_pool_after_a_relu_conv_hands_back_a_gradient_typed_as_masked(rng):
    # the fusion is explicit: the pool's input gradient carries relu's derivative and says so by its
    # type, which the conv trusts (it would not mask it again), and arithmetic drops the type
    x = Tensor(rng.normal(size=(2, 6, 6, 2)), requires_grad=True)
    h = ops.conv(x, rng.normal(size=(3, 3, 2, 3)), relu=True)
    pooled, plain = ops.max_pool(h, 2), ops.max_pool(h * 1.0, 2)
    g = np.ones(pooled.shape)
    masked = pooled._ctx.backward(g)
    assert isinstance(masked, ReluMaskedGradient) and not isinstance(masked + 0, ReluMaskedGradient)
    assert not isinstance(plain._ctx.backward(g), ReluMaskedGradient)  # its input is not a conv's output
    assert (masked.view(np.ndarray)[h.data == 0] == 0).all()
    conv = h._ctx
    unmasked = np.ones(h.shape).view(ReluMaskedGradient)  # a gradient claiming the mask is applied
    gx_trusted = conv.backward(unmasked)[0]
    gx_masked = conv.backward(np.ones(h.shape))[0]
    assert (h.data == 0).any() and not np.allclose(gx_trusted, gx_masked)


@pytest.mark.parametrize("h,w,pool,strides,padding", CASES)
def test_max_pool_without_a_gradient_keeps_no_argmax_and_gives_the_same_values(rng, monkeypatch, h, w, pool,
                                                                               strides, padding):
    from neuronet.ops.pooling import MaxPool

    kept = []
    forward = MaxPool.forward

    def spy(self, *args, **kwargs):
        out = forward(self, *args, **kwargs)
        kept.append(self.arg is not None)
        return out

    monkeypatch.setattr(MaxPool, "forward", spy)
    x = rng.normal(size=(2, h, w, 3))
    recorded = ops.max_pool(Tensor(x, requires_grad=True), pool, strides, padding)
    with no_grad():
        inferred = ops.max_pool(Tensor(x, requires_grad=True), pool, strides, padding)
    constant = ops.max_pool(x, pool, strides, padding)
    assert kept == [True, False, False]
    np.testing.assert_array_equal(inferred.data, recorded.data)
    np.testing.assert_array_equal(constant.data, recorded.data)


@pytest.mark.parametrize("shape,pool,strides,padding", [
    ((30, 26, 26, 32), 2, 2, "valid"),  # more samples than one cache tile of row-pooled images: several tiles
    ((7, 9, 11, 5), (3, 2), (2, 1), "same"),  # overlapping windows, padded with -inf
    ((5, 12, 4), 3, 2, "valid"),  # 1-D: windows of one row
])
def test_max_pool_inference_pass_matches_the_recorded_one(rng, shape, pool, strides, padding):
    x = rng.normal(size=shape).astype("float32")
    recorded = ops.max_pool(Tensor(x, requires_grad=True), pool, strides, padding)
    with no_grad():
        inferred = ops.max_pool(x, pool, strides, padding)
    assert recorded._ctx.arg is not None  # the recorded pass is the per-offset one (it keeps the argmax)
    np.testing.assert_array_equal(inferred.data, recorded.data)
