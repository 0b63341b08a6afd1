"""Convolution layers: gradcheck through inputs and weights, torch parity with mapped weight layouts,
Keras shapes and weight layouts, output shapes, config round trip, dtypes and errors naming the layer."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import Tensor, gradcheck


def _built(layer, shape, rng):
    layer.build(shape)
    for w in layer.weights:  # non-zero biases so their gradients are checked at a generic point
        if w.name == "bias":
            w.data[...] = rng.normal(size=w.shape)
    return layer


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=3, kernel_size=3), (2, 6, 6, 2)),
    (dict(filters=2, kernel_size=(2, 3), strides=2, padding="same"), (2, 7, 6, 2)),
    (dict(filters=2, kernel_size=2, padding="same"), (2, 5, 5, 3)),  # even kernel, 'same'
    (dict(filters=2, kernel_size=3, dilation_rate=2), (1, 7, 7, 2)),
    (dict(filters=4, kernel_size=3, groups=2, padding="same"), (1, 5, 5, 4)),
    (dict(filters=2, kernel_size=3, activation="tanh", use_bias=False), (2, 5, 5, 1)),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), (2, 3, 6, 5)),
])
def test_conv2d_gradcheck(float64, rng, kwargs, shape):
    layer = _built(layers.Conv2D(**kwargs), shape, rng)
    assert all(w.dtype == np.float64 for w in layer.weights)
    gradcheck(lambda x: layer(x), [rng.normal(size=shape)], params=layer.weights)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=2, strides=2, padding="same"),
                                    dict(kernel_size=3, padding="causal", dilation_rate=2)])
def test_conv1d_gradcheck(float64, rng, kwargs):
    layer = _built(layers.Conv1D(3, **kwargs), (2, 8, 2), rng)
    gradcheck(lambda x: layer(x), [rng.normal(size=(2, 8, 2))], params=layer.weights)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=3, strides=2, padding="same"),
                                    dict(kernel_size=(2, 3), strides=2, output_padding=1),
                                    dict(kernel_size=2, strides=2, padding="same", dilation_rate=1)])
def test_conv2d_transpose_gradcheck(float64, rng, kwargs):
    layer = _built(layers.Conv2DTranspose(2, **kwargs), (2, 3, 4, 3), rng)
    assert layer.kernel.shape[-2:] == (2, 3)  # Keras layout: (kh, kw, filters, in)
    gradcheck(lambda x: layer(x), [rng.normal(size=(2, 3, 4, 3))], params=layer.weights)


def test_conv1d_transpose_gradcheck(float64, rng):
    layer = _built(layers.Conv1DTranspose(2, 3, strides=2), (2, 4, 3), rng)
    gradcheck(lambda x: layer(x), [rng.normal(size=(2, 4, 3))], params=layer.weights)


@pytest.mark.parametrize("cls,kwargs", [
    (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=2)),
    (layers.DepthwiseConv2D, dict(kernel_size=2, strides=2, padding="same")),
    (layers.SeparableConv2D, dict(filters=3, kernel_size=3, depth_multiplier=2)),
    (layers.SeparableConv2D, dict(filters=2, kernel_size=2, padding="same", dilation_rate=2)),
])
def test_depthwise_and_separable_gradcheck(float64, rng, cls, kwargs):
    layer = _built(cls(**kwargs), (2, 5, 5, 2), rng)
    gradcheck(lambda x: layer(x), [rng.normal(size=(2, 5, 5, 2))], params=layer.weights)


def test_depthwise_and_separable_1d_gradcheck(float64, rng):
    for layer in (layers.DepthwiseConv1D(3, depth_multiplier=2), layers.SeparableConv1D(3, 2, padding="same")):
        _built(layer, (2, 6, 2), rng)
        gradcheck(lambda x: layer(x), [rng.normal(size=(2, 6, 2))], params=layer.weights)


def test_conv2d_relu_layer_gradcheck_away_from_kink(float64, rng):
    layer = layers.Conv2D(2, 3, activation="relu")
    layer.build((2, 4, 4, 1))
    for _ in range(100):  # draw until every pre-activation is ≥ 0.1 from the kink
        x = rng.normal(size=(2, 4, 4, 1))
        layer.bias.data[...] = rng.normal(size=2)
        z = layers.Conv2D(2, 3)
        z.build(x.shape)
        z.set_weights(layer.get_weights())
        pre = z(x).data
        if np.abs(pre).min() >= 0.1 and (pre > 0).any() and (pre < 0).any():
            break
    np.testing.assert_allclose(layer(x).data, np.maximum(pre, 0))
    gradcheck(lambda x: layer(x), [x], params=layer.weights)


# ----------------------------------------------------------------------------- torch parity
@pytest.mark.parametrize("kwargs", [dict(), dict(strides=2), dict(dilation_rate=2), dict(padding="same")])
def test_conv2d_matches_torch(float64, rng, kwargs):
    torch = pytest.importorskip("torch")
    layer = _built(layers.Conv2D(4, 3, **kwargs), (2, 7, 7, 3), rng)
    x = rng.normal(size=(2, 7, 7, 3))
    xn = Tensor(x, requires_grad=True)
    y = layer(xn)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    conv = torch.nn.Conv2d(3, 4, 3, stride=kwargs.get("strides", 1), dilation=kwargs.get("dilation_rate", 1),
                           padding=kwargs.get("padding", "valid")).double()
    with torch.no_grad():  # kernel (kh, kw, in, out) → weight (out, in, kh, kw)
        conv.weight.copy_(torch.tensor(layer.kernel.data.transpose(3, 2, 0, 1)))
        conv.bias.copy_(torch.tensor(layer.bias.data))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    yt = conv(xt)
    (yt * torch.tensor(gy.transpose(0, 3, 1, 2))).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(layer.kernel.grad, conv.weight.grad.numpy().transpose(2, 3, 1, 0), atol=1e-6)
    np.testing.assert_allclose(layer.bias.grad, conv.bias.grad.numpy(), atol=1e-6)


def test_conv1d_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    layer = _built(layers.Conv1D(4, 3, strides=2), (2, 9, 3), rng)
    x = rng.normal(size=(2, 9, 3))
    conv = torch.nn.Conv1d(3, 4, 3, stride=2).double()
    with torch.no_grad():  # kernel (k, in, out) → weight (out, in, k)
        conv.weight.copy_(torch.tensor(layer.kernel.data.transpose(2, 1, 0)))
        conv.bias.copy_(torch.tensor(layer.bias.data))
    yt = conv(torch.tensor(x.transpose(0, 2, 1))).detach().numpy().transpose(0, 2, 1)
    np.testing.assert_allclose(layer(x).data, yt, atol=1e-6)


def test_conv2d_transpose_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    layer = _built(layers.Conv2DTranspose(2, 3, strides=2), (2, 3, 4, 3), rng)
    x = rng.normal(size=(2, 3, 4, 3))
    xn = Tensor(x, requires_grad=True)
    y = layer(xn)
    gy = rng.normal(size=y.shape)
    (y * Tensor(gy)).sum().backward()
    deconv = torch.nn.ConvTranspose2d(3, 2, 3, stride=2).double()
    with torch.no_grad():  # kernel (kh, kw, out, in) → weight (in, out, kh, kw)
        deconv.weight.copy_(torch.tensor(layer.kernel.data.transpose(3, 2, 0, 1)))
        deconv.bias.copy_(torch.tensor(layer.bias.data))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    yt = deconv(xt)
    (yt * torch.tensor(gy.transpose(0, 3, 1, 2))).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(layer.kernel.grad, deconv.weight.grad.numpy().transpose(2, 3, 1, 0), atol=1e-6)


# ----------------------------------------------------------------------------- shapes, layouts, config
@pytest.mark.parametrize("layer,shape,expected", [
    (lambda: layers.Conv2D(32, 3), (None, 28, 28, 1), (None, 26, 26, 32)),
    (lambda: layers.Conv2D(8, 3, strides=2, padding="same"), (4, 7, 7, 3), (4, 4, 4, 8)),
    (lambda: layers.Conv2D(8, 3, data_format="channels_first"), (4, 3, 7, 7), (4, 8, 5, 5)),
    (lambda: layers.Conv1D(8, 3, padding="causal"), (2, 10, 4), (2, 10, 8)),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, padding="same"), (1, 5, 5, 8), (1, 10, 10, 4)),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2), (1, 5, 5, 8), (1, 11, 11, 4)),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (1, 5, 5, 8), (1, 3, 3, 16)),
    (lambda: layers.SeparableConv2D(7, 3), (1, 5, 5, 8), (1, 3, 3, 7)),
])
def test_output_shapes(layer, shape, expected):
    lay = layer()
    assert lay.compute_output_shape(shape) == expected
    concrete = tuple(2 if d is None else d for d in shape)
    assert lay(np.zeros(concrete, np.float32)).shape == tuple(2 if d is None else d for d in expected)


def test_keras_weight_layouts():
    conv = layers.Conv2D(32, (3, 5), input_shape=(28, 28, 4))
    conv(np.zeros((1, 28, 28, 4)))
    assert [w.name for w in conv.weights] == ["kernel", "bias"]
    assert conv.kernel.shape == (3, 5, 4, 32) and conv.bias.shape == (32,)
    deconv = layers.Conv2DTranspose(6, 3)
    deconv(np.zeros((1, 4, 4, 2)))
    assert deconv.kernel.shape == (3, 3, 6, 2)
    dw = layers.DepthwiseConv2D(3, depth_multiplier=3)
    dw(np.zeros((1, 5, 5, 2)))
    assert dw.kernel.shape == (3, 3, 2, 3) and dw.bias.shape == (6,)
    sep = layers.SeparableConv2D(5, 3, depth_multiplier=2)
    sep(np.zeros((1, 5, 5, 2)))
    assert [w.name for w in sep.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert sep.pointwise_kernel.shape == (1, 1, 4, 5)
    assert layers.Conv1D(4, 3)(np.zeros((1, 6, 2))).shape == (1, 4, 4)


def test_keras_defaults():
    conv = layers.Conv2D(8, 3)
    assert conv.strides == (1, 1) and conv.padding == "valid" and conv.dilation_rate == (1, 1)
    assert conv.use_bias and conv.data_format == "channels_last" and conv.groups == 1
    assert layers.Conv2DTranspose(8, 3).output_padding is None


def test_get_config_round_trip(rng):
    layer = layers.Conv2D(6, (3, 2), strides=(2, 1), padding="same", activation="relu", name="c1")
    clone = layers.Conv2D.from_config(layer.get_config())
    x = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
    layer(x)
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x).data, layer(x).data)
    for cls, kwargs in [(layers.Conv2DTranspose, dict(filters=3, kernel_size=3, output_padding=1, strides=2)),
                        (layers.DepthwiseConv2D, dict(kernel_size=3, depth_multiplier=2)),
                        (layers.SeparableConv1D, dict(filters=3, kernel_size=3)),
                        (layers.Conv1D, dict(filters=3, kernel_size=3, padding="causal"))]:
        cfg = cls(**kwargs).get_config()
        assert cls.from_config(cfg).get_config() == cfg


def test_float32_by_default(rng):
    x = rng.normal(size=(2, 6, 6, 3))  # float64 data is cast to the layer's float32
    for layer in (layers.Conv2D(4, 3, activation="relu"), layers.Conv2DTranspose(2, 3, strides=2),
                  layers.DepthwiseConv2D(3), layers.SeparableConv2D(2, 3)):
        y = layer(x)
        assert y.dtype == np.float32 and all(w.dtype == np.float32 for w in layer.weights)


@pytest.mark.parametrize("make,message", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(-2, 3), "filters"),
    (lambda: layers.Conv2D(4, 0), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda: layers.Conv2D(3, 3, groups=2), "groups"),
    (lambda: layers.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_name_the_layer():
    conv = layers.Conv2D(4, 3, name="my_conv")
    with pytest.raises(ValueError, match="my_conv.*expected ndim=4"):
        conv(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="my_conv.*larger than the input"):
        conv(np.zeros((2, 2, 5, 1)))
    conv(np.zeros((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="my_conv.*axis -1.*value 3"):
        conv(np.zeros((1, 5, 5, 2)))
