"""The functions of ``keras.ops.image`` (exposed there, see ``ops/image.py``): resizing and affine
resampling, crops and pads, colour spaces, blurs and edges, patches, SSIM and ``map_coordinates``.

Images are ``(batch, height, width, channels)`` or one ``(height, width, channels)`` image (channels first
with ``data_format="channels_first"``). Everything is composed from differentiable ops — convolutions with
fixed kernels, gathers, elementwise math — so gradients flow to the pixels (and, for ``map_coordinates``,
to the input values). Resizing and affine resampling reuse the kernels of the image preprocessing layers.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..autograd import Tensor
from . import elementwise as e
from . import manipulation as s
from . import math as m
from . import reduce as r
from . import resampling
from .core import float_tensor

__all__ = ["resize", "affine_transform", "crop_images", "pad_images", "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb",
           "gaussian_blur", "sobel_edges", "extract_patches", "ssim", "map_coordinates"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)




def _batched(name: str, images, data_format):
    """``(images as (batch, H, W, C) floats, single, channels_first)``, or a one-line error."""
    data_format = "channels_last" if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', received {data_format!r}")
    rank = _data(images).ndim
    if rank not in (3, 4):
        raise ValueError(f"{name}: expected one image (H, W, C) or a batch (N, H, W, C), received shape "
                         f"{_data(images).shape}")
    x = float_tensor(images)
    if rank == 3:
        x = s.expand_dims(x, 0)
    first = data_format == "channels_first"
    if first:
        x = s.transpose(x, (0, 2, 3, 1))
    return x, rank == 3, first


def _restore(x, single: bool, first: bool):
    if first:
        x = s.moveaxis(x, 3, 1)
    return s.squeeze(x, 0) if single else x


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False, crop_to_aspect_ratio: bool = False,
           pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
           data_format=None) -> Tensor:
    """Resize images to ``size = (height, width)`` with 'bilinear', 'nearest', 'bicubic', 'lanczos3',
    'lanczos5' or 'area' interpolation (Keras's kernels, half-pixel centres); ``crop_to_aspect_ratio`` or
    ``pad_to_aspect_ratio`` first match the target's aspect ratio."""
    if interpolation not in resampling.RESIZE_INTERPOLATIONS:
        raise ValueError(f"resize: interpolation must be one of {resampling.RESIZE_INTERPOLATIONS}, received "
                         f"{interpolation!r}")
    if fill_mode != "constant":
        raise ValueError(f"resize: only fill_mode='constant' is supported, received {fill_mode!r}")
    x, single, first = _batched("resize", images, data_format)
    out = resampling.resize(x, size, interpolation, antialias, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_value)
    return _restore(out, single, first)


def affine_transform(images, transform, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value=0, data_format=None) -> Tensor:
    """Resample images through projective transforms without perspective: each row ``[a0, a1, a2, b0, b1,
    b2, 0, 0]`` of ``transform`` (one, or one per image) reads output pixel (x, y) from the input at
    ``(a0·x + a1·y + a2, b0·x + b1·y + b2)``; 'bilinear' or 'nearest'; outside the image by ``fill_mode``
    ('constant', 'nearest', 'reflect', 'wrap')."""
    x, single, first = _batched("affine_transform", images, data_format)
    t = np.asarray(_data(transform), dtype=np.float64)
    t = np.broadcast_to(t.reshape(-1, 8), (_data(x).shape[0], 8))
    if np.any(t[:, 6:] != 0):
        raise ValueError("affine_transform: perspective terms c0, c1 (the last two of each row) must be 0")
    if interpolation not in ("bilinear", "nearest") or fill_mode not in resampling.FILL_MODES:
        raise ValueError(f"affine_transform: interpolation must be 'bilinear' or 'nearest' and fill_mode one of "
                         f"{resampling.FILL_MODES}, received {interpolation!r}, {fill_mode!r}")
    out = resampling.affine_transform(x, t, interpolation, fill_mode, float(fill_value))
    return _restore(out, single, first)


def _window(name: str, size: int, before, after, target, grow: bool) -> tuple:
    """``(before, target)`` from two of ``before``, ``after`` and ``target`` (Keras's rule)."""
    given = [v is not None for v in (before, after, target)]
    if sum(given) != 2:
        raise ValueError(f"{name}: give exactly two of the offsets before/after and the target size, received "
                         f"{before!r}, {after!r}, {target!r}")
    sign = 1 if grow else -1
    if before is None:
        before = (target - size - sign * after) * sign
    if target is None:
        target = size + sign * (before + after)
    if before < 0 or target < 0:
        raise ValueError(f"{name}: the offsets and target size must be non-negative, received before={before}, "
                         f"target={target} for a size of {size}")
    return int(before), int(target)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None) -> Tensor:
    """Crop images: for each axis give two of (top/left cropping, bottom/right cropping, target size)."""
    x, single, first = _batched("crop_images", images, data_format)
    _, h, w, _ = _data(x).shape
    top, height = _window("crop_images", h, top_cropping, bottom_cropping, target_height, grow=False)
    left, width = _window("crop_images", w, left_cropping, right_cropping, target_width, grow=False)
    if top + height > h or left + width > w:
        raise ValueError(f"crop_images: the crop ({top}+{height}, {left}+{width}) does not fit images of {(h, w)}")
    return _restore(x[:, top:top + height, left:left + width, :], single, first)


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None) -> Tensor:
    """Pad images with zeros: for each axis give two of (top/left padding, bottom/right padding, target size)."""
    x, single, first = _batched("pad_images", images, data_format)
    _, h, w, _ = _data(x).shape
    top, height = _window("pad_images", h, top_padding, bottom_padding, target_height, grow=True)
    left, width = _window("pad_images", w, left_padding, right_padding, target_width, grow=True)
    if height < h + top or width < w + left:
        raise ValueError(f"pad_images: the target ({height}, {width}) is smaller than the padded images")
    out = s.pad(x, [(0, 0), (top, height - h - top), (left, width - w - left), (0, 0)])
    return _restore(out, single, first)


def rgb_to_grayscale(images, data_format=None) -> Tensor:
    """Luma ``0.2989·R + 0.5870·G + 0.1140·B`` (one channel; a one-channel input is returned as is)."""
    x, single, first = _batched("rgb_to_grayscale", images, data_format)
    channels = _data(x).shape[-1]
    if channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: expected 1 or 3 channels, received {channels}")
    if channels == 3:
        x = r.sum(m.multiply(x, np.array([0.2989, 0.5870, 0.1140], _data(x).dtype)), axis=-1, keepdims=True)
    return _restore(x, single, first)


def rgb_to_hsv(images, data_format=None) -> Tensor:
    """RGB in [0, 1] to HSV in [0, 1] (hue 0 red, 1/3 green, 2/3 blue), as ``tf.image.rgb_to_hsv``."""
    x, single, first = _batched("rgb_to_hsv", images, data_format)
    eps = float(np.finfo(_data(x).dtype).eps)
    x = m.where(np.abs(_data(x)) < eps, 0.0, x)
    red, green, blue = (s.take(x, i, axis=-1) for i in range(3))
    value = m.maximum(m.maximum(red, green), blue)
    low = m.minimum(m.minimum(red, green), blue)
    spread = m.subtract(value, low)
    v, sp = _data(value), _data(spread)
    saturation = m.where(v > 0, m.divide(spread, m.where(v > 0, value, 1.0)), 0.0)
    norm = m.divide(1.0, m.multiply(m.where(sp > 0, spread, 1.0), 6.0))
    hue = m.where(v == _data(green), m.add(m.multiply(norm, m.subtract(blue, red)), 2.0 / 6.0),
                  m.add(m.multiply(norm, m.subtract(red, green)), 4.0 / 6.0))
    hue = m.where(v == _data(red), m.multiply(norm, m.subtract(green, blue)), hue)
    hue = m.add(m.where(sp > 0, hue, 0.0), (_data(hue) < 0).astype(_data(x).dtype))
    return _restore(s.stack([hue, saturation, value], axis=-1), single, first)


def hsv_to_rgb(images, data_format=None) -> Tensor:
    """HSV in [0, 1] to RGB, the inverse of :func:`rgb_to_hsv`."""
    x, single, first = _batched("hsv_to_rgb", images, data_format)
    hue, saturation, value = (s.take(x, i, axis=-1) for i in range(3))
    dh = m.multiply(e.mod(hue, 1.0), 6.0)
    parts = [m.clip(m.subtract(m.abs(m.subtract(dh, 3.0)), 1.0), 0.0, 1.0),
             m.clip(m.subtract(2.0, m.abs(m.subtract(dh, 2.0))), 0.0, 1.0),
             m.clip(m.subtract(2.0, m.abs(m.subtract(dh, 4.0))), 0.0, 1.0)]
    rest = m.subtract(1.0, saturation)
    rgb = [m.multiply(value, m.add(rest, m.multiply(saturation, p))) for p in parts]
    return _restore(s.stack(rgb, axis=-1), single, first)


def _depthwise(x, kernel2d: np.ndarray, padding: str):
    """Each channel of ``x`` (N, H, W, C) correlated with the same 2-D kernel."""
    from .conv_variants import depthwise_conv

    channels = _data(x).shape[-1]
    kernel = np.repeat(kernel2d[:, :, None, None], channels, axis=2).astype(_data(x).dtype)
    return depthwise_conv(x, kernel, padding=padding)


def _gaussian(size: int, sigma: float) -> np.ndarray:
    t = np.arange(size) - (size - 1) / 2
    k = np.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None) -> Tensor:
    """Blur with a Gaussian kernel of ``kernel_size = (height, width)`` and ``sigma = (σ_h, σ_w)``, zero
    padding keeping the size (as Keras documents it and its TensorFlow backend does; its NumPy backend
    swaps height and width)."""
    x, single, first = _batched("gaussian_blur", images, data_format)
    kh, kw = (int(k) for k in np.broadcast_to(_data(kernel_size), (2,)))
    sh, sw = (float(v) for v in np.broadcast_to(_data(sigma), (2,)))
    kernel = np.outer(_gaussian(kh, sh), _gaussian(kw, sw))
    padded = s.pad(x, [(0, 0), ((kh - 1) // 2, kh - 1 - (kh - 1) // 2), ((kw - 1) // 2, kw - 1 - (kw - 1) // 2),
                       (0, 0)])
    return _restore(_depthwise(padded, kernel, "valid"), single, first)


def sobel_edges(images, data_format=None) -> Tensor:
    """Sobel gradients ``(dy, dx)`` of every channel, stacked on a new last axis: (N, H, W, C, 2), the
    image extended by reflection at the borders (as ``scipy.ndimage.sobel``)."""
    x, single, first = _batched("sobel_edges", images, data_format)
    smooth, diff = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    padded = s.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="symmetric")
    dy = _depthwise(padded, np.outer(diff, smooth), "valid")
    dx = _depthwise(padded, np.outer(smooth, diff), "valid")
    out = s.stack([dy, dx], axis=-1)
    if first:
        out = s.transpose(out, (0, 3, 1, 2, 4))
    return s.squeeze(out, 0) if single else out


def extract_patches(images, size, strides=None, dilation_rate=1, padding: str = "valid", data_format=None) -> Tensor:
    """Patches of ``size = (ph, pw)`` every ``strides`` (default: the size), each flattened to
    ``ph·pw·C`` values (rows, then columns, then channels), as Keras: (N, H, W, C) → (N, oh, ow, ph·pw·C)."""
    from .conv import conv

    x, single, first = _batched("extract_patches", images, data_format)
    ph, pw = (int(size), int(size)) if isinstance(size, (int, np.integer)) else (int(size[0]), int(size[1]))
    channels = _data(x).shape[-1]
    width = ph * pw * channels
    kernel = np.eye(width, dtype=_data(x).dtype).reshape(ph, pw, channels, width)
    out = conv(x, kernel, strides=strides or (ph, pw), padding=padding, dilation_rate=dilation_rate)
    return _restore(out, single, first)


def ssim(image1, image2, max_val: float = 1.0, filter_size: int = 11, filter_sigma: float = 1.5, k1: float = 0.01,
         k2: float = 0.03, data_format=None) -> Tensor:
    """The structural similarity of two images (or batches): the mean over pixels and channels of
    ``(2μ₁μ₂ + c₁)(2σ₁₂ + c₂) / ((μ₁² + μ₂² + c₁)(σ₁² + σ₂² + c₂))`` with Gaussian-weighted local statistics
    (``filter_size``, ``filter_sigma``), ``c₁ = (k₁·max_val)²``, ``c₂ = (k₂·max_val)²``. One value per image."""
    a, single, _ = _batched("ssim", image1, data_format)
    b, _, _ = _batched("ssim", image2, data_format)
    kernel = np.outer(_gaussian(filter_size, filter_sigma), _gaussian(filter_size, filter_sigma))
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2

    def blur(v):
        return _depthwise(v, kernel, "valid")

    mu1, mu2 = blur(a), blur(b)
    mu11, mu22, mu12 = m.multiply(mu1, mu1), m.multiply(mu2, mu2), m.multiply(mu1, mu2)
    var1 = m.subtract(blur(m.multiply(a, a)), mu11)
    var2 = m.subtract(blur(m.multiply(b, b)), mu22)
    cov = m.subtract(blur(m.multiply(a, b)), mu12)
    numerator = m.multiply(m.add(m.multiply(mu12, 2.0), c1), m.add(m.multiply(cov, 2.0), c2))
    denominator = m.multiply(m.add(m.add(mu11, mu22), c1), m.add(m.add(var1, var2), c2))
    values = r.mean(m.divide(numerator, denominator), axis=(1, 2, 3))
    return s.squeeze(values, 0) if single else values


def _map_index(i: np.ndarray, n: int, fill_mode: str) -> tuple:
    """``(index in [0, n), valid)`` for integer positions under SciPy's modes (extended past the edge)."""
    if fill_mode == "nearest":
        return np.clip(i, 0, n - 1), np.ones(i.shape, bool)
    if fill_mode == "wrap":
        return np.mod(i, n), np.ones(i.shape, bool)
    if fill_mode == "mirror":  # d c b | a b c d | c b a
        period = max(2 * n - 2, 1)
        k = np.mod(i, period)
        return np.where(k >= n, period - k, k), np.ones(i.shape, bool)
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        k = np.mod(i, 2 * n)
        return np.where(k >= n, 2 * n - 1 - k, k), np.ones(i.shape, bool)
    return np.clip(i, 0, n - 1), (i >= 0) & (i < n)


def map_coordinates(inputs, coordinates, order: int, fill_mode: str = "constant", fill_value=0) -> Tensor:
    """``inputs`` read at fractional ``coordinates`` (one array of positions per input axis), by nearest
    neighbour (``order=0``) or linear interpolation (``order=1``), as ``scipy.ndimage.map_coordinates``;
    positions outside follow ``fill_mode``: 'constant' (``fill_value``), 'nearest', 'wrap', 'mirror',
    'reflect'. Differentiable in ``inputs``."""
    data = _data(inputs)
    coords = np.asarray(_data(coordinates), dtype=np.float64)
    if coords.ndim < 2 or coords.shape[0] != data.ndim:
        raise ValueError(f"map_coordinates: coordinates must have one row per input axis ({data.ndim}), received "
                         f"shape {coords.shape}")
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: order must be 0 or 1, received {order!r}")
    if fill_mode not in ("constant", "nearest", "wrap", "mirror", "reflect"):
        raise ValueError(f"map_coordinates: fill_mode must be 'constant', 'nearest', 'wrap', 'mirror' or "
                         f"'reflect', received {fill_mode!r}")
    flat = s.reshape(float_tensor(inputs), (-1,))
    strides = np.cumprod((1,) + data.shape[:0:-1])[::-1]
    if order == 0:
        corners = [[(np.floor(c + 0.5).astype(np.int64), np.ones_like(c)) for c in coords]]
    else:
        lows = [np.floor(c).astype(np.int64) for c in coords]
        fracs = [c - low for c, low in zip(coords, lows)]
        corners = [[(low + bit, frac if bit else 1 - frac) for low, frac, bit in zip(lows, fracs, bits)]
                   for bits in itertools.product((0, 1), repeat=data.ndim)]
    out, constant = None, np.zeros(coords.shape[1:])
    for corner in corners:
        index = np.zeros(coords.shape[1:], np.int64)
        weight = np.ones(coords.shape[1:])
        valid = np.ones(coords.shape[1:], bool)
        for (position, w), size, stride in zip(corner, data.shape, strides):
            mapped, ok = _map_index(position, size, fill_mode)
            index += mapped * stride
            weight = weight * w
            valid &= ok
        constant += np.where(valid, 0.0, weight) * float(fill_value)
        term = m.multiply(s.take(flat, index), np.where(valid, weight, 0.0).astype(_data(flat).dtype))
        out = term if out is None else m.add(out, term)
    return m.add(out, constant.astype(_data(flat).dtype))
