"""Normalization: batch and layer normalization, each one fused op with its closed-form backward.

With ``x̂ = (x - μ) / √(σ² + ε)`` and ``y = γ·x̂ + β``, the gradient of a statistic-normalizing op
through its own mean and variance collapses to one expression (m = number of values averaged):

    dx = (1/√(σ² + ε)) · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)),      dx̂ = γ · gy

so backward touches the input a handful of times instead of differentiating each primitive.
Variances are biased (divided by m), as in Keras (``keras.ops.moments``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function, Tensor

__all__ = ["moments", "batch_normalization", "layer_normalization", "fused_batch_normalization"]


def _param_shape(ndim: int, axes: tuple, shape: tuple) -> tuple:
    """Shape that broadcasts a parameter over ``axes`` (kept) of an array of rank ``ndim``."""
    return tuple(shape[a] if a in axes else 1 for a in range(ndim))


def _axes(axis, ndim: int, name: str) -> tuple:
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= int(a) < ndim:
            raise ValueError(f"{name}: axis {a} is out of range for an input of rank {ndim}")
        out.append(int(a) % ndim)
    return tuple(sorted(set(out)))


def _raw(x):
    return None if x is None else (x.data if isinstance(x, Tensor) else np.asarray(x))


class Moments(Function):
    # μ = mean(x over axes),  σ² = mean((x - μ)² over axes)       (biased, as Keras)
    # dx = gμ / m + gσ² · 2 (x - μ) / m
    def forward(self, x, axes, keepdims):
        self.mean = x.mean(axis=axes, keepdims=True)
        self.xc = x - self.mean
        var = np.mean(self.xc * self.xc, axis=axes, keepdims=True)
        self.m = x.size // max(var.size, 1)
        self.kshape = var.shape
        if not keepdims:
            return np.squeeze(self.mean, axis=axes), np.squeeze(var, axis=axes)
        return self.mean, var

    def backward(self, gys):
        gm, gv = (g.reshape(self.kshape) for g in gys)
        return gm * (1.0 / self.m) + self.xc * (gv * (2.0 / self.m))


class BatchNorm(Function):
    # y = (x - μ) · γ / √(σ² + ε) + β          (μ, σ² given: moving averages or user statistics)
    # dx = gy·γ·r     dμ = -Σ gy·γ·r     dσ² = -½ Σ gy·γ·(x - μ)·r³     dγ = Σ gy·(x - μ)·r     dβ = Σ gy
    #   where r = 1 / √(σ² + ε) and Σ runs over every axis but the normalized one
    def forward(self, x, mean, variance, offset, scale, axes, epsilon):
        pshape = _param_shape(x.ndim, axes, x.shape)
        self.shapes = [None if p is None else p.shape for p in (mean, variance, offset, scale)]
        mean, variance = mean.reshape(pshape), variance.reshape(pshape)
        r = 1.0 / np.sqrt(variance + epsilon)
        a = r if scale is None else r * scale.reshape(pshape)
        b = -mean * a if offset is None else offset.reshape(pshape) - mean * a
        self.x, self.mean, self.r, self.a, self.scale = x, mean, r, a, scale
        self.raxes = tuple(i for i in range(x.ndim) if i not in axes)
        y = x * a
        y += b
        return y

    def backward(self, gy):
        need = self.needs_input_grad + (False,) * (5 - len(self.needs_input_grad))
        gx = gmean = gvar = goffset = gscale = None
        raxes = self.raxes
        if need[0]:
            gx = gy * self.a
        if need[2] or need[4] or need[1]:
            gxc = np.sum(gy * (self.x - self.mean), axis=raxes, keepdims=True)  # Σ gy·(x - μ)
            if need[4]:
                gscale = (gxc * self.r).reshape(self.shapes[3])
            if need[2]:
                gvar = (-0.5 * gxc * self.a * self.r * self.r).reshape(self.shapes[1])
        if need[1]:
            gmean = (-np.sum(gy, axis=raxes, keepdims=True) * self.a).reshape(self.shapes[0])
        if need[3]:
            goffset = np.sum(gy, axis=raxes).reshape(self.shapes[2])
        return gx, gmean, gvar, goffset, gscale


class FusedBatchNorm(Function):
    # Training-mode batch norm: statistics of this batch, then normalize; outputs (y, μ, σ²).
    # dx = r · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) + gμ/m + gσ²·2(x - μ)/m,    dx̂ = gy · γ
    # dγ = Σ gy · x̂,   dβ = Σ gy
    def forward(self, x, offset, scale, axes, epsilon):
        self.raxes = tuple(i for i in range(x.ndim) if i not in axes)
        mean = x.mean(axis=self.raxes, keepdims=True)
        xhat = x - mean
        var = np.mean(xhat * xhat, axis=self.raxes, keepdims=True)
        r = 1.0 / np.sqrt(var + epsilon)
        xhat *= r
        y = xhat * scale.reshape(r.shape) if scale is not None else xhat.copy()
        if offset is not None:
            y += offset.reshape(r.shape)
        self.xhat, self.r, self.scale, self.m = xhat, r, scale, x.size // r.size
        self.pshape = None if scale is None and offset is None else (scale if scale is not None else offset).shape
        vec = tuple(x.shape[a] for a in axes)
        return y, mean.reshape(vec), var.reshape(vec)

    def backward(self, gys):
        gy, gmean, gvar = gys
        xhat, r, raxes, m = self.xhat, self.r, self.raxes, self.m
        gx = goffset = gscale = None
        gsum = np.sum(gy, axis=raxes, keepdims=True)
        gdot = np.sum(gy * xhat, axis=raxes, keepdims=True)
        if self.needs_input_grad[1]:
            goffset = gsum.reshape(self.pshape)
        if self.needs_input_grad[2]:
            gscale = gdot.reshape(self.pshape)
        if self.needs_input_grad[0]:
            gamma = 1.0 if self.scale is None else self.scale.reshape(r.shape)
            # mean(dx̂) = γ·Σgy/m and mean(dx̂·x̂) = γ·Σ(gy·x̂)/m, so dx = γ·r·(gy - Σgy/m - x̂·Σ(gy·x̂)/m)
            gx = xhat * (gdot * (-1.0 / m))
            gx += gy
            gx -= gsum * (1.0 / m)
            gx *= gamma * r
            if gmean.any() or gvar.any():
                gx += gmean.reshape(r.shape) * (1.0 / m) + xhat * (gvar.reshape(r.shape) * (2.0 / m) / r)
        return gx, goffset, gscale


class LayerNorm(Function):
    # x̂ = (x - μ) / √(σ² + ε) with μ, σ² over `axes` of each sample;  y = γ·x̂ + β
    # dx = r · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) over `axes`,  dx̂ = gy · γ
    # dγ = Σ gy · x̂,  dβ = Σ gy   (Σ over the other axes)
    def forward(self, x, gamma, beta, axes, epsilon):
        mean = x.mean(axis=axes, keepdims=True)
        xhat = x - mean
        var = np.mean(xhat * xhat, axis=axes, keepdims=True)
        r = 1.0 / np.sqrt(var + epsilon)
        xhat *= r
        pshape = _param_shape(x.ndim, axes, x.shape)
        y = xhat * gamma.reshape(pshape) if gamma is not None else xhat.copy()
        if beta is not None:
            y += beta.reshape(pshape)
        self.xhat, self.r, self.axes, self.gamma, self.pshape = xhat, r, axes, gamma, pshape
        self.beta_shape = None if beta is None else beta.shape
        self.oaxes = tuple(i for i in range(x.ndim) if i not in axes)
        return y

    def backward(self, gy):
        xhat, r, axes = self.xhat, self.r, self.axes
        gx = ggamma = gbeta = None
        if self.needs_input_grad[1]:
            ggamma = np.sum(gy * xhat, axis=self.oaxes).reshape(self.gamma.shape)
        if self.needs_input_grad[2]:
            gbeta = np.sum(gy, axis=self.oaxes).reshape(self.beta_shape)
        if self.needs_input_grad[0]:
            dxhat = gy * self.gamma.reshape(self.pshape) if self.gamma is not None else gy
            gx = dxhat - dxhat.mean(axis=axes, keepdims=True)
            gx -= xhat * np.mean(dxhat * xhat, axis=axes, keepdims=True)
            gx *= r
        return gx, ggamma, gbeta


def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    """Mean and (biased) variance of ``x`` over ``axes``, as ``keras.ops.moments``.

    Args:
        x: input tensor.
        axes: int or list of ints, the axes to reduce.
        keepdims: keep the reduced axes with size 1. Defaults to False.
        synchronized: accepted for Keras compatibility (single device: no effect).

    Returns:
        ``(mean, variance)``, both differentiable.
    """
    ndim = np.ndim(_raw(x))
    return Moments.apply(x, axes=_axes(axes, ndim, "moments"), keepdims=bool(keepdims))


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None, epsilon: float = 1e-3) -> Tensor:
    """Normalize ``x`` with given statistics, as ``keras.ops.batch_normalization``.

    ``y = (x - mean) · scale / sqrt(variance + epsilon) + offset``, differentiable with respect to
    every argument.

    Args:
        x: input tensor.
        mean, variance: vectors of length ``x.shape[axis]``.
        axis: the axis of the features (the one not normalized over).
        offset: optional vector β added after scaling. Defaults to None.
        scale: optional vector γ. Defaults to None.
        epsilon: added to the variance for numerical stability. Defaults to 1e-3.

    Returns:
        A Tensor of ``x``'s shape.
    """
    raw = _raw(x)
    axes = _axes(axis, raw.ndim, "batch_normalization")
    size = raw.shape[axes[0]]
    for name, p in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        if p is not None and np.size(_raw(p)) != size:
            raise ValueError(f"batch_normalization: `{name}` must have {size} values (x.shape[{axis}]), "
                             f"received shape {np.shape(_raw(p))}")
    return BatchNorm.apply(x, mean, variance, offset, scale, axes=axes, epsilon=float(epsilon))


def fused_batch_normalization(x, offset=None, scale=None, axis: int = -1, epsilon: float = 1e-3):
    """Batch normalization in training mode: normalize with this batch's own statistics.

    Equal to ``batch_normalization(x, *moments(x, other_axes), axis, offset, scale, epsilon)``
    but one op with the closed-form backward.

    Args:
        x: input tensor.
        offset, scale: optional vectors of length ``x.shape[axis]`` (β and γ).
        axis: the feature axis. Defaults to -1.
        epsilon: defaults to 1e-3.

    Returns:
        ``(y, batch_mean, batch_variance)``; the variance is biased (divided by the count), as in Keras.
    """
    raw = _raw(x)
    axes = _axes(axis, raw.ndim, "fused_batch_normalization")
    return FusedBatchNorm.apply(x, offset, scale, axes=axes, epsilon=float(epsilon))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon: float = 1e-3) -> Tensor:
    """Layer normalization, as ``keras.ops.layer_normalization``: each sample normalized over ``axis``.

    ``y = gamma · (x - mean) / sqrt(var + epsilon) + beta`` with mean and (biased) variance taken over
    ``axis`` of each sample separately.

    Args:
        x: input tensor.
        gamma: optional scale, shaped like ``x.shape[axis]``. Defaults to None.
        beta: optional offset, shaped like ``x.shape[axis]``. Defaults to None.
        axis: int or list of ints to normalize over. Defaults to -1.
        epsilon: defaults to 1e-3.

    Returns:
        A Tensor of ``x``'s shape.
    """
    raw = _raw(x)
    axes = _axes(axis, raw.ndim, "layer_normalization")
    return LayerNorm.apply(x, gamma, beta, axes=axes, epsilon=float(epsilon))
