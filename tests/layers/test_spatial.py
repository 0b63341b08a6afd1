"""ZeroPadding, Cropping, UpSampling: values against NumPy, gradcheck, torch parity, shapes, config, errors."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import gradcheck


@pytest.mark.parametrize("layer,shape", [
    (lambda: layers.ZeroPadding2D(), (2, 3, 3, 2)),
    (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (1, 3, 4, 2)),
    (lambda: layers.ZeroPadding1D((2, 1)), (2, 4, 3)),
    (lambda: layers.Cropping2D(((1, 0), (0, 2))), (2, 4, 5, 2)),
    (lambda: layers.Cropping1D(1), (2, 5, 3)),
    (lambda: layers.UpSampling2D((2, 3)), (2, 3, 2, 2)),
    (lambda: layers.UpSampling1D(3), (2, 3, 2)),
    (lambda: layers.UpSampling2D(data_format="channels_first"), (1, 2, 3, 2)),
])
def test_gradcheck(float64, rng, layer, shape):
    lay = layer()
    gradcheck(lambda x: lay(x), [rng.normal(size=shape)])


def test_values_match_numpy(rng):
    x = rng.normal(size=(2, 3, 4, 2)).astype(np.float32)
    np.testing.assert_array_equal(layers.ZeroPadding2D(((1, 0), (2, 1)))(x).data,
                                  np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding2D(1)(x).data, np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))))
    np.testing.assert_array_equal(layers.Cropping2D(((1, 0), (1, 2)))(x).data, x[:, 1:, 1:2])
    np.testing.assert_array_equal(layers.Cropping2D(1)(x).data, x[:, 1:2, 1:3])
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3))(x).data, x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(layers.UpSampling1D(2)(x[:, 0]).data, x[:, 0].repeat(2, axis=1))
    np.testing.assert_array_equal(layers.ZeroPadding1D(2)(x[:, 0]).data, np.pad(x[:, 0], ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(layers.Cropping1D((0, 2))(x[:, 0]).data, x[:, 0, :2])


def test_upsampling_matches_torch_nearest(float64, rng):
    torch = pytest.importorskip("torch")
    x = rng.normal(size=(2, 3, 4, 2))
    yt = torch.nn.functional.interpolate(torch.tensor(x.transpose(0, 3, 1, 2)), scale_factor=(2, 3), mode="nearest")
    np.testing.assert_allclose(layers.UpSampling2D((2, 3))(x).data, yt.numpy().transpose(0, 2, 3, 1))


def test_keras_defaults_and_shapes():
    assert layers.ZeroPadding2D().padding == ((1, 1), (1, 1))
    assert layers.ZeroPadding1D().padding == ((1, 1),)
    assert layers.Cropping2D().cropping == ((0, 0), (0, 0))
    assert layers.Cropping1D().cropping == ((1, 1),)
    assert layers.UpSampling2D().size == (2, 2) and layers.UpSampling1D().size == (2,)
    assert layers.ZeroPadding2D((1, 2)).compute_output_shape((None, 5, 5, 3)) == (None, 7, 9, 3)
    assert layers.Cropping2D(((1, 0), (0, 2))).compute_output_shape((None, 5, None, 3)) == (None, 4, None, 3)
    assert layers.UpSampling2D(data_format="channels_first").compute_output_shape((1, 3, 4, 5)) == (1, 3, 8, 10)


def test_config_round_trip():
    for layer in (layers.ZeroPadding2D(((1, 0), (2, 1))), layers.Cropping1D((1, 2)), layers.UpSampling2D((2, 3)),
                  layers.UpSampling1D(4), layers.ZeroPadding1D(3), layers.Cropping2D(1)):
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg


def test_float32_stays_float32(rng):
    x = rng.normal(size=(2, 4, 4, 2))
    for layer in (layers.ZeroPadding2D(), layers.Cropping2D(1), layers.UpSampling2D()):
        assert layer(x).dtype == np.float32


@pytest.mark.parametrize("make,message", [
    (lambda: layers.ZeroPadding2D(-1), "non-negative"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), "padding"),
    (lambda: layers.Cropping2D("all"), "cropping"),
    (lambda: layers.UpSampling2D(0), "size"),
    (lambda: layers.UpSampling2D(interpolation="area"), "'nearest' or 'bilinear'"),
])
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match="crop_a.*removes all"):
        layers.Cropping2D(((2, 2), (0, 0)), name="crop_a")(np.zeros((1, 4, 4, 1)))
    with pytest.raises(ValueError, match="pad_a.*expected ndim=4"):
        layers.ZeroPadding2D(name="pad_a")(np.zeros((1, 4, 4)))
