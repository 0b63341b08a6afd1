"""Image preprocessing layers: shapes, the training switch, seeding, Keras's factor conventions and fill
modes, gradients, configs and errors. (Value agreement with Keras: test_keras_agreement.py.)"""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import gradcheck
from neuronet.ops.resampling import affine_transform, resize_weights

RANDOM_LAYERS = [
    lambda: layers.RandomFlip(seed=1), lambda: layers.RandomRotation(0.2, seed=1),
    lambda: layers.RandomZoom(0.3, seed=1), lambda: layers.RandomTranslation(0.2, 0.2, seed=1),
    lambda: layers.RandomContrast(0.5, seed=1), lambda: layers.RandomBrightness(0.3, seed=1),
    lambda: layers.RandomShear(0.3, 0.2, seed=1),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_random_layers_active_only_in_training_and_seeded(make, rng):
    x = (rng.random((4, 9, 8, 3)) * 255).astype("float32")
    layer = make()
    np.testing.assert_array_equal(layer(x, training=False).data, x)
    a = layer(x).data  # called directly: active, as in Keras 3
    assert a.shape == x.shape and a.dtype == np.float32 and not np.array_equal(a, x)
    b = make()(x).data
    np.testing.assert_array_equal(a, b)  # the same seed draws the same transformation
    assert not np.array_equal(layer(x).data, a)  # a new draw on the next call
    model = neuronet.Sequential([neuronet.Input((9, 8, 3)), make()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)  # inactive in predict
    single = make()(x[0]).data
    assert single.shape == x[0].shape


@pytest.mark.parametrize("make", RANDOM_LAYERS + [lambda: layers.RandomCrop(5, 4, seed=2),
                                                  lambda: layers.CenterCrop(5, 4), lambda: layers.Resizing(5, 6),
                                                  lambda: layers.Resizing(12, 10, interpolation="bicubic")])
def test_gradcheck(float64, rng, make):
    layer = make()
    if hasattr(layer, "value_range"):  # keep the pixels away from the clipping kinks
        x = rng.uniform(60, 190, (2, 7, 6, 2))
    else:
        x = rng.normal(size=(2, 7, 6, 2))
    gen = getattr(layer, "generator", None)

    def fn(t):
        if gen is not None:
            gen.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)
    gradcheck(fn, [x])


def test_flip_and_translation_semantics():
    x = np.arange(12, dtype="float32").reshape(1, 3, 4, 1)
    flipped = layers.RandomFlip("horizontal", seed=0)
    flipped.generator.state.data[...] = [0, 0]
    out = flipped(np.repeat(x, 8, axis=0)).data
    for img in out:
        assert np.array_equal(img, x[0]) or np.array_equal(img, x[0, :, ::-1])
    # an exact one-pixel shift to the right with a constant fill
    transform = np.array([[1, 0, -1, 0, 1, 0, 0, 0]], "float32")
    shifted = affine_transform(neuronet.Tensor(x), transform, "bilinear", "constant", fill_value=-1).data
    np.testing.assert_array_equal(shifted[0, :, 1:, 0], x[0, :, :-1, 0])
    assert (shifted[0, :, 0, 0] == -1).all()
    wrapped = affine_transform(neuronet.Tensor(x), transform, "nearest", "wrap").data
    np.testing.assert_array_equal(wrapped[0, :, 0, 0], x[0, :, -1, 0])
    reflected = affine_transform(neuronet.Tensor(x), transform, "nearest", "reflect").data
    np.testing.assert_array_equal(reflected[0, :, 0, 0], x[0, :, 0, 0])
    nearest = affine_transform(neuronet.Tensor(x), transform, "nearest", "nearest").data
    np.testing.assert_array_equal(nearest[0, :, 0, 0], x[0, :, 0, 0])


def test_contrast_brightness_clip_and_factor_conventions():
    assert layers.RandomContrast(0.5).factor == (0.0, 0.5)  # Keras 3: a number f gives (0, f)
    assert layers.RandomBrightness(0.3).factor == (-0.3, 0.3)
    assert layers.RandomRotation(0.25).factor == (-0.25, 0.25)
    x = np.full((2, 4, 4, 3), 250.0, "float32")
    x[:, 0] = 10
    out = layers.RandomBrightness((0.5, 0.5), seed=1)(x).data
    assert out.max() == 255.0  # clipped to value_range
    same = layers.RandomContrast((0.0, 0.0), seed=1)(x).data
    np.testing.assert_allclose(same, x, rtol=1e-6)


def test_crop_and_resize_shapes():
    x = np.random.default_rng(0).random((3, 10, 8, 3)).astype("float32")
    crop = layers.RandomCrop(6, 5, seed=3)
    out = crop(x).data
    assert out.shape == (3, 6, 5, 3)
    found = [(i, j) for i in range(5) for j in range(4) if np.array_equal(x[:, i:i + 6, j:j + 5], out)]
    assert len(found) == 1  # a window of the input, the same for the whole batch
    assert crop(x, training=False).shape == (3, 6, 5, 3)  # centre crop to the aspect ratio, resized
    np.testing.assert_array_equal(layers.CenterCrop(4, 4)(x).data, x[:, 3:7, 2:6])
    assert layers.CenterCrop(12, 4)(x).shape == (3, 12, 4, 3)  # smaller than the target: smart resize
    assert layers.Resizing(5, 7, pad_to_aspect_ratio=True)(x).shape == (3, 5, 7, 3)
    uint8 = layers.Resizing(5, 4)((x * 255).astype("uint8")).data
    assert uint8.dtype == np.uint8
    assert layers.Resizing(4, 5).compute_output_shape((None, 10, 8, 3)) == (None, 4, 5, 3)


def test_resize_weights_rows_sum_to_one():
    for method in ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area"):
        for n_in, n_out in ((7, 3), (3, 7), (5, 5)):
            w = resize_weights(n_in, n_out, method)
            np.testing.assert_allclose(w.sum(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(resize_weights(4, 2, "area"), [[0.5, 0], [0.5, 0], [0, 0.5], [0, 0.5]])


def test_image_layers_in_a_saved_model(tmp_path):
    model = neuronet.Sequential([neuronet.Input((8, 8, 3)), layers.RandomFlip("horizontal", seed=1),
                                 layers.RandomRotation(0.1, fill_mode="nearest", seed=2), layers.Resizing(6, 6),
                                 layers.Rescaling(1 / 255.0), layers.Flatten(), layers.Dense(2)])
    assert model.weights and all("seed" not in w.path for w in model.weights)  # no weights, as Keras
    model.save(tmp_path / "aug.keras")
    loaded = neuronet.saving.load_model(tmp_path / "aug.keras")
    x = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32") * 255
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    cfg = loaded.layers[1].get_config()
    assert (cfg["factor"], cfg["fill_mode"], cfg["seed"]) == ([-0.1, 0.1], "nearest", 2)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.RandomFlip("diagonal"), "mode"), (lambda: layers.RandomRotation(1.5), "factor"),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "fill_mode"),
    (lambda: layers.RandomRotation(0.1, interpolation="bicubic"), "interpolation"),
    (lambda: layers.RandomZoom(-1.0), "height_factor"), (lambda: layers.RandomTranslation(0.1, 2.0), "width_factor"),
    (lambda: layers.RandomContrast(-0.5), "factor"),
    (lambda: layers.RandomBrightness(0.2, value_range=3), "value_range"),
    (lambda: layers.RandomCrop(0, 3), "height"),
    (lambda: layers.Resizing(4, 4, interpolation="cubic"), "interpolation"),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "only one"),
    (lambda: layers.RandomFlip(data_format="channels_first"), "channels-last"),
    (lambda: layers.RandomFlip(seed=-1), "seed"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bad_inputs():
    with pytest.raises(ValueError, match="rank 3"):
        layers.RandomFlip()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="numeric"):
        layers.Resizing(2, 2)(np.array([[["a"]]]))


def test_random_shear_moves_pixels_along_the_sheared_axis():
    x = np.arange(20, dtype="float32").reshape(1, 4, 5, 1)
    layer = layers.RandomShear(x_factor=(0.5, 0.5), interpolation="nearest", fill_mode="constant", seed=0)
    out = layer(np.repeat(x, 6, axis=0)).data
    for img in out:  # s_x = ±0.5: row y reads its pixels from x ± 0.5·y; row 0 is unchanged
        np.testing.assert_array_equal(img[0], x[0, 0])
        assert not np.array_equal(img[2], x[0, 2])
    config = layer.get_config()
    assert config["x_factor"] == [0.5, 0.5] and config["y_factor"] == 0.0
    assert layers.RandomShear.from_config(config).get_config() == config
    assert layers.RandomShear(0.3).x_factor == (-0.3, 0.3)
    assert layers.RandomShear((-0.2, 0.2)).x_factor == (-0.2, 0.2)  # what Keras writes in its configs
    with pytest.raises(ValueError, match="RandomShear: the x_factor argument"):
        layers.RandomShear(x_factor=1.5)
