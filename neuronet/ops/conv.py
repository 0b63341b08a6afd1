"""Convolutions as matrix products: im2col gathers every window into one row, one GEMM does the rest.

Images are channels-last, ``(batch, height, width, channels)``; sequences ``(batch, steps, channels)``
are handled as images of height 1. Kernels use the Keras layouts:

    conv              (kh, kw, in, out)
    conv_transpose    (kh, kw, out, in)
    depthwise_conv    (kh, kw, in, multiplier)

The forward pass of a convolution copies the (padded) input's windows into a matrix ``cols`` of shape
``(batch·oh·ow, kh·kw·in)`` — a strided view turned into one contiguous buffer — and multiplies it by
the kernel seen as ``(kh·kw·in, out)``. Backward reuses ``cols`` for the kernel gradient
(``colsᵀ @ gy``) and sends ``gy @ Kᵀ`` back to the pixels it came from (col2im: one strided add per
kernel offset, never a loop over pixels). A transposed convolution is exactly that backward pass run
forwards, so the two share their helpers.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import runtime
from ..autograd import Function, Tensor

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv"]


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


def _im2col(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilation) -> np.ndarray:
    """The windows of ``xp`` as one contiguous matrix ``(n·oh·ow, kh·kw·c)`` (the only copy made)."""
    n, c = xp.shape[0], xp.shape[3]
    if kh == kw == 1 and tuple(strides) == (1, 1) and xp.flags.c_contiguous:
        return xp.reshape(n * oh * ow, c)  # a 1×1 convolution needs no copy
    cols = np.empty((n, oh, ow, kh, kw, c), xp.dtype)
    np.copyto(cols, _windows(xp, kh, kw, oh, ow, strides, dilation))
    return cols.reshape(n * oh * ow, kh * kw * c)


_FEW_CHANNELS = 4  # up to this many input channels, im2col is built transposed (see Conv)


def _im2col_transposed(xp: np.ndarray, kh: int, kw: int, oh: int, ow: int, strides, dilation,
                       ones: bool) -> np.ndarray:
    """``im2col(xp).T`` built tap by tap: ``(kh·kw·c [+ 1], n·oh·ow)``, plus a row of ones if asked.

    For few channels this copies whole shifted images (long contiguous runs) instead of windows
    of ``c`` values, several times faster.
    """
    n, c = xp.shape[0], xp.shape[3]
    taps = kh * kw * c
    out = np.empty((taps + int(ones), n, oh, ow), xp.dtype)
    for i in range(kh):
        for j in range(kw):
            window = xp[_offset_slices(i, j, oh, ow, strides, dilation)]
            first = (i * kw + j) * c
            out[first:first + c] = np.moveaxis(window, 3, 0)
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


# --------------------------------------------------------------------------------------------- conv
class ReluMaskedGradient(np.ndarray):
    """A gradient that already carries the derivative of the relu fused into the Conv that made its
    input, so that Conv's backward skips its own mask (a full pass over the activation).

    The fusion is chosen where the graph is built: :func:`neuronet.ops.max_pool` on the output of a
    ``conv(..., relu=True)`` applies relu's derivative to the pooled gradient (max-pooling commutes
    with relu, and the pooled gradient is 4× smaller) and returns its input gradient as this type.
    Any arithmetic on it gives a plain ndarray — so when the conv output has other consumers and the
    engine adds their gradients, Conv receives a plain array and masks it as usual.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x.view(np.ndarray) if isinstance(x, ReluMaskedGradient) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, ReluMaskedGradient) else x
                                  for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)


class Conv(Function):
    # y[n,o,p,f] = act(Σ_{i,j,c} xp[n, o·sh + i·dh, p·sw + j·dw, c] · K[i,j,c,f] + b[f])
    #   as one GEMM:  y = cols @ K₂ + b,   cols = im2col(xp),  K₂ = K.reshape(kh·kw·C, F)
    # backward (g = gy, times [y > 0] when act is relu):
    #   dK = colsᵀ @ g       db = Σ g       dx = col2im(g @ K₂ᵀ), cropped to the unpadded input
    # With few input channels (an image's first layer) cols is built transposed, one contiguous row
    # per kernel tap, with a row of ones that makes the bias part of the GEMM (and db part of dK).
    # Samples are independent: a slice of them builds its own cols and writes its own rows of y; in
    # backward it returns its part of dK and db, summed here (the runtime decides how slices run).
    def forward(self, x, kernel, bias, strides, padding, dilation, relu):
        self.rank = x.ndim
        x4, k4 = _as_image(x), (kernel[None] if kernel.ndim == 3 else kernel)
        n, h, w, c = x4.shape
        kh, kw, _, f = k4.shape
        oh, top, bottom = conv_geometry(h, kh, strides[0], dilation[0], padding)
        ow, left, right = conv_geometry(w, kw, strides[1], dilation[1], padding)
        pads = (top, bottom, left, right)
        k2 = k4.reshape(kh * kw * c, f)
        self.transposed = c <= _FEW_CHANNELS and kh * kw > 1
        if self.transposed:
            kb = k2 if bias is None else np.concatenate([k2, bias[None].astype(k2.dtype)])
        y = np.empty((n, oh, ow, f), np.result_type(x4, k2))

        def part(_, s):
            xp = _pad(x4[s], pads)
            ys = y[s].reshape(-1, f)
            if self.transposed:
                cols = _im2col_transposed(xp, kh, kw, oh, ow, strides, dilation, ones=bias is not None)
                np.matmul(cols.T, kb, out=ys)
            else:
                cols = _im2col(xp, kh, kw, oh, ow, strides, dilation)
                np.matmul(cols, k2, out=ys)
                if bias is not None:
                    ys += bias
            if relu:
                np.maximum(ys, 0, out=ys)
            return cols

        self.rows = runtime.plan_rows(n, oh * ow * (kh * kw * c * (1 + f / 16) + f))  # per sample: cols, GEMM, y
        self.cols = self.rows.map(part)
        self.k2, self.kshape = k2, kernel.shape
        self.xshape, self.pshape, self.pads = x.shape, (n, h + top + bottom, w + left + right, c), pads
        self.geom = (kh, kw, strides, dilation)
        self.y = y if relu else None
        return y[:, 0] if self.rank == 3 else y

    def backward(self, gy):
        # relu's derivative, unless the gradient already carries it (see ReluMaskedGradient)
        mask = self.y is not None and not isinstance(gy, ReluMaskedGradient)
        gy = gy.view(np.ndarray)
        if self.rank == 3:
            gy = gy[:, None]
        n, oh, ow, f = gy.shape
        kh, kw, strides, dilation = self.geom
        c = self.pshape[3]
        need_x, need_k = self.needs_input_grad[0], self.needs_input_grad[1]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        dxp = np.zeros(self.pshape, gy.dtype) if need_x else None

        def part(i, s):
            g = gy[s] * (self.y[s] > 0) if mask else gy[s]
            g2 = g.reshape(-1, f)
            cols = self.cols[i]
            gk = gb = None
            if self.transposed and (need_k or need_b):
                gk = cols @ g2  # rows: kernel taps, then the bias (the row of ones)
            else:
                if need_k:
                    gk = cols.T @ g2
                if need_b:
                    gb = _sum_rows(g2)
            if need_x:
                if self.transposed:  # few channels: one GEMM, then col2im
                    dcols = (g2 @ self.k2.T).reshape(-1, oh, ow, kh, kw, c)
                    _col2im(dcols, dxp[s], kh, kw, strides, dilation)
                else:
                    _col2im_gemm(g2, self.k2.reshape(kh, kw, c, f), dxp[s], oh, ow, strides, dilation)
            return gk, gb

        gk, gb = self.rows.map_sum(part)
        gx = None
        if need_k or need_b:
            if self.transposed:
                gk, gb = (gk[:len(self.k2)].reshape(self.kshape) if need_k else None,
                          gk[len(self.k2)] if need_b else None)
            elif need_k:
                gk = gk.reshape(self.kshape)
        if need_x:
            h, w = (1, self.xshape[1]) if self.rank == 3 else self.xshape[1:3]
            gx = _crop(dxp, self.pads, h, w).reshape(self.xshape)
        return gx, gk, gb


class ConvTranspose(Function):
    # The adjoint of Conv with the same geometry (kernel K[i,j,out,in] seen as a conv kernel from
    # 'out' channels to 'in' channels):
    #   y = crop(col2im(x @ K₂ᵀ)) + b            K₂ = K.reshape(kh·kw·out, in)
    # backward: cols = im2col(pad(gy))  →  dx = cols @ K₂,  dK = colsᵀ @ x,  db = Σ gy
    # Samples are independent: a slice of them fills its own rows of y and dx and returns its part of dK.
    def forward(self, x, kernel, bias, strides, out_size, pad_before, dilation):
        self.rank = x.ndim
        x4, k4 = _as_image(x), (kernel[None] if kernel.ndim == 3 else kernel)
        n, h, w, cin = x4.shape
        kh, kw, cout, _ = k4.shape
        oh, ow = out_size
        top, left = pad_before
        # the full canvas every window writes into, before cropping to the output
        fh = max((h - 1) * strides[0] + (kh - 1) * dilation[0] + 1, top + oh)
        fw = max((w - 1) * strides[1] + (kw - 1) * dilation[1] + 1, left + ow)
        pads = (top, fh - top - oh, left, fw - left - ow)
        y = np.empty((n, oh, ow, cout), np.result_type(x4, k4))

        def part(_, s):
            xs = x4[s]
            canvas = np.zeros((len(xs), fh, fw, cout), y.dtype)
            _col2im_gemm(xs.reshape(-1, cin), k4, canvas, h, w, strides, dilation)
            ys = y[s]
            ys[...] = _crop(canvas, pads, oh, ow)
            if bias is not None:
                ys += bias

        # per sample: the taps' products (kh·kw·out values per input pixel) and the canvas
        self.rows = runtime.plan_rows(n, h * w * (kh * kw * cout * (1 + cin / 16) + cin) + fh * fw * cout)
        self.rows.map(part)
        self.x4, self.k2, self.kshape, self.xshape = x4, k4.reshape(kh * kw * cout, cin), kernel.shape, x.shape
        self.pads, self.geom = pads, (kh, kw, h, w, strides, dilation)
        return y[:, 0] if self.rank == 3 else y

    def backward(self, gy):
        if self.rank == 3:
            gy = gy[:, None]
        kh, kw, h, w, strides, dilation = self.geom
        cout, cin = gy.shape[3], self.x4.shape[3]
        need_x, need_k = self.needs_input_grad[0], self.needs_input_grad[1]
        gb = _sum_rows(gy.reshape(-1, cout)) if len(self.needs_input_grad) > 2 and self.needs_input_grad[2] else None
        if not (need_x or need_k):
            return None, None, gb
        gx4 = np.empty(self.x4.shape, gy.dtype) if need_x else None

        def part(_, s):
            cols = _im2col(_pad(np.ascontiguousarray(gy[s]), self.pads), kh, kw, h, w, strides, dilation)
            if need_x:
                np.matmul(cols, self.k2, out=gx4[s].reshape(-1, cin))
            return (cols.T @ self.x4[s].reshape(-1, cin) if need_k else None),

        (gk,) = self.rows.map_sum(part)
        gx = None if gx4 is None else gx4.reshape(self.xshape)
        return gx, (None if gk is None else gk.reshape(self.kshape)), gb


class DepthwiseConv(Function):
    # y[n,o,p,c·M+m] = Σ_{i,j} xp[n, o·sh + i·dh, p·sw + j·dw, c] · K[i,j,c,m] + b[c·M+m]
    # one broadcast multiply-add per kernel offset (no GEMM: each channel has its own filter)
    # backward per offset:  dK[i,j,c,m] = Σ_{n,o,p} window_ij[n,o,p,c] · gy[n,o,p,c,m]
    #                        dx(window_ij)[n,o,p,c] += Σ_m gy[n,o,p,c,m] · K[i,j,c,m]
    def forward(self, x, kernel, bias, strides, padding, dilation):
        self.rank = x.ndim
        x4, k4 = _as_image(x), (kernel[None] if kernel.ndim == 3 else kernel)
        n, h, w, c = x4.shape
        kh, kw, _, m = k4.shape
        oh, top, bottom = conv_geometry(h, kh, strides[0], dilation[0], padding)
        ow, left, right = conv_geometry(w, kw, strides[1], dilation[1], padding)
        pads = (top, bottom, left, right)
        xp = _pad(x4, pads)
        y = np.zeros((n, oh, ow, c, m), x.dtype)
        for i in range(kh):
            for j in range(kw):
                y += xp[_offset_slices(i, j, oh, ow, strides, dilation)][..., None] * k4[i, j]
        y = y.reshape(n, oh, ow, c * m)
        if bias is not None:
            y += bias
        self.xp, self.k4, self.kshape, self.xshape, self.pads = xp, k4, kernel.shape, x.shape, pads
        self.geom = (kh, kw, strides, dilation)
        return y[:, 0] if self.rank == 3 else y

    def backward(self, gy):
        if self.rank == 3:
            gy = gy[:, None]
        n, oh, ow, cm = gy.shape
        kh, kw, strides, dilation = self.geom
        c, m = self.k4.shape[2:]
        g = gy.reshape(n, oh, ow, c, m)
        gx = gk = gb = None
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = _sum_rows(gy.reshape(-1, cm))
        if self.needs_input_grad[1]:
            gk = np.empty(self.k4.shape, gy.dtype)
            g3 = g.reshape(-1, c, m)
            for i in range(kh):
                for j in range(kw):
                    win = self.xp[_offset_slices(i, j, oh, ow, strides, dilation)].reshape(-1, c)
                    gk[i, j] = np.einsum("rc,rcm->cm", win, g3)
            gk = gk.reshape(self.kshape)
        if self.needs_input_grad[0]:
            dxp = np.zeros(self.xp.shape, gy.dtype)
            for i in range(kh):
                for j in range(kw):
                    index = _offset_slices(i, j, oh, ow, strides, dilation)
                    dxp[index] += np.einsum("nopcm,cm->nopc", g, self.k4[i, j])
            h, w = (1, self.xshape[1]) if self.rank == 3 else self.xshape[1:3]
            gx = _crop(dxp, self.pads, h, w).reshape(self.xshape)
        return gx, gk, gb


# --------------------------------------------------------------------------------------------- public API
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
        from .shape import transpose

        return transpose(x, (0,) + tuple(range(2, rank + 2)) + (1,))
    return x


def _from_channels_last(y, data_format: str, rank: int):
    if data_format == "channels_first":
        from .shape import transpose

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


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format: str | None = None,
         dilation_rate=1, bias=None, relu: bool = False) -> Tensor:
    """N-D convolution (1-D or 2-D), as ``keras.ops.conv``.

    Computes ``y[n, o, p, f] = Σ_{i,j,c} x[n, o·s + i·d, p·s + j·d, c] · kernel[i, j, c, f]`` (a
    cross-correlation, like every deep-learning library) via one matrix product over an im2col
    buffer.

    Args:
        inputs: ``(batch, steps, channels)`` or ``(batch, height, width, channels)``
            (channels first when ``data_format='channels_first'``).
        kernel: ``(k, in, out)`` or ``(kh, kw, in, out)``.
        strides: int or tuple, the step between windows. Defaults to 1.
        padding: ``'valid'`` (no padding) or ``'same'`` (zero padding so that
            ``out = ceil(in / stride)``). Defaults to ``'valid'``.
        data_format: ``'channels_last'`` (default, also for None) or ``'channels_first'``.
        dilation_rate: int or tuple, spacing between kernel taps. Defaults to 1.
        bias: optional ``(out,)`` vector added to every output pixel (fused; not in Keras's op).
        relu: apply ``max(y, 0)`` in place before returning (fused; not in Keras's op).

    Returns:
        A Tensor ``(batch, out_h, out_w, out)`` (or ``(batch, out_steps, out)``).

    Example::

        >>> y = ops.conv(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)))    # shape (1, 3, 3, 2)
    """
    rank = _spatial_rank("conv", inputs, kernel)
    padding = normalize_padding(padding, "conv")
    data_format = normalize_data_format(data_format, "conv")
    strides = normalize_tuple(strides, rank, "strides", "conv")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate", "conv")
    x = _to_channels_last(inputs, data_format, rank)
    xs, ks = np.shape(_raw(x)), np.shape(_raw(kernel))
    if xs[-1] != ks[-2]:
        raise ValueError(f"conv: the kernel expects {ks[-2]} input channels (kernel shape {ks}), "
                         f"received inputs of shape {xs}")
    _check_fits("conv", xs[1:-1], ks[:-2], strides, dilation, padding)
    if rank == 1:
        strides, dilation = (1,) + strides, (1,) + dilation
    y = Conv.apply(x, kernel, bias, strides=strides, padding=padding, dilation=dilation, relu=bool(relu))
    return _from_channels_last(y, data_format, rank)


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid", output_padding=None,
                   data_format: str | None = None, dilation_rate=1, bias=None) -> Tensor:
    """Transposed convolution (1-D or 2-D), as ``keras.ops.conv_transpose``.

    The adjoint of :func:`conv` with the same kernel, strides and padding: it maps a tensor of a
    convolution's output shape back to its input shape, spreading each input pixel over a window
    (used to upsample in decoders and GANs).

    Args:
        inputs: ``(batch, steps, channels)`` or ``(batch, height, width, channels)``.
        kernel: ``(k, out, in)`` or ``(kh, kw, out, in)`` — the Keras layout, output channels
            before input channels.
        strides: int or tuple. Defaults to 1.
        padding: ``'valid'`` or ``'same'``. Defaults to ``'valid'``.
        output_padding: int or tuple (each smaller than its stride) that fixes the output size:
            ``(in - 1)·stride + k_eff - 2·pad + output_padding``. Defaults to None: 'valid' gives
            ``in·stride + max(k_eff - stride, 0)``, 'same' gives ``in·stride``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        dilation_rate: int or tuple. Defaults to 1.
        bias: optional ``(out,)`` vector added to every output pixel (fused).

    Returns:
        A Tensor ``(batch, out_h, out_w, out)``.
    """
    rank = _spatial_rank("conv_transpose", inputs, kernel)
    padding = normalize_padding(padding, "conv_transpose")
    data_format = normalize_data_format(data_format, "conv_transpose")
    strides = normalize_tuple(strides, rank, "strides", "conv_transpose")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate", "conv_transpose")
    if output_padding is not None:
        output_padding = normalize_tuple(output_padding, rank, "output_padding", "conv_transpose", allow_zero=True)
        for op, s, d in zip(output_padding, strides, dilation):
            if op >= s and op >= d:
                raise ValueError(f"conv_transpose: `output_padding` {output_padding} must be smaller than the strides "
                                 f"{strides} (or the dilation_rate {dilation})")
    x = _to_channels_last(inputs, data_format, rank)
    xs, ks = np.shape(_raw(x)), np.shape(_raw(kernel))
    if xs[-1] != ks[-1]:
        raise ValueError(f"conv_transpose: the kernel expects {ks[-1]} input channels (kernel shape {ks}, layout "
                         f"(..., out, in)), received inputs of shape {xs}")
    sizes = [conv_transpose_length(xs[1 + a], ks[a], strides[a], dilation[a], padding,
                                   None if output_padding is None else output_padding[a]) for a in range(rank)]
    if any(s[0] <= 0 for s in sizes):
        raise ValueError(f"conv_transpose: the output would be empty for inputs of shape {xs}")
    out_size, pad_before = tuple(s[0] for s in sizes), tuple(s[1] for s in sizes)
    if rank == 1:
        strides, dilation = (1,) + strides, (1,) + dilation
        out_size, pad_before = (1,) + out_size, (0,) + pad_before
    y = ConvTranspose.apply(x, kernel, bias, strides=strides, out_size=out_size, pad_before=pad_before,
                            dilation=dilation)
    return _from_channels_last(y, data_format, rank)


def depthwise_conv(inputs, kernel, strides=1, padding: str = "valid", data_format: str | None = None,
                   dilation_rate=1, bias=None) -> Tensor:
    """Depthwise convolution (1-D or 2-D), as ``keras.ops.depthwise_conv``: each input channel is
    convolved with its own ``multiplier`` filters, channels never mix.

    Args:
        inputs: ``(batch, steps, channels)`` or ``(batch, height, width, channels)``.
        kernel: ``(k, in, multiplier)`` or ``(kh, kw, in, multiplier)``.
        strides, padding, data_format, dilation_rate: as in :func:`conv`.
        bias: optional ``(in·multiplier,)`` vector (fused).

    Returns:
        A Tensor ``(batch, out_h, out_w, in·multiplier)``; output channel ``c·multiplier + m`` is
        input channel ``c`` convolved with ``kernel[..., c, m]``.
    """
    rank = _spatial_rank("depthwise_conv", inputs, kernel)
    padding = normalize_padding(padding, "depthwise_conv")
    data_format = normalize_data_format(data_format, "depthwise_conv")
    strides = normalize_tuple(strides, rank, "strides", "depthwise_conv")
    dilation = normalize_tuple(dilation_rate, rank, "dilation_rate", "depthwise_conv")
    x = _to_channels_last(inputs, data_format, rank)
    xs, ks = np.shape(_raw(x)), np.shape(_raw(kernel))
    if xs[-1] != ks[-2]:
        raise ValueError(f"depthwise_conv: the kernel expects {ks[-2]} input channels (kernel shape {ks}), "
                         f"received inputs of shape {xs}")
    _check_fits("depthwise_conv", xs[1:-1], ks[:-2], strides, dilation, padding)
    if rank == 1:
        strides, dilation = (1,) + strides, (1,) + dilation
    y = DepthwiseConv.apply(x, kernel, bias, strides=strides, padding=padding, dilation=dilation)
    return _from_channels_last(y, data_format, rank)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate=1, bias=None) -> Tensor:
    """Depthwise convolution followed by a 1×1 convolution, as ``keras.ops.separable_conv``.

    Args:
        inputs: ``(batch, steps, channels)`` or ``(batch, height, width, channels)``.
        depthwise_kernel: ``(kh, kw, in, multiplier)`` (or ``(k, in, multiplier)``).
        pointwise_kernel: ``(1, 1, in·multiplier, out)`` (or ``(1, in·multiplier, out)``).
        strides, padding, data_format, dilation_rate: of the depthwise step, as in :func:`conv`.
        bias: optional ``(out,)`` vector added after the pointwise step.

    Returns:
        A Tensor ``(batch, out_h, out_w, out)``.
    """
    data_format = normalize_data_format(data_format, "separable_conv")
    rank = _spatial_rank("separable_conv", inputs, depthwise_kernel)
    x = _to_channels_last(inputs, data_format, rank)
    h = depthwise_conv(x, depthwise_kernel, strides, padding, None, dilation_rate)
    y = conv(h, pointwise_kernel, 1, "valid", None, 1, bias=bias)
    return _from_channels_last(y, data_format, rank)

