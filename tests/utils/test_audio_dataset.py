"""audio_dataset_from_directory and read_wav on .wav files the tests write (8, 16 and 24-bit PCM)."""

import wave

import numpy as np
import pytest

from neuronet import utils
from neuronet.utils.audio_dataset import read_wav


def _write(path, samples: np.ndarray, width: int = 2, rate: int = 8000):
    """Write integer ``samples`` (frames, channels) as PCM of ``width`` bytes."""
    if width == 1:
        raw = (samples + 128).astype(np.uint8).tobytes()
    elif width == 3:
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in samples.ravel())
    else:
        raw = samples.astype("<i2").tobytes()
    with wave.open(str(path), "wb") as f:
        f.setnchannels(samples.shape[1])
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(raw)


def test_read_wav_scales_every_width(tmp_path):
    for width, full in ((1, 128), (2, 32768), (3, 8388608)):
        values = np.array([[0, 1], [-full, full - 1], [full // 2, -(full // 4)]])
        _write(tmp_path / f"w{width}.wav", values, width=width, rate=22050)
        samples, rate = read_wav(tmp_path / f"w{width}.wav")
        assert rate == 22050 and samples.dtype == np.float32 and samples.shape == (3, 2)
        np.testing.assert_allclose(samples, values / full, rtol=1e-6)
    (tmp_path / "bad.wav").write_bytes(b"not a wav file")
    with pytest.raises(ValueError, match="cannot read .* as PCM WAV"):
        read_wav(tmp_path / "bad.wav")


def _folder(tmp_path):
    rng = np.random.default_rng(0)
    clips = {}
    for label, lengths in (("no", (5, 7)), ("yes", (4, 6, 3))):
        (tmp_path / label).mkdir()
        for i, n in enumerate(lengths):
            values = rng.integers(-1000, 1000, size=(n, 1))
            _write(tmp_path / label / f"{i}.wav", values)
            clips[(label, n)] = values / 32768.0
    return clips


def test_batches_pad_to_the_longest_clip_and_carry_labels(tmp_path):
    clips = _folder(tmp_path)
    ds = utils.audio_dataset_from_directory(tmp_path, batch_size=5, shuffle=False, verbose=False)
    assert ds.class_names == ["no", "yes"] and len(ds) == 1
    audio, labels = ds[0]
    assert audio.shape == (5, 7, 1) and labels.tolist() == [0, 0, 1, 1, 1]
    lengths = [5, 7, 4, 6, 3]
    for clip, label, n in zip(audio, labels, lengths):
        np.testing.assert_allclose(clip[:n], clips[(ds.class_names[label], n)], rtol=1e-6)
        assert np.all(clip[n:] == 0)
    fixed = utils.audio_dataset_from_directory(tmp_path, batch_size=None, output_sequence_length=4,
                                               label_mode="categorical", shuffle=False, verbose=False)
    first, label = fixed[0]
    assert first.shape == (4, 1) and label.tolist() == [1.0, 0.0] and len(fixed) == 5


def test_arguments_refused(tmp_path):
    _folder(tmp_path)
    with pytest.raises(ValueError, match="ragged=True is not supported"):
        utils.audio_dataset_from_directory(tmp_path, ragged=True)
    ds = utils.audio_dataset_from_directory(tmp_path, sampling_rate=16000, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match="sampled at 8000 Hz, not sampling_rate=16000"):
        ds[0]
    with pytest.raises(ValueError, match="output_sequence_length must be a positive integer"):
        utils.audio_dataset_from_directory(tmp_path, output_sequence_length=0)
