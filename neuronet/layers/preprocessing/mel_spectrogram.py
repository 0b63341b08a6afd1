"""MelSpectrogram: audio signals to mel-scale (decibel) spectrograms, the usual input of audio classifiers."""

from __future__ import annotations

import numpy as np

from ... import ops
from ...autograd import Tensor
from .data_layer import PreprocessingLayer, to_array

__all__ = ["MelSpectrogram", "linear_to_mel_weight_matrix"]

# the HTK mel scale: mel(f) = 1127 · ln(1 + f / 700)
_MEL_BREAK_HERTZ, _MEL_Q = 700.0, 1127.0


def _hertz_to_mel(hertz, dtype="float64"):
    hertz = np.asarray(hertz, dtype)
    return (_MEL_Q * np.log(1.0 + hertz / np.asarray(_MEL_BREAK_HERTZ, dtype))).astype(dtype)


def linear_to_mel_weight_matrix(num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float,
                                lower_edge_hertz: float, upper_edge_hertz: float, dtype="float32") -> np.ndarray:
    """The ``(num_spectrogram_bins, num_mel_bins)`` matrix of triangular mel filters (peak 1, HTK scale)
    that maps linear-frequency bins over ``[0, sampling_rate / 2]`` to mel bands over
    ``[lower_edge_hertz, upper_edge_hertz]``; the DC bin gets no weight (as ``tf.signal``'s). Computed in
    ``dtype`` throughout, as Keras does (in float32 its filters differ from float64's in the 6th digit)."""
    linear = np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins, dtype=dtype)[1:]
    bins_mel = _hertz_to_mel(linear, dtype)[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz, dtype), _hertz_to_mel(upper_edge_hertz, dtype),
                        num_mel_bins + 2, dtype=dtype)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    weights = np.maximum(0.0, np.minimum((bins_mel - lower) / (center - lower), (upper - bins_mel) / (upper - center)))
    return np.pad(weights, [(1, 0), (0, 0)]).astype(dtype)


class MelSpectrogram(PreprocessingLayer):
    """Mel spectrograms of audio signals (Keras ``MelSpectrogram``)::

        |STFT(x)|^mag_exp  →  · mel filters  →  10·log10(max(·, min_power) / max(ref_power, min_power))

    The STFT takes frames of ``sequence_length`` samples every ``sequence_stride`` (centered: the
    signal reflect-padded by ``fft_length // 2``), windowed and zero-padded to ``fft_length``. With
    ``power_to_db`` the decibels are floored at (the largest value in the batch) − ``top_db``, as Keras.

    Args:
        fft_length: Defaults to 2048. sequence_stride: Defaults to 512.
        sequence_length: the window length (<= fft_length). Defaults to fft_length.
        window: 'hann', 'hamming' or None. Defaults to 'hann'.
        sampling_rate: Defaults to 16000. num_mel_bins: Defaults to 128.
        min_freq: Defaults to 20.0. max_freq: Defaults to sampling_rate / 2.
        power_to_db: Defaults to True. top_db: Defaults to 80.0. mag_exp: 1 for magnitudes, 2 for
            power. Defaults to 2.0. min_power: Defaults to 1e-10. ref_power: Defaults to 1.0.

    Shapes: ``(batch, samples)`` (or one signal ``(samples,)``) → ``(batch, num_mel_bins, frames)``,
    ``frames = samples // sequence_stride + 1``. Differentiable in the signal.
    """

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512, sequence_length: int | None = None,
                 window="hann", sampling_rate: int = 16000, num_mel_bins: int = 128, min_freq: float = 20.0,
                 max_freq=None, power_to_db: bool = True, top_db: float = 80.0, mag_exp: float = 2.0,
                 min_power: float = 1e-10, ref_power: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("fft_length", fft_length), ("sequence_stride", sequence_stride),
                            ("num_mel_bins", num_mel_bins)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"MelSpectrogram: expected {name} to be a positive integer, received {value!r}")
        self.fft_length, self.sequence_stride = int(fft_length), int(sequence_stride)
        self.sequence_length = int(sequence_length or fft_length)
        if self.fft_length < self.sequence_length:
            raise ValueError(f"MelSpectrogram: fft_length must be >= sequence_length, received fft_length="
                             f"{self.fft_length} and sequence_length={self.sequence_length}")
        self.window, self.sampling_rate, self.num_mel_bins = window, sampling_rate, int(num_mel_bins)
        self.min_freq = float(min_freq)
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = bool(power_to_db), float(top_db), float(mag_exp)
        self.min_power, self.ref_power = float(min_power), float(ref_power)

    def call(self, inputs):
        x = inputs if isinstance(inputs, Tensor) else Tensor._wrap(to_array(inputs))
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype("float32")
        if x.dtype != dtype:
            x = ops.cast(x, dtype)
        real, imag = ops.stft(x, self.sequence_length, self.sequence_stride, self.fft_length, window=self.window,
                              center=True)
        spectrum = ops.power(ops.sqrt(ops.add(ops.square(real), ops.square(imag))), self.mag_exp)
        mel = ops.matmul(spectrum, linear_to_mel_weight_matrix(self.num_mel_bins, spectrum.shape[-1],
                                                               self.sampling_rate, self.min_freq, self.max_freq,
                                                               dtype))
        if self.power_to_db:
            mel = ops.multiply(ops.log10(ops.maximum(mel, self.min_power)), 10.0)
            mel = ops.subtract(mel, 10.0 * np.log10(max(abs(self.ref_power), self.min_power)))
            mel = ops.maximum(mel, ops.subtract(ops.max(mel), self.top_db))
        return ops.swapaxes(mel, -1, -2)

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else (samples + self.sequence_stride + 1) // self.sequence_stride
        return (self.num_mel_bins, frames) if len(input_shape) == 1 else (input_shape[0], self.num_mel_bins, frames)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(fft_length=self.fft_length, sequence_stride=self.sequence_stride,
                   sequence_length=self.sequence_length, window=self.window, sampling_rate=self.sampling_rate,
                   num_mel_bins=self.num_mel_bins, min_freq=self.min_freq, max_freq=self.max_freq,
                   power_to_db=self.power_to_db, top_db=self.top_db, mag_exp=self.mag_exp,
                   min_power=self.min_power, ref_power=self.ref_power)
        return cfg
