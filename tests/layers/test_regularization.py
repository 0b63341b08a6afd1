"""Dropout family: off at inference, inverted scaling, seeded through the library RNG, gradchecks
with a fixed mask, spatial masks shared along the right axes, hyperparameter errors."""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import gradcheck


def _fixed_noise(layer, seed=3):
    """A function calling ``layer`` in training mode with the same random draw every time."""
    def fn(t):
        layer._rng = np.random.default_rng(seed)
        return layer(t, training=True)
    return fn


@pytest.mark.parametrize("make", [
    lambda: layers.Dropout(0.4),
    lambda: layers.Dropout(0.5, noise_shape=(None, 1, None)),
    lambda: layers.SpatialDropout1D(0.3),
    lambda: layers.GaussianNoise(0.5),
    lambda: layers.GaussianDropout(0.3),
])
@pytest.mark.parametrize("shape", [(4, 3, 5), (2, 6, 1)])
def test_random_layers_gradcheck_with_fixed_noise(float64, rng, make, shape):
    layer = make()
    gradcheck(_fixed_noise(layer), [rng.normal(size=shape)])


def test_spatial_dropout_2d_gradcheck(float64, rng):
    gradcheck(_fixed_noise(layers.SpatialDropout2D(0.5)), [rng.normal(size=(2, 3, 3, 4))])


@pytest.mark.parametrize("layer", [layers.Dropout(0.5), layers.GaussianNoise(1.0), layers.GaussianDropout(0.5),
                                   layers.SpatialDropout1D(0.5)])
def test_identity_at_inference(layer):
    x = np.random.default_rng(0).normal(size=(4, 3, 2)).astype("float32")
    np.testing.assert_array_equal(layer(x).data, x)
    np.testing.assert_array_equal(layer(x, training=False).data, x)


def test_dropout_inverted_scaling_and_rate():
    x = np.ones((200, 500), "float32")
    y = layers.Dropout(0.25)(x, training=True).data
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1.0 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.01
    assert abs(y.mean() - 1.0) < 0.02  # the expected value is preserved
    assert y.dtype == np.float32


def test_dropout_is_repeatable_after_set_random_seed():
    x = np.ones((8, 8), "float32")
    neuronet.utils.set_random_seed(7)
    a = layers.Dropout(0.5)(x, training=True).data
    neuronet.utils.set_random_seed(7)
    b = layers.Dropout(0.5)(x, training=True).data
    c = layers.Dropout(0.5)(x, training=True).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_own_seed():
    x = np.ones((8, 8), "float32")
    a = layers.Dropout(0.5, seed=1)(x, training=True).data
    b = layers.Dropout(0.5, seed=1)(x, training=True).data
    np.testing.assert_array_equal(a, b)


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((6, 10, 8), "float32")
    y = layers.SpatialDropout1D(0.5)(x, training=True).data
    per_channel = y.std(axis=1)  # constant along the steps
    np.testing.assert_array_equal(per_channel, 0.0)
    img = np.ones((3, 4, 5, 8), "float32")
    y2 = layers.SpatialDropout2D(0.5)(img, training=True).data
    np.testing.assert_array_equal(y2.std(axis=(1, 2)), 0.0)
    with pytest.raises(ValueError, match="ndim=3"):
        layers.SpatialDropout1D(0.5)(np.ones((2, 3), "float32"), training=True)


def test_gaussian_layers_statistics():
    x = np.ones((300, 300), "float32")
    noisy = layers.GaussianNoise(0.5)(x, training=True).data
    assert abs(noisy.mean() - 1.0) < 0.01 and abs(noisy.std() - 0.5) < 0.01
    dropped = layers.GaussianDropout(0.2)(x, training=True).data
    assert abs(dropped.mean() - 1.0) < 0.01 and abs(dropped.std() - np.sqrt(0.2 / 0.8)) < 0.01
    assert noisy.dtype == np.float32 and dropped.dtype == np.float32


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "half"])
def test_dropout_rate_must_be_in_unit_interval(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout(rate)
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(rate)


def test_gaussian_noise_rejects_negative_stddev():
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-1.0)


def test_activity_regularization_adds_loss():
    layer = layers.ActivityRegularization(l1=0.5)
    x = np.array([[1.0, -2.0], [3.0, 0.0]], "float32")
    np.testing.assert_array_equal(layer(x).data, x)
    assert float(layer.losses[0].data) == pytest.approx(0.5 * 6.0 / 2)


def test_dropout_config():
    cfg = layers.Dropout(0.3, seed=4).get_config()
    assert cfg["rate"] == 0.3 and cfg["seed"] == 4
    assert layers.Dropout.from_config(cfg).rate == 0.3


def test_alpha_dropout_keeps_mean_and_variance_and_drops_to_the_selu_floor(rng):
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    rate = 0.2
    x = rng.normal(size=200_000).astype("float32")
    y = layers.AlphaDropout(rate, seed=1)(x, training=True).data
    a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(y, a * alpha_p + b, atol=1e-5)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    np.testing.assert_array_equal(layers.AlphaDropout(rate)(x, training=False).data, x)


def test_alpha_dropout_gradcheck_and_config(float64, rng):
    layer = layers.AlphaDropout(0.3, noise_shape=(None, 1), seed=3)
    gradcheck(_fixed_noise(layer), [rng.normal(size=(4, 5))])
    config = layer.get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (0.3, [None, 1], 3)
    with pytest.raises(ValueError, match="AlphaDropout: expected rate in \\[0, 1\\)"):
        layers.AlphaDropout(1.0)
