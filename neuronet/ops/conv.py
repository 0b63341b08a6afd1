"""Convolution (1-D and 2-D) as matrix products: im2col gathers every window into one row, a GEMM does the rest.

Images are channels-last, ``(batch, height, width, channels)``; sequences ``(batch, steps, channels)``
are handled as images of height 1. The kernel has the Keras layout ``(kh, kw, in, out)``.

The windows of the (zero-padded) input are copied into a matrix ``cols`` of shape
``(batch·oh·ow, kh·kw·in)`` and multiplied by the kernel seen as ``(kh·kw·in, out)``. ``cols`` is
built and multiplied one tile of output rows at a time (:func:`.conv_windows.conv_tiles`), so it never
leaves the cache and the memory a convolution needs does not grow with the batch or the image.
Backward gets the input gradient, for unit strides, as a second convolution — of the padded output
gradient with the kernel turned 180° — whose im2col also gives the kernel gradient against ``x``;
otherwise it adds ``gy @ Kᵀ`` back window by window (col2im) and rebuilds ``cols`` for the kernel
gradient (``colsᵀ @ gy``) rather than keep ``kh·kw`` copies of the input alive between the passes.

:class:`ConvReference` is the same operation written in the fewest lines (one im2col of the whole
batch, col2im in backward): the reference the fast :class:`Conv` is tested against. Transposed,
depthwise and separable convolutions are in :mod:`.conv_variants`.
"""

from __future__ import annotations

import numpy as np

from .. import runtime
from ..autograd import Function, Tensor, is_grad_enabled
from .conv_windows import (_FEW_CHANNELS, ConvGeometry, _as_image, _check_fits, _col2im, _col2im_gemm, _crop,
                           _from_channels_last, _im2col, _pad, _raw, _spatial_rank, _sum_rows, _to_channels_last,
                           conv_geometry, conv_tiles, largest_tile, normalize_data_format, normalize_padding,
                           normalize_tuple, tile_buffer, tile_cols)
from .conv_windows import conv_transpose_length  # noqa: F401  (read from here by the layers and the ONNX export)

__all__ = ["conv"]


class ReluMaskedGradient(np.ndarray):
    """A gradient that already carries the derivative of the relu fused into the Conv that made its
    input, so that Conv's backward skips its own mask (a full pass over the activation).

    The fusion is chosen where the graph is built: :func:`neuronet.ops.max_pool` on the output of a
    ``conv(..., relu=True)`` applies relu's derivative to the pooled gradient (max-pooling commutes
    with relu, and the pooled gradient is 4× smaller) and returns its input gradient as this type;
    :func:`conv` on such an output multiplies each tile of its input gradient by ``[x > 0]`` while
    the tile is still in cache, and does the same.
    Any arithmetic on it gives a plain ndarray — so when the conv output has other consumers and the
    engine adds their gradients, Conv receives a plain array and masks it as usual.
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = tuple(x.view(np.ndarray) if isinstance(x, ReluMaskedGradient) else x for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, ReluMaskedGradient) else x
                                  for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)


def _geometry(x4: np.ndarray, k4: np.ndarray, strides, padding: str, dilation) -> tuple:
    """``(ConvGeometry, pads)`` of a convolution of ``x4`` by ``k4``; pads = (top, bottom, left, right)."""
    kh, kw = k4.shape[:2]
    oh, top, bottom = conv_geometry(x4.shape[1], kh, strides[0], dilation[0], padding)
    ow, left, right = conv_geometry(x4.shape[2], kw, strides[1], dilation[1], padding)
    return ConvGeometry(kh, kw, *strides, *dilation, top, left, oh, ow), (top, bottom, left, right)


class Conv(Function):
    # y[n,o,p,f] = act(Σ_{i,j,c} xp[n, o·sh + i·dh, p·sw + j·dw, c] · K[i,j,c,f] + b[f])
    #   as GEMMs, tile by tile:  y = cols @ K₂ + b,   cols = im2col(xp),  K₂ = K.reshape(kh·kw·C, F)
    # backward (g = gy, times [y > 0] when act is relu):
    #   dK = Σ_tiles colsᵀ @ g        db = Σ g
    #   dx = col2im(g @ K₂ᵀ); with unit strides that is the convolution of g, zero-padded by
    #        (k-1)·d - pad before each axis, with K' = K turned 180° and its channel axes swapped:
    #        dx = im2col(g_p) @ K'₂,   K'[i,j,f,c] = K[kh-1-i, kw-1-j, c, f]
    #        and then dK[kh-1-i, kw-1-j, c, f] = (xᵀ @ im2col(g_p))[c, (i, j, f)]  (no im2col of x)
    # With few input channels (an image's first layer) cols is built transposed, one contiguous row
    # per kernel tap, with a row of ones that makes the bias part of the GEMM (and db part of dK);
    # with keep (a backward will follow) and cols no larger than y, its tiles are kept for backward.
    # relu_input (chosen by conv when x is the output of a conv with a fused relu): dx is multiplied
    # by relu's derivative there, [x > 0], and handed back as a ReluMaskedGradient.
    # Samples are independent: a slice of them computes its own rows of y and dx and returns its part
    # of dK and db, added up by the runtime (which decides how the slices run).
    def forward(self, x, kernel, bias, strides, padding, dilation, relu, keep=False, relu_input=False):
        self.rank = x.ndim
        x4, k4 = _as_image(x), (kernel[None] if kernel.ndim == 3 else kernel)
        n, _, _, c = x4.shape
        kh, kw, _, f = k4.shape
        g, self.pads = _geometry(x4, k4, strides, padding, dilation)
        dtype = np.result_type(x4, k4)
        x4, k4 = x4.astype(dtype, copy=False), k4.astype(dtype, copy=False)
        k2 = k4.reshape(kh * kw * c, f)
        self.transposed = transposed = c <= _FEW_CHANNELS and kh * kw > 1
        self.ones = ones = transposed and bias is not None
        kb = np.concatenate([k2, bias[None].astype(dtype)]) if ones else k2
        keep = keep and transposed and len(kb) <= f
        y = np.empty((n, g.oh, g.ow, f), dtype)
        self.row_bytes = row_bytes = g.ow * (len(kb) + f) * y.itemsize  # a tile's cols and output stay in cache

        def part(_, s):
            xs, ys = x4[s], y[s]
            tiles = conv_tiles(len(xs), g.oh, row_bytes)
            buffer = tile_buffer(tiles, g.ow, len(kb), dtype)
            # the bias and relu's zero as arrays of a tile's shape: NumPy adds two arrays of one shape
            # ~3× faster than a row broadcast down a tile, and takes their maximum ~3.5× faster than
            # with the scalar 0 (its scalar maximum has no SIMD loop)
            most = largest_tile(tiles, g.ow)
            biases = np.broadcast_to(bias.astype(dtype), (most, f)).copy() if bias is not None and not ones else None
            zeros = np.zeros((most, f), dtype) if relu else None
            kept = []
            for images, rows in tiles:
                y2 = ys[images, rows].reshape(-1, f)  # a view: a tile is whole images or rows of one
                if transposed:
                    cols = tile_cols(xs, images, rows, g, None if keep else buffer, transposed=True, ones=ones)
                    np.matmul(cols.T, kb, out=y2)
                    if keep:
                        kept.append(cols)
                else:
                    np.matmul(tile_cols(xs, images, rows, g, buffer), k2, out=y2)
                if biases is not None:
                    np.add(y2, biases[:len(y2)], out=y2)
                if relu:
                    np.maximum(y2, zeros[:len(y2)], out=y2)
            return kept

        self.rows = runtime.plan_rows(n, g.oh * g.ow * (kh * kw * c * (1 + f / 16) + f))  # per sample: cols, GEMM, y
        kept = self.rows.map(part)  # per slice, its tiles' cols when kept
        self.kept = kept if keep else None
        self.x4, self.k4, self.kshape, self.xshape, self.geom = x4, k4, kernel.shape, x.shape, g
        self.y = y if relu else None
        self.relu_input = relu_input
        return y[:, 0] if self.rank == 3 else y

    def backward(self, gy):
        # relu's derivative, unless the gradient already carries it (see ReluMaskedGradient)
        mask = self.y is not None and not isinstance(gy, ReluMaskedGradient)
        gy = gy.view(np.ndarray)
        if self.rank == 3:
            gy = gy[:, None]
        g, x4, k4 = self.geom, self.x4, self.k4
        n, h, w, c = x4.shape
        f = k4.shape[3]
        need_x, need_k = self.needs_input_grad[0], self.needs_input_grad[1]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        # dx as a convolution copies h·w·kh·kw·F values into its tiles; col2im adds oh·ow·kh·kw·C values
        # onto strided windows, each add costing about 2.5 copies (measured): the cheaper one is taken
        # ('same' convolutions take the convolution, a 'valid' one with F > C often col2im)
        by_conv = need_x and (g.sh, g.sw) == (1, 1) and h * w * f < 2.5 * g.oh * g.ow * c
        # that convolution's im2col of g also gives dK, against x: then x's im2col is not built again
        k_from_g = by_conv and need_k and not self.transposed
        gx = None
        if by_conv:
            gx = np.empty(x4.shape, gy.dtype)
        elif need_x:  # col2im: add g @ K₂ᵀ back onto the windows, one tap at a time
            top, bottom, left, right = self.pads
            gx = np.zeros((n, h + top + bottom, w + left + right, c), gy.dtype)

        def part(i, s):
            gs = gy[s] * (self.y[s] > 0) if mask else gy[s]
            gk = gb = None
            if (need_k or (need_b and self.transposed)) and not k_from_g:
                gk = self._kernel_grad(i, x4[s], gs)
            if need_b and not self.transposed:
                gb = _sum_rows(gs.reshape(-1, f))
            if by_conv:
                gk_flipped = self._input_grad(gs, gx[s], x4[s], k_from_g)
                gk = gk_flipped if k_from_g else gk
            elif need_x:
                _col2im_gemm(gs.reshape(-1, f), k4, gx[s], g.oh, g.ow, g.strides, g.dilation)
            return gk, gb

        gk, gb = self.rows.map_sum(part)
        taps = g.kh * g.kw * c
        if k_from_g:  # rows: input channels; columns: the turned kernel's taps (i', j', f), i' = kh-1-i
            gk = gk.reshape(c, g.kh, g.kw, f)[:, ::-1, ::-1].transpose(1, 2, 0, 3)
        elif self.transposed and gk is not None:
            gk, gb = (gk[:taps] if need_k else None), (gk[taps] if need_b else None)
        if gk is not None:
            gk = gk.reshape(self.kshape)
        if gx is not None:
            gx = _crop(gx, self.pads, h, w)
            if self.relu_input:  # the tiles of the convolution route were masked as they were made
                gx = (gx if by_conv else gx * (x4 > 0)).view(ReluMaskedGradient)
            gx = gx.reshape(self.xshape)
        return gx, gk, gb

    def _kernel_grad(self, i: int, xs: np.ndarray, gs: np.ndarray) -> np.ndarray:
        """Σ over slice ``i``'s tiles of colsᵀ @ g, cols rebuilt from ``xs`` (or kept by forward):
        ``(kh·kw·c [+ 1 bias row], f)``."""
        g, f = self.geom, gs.shape[3]
        taps = g.kh * g.kw * xs.shape[3]
        tiles = conv_tiles(len(xs), g.oh, self.row_bytes)  # the tiles of forward
        buffer = tile_buffer(tiles, g.ow, taps + 1, gs.dtype) if self.kept is None else None
        gk = np.zeros((taps + int(self.ones), f), gs.dtype)
        for t, (images, rows) in enumerate(tiles):
            g2 = gs[images, rows].reshape(-1, f)
            if self.kept is not None:
                gk += self.kept[i][t] @ g2
            elif self.transposed:
                gk += tile_cols(xs, images, rows, g, buffer, transposed=True, ones=self.ones) @ g2
            else:
                gk += tile_cols(xs, images, rows, g, buffer).T @ g2
        return gk

    def _input_grad(self, gs: np.ndarray, gxs: np.ndarray, xs: np.ndarray, with_kernel: bool) -> np.ndarray | None:
        """dx of a unit-stride convolution of ``xs``, written into ``gxs``, as the convolution of ``gs``
        (padded by (k-1)·d - pad before) with the turned kernel K'; ``with_kernel``, also returns
        Σ xᵀ @ im2col(g_p), the kernel gradient with its taps turned: ``(c, kh·kw·f)``."""
        g, k4 = self.geom, self.k4
        n, h, w, c = gxs.shape
        f = k4.shape[3]
        gback = ConvGeometry(g.kh, g.kw, 1, 1, g.dh, g.dw, (g.kh - 1) * g.dh - g.top, (g.kw - 1) * g.dw - g.left,
                             h, w)
        kflip = np.ascontiguousarray(k4[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(-1, c)
        tiles = conv_tiles(n, h, w * (g.kh * g.kw * f + c) * gs.itemsize)
        buffer = tile_buffer(tiles, w, g.kh * g.kw * f, gs.dtype)
        gk = np.zeros((c, g.kh * g.kw * f), gs.dtype) if with_kernel else None
        for images, rows in tiles:
            cols = tile_cols(gs, images, rows, gback, buffer)
            gx2 = gxs[images, rows].reshape(-1, c)
            np.matmul(cols, kflip, out=gx2)
            x2 = xs[images, rows].reshape(-1, c) if self.relu_input or with_kernel else None
            if self.relu_input:  # relu's derivative for the conv that made x, while the tile is in cache
                np.multiply(gx2, x2 > 0, out=gx2)
            if with_kernel:
                gk += x2.T @ cols
        return gk


class ConvReference(Function):
    # The readable twin of Conv (the same arguments and results), on the whole batch at once:
    #   y = act(cols @ K₂ + b),  cols = im2col(pad(x))
    #   dK = colsᵀ @ g,  db = Σ g,  dx = crop(col2im(g @ K₂ᵀ)),  g = gy · [y > 0] when act is relu
    def forward(self, x, kernel, bias, strides, padding, dilation, relu):
        self.rank = x.ndim
        x4, k4 = _as_image(x), (kernel[None] if kernel.ndim == 3 else kernel)
        g, self.pads = _geometry(x4, k4, strides, padding, dilation)
        self.cols = _im2col(_pad(x4, self.pads), g.kh, g.kw, g.oh, g.ow, g.strides, g.dilation)
        self.k2 = k4.reshape(-1, k4.shape[3])
        y = self.cols @ self.k2
        if bias is not None:
            y = y + bias
        if relu:
            y = np.maximum(y, 0)
        self.y = y if relu else None
        self.geom, self.kshape, self.xshape = g, kernel.shape, x.shape
        y = y.reshape(x4.shape[0], g.oh, g.ow, -1)
        return y[:, 0] if self.rank == 3 else y

    def backward(self, gy):
        g = self.geom
        g2 = gy.reshape(-1, self.k2.shape[1])
        if self.y is not None:
            g2 = g2 * (self.y > 0)
        n, c = self.xshape[0], self.k2.shape[0] // (g.kh * g.kw)
        top, bottom, left, right = self.pads
        h, w = (1, self.xshape[1]) if self.rank == 3 else self.xshape[1:3]
        dxp = np.zeros((n, h + top + bottom, w + left + right, c), g2.dtype)
        dcols = (g2 @ self.k2.T).reshape(n, g.oh, g.ow, g.kh, g.kw, c)
        gx = _crop(_col2im(dcols, dxp, g.kh, g.kw, g.strides, g.dilation), self.pads, h, w).reshape(self.xshape)
        return gx, (self.cols.T @ g2).reshape(self.kshape), g2.sum(axis=0)


# --------------------------------------------------------------------------------------------- public API
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
    # decided here, where the graph is built: whether a backward can follow (Conv may then keep a small
    # cols), and whether x is a relu conv's output (Conv then applies that relu's derivative to dx)
    keep = is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in (x, kernel, bias))
    source = getattr(x, "_ctx", None)
    relu_input = isinstance(source, Conv) and source.y is not None
    y = Conv.apply(x, kernel, bias, strides=strides, padding=padding, dilation=dilation, relu=bool(relu),
                   keep=keep, relu_input=relu_input)
    return _from_channels_last(y, data_format, rank)

