"""Spatial rearrangements of ``keras.ops.nn``: depth_to_space / space_to_depth (pixel shuffle), adaptive
average and max pooling, and unfold / fold (im2col / col2im on NCHW images, as ``torch.nn.Unfold``).

All but ``fold`` are compositions of reshape, transpose, take and the reductions, so gradients come from
those; ``fold`` is a scatter-add whose backward is the gather ``unfold`` does.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor
from . import manipulation as s
from . import math as m
from . import reduce as r

__all__ = ["depth_to_space", "space_to_depth", "adaptive_average_pool", "adaptive_max_pool", "unfold", "fold"]


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _format(name: str, data_format) -> str:
    data_format = "channels_last" if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', received {data_format!r}")
    return data_format


def depth_to_space(x, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Move channels into ``block_size × block_size`` spatial blocks: (N, H, W, C) → (N, H·b, W·b, C / b²)
    (channels_last), as ``tf.nn.depth_to_space``."""
    data_format, b = _format("depth_to_space", data_format), int(block_size)
    if data_format == "channels_first":
        x = s.transpose(x, (0, 2, 3, 1))
    n, h, w, c = _data(x).shape
    if c % (b * b):
        raise ValueError(f"depth_to_space: channels ({c}) must be divisible by block_size² ({b * b})")
    out = s.reshape(s.transpose(s.reshape(x, (n, h, w, b, b, c // (b * b))), (0, 1, 3, 2, 4, 5)),
                    (n, h * b, w * b, c // (b * b)))
    return s.transpose(out, (0, 3, 1, 2)) if data_format == "channels_first" else out


def space_to_depth(x, block_size: int, data_format: str = "channels_last") -> Tensor:
    """The inverse of :func:`depth_to_space`: (N, H, W, C) → (N, H / b, W / b, C·b²)."""
    data_format, b = _format("space_to_depth", data_format), int(block_size)
    if data_format == "channels_first":
        x = s.transpose(x, (0, 2, 3, 1))
    n, h, w, c = _data(x).shape
    if h % b or w % b:
        raise ValueError(f"space_to_depth: height and width ({h}, {w}) must be divisible by block_size {b}")
    out = s.reshape(s.transpose(s.reshape(x, (n, h // b, b, w // b, b, c)), (0, 1, 3, 2, 4, 5)),
                    (n, h // b, w // b, c * b * b))
    return s.transpose(out, (0, 3, 1, 2)) if data_format == "channels_first" else out


def _adaptive(name: str, inputs, output_size, data_format, reducer) -> Tensor:
    data_format = _format(name, data_format)
    shape = _data(inputs).shape
    spatial = len(shape) - 2
    if spatial < 1:
        raise ValueError(f"{name}: expected inputs (batch, *spatial, channels), received shape {shape}")
    sizes = (int(output_size),) * spatial if isinstance(output_size, (int, np.integer)) else tuple(output_size)
    if len(sizes) != spatial:
        raise ValueError(f"{name}: output_size needs {spatial} sizes for inputs of shape {shape}, received "
                         f"{output_size!r}")
    first = 2 if data_format == "channels_first" else 1
    out = inputs
    for i, size in enumerate(sizes):  # pooling is separable: one spatial axis at a time
        axis = first + i
        length = shape[axis]
        pieces = []
        for j in range(size):  # window j covers [floor(j·L/size), ceil((j+1)·L/size)), as PyTorch
            start, stop = (j * length) // size, -((-(j + 1) * length) // size)
            pieces.append(reducer(s.take(out, np.arange(start, stop), axis=axis), axis=axis, keepdims=True))
        out = s.concatenate(pieces, axis=axis)
    return out


def adaptive_average_pool(inputs, output_size, data_format=None) -> Tensor:
    """Average pooling to a fixed ``output_size`` (an int or one size per spatial axis): output cell j of
    an axis of length L averages inputs ``floor(j·L/n)`` to ``ceil((j+1)·L/n)``, as PyTorch."""
    return _adaptive("adaptive_average_pool", inputs, output_size, data_format, r.mean)


def adaptive_max_pool(inputs, output_size, data_format=None) -> Tensor:
    """Max pooling to a fixed ``output_size``, with the windows of :func:`adaptive_average_pool`."""
    return _adaptive("adaptive_max_pool", inputs, output_size, data_format, r.max)


def _pair(name: str, value, what: str) -> tuple:
    pair = (int(value), int(value)) if isinstance(value, (int, np.integer)) else tuple(int(v) for v in value)
    if len(pair) != 2:
        raise ValueError(f"{name}: {what} must be an int or a pair, received {value!r}")
    return pair


def _unfold_index(h: int, w: int, kernel, dilation, padding, stride) -> tuple:
    """Row and column (in the padded image) of every (kernel offset, block) pair: shape (kH·kW, L)."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if out_h <= 0 or out_w <= 0:
        raise ValueError(f"unfold: the kernel {kernel} (dilation {dilation}) does not fit images of {(h, w)} "
                         f"padded by {padding}")
    ki, kj = np.meshgrid(np.arange(kh) * dh, np.arange(kw) * dw, indexing="ij")
    bi, bj = np.meshgrid(np.arange(out_h) * sh, np.arange(out_w) * sw, indexing="ij")
    rows = ki.reshape(-1, 1) + bi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + bj.reshape(1, -1)
    return rows, cols, (h + 2 * ph, w + 2 * pw)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding blocks of an NCHW image batch: (N, C, H, W) → (N, C·kH·kW, L), L blocks (``torch.nn.Unfold``)."""
    shape = _data(x).shape
    if len(shape) != 4:
        raise ValueError(f"unfold: expected images (N, C, H, W), received shape {shape}")
    kernel, dil, pad, stride = (_pair("unfold", v, w) for v, w in ((kernel_size, "kernel_size"),
                                                                    (dilation, "dilation"), (padding, "padding"),
                                                                    (stride, "stride")))
    n, c, h, w = shape
    rows, cols, (hp, wp) = _unfold_index(h, w, kernel, dil, pad, stride)
    padded = s.pad(x, [(0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])]) if any(pad) else x
    flat = s.reshape(padded, (n, c, hp * wp))
    blocks = s.take(flat, rows * wp + cols, axis=2)  # (N, C, kH·kW, L)
    return s.reshape(blocks, (n, c * rows.shape[0], rows.shape[1]))


class Fold(Function):
    # y[n, c, rows[k, l], cols[k, l]] += x[n, c·K + k, l]     dx = gy gathered at the same places (unfold)
    def forward(self, x, index, channels, padded, out_hw, pad):
        n = x.shape[0]
        self.index, self.channels, self.padded, self.pad = index, channels, padded, pad
        blocks = x.reshape(n, channels, index.shape[0], index.shape[1])
        y = np.zeros((n, channels, padded[0] * padded[1]), x.dtype)
        np.add.at(y, (slice(None), slice(None), index), blocks)
        y = y.reshape(n, channels, *padded)
        (ph, pw), (h, w) = pad, out_hw
        return y[:, :, ph:ph + h, pw:pw + w]

    def backward(self, gy):
        (ph, pw) = self.pad
        n = gy.shape[0]
        full = np.zeros((n, self.channels) + tuple(self.padded), gy.dtype)
        full[:, :, ph:ph + gy.shape[2], pw:pw + gy.shape[3]] = gy
        flat = full.reshape(n, self.channels, -1)
        return flat[:, :, self.index].reshape(n, -1, self.index.shape[1])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding blocks back into NCHW images: (N, C·kH·kW, L) → (N, C, H, W), the adjoint of
    :func:`unfold` (``torch.nn.Fold``); overlapping entries add up."""
    shape = _data(x).shape
    if len(shape) != 3:
        raise ValueError(f"fold: expected blocks (N, C·kH·kW, L), received shape {shape}")
    (h, w), kernel, dil, pad, stride = (_pair("fold", v, what) for v, what in (
        (output_size, "output_size"), (kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"),
        (stride, "stride")))
    rows, cols, padded = _unfold_index(h, w, kernel, dil, pad, stride)
    k, blocks = rows.shape
    if shape[1] % k or shape[2] != blocks:
        raise ValueError(f"fold: blocks of shape {shape} do not match {k} kernel offsets and {blocks} blocks for "
                         f"output_size {(h, w)}")
    x = x if _data(x).dtype.kind == "f" else m.cast(x, "float32")
    return Fold.apply(x, index=rows * padded[1] + cols, channels=shape[1] // k, padded=padded, out_hw=(h, w),
                      pad=pad)
