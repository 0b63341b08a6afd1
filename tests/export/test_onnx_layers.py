"""Every layer the ONNX export translates: onnx.checker (full_check) passes, and onnxruntime's outputs
equal ``predict``'s within 1e-5 at batch sizes 1 and 7."""

import numpy as np
import pytest

from ._onnx_check import assert_matches

import neuronet as keras  # noqa: E402
from neuronet import layers as L  # noqa: E402

RNG = np.random.default_rng(7)


def _x(*shape):
    return RNG.standard_normal((7,) + shape).astype(np.float32)


def _seq(shape, *layers):
    return keras.Sequential([L.Input(shape)] + list(layers))


def _built(model):
    """Give every weight random values (biases and BN statistics are not left at zeros/ones)."""
    for w in model.weights:
        w.data[...] = RNG.uniform(0.2, 1.0, w.shape) if "variance" in w.name else RNG.normal(0, 0.5, w.shape)
    return model


ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh", "silu", "swish",
               "softplus", "softsign", "hard_sigmoid", "hard_silu", "hard_swish", "softmax", "log_softmax",
               "log_sigmoid", "mish", "exponential", "celu", "glu", "hard_tanh", "hard_shrink", "soft_shrink",
               "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_with_every_activation(activation):
    model = _built(_seq((6,), L.Dense(8, activation=activation)))
    assert_matches(model, _x(6))


@pytest.mark.parametrize("opset", [13, 17, 18, 20])
@pytest.mark.parametrize("activation", ["gelu", "mish", "softmax", "glu"])
def test_activations_across_opsets(activation, opset):
    assert_matches(_seq((3, 4), L.Activation(activation)), _x(3, 4), opset=opset)


def test_dense_on_sequences_and_without_bias():
    assert_matches(_built(_seq((5, 6), L.Dense(4, use_bias=False), L.Dense(3))), _x(5, 6))


LAYERS = {
    "relu_options": lambda: _seq((9,), L.ReLU(max_value=0.5, negative_slope=0.1, threshold=-0.2)),
    "relu_cap": lambda: _seq((9,), L.ReLU(max_value=0.3)),
    "leaky_relu": lambda: _seq((9,), L.LeakyReLU(0.2)),
    "elu": lambda: _seq((9,), L.ELU(alpha=0.7)),
    "prelu": lambda: _built(_seq((4, 5), L.PReLU(shared_axes=[1]))),
    "softmax_axis": lambda: _seq((4, 5), L.Softmax(axis=1)),
    "softmax_axes": lambda: _seq((4, 5), L.Softmax(axis=[1, 2])),
    "dropout_and_noise": lambda: _seq((4, 5), L.Dropout(0.5), L.GaussianNoise(0.3), L.GaussianDropout(0.2),
                                      L.SpatialDropout1D(0.3), L.ActivityRegularization(0.1), L.Identity()),
    "batch_norm": lambda: _built(_seq((4, 5), L.BatchNormalization())),
    "batch_norm_axis1_no_scale": lambda: _built(_seq((4, 5), L.BatchNormalization(axis=1, scale=False))),
    "layer_norm": lambda: _built(_seq((4, 5), L.LayerNormalization())),
    "layer_norm_axes": lambda: _built(_seq((3, 4, 5), L.LayerNormalization(axis=[1, 3], center=False))),
    "flatten": lambda: _seq((3, 4, 2), L.Flatten()),
    "reshape": lambda: _seq((3, 4), L.Reshape((2, -1))),
    "permute": lambda: _seq((3, 4, 2), L.Permute((3, 1, 2))),
    "repeat_vector": lambda: _seq((4,), L.RepeatVector(3)),
    "time_distributed": lambda: _built(_seq((3, 4), L.TimeDistributed(L.Dense(2, activation="tanh")))),
    "time_distributed_conv": lambda: _built(_seq((3, 6, 6, 2), L.TimeDistributed(L.Conv2D(3, 3)))),
    "zero_padding1d": lambda: _seq((5, 2), L.ZeroPadding1D((1, 2))),
    "zero_padding2d": lambda: _seq((5, 4, 2), L.ZeroPadding2D(((1, 0), (2, 3)))),
    "cropping1d": lambda: _seq((6, 2), L.Cropping1D((1, 2))),
    "cropping2d": lambda: _seq((6, 5, 2), L.Cropping2D(((1, 0), (2, 1)))),
    "upsampling1d": lambda: _seq((4, 2), L.UpSampling1D(3)),
    "upsampling2d": lambda: _seq((3, 4, 2), L.UpSampling2D((2, 3))),
    "upsampling2d_bilinear": lambda: _seq((3, 4, 2), L.UpSampling2D((2, 3), interpolation="bilinear")),
    "upsampling2d_bilinear_channels_first": lambda: _seq((2, 3, 4), L.UpSampling2D(2, interpolation="bilinear",
                                                                                    data_format="channels_first")),
    "conv3d_family": lambda: _built(_seq((5, 6, 4, 2), L.Conv3D(3, 3, padding="same", activation="relu"),
                                         L.MaxPooling3D(2), L.ZeroPadding3D(1), L.AveragePooling3D(2, padding="same"),
                                         L.Cropping3D(((0, 1), (1, 0), (0, 0))), L.UpSampling3D((1, 2, 1)),
                                         L.Conv3D(2, (1, 2, 2), strides=(1, 2, 1)))),
    "global_pool3d": lambda: _seq((3, 4, 5, 2), L.GlobalAveragePooling3D()),
    "global_max_pool3d": lambda: _seq((3, 4, 5, 2), L.GlobalMaxPooling3D(keepdims=True)),
    "channels_first_padding": lambda: _seq((2, 5, 4), L.ZeroPadding2D(1, data_format="channels_first"),
                                           L.UpSampling2D(2, data_format="channels_first")),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer(name):
    model = LAYERS[name]()
    assert_matches(model, _x(*model.input_shape[1:]))


CONVS = {
    "conv1d_valid": lambda: L.Conv1D(4, 3),
    "conv1d_same_strided": lambda: L.Conv1D(4, 3, strides=2, padding="same", activation="relu"),
    "conv1d_causal_dilated": lambda: L.Conv1D(4, 3, padding="causal", dilation_rate=2),
    "conv1d_groups": lambda: L.Conv1D(4, 3, groups=2),
    "conv1d_transpose": lambda: L.Conv1DTranspose(3, 3, strides=2),
    "depthwise1d": lambda: L.DepthwiseConv1D(3, depth_multiplier=2, padding="same"),
    "separable1d": lambda: L.SeparableConv1D(5, 3, strides=2),
    "maxpool1d": lambda: L.MaxPooling1D(3, strides=2, padding="same"),
    "avgpool1d_same": lambda: L.AveragePooling1D(3, strides=2, padding="same"),
    "global_avg1d": lambda: L.GlobalAveragePooling1D(),
    "global_max1d_keepdims": lambda: L.GlobalMaxPooling1D(keepdims=True),
}
CONVS_2D = {
    "conv2d_same": lambda: L.Conv2D(4, 3, padding="same", activation="relu"),
    "conv2d_strided_same_even": lambda: L.Conv2D(4, (4, 2), strides=(2, 3), padding="same"),
    "conv2d_dilated": lambda: L.Conv2D(3, 3, dilation_rate=2, padding="same", activation="softmax"),
    "conv2d_groups_no_bias": lambda: L.Conv2D(4, 3, groups=2, use_bias=False),
    "conv2d_channels_first": lambda: L.Conv2D(3, 3, data_format="channels_first"),
    "conv2d_transpose_same": lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"),
    "conv2d_transpose_valid": lambda: L.Conv2DTranspose(3, (2, 3), strides=(3, 2)),
    "conv2d_transpose_output_padding": lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1),
    "conv2d_transpose_dilated": lambda: L.Conv2DTranspose(3, 3, dilation_rate=2, activation="sigmoid"),
    "depthwise2d": lambda: L.DepthwiseConv2D(3, depth_multiplier=3, strides=2),
    "separable2d": lambda: L.SeparableConv2D(5, 3, padding="same", depth_multiplier=2, activation="elu"),
    "maxpool2d": lambda: L.MaxPooling2D(),
    "maxpool2d_same": lambda: L.MaxPooling2D(3, strides=2, padding="same"),
    "avgpool2d": lambda: L.AveragePooling2D((2, 3)),
    "avgpool2d_same": lambda: L.AveragePooling2D(3, strides=1, padding="same"),
    "global_avg2d": lambda: L.GlobalAveragePooling2D(),
    "global_max2d": lambda: L.GlobalMaxPooling2D(),
}


@pytest.mark.parametrize("name", sorted(CONVS))
def test_conv1d_family(name):
    assert_matches(_built(_seq((9, 4), CONVS[name]())), _x(9, 4))


@pytest.mark.parametrize("name", sorted(CONVS_2D))
def test_conv2d_family(name):
    assert_matches(_built(_seq((7, 8, 4), CONVS_2D[name]())), _x(7, 8, 4))


def test_conv_on_free_spatial_sizes():
    # sizes known only at run time: 'same' with stride 2 uses auto_pad, and other image sizes work
    model = _built(_seq((None, None, 2), L.Conv2D(3, 3, strides=2, padding="same"), L.MaxPooling2D(padding="same"),
                        L.Conv2D(2, 3, padding="same"), L.GlobalAveragePooling2D()))
    for h, w in ((9, 8), (5, 11)):
        assert_matches(model, _x(h, w, 2))


def test_embedding():
    model = _built(_seq((5,), L.Embedding(11, 4)))
    assert_matches(model, RNG.integers(0, 11, (7, 5)))


def test_masking_layer_zeroes_the_masked_steps():
    x = _x(6, 3)
    x[0, 2] = 0.0
    x[3, 4:] = 0.0
    assert_matches(_seq((6, 3), L.Masking(0.0)), x)


MERGES = ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate"]


@pytest.mark.parametrize("merge", MERGES)
def test_merge_layers(merge):
    a, b = keras.Input((4, 3)), keras.Input((4, 3))
    c = keras.Input((3,))
    merged = getattr(L, merge)([L.Dense(3)(a), b])
    if merge not in ("subtract", "concatenate"):
        merged = getattr(L, merge)([merged, c])  # a lower-rank input is aligned after the batch axis
    model = _built(keras.Model([a, b, c], merged))
    assert_matches(model, [_x(4, 3), _x(4, 3), _x(3)])


@pytest.mark.parametrize("axes,normalize", [(1, False), (2, True), ((1, 2), False), ((2, 1), True)])
def test_dot(axes, normalize):
    a, b = keras.Input((3, 4)), keras.Input((4, 3) if axes in ((1, 2), (2, 1)) else (3, 4))
    model = keras.Model([a, b], L.Dot(axes=axes, normalize=normalize)([a, b]))
    assert_matches(model, [_x(3, 4), _x(*model.inputs[1].shape[1:])])


def test_dot_of_vectors_gives_batch_by_one():
    a, b = keras.Input((5,)), keras.Input((5,))
    assert_matches(keras.Model([a, b], L.Dot(axes=1)([a, b])), [_x(5), _x(5)])


def test_operators_on_symbolic_tensors():
    a, b = keras.Input((4, 3)), keras.Input((4, 3))
    outputs = [a + b, a - 2.0, 3.0 / (L.Activation("sigmoid")(b) + 1.0), -a, abs(b), a * b, b ** 2,
               a[:, -1], a[:, 1:3, ::-1], a[..., 0], a[:, None, 2, :]]
    model = keras.Model([a, b], outputs)
    assert_matches(model, [_x(4, 3), _x(4, 3)])


# ----------------------------------------------------------------------------- preprocessing
def test_rescaling_and_normalization():
    adapted = L.Normalization()
    adapted.adapt(_x(5) * 3.0 + 1.0)
    model = _seq((5,), L.Rescaling(0.5, offset=-1.0), adapted,
                 L.Normalization(mean=[1.0, 2, 3, 4, 5], variance=[1.0, 4, 9, 0, 2], invert=True))
    assert_matches(model, _x(5))


def test_normalization_per_channel_of_images():
    layer = L.Normalization(axis=-1)
    layer.adapt(RNG.random((20, 4, 4, 3)))
    assert_matches(_seq((4, 4, 3), layer), _x(4, 4, 3))


@pytest.mark.parametrize("mode,width", [("one_hot", 1), ("multi_hot", 3), ("count", 3), ("one_hot", None)])
def test_category_encoding(mode, width):
    shape = (width,) if width else ()
    model = keras.Sequential([L.Input(shape, dtype="int64"), L.CategoryEncoding(6, output_mode=mode)])
    assert_matches(model, RNG.integers(0, 6, (7,) + shape))


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization(mode):
    width = 1 if mode == "one_hot" else 4
    model = _seq((width,), L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5], output_mode=mode))
    assert_matches(model, _x(width))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("size,options", [((4, 6), {}), ((12, 17), {}), ((5, 5), {"crop_to_aspect_ratio": True}),
                                          ((4, 9), {"pad_to_aspect_ratio": True, "fill_value": 0.5}),
                                          ((3, 5), {"antialias": True})])
def test_resizing(interpolation, size, options):
    model = _seq((8, 10, 3), L.Resizing(*size, interpolation=interpolation, **options))
    assert_matches(model, RNG.random((7, 8, 10, 3)).astype(np.float32))


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_resizing_images_of_any_size(interpolation):
    model = _seq((None, None, 2), L.Resizing(6, 5, interpolation=interpolation))
    for h, w in ((8, 10), (3, 4), (6, 5)):
        assert_matches(model, RNG.random((7, h, w, 2)).astype(np.float32))


@pytest.mark.parametrize("layer", [lambda: L.CenterCrop(5, 6), lambda: L.CenterCrop(10, 4), lambda: L.RandomCrop(5, 6),
                                   lambda: L.RandomFlip(), lambda: L.RandomRotation(0.3), lambda: L.RandomZoom(0.2),
                                   lambda: L.RandomTranslation(0.1, 0.1), lambda: L.RandomContrast(0.5),
                                   lambda: L.RandomBrightness(0.2, value_range=(0, 1))])
def test_image_layers_at_inference(layer):
    model = _seq((8, 9, 3), layer())
    assert_matches(model, RNG.random((7, 8, 9, 3)).astype(np.float32))


@pytest.mark.parametrize("layer,causal", [(lambda: L.Attention(), False), (lambda: L.Attention(use_scale=True), True),
                                          (lambda: L.Attention(score_mode="concat", use_scale=True), False),
                                          (lambda: L.AdditiveAttention(), True),
                                          (lambda: L.AdditiveAttention(use_scale=False), False)])
@pytest.mark.parametrize("masked", [False, True])
def test_attention(layer, causal, masked):
    q_ids, v_ids = keras.Input((None,), dtype="int64"), keras.Input((None,), dtype="int64")
    q = L.Embedding(9, 4, mask_zero=masked)(q_ids)
    v = L.Embedding(9, 4, mask_zero=masked)(v_ids)
    attention = layer()
    out, scores = attention([q, v, L.Dense(4)(v)], return_attention_scores=True, use_causal_mask=causal)
    plain = attention([q, v])  # with or without the scores the output carries the query's mask
    model = _built(keras.Model([q_ids, v_ids], [out, scores, L.LSTM(2)(out), L.LSTM(2)(plain)]))
    ids = RNG.integers(0, 9, (7, 5))
    ids[:, 0] = 1
    assert_matches(model, [ids, RNG.integers(0, 9, (7, 5))])
