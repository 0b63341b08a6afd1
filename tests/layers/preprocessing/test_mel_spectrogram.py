"""MelSpectrogram: against a NumPy STFT + mel filterbank written here, the filters' shape, gradients,
config, shapes (Keras agreement: test_keras_agreement.py)."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import gradcheck
from neuronet.layers.preprocessing.mel_spectrogram import linear_to_mel_weight_matrix


def _mel_numpy(x, fft, stride, mel_bins, rate, low, high, top_db=80.0):
    padded = np.pad(x, [(0, 0), (fft // 2, fft // 2)], mode="reflect")
    frames = np.stack([padded[:, i:i + fft] for i in range(0, padded.shape[1] - fft + 1, stride)], axis=1)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(fft) / fft)  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    hz_to_mel = lambda f: 1127.0 * np.log(1 + np.asarray(f) / 700.0)  # noqa: E731
    bins = hz_to_mel(np.linspace(0, rate / 2, fft // 2 + 1))
    edges = np.linspace(hz_to_mel(low), hz_to_mel(high), mel_bins + 2)
    filters = np.zeros((fft // 2 + 1, mel_bins))
    for m in range(mel_bins):
        rising = (bins - edges[m]) / (edges[m + 1] - edges[m])
        falling = (edges[m + 2] - bins) / (edges[m + 2] - edges[m + 1])
        filters[1:, m] = np.maximum(0, np.minimum(rising, falling))[1:]
    db = 10 * np.log10(np.maximum(power @ filters, 1e-10))
    return np.maximum(db, db.max() - top_db).swapaxes(-1, -2)


def test_matches_numpy(float64, rng):
    x = rng.normal(size=(2, 1000))
    layer = layers.MelSpectrogram(fft_length=128, sequence_stride=50, num_mel_bins=16, sampling_rate=8000,
                                  min_freq=60.0, max_freq=3500)
    want = _mel_numpy(x, 128, 50, 16, 8000, 60.0, 3500)
    got = layer(x).data
    assert got.shape == want.shape == (2, 16, 21) == layer.compute_output_shape((2, 1000))
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-6)


def test_filterbank_triangles():
    filters = linear_to_mel_weight_matrix(10, 129, 16000, 100.0, 6000.0, dtype="float64")
    assert filters.shape == (129, 10) and np.all(filters[0] == 0) and np.all(filters >= 0)
    assert np.all(filters.max(axis=0) <= 1.0) and np.all(filters.max(axis=0) > 0.5)
    peaks = filters.argmax(axis=0)
    assert np.all(np.diff(peaks) > 0)  # band centres rise in frequency


def test_gradcheck_options_and_config(float64, rng):
    layer = layers.MelSpectrogram(fft_length=32, sequence_stride=16, num_mel_bins=4, sampling_rate=1000,
                                  min_freq=50.0, top_db=400.0)
    gradcheck(lambda t: layer(t), [rng.normal(size=(1, 64))])
    magnitude = layers.MelSpectrogram(fft_length=32, sequence_stride=16, num_mel_bins=4, sampling_rate=1000,
                                      power_to_db=False, mag_exp=1.0)
    assert np.all(magnitude(rng.normal(size=(64,))).data >= 0)  # one signal: (mel_bins, frames)
    config = layer.get_config()
    assert config["max_freq"] == 500 and layers.MelSpectrogram.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="fft_length must be >= sequence_length"):
        layers.MelSpectrogram(fft_length=64, sequence_length=128)
