"""Where the windows of a convolution lie, and how they are copied into the matrices a GEMM reads.

Images are channels-last, ``(batch, height, width, channels)``. A convolution reads, for every output
pixel, a window of ``kh × kw`` input pixels (``dilation`` apart, windows ``strides`` apart, over the
input padded with zeros as Keras pads it). The helpers here are shared by the convolution and pooling
ops:

    normalize_tuple, normalize_padding, normalize_data_format, _spatial_rank, _check_fits
                                            argument checks with one clear error each
    conv_geometry, conv_transpose_length    output sizes and padding, as Keras/TensorFlow compute them
    _windows, _offset_slices                every window as a strided view; the pixels one tap touches
    _im2col, _im2col_transposed, _col2im    windows copied into rows of a matrix, and back (adjoint)
    ConvGeometry, conv_tiles, tile_cols     the same for a tile of output rows at a time (see below)

Tiles. The im2col matrix of a whole batch has ``kh·kw`` times as many values as the input (151 MB for
a 3×3 conv over 128×32×32×32 floats): it would not fit in any cache and grows with the image. So the
convolution builds it for a tile of output rows at a time — a few whole images, or a band of rows
of one large image — of about ``TILE_BYTES``, and multiplies it while it is still in the core's
cache. The memory a convolution needs beyond its input and output is then one tile per thread,
whatever the batch or image size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import Tensor

# --------------------------------------------------------------------------------------------- windows
# --------------------------------------------------------------------------------------------- helpers
def normalize_tuple(value, n: int, name: str, where: str, allow_zero: bool = False) -> tuple:
    """``value`` (an int or a sequence of ``n`` ints) as a tuple of ``n`` positive ints.

    Raises a ValueError naming ``where`` and ``name`` for anything else.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            raise ValueError(f"{where}: `{name}` must be an int or a tuple of {n} ints, received {value!r}") from None
        if len(out) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in out):
            raise ValueError(f"{where}: `{name}` must be an int or a tuple of {n} ints, received {value!r}")
        out = tuple(int(v) for v in out)
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{where}: `{name}` must be {kind}, received {value!r}")
    return out


def normalize_padding(padding, where: str, allowed=("valid", "same")) -> str:
    """``padding`` lower-cased, checked against ``allowed``."""
    if not isinstance(padding, str) or padding.lower() not in allowed:
        raise ValueError(f"{where}: `padding` must be one of {allowed}, received {padding!r}")
    return padding.lower()


def normalize_data_format(data_format, where: str) -> str:
    """'channels_last' (the default, also for None) or 'channels_first'."""
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"{where}: `data_format` must be 'channels_last' or 'channels_first', received {data_format!r}"
        )
    return data_format


def conv_geometry(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple:
    """``(out_size, pad_before, pad_after)`` of one spatial axis, as Keras/TensorFlow compute them.

    'valid': ``out = ⌊(size - k_eff) / stride⌋ + 1`` with no padding (trailing pixels no window
    reaches are ignored). 'same': ``out = ⌈size / stride⌉``, padded with zeros, the odd pixel after.
    ``k_eff = (kernel - 1)·dilation + 1`` is the dilated kernel's extent.
    """
    k_eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (size - k_eff) // stride + 1, 0, 0
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return out, total // 2, total - total // 2


def conv_transpose_length(size: int, kernel: int, stride: int, dilation: int, padding: str,
                          output_padding: int | None) -> tuple:
    """``(out_size, pad_before)`` of a transposed convolution along one axis (Keras rules).

    Without ``output_padding``: 'valid' gives ``size·stride + max(k_eff - stride, 0)``, 'same'
    gives ``size·stride``. With it: ``(size - 1)·stride + k_eff - 2·pad + output_padding`` where
    ``pad`` is ``k_eff // 2`` for 'same' and 0 for 'valid'. ``pad_before`` is the padding of the
    forward convolution whose adjoint this is.
    """
    k_eff = (kernel - 1) * dilation + 1
    if output_padding is None:
        out = size * stride + max(k_eff - stride, 0) if padding == "valid" else size * stride
    else:
        pad = k_eff // 2 if padding == "same" else 0
        out = (size - 1) * stride + k_eff - 2 * pad + output_padding
    if padding == "valid":
        return out, 0
    total = max((size - 1) * stride + k_eff - out, 0)
    return out, total // 2


def _windows(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilation) -> np.ndarray:
    """Read-only view ``(n, oh, ow, kh, kw, c)`` of every window of the padded image ``xp``."""
    n, _, _, c = xp.shape
    s0, s1, s2, s3 = xp.strides
    sh, sw = strides
    dh, dw = dilation
    return as_strided(xp, (n, oh, ow, kh, kw, c), (s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3), writeable=False)


def _im2col(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilation,
            buffer: np.ndarray | None = None) -> np.ndarray:
    """The windows of ``xp`` as one contiguous matrix ``(n·oh·ow, kh·kw·c)`` (the only copy made),
    written into the front of the flat array ``buffer`` when one is given."""
    n, c = xp.shape[0], xp.shape[3]
    if kh == kw == 1 and tuple(strides) == (1, 1) and xp.flags.c_contiguous:
        return xp.reshape(n * oh * ow, c)  # a 1×1 convolution needs no copy
    cols = _take(buffer, (n, oh, ow, kh, kw, c), xp.dtype)
    np.copyto(cols, _windows(xp, kh, kw, oh, ow, strides, dilation))
    return cols.reshape(n * oh * ow, kh * kw * c)


def _take(buffer: np.ndarray | None, shape: tuple, dtype) -> np.ndarray:
    """An uninitialised array of ``shape``: the front of the flat ``buffer``, or a new one."""
    if buffer is None:
        return np.empty(shape, dtype)
    return buffer[:int(np.prod(shape))].reshape(shape)


_FEW_CHANNELS = 4  # up to this many input channels, im2col is built transposed (see ops.conv.Conv)


def _im2col_transposed(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilation,
                       ones: bool, buffer: np.ndarray | None = None) -> np.ndarray:
    """``im2col(xp).T`` built tap by tap: ``(kh·kw·c [+ 1], n·oh·ow)``, plus a row of ones if asked
    (in ``buffer`` when one is given).

    For few channels this copies whole shifted images (long contiguous runs) instead of windows
    of ``c`` values, several times faster.
    """
    n, c = xp.shape[0], xp.shape[3]
    taps = kh * kw * c
    out = _take(buffer, (taps + int(ones), n, oh, ow), xp.dtype)
    for i in range(kh):
        for j in range(kw):
            window = xp[_offset_slices(i, j, oh, ow, strides, dilation)]
            first = (i * kw + j) * c
            out[first:first + c] = window.transpose(3, 0, 1, 2)
    if ones:
        out[taps] = 1
    return out.reshape(taps + int(ones), n * oh * ow)


def _offset_slices(i: int, j: int, oh: int, ow: int, strides, dilation) -> tuple:
    """The index of the pixels kernel offset ``(i, j)`` touches in every window."""
    sh, sw = strides
    dh, dw = dilation
    return (slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw), slice(None))


def _col2im(dcols: np.ndarray, dxp: np.ndarray, kh: int, kw: int, strides, dilation) -> np.ndarray:
    """Add every window's gradient back onto the pixels it was read from (the adjoint of im2col).

    ``dcols`` has shape ``(n, oh, ow, kh, kw, c)``; ``dxp`` is the padded image gradient it is added
    into (zeros to start from) and is returned. One strided add per kernel offset.
    """
    oh, ow = dcols.shape[1:3]
    for i in range(kh):
        for j in range(kw):
            dxp[_offset_slices(i, j, oh, ow, strides, dilation)] += dcols[:, :, :, i, j, :]
    return dxp


def _col2im_gemm(g2: np.ndarray, k4: np.ndarray, dxp: np.ndarray, oh: int, ow: int, strides,
                 dilation) -> np.ndarray:
    """``col2im(g2 @ K₂ᵀ)`` added into ``dxp`` one kernel tap at a time: ``dxp[window_ij] += g2 @ K[i,j]ᵀ``.

    The same sums as building the whole ``(n·oh·ow, kh·kw·c)`` matrix first, without that buffer
    (each tap's product stays in cache until it is added). Returns ``dxp``.
    """
    n, c = dxp.shape[0], dxp.shape[3]
    tap = np.empty((g2.shape[0], c), g2.dtype)
    for i in range(k4.shape[0]):
        for j in range(k4.shape[1]):
            np.matmul(g2, k4[i, j].T, out=tap)
            dxp[_offset_slices(i, j, oh, ow, strides, dilation)] += tap.reshape(n, oh, ow, c)
    return dxp


def _pad(x: np.ndarray, pads: tuple, value: float = 0.0) -> np.ndarray:
    """``x`` (n, h, w, c) with ``pads = (top, bottom, left, right)`` rows/columns of ``value`` added."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    n, h, w, c = x.shape
    xp = np.full((n, h + top + bottom, w + left + right, c), value, x.dtype)
    xp[:, top:top + h, left:left + w] = x
    return xp


def _crop(xp: np.ndarray, pads: tuple, h: int, w: int) -> np.ndarray:
    top, _, left, _ = pads
    if xp.shape[1] == h and xp.shape[2] == w:
        return xp
    return xp[:, top:top + h, left:left + w]


def _sum_rows(g2: np.ndarray) -> np.ndarray:
    """Column sums of a 2-D array, as a matrix-vector product (much faster than ``sum(axis=0)``)."""
    return np.ones(g2.shape[0], g2.dtype) @ g2


def _as_image(x: np.ndarray) -> np.ndarray:
    """A sequence ``(n, steps, c)`` viewed as an image ``(n, 1, steps, c)``; images pass through."""
    return x[:, None] if x.ndim == 3 else x


# --------------------------------------------------------------------------------------------- argument checks
def _raw(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _spatial_rank(name: str, x, kernel, kernel_rank_extra: int = 2) -> int:
    """The number of spatial axes (1 or 2), after checking the ranks of ``x`` and ``kernel``."""
    xs, ks = tuple(np.shape(_raw(x))), tuple(np.shape(_raw(kernel)))
    if len(xs) not in (3, 4):
        raise ValueError(
            f"{name}: expected inputs of rank 3 (batch, steps, channels) or 4 (batch, height, width, channels), "
            f"received shape {xs}"
        )
    rank = len(xs) - 2
    if len(ks) != rank + kernel_rank_extra:
        raise ValueError(f"{name}: expected a kernel of rank {rank + kernel_rank_extra} for inputs of shape {xs}, "
                         f"received kernel shape {ks}")
    return rank


def _to_channels_last(x, data_format: str, rank: int):
    if data_format == "channels_first":
        from .manipulation import transpose

        return transpose(x, (0,) + tuple(range(2, rank + 2)) + (1,))
    return x


def _from_channels_last(y, data_format: str, rank: int):
    if data_format == "channels_first":
        from .manipulation import transpose

        return transpose(y, (0, rank + 1) + tuple(range(1, rank + 1)))
    return y


def _check_fits(name: str, spatial: tuple, kernel: tuple, strides, dilation, padding) -> None:
    if padding == "valid":
        for size, k, d in zip(spatial, kernel, dilation):
            if (k - 1) * d + 1 > size:
                raise ValueError(
                    f"{name}: the kernel (size {tuple(kernel)}, dilation {tuple(dilation)}) is larger than the "
                    f"input's spatial shape {tuple(spatial)} with padding='valid'; use padding='same' or a "
                    "smaller kernel"
                )



# --------------------------------------------------------------------------------------------- tiles
TILE_BYTES = 1 << 20  # an im2col tile of about one core's L2 cache (1 MiB on this machine's cores)


class ConvGeometry(NamedTuple):
    """Where the windows of a 2-D convolution lie: kernel ``(kh, kw)``, strides ``(sh, sw)``, dilation
    ``(dh, dw)``, the zero padding before the first row and column ``(top, left)``, and the output size
    ``(oh, ow)`` (the padding after the last row and column follows from it)."""

    kh: int
    kw: int
    sh: int
    sw: int
    dh: int
    dw: int
    top: int
    left: int
    oh: int
    ow: int

    @property
    def strides(self) -> tuple:
        return self.sh, self.sw

    @property
    def dilation(self) -> tuple:
        return self.dh, self.dw


def conv_tiles(n: int, oh: int, row_bytes: int, budget: int | None = None) -> list:
    """``(images, rows)`` slice pairs that cover ``n`` images of ``oh`` output rows in order, each
    tile's im2col matrix (``row_bytes`` per output row) about ``budget`` bytes (default
    ``TILE_BYTES``) or less: groups of whole images when one image fits, else bands of rows of one
    image (one row at the least). Tiles of one kind are of (nearly) equal size.

    Example: 128 images whose im2col takes 590 kB each give 128 tiles of one image; images of
    1.2 MB each give two bands of half an image's rows per image.
    """
    if n == 0:
        return []
    budget = TILE_BYTES if budget is None else budget
    image_bytes = max(oh * row_bytes, 1)
    if image_bytes <= budget:
        groups = -(-n // max(1, budget // image_bytes))
        cuts = [n * i // groups for i in range(groups + 1)]
        return [(slice(a, b), slice(0, oh)) for a, b in zip(cuts, cuts[1:])]
    bands = -(-image_bytes // budget)
    cuts = [oh * i // bands for i in range(bands + 1)]
    return [(slice(a, a + 1), slice(r, s)) for a in range(n) for r, s in zip(cuts, cuts[1:]) if s > r]


def _padded_block(x: np.ndarray, images: slice, r0: int, nr: int, c0: int, nc: int) -> np.ndarray:
    """``x[images, r0:r0 + nr, c0:c0 + nc]``, reading zeros where that sticks out of the image (rows or
    columns < 0 or past the end): a view of ``x`` when it does not, else a zero-padded copy."""
    h, w = x.shape[1:3]
    if r0 >= 0 and c0 >= 0 and r0 + nr <= h and c0 + nc <= w:
        return x[images, r0:r0 + nr, c0:c0 + nc]
    part = x[images]
    block = np.zeros((part.shape[0], nr, nc, x.shape[3]), x.dtype)
    rs, re, cs, ce = max(r0, 0), min(r0 + nr, h), max(c0, 0), min(c0 + nc, w)
    if re > rs and ce > cs:
        block[:, rs - r0:re - r0, cs - c0:ce - c0] = part[:, rs:re, cs:ce]
    return block


def largest_tile(tiles: list, width: int) -> int:
    """The most output pixels any of ``tiles`` (of output rows ``width`` pixels wide) has."""
    return width * max(((im.stop - im.start) * (r.stop - r.start) for im, r in tiles), default=0)


def tile_buffer(tiles: list, width: int, values_per_pixel: int, dtype) -> np.ndarray:
    """One flat array that holds the im2col matrix of the largest of ``tiles`` (``values_per_pixel``
    per output pixel), to build every tile in (the same memory, still in cache)."""
    return np.empty(largest_tile(tiles, width) * values_per_pixel, dtype)


def tile_cols(x: np.ndarray, images: slice, rows: slice, g: ConvGeometry, buffer: np.ndarray | None = None,
              transposed: bool = False, ones: bool = False) -> np.ndarray:
    """The im2col matrix of one tile: the windows of output rows ``rows`` of images ``x[images]``
    (unpadded; the padding of ``g`` is read as zeros), ``(m·rows·ow, kh·kw·c)``; or, with
    ``transposed``, ``(kh·kw·c [+ 1 row of ones], m·rows·ow)`` (see :func:`_im2col_transposed`).
    Written into the front of ``buffer`` (from :func:`tile_buffer`) when one is given."""
    oh = rows.stop - rows.start
    block = _padded_block(x, images, rows.start * g.sh - g.top, (oh - 1) * g.sh + (g.kh - 1) * g.dh + 1,
                          -g.left, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1)
    if transposed:
        return _im2col_transposed(block, g.kh, g.kw, oh, g.ow, g.strides, g.dilation, ones, buffer)
    return _im2col(block, g.kh, g.kw, oh, g.ow, g.strides, g.dilation, buffer)
