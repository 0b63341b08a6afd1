"""ONNX translations of the ``keras.ops.nn`` convolution, pooling, space-to-depth, batch normalization and
sparsemax ops recorded on symbolic tensors (the table of ``onnx_ops.py``). Convolutions and pooling reuse
the layers' geometry (padding 'same' as Keras, average pooling leaving the padding out of the mean); a
kernel may be a constant or a symbolic tensor."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .onnx_conv import _channels_first, _channels_last, _padding
from .onnx_ops import F32, op, tensor
from .onnx_ops_image import is_channels_first
from .onnx_ops_shape import broadcast_param, static_size


def _tuple(c, key: str, rank: int, default=None) -> list:
    value = c[key] if c[key] is not None else default
    items = [value] * rank if isinstance(value, (int, np.integer)) else list(value)
    if len(items) != rank or not all(isinstance(v, (int, np.integer)) for v in items):
        raise c.refuse(f"{key} must be an int or {rank} ints, received {c[key]!r}")
    return [int(v) for v in items]


def _geometry(c):
    """(input Value, spatial rank, layout shim with data_format) of a conv/pool op call."""
    x = c.value("inputs")
    rank = x.rank - 2
    if rank not in (1, 2):
        raise c.refuse(f"expected inputs of rank 3 or 4, received shape {x.shape}")
    fmt = c["data_format"] or "channels_last"
    if c["padding"] not in ("valid", "same"):
        raise c.refuse(f"padding={c['padding']!r} is not translated")
    return x, rank, SimpleNamespace(data_format=fmt)


@op("max_pool", "average_pool")
def _pool(g, c):
    x, rank, layout = _geometry(c)
    pool = _tuple(c, "pool_size", rank)
    strides = _tuple(c, "strides", rank, default=pool) if c["strides"] is not None else pool
    average = c.name == "average_pool"
    pads = _padding(layout, x, pool, strides, [1] * rank, c["padding"])
    y = g.op("AveragePool" if average else "MaxPool", [_channels_first(g, layout, tensor(g, x, F32), rank)],
             kernel_shape=pool, strides=strides, count_include_pad=0 if average else None, **pads)
    return _channels_last(g, layout, y, rank)


def _kernel(g, c, key: str, rank: int, depthwise: bool) -> tuple:
    """(ONNX weight name, group, kernel size) of a conv kernel: (*k, in, out) → (out, in, *k); a depthwise
    (*k, in, m) → (in·m, 1, *k), one group per input channel."""
    kernel = c[key]
    shape = kernel.shape if hasattr(kernel, "shape") else np.shape(kernel)
    if any(d is None for d in shape):
        raise c.refuse(f"the shape of {key} must be known")
    w = tensor(g, kernel, F32)
    if depthwise:
        channels, multiplier = int(shape[-2]), int(shape[-1])
        w = g.reshape(w, list(shape[:rank]) + [channels * multiplier])
        return g.unsqueeze(g.op("Transpose", [w], perm=[rank] + list(range(rank))), [1]), channels, shape[:rank]
    return g.op("Transpose", [w], perm=[rank + 1, rank] + list(range(rank))), 1, shape[:rank]


@op("conv", "depthwise_conv", "separable_conv")
def _conv(g, c):
    # separable: the depthwise convolution (strides, dilation, padding), then a pointwise (1 × 1) one
    x, rank, layout = _geometry(c)
    strides = _tuple(c, "strides", rank)
    dilation = _tuple(c, "dilation_rate", rank)
    key = {"conv": "kernel", "depthwise_conv": "kernel", "separable_conv": "depthwise_kernel"}[c.name]
    w, group, size = _kernel(g, c, key, rank, depthwise=c.name != "conv")
    size = [int(d) for d in size]
    y = g.op("Conv", [_channels_first(g, layout, tensor(g, x, F32), rank), w], kernel_shape=size, strides=strides,
             dilations=dilation, group=group, **_padding(layout, x, size, strides, dilation, c["padding"]))
    if c.name == "separable_conv":
        w, _, size = _kernel(g, c, "pointwise_kernel", rank, depthwise=False)
        y = g.op("Conv", [y, w], kernel_shape=[int(d) for d in size])
    if c.args.get("bias") is not None:
        y = g.op("Add", [y, g.reshape(tensor(g, c["bias"], F32), [-1] + [1] * rank)])
    if c.args.get("relu"):
        y = g.op("Relu", [y])
    return _channels_last(g, layout, y, rank)


@op("conv_transpose")
def _conv_transpose(g, c):
    # as the Conv*DTranspose layers' translation: ONNX pads the full result by the op's padding before, and
    # output_padding supplies what the op's output has beyond it at the end; kernel (*k, out, in) → (in, out, *k)
    from ..ops.conv import conv_transpose_length

    x, rank, layout = _geometry(c)
    kernel = c["kernel"]
    shape = [int(d) for d in (kernel.shape if hasattr(kernel, "shape") else np.shape(kernel))]
    size, strides, dilation = shape[:rank], _tuple(c, "strides", rank), _tuple(c, "dilation_rate", rank)
    output_padding = None if c["output_padding"] is None else _tuple(c, "output_padding", rank)
    begins, ends, extra = [], [], []
    for a in range(rank):
        k, s, d = size[a], strides[a], dilation[a]
        out, before = conv_transpose_length(10, k, s, d, c["padding"],
                                            None if output_padding is None else output_padding[a])
        delta = out - ((10 - 1) * s + (k - 1) * d + 1) + before
        begins.append(before)
        extra.append(max(delta, 0))
        ends.append(max(-delta, 0))
    w = g.op("Transpose", [tensor(g, kernel, F32)], perm=[rank + 1, rank] + list(range(rank)))
    inputs = [_channels_first(g, layout, tensor(g, x, F32), rank), w]
    if c["bias"] is not None:
        inputs.append(tensor(g, c["bias"], F32))
    y = g.op("ConvTranspose", inputs, kernel_shape=size, strides=strides, dilations=dilation, pads=begins + ends,
             output_padding=extra if any(extra) else None)
    return _channels_last(g, layout, y, rank)


@op("adaptive_average_pool", "adaptive_max_pool")
def _adaptive_pool(g, c):
    # one spatial axis at a time: window j of n over length L covers [floor(j·L/n), ceil((j+1)·L/n)); the
    # windows are gathered as (n, longest) index rows, short ones repeating their first index, then maxed,
    # or summed with weights 1/count on their own entries and 0 on the repeats
    x = c.value("inputs")
    spatial = x.rank - 2
    first = 2 if is_channels_first(c, c["data_format"]) else 1
    sizes = _tuple(c, "output_size", spatial)
    y = tensor(g, x, F32)
    for i, n in enumerate(sizes):
        axis = first + i
        length = static_size(c, x, axis)
        bounds = [((j * length) // n, -((-(j + 1) * length) // n)) for j in range(n)]
        longest = max(stop - start for start, stop in bounds)
        index = np.array([[start + min(t, stop - start - 1) for t in range(longest)] for start, stop in bounds])
        y = g.op("Gather", [y, g.const(index.astype(np.int64))], axis=axis)
        if c.name == "adaptive_max_pool":
            y = g.reduce("ReduceMax", y, [axis + 1], False)
        else:
            weights = np.array([[1.0 / (stop - start) if t < stop - start else 0.0 for t in range(longest)]
                                for start, stop in bounds], np.float32)
            weights = weights.reshape([1] * axis + [n, longest] + [1] * (x.rank - axis - 1))
            y = g.reduce("ReduceSum", g.op("Mul", [y, g.const(weights)]), [axis + 1], False)
    return y


@op("sparsemax")
def _sparsemax(g, c):
    # sorted descending z, support = {j : z_j - (Σ_{i≤j} z_i - 1) / j > 0}, τ = (Σ_support z - 1) / |support|,
    # output max(x - τ, 0)
    x = c.value("x")
    axis = c.axis(c["axis"], x.rank)
    y = tensor(g, x, F32)
    n = x.shape[axis]
    if n is None:
        raise c.refuse(f"axis {axis} must have a known size")
    ordered = g.op("TopK", [y, g.ints([n])], outputs=2, axis=axis, largest=1, sorted=1)[0]
    ranks = np.arange(1, n + 1, dtype=np.float32).reshape([-1 if i == axis else 1 for i in range(x.rank)])
    cumulative = g.op("CumSum", [ordered, g.const(np.int64(axis))])
    bound = g.op("Div", [g.op("Sub", [cumulative, g.const(np.float32(1))]), g.const(ranks)])
    support = g.cast(g.op("Greater", [ordered, bound]), F32)
    k = g.reduce("ReduceSum", support, [axis], True)
    total = g.reduce("ReduceSum", g.op("Mul", [ordered, support]), [axis], True)
    tau = g.op("Div", [g.op("Sub", [total, g.const(np.float32(1))]), k])
    return g.op("Relu", [g.op("Sub", [y, tau])])


@op("depth_to_space", "space_to_depth")
def _depth_space(g, c):
    # ONNX's DepthToSpace (mode DCR) and SpaceToDepth order the channels as (row, column, depth), as the op
    x = c.value("x")
    first = is_channels_first(c, c["data_format"])
    y = c.tensor(x) if first else g.op("Transpose", [c.tensor(x)], perm=[0, 3, 1, 2])
    if c.name == "depth_to_space":
        y = g.op("DepthToSpace", [y], blocksize=int(c["block_size"]), mode="DCR")
    else:
        y = g.op("SpaceToDepth", [y], blocksize=int(c["block_size"]))
    return y if first else g.op("Transpose", [y], perm=[0, 2, 3, 1])


@op("batch_normalization")
def _batch_normalization(g, c):  # (x - mean) · scale / √(variance + ε) + offset
    x = c.value("x")
    axes = c.axes(c["axis"], x.rank)

    def param(key):
        return broadcast_param(g, c, c[key], x, axes)

    y = g.op("Sub", [tensor(g, x, F32), param("mean")])
    y = g.op("Div", [y, g.op("Sqrt", [g.op("Add", [param("variance"), g.const(np.float32(c["epsilon"]))])])])
    if c["scale"] is not None:
        y = g.op("Mul", [y, param("scale")])
    if c["offset"] is not None:
        y = g.op("Add", [y, param("offset")])
    return y
