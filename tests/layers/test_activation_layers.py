"""Activation layers: ReLU, LeakyReLU, ELU, Softmax, PReLU — values, Keras defaults, gradchecks
(inputs kept >= 0.1 from kinks; kinks tested separately) and torch parity."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import Tensor, gradcheck


def _away_from(x, points, gap=0.1):
    """Move entries of x within ``gap`` of any kink point to ``point ± 2·gap``."""
    x = x.copy()
    for p in points:
        near = np.abs(x - p) < gap
        x[near] = p + np.where(x[near] >= p, 2 * gap, -2 * gap)
    return x


SHAPES = [(3, 4), (2, 3, 5), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("make,kinks", [
    (lambda: layers.ReLU(), [0.0]),
    (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5), [0.5, 1.0]),
    (lambda: layers.LeakyReLU(), [0.0]),
    (lambda: layers.ELU(alpha=0.7), [0.0]),
    (lambda: layers.Softmax(), []),
    (lambda: layers.Softmax(axis=1), []),
])
def test_activation_layer_gradcheck(float64, rng, shape, make, kinks):
    layer = make()
    if isinstance(layer, layers.Softmax) and layer.axis == 1 and len(shape) < 2:
        pytest.skip("axis 1 needs rank 2")
    x = _away_from(rng.normal(size=shape) * 2, kinks)
    gradcheck(lambda t: layer(t), [x])


@pytest.mark.parametrize("shape,shared", [((3, 4), None), ((2, 3, 5), [1]), ((2, 2, 2, 3), [1, 2])])
def test_prelu_gradcheck_inputs_and_alpha(float64, rng, shape, shared):
    layer = layers.PReLU(alpha_initializer="random_normal", shared_axes=shared)
    x = _away_from(rng.normal(size=shape), [0.0])
    layer.build(x.shape)
    gradcheck(lambda t: layer(t), [x], params=layer.weights)


def test_prelu_alpha_shape_and_values():
    layer = layers.PReLU(shared_axes=[1, 2])
    x = np.array([[[[-2.0, 3.0]]]], "float32")
    layer(x)
    assert layer.alpha.shape == (1, 1, 2)
    layer.alpha.data[...] = 0.25
    np.testing.assert_allclose(layer(x).data, [[[[-0.5, 3.0]]]])


def test_relu_kink_gradient_is_zero_at_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    layers.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_relu_options_follow_keras_formula():
    x = np.array([-1.0, 0.2, 0.7, 3.0], "float32")
    y = layers.ReLU(max_value=2.0, negative_slope=0.5, threshold=0.5)(x).data
    np.testing.assert_allclose(y, [-0.75, -0.15, 0.7, 2.0], rtol=1e-6)


def test_leaky_relu_default_slope_is_keras3():
    layer = layers.LeakyReLU()
    assert layer.negative_slope == pytest.approx(0.3)
    np.testing.assert_allclose(layer(np.array([-1.0, 2.0], "float32")).data, [-0.3, 2.0], rtol=1e-6)
    assert layers.LeakyReLU(alpha=0.1).negative_slope == pytest.approx(0.1)  # Keras 2 spelling


def test_elu_values():
    y = layers.ELU(alpha=2.0)(np.array([-1.0, 1.0], "float32")).data
    np.testing.assert_allclose(y, [2.0 * (np.exp(-1.0) - 1.0), 1.0], rtol=1e-6)


def test_softmax_rows_sum_to_one_and_mask():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], "float32")
    y = layers.Softmax()(x).data
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    assert np.isfinite(y).all()
    masked = layers.Softmax()(x, mask=np.array([[True, True, False], [True, True, True]])).data
    assert masked[0, 2] == 0.0
    np.testing.assert_allclose(masked[0, :2], np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum(), rtol=1e-5)


@pytest.mark.parametrize("value", [-0.1, float("nan")])
def test_activation_layers_reject_bad_hyperparameters(value):
    with pytest.raises(ValueError, match="negative_slope"):
        layers.LeakyReLU(negative_slope=value)
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=value)


def test_activation_layers_match_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x = _away_from(rng.normal(size=(4, 5)) * 2, [0.0])
    g = rng.normal(size=(4, 5))
    cases = [
        (layers.ReLU(), torch.nn.ReLU()),
        (layers.LeakyReLU(negative_slope=0.3), torch.nn.LeakyReLU(0.3)),
        (layers.ELU(alpha=1.3), torch.nn.ELU(alpha=1.3)),
        (layers.Softmax(), torch.nn.Softmax(dim=-1)),
    ]
    for ours, theirs in cases:
        xt = torch.tensor(x, requires_grad=True)
        (theirs(xt) * torch.from_numpy(g)).sum().backward()
        xn = Tensor(x, requires_grad=True)
        y = ours(xn)
        (y * g).sum().backward()
        np.testing.assert_allclose(y.data, theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)


def test_prelu_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x = _away_from(rng.normal(size=(3, 4)), [0.0])
    layer = layers.PReLU(alpha_initializer="random_uniform")
    layer.build(x.shape)
    theirs = torch.nn.PReLU(num_parameters=4).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(layer.alpha.data.copy()))
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)  # (N, C) input: one alpha per feature, as our alpha of shape (4,)
    yt.sum().backward()
    xn = Tensor(x, requires_grad=True)
    y = layer(xn)
    y.sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(layer.alpha.grad, theirs.weight.grad.numpy(), atol=1e-6)


def test_activation_layers_keep_float32():
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    for layer in [layers.ReLU(), layers.LeakyReLU(), layers.ELU(), layers.Softmax(), layers.PReLU()]:
        assert layer(x).dtype == np.float32, type(layer).__name__
