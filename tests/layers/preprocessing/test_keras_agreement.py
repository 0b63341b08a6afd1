"""The preprocessing layers against Keras itself (runs where Keras is installed: .venv-bench).

The random image layers draw from a SeedGenerator exactly as Keras's NumPy backend does, so their
outputs are compared under KERAS_BACKEND=numpy; everything else under any backend.
"""

import numpy as np
import pytest

from neuronet import layers as L

keras = pytest.importorskip("keras")
K = keras.layers

TEXTS = np.array(["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; and a bird?",
                  "Ünïcode ÀB cd", "  spaces   and\ttabs\n"])
DATA = np.array([["a", "b", "c"], ["b", "c", "d"], ["c", "x", "b"], ["b", "b", "z"]])


def _same(ours, theirs, atol=1e-5):
    ours, theirs = np.asarray(getattr(ours, "data", ours)), np.asarray(theirs)
    assert ours.shape == theirs.shape
    if theirs.dtype.kind in "USO":
        assert [str(v) for v in ours.ravel()] == [v.decode() if isinstance(v, bytes) else str(v)
                                                   for v in theirs.ravel()]
    else:
        np.testing.assert_allclose(ours.astype(float), theirs.astype(float), atol=atol)


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("ngrams", [None, 2])
def test_text_vectorization(mode, ngrams):
    kw = dict(max_tokens=12, output_mode=mode, ngrams=ngrams)
    if mode == "int":
        kw["output_sequence_length"] = 8
    ours, theirs = L.TextVectorization(**kw), K.TextVectorization(**kw)
    ours.adapt(TEXTS)
    theirs.adapt(TEXTS.tolist())  # lists: Keras's NumPy backend cannot convert str arrays
    assert ours.get_vocabulary() == [str(v) for v in theirs.get_vocabulary()]
    _same(ours(TEXTS), theirs(TEXTS.tolist()))


@pytest.mark.parametrize("kw", [dict(), dict(num_oov_indices=3), dict(mask_token="x"), dict(output_mode="multi_hot"),
                                dict(output_mode="count", mask_token="x"), dict(output_mode="tf_idf"),
                                dict(max_tokens=3), dict(num_oov_indices=2, salt=5)])
def test_string_lookup(kw):
    ours, theirs = L.StringLookup(**kw), K.StringLookup(**kw)
    ours.adapt(DATA)
    theirs.adapt(DATA.tolist())
    x = np.array([["a", "q", "b"], ["zz", "x", "d"]])
    assert ours.get_vocabulary() == [str(v) for v in theirs.get_vocabulary()]
    _same(ours(x), theirs(x.tolist()))


@pytest.mark.parametrize("kw", [dict(), dict(num_oov_indices=3), dict(mask_token=0), dict(output_mode="count"),
                                dict(num_oov_indices=3, oov_method="farmhash")])
def test_integer_lookup(kw):
    data = np.array([[12, 36, 1138], [42, 36, 12], [12, 7, 7]])
    ours, theirs = L.IntegerLookup(**kw), K.IntegerLookup(**kw)
    ours.adapt(data)
    theirs.adapt(data)
    x = np.array([[12, 5, 0], [1138, 99, 42]])
    assert ours.get_vocabulary() == [int(v) for v in theirs.get_vocabulary()]
    _same(ours(x), theirs(x))


@pytest.mark.parametrize("kw", [dict(num_bins=5), dict(num_bins=5, mask_value="b"), dict(num_bins=7, salt=[3, 9]),
                                dict(num_bins=4, output_mode="multi_hot"), dict(num_bins=4, output_mode="one_hot")])
def test_hashing(kw):
    x = np.array([["a"], ["b"], ["c"], ["hello world"], ["b"]])
    _same(L.Hashing(**kw)(x), K.Hashing(**kw)(x.tolist()))
    ints = np.array([[1], [22], [-3], [123456789012]])
    _same(L.Hashing(num_bins=11)(ints), K.Hashing(num_bins=11)(ints))


def test_hashed_crossing_discretization_normalization(rng):
    feats = [np.array([1, 2, -1, 2 ** 40]), np.array(["A", "B", "A", "é"])]
    _same(L.HashedCrossing(num_bins=100)(feats), K.HashedCrossing(num_bins=100)([feats[0].tolist(), feats[1].tolist()]))
    x = rng.normal(size=(1000, 2))
    ours, theirs = L.Discretization(num_bins=4), K.Discretization(num_bins=4)
    ours.adapt(x)
    theirs.adapt(x)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    _same(ours(x[:20]), theirs(x[:20]))
    for kw in (dict(axis=None), dict(axis=(1, 2)), dict(invert=True, axis=(1, 2))):
        data = rng.normal(size=(20, 3, 4)) * 3 + 1
        ours, theirs = L.Normalization(**kw), K.Normalization(**kw)
        ours.adapt(data)
        theirs.adapt(data)
        _same(ours(data[:3]), theirs(data[:3]), atol=1e-4)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("size", [(5, 4), (13, 11)])
@pytest.mark.parametrize("antialias", [False, True])
def test_resizing(rng, interpolation, size, antialias):
    if keras.backend.backend() not in ("numpy", "jax"):
        pytest.skip("neuronet resizes as Keras's NumPy/JAX backends (scale_and_translate)")
    img = (rng.random((2, 9, 7, 2)) * 255).astype("float32")
    kw = dict(interpolation=interpolation, antialias=antialias)
    _same(L.Resizing(*size, **kw)(img), K.Resizing(*size, **kw)(img), atol=1e-3)


RANDOM = {
    "flip": lambda M: M.RandomFlip(seed=5), "rotation": lambda M: M.RandomRotation(0.2, seed=1),
    "rotation_constant": lambda M: M.RandomRotation(0.3, fill_mode="constant", fill_value=7.0, seed=2),
    "rotation_wrap_nearest": lambda M: M.RandomRotation(0.3, fill_mode="wrap", interpolation="nearest", seed=3),
    "zoom": lambda M: M.RandomZoom((-0.5, 0.2), width_factor=0.4, fill_mode="constant", seed=2),
    "translation": lambda M: M.RandomTranslation(0.2, 0.3, fill_mode="wrap", seed=3),
    "contrast": lambda M: M.RandomContrast((0.3, 0.6), seed=1), "brightness": lambda M: M.RandomBrightness(0.3, seed=1),
    "crop": lambda M: M.RandomCrop(5, 4, seed=1), "center": lambda M: M.CenterCrop(12, 4),
    "invert": lambda M: M.RandomInvert((0.2, 0.8), seed=4),
    "sharpness": lambda M: M.RandomSharpness((0.2, 0.9), seed=4), "posterization": lambda M: M.RandomPosterization(
        (2, 7), seed=6), "equalization": lambda M: M.Equalization(bins=64),
    "erasing": lambda M: M.RandomErasing(0.7, scale=(0.1, 0.4), seed=6),
    # equal sigmas: Keras's NumPy backend swaps the height and width sigmas of ops.image.gaussian_blur
    "gaussian_blur": lambda M: M.RandomGaussianBlur(0.7, kernel_size=5, sigma=(0.6, 0.6), seed=3),
    "shear": lambda M: M.RandomShear((0.1, 0.4), 0.2, fill_mode="constant", fill_value=3.0, seed=2),
    "solarization": lambda M: M.Solarization(0.2, (0.1, 0.5), seed=5), "auto_contrast": lambda M: M.AutoContrast(),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_image_layers_draw_as_keras(rng, name):
    if keras.backend.backend() != "numpy":
        pytest.skip("the draws equal Keras's NumPy backend (KERAS_BACKEND=numpy)")
    img = (rng.random((3, 9, 7, 2)) * 255).astype("float32")
    ours, theirs = RANDOM[name](L), RANDOM[name](K)
    for _ in range(2):  # two calls: the generators advance alike
        _same(ours(img, training=True), theirs(img, training=True), atol=3e-4)


def test_random_grayscale_draws_as_keras(rng):
    if keras.backend.backend() != "numpy":
        pytest.skip("the draws equal Keras's NumPy backend (KERAS_BACKEND=numpy)")
    img = (rng.random((6, 5, 4, 3)) * 255).astype("float32")
    ours, theirs = L.RandomGrayscale(0.5, seed=3), K.RandomGrayscale(0.5, seed=3)
    for _ in range(2):
        _same(ours(img, training=True), theirs(img, training=True), atol=3e-4)


@pytest.mark.parametrize("name", ["MixUp", "CutMix"])
def test_mixing_layers_draw_as_keras(rng, name):
    if keras.backend.backend() != "numpy":
        pytest.skip("the draws equal Keras's NumPy backend (KERAS_BACKEND=numpy)")
    images = (rng.random((6, 5, 4, 3)) * 255).astype("float32")
    labels = np.eye(3, dtype="float32")[rng.integers(0, 3, 6)]
    ours, theirs = getattr(L, name)(0.4, seed=3), getattr(K, name)(0.4, seed=3)
    for _ in range(2):
        a, b = ours({"images": images, "labels": labels}), theirs({"images": images, "labels": labels})
        _same(a["images"], b["images"], atol=1e-4)
        _same(a["labels"], b["labels"], atol=1e-6)


@pytest.mark.parametrize("name,factor", [("RandomSaturation", 0.5), ("RandomSaturation", (0.2, 0.8)),
                                         ("RandomHue", 0.5), ("RandomHue", (0.1, 0.9)),
                                         ("RandomColorDegeneration", 0.7)])
def test_rgb_layers_draw_as_keras(rng, name, factor):
    if keras.backend.backend() != "numpy":
        pytest.skip("the draws equal Keras's NumPy backend (KERAS_BACKEND=numpy)")
    img = (rng.random((6, 5, 4, 3)) * 255).astype("float32")
    ours, theirs = getattr(L, name)(factor, seed=3), getattr(K, name)(factor, seed=3)
    for _ in range(2):
        _same(ours(img, training=True), theirs(img, training=True), atol=5e-4)


def test_color_jitter_draws_as_keras(rng):
    if keras.backend.backend() != "numpy":
        pytest.skip("the draws equal Keras's NumPy backend (KERAS_BACKEND=numpy)")
    img = (rng.random((6, 5, 4, 3)) * 255).astype("float32")
    kw = dict(brightness_factor=0.2, contrast_factor=(0.3, 0.5), saturation_factor=(0.3, 0.7), hue_factor=0.2, seed=3)
    ours, theirs = L.RandomColorJitter(**kw), K.RandomColorJitter(**kw)
    for _ in range(2):
        _same(ours(img, training=True), theirs(img, training=True), atol=5e-4)


@pytest.mark.parametrize("kw", [dict(), dict(fft_length=512, sequence_stride=128, sequence_length=400, num_mel_bins=40,
                                              sampling_rate=8000, power_to_db=False, mag_exp=1.0)])
def test_mel_spectrogram(rng, kw):
    signal = rng.normal(size=(3, 4000)).astype("float32")
    ours, theirs = L.MelSpectrogram(**kw)(signal), K.MelSpectrogram(**kw)(signal)
    _same(ours, theirs, atol=1e-3 * float(np.abs(np.asarray(theirs)).max()))
