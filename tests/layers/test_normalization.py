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


# ------------------------------------------------------------------ GroupNormalization, RMSNormalization, Unit
def _group_norm_reference(x, groups, gamma, beta, epsilon):
    """Group normalization written directly in NumPy, channels last."""
    n, c = x.shape[0], x.shape[-1]
    g = x.reshape(n, -1, groups, c // groups)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = g.var(axis=(1, 3), keepdims=True)
    return ((g - mean) / np.sqrt(var + epsilon)).reshape(x.shape) * gamma + beta


@pytest.mark.parametrize("groups,shape", [(2, (3, 4)), (2, (2, 3, 4, 6)), (-1, (2, 5, 3)), (1, (2, 4, 4))])
def test_group_norm_matches_numpy_and_gradcheck(float64, rng, groups, shape):
    layer = layers.GroupNormalization(groups=groups, epsilon=0.01)
    layer.build(shape)
    gamma, beta = rng.normal(size=shape[-1]), rng.normal(size=shape[-1])
    layer.set_weights([gamma, beta])
    x = rng.normal(size=shape)
    expected = _group_norm_reference(x, shape[-1] if groups == -1 else groups, gamma, beta, 0.01)
    np.testing.assert_allclose(layer(x).data, expected, atol=1e-10)
    gradcheck(lambda x: layer(x), [x], params=layer.weights)


def test_group_norm_channel_axis_and_config(float64, rng):
    x = rng.normal(size=(2, 6, 5))
    layer = layers.GroupNormalization(groups=3, axis=1, center=False)
    y = layer(x).data
    expected = _group_norm_reference(np.moveaxis(x, 1, -1), 3, 1.0, 0.0, 1e-3)
    np.testing.assert_allclose(y, np.moveaxis(expected, -1, 1), atol=1e-10)
    assert [w.name for w in layer.weights] == ["gamma"]
    gradcheck(lambda x: layer(x), [x], params=layer.weights)
    config = layer.get_config()
    assert (config["groups"], config["axis"], config["epsilon"], config["center"]) == (3, 1, 1e-3, False)
    assert layers.GroupNormalization.from_config(config).get_config() == config


@pytest.mark.parametrize("kwargs,shape,match", [
    (dict(groups=4), (2, 6), "groups \\(4\\) must divide the 6 channels"),
    (dict(groups=0), (2, 6), "expected groups to be a positive integer or -1"),
    (dict(axis=0), (2, 6), "is the batch axis"),
    (dict(axis=3), (2, 6), "axis 3 is out of range"),
])
def test_group_norm_errors(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        layers.GroupNormalization(**kwargs).build(shape)


@pytest.mark.parametrize("axis,shape", [(-1, (3, 5)), ([1, 2], (2, 3, 4, 2)), (1, (2, 4, 3))])
def test_rms_norm_matches_numpy_and_gradcheck(float64, rng, axis, shape):
    layer = layers.RMSNormalization(axis=axis, epsilon=1e-3)
    layer.build(shape)
    axes = tuple(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    scale = rng.normal(size=tuple(shape[a] for a in axes))
    layer.set_weights([scale])
    x = rng.normal(size=shape)
    broadcast = [shape[i] if i in axes else 1 for i in range(len(shape))]
    expected = x / np.sqrt((x**2).mean(axis=axes, keepdims=True) + 1e-3) * scale.reshape(broadcast)
    np.testing.assert_allclose(layer(x).data, expected, atol=1e-10)
    gradcheck(lambda x: layer(x), [x], params=layer.weights)
    assert layer.get_config()["axis"] == axis and layer.get_config()["epsilon"] == 1e-3


@pytest.mark.parametrize("axis,shape", [(-1, (3, 5)), ([1, 2], (2, 3, 4, 2))])
def test_unit_norm_matches_numpy_and_gradcheck(float64, rng, axis, shape):
    layer = layers.UnitNormalization(axis=axis)
    x = rng.normal(size=shape)
    axes = tuple(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    np.testing.assert_allclose(layer(x).data, x / np.sqrt((x**2).sum(axis=axes, keepdims=True)), atol=1e-12)
    assert not layer.weights
    gradcheck(lambda x: layer(x), [x])
    assert layers.UnitNormalization.from_config(layer.get_config()).axis == axis


def test_new_normalizations_refuse_bad_axes():
    with pytest.raises(ValueError, match="UnitNormalization 'unit_normalization': `axis` must be an int"):
        layers.UnitNormalization(axis="last")
    with pytest.raises(ValueError, match="RMSNormalization .*epsilon"):
        layers.RMSNormalization(epsilon=-1.0)


@pytest.mark.parametrize("make", [lambda: layers.GroupNormalization(groups=2),
                                  lambda: layers.RMSNormalization(), lambda: layers.UnitNormalization()])
def test_new_normalizations_save_and_load_through_keras_files(tmp_path, rng, make):
    import neuronet as keras

    model = keras.Sequential([keras.Input((3, 4)), make(), keras.layers.Dense(2)])
    for w in model.layers[0].weights:
        w.data[...] = rng.normal(size=w.shape)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    x = rng.normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert type(again.layers[0]) is type(model.layers[0])
