"""ONNX converters of the convolution and pooling layers.

ONNX convolves channels-first tensors, so a channels-last input is transposed to ``(batch, channels,
*spatial)`` and back; the graph builder cancels a transpose back followed by a transpose forth, so a
chain of convolutions and poolings stays channels-first in between. Elementwise activations run
before the transpose back. Padding is Keras's: 'same' pads ``total // 2`` before and the rest after
(explicit ``pads`` when the size is known or the stride is 1, else ``auto_pad='SAME_UPPER'``, the
same rule); Conv1D's 'causal' pads ``(kernel - 1) · dilation`` before.

Kernels, from Keras layouts to ONNX's ``(out, in / group, *k)``:

    Conv           (*k, in/groups, filters)   → transpose to (filters, in/groups, *k)
    Depthwise      (*k, in, multiplier)       → (in·multiplier, 1, *k), group = in
    ConvTranspose  (*k, filters, in)          → (in, filters, *k)
"""

from __future__ import annotations

import numpy as np

from .. import layers as L
from ..ops.conv import conv_geometry, conv_transpose_length
from .onnx_activations import ELEMENTWISE, activation_name, apply_activation
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float, glu_shape, out_value, weight
from .onnx_convert import converts

_CONV = (L.Conv1D, L.Conv2D, L.Conv3D)
_TRANSPOSE = (L.Conv1DTranspose, L.Conv2DTranspose)
_DEPTHWISE = (L.DepthwiseConv1D, L.DepthwiseConv2D)
_SEPARABLE = (L.SeparableConv1D, L.SeparableConv2D)


def _channels_first(g: Graph, layer, x: str, rank: int) -> str:
    if getattr(layer, "data_format", "channels_last") == "channels_first":
        return x
    return g.transpose(x, [0, rank + 1] + list(range(1, rank + 1)))


def _channels_last(g: Graph, layer, y: str, rank: int) -> str:
    if getattr(layer, "data_format", "channels_last") == "channels_first":
        return y
    return g.transpose(y, [0] + list(range(2, rank + 2)) + [1])


def _spatial(layer, x: Value) -> list:
    return list(x.shape[1:-1] if getattr(layer, "data_format", "channels_last") == "channels_last" else x.shape[2:])


def _padding(layer, x: Value, kernel, strides, dilation, padding: str) -> dict:
    """``pads`` (begins then ends) or ``auto_pad`` for Keras's padding along each spatial axis."""
    if padding == "valid":
        return {"pads": [0] * (2 * len(kernel))}
    if padding == "causal":
        return {"pads": [(kernel[0] - 1) * dilation[0], 0]}
    before, after = [], []
    for size, k, s, d in zip(_spatial(layer, x), kernel, strides, dilation):
        if size is None and s != 1:
            return {"auto_pad": "SAME_UPPER"}
        _, b, a = conv_geometry(size if size is not None else 1000, k, s, d, "same")
        before.append(b)
        after.append(a)
    return {"pads": before + after}


def _finish(g: Graph, layer, x: Value, y: str, rank: int) -> Value:
    """Bias already added; the activation (before the transpose back when elementwise), channels last."""
    act = activation_name(layer, layer.activation)
    if act in ELEMENTWISE:
        y = _channels_last(g, layer, apply_activation(g, act, y), rank)
    else:
        axis = -1 if layer.data_format == "channels_last" else 1
        y = apply_activation(g, act, _channels_last(g, layer, y, rank), axis=axis)
        return glu_shape(out_value(g, layer, x, y), act, axis)
    return out_value(g, layer, x, y)


def _depthwise_kernel(kernel: np.ndarray) -> np.ndarray:
    # (*k, in, m) → (in·m, 1, *k): output channel c·m + j is input channel c under kernel[..., c, j]
    r = kernel.ndim - 2
    flat = kernel.reshape(kernel.shape[:r] + (-1,))
    return np.transpose(flat, [r] + list(range(r)))[:, None]


@converts(*_CONV)
def _conv(g, layer, x):
    rank = layer.rank
    kernel = weight(layer, "kernel")
    w = np.transpose(kernel, [rank + 1, rank] + list(range(rank)))
    inputs = [_channels_first(g, layer, as_float(g, x), rank), g.const(w, hint=f"{layer.name}/kernel")]
    if weight(layer, "bias") is not None:
        inputs.append(g.const(weight(layer, "bias"), hint=f"{layer.name}/bias"))
    y = g.op("Conv", inputs, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
             dilations=list(layer.dilation_rate), group=int(layer.groups),
             **_padding(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate, layer.padding))
    return _finish(g, layer, x, y, rank)


@converts(*_DEPTHWISE)
def _depthwise(g, layer, x):
    rank = layer.rank
    kernel = weight(layer, "kernel")
    inputs = [_channels_first(g, layer, as_float(g, x), rank),
              g.const(_depthwise_kernel(kernel), hint=f"{layer.name}/kernel")]
    if weight(layer, "bias") is not None:
        inputs.append(g.const(weight(layer, "bias"), hint=f"{layer.name}/bias"))
    y = g.op("Conv", inputs, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
             dilations=list(layer.dilation_rate), group=int(kernel.shape[-2]),
             **_padding(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate, layer.padding))
    return _finish(g, layer, x, y, rank)


@converts(*_SEPARABLE)
def _separable(g, layer, x):
    # a depthwise convolution (no bias), then a pointwise (size-1) convolution with the bias
    rank = layer.rank
    depthwise = weight(layer, "depthwise_kernel")
    y = g.op("Conv", [_channels_first(g, layer, as_float(g, x), rank),
                      g.const(_depthwise_kernel(depthwise), hint=f"{layer.name}/depthwise_kernel")],
             kernel_shape=list(layer.kernel_size), strides=list(layer.strides), dilations=list(layer.dilation_rate),
             group=int(depthwise.shape[-2]),
             **_padding(layer, x, layer.kernel_size, layer.strides, layer.dilation_rate, layer.padding))
    pointwise = weight(layer, "pointwise_kernel")
    inputs = [y, g.const(np.transpose(pointwise, [rank + 1, rank] + list(range(rank))),
                         hint=f"{layer.name}/pointwise_kernel")]
    if weight(layer, "bias") is not None:
        inputs.append(g.const(weight(layer, "bias"), hint=f"{layer.name}/bias"))
    y = g.op("Conv", inputs, kernel_shape=[1] * rank)
    return _finish(g, layer, x, y, rank)


@converts(*_TRANSPOSE)
def _conv_transpose(g, layer, x):
    # ONNX: out = stride·(in - 1) + output_padding + k_eff - pad_begin - pad_end. The layer's output
    # (its size minus stride·(in - 1) + k_eff does not depend on `in`) starts pad_before into the
    # full result, so whatever it lacks at the end comes from output_padding (zeros + bias).
    rank = layer.rank
    pads_begin, pads_end, extra = [], [], []
    for a in range(rank):
        k, s, d = layer.kernel_size[a], layer.strides[a], layer.dilation_rate[a]
        op = None if layer.output_padding is None else layer.output_padding[a]
        size = 10
        out, before = conv_transpose_length(size, k, s, d, layer.padding, op)
        delta = out - ((size - 1) * s + (k - 1) * d + 1)
        pads_begin.append(before)
        if delta + before >= 0:
            extra.append(delta + before)
            pads_end.append(0)
        else:
            extra.append(0)
            pads_end.append(-(delta + before))
    kernel = weight(layer, "kernel")
    inputs = [_channels_first(g, layer, as_float(g, x), rank),
              g.const(np.transpose(kernel, [rank + 1, rank] + list(range(rank))), hint=f"{layer.name}/kernel")]
    if weight(layer, "bias") is not None:
        inputs.append(g.const(weight(layer, "bias"), hint=f"{layer.name}/bias"))
    y = g.op("ConvTranspose", inputs, kernel_shape=list(layer.kernel_size), strides=list(layer.strides),
             dilations=list(layer.dilation_rate), pads=pads_begin + pads_end,
             output_padding=extra if any(extra) else None)
    return _finish(g, layer, x, y, rank)


# ----------------------------------------------------------------------------- pooling
_AVERAGE = (L.AveragePooling1D, L.AveragePooling2D, L.AveragePooling3D)


@converts(L.MaxPooling1D, L.MaxPooling2D, L.MaxPooling3D, *_AVERAGE)
def _pool(g, layer, x):
    # 'same' average pooling leaves the padding out of the mean (count_include_pad=0), as the layer
    rank = layer.rank
    average = isinstance(layer, _AVERAGE)
    pads = _padding(layer, x, layer.pool_size, layer.strides, (1,) * rank, layer.padding)
    y = g.op("AveragePool" if average else "MaxPool", [_channels_first(g, layer, as_float(g, x), rank)],
             kernel_shape=list(layer.pool_size), strides=list(layer.strides),
             count_include_pad=0 if average else None, **pads)
    return out_value(g, layer, x, _channels_last(g, layer, y, rank))


@converts(L.GlobalAveragePooling1D, masks=True)
def _global_average_1d(g, layer, x):
    # with a mask: Σ x·m / max(Σ m, 1) over the unmasked steps
    axes = [1] if layer.data_format == "channels_last" else [2]
    y = as_float(g, x)
    if x.mask is None:
        return out_value(g, layer, x, g.reduce("ReduceMean", y, axes, layer.keepdims))
    m = g.cast(g.unsqueeze(x.mask, [2] if layer.data_format == "channels_last" else [1]), np.float32)
    total = g.reduce("ReduceSum", g.op("Mul", [y, m]), axes, layer.keepdims)
    count = g.op("Max", [g.reduce("ReduceSum", m, axes, layer.keepdims), g.const(1.0)])
    return out_value(g, layer, x, g.op("Div", [total, count]))


@converts(L.GlobalAveragePooling2D, L.GlobalAveragePooling3D, L.GlobalMaxPooling1D, L.GlobalMaxPooling2D,
          L.GlobalMaxPooling3D)
def _global_pool(g, layer, x):
    op = "ReduceMean" if isinstance(layer, (L.GlobalAveragePooling2D, L.GlobalAveragePooling3D)) else "ReduceMax"
    first = 1 if layer.data_format == "channels_last" else 2
    y = g.reduce(op, as_float(g, x), list(range(first, first + layer.rank)), layer.keepdims)
    return Value(y, tuple(layer.compute_output_shape(x.shape)), F32)
