"""ONNX converters of the core, activation, regularization, normalization, embedding, masking and
reshaping layers. Weights are read through each layer's public attributes and config (Keras layouts).

Dropout and the other noise layers are the identity at inference, as in ``predict``.
"""

from __future__ import annotations

import numpy as np

from .. import layers as L
from .onnx_activations import activation_name, apply_activation
from .onnx_graph import INT_MAX, Graph, Value
from .onnx_convert import converts, refuse

F32 = np.dtype(np.float32)


def out_value(g: Graph, layer, x: Value, name: str, dtype=F32) -> Value:
    """The Value ``name`` holding ``layer``'s output for input ``x`` (static shape from the layer)."""
    shape = tuple(layer.compute_output_shape(tuple(x.shape)))
    return Value(name, shape, np.dtype(dtype))


def weight(layer, attr: str):
    """A weight of ``layer`` as a float ndarray (None when the layer has none by that name)."""
    w = getattr(layer, attr, None)
    return None if w is None else np.asarray(getattr(w, "data", w))


def as_float(g: Graph, x: Value) -> str:
    """``x`` as float32 (integer inputs such as uint8 images are cast, as the layers do)."""
    return x.name if x.dtype.kind == "f" else g.cast(x.name, np.float32)


# ----------------------------------------------------------------------------- identity at inference
_IDENTITY = [L.InputLayer, L.Identity, L.Dropout, L.SpatialDropout1D, L.SpatialDropout2D, L.SpatialDropout3D,
             L.GaussianNoise, L.GaussianDropout, L.ActivityRegularization]


@converts(*_IDENTITY)
def _identity(g, layer, x):
    return x


# ----------------------------------------------------------------------------- core
@converts(L.Dense)
def _dense(g, layer, x):
    # y = activation(x · kernel + bias), kernel (in, units)
    act = activation_name(layer, layer.activation)
    y = g.op("MatMul", [as_float(g, x), g.const(weight(layer, "kernel"), hint=f"{layer.name}/kernel")])
    if weight(layer, "bias") is not None:
        y = g.op("Add", [y, g.const(weight(layer, "bias"), hint=f"{layer.name}/bias")])
    return glu_shape(out_value(g, layer, x, apply_activation(g, act, y, axis=-1)), act)


def glu_shape(value: Value, act: str, axis: int = -1) -> Value:
    """``value`` with the static shape a 'glu' activation gives (half the axis), else unchanged."""
    if act != "glu" or value.shape[axis] is None:
        return value
    shape = list(value.shape)
    shape[axis] //= 2
    return value.with_(shape=tuple(shape))


@converts(L.Activation)
def _activation(g, layer, x):
    act = activation_name(layer, layer.activation)
    return glu_shape(x.with_(name=apply_activation(g, act, as_float(g, x), axis=-1), dtype=F32), act)


@converts(L.ReLU)
def _relu(g, layer, x):
    # max_value if x >= max_value; x if threshold <= x; negative_slope · (x - threshold) otherwise
    y = as_float(g, x)
    if layer.negative_slope == 0.0 and layer.threshold == 0.0:
        y = g.op("Relu", [y])
    else:
        below = g.op("Less", [y, g.const(layer.threshold)])
        scaled = g.op("Mul", [g.op("Sub", [y, g.const(layer.threshold)]), g.const(layer.negative_slope)])
        y = g.op("Where", [below, scaled, y])
    if layer.max_value is not None:
        y = g.op("Min", [y, g.const(layer.max_value)])
    return x.with_(name=y, dtype=F32)


@converts(L.LeakyReLU)
def _leaky_relu(g, layer, x):
    return x.with_(name=g.op("LeakyRelu", [as_float(g, x)], alpha=float(layer.negative_slope)), dtype=F32)


@converts(L.ELU)
def _elu(g, layer, x):
    return x.with_(name=g.op("Elu", [as_float(g, x)], alpha=float(layer.alpha)), dtype=F32)


@converts(L.PReLU)
def _prelu(g, layer, x):
    # max(0, x) + alpha · min(0, x); alpha has the sample shape (1 on shared axes)
    return x.with_(name=g.op("PRelu", [as_float(g, x), g.const(weight(layer, "alpha"))]), dtype=F32)


@converts(L.Softmax, masks=True)
def _softmax(g, layer, x):
    # masked positions get a -1e9 logit (probability 0), as the layer does
    y = as_float(g, x)
    if x.mask is not None:
        mask = g.where_mask(x.mask, 2, x.rank)
        y = g.op("Add", [y, g.op("Where", [mask, g.const(0.0), g.const(-1e9)])])
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    if len(axes) == 1:
        return x.with_(name=g.op("Softmax", [y], axis=int(axes[0])), dtype=F32, mask=None)
    # several axes: exp(x - max) / Σ exp(x - max)
    shifted = g.op("Sub", [y, g.reduce("ReduceMax", y, axes, True)])
    e = g.op("Exp", [shifted])
    return x.with_(name=g.op("Div", [e, g.reduce("ReduceSum", e, axes, True)]), dtype=F32, mask=None)


# ----------------------------------------------------------------------------- normalization
def _broadcast_shape(rank: int, axes, sizes) -> list:
    shape = [1] * rank
    for a, s in zip(axes, sizes):
        shape[a] = s
    return shape


@converts(L.BatchNormalization, masks=True)
def _batch_norm(g, layer, x):
    # inference: y = (x - moving_mean) · gamma / √(moving_variance + ε) + beta = x · scale + shift
    # (the mask only matters in training, for the batch statistics; it passes through)
    axis = layer.axis % x.rank
    mean = weight(layer, "moving_mean").astype(np.float64)
    var = weight(layer, "moving_variance").astype(np.float64)
    gamma = weight(layer, "gamma")
    beta = weight(layer, "beta")
    scale = (1.0 if gamma is None else gamma.astype(np.float64)) / np.sqrt(var + layer.epsilon)
    shift = (0.0 if beta is None else beta.astype(np.float64)) - mean * scale
    shape = _broadcast_shape(x.rank, [axis], [mean.size])
    y = g.op("Mul", [as_float(g, x), g.const(np.broadcast_to(scale, mean.shape).reshape(shape),
                                             hint=f"{layer.name}/scale")])
    y = g.op("Add", [y, g.const(np.broadcast_to(shift, mean.shape).reshape(shape), hint=f"{layer.name}/shift")])
    return x.with_(name=y, dtype=F32)


@converts(L.LayerNormalization)
def _layer_norm(g, layer, x):
    # y = gamma · (x - mean) / √(var + ε) + beta over the normalized axes of each sample
    axes = sorted(a % x.rank for a in (layer.axis if isinstance(layer.axis, list) else [layer.axis]))
    sizes = [x.shape[a] for a in axes]
    gamma, beta = weight(layer, "gamma"), weight(layer, "beta")
    y = as_float(g, x)
    trailing = axes == list(range(axes[0], x.rank))
    if g.opset >= 17 and trailing:
        scale = gamma if gamma is not None else np.ones(sizes, np.float32)
        inputs = [y, g.const(scale.reshape(sizes), hint=f"{layer.name}/gamma")]
        if beta is not None:
            inputs.append(g.const(beta.reshape(sizes), hint=f"{layer.name}/beta"))
        return x.with_(name=g.op("LayerNormalization", inputs, axis=axes[0], epsilon=float(layer.epsilon)),
                       dtype=F32)
    mean = g.reduce("ReduceMean", y, axes, True)
    centred = g.op("Sub", [y, mean])
    var = g.reduce("ReduceMean", g.op("Mul", [centred, centred]), axes, True)
    y = g.op("Div", [centred, g.op("Sqrt", [g.op("Add", [var, g.const(float(layer.epsilon))])])])
    shape = _broadcast_shape(x.rank, axes, sizes)
    if gamma is not None:
        y = g.op("Mul", [y, g.const(gamma.reshape(shape), hint=f"{layer.name}/gamma")])
    if beta is not None:
        y = g.op("Add", [y, g.const(beta.reshape(shape), hint=f"{layer.name}/beta")])
    return x.with_(name=y, dtype=F32)


# ----------------------------------------------------------------------------- embedding and masking
@converts(L.Embedding, masks=True)
def _embedding(g, layer, x):
    # output = embeddings[ids]; with mask_zero the mask is ids != 0
    ids = x.name if x.dtype == np.dtype(np.int64) else g.cast(x.name, np.int64)
    y = g.op("Gather", [g.const(weight(layer, "embeddings"), hint=f"{layer.name}/embeddings"), ids], axis=0)
    mask = None
    if layer.mask_zero:
        mask = g.op("Not", [g.op("Equal", [ids, g.const(np.int64(0))])], hint=f"{layer.name}/mask")
    return out_value(g, layer, x, y).with_(mask=mask)


@converts(L.Masking, masks=True)
def _masking(g, layer, x):
    # mask[b, t] = any(x[b, t, :] != mask_value); the output is x with the masked steps zeroed
    y = as_float(g, x)
    differs = g.cast(g.op("Not", [g.op("Equal", [y, g.const(layer.mask_value)])]), np.float32)
    keep = g.reduce("ReduceMax", differs, [-1], True)
    mask = g.cast(g.squeeze(keep, [-1]), np.bool_)
    return x.with_(name=g.op("Mul", [y, keep]), dtype=F32, mask=mask)


# ----------------------------------------------------------------------------- reshaping
@converts(L.Flatten)
def _flatten(g, layer, x):
    return out_value(g, layer, x, g.op("Flatten", [x.name], axis=1), x.dtype)


@converts(L.Reshape)
def _reshape(g, layer, x):
    return out_value(g, layer, x, g.reshape(x.name, [0] + list(layer.target_shape)), x.dtype)


@converts(L.Permute)
def _permute(g, layer, x):
    return out_value(g, layer, x, g.transpose(x.name, [0] + list(layer.dims)), x.dtype)


@converts(L.RepeatVector)
def _repeat_vector(g, layer, x):
    # (batch, features) → (batch, n, features): a new axis broadcast n times
    y = g.op("Expand", [g.unsqueeze(x.name, [1]), g.ints([1, layer.n, 1])])
    return out_value(g, layer, x, y, x.dtype)


@converts(L.TimeDistributed, masks=True)
def _time_distributed(g, layer, x):
    # fold (batch, time, ...) into (batch·time, ...), apply the layer, unfold
    from .onnx_convert import convert_layer

    inner_shape = (None,) + tuple(x.shape[2:])
    if all(d is not None for d in x.shape[2:]):
        folded = g.reshape(x.name, [-1] + list(x.shape[2:]))
    else:
        folded = g.reshape(x.name, g.op("Concat", [g.ints([-1]), g.shape_of(x.name, 2)], axis=0))
    inner = convert_layer(g, layer.layer, Value(folded, inner_shape, x.dtype))
    if isinstance(inner, (list, tuple)):
        raise refuse(layer, "its layer has several outputs")
    head = g.shape_of(x.name, 0, 2)
    tail = g.shape_of(inner.name, 1)
    y = g.reshape(inner.name, g.op("Concat", [head, tail], axis=0))
    return Value(y, (x.shape[0], x.shape[1]) + tuple(inner.shape[1:]), inner.dtype, x.mask)


@converts(L.Cropping1D, L.Cropping2D, L.Cropping3D)
def _cropping(g, layer, x):
    first = 1 if layer.data_format == "channels_last" else 2
    axes = list(range(first, first + len(layer.cropping)))
    starts = [b for b, _ in layer.cropping]
    ends = [-a if a else INT_MAX for _, a in layer.cropping]
    return out_value(g, layer, x, g.slice(x.name, starts, ends, axes), x.dtype)


@converts(L.ZeroPadding1D, L.ZeroPadding2D, L.ZeroPadding3D)
def _zero_padding(g, layer, x):
    first = 1 if layer.data_format == "channels_last" else 2
    before, after = [0] * x.rank, [0] * x.rank
    for axis, (b, a) in zip(range(first, first + len(layer.padding)), layer.padding):
        before[axis], after[axis] = b, a
    zero = g.const(np.zeros((), x.dtype if x.dtype.kind != "f" else np.float32))
    return out_value(g, layer, x, g.op("Pad", [x.name, g.ints(before + after), zero], mode="constant"), x.dtype)


@converts(L.UpSampling1D, L.UpSampling2D, L.UpSampling3D)
def _upsampling(g, layer, x):
    # nearest neighbour: each value repeated `size` times along each spatial axis;
    # 'bilinear' (UpSampling2D): ONNX Resize, linear with half-pixel centres
    first = 1 if layer.data_format == "channels_last" else 2
    if layer.get_config().get("interpolation", "nearest") == "bilinear":
        y = as_float(g, x)
        nchw = g.transpose(y, [0, 3, 1, 2]) if first == 1 else y
        scales = g.const(np.asarray([1.0, 1.0] + [float(s) for s in layer.size], np.float32))
        out = g.op("Resize", [nchw, "", scales], mode="linear", coordinate_transformation_mode="half_pixel")
        return out_value(g, layer, x, g.transpose(out, [0, 2, 3, 1]) if first == 1 else out)
    y = x.name
    for axis, s in zip(range(first, first + len(layer.size)), layer.size):
        if s == 1:
            continue
        expanded = g.unsqueeze(y, [axis + 1])
        reps = [1] * (x.rank + 1)
        reps[axis + 1] = s
        tiled = g.op("Tile", [expanded, g.ints(reps)])
        shape = g.op("Mul", [g.shape_of(y), g.ints([s if i == axis else 1 for i in range(x.rank)])])
        y = g.reshape(tiled, shape)
    return out_value(g, layer, x, y, x.dtype)
