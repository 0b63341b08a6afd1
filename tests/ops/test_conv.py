"""Convolution ops: gradcheck (strides, 'same' with even kernels, dilation, output_padding), torch
parity after mapping layouts, the tiled Conv against its readable twin, bounded memory, the adjoint
identity of conv_transpose, dtypes and errors."""

import tracemalloc

import numpy as np
import pytest

from neuronet import no_grad, ops
from neuronet.autograd import Tensor, gradcheck
from neuronet.ops import conv_windows
from neuronet.ops.conv import Conv, ConvReference, conv_geometry

# (height, width, kernel (kh, kw), strides, padding, dilation)
CONV_CASES = [
    (6, 7, (3, 3), 1, "valid", 1),
    (7, 7, (3, 2), 2, "valid", 1),
    (6, 6, (2, 2), 1, "same", 1),
    (7, 8, (4, 2), 2, "same", 1),
    (8, 8, (3, 3), 1, "valid", 2),
    (8, 7, (2, 3), 1, "same", 2),
    (5, 5, (1, 1), 1, "valid", 1),
]


def _torch_pads(h, w, kernel, strides, dilation, padding):
    """(top, bottom, left, right) padding of the TensorFlow/Keras rule, to pad explicitly for torch."""
    s = (strides, strides) if isinstance(strides, int) else strides
    _, t, b = conv_geometry(h, kernel[0], s[0], dilation, padding)
    _, left, right = conv_geometry(w, kernel[1], s[1], dilation, padding)
    return t, b, left, right


# up to 4 input channels im2col is built transposed with the bias folded in; beyond, the usual layout
@pytest.mark.parametrize("channels", [3, 6])
@pytest.mark.parametrize("h,w,k,s,padding,d", CONV_CASES)
def test_conv2d_gradcheck(float64, rng, h, w, k, s, padding, d, channels):
    x, kernel = rng.normal(size=(2, h, w, channels)), rng.normal(size=k + (channels, 2))
    bias = rng.normal(size=2)
    gradcheck(lambda x, kernel, bias: ops.conv(x, kernel, s, padding, dilation_rate=d, bias=bias),
              [x, kernel, bias])


def test_conv_fused_relu_gradcheck_away_from_kink(float64, rng):
    # draw until every pre-activation is ≥ 0.1 away from relu's kink at 0
    for _ in range(100):
        x, kernel, bias = rng.normal(size=(2, 4, 4, 1)), rng.normal(size=(3, 3, 1, 3)), rng.normal(size=3)
        z = ops.conv(x, kernel, bias=bias).data
        if np.abs(z).min() >= 0.1:
            break
    assert np.abs(z).min() >= 0.1 and (z < 0).any() and (z > 0).any()
    np.testing.assert_allclose(ops.conv(x, kernel, bias=bias, relu=True).data, np.maximum(z, 0), atol=1e-12)
    gradcheck(lambda x, k, b: ops.conv(x, k, bias=b, relu=True), [x, kernel, bias])


def test_conv_fused_relu_gradient_is_zero_at_the_kink(float64):
    x, kernel = Tensor(np.zeros((1, 3, 3, 1)), requires_grad=True), Tensor(np.ones((3, 3, 1, 1)), requires_grad=True)
    y = ops.conv(x, kernel, relu=True)
    y.sum().backward()
    assert y.data.item() == 0.0 and not x.grad.any() and not kernel.grad.any()


@pytest.mark.parametrize("k,s,padding,d", [(3, 1, "valid", 1), (2, 2, "same", 1), (3, 1, "same", 2),
                                           (4, 3, "valid", 1)])
def test_conv1d_gradcheck(float64, rng, k, s, padding, d):
    x, kernel, bias = rng.normal(size=(2, 9, 3)), rng.normal(size=(k, 3, 4)), rng.normal(size=4)
    gradcheck(lambda x, kernel, bias: ops.conv(x, kernel, s, padding, dilation_rate=d, bias=bias),
              [x, kernel, bias])


@pytest.mark.parametrize("channels", [1, 3, 6])
@pytest.mark.parametrize("h,w,k,s,padding,d", CONV_CASES)
def test_conv2d_matches_torch(float64, rng, h, w, k, s, padding, d, channels):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, kernel = rng.normal(size=(2, h, w, channels)), rng.normal(size=k + (channels, 4))
    bias = rng.normal(size=4)
    gy = rng.normal(size=ops.conv(x, kernel, s, padding, dilation_rate=d).shape)
    xt = torch.tensor(x, requires_grad=True)
    kt = torch.tensor(kernel, requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    t, b, left, right = _torch_pads(h, w, k, s, d, padding)
    xin = F.pad(xt.permute(0, 3, 1, 2), (left, right, t, b))
    yt = F.conv2d(xin, kt.permute(3, 2, 0, 1), bt, stride=s, dilation=d).permute(0, 2, 3, 1)
    (yt * torch.tensor(gy)).sum().backward()

    xn, kn, bn = Tensor(x, requires_grad=True), Tensor(kernel, requires_grad=True), Tensor(bias, requires_grad=True)
    y = ops.conv(xn, kn, s, padding, dilation_rate=d, bias=bn)
    (y * Tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(kn.grad, kt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.grad, bt.grad.numpy(), atol=1e-6)


def test_conv1d_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x, kernel = rng.normal(size=(2, 9, 3)), rng.normal(size=(3, 3, 5))
    xt, kt = torch.tensor(x, requires_grad=True), torch.tensor(kernel, requires_grad=True)
    yt = torch.nn.functional.conv1d(xt.permute(0, 2, 1), kt.permute(2, 1, 0), stride=2, dilation=1).permute(0, 2, 1)
    gy = rng.normal(size=tuple(yt.shape))
    (yt * torch.tensor(gy)).sum().backward()
    xn, kn = Tensor(x, requires_grad=True), Tensor(kernel, requires_grad=True)
    y = ops.conv(xn, kn, 2)
    (y * Tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(kn.grad, kt.grad.numpy(), atol=1e-6)


# ----------------------------------------------------------------------------- the tiled Conv and its twin
def _run(op, x, kernel, bias, gy, strides, padding, dilation, relu, **options):
    """Forward and the three gradients of ``op`` (Conv or ConvReference) for the output gradient gy."""
    xt, kt, bt = (Tensor(a, requires_grad=True) for a in (x, kernel, bias))
    y = op.apply(xt, kt, bt, strides=strides, padding=padding, dilation=dilation, relu=relu, **options)
    (y * Tensor(gy)).sum().backward()
    return y.data, xt.grad, kt.grad, bt.grad


TWIN_CASES = [  # (h, w, channels, filters, kernel, strides, padding, dilation)
    (9, 8, 6, 4, (3, 3), (1, 1), "same", (1, 1)),    # dx as a convolution of gy
    (9, 8, 2, 9, (3, 3), (1, 1), "valid", (1, 1)),   # few channels (im2col transposed); dx by col2im
    (10, 9, 5, 3, (4, 2), (2, 3), "same", (1, 1)),   # strided: dx by col2im
    (11, 9, 6, 4, (3, 2), (1, 1), "same", (2, 1)),   # dilated
    (7, 7, 6, 4, (1, 1), (1, 1), "valid", (1, 1)),   # 1×1: im2col is the input itself
    (1, 12, 6, 5, (1, 3), (1, 2), "valid", (1, 1)),  # a sequence (height 1)
]


@pytest.mark.parametrize("relu,keep", [(False, False), (True, False), (True, True)])  # keep: cols kept for backward
@pytest.mark.parametrize("budget", [1 << 20, 2000, 1])  # one tile; a few rows; one row a tile
@pytest.mark.parametrize("h,w,c,f,k,s,padding,d", TWIN_CASES)
def test_conv_matches_its_readable_twin(float64, rng, monkeypatch, h, w, c, f, k, s, padding, d, budget, relu, keep):
    monkeypatch.setattr(conv_windows, "TILE_BYTES", budget)
    x, kernel, bias = rng.normal(size=(3, h, w, c)), rng.normal(size=k + (c, f)), rng.normal(size=f)
    gy = rng.normal(size=(3,) + tuple(ConvReference.apply(x, kernel, None, strides=s, padding=padding,
                                                          dilation=d, relu=False).shape[1:]))
    fast = _run(Conv, x, kernel, bias, gy, s, padding, d, relu, keep=keep)
    twin = _run(ConvReference, x, kernel, bias, gy, s, padding, d, relu)
    for a, b in zip(fast, twin):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("h,w,c,f,k,s,padding,d", TWIN_CASES[:4])
def test_conv_gradcheck_in_tiles_of_one_row(float64, rng, monkeypatch, h, w, c, f, k, s, padding, d):
    monkeypatch.setattr(conv_windows, "TILE_BYTES", 1)
    x, kernel, bias = rng.normal(size=(2, h, w, c)), rng.normal(size=k + (c, f)), rng.normal(size=f)
    gradcheck(lambda x, kernel, bias: ops.conv(x, kernel, s, padding, dilation_rate=d, bias=bias),
              [x, kernel, bias])


def test_conv_in_float32_matches_the_twin_closely(rng):
    x = rng.normal(size=(4, 12, 12, 8)).astype(np.float32)
    kernel, bias = (rng.normal(size=(3, 3, 8, 16)) * 0.2).astype(np.float32), rng.normal(size=16).astype(np.float32)
    gy = rng.normal(size=(4, 12, 12, 16)).astype(np.float32)
    fast = _run(Conv, x, kernel, bias, gy, (1, 1), "same", (1, 1), True)
    twin = _run(ConvReference, x, kernel, bias, gy, (1, 1), "same", (1, 1), True)
    for a, b in zip(fast, twin):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())


def test_conv_memory_does_not_grow_with_the_im2col_matrix(rng):
    # one 3×3 'same' conv over 8×48×48×32: the whole batch's im2col would be 8·48·48·288 floats (21 MB);
    # tiles keep what forward and backward allocate beyond x, y and the gradients near one tile
    x = Tensor(rng.normal(size=(8, 48, 48, 32)).astype(np.float32), requires_grad=True)
    kernel = Tensor((rng.normal(size=(3, 3, 32, 32)) * 0.1).astype(np.float32), requires_grad=True)
    whole_cols = 8 * 48 * 48 * 288 * 4
    ops.conv(x, kernel, padding="same", relu=True).sum().backward()  # warm up
    tracemalloc.start()
    try:
        y = ops.conv(x, kernel, padding="same", relu=True)
        y.sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    activations = 3 * x.data.nbytes  # y, the output gradient, the input gradient
    assert peak < activations + 4 * conv_windows.TILE_BYTES < whole_cols
    with no_grad():  # inference: nothing beyond y and one tile
        tracemalloc.start()
        try:
            ops.conv(x, kernel, padding="same", relu=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < x.data.nbytes + 4 * conv_windows.TILE_BYTES


@pytest.mark.parametrize("padding,filters", [("same", 5), ("valid", 9)])  # dx by convolution; by col2im
def test_conv_after_a_relu_conv_applies_that_relus_derivative_itself(float64, rng, padding, filters):
    from neuronet.ops.conv import ReluMaskedGradient

    x, k1, k2 = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(3, 3, 3, 6)), rng.normal(size=(3, 3, 6, filters))
    h = ops.conv(Tensor(x), Tensor(k1, requires_grad=True), relu=True)
    y = ops.conv(h, Tensor(k2), padding=padding)
    gx = y._ctx.backward(np.ones(y.shape))[0]
    assert isinstance(gx, ReluMaskedGradient) and (gx[h.data == 0] == 0).all()
    # the same gradients as with the relu as an op of its own
    fused = [Tensor(a, requires_grad=True) for a in (x, k1, k2)]
    ops.conv(ops.conv(fused[0], fused[1], relu=True), fused[2], padding=padding).sum().backward()
    plain = [Tensor(a, requires_grad=True) for a in (x, k1, k2)]
    ops.conv(ops.relu(ops.conv(plain[0], plain[1])), plain[2], padding=padding).sum().backward()
    for a, b in zip(fused, plain):
        np.testing.assert_allclose(a.grad, b.grad, atol=1e-12)


def test_relu_conv_output_with_another_consumer_is_still_masked(float64, rng):
    x, k1, k2 = rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(3, 3, 3, 6)), rng.normal(size=(3, 3, 6, 4))
    grads = []
    for fuse in (True, False):
        k = Tensor(k1, requires_grad=True)
        h = ops.conv(Tensor(x), k, relu=True) if fuse else ops.relu(ops.conv(Tensor(x), k))
        (ops.conv(h, Tensor(k2), padding="same").sum() + (h * h).sum()).backward()
        grads.append(k.grad)
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)


# ----------------------------------------------------------------------------- transposed convolution
TRANSPOSE_CASES = [  # (h, w, kernel, strides, padding, output_padding, dilation)
    (3, 4, (3, 3), 1, "valid", None, 1),
    (3, 3, (3, 3), 2, "valid", None, 1),
    (3, 3, (2, 2), 3, "valid", None, 1),  # stride > kernel: gaps between patches
    (3, 4, (3, 3), 2, "same", None, 1),
    (4, 3, (4, 4), 2, "same", None, 1),
    (3, 3, (3, 3), 2, "same", 1, 1),
    (3, 3, (3, 2), 2, "valid", (1, 0), 1),
    (4, 4, (3, 3), 1, "same", None, 2),
]


@pytest.mark.parametrize("budget", [1 << 20, 1])  # backward's im2col in one tile, or one row a tile
@pytest.mark.parametrize("h,w,k,s,padding,op,d", TRANSPOSE_CASES)
def test_conv_transpose_gradcheck(float64, rng, monkeypatch, h, w, k, s, padding, op, d, budget):
    monkeypatch.setattr(conv_windows, "TILE_BYTES", budget)
    x, kernel, bias = rng.normal(size=(2, h, w, 3)), rng.normal(size=k + (2, 3)), rng.normal(size=2)
    gradcheck(lambda x, kernel, bias: ops.conv_transpose(x, kernel, s, padding, op, dilation_rate=d, bias=bias),
              [x, kernel, bias])


@pytest.mark.parametrize("h,w,k,s,padding,op,d", TRANSPOSE_CASES)
def test_conv_transpose_is_the_adjoint_of_conv(float64, rng, h, w, k, s, padding, op, d):
    # <conv_transpose(x, K), z> == <x, conv(z, K)> for the same kernel, strides and padding
    x, kernel = rng.normal(size=(2, h, w, 3)), rng.normal(size=k + (2, 3))
    y = ops.conv_transpose(x, kernel, s, padding, op, dilation_rate=d).data
    z = rng.normal(size=y.shape)
    back = ops.conv(z, kernel, s, padding, dilation_rate=d).data
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(y * z), np.sum(x * back), rtol=1e-10)


@pytest.mark.parametrize("h,w,k,s,op", [(3, 4, (3, 3), 1, None), (3, 3, (3, 3), 2, None), (3, 3, (2, 2), 3, None),
                                        (3, 3, (3, 2), 2, (1, 0))])
def test_conv_transpose_valid_matches_torch(float64, rng, h, w, k, s, op):
    torch = pytest.importorskip("torch")
    x, kernel, bias = rng.normal(size=(2, h, w, 3)), rng.normal(size=k + (2, 3)), rng.normal(size=2)
    xn, kn, bn = Tensor(x, requires_grad=True), Tensor(kernel, requires_grad=True), Tensor(bias, requires_grad=True)
    y = ops.conv_transpose(xn, kn, s, "valid", op, bias=bn)
    # torch's output_padding: whatever Keras adds beyond (in - 1)·s + k
    top = tuple(y.shape[1 + a] - ((x.shape[1 + a] - 1) * s + k[a]) for a in range(2))
    xt, kt, bt = (torch.tensor(v, requires_grad=True) for v in (x, kernel, bias))
    yt = torch.nn.functional.conv_transpose2d(xt.permute(0, 3, 1, 2), kt.permute(3, 2, 0, 1), bt, stride=s,
                                              output_padding=top).permute(0, 2, 3, 1)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    (yt * torch.tensor(gy)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(kn.grad, kt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.grad, bt.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("size,k,s,padding,op,expected", [
    (5, 3, 2, "same", None, 10), (5, 3, 2, "valid", None, 11), (5, 2, 3, "valid", None, 15),
    (5, 3, 2, "same", 1, 10), (5, 3, 2, "valid", 1, 12), (5, 3, 1, "same", None, 5),
])
def test_conv_transpose_output_length_follows_keras(size, k, s, padding, op, expected):
    y = ops.conv_transpose(np.ones((1, size, 2)), np.ones((k, 3, 2)), s, padding, op)
    assert y.shape == (1, expected, 3)


# ----------------------------------------------------------------------------- depthwise / separable
@pytest.mark.parametrize("k,s,padding,d,mult", [((3, 3), 1, "valid", 1, 1), ((2, 2), 2, "same", 1, 2),
                                                ((3, 2), 1, "same", 2, 3)])
def test_depthwise_conv_gradcheck(float64, rng, k, s, padding, d, mult):
    x, kernel, bias = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=k + (3, mult)), rng.normal(size=3 * mult)
    gradcheck(lambda x, kernel, bias: ops.depthwise_conv(x, kernel, s, padding, dilation_rate=d, bias=bias),
              [x, kernel, bias])


def test_depthwise_conv_matches_torch_groups(float64, rng):
    torch = pytest.importorskip("torch")
    x, kernel = rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(3, 3, 3, 2))
    y = ops.depthwise_conv(x, kernel, 1, "valid").data
    # torch: groups=in, weight (in·mult, 1, kh, kw) with output channel c·mult + m
    weight = torch.tensor(kernel.transpose(2, 3, 0, 1).reshape(6, 1, 3, 3))
    yt = torch.nn.functional.conv2d(torch.tensor(x).permute(0, 3, 1, 2), weight, groups=3).permute(0, 2, 3, 1)
    np.testing.assert_allclose(y, yt.numpy(), atol=1e-6)


def test_depthwise_conv1d_gradcheck(float64, rng):
    gradcheck(lambda x, k: ops.depthwise_conv(x, k, 2, "same"),
              [rng.normal(size=(2, 7, 2)), rng.normal(size=(3, 2, 2))])


def test_separable_conv_is_depthwise_then_pointwise(float64, rng):
    x, dk, pk, b = rng.normal(size=(2, 6, 6, 3)), rng.normal(size=(3, 3, 3, 2)), rng.normal(size=(1, 1, 6, 4)), \
        rng.normal(size=4)
    y = ops.separable_conv(x, dk, pk, 1, "same", bias=b).data
    h = ops.depthwise_conv(x, dk, 1, "same").data
    np.testing.assert_allclose(y, np.einsum("nhwc,cf->nhwf", h, pk[0, 0]) + b, atol=1e-10)
    gradcheck(lambda x, dk, pk: ops.separable_conv(x, dk, pk, 2, "valid"), [x, dk, pk])


# ----------------------------------------------------------------------------- dtypes, layouts, errors
def test_float32_stays_float32(rng):
    x = Tensor(rng.normal(size=(2, 6, 6, 3)).astype(np.float32), requires_grad=True)
    k = Tensor(rng.normal(size=(3, 3, 3, 4)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(4, np.float32), requires_grad=True)
    for y in (ops.conv(x, k, 2, "same", bias=b, relu=True), ops.conv_transpose(x, k.data.transpose(0, 1, 3, 2)),
              ops.depthwise_conv(x, k.data[..., :1]), ops.conv(x[:, 0], k[0])):
        assert y.dtype == np.float32
    y = ops.conv(x, k, 2, "same", bias=b)
    y.sum().backward()
    assert x.grad.dtype == k.grad.dtype == b.grad.dtype == np.float32


def test_channels_first_matches_channels_last(rng):
    x, k = rng.normal(size=(2, 6, 5, 3)), rng.normal(size=(3, 3, 3, 4))
    y_last = ops.conv(x, k, 1, "same").data
    y_first = ops.conv(x.transpose(0, 3, 1, 2), k, 1, "same", data_format="channels_first").data
    np.testing.assert_allclose(y_first, y_last.transpose(0, 3, 1, 2), atol=1e-12)


@pytest.mark.parametrize("call,message", [
    (lambda: ops.conv(np.ones((2, 5, 5)), np.ones((3, 3, 5, 2))), "kernel of rank 3"),
    (lambda: ops.conv(np.ones((5, 5)), np.ones((3, 3, 1, 2))), "rank 3"),
    (lambda: ops.conv(np.ones((1, 4, 4, 2)), np.ones((5, 5, 2, 1))), "larger than"),
    (lambda: ops.conv(np.ones((1, 4, 4, 2)), np.ones((3, 3, 3, 1))), "input channels"),
    (lambda: ops.conv(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1)), padding="full"), "padding"),
    (lambda: ops.conv(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1)), strides=0), "strides"),
    (lambda: ops.conv_transpose(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 2)), 2, output_padding=2), "output_padding"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
