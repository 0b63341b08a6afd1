"""3-D layers and bilinear upsampling: float64 gradient checks, torch parity after mapping layouts
(Conv3d, MaxPool3d, AvgPool3d, F.interpolate), Keras parity where Keras is installed, shapes, config
round trips and errors naming the layer."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import layers, ops
from neuronet.autograd import Tensor, gradcheck


def _built(layer, shape, rng):
    layer.build(shape)
    for w in layer.weights:
        w.data[...] = rng.normal(size=w.shape) * 0.5
    return layer


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=2, kernel_size=2), (2, 3, 4, 3, 2)),
    (dict(filters=2, kernel_size=(2, 3, 2), strides=(2, 1, 2), padding="same"), (1, 5, 4, 5, 2)),
    (dict(filters=2, kernel_size=2, dilation_rate=2, padding="same", activation="tanh"), (1, 4, 4, 4, 1)),
    (dict(filters=4, kernel_size=2, groups=2), (1, 3, 3, 3, 4)),
    (dict(filters=2, kernel_size=2, data_format="channels_first", use_bias=False), (1, 3, 4, 3, 3)),
])
def test_conv3d_gradcheck(float64, rng, kwargs, shape):
    layer = _built(layers.Conv3D(**kwargs), shape, rng)
    gradcheck(lambda x: layer(x), [rng.normal(size=shape)], params=layer.weights)


@pytest.mark.parametrize("cls", [layers.MaxPooling3D, layers.AveragePooling3D])
@pytest.mark.parametrize("kwargs", [dict(), dict(pool_size=(2, 3, 2), strides=1), dict(pool_size=3, strides=2,
                                                                                          padding="same")])
def test_pool3d_gradcheck(float64, rng, cls, kwargs):
    layer = cls(**kwargs)
    x = rng.permutation(2 * 5 * 5 * 4 * 2).reshape(2, 5, 5, 4, 2) * 0.1  # distinct values: no ties
    gradcheck(lambda x: layer(x), [x])


@pytest.mark.parametrize("cls", [layers.GlobalMaxPooling3D, layers.GlobalAveragePooling3D])
def test_global_pool3d_gradcheck(float64, rng, cls):
    x = rng.permutation(2 * 3 * 3 * 2 * 2).reshape(2, 3, 3, 2, 2) * 0.1
    gradcheck(lambda x: cls()(x), [x])
    assert cls(keepdims=True)(x).shape == (2, 1, 1, 1, 2)


def _torch_same_pads(spatial, kernel, strides, dilation):
    """F.pad widths (last axis first) reproducing Keras's 'same' padding."""
    from neuronet.ops.conv import conv_geometry

    pads = [conv_geometry(n, k, s, d, "same")[1:] for n, k, s, d in zip(spatial, kernel, strides, dilation)]
    return [p for pair in reversed(pads) for p in pair]


@pytest.mark.parametrize("kwargs", [
    dict(kernel_size=3), dict(kernel_size=(2, 3, 2), strides=2, padding="same"),
    dict(kernel_size=2, dilation_rate=(1, 2, 2), padding="same"),
])
def test_conv3d_matches_torch_values_and_gradients(float64, rng, kwargs):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = rng.normal(size=(2, 5, 6, 5, 3))
    layer = _built(layers.Conv3D(4, **kwargs), x.shape, rng)
    kernel, bias = layer.get_weights()
    tx = torch.tensor(x.transpose(0, 4, 1, 2, 3), requires_grad=True)
    tk = torch.tensor(kernel.transpose(4, 3, 0, 1, 2), requires_grad=True)
    tb = torch.tensor(bias, requires_grad=True)
    inp = tx
    if layer.padding == "same":
        inp = F.pad(tx, _torch_same_pads(x.shape[1:4], layer.kernel_size, layer.strides, layer.dilation_rate))
    theirs = F.conv3d(inp, tk, tb, stride=layer.strides, dilation=layer.dilation_rate)
    xt = Tensor(x, requires_grad=True)
    ours = layer(xt)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy().transpose(0, 2, 3, 4, 1), atol=1e-12)
    g = rng.normal(size=ours.shape)
    (ours * g).sum().backward()
    (theirs * torch.tensor(g.transpose(0, 4, 1, 2, 3))).sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy().transpose(0, 2, 3, 4, 1), atol=1e-10)
    np.testing.assert_allclose(layer.kernel.grad, tk.grad.numpy().transpose(2, 3, 4, 1, 0), atol=1e-10)
    np.testing.assert_allclose(layer.bias.grad, tb.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("kwargs", [dict(pool_size=2), dict(pool_size=(3, 2, 2), strides=(1, 2, 1))])
def test_pool3d_matches_torch(float64, rng, kwargs):
    torch = pytest.importorskip("torch")
    x = rng.permutation(2 * 6 * 5 * 4 * 3).reshape(2, 6, 5, 4, 3) * 0.01
    for ours_cls, theirs_fn in ((layers.MaxPooling3D, torch.nn.functional.max_pool3d),
                                (layers.AveragePooling3D, torch.nn.functional.avg_pool3d)):
        layer = ours_cls(**kwargs)
        xt = Tensor(x, requires_grad=True)
        ours = layer(xt)
        tx = torch.tensor(x.transpose(0, 4, 1, 2, 3), requires_grad=True)
        theirs = theirs_fn(tx, layer.pool_size, layer.strides)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy().transpose(0, 2, 3, 4, 1), atol=1e-12)
        g = rng.normal(size=ours.shape)
        (ours * g).sum().backward()
        (theirs * torch.tensor(g.transpose(0, 4, 1, 2, 3))).sum().backward()
        np.testing.assert_allclose(xt.grad, tx.grad.numpy().transpose(0, 2, 3, 4, 1), atol=1e-12)


def test_average_pool3d_same_counts_only_real_voxels():
    x = np.ones((1, 3, 3, 3, 1))
    y = ops.average_pool3d(x, 2, strides=2, padding="same").data
    np.testing.assert_allclose(y, np.ones((1, 2, 2, 2, 1)))
    y = ops.max_pool3d(-np.ones((1, 3, 3, 3, 1)), 2, strides=2, padding="same").data
    np.testing.assert_allclose(y, -np.ones((1, 2, 2, 2, 1)))  # padding never wins the max


def test_conv3d_shapes_config_and_errors():
    layer = layers.Conv3D(8, 3, strides=2, padding="same", name="c3")
    assert layer.compute_output_shape((None, 9, 8, 7, 2)) == (None, 5, 4, 4, 8)
    assert layers.Conv3D(8, 3, data_format="channels_first").compute_output_shape((None, 2, 9, 8, 7)) == \
        (None, 8, 7, 6, 5)
    layer(np.zeros((1, 9, 8, 7, 2), "float32"))
    assert layer.kernel.shape == (3, 3, 3, 2, 8) and layer.bias.shape == (8,)
    cfg = layer.get_config()
    assert cfg["kernel_size"] == [3, 3, 3] and cfg["strides"] == [2, 2, 2]
    assert layers.Conv3D.from_config(cfg).get_config() == cfg
    with pytest.raises(ValueError, match="Input 0 of layer 'c3' is incompatible.*expected ndim=5"):
        layer(np.zeros((1, 9, 8, 2)))
    with pytest.raises(ValueError, match="Conv3D 'big': the kernel .* is larger than the input's spatial shape"):
        layers.Conv3D(2, 4, name="big")(np.zeros((1, 3, 5, 5, 1)))
    with pytest.raises(ValueError, match="conv3d: expected inputs of rank 5"):
        ops.conv3d(np.zeros((1, 3, 3, 1)), np.zeros((2, 2, 2, 1, 1)))
    with pytest.raises(ValueError, match="MaxPooling3D 'mp': pool_size"):
        layers.MaxPooling3D(4, name="mp")(np.zeros((1, 3, 5, 5, 1)))


def test_3d_cnn_trains_in_a_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4, 6, 6, 1)).astype("float32")
    y = (x[:, :2].mean(axis=(1, 2, 3, 4)) > x[:, 2:].mean(axis=(1, 2, 3, 4))).astype(int)
    model = nn.Sequential([layers.Input((4, 6, 6, 1)), layers.Conv3D(4, 3, padding="same", activation="relu"),
                           layers.MaxPooling3D((1, 2, 2)), layers.Conv3D(4, 2, activation="relu"),
                           layers.GlobalAveragePooling3D(), layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    first = model.evaluate(x, y, verbose=0)[0]
    model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0)[0] < first


# ----------------------------------------------------------------------------- bilinear UpSampling2D
def test_bilinear_upsampling_values_gradcheck_and_torch(float64, rng):
    x = rng.normal(size=(2, 3, 4, 2))
    layer = layers.UpSampling2D((2, 3), interpolation="bilinear")
    gradcheck(lambda x: layer(x), [x])
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.interpolate(torch.tensor(x.transpose(0, 3, 1, 2)), scale_factor=(2, 3),
                                             mode="bilinear", align_corners=False)
    np.testing.assert_allclose(layer(x).data, theirs.numpy().transpose(0, 2, 3, 1), atol=1e-12)
    first = layers.UpSampling2D(2, interpolation="bilinear", data_format="channels_first")
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).data,
                               layers.UpSampling2D(2, interpolation="bilinear")(x).data.transpose(0, 3, 1, 2))


def test_bilinear_upsampling_config_and_errors():
    layer = layers.UpSampling2D(2, interpolation="bilinear")
    cfg = layer.get_config()
    assert cfg["interpolation"] == "bilinear" and cfg["size"] == [2, 2]
    assert layers.UpSampling2D.from_config(cfg).interpolation == "bilinear"
    assert layers.UpSampling2D().get_config()["interpolation"] == "nearest"
    with pytest.raises(ValueError, match="interpolation must be 'nearest' or 'bilinear'"):
        layers.UpSampling2D(interpolation="lanczos5")


# ----------------------------------------------------------------------------- against Keras
def test_3d_layers_and_bilinear_match_keras(rng):
    keras = pytest.importorskip("keras")
    x = rng.normal(size=(2, 6, 7, 5, 3)).astype("float32")
    for make in [lambda lib: lib.layers.Conv3D(4, 3),
                 lambda lib: lib.layers.Conv3D(4, (2, 3, 2), strides=(2, 1, 2), padding="same", activation="relu"),
                 lambda lib: lib.layers.Conv3D(6, 2, dilation_rate=2, padding="same", groups=3),
                 lambda lib: lib.layers.MaxPooling3D(),
                 lambda lib: lib.layers.MaxPooling3D(3, strides=2, padding="same"),
                 lambda lib: lib.layers.AveragePooling3D((2, 3, 2), strides=1),
                 lambda lib: lib.layers.AveragePooling3D(3, strides=2, padding="same"),
                 lambda lib: lib.layers.GlobalMaxPooling3D(), lambda lib: lib.layers.GlobalAveragePooling3D(),
                 lambda lib: lib.layers.ZeroPadding3D(((1, 0), (2, 1), (0, 1))), lambda lib: lib.layers.Cropping3D(1),
                 lambda lib: lib.layers.UpSampling3D((1, 2, 3))]:
        theirs_layer, ours = make(keras), make(nn)
        theirs = keras.ops.convert_to_numpy(theirs_layer(x))
        ours(x)
        assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs_layer.weights]
        ours.set_weights([keras.ops.convert_to_numpy(w) for w in theirs_layer.weights])
        np.testing.assert_allclose(ours(x).data, theirs, atol=1e-5, err_msg=type(ours).__name__)
    images = rng.normal(size=(2, 5, 4, 3)).astype("float32")
    for size in [(2, 2), (3, 2), (1, 4)]:
        theirs = keras.layers.UpSampling2D(size, interpolation="bilinear")(images)
        ours = layers.UpSampling2D(size, interpolation="bilinear")(images)
        np.testing.assert_allclose(ours.data, keras.ops.convert_to_numpy(theirs), atol=1e-5)


def test_models_with_the_new_layers_save_and_load(tmp_path):
    rng = np.random.default_rng(3)
    volume, image, seq = nn.Input((4, 6, 6, 2)), nn.Input((4, 4, 3)), nn.Input((5, 6))
    v = layers.Conv3D(3, 2, padding="same", kernel_constraint="max_norm")(volume)
    v = layers.AveragePooling3D((1, 2, 2))(layers.MaxPooling3D((1, 1, 1))(v))
    v = layers.GlobalMaxPooling3D()(layers.UpSampling3D((1, 1, 2))(layers.ZeroPadding3D(1)(v)))
    i = layers.GlobalAveragePooling2D()(layers.UpSampling2D(2, interpolation="bilinear")(image))
    s = layers.Attention(use_scale=True)([seq, seq])
    s = layers.AdditiveAttention()([s, seq])
    s = layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d")(s)
    s = layers.GlobalAveragePooling1D()(layers.MultiHeadAttention(2, 3)(s, s, use_causal_mask=True))
    model = nn.Model([volume, image, seq], layers.Concatenate()([v, i, s]))
    data = [rng.normal(size=(2, 4, 6, 6, 2)), rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 5, 6))]
    expected = model.predict(data, verbose=0)
    path = str(tmp_path / "new_layers.keras")
    model.save(path)
    loaded = nn.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, atol=1e-6)
    conv = next(lyr for lyr in loaded.layers if isinstance(lyr, layers.Conv3D))
    assert isinstance(conv.kernel.constraint, nn.constraints.MaxNorm)
    up = next(lyr for lyr in loaded.layers if isinstance(lyr, layers.UpSampling2D))
    assert up.interpolation == "bilinear"
