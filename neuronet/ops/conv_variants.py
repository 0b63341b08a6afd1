"""Transposed, depthwise and separable convolutions (channels-last; Keras kernel layouts).

    conv_transpose    kernel (kh, kw, out, in): the adjoint of ``conv`` (upsampling in decoders, GANs)
    depthwise_conv    kernel (kh, kw, in, multiplier): each input channel convolved with its own filters
    separable_conv    a depthwise convolution, then a 1×1 convolution that mixes the channels

A transposed convolution is exactly a convolution's backward pass run forwards — ``col2im(x @ K₂ᵀ)``,
one GEMM per kernel tap added into the output canvas — so it shares the window helpers of
:mod:`.conv_windows`; its backward is a convolution of the output gradient (im2col and a GEMM).
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..autograd import Function, Tensor
from .conv import conv
from .conv_windows import (ConvGeometry, _as_image, _check_fits, _col2im_gemm, _crop, _from_channels_last,
                           _offset_slices, _pad, _raw, _spatial_rank, _sum_rows, _to_channels_last, conv_geometry,
                           conv_tiles, conv_transpose_length, normalize_data_format, normalize_padding,
                           normalize_tuple, tile_buffer, tile_cols)

__all__ = ["conv_transpose", "depthwise_conv", "separable_conv"]


class ConvTranspose(Function):
    # The adjoint of Conv with the same geometry (kernel K[i,j,out,in] seen as a conv kernel from
    # 'out' channels to 'in' channels):
    #   y = crop(col2im(x @ K₂ᵀ)) + b            K₂ = K.reshape(kh·kw·out, in)
    # backward: cols = im2col(pad(gy))  →  dx = cols @ K₂,  dK = colsᵀ @ x,  db = Σ gy
    #   (cols built one tile of input rows at a time, as in Conv)
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
        # the windows of gy on the canvas (gy padded by the crop), one per input pixel
        g = ConvGeometry(kh, kw, *strides, *dilation, self.pads[0], self.pads[2], h, w)
        row_bytes = w * (kh * kw * cout + cin) * gy.itemsize

        def part(_, s):
            gys, xs = np.ascontiguousarray(gy[s]), self.x4[s]
            tiles = conv_tiles(len(gys), h, row_bytes)
            buffer = tile_buffer(tiles, w, kh * kw * cout, gy.dtype)
            gk = np.zeros(self.k2.shape, gy.dtype) if need_k else None
            for images, rows in tiles:  # cols = im2col(pad(gy)) one tile at a time
                cols = tile_cols(gys, images, rows, g, buffer)
                if need_x:
                    np.matmul(cols, self.k2, out=gx4[s][images, rows].reshape(-1, cin))
                if need_k:
                    gk += cols.T @ xs[images, rows].reshape(-1, cin)
            return gk,

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

