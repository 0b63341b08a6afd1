"""RandomGrayscale, RandomInvert, Solarization, AutoContrast: NumPy formulas, the training switch, seeding,
gradients, configs and errors. (Their draws equal Keras's for the same seed: test_keras_agreement.py.)"""

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.autograd import gradcheck

LUMA = np.array([0.2989, 0.5870, 0.1140])


def _images(rng, n=6):
    return rng.uniform(0, 255, size=(n, 5, 4, 3)).astype("float32")


def test_random_grayscale_greys_whole_images(rng):
    x = _images(rng, 40)
    y = layers.RandomGrayscale(0.5, seed=1)(x).data
    grey = np.repeat((x * LUMA).sum(-1, keepdims=True), 3, axis=-1)
    greyed = [np.allclose(a, g, rtol=1e-5) for a, g in zip(y, grey)]
    kept = [np.array_equal(a, b) for a, b in zip(y, x)]
    assert all(g or k for g, k in zip(greyed, kept)) and 5 < sum(greyed) < 35
    assert np.array_equal(layers.RandomGrayscale(1.0)(x, training=False).data, x)
    assert all(np.allclose(a, g, rtol=1e-5) for a, g in zip(layers.RandomGrayscale(1.0)(x).data, grey))


def test_random_invert_and_solarization_formulas(rng):
    x = _images(rng, 30)
    y = layers.RandomInvert(factor=(0.5, 0.5), seed=2)(x).data
    inverted = [np.allclose(a, 255 - b) for a, b in zip(y, x)]
    assert all(i or np.array_equal(a, b) for i, a, b in zip(inverted, y, x)) and 5 < sum(inverted) < 25
    np.testing.assert_allclose(layers.Solarization()(x).data, 255 - x, rtol=1e-6)  # threshold 0: all inverted
    out = layers.Solarization(addition_factor=(0.1, 0.1), threshold_factor=(0.5, 0.5), seed=3)(x).data
    # a ~ U[0.1, 25.5), t ~ U[0.5, 127.5): per pixel y is min(x + a, 255) below t, else 255 minus it
    added = np.clip(x, 0, 255)
    assert np.all((out <= 255) & (out >= 0)) and out.shape == x.shape and not np.array_equal(out, added)
    unit = layers.Solarization(value_range=(0, 1))(x / 255).data
    np.testing.assert_allclose(unit, 1 - x / 255, rtol=1e-5, atol=1e-6)


def test_auto_contrast_stretches_each_channel(rng):
    x = rng.uniform(50, 100, size=(2, 4, 4, 3)).astype("float32")
    x[1, ..., 2] = 70.0  # a constant channel stays as it is
    y = layers.AutoContrast()(x).data
    low, high = x.min(axis=(1, 2), keepdims=True), x.max(axis=(1, 2), keepdims=True)
    expected = np.where(high > low, (x - low) / np.where(high > low, high - low, 1) * 255, x)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(y[1, ..., 2], x[1, ..., 2])
    np.testing.assert_allclose(layers.AutoContrast()(x, training=False).data, y)  # also at inference


@pytest.mark.parametrize("make", [lambda: layers.RandomGrayscale(0.7, seed=1), lambda: layers.RandomInvert(seed=1),
                                  lambda: layers.Solarization(0.1, 0.6, seed=1), lambda: layers.AutoContrast()])
def test_gradcheck_and_training_switch(float64, rng, make):
    layer = make()
    x = rng.uniform(60, 190, (3, 4, 3, 3))
    gen = getattr(layer, "generator", None)

    def fn(t):
        if gen is not None:
            gen.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    model = neuronet.Sequential([neuronet.Input((4, 3, 3)), make()])
    if not isinstance(layer, layers.AutoContrast):
        np.testing.assert_allclose(model.predict(x, verbose=0), x, rtol=1e-6)  # inactive in predict


@pytest.mark.parametrize("make", [lambda: layers.RandomGrayscale(0.3, seed=4),
                                  lambda: layers.RandomInvert((0.1, 0.4), value_range=(0, 1)),
                                  lambda: layers.Solarization(0.2, (0.1, 0.3), value_range=(-1, 1), seed=2),
                                  lambda: layers.AutoContrast(value_range=(0, 1))])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_errors():
    with pytest.raises(ValueError, match="RandomGrayscale: expected factor to be a number in \\[0, 1\\]"):
        layers.RandomGrayscale(1.5)
    with pytest.raises(ValueError, match="Solarization: the addition_factor argument"):
        layers.Solarization(addition_factor=2.0)
    with pytest.raises(ValueError, match="AutoContrast: the value_range argument"):
        layers.AutoContrast(value_range=(0,))


def test_mix_up_blends_images_and_labels_with_the_same_weights():
    n = 8
    images = np.arange(n, dtype="float32").reshape(n, 1, 1, 1) * np.ones((1, 2, 2, 3), "float32")
    labels = np.eye(n, dtype="float32")
    out = layers.MixUp(alpha=0.5, seed=3)({"images": images, "labels": labels})
    mixed, mixed_labels = out["images"].data, out["labels"].data
    np.testing.assert_allclose(mixed_labels.sum(-1), 1.0, rtol=1e-6)
    # image i is λ·i + (1 - λ)·j and its label λ·e_i + (1 - λ)·e_j: the label's mean class is the pixel value
    np.testing.assert_allclose(mixed[:, 0, 0, 0], mixed_labels @ np.arange(n), rtol=1e-5, atol=1e-5)
    assert np.all(np.count_nonzero(mixed_labels > 1e-6, axis=-1) <= 2) and not np.array_equal(mixed, images)
    np.testing.assert_array_equal(layers.MixUp()(images, training=False).data, images)


def test_mix_up_gradcheck_config_and_errors(float64, rng):
    layer = layers.MixUp(alpha=0.3, seed=1)
    x = rng.uniform(size=(4, 3, 2, 2))

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert (config["alpha"], config["seed"]) == (0.3, 1)
    assert layers.MixUp.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="MixUp: expected alpha to be a positive number"):
        layers.MixUp(alpha=0)
    with pytest.raises(ValueError, match="expected images or a dict with 'images'"):
        layers.MixUp()({"images": x, "boxes": x})


def test_cut_mix_pastes_one_box_and_mixes_labels_by_its_area():
    n, size = 6, 8
    images = np.arange(n, dtype="float32").reshape(n, 1, 1, 1) * np.ones((1, size, size, 1), "float32")
    labels = np.eye(n, dtype="float32")
    out = layers.CutMix(seed=2)({"images": images, "labels": labels})
    mixed, mixed_labels = out["images"].data, out["labels"].data
    np.testing.assert_allclose(mixed_labels.sum(-1), 1.0, rtol=1e-6)
    for b in range(n):
        pasted = mixed[b, ..., 0] != b
        if pasted.any():  # one axis-aligned box, all from one other image
            rows, cols = np.nonzero(pasted)
            box = pasted[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
            assert box.all() and len(np.unique(mixed[b][pasted])) == 1
        # label weight of the image itself: 1 - box area (the box's real-valued extent, about the pixel count)
        assert abs(mixed_labels[b, b] - (1 - pasted.mean())) < 2 * (size + 1) / size**2 or not pasted.any()
    single = images[0]
    np.testing.assert_array_equal(layers.CutMix()(single).data, single)  # no batch: unchanged, as Keras


def test_cut_mix_gradcheck_config_and_errors(float64, rng):
    layer = layers.CutMix((0.5, 1.0), seed=1)
    x = rng.uniform(size=(4, 5, 5, 2))

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert config["factor"] == [0.5, 1.0] and layers.CutMix.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="CutMix: the factor argument"):
        layers.CutMix(factor=2.0)


def _hsv(rgb):
    """RGB in [0, 1] → HSV in [0, 1], written out (hue in turns)."""
    high, low = rgb.max(-1), rgb.min(-1)
    delta = high - low
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    safe = np.where(delta > 0, delta, 1)
    hue = np.where(high == r, (g - b) / safe % 6, np.where(high == g, (b - r) / safe + 2, (r - g) / safe + 4)) / 6
    return np.stack([np.where(delta > 0, hue, 0), np.where(high > 0, delta / np.where(high > 0, high, 1), 0), high],
                    axis=-1)


def test_saturation_hue_and_degeneration_formulas(rng):
    x = rng.uniform(0.05, 1, size=(4, 3, 3, 3)).astype("float32")
    grey = layers.RandomSaturation((0.0, 0.0), value_range=(0, 1))(x).data  # u = 0: saturation 0
    np.testing.assert_allclose(grey, np.repeat(x.max(-1, keepdims=True), 3, -1), rtol=1e-5)
    same = layers.RandomSaturation((0.5, 0.5), value_range=(0, 1))(x).data  # u = 0.5: unchanged
    np.testing.assert_allclose(same, x, rtol=1e-4, atol=1e-5)
    shifted = layers.RandomHue((0.4, 0.4), value_range=(0, 1), seed=1)(x).data  # hue moves by ±0.2 turn
    turn = (_hsv(shifted)[..., 0] - _hsv(x)[..., 0]) % 1.0
    assert np.all(np.isclose(turn, 0.2, atol=1e-3) | np.isclose(turn, 0.8, atol=1e-3))
    np.testing.assert_allclose(_hsv(shifted)[..., 1:], _hsv(x)[..., 1:], rtol=1e-4, atol=1e-5)
    degenerated = layers.RandomColorDegeneration((1.0, 1.0), value_range=(0, 1))(x).data
    np.testing.assert_allclose(degenerated, np.repeat((x * LUMA).sum(-1, keepdims=True), 3, -1), rtol=1e-5)


@pytest.mark.parametrize("make", [lambda: layers.RandomSaturation((0.3, 0.7), value_range=(0, 1), seed=1),
                                  lambda: layers.RandomHue(0.3, value_range=(0, 1), seed=1),
                                  lambda: layers.RandomColorDegeneration(0.5, value_range=(0, 1), seed=1)])
def test_color_gradcheck_and_config(float64, rng, make):
    layer = make()
    # distinct channels away from each other and from the range's ends: no ties in max/min, no clipping
    x = np.sort(rng.uniform(0.2, 0.8, size=(2, 3, 3, 3)), axis=-1)[..., ::-1] + np.array([0.05, 0.0, -0.05])

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config


def test_color_jitter_is_its_parts_in_order(rng):
    x = rng.uniform(0, 255, size=(4, 3, 3, 3)).astype("float32")
    jitter = layers.RandomColorJitter(brightness_factor=(0.1, 0.1), saturation_factor=(0.0, 0.0), seed=1)
    # brightness +0.1·255, then saturation 0: grey images of the brightened maxima
    expected = np.repeat(np.clip(x + 25.5, 0, 255).max(-1, keepdims=True), 3, -1)
    np.testing.assert_allclose(jitter(x).data, expected, rtol=1e-5)
    np.testing.assert_array_equal(jitter(x, training=False).data, x)
    assert not jitter.weights and layers.RandomColorJitter().get_config()["hue_factor"] is None


def test_color_jitter_gradcheck_and_config(float64, rng):
    layer = layers.RandomColorJitter(value_range=(0, 1), brightness_factor=0.1, contrast_factor=0.2,
                                     saturation_factor=(0.4, 0.6), hue_factor=0.1, seed=2)
    x = np.sort(rng.uniform(0.3, 0.7, size=(2, 3, 3, 3)), axis=-1)[..., ::-1] + np.array([0.05, 0.0, -0.05])

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert layers.RandomColorJitter.from_config(config).get_config() == config


def _gaussian_blur_numpy(x, size, sigma):
    """A separable Gaussian blur with zero padding, (height, width) kernel sizes and sigmas."""
    out = x.astype(np.float64)
    for axis, (k, s) in zip((1, 2), zip(size, sigma)):
        offsets = np.arange(k) - (k - 1) / 2
        weights = np.exp(-offsets**2 / (2 * s**2))
        weights /= weights.sum()
        pad = [(0, 0)] * 4
        pad[axis] = ((k - 1) // 2, k // 2)
        padded = np.pad(out, pad)
        out = sum(w * np.take(padded, np.arange(i, i + x.shape[axis]), axis=axis) for i, w in enumerate(weights))
    return out


def test_random_gaussian_blur_blurs_a_share_of_the_images(rng):
    x = rng.uniform(0, 255, size=(12, 6, 6, 2)).astype("float32")
    layer = layers.RandomGaussianBlur(factor=(0.5, 0.5), kernel_size=3, sigma=(0.8, 0.8), seed=4)
    y = layer(x).data
    blurred = _gaussian_blur_numpy(x, (3, 3), (0.8 + 1e-6, 0.8 + 1e-6))
    hits = [np.allclose(a, b, rtol=1e-4, atol=1e-3) for a, b in zip(y, blurred)]
    kept = [np.array_equal(a, b) for a, b in zip(y, x)]
    assert all(h or k for h, k in zip(hits, kept)) and 0 < sum(hits) < 12
    np.testing.assert_array_equal(layer(x, training=False).data, x)


def test_random_gaussian_blur_gradcheck_config_and_errors(float64, rng):
    layer = layers.RandomGaussianBlur(kernel_size=(3, 5), sigma=(0.4, 0.9), seed=1)
    x = rng.uniform(60, 190, size=(2, 5, 6, 2))

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert config["kernel_size"] == [3, 5] and layers.RandomGaussianBlur.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="kernel_size must be an odd positive number"):
        layers.RandomGaussianBlur(kernel_size=4)


def test_random_erasing_fills_one_box_per_erased_image(rng):
    x = rng.uniform(10, 200, size=(8, 10, 9, 3)).astype("float32")
    y = layers.RandomErasing(factor=(0.5, 0.5), scale=(0.1, 0.3), fill_value=255.0, seed=2)(x).data
    erased = 0
    for a, b in zip(y, x):
        changed = np.any(a != b, axis=-1)
        if changed.any():
            erased += 1
            rows, cols = np.nonzero(changed)
            assert changed[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all()
            assert np.all(a[changed] == 255.0)
            assert 0.1 * 10 - 1 <= rows.max() - rows.min() + 1 <= np.sqrt(0.3) * 10 + 1
    assert 0 < erased < 8
    noisy = layers.RandomErasing(scale=(0.5, 0.5), seed=1)(x).data  # noise fill, clipped to the range
    assert noisy.min() >= 0 and noisy.max() <= 255 and not np.array_equal(noisy, x)


def test_random_erasing_gradcheck_config_and_errors(float64, rng):
    layer = layers.RandomErasing(factor=0.8, fill_value=(1.0, 2.0, 3.0), seed=1)
    x = rng.uniform(60, 190, size=(2, 6, 6, 3))

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    config = layer.get_config()
    assert config["fill_value"] == [1.0, 2.0, 3.0] and layers.RandomErasing.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="RandomErasing: the fill_value argument"):
        layers.RandomErasing(fill_value=(1, 2))


def test_sharpness_posterization_and_equalization_formulas(rng):
    x = rng.uniform(20, 230, size=(3, 6, 5, 2)).astype("float32")
    # f = 0.5: unchanged; f = 0: the smoothed image (3×3, 5/13 centre, 1/13 around, zero padding)
    np.testing.assert_allclose(layers.RandomSharpness((0.5, 0.5))(x).data, x, rtol=1e-6)
    padded = np.pad(x.astype(np.float64), [(0, 0), (1, 1), (1, 1), (0, 0)])
    smooth = sum(padded[:, i:i + 6, j:j + 5] * (5 / 13 if (i, j) == (1, 1) else 1 / 13)
                 for i in range(3) for j in range(3))
    np.testing.assert_allclose(layers.RandomSharpness((0.0, 0.0))(x).data, smooth, rtol=1e-5)
    # b bits kept: each pixel's integer value with its 8 - b low bits cleared
    np.testing.assert_array_equal(layers.RandomPosterization((3, 3))(x).data,
                                  (x.astype(np.uint8) >> 5 << 5).astype("float32"))
    # equalization: the values spread over [0, 255] through the cumulative histogram of each channel
    y = layers.Equalization()(x).data
    for c in range(2):
        assert y[..., c].min() == 0 and y[..., c].max() == 255
        order = np.argsort(x[..., c], axis=None, kind="stable")
        assert np.all(np.diff(y[..., c].ravel()[order]) >= 0)  # monotone in the input
    flat = np.full((2, 3, 3, 1), 40.0, "float32")
    np.testing.assert_array_equal(layers.Equalization()(flat).data, flat)  # one occupied bin: unchanged
    np.testing.assert_array_equal(layers.Equalization()(x, training=False).data, x)


def test_sharpness_gradcheck_and_configs(float64, rng):
    layer = layers.RandomSharpness((0.2, 0.9), seed=1)
    x = rng.uniform(60, 190, size=(2, 4, 4, 2))

    def fn(t):
        layer.generator.state.data[1] = 0  # the same draw on every evaluation
        return layer(t)

    gradcheck(fn, [x])
    for made in (layer, layers.RandomPosterization((2, 6), seed=3), layers.Equalization(bins=64)):
        config = made.get_config()
        assert type(made).from_config(config).get_config() == config
    with pytest.raises(ValueError, match="RandomPosterization: the factor argument"):
        layers.RandomPosterization(9)
    with pytest.raises(ValueError, match="Equalization: expected bins"):
        layers.Equalization(bins=1)


def test_rand_augment_applies_num_ops_operations(rng):
    x = rng.uniform(0, 255, size=(4, 8, 8, 3)).astype("float32")
    layer = layers.RandAugment(num_ops=2, factor=0.3, seed=5)
    outs = [layer(x).data for _ in range(6)]
    assert all(o.shape == x.shape and o.min() >= 0 and o.max() <= 255 for o in outs)
    assert sum(not np.array_equal(o, x) for o in outs) >= 4  # almost every draw changes the images
    again = layers.RandAugment(num_ops=2, factor=0.3, seed=5)
    np.testing.assert_array_equal(again(x).data, outs[0])  # the same seed: the same choices and draws
    np.testing.assert_array_equal(layer(x, training=False).data, x)
    np.testing.assert_array_equal(layers.RandAugment(num_ops=0)(x).data, x)
    assert len(layer._operations) == 11 and not layer.weights
    config = layer.get_config()
    assert config["factor"] == [0.0, 0.3] and layers.RandAugment.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="RandAugment: expected num_ops"):
        layers.RandAugment(num_ops=-1)
