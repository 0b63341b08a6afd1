"""BatchNormalization and LayerNormalization: gradcheck, Keras weight order and moving-average formula,
training vs inference, torch parity, config, dtypes, errors."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import Tensor, gradcheck


@pytest.mark.parametrize("kwargs,shape", [(dict(), (4, 3)), (dict(), (3, 4, 4, 2)), (dict(axis=1), (3, 2, 4, 4)),
                                          (dict(center=False), (5, 3)), (dict(scale=False), (3, 2, 3))])
def test_batch_norm_gradcheck_training_and_inference(float64, rng, kwargs, shape):
    layer = layers.BatchNormalization(**kwargs)
    layer.build(shape)
    for w in layer.weights:
        w.data[...] = rng.uniform(0.5, 1.5, size=w.shape)
    x = rng.normal(size=shape)
    gradcheck(lambda x: layer(x, training=True), [x], params=layer.trainable_weights)
    gradcheck(lambda x: layer(x, training=False), [x], params=layer.trainable_weights)


@pytest.mark.parametrize("kwargs,shape", [(dict(), (4, 5)), (dict(), (2, 3, 4)), (dict(axis=[1, 2]), (2, 3, 4)),
                                          (dict(center=False), (3, 4)), (dict(scale=False, epsilon=0.1), (3, 4))])
def test_layer_norm_gradcheck(float64, rng, kwargs, shape):
    layer = layers.LayerNormalization(**kwargs)
    layer.build(shape)
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape)
    gradcheck(lambda x: layer(x), [rng.normal(size=shape)], params=layer.weights)


def test_batch_norm_keras_weights_and_defaults():
    bn = layers.BatchNormalization()
    assert (bn.axis, bn.momentum, bn.epsilon, bn.center, bn.scale) == (-1, 0.99, 1e-3, True, True)
    bn(np.zeros((2, 5, 5, 3)))
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_array_equal(bn.moving_variance.data, 1.0)
    ln = layers.LayerNormalization()
    assert (ln.axis, ln.epsilon) == (-1, 1e-3)
    ln(np.zeros((2, 4)))
    assert [w.name for w in ln.weights] == ["gamma", "beta"]


def test_batch_norm_training_and_inference_differ_and_moving_averages_follow_keras(rng):
    bn = layers.BatchNormalization(momentum=0.9)
    x1 = rng.normal(2.0, 3.0, size=(16, 3, 3, 2)).astype(np.float32)
    x2 = rng.normal(-1.0, 0.5, size=(16, 3, 3, 2)).astype(np.float32)
    mean, var = np.zeros(2), np.ones(2)
    for x in (x1, x2):
        y = bn(x, training=True).data
        batch_mean, batch_var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # biased variance (Keras 3)
        mean = mean * 0.9 + batch_mean * 0.1
        var = var * 0.9 + batch_var * 0.1
        np.testing.assert_allclose(y, (x - batch_mean) / np.sqrt(batch_var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.data, mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.data, var, rtol=1e-5)
    y_inf = bn(x2, training=False).data
    np.testing.assert_allclose(y_inf, (x2 - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    assert not np.allclose(y_inf, bn(x2, training=True).data, atol=1e-2)
    before = bn.moving_mean.data.copy()
    bn(x1)  # inference (the default) leaves the moving averages alone
    np.testing.assert_array_equal(bn.moving_mean.data, before)


def test_frozen_batch_norm_runs_in_inference_mode(rng):
    bn = layers.BatchNormalization()
    x = rng.normal(3.0, 2.0, size=(8, 4)).astype(np.float32)
    bn(x)
    bn.trainable = False
    y = bn(x, training=True).data
    np.testing.assert_allclose(y, x / np.sqrt(1.0 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.data, 0.0)
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_batch_norm_matches_torch_training_step(float64, rng):
    torch = pytest.importorskip("torch")
    bn = layers.BatchNormalization(momentum=0.9)
    x = rng.normal(size=(6, 3, 3, 2))
    bn.build(x.shape)
    bn.gamma.data[...] = rng.normal(size=2)
    bn.beta.data[...] = rng.normal(size=2)
    xn = Tensor(x, requires_grad=True)
    y = bn(xn, training=True)
    gy = rng.normal(size=x.shape)
    (y * Tensor(gy)).sum().backward()
    tbn = torch.nn.BatchNorm2d(2, eps=1e-3, momentum=0.1).double()
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(bn.gamma.data))
        tbn.bias.copy_(torch.tensor(bn.beta.data))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    yt = tbn(xt)
    (yt * torch.tensor(gy.transpose(0, 3, 1, 2))).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(bn.gamma.grad, tbn.weight.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.beta.grad, tbn.bias.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.data, tbn.running_mean.numpy(), atol=1e-6)
    # torch keeps the unbiased variance in running_var; Keras 3 the biased one
    m = x.size // 2
    unbiased = (tbn.running_var.numpy() - 0.9) / 0.1
    np.testing.assert_allclose(bn.moving_variance.data, 0.9 + 0.1 * unbiased * (m - 1) / m, atol=1e-6)


def test_layer_norm_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    ln = layers.LayerNormalization()
    x = rng.normal(size=(3, 4, 5))
    ln.build(x.shape)
    ln.gamma.data[...] = rng.normal(size=5)
    ln.beta.data[...] = rng.normal(size=5)
    yt = torch.nn.functional.layer_norm(torch.tensor(x), (5,), torch.tensor(ln.gamma.data), torch.tensor(ln.beta.data),
                                        eps=1e-3)
    np.testing.assert_allclose(ln(x).data, yt.numpy(), atol=1e-6)
    assert np.allclose(ln(x, training=True).data, ln(x, training=False).data)


def test_config_round_trip():
    for layer in (layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False),
                  layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, scale=False)):
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg


def test_float32_stays_float32(rng):
    x = rng.normal(size=(4, 3, 3, 2))
    bn = layers.BatchNormalization()
    for training in (True, False):
        assert bn(x, training=training).dtype == np.float32
    assert bn.moving_mean.dtype == bn.moving_variance.dtype == np.float32
    assert layers.LayerNormalization()(x).dtype == np.float32


@pytest.mark.parametrize("make,message", [
    (lambda: layers.BatchNormalization(momentum=1.5), "momentum"),
    (lambda: layers.BatchNormalization(epsilon=0), "epsilon"),
    (lambda: layers.BatchNormalization(axis="last"), "axis"),
    (lambda: layers.LayerNormalization(epsilon=-1.0), "epsilon"),
    (lambda: layers.LayerNormalization(rms_scaling=True), "rms_scaling"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_name_the_layer():
    bn = layers.BatchNormalization(axis=3, name="bn_a")
    with pytest.raises(ValueError, match="bn_a.*axis 3 is out of range"):
        bn(np.zeros((2, 3)))
    bn = layers.BatchNormalization(name="bn_b")
    bn(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bn_b.*value 3"):
        bn(np.zeros((2, 4)))


def test_batch_norm_masked_statistics_ignore_masked_steps(float64, rng):
    bn = layers.BatchNormalization(momentum=0.5)
    x = rng.normal(size=(3, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    y = bn(x, training=True, mask=mask).data
    kept = x[mask]  # (9, 2): only the unmasked steps count
    mean, var = kept.mean(axis=0), kept.var(axis=0)
    np.testing.assert_allclose(y[mask], (kept - mean) / np.sqrt(var + 1e-3), atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.data, 0.5 * mean, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.data, 0.5 + 0.5 * var, atol=1e-6)
    bn2 = layers.BatchNormalization()
    bn2.build(x.shape)
    bn2.gamma.data[...] = rng.normal(size=2)
    gradcheck(lambda x: bn2(x, training=True, mask=mask), [x], params=bn2.trainable_weights)
