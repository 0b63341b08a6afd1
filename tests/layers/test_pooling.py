"""Pooling layers: gradcheck, torch parity, Keras defaults and shapes, masks, config, errors."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import Tensor, gradcheck


def _distinct(rng, *shape):
    """Values at least 0.1 apart: no ties near a window's maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0


@pytest.mark.parametrize("cls,kwargs,shape", [
    (layers.MaxPooling2D, dict(), (2, 6, 6, 2)),
    (layers.MaxPooling2D, dict(pool_size=3, strides=2, padding="same"), (2, 7, 6, 2)),
    (layers.AveragePooling2D, dict(), (2, 5, 5, 2)),
    (layers.AveragePooling2D, dict(pool_size=(2, 3), strides=1, padding="same"), (1, 5, 6, 2)),
    (layers.MaxPooling1D, dict(pool_size=3, strides=1), (2, 7, 2)),
    (layers.AveragePooling1D, dict(padding="same"), (2, 7, 2)),
    (layers.GlobalAveragePooling2D, dict(), (2, 4, 3, 2)),
    (layers.GlobalMaxPooling2D, dict(keepdims=True), (2, 4, 3, 2)),
    (layers.GlobalAveragePooling1D, dict(keepdims=True), (2, 5, 3)),
    (layers.GlobalMaxPooling1D, dict(), (2, 5, 3)),
])
def test_pooling_gradcheck(float64, rng, cls, kwargs, shape):
    layer = cls(**kwargs)
    gradcheck(lambda x: layer(x), [_distinct(rng, *shape)])


def test_max_pooling_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    x = _distinct(rng, 2, 7, 7, 3)
    xn = Tensor(x, requires_grad=True)
    y = layers.MaxPooling2D(3, strides=2)(xn)
    y.sum().backward()
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, 3, 2)
    yt.sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy().transpose(0, 2, 3, 1), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy().transpose(0, 2, 3, 1), atol=1e-6)
    ya = layers.AveragePooling2D()(x).data
    yat = torch.nn.functional.avg_pool2d(torch.tensor(x.transpose(0, 3, 1, 2)), 2).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(ya, yat, atol=1e-6)


def test_keras_defaults_and_shapes():
    pool = layers.MaxPooling2D()
    assert pool.pool_size == (2, 2) and pool.strides == (2, 2) and pool.padding == "valid"
    assert layers.MaxPooling1D().pool_size == (2,)
    assert layers.MaxPooling2D(3).strides == (3, 3)  # strides=None → pool_size
    assert pool.compute_output_shape((None, 11, 11, 64)) == (None, 5, 5, 64)
    assert pool(np.zeros((2, 11, 11, 4))).shape == (2, 5, 5, 4)
    assert layers.MaxPooling2D(padding="same").compute_output_shape((None, 11, 11, 64)) == (None, 6, 6, 64)
    assert layers.AveragePooling2D(data_format="channels_first").compute_output_shape((1, 3, 8, 6)) == (1, 3, 4, 3)
    assert layers.GlobalAveragePooling2D().compute_output_shape((None, 5, 5, 7)) == (None, 7)
    assert layers.GlobalMaxPooling2D(keepdims=True)(np.zeros((2, 5, 5, 7))).shape == (2, 1, 1, 7)
    assert layers.GlobalAveragePooling1D(data_format="channels_first")(np.zeros((2, 7, 5))).shape == (2, 7)
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D


def test_global_pooling_values(rng):
    x = rng.normal(size=(2, 4, 3, 5)).astype(np.float32)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).data, x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(x).data, x.max(axis=(1, 2)))


def test_global_average_pooling_1d_respects_the_mask(rng):
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    y = layers.GlobalAveragePooling1D()(x, mask=mask).data
    np.testing.assert_allclose(y[0], x[0, :2].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(y[1], x[1].mean(axis=0), rtol=1e-6)


def test_config_round_trip():
    for layer in (layers.MaxPooling2D(3, 2, "same"), layers.AveragePooling1D(3),
                  layers.GlobalMaxPooling2D(keepdims=True)):
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg


def test_float32_stays_float32(rng):
    x = rng.normal(size=(2, 6, 6, 3))
    for layer in (layers.MaxPooling2D(), layers.AveragePooling2D(3, 1, "same"), layers.GlobalAveragePooling2D()):
        assert layer(x).dtype == np.float32


@pytest.mark.parametrize("make,message", [
    (lambda: layers.MaxPooling2D(0), "pool_size"),
    (lambda: layers.MaxPooling2D(2, padding="causal"), "padding"),
    (lambda: layers.AveragePooling2D(2, strides=(1, 2, 3)), "strides"),
    (lambda: layers.GlobalMaxPooling2D(data_format="nhwc"), "data_format"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_name_the_layer():
    pool = layers.MaxPooling2D(3, name="pool_a")
    with pytest.raises(ValueError, match="pool_a.*expected ndim=4"):
        pool(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="pool_a.*larger than"):
        pool(np.zeros((2, 2, 5, 1)))


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_reference(x, sizes, reduce):
    """Adaptive pooling in NumPy: cell j of an axis of length L covers [floor(jL/n), ceil((j+1)L/n))."""
    out = x
    for i, n in enumerate(sizes):
        axis, length = 1 + i, x.shape[1 + i]
        cells = [reduce(np.take(out, range(j * length // n, -(-(j + 1) * length // n)), axis=axis), axis=axis,
                        keepdims=True) for j in range(n)]
        out = np.concatenate(cells, axis=axis)
    return out


@pytest.mark.parametrize("rank,size,shape", [(1, 3, (2, 7, 2)), (2, (3, 2), (2, 5, 4, 3)), (3, 2, (1, 3, 4, 5, 2))])
@pytest.mark.parametrize("kind", ["Average", "Max"])
def test_adaptive_pooling_matches_numpy_and_gradcheck(float64, rng, rank, size, shape, kind):
    layer = getattr(layers, f"Adaptive{kind}Pooling{rank}D")(size)
    x = _distinct(rng, *shape)
    sizes = (size,) * rank if isinstance(size, int) else size
    expected = _adaptive_reference(x, sizes, np.mean if kind == "Average" else np.max)
    np.testing.assert_allclose(layer(x).data, expected, atol=1e-12)
    assert layer.compute_output_shape(shape) == (shape[0], *sizes, shape[-1])
    gradcheck(lambda t: layer(t), [x])
    config = layer.get_config()
    assert config["output_size"] == list(sizes) and config["data_format"] == "channels_last"
    assert type(layer).from_config(config).output_size == sizes


def test_adaptive_pooling_channels_first_and_errors(rng):
    x = rng.normal(size=(2, 3, 6, 4))
    y = layers.AdaptiveAveragePooling2D(2, data_format="channels_first")(x).data
    expected = _adaptive_reference(x.transpose(0, 2, 3, 1), (2, 2), np.mean).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(y, expected, rtol=1e-5)  # float32 layer
    with pytest.raises(ValueError, match="output_size"):
        layers.AdaptiveMaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="output_size"):
        layers.AdaptiveMaxPooling1D(0)
