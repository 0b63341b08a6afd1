"""``audio_dataset_from_directory``: a dataset of the ``.wav`` files of a folder, labelled by sub-folder."""

from __future__ import annotations

import wave

import numpy as np

from .directory_dataset import directory_datasets

__all__ = ["audio_dataset_from_directory", "read_wav"]

_SCALE = {1: 128.0, 2: 32768.0, 4: 2147483648.0}  # full scale of 8-, 16- and 32-bit PCM


def read_wav(path) -> tuple:
    """``(samples, sampling_rate)`` of a PCM ``.wav`` file: samples float32 in [-1, 1], shape (frames, channels).

    Raises:
        ValueError: for a file that is not 8-, 16-, 24- or 32-bit PCM WAV.
    """
    try:
        with wave.open(str(path), "rb") as f:
            width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
            raw = f.readframes(f.getnframes())
    except (wave.Error, EOFError) as err:
        raise ValueError(f"audio_dataset_from_directory: cannot read '{path}' as PCM WAV: {err}") from None
    if width == 1:  # 8-bit WAV is unsigned, centred on 128
        data = np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0
    elif width == 3:  # 24-bit little-endian: widen each sample to 32 bits
        triples = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        data = ((triples[:, 0] << 8 | triples[:, 1] << 16 | triples[:, 2] << 24) >> 8).astype(np.float32)
        return (data / 8388608.0).reshape(-1, channels), rate
    elif width in (2, 4):
        data = np.frombuffer(raw, "<i2" if width == 2 else "<i4").astype(np.float32)
    else:
        raise ValueError(f"audio_dataset_from_directory: '{path}' has {8 * width}-bit samples; expected 8, 16, 24 or "
                         "32-bit PCM")
    return (data / _SCALE[width]).reshape(-1, channels), rate


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 batch_size: int | None = 32, sampling_rate=None, output_sequence_length=None,
                                 ragged: bool = False, shuffle: bool = True, seed=None,
                                 validation_split: float | None = None, subset: str | None = None,
                                 follow_links: bool = False, verbose: bool = True):
    """A dataset of the ``.wav`` files of a folder, labelled by sub-folder (Keras
    ``keras.utils.audio_dataset_from_directory``).

    Each file gives a float32 array ``(samples, channels)`` in [-1, 1]. In a batch the clips are
    zero-padded at the end to the longest one, or cropped/padded to ``output_sequence_length``.

    Args:
        directory, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split, subset,
            follow_links, verbose: as :func:`text_dataset_from_directory`.
        sampling_rate: the sampling rate every file must have; None accepts any. neuronet does not
            resample (Keras needs tensorflow-io for it): a file at another rate is an error.
        output_sequence_length: crop or zero-pad every clip to this many samples. Defaults to None.
        ragged: only False is supported.

    Returns:
        A :class:`~neuronet.utils.Dataset` of ``(audio, labels)`` batches (or audio alone), with
        ``class_names`` set.
    """
    where = "audio_dataset_from_directory"
    if ragged:
        raise ValueError(f"{where}: ragged=True is not supported (NumPy has no ragged arrays); use "
                         "output_sequence_length or batches padded to their longest clip")
    for name, value in (("sampling_rate", sampling_rate), ("output_sequence_length", output_sequence_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{where}: {name} must be a positive integer or None, received {name}={value!r}")

    def read(path):
        samples, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(f"{where}: '{path}' is sampled at {rate} Hz, not sampling_rate={sampling_rate} "
                             "(neuronet does not resample)")
        if output_sequence_length is not None:
            samples = _fit_length(samples, int(output_sequence_length))
        return samples

    datasets = directory_datasets(where, directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                                  validation_split, subset, follow_links, verbose, (".wav",), read, "audio")
    return datasets


def _fit_length(samples: np.ndarray, length: int) -> np.ndarray:
    if len(samples) >= length:
        return samples[:length]
    return np.pad(samples, [(0, length - len(samples)), (0, 0)])


def pad_clips(clips: list) -> np.ndarray:
    """Clips of different lengths as one array, zero-padded at the end to the longest."""
    longest = max(len(c) for c in clips)
    return np.stack([_fit_length(c, longest) for c in clips])
