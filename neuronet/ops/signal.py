"""Fourier transforms and spectrograms with Keras's conventions: complex values travel as a pair
``(real, imag)`` of float Tensors, and every transform is differentiable in both parts.

A DFT is linear, ``Y = F X``, so the gradient of a real loss reaching ``(gY_r, gY_i)`` is
``gX = Fᴴ (gY_r + i·gY_i)`` split into real and imaginary parts; for NumPy's unnormalized forward
transform ``Fᴴ = n · ifft``. ``stft`` frames, windows and ``rfft``s the signal; ``istft`` undoes it by
``irfft``, windowing and overlap-add, normalized by the summed squared window (as SciPy's ``istft``).
"""

from __future__ import annotations

import numpy as np

from .. import config
from ..autograd import Function, Tensor
from . import manipulation as s
from . import math as m

__all__ = ["fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft", "extract_sequences", "view_as_real",
           "view_as_complex"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _pair(name: str, x) -> tuple:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{name}: x must be a tuple (real, imag) of two float tensors, received {type(x).__name__}")
    real, imag = x
    if _data(real).shape != _data(imag).shape:
        raise ValueError(f"{name}: the real and imaginary parts must have the same shape, received "
                         f"{_data(real).shape} and {_data(imag).shape}")
    if _data(real).dtype.kind != "f" or _data(imag).dtype.kind != "f":
        raise ValueError(f"{name}: the real and imaginary parts must be floats, received {_data(real).dtype} and "
                         f"{_data(imag).dtype}")
    return real, imag


class ComplexTransform(Function):
    # Y = T(X) for a linear T (fft, fft2, ifft2 over the last axes)      gX = Tᴴ gY
    def forward(self, real, imag, kind):
        self.kind, self.dtype = kind, real.dtype
        y = _TRANSFORMS[kind][0](real + 1j * imag)
        return y.real.astype(real.dtype), y.imag.astype(real.dtype)

    def backward(self, grads):
        gr, gi = grads
        g = _TRANSFORMS[self.kind][1](gr + 1j * gi)
        return g.real.astype(self.dtype), g.imag.astype(self.dtype)


def _size(z, axes) -> int:
    return int(np.prod([z.shape[a] for a in axes]))


_TRANSFORMS = {  # forward, adjoint (Fᴴ)
    "fft": (np.fft.fft, lambda z: np.fft.ifft(z) * z.shape[-1]),
    "fft2": (np.fft.fft2, lambda z: np.fft.ifft2(z) * _size(z, (-2, -1))),
    "ifft2": (np.fft.ifft2, lambda z: np.fft.fft2(z) / _size(z, (-2, -1))),
}


def fft(x) -> tuple:
    """The discrete Fourier transform along the last axis of ``x = (real, imag)``; returns ``(real, imag)``."""
    return ComplexTransform.apply(*_pair("fft", x), kind="fft")


def fft2(x) -> tuple:
    """The 2-D discrete Fourier transform over the last two axes of ``x = (real, imag)``."""
    return ComplexTransform.apply(*_pair("fft2", x), kind="fft2")


def ifft2(x) -> tuple:
    """The inverse 2-D discrete Fourier transform over the last two axes of ``x = (real, imag)``."""
    return ComplexTransform.apply(*_pair("ifft2", x), kind="ifft2")


class RFFT(Function):
    # Y_k = Σ_j x_j e^(-2πi jk/n), k < n//2 + 1      gx = Re(n · ifft(gY padded to n bins))
    def forward(self, x, n):
        self.n, self.length, self.dtype = n, x.shape[-1], x.dtype
        y = np.fft.rfft(x, n=n, axis=-1)
        return y.real.astype(x.dtype), y.imag.astype(x.dtype)

    def backward(self, grads):
        gr, gi = grads
        full = np.zeros(gr.shape[:-1] + (self.n,), np.complex128)
        full[..., :gr.shape[-1]] = gr + 1j * gi
        g = (np.fft.ifft(full, axis=-1) * self.n).real
        if self.length > self.n:  # x was cropped to n samples
            g = np.concatenate([g, np.zeros(g.shape[:-1] + (self.length - self.n,))], axis=-1)
        return g[..., :self.length].astype(self.dtype)


def rfft(x, fft_length=None) -> tuple:
    """The DFT of the real ``x`` along its last axis, the ``fft_length // 2 + 1`` non-negative frequencies
    (``x`` cropped or zero-padded to ``fft_length``); returns ``(real, imag)``."""
    data = _data(x)
    if data.dtype.kind != "f":
        x = data.astype(config.floatx())
    n = int(fft_length) if fft_length is not None else _data(x).shape[-1]
    return RFFT.apply(x, n=n)


class IRFFT(Function):
    # y = irfft(X, n): y_j = (1/n) Σ_k w_k (X_r,k cos θ - X_i,k sin θ), θ = 2πjk/n, w = 1 at k = 0 and n/2, else 2
    # gX = (w / n) · rfft(gy)       (split into real and imaginary parts)
    def forward(self, real, imag, n):
        self.n, self.bins, self.dtype = n, real.shape[-1], real.dtype
        return np.fft.irfft(real + 1j * imag, n=n, axis=-1).astype(real.dtype)

    def backward(self, gy):
        n, bins = self.n, self.bins
        g = np.fft.rfft(gy, n=n, axis=-1)
        weights = np.full(g.shape[-1], 2.0)
        weights[0] = 1.0
        if n % 2 == 0:
            weights[-1] = 1.0
        g = g * weights / n
        out = np.zeros(g.shape[:-1] + (bins,), np.complex128)
        used = min(bins, g.shape[-1])
        out[..., :used] = g[..., :used]
        return out.real.astype(self.dtype), out.imag.astype(self.dtype)


def irfft(x, fft_length=None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of ``fft_length`` samples (default ``2·(bins - 1)``)
    from ``x = (real, imag)`` of the non-negative frequencies."""
    real, imag = _pair("irfft", x)
    n = int(fft_length) if fft_length is not None else 2 * (_data(real).shape[-1] - 1)
    return IRFFT.apply(real, imag, n=n)


def extract_sequences(x, sequence_length: int, sequence_stride: int) -> Tensor:
    """Frames of ``sequence_length`` samples every ``sequence_stride`` along the last axis:
    (..., L) → (..., frames, sequence_length)."""
    length = _data(x).shape[-1]
    count = (length - sequence_length) // sequence_stride + 1
    if count <= 0:
        raise ValueError(f"extract_sequences: sequence_length {sequence_length} is longer than the signal ({length})")
    index = np.arange(count)[:, None] * sequence_stride + np.arange(sequence_length)[None, :]
    return s.take(x, index, axis=-1)


def _window(name: str, window, sequence_length: int, fft_length: int, dtype) -> np.ndarray:
    """The window, zero-padded on both sides to ``fft_length`` (periodic Hann/Hamming, as SciPy)."""
    n = np.arange(sequence_length)
    if window is None:
        win = np.ones(sequence_length)
    elif isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"{name}: window must be 'hann', 'hamming', an array or None, received {window!r}")
        a0 = 0.5 if window == "hann" else 0.54
        win = a0 - (1 - a0) * np.cos(2 * np.pi * n / sequence_length)
    else:
        win = np.asarray(_data(window), dtype=np.float64)
        if win.shape != (sequence_length,):
            raise ValueError(f"{name}: the window must have shape ({sequence_length},), received {win.shape}")
    left = (fft_length - sequence_length) // 2
    return np.pad(win, (left, fft_length - sequence_length - left)).astype(dtype)


def stft(x, sequence_length: int, sequence_stride: int, fft_length: int, window="hann", center: bool = True) -> tuple:
    """The short-time Fourier transform along the last axis, as Keras: frames of ``fft_length`` samples every
    ``sequence_stride`` (the signal reflect-padded by ``fft_length // 2`` at both ends when ``center``),
    multiplied by the window (``sequence_length`` long, centered), then :func:`rfft`.

    Returns:
        ``(real, imag)``, each of shape ``(..., frames, fft_length // 2 + 1)``.
    """
    data = _data(x)
    if data.dtype not in (np.float32, np.float64):
        raise TypeError(f"stft: x must be float32 or float64, received {data.dtype}")
    if fft_length < sequence_length:
        raise ValueError(f"stft: fft_length ({fft_length}) must be at least sequence_length ({sequence_length})")
    if center:
        x = s.pad(x, [(0, 0)] * (data.ndim - 1) + [(fft_length // 2, fft_length // 2)], mode="reflect")
    frames = extract_sequences(x, fft_length, sequence_stride)
    win = _window("stft", window, sequence_length, fft_length, data.dtype)
    return rfft(m.multiply(frames, win), fft_length)


class OverlapAdd(Function):
    # y[f·stride + j] += frames[f, j]       dframes[f, j] = gy[f·stride + j]
    def forward(self, frames, stride):
        count, width = frames.shape[-2:]
        self.index = (np.arange(count)[:, None] * stride + np.arange(width)[None, :]).reshape(-1)
        y = np.zeros(frames.shape[:-2] + (width + stride * (count - 1),), frames.dtype)
        np.add.at(y, (..., self.index), frames.reshape(frames.shape[:-2] + (-1,)))
        self.frame_shape = frames.shape
        return y

    def backward(self, gy):
        return gy[..., self.index].reshape(self.frame_shape)


def istft(x, sequence_length: int, sequence_stride: int, fft_length: int, length=None, window="hann",
          center: bool = True) -> Tensor:
    """The inverse of :func:`stft`: ``irfft`` of each frame, windowed, overlap-added and divided by the
    overlap-added squared window; the ``center`` padding is cut off, and the signal cut to ``length``."""
    real, imag = _pair("istft", x)
    dtype = _data(real).dtype
    frames = irfft((real, imag), fft_length)
    win = _window("istft", window, sequence_length, fft_length, dtype)
    signal = OverlapAdd.apply(m.multiply(frames, win), stride=int(sequence_stride))
    count = _data(real).shape[-2]
    norm = np.zeros(fft_length + sequence_stride * (count - 1))
    for f in range(count):
        norm[f * sequence_stride:f * sequence_stride + fft_length] += win.astype(np.float64) ** 2
    scale = np.where(norm > 1e-10, 1.0 / np.where(norm > 1e-10, norm, 1.0), 1.0).astype(dtype)
    signal = m.multiply(signal, scale)
    start = fft_length // 2 if center else 0
    total = _data(signal).shape[-1]
    if length is not None:
        end = start + int(length)
    elif center:
        end = total - fft_length // 2
    else:
        end = total
    return s.take(signal, np.arange(start, min(end, total)), axis=-1)


def view_as_real(x) -> Tensor:
    """A complex tensor as floats with a last axis of 2 (real, imaginary). No gradient."""
    data = _data(x)
    if data.dtype.kind != "c":
        raise ValueError(f"view_as_real: expected a complex tensor, received dtype {data.dtype}")
    return Tensor._wrap(np.stack([data.real, data.imag], axis=-1))


def view_as_complex(x) -> Tensor:
    """Floats with a last axis of 2 (real, imaginary) as a complex tensor. No gradient."""
    data = _data(x)
    if data.ndim == 0 or data.shape[-1] != 2:
        raise ValueError(f"view_as_complex: the last axis must have size 2, received shape {data.shape}")
    return Tensor._wrap(data[..., 0] + 1j * data[..., 1])
