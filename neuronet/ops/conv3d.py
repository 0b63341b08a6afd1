"""3-D convolution and pooling (volumes, videos): ``(batch, depth, height, width, channels)``.

The same method as the 2-D ops of ``conv.py``, one axis more: a convolution copies every window of
the padded volume into one row of ``cols`` ``(batch·od·oh·ow, kd·kh·kw·in)`` and multiplies by the
kernel seen as ``(kd·kh·kw·in, out)``; backward reuses ``cols`` for the kernel gradient and adds
``gy @ Kᵀ`` back onto the voxels it came from, one strided add per kernel offset. Pooling takes the
max or the mean over one strided view per window offset. Padding follows Keras/TensorFlow
(``conv_geometry``: 'same' pads ``⌈size / stride⌉`` outputs' worth, the odd voxel after).

Kernel layout (Keras's Conv3D): ``(kd, kh, kw, in, out)``; a PyTorch ``Conv3d.weight`` is
``kernel.transpose(4, 3, 0, 1, 2)``.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import Function, Tensor
from .conv import conv_geometry, normalize_data_format, normalize_padding, normalize_tuple

__all__ = ["conv3d", "max_pool3d", "average_pool3d"]


def _raw(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _geometry(spatial, window, strides, dilation, padding) -> tuple:
    """``(out sizes, pads)`` with ``pads = ((before, after), ...)`` per spatial axis."""
    dims = [conv_geometry(n, k, s, d, padding) for n, k, s, d in zip(spatial, window, strides, dilation)]
    return tuple(o for o, _, _ in dims), tuple((b, a) for _, b, a in dims)


def _pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    if not any(b or a for b, a in pads):
        return x
    return np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),), constant_values=value)


def _crop(xp: np.ndarray, pads, spatial) -> np.ndarray:
    index = (slice(None),) + tuple(slice(b, b + n) for (b, _), n in zip(pads, spatial)) + (slice(None),)
    return xp[index]


def _offset(offset, out, strides, dilation) -> tuple:
    """The index of the voxels kernel offset ``(i, j, l)`` touches in every window."""
    return (slice(None),) + tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                                  for o, n, s, d in zip(offset, out, strides, dilation)) + (slice(None),)


class Conv3D(Function):
    # y[n,a,b,c,f] = Σ_{i,j,l,ch} xp[n, a·s₀ + i·d₀, b·s₁ + j·d₁, c·s₂ + l·d₂, ch] · K[i,j,l,ch,f] + bias[f]
    #   as one GEMM:  y = cols @ K₂ + b,  cols = im2col(xp),  K₂ = K.reshape(kd·kh·kw·C, F)
    # backward:  dK = colsᵀ @ gy      db = Σ gy      dx = col2im(gy @ K₂ᵀ), cropped to the unpadded input
    def forward(self, x, kernel, bias, strides, padding, dilation):
        n, c = x.shape[0], x.shape[-1]
        window, f = kernel.shape[:3], kernel.shape[-1]
        out, pads = _geometry(x.shape[1:4], window, strides, dilation, padding)
        xp = _pad(x, pads)
        s = xp.strides
        view = as_strided(xp, (n,) + out + window + (c,),
                          (s[0],) + tuple(s[1 + a] * strides[a] for a in range(3))
                          + tuple(s[1 + a] * dilation[a] for a in range(3)) + (s[4],), writeable=False)
        rows = n * int(np.prod(out))
        cols = np.ascontiguousarray(view).reshape(rows, -1)
        k2 = kernel.reshape(-1, f)
        y = cols @ k2
        if bias is not None:
            y += bias
        self.cols, self.k2, self.kshape, self.xshape, self.pshape = cols, k2, kernel.shape, x.shape, xp.shape
        self.geom = (out, pads, window, strides, dilation)
        return y.reshape((n,) + out + (f,))

    def backward(self, gy):
        out, pads, window, strides, dilation = self.geom
        f = gy.shape[-1]
        g2 = gy.reshape(-1, f)
        need_x, need_k = self.needs_input_grad[0], self.needs_input_grad[1]
        need_b = len(self.needs_input_grad) > 2 and self.needs_input_grad[2]
        gk = (self.cols.T @ g2).reshape(self.kshape) if need_k else None
        gb = g2.sum(axis=0) if need_b else None
        gx = None
        if need_x:
            n, c = self.xshape[0], self.xshape[-1]
            dcols = (g2 @ self.k2.T).reshape((n,) + out + tuple(window) + (c,))
            dxp = np.zeros(self.pshape, gy.dtype)
            for offset in itertools.product(*(range(k) for k in window)):
                dxp[_offset(offset, out, strides, dilation)] += dcols[(slice(None),) * 4 + offset]
            gx = np.ascontiguousarray(_crop(dxp, pads, self.xshape[1:4]))
        return gx, gk, gb


class MaxPool3D(Function):
    # y[n,a,b,c,ch] = max over the window of xp (padded with -inf)
    # dx: gy goes to the first voxel of each window reaching the max
    def forward(self, x, pool, strides, padding):
        out, pads = _geometry(x.shape[1:4], pool, strides, (1, 1, 1), padding)
        xp = _pad(x, pads, -np.inf)
        offsets = list(itertools.product(*(range(p) for p in pool)))
        y = xp[_offset(offsets[0], out, strides, (1, 1, 1))].copy()
        arg = np.zeros(y.shape, np.int32)
        for k, offset in enumerate(offsets[1:], 1):
            v = xp[_offset(offset, out, strides, (1, 1, 1))]
            beats = v > y  # strict: a tie keeps the first maximum
            arg[beats] = k
            np.maximum(y, v, out=y)
        self.arg, self.offsets, self.pads, self.pshape, self.xshape = arg, offsets, pads, xp.shape, x.shape
        self.geom = (out, strides)
        return y

    def backward(self, gy):
        out, strides = self.geom
        dxp = np.zeros(self.pshape, gy.dtype)
        for k, offset in enumerate(self.offsets):
            dxp[_offset(offset, out, strides, (1, 1, 1))] += gy * (self.arg == k)
        return np.ascontiguousarray(_crop(dxp, self.pads, self.xshape[1:4]))


class AveragePool3D(Function):
    # y = Σ_window xp / count    (count: the real, unpadded voxels of each window, as Keras/TensorFlow)
    # dx(window) += gy / count
    def forward(self, x, pool, strides, padding):
        out, pads = _geometry(x.shape[1:4], pool, strides, (1, 1, 1), padding)
        xp = _pad(x, pads)
        offsets = list(itertools.product(*(range(p) for p in pool)))
        y = np.zeros((x.shape[0],) + out + (x.shape[-1],), x.dtype)
        for offset in offsets:
            y += xp[_offset(offset, out, strides, (1, 1, 1))]
        if any(b or a for b, a in pads):
            ones = _pad(np.ones((1,) + x.shape[1:4] + (1,), x.dtype), pads)
            count = sum(ones[_offset(o, out, strides, (1, 1, 1))] for o in offsets)
            scale = 1.0 / count
        else:
            scale = 1.0 / len(offsets)
        y *= scale
        self.scale, self.offsets, self.pads, self.pshape, self.xshape = scale, offsets, pads, xp.shape, x.shape
        self.geom = (out, strides)
        return y

    def backward(self, gy):
        out, strides = self.geom
        g = gy * self.scale
        dxp = np.zeros(self.pshape, gy.dtype)
        for offset in self.offsets:
            dxp[_offset(offset, out, strides, (1, 1, 1))] += g
        return np.ascontiguousarray(_crop(dxp, self.pads, self.xshape[1:4]))


# --------------------------------------------------------------------------------------------- public API
def _channels_last(name: str, x, data_format):
    shape = tuple(np.shape(_raw(x)))
    if len(shape) != 5:
        raise ValueError(f"{name}: expected inputs of rank 5 (batch, depth, height, width, channels), received shape "
                         f"{shape}")
    if normalize_data_format(data_format, name) == "channels_first":
        from .manipulation import transpose

        return transpose(x, (0, 2, 3, 4, 1)), True
    return x, False


def _back(y, channels_first: bool):
    if channels_first:
        from .manipulation import transpose

        return transpose(y, (0, 4, 1, 2, 3))
    return y


def _check_fits(name: str, spatial, window, dilation, padding) -> None:
    if padding == "valid" and any((k - 1) * d + 1 > n for n, k, d in zip(spatial, window, dilation)):
        raise ValueError(f"{name}: the window {tuple(window)} (dilation {tuple(dilation)}) is larger than the input's "
                         f"spatial shape {tuple(spatial)} with padding='valid'; use padding='same' or a smaller window")


def conv3d(inputs, kernel, strides=1, padding: str = "valid", data_format: str | None = None, dilation_rate=1,
           bias=None) -> Tensor:
    """3-D convolution (a cross-correlation), as ``keras.ops.conv`` on 5-D inputs.

    Args:
        inputs: ``(batch, depth, height, width, channels)`` (channels after the batch axis with
            ``data_format='channels_first'``).
        kernel: ``(kd, kh, kw, in, out)``.
        strides: int or 3 ints. Defaults to 1.
        padding: ``'valid'`` or ``'same'`` (``out = ceil(in / stride)``). Defaults to ``'valid'``.
        data_format: ``'channels_last'`` (default, also for None) or ``'channels_first'``.
        dilation_rate: int or 3 ints, the spacing between kernel taps. Defaults to 1.
        bias: optional ``(out,)`` vector added to every output voxel (fused).

    Returns:
        A Tensor ``(batch, out_d, out_h, out_w, out)``.

    Example::

        >>> ops.conv3d(np.ones((1, 4, 4, 4, 1)), np.ones((2, 2, 2, 1, 3))).shape
        (1, 3, 3, 3, 3)
    """
    padding = normalize_padding(padding, "conv3d")
    strides = normalize_tuple(strides, 3, "strides", "conv3d")
    dilation = normalize_tuple(dilation_rate, 3, "dilation_rate", "conv3d")
    x, first = _channels_last("conv3d", inputs, data_format)
    xs, ks = tuple(np.shape(_raw(x))), tuple(np.shape(_raw(kernel)))
    if len(ks) != 5 or ks[3] != xs[-1]:
        raise ValueError(f"conv3d: expected a kernel (kd, kh, kw, {xs[-1]}, out) for inputs of shape {xs}, received "
                         f"kernel shape {ks}")
    _check_fits("conv3d", xs[1:4], ks[:3], dilation, padding)
    return _back(Conv3D.apply(x, kernel, bias, strides=strides, padding=padding, dilation=dilation), first)


def _pool3d(cls, name, inputs, pool_size, strides, padding, data_format) -> Tensor:
    pool = normalize_tuple(pool_size, 3, "pool_size", name)
    strides = pool if strides is None else normalize_tuple(strides, 3, "strides", name)
    padding = normalize_padding(padding, name)
    x, first = _channels_last(name, inputs, data_format)
    _check_fits(name, np.shape(_raw(x))[1:4], pool, (1, 1, 1), padding)
    return _back(cls.apply(x, pool=pool, strides=strides, padding=padding), first)


def max_pool3d(inputs, pool_size, strides=None, padding: str = "valid", data_format: str | None = None) -> Tensor:
    """3-D max pooling, as ``keras.ops.max_pool`` on 5-D inputs: the largest value of every window.

    Args:
        inputs: ``(batch, depth, height, width, channels)``.
        pool_size: int or 3 ints.
        strides: int or 3 ints; defaults to None, meaning ``pool_size``.
        padding: ``'valid'`` or ``'same'`` (padding never wins the max). Defaults to ``'valid'``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.

    Returns:
        A Tensor ``(batch, out_d, out_h, out_w, channels)``; the gradient flows to the first maximum
        of each window.
    """
    return _pool3d(MaxPool3D, "max_pool3d", inputs, pool_size, strides, padding, data_format)


def average_pool3d(inputs, pool_size, strides=None, padding: str = "valid", data_format: str | None = None) -> Tensor:
    """3-D average pooling, as ``keras.ops.average_pool`` on 5-D inputs. Args as :func:`max_pool3d`;
    with ``padding='same'`` each mean is over the window's real voxels only (as Keras/TensorFlow)."""
    return _pool3d(AveragePool3D, "average_pool3d", inputs, pool_size, strides, padding, data_format)
