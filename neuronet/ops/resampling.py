"""Resizing and affine resampling of images, differentiable: the kernels behind ``ops.image.resize`` /
``affine_transform`` and the image preprocessing layers.

Resizing is linear along each spatial axis: ``y = x ×_axis W`` with a weight matrix ``W`` (input size ×
output size) built from an interpolation kernel, Keras's (and JAX's) ``scale_and_translate``: output
pixel ``j`` samples the input at ``(j + 0.5) / scale - 0.5`` (half-pixel centres) with weights
``kernel(|i - sample| / kernel_scale)``, normalized to sum to 1. Its backward multiplies by ``Wᵀ``.

Affine resampling (rotation, zoom, translation) reads every output pixel ``(row, col)`` from the input
at ``(b0·col + b1·row + b2, a0·col + a1·row + a2)`` (Keras's 8-number transform ``[a0, a1, a2, b0, b1,
b2, 0, 0]``), interpolating the 4 (bilinear) or 1 (nearest) input pixels around that point. Points
outside the image take values by ``fill_mode``: 'constant' (``fill_value``), 'nearest' (the edge),
'reflect' (d c b a | a b c d | d c b a) or 'wrap' (a b c d | a b c d). Its backward scatters the
output gradient back to the pixels read, with the same weights.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from .manipulation import pad

__all__ = ["RESIZE_INTERPOLATIONS", "FILL_MODES", "resize_weights", "resize", "affine_transform", "crop"]

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")


# ----------------------------------------------------------------------------- kernels
def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x):  # Keys' cubic convolution, a = -0.5
    out = (1.5 * x - 2.5) * x * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        out = np.where(x > 1e-3, np.divide(y, np.where(x != 0, np.pi ** 2 * x ** 2, 1)), 1.0)
        return np.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}


def resize_weights(in_size: int, out_size: int, interpolation: str, antialias: bool = False) -> np.ndarray:
    """The ``(in_size, out_size)`` matrix that resizes one axis: column ``j`` holds the weights of the
    input pixels averaged into output pixel ``j``."""
    if interpolation == "nearest":
        # output pixel j copies input pixel floor((j + 0.5) · in / out)
        src = np.floor((np.arange(out_size, dtype=np.float32) + 0.5) * in_size / out_size).astype(np.int64)
        w = np.zeros((in_size, out_size))
        w[np.minimum(src, in_size - 1), np.arange(out_size)] = 1.0
        return w
    if interpolation == "area":
        # output pixel j averages the input interval [j·in/out, (j+1)·in/out), weighted by overlap
        edges = np.arange(out_size + 1) * (in_size / out_size)
        left, right = edges[:-1], edges[1:]
        i = np.arange(in_size)[:, None]
        overlap = np.clip(np.minimum(i + 1, right) - np.maximum(i, left), 0.0, None)
        return overlap / overlap.sum(axis=0, keepdims=True)
    kernel = _KERNELS[interpolation]
    scale = out_size / in_size
    inv_scale = 1.0 / scale
    kernel_scale = max(inv_scale, 1.0) if antialias else 1.0
    sample = (np.arange(out_size) + 0.5) * inv_scale - 0.5
    weights = kernel(np.abs(sample[None, :] - np.arange(in_size)[:, None]) / kernel_scale)
    total = weights.sum(axis=0, keepdims=True)
    weights = np.where(np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
                       weights / np.where(total != 0, total, 1), 0.0)
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return np.where(inside[None, :], weights, 0.0)


class ResizeAxis(Function):
    # y = x ×_axis W (W: in × out)      dx = gy ×_axis Wᵀ
    def forward(self, x, w, axis):
        self.w, self.axis = w, axis
        return np.moveaxis(np.tensordot(x, w, axes=(axis, 0)), -1, axis)

    def backward(self, gy):
        return np.moveaxis(np.tensordot(gy, self.w.T, axes=(self.axis, 0)), -1, self.axis)


def crop(images: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """The ``height × width`` window at (top, left) of every image ``(..., H, W, C)``."""
    return images[..., top:top + height, left:left + width, :]


def resize(images: Tensor, size, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_value: float = 0.0) -> Tensor:
    """Resize float images ``(batch, H, W, C)`` or ``(H, W, C)`` to ``size = (height, width)``.

    ``crop_to_aspect_ratio`` first cuts the largest centred window with the target's aspect ratio;
    ``pad_to_aspect_ratio`` instead pads the shorter side evenly with ``fill_value``. Keras's numbers.
    """
    target_h, target_w = (int(s) for s in size)
    h, w = images.shape[-3], images.shape[-2]
    if crop_to_aspect_ratio:
        crop_h = max(min(h, int(float(w * target_h) / target_w)), 1)
        crop_w = max(min(w, int(float(h * target_w) / target_h)), 1)
        images = crop(images, int(float(h - crop_h) / 2), int(float(w - crop_w) / 2), crop_h, crop_w)
    elif pad_to_aspect_ratio:
        pad_h = max(h, int(float(w * target_h) / target_w))
        pad_w = max(w, int(float(h * target_w) / target_h))
        top, left = int(float(pad_h - h) / 2), int(float(pad_w - w) / 2)
        if top > 0 or left > 0:
            widths = [(0, 0)] * (images.ndim - 3) + [(top, top), (left, left), (0, 0)]
            images = pad(images, widths, constant_values=fill_value)
    out = images
    for axis, target in ((images.ndim - 3, target_h), (images.ndim - 2, target_w)):
        if out.shape[axis] != target:
            weights = resize_weights(out.shape[axis], target, interpolation, antialias).astype(out.dtype)
            out = ResizeAxis.apply(out, weights, axis=axis)
    return out


# ----------------------------------------------------------------------------- affine resampling
def _map_index(i: np.ndarray, n: int, fill_mode: str) -> tuple:
    """``(index inside [0, n), valid)`` for integer positions ``i`` under ``fill_mode``."""
    if fill_mode == "nearest":
        return np.clip(i, 0, n - 1), np.ones(i.shape, bool)
    if fill_mode == "wrap":
        return np.mod(i, n), np.ones(i.shape, bool)
    if fill_mode == "reflect":
        m = np.mod(i, 2 * n)
        return np.where(m >= n, 2 * n - 1 - m, m), np.ones(i.shape, bool)
    valid = (i >= 0) & (i < n)
    return np.clip(i, 0, n - 1), valid


class AffineSample(Function):
    # y[b,p,c] = Σ_k w[b,p,k] · x[b, src[b,p,k], c] + const[b,p]      dx[b, src[b,p,k], c] += w[b,p,k] · gy[b,p,c]
    def forward(self, x, src, w, const):
        b, h, wd, c = x.shape
        self.shape, self.src, self.w = x.shape, src, w
        flat = x.reshape(b * h * wd, c)
        rows = src + (np.arange(b) * h * wd)[:, None, None]  # (B, P, K) → rows of `flat`
        self.rows = rows
        y = np.einsum("bpk,bpkc->bpc", w, flat[rows])
        y += const[..., None]
        return y.reshape(b, -1, c)

    def backward(self, gy):
        b, h, wd, c = self.shape
        gflat = np.zeros((b * h * wd, c), dtype=gy.dtype)
        contrib = self.w[..., None] * gy[:, :, None, :]  # (B, P, K, C)
        np.add.at(gflat, self.rows.reshape(-1), contrib.reshape(-1, c))
        return gflat.reshape(self.shape)


def affine_transform(images: Tensor, transforms: np.ndarray, interpolation: str = "bilinear",
                     fill_mode: str = "reflect", fill_value: float = 0.0) -> Tensor:
    """Resample float images ``(batch, H, W, C)`` through one transform per image.

    Args:
        images: a float Tensor ``(batch, H, W, C)``.
        transforms: ``(batch, 8)`` rows ``[a0, a1, a2, b0, b1, b2, c0, c1]`` mapping an output pixel
            (col x, row y) to the input point ``(a0·x + a1·y + a2, b0·x + b1·y + b2)`` (c0, c1 must be 0).
        interpolation: 'bilinear' or 'nearest'.
        fill_mode: 'reflect', 'wrap', 'constant' or 'nearest'.
        fill_value: the value outside the image with 'constant'.
    """
    b, h, w, c = images.shape
    t = np.asarray(transforms, dtype=np.float32).astype(np.float64).reshape(b, 8)
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    rows, cols = rows.reshape(1, -1).astype(np.float64), cols.reshape(1, -1).astype(np.float64)
    src_x = t[:, 0:1] * cols + t[:, 1:2] * rows + t[:, 2:3]  # (B, P) input column
    src_y = t[:, 3:4] * cols + t[:, 4:5] * rows + t[:, 5:6]  # (B, P) input row
    if interpolation == "nearest":
        taps = [(np.floor(src_y + 0.5), np.floor(src_x + 0.5), np.ones_like(src_x))]
    else:
        y0, x0 = np.floor(src_y), np.floor(src_x)
        dy, dx = src_y - y0, src_x - x0
        taps = [(y0, x0, (1 - dy) * (1 - dx)), (y0, x0 + 1, (1 - dy) * dx),
                (y0 + 1, x0, dy * (1 - dx)), (y0 + 1, x0 + 1, dy * dx)]
    src, weights, const = [], [], np.zeros(src_x.shape)
    for ty, tx, tw in taps:
        iy, vy = _map_index(ty.astype(np.int64), h, fill_mode)
        ix, vx = _map_index(tx.astype(np.int64), w, fill_mode)
        valid = vy & vx
        src.append(iy * w + ix)
        weights.append(np.where(valid, tw, 0.0))
        const += np.where(valid, 0.0, tw) * fill_value
    dtype = images.dtype
    out = AffineSample.apply(images, np.stack(src, -1), np.stack(weights, -1).astype(dtype), const.astype(dtype))
    return out.reshape(b, h, w, c)
