"""ONNX converters of the preprocessing layers that compute with numbers: Rescaling, Normalization,
CategoryEncoding, Discretization, Resizing, CenterCrop, and the random augmentations (the identity at
inference, as in ``predict``; RandomCrop then cuts the centre and resizes).

Resizing: 'bilinear', 'nearest' and 'bicubic' become ONNX ``Resize`` (half-pixel centres, Keys' cubic
with a = -0.5, outside taps excluded — Keras's sampling); 'area', 'lanczos3', 'lanczos5' and
``antialias=True`` become the layer's own per-axis weight matrices (``y = x ×_axis W``), which needs
the image size known in the signature. The aspect-ratio crop or pad also needs it.

Refused (see ``onnx_convert._REASONS``): StringLookup, IntegerLookup, TextVectorization, Hashing and
HashedCrossing (vocabularies, strings and FarmHash). Category ids outside ``[0, num_tokens)``, an
error in ``predict``, encode to zero rows in the graph.
"""

from __future__ import annotations

import numpy as np

from .. import config
from .. import layers as L
from ..ops.resampling import resize_weights
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float
from .onnx_convert import converts, refuse

_RANDOM = [L.RandomFlip, L.RandomRotation, L.RandomZoom, L.RandomTranslation, L.RandomContrast, L.RandomBrightness]


@converts(*_RANDOM)
def _augmentation(g, layer, x):
    return x.with_(name=as_float(g, x), dtype=F32)


@converts(L.Rescaling)
def _rescaling(g, layer, x):
    # y = x · scale + offset (scale and offset: a number or one per channel)
    cfg = layer.get_config()
    y = g.op("Mul", [as_float(g, x), g.const(np.asarray(cfg["scale"], np.float32))])
    return x.with_(name=g.op("Add", [y, g.const(np.asarray(cfg["offset"], np.float32))]), dtype=F32)


def _normalization_statistics(layer, rank: int) -> tuple:
    """(mean, variance) broadcastable against rank-``rank`` inputs, from the weights or the config."""
    cfg = layer.get_config()
    keep = sorted(a % rank for a in cfg["axis"])
    shape = [1] * rank
    if cfg.get("mean") is None:
        named = {getattr(w, "name", ""): np.asarray(w.data) for w in layer.weights}
        mean, variance = named["mean"], named["variance"]
        for a, size in zip(keep, np.shape(mean)):
            shape[a] = size
        return np.reshape(mean, shape), np.reshape(variance, shape)
    mean = np.asarray(cfg["mean"], np.float64)
    variance = np.asarray(cfg["variance"], np.float64)
    for i in range(1, mean.ndim + 1):  # given values align with the trailing kept axes
        shape[keep[-i]] = mean.shape[-i]
    return mean.reshape(shape), variance.reshape(shape)


@converts(L.Normalization)
def _normalization(g, layer, x):
    # y = (x - mean) / max(√variance, ε); invert: y = mean + x · max(√variance, ε)
    mean, variance = _normalization_statistics(layer, x.rank)
    scale = np.maximum(np.sqrt(variance.astype(np.float64)), config.epsilon())
    y = as_float(g, x)
    if layer.get_config().get("invert"):
        y = g.op("Add", [g.op("Mul", [y, g.const(scale)]), g.const(mean)])
    else:
        y = g.op("Div", [g.op("Sub", [y, g.const(mean)]), g.const(scale)])
    return x.with_(name=y, dtype=F32)


def _encode(g: Graph, layer, ids: str, shape: tuple, mode: str, depth: int) -> tuple:
    """(name, shape) of ids encoded as one_hot / multi_hot / count over ``depth`` categories."""
    hot = g.cast(g.op("Equal", [g.unsqueeze(ids, [-1]), g.const(np.arange(depth, dtype=np.int64))]), np.float32)
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return g.squeeze(hot, [-2]), tuple(shape[:-1]) + (depth,)
        return hot, tuple(shape) + (depth,)
    if len(shape) < 1:
        raise refuse(layer, "scalar inputs are not translated")
    reduce = "ReduceMax" if mode == "multi_hot" else "ReduceSum"
    return g.reduce(reduce, hot, [-2], False), tuple(shape[:-1]) + (depth,)


def _int64(g: Graph, x: Value) -> str:
    return x.name if x.dtype == np.dtype(np.int64) else g.cast(x.name, np.int64)


@converts(L.CategoryEncoding)
def _category_encoding(g, layer, x):
    cfg = layer.get_config()
    y, shape = _encode(g, layer, _int64(g, x), x.shape, cfg["output_mode"], int(cfg["num_tokens"]))
    return Value(y, shape, F32)


@converts(L.Discretization)
def _discretization(g, layer, x):
    # bucket = number of boundaries ≤ x (np.digitize with increasing boundaries)
    cfg = layer.get_config()
    bounds = cfg.get("bin_boundaries")
    if bounds is None:
        raise refuse(layer, "it has no bin boundaries yet (call adapt first)")
    xf = as_float(g, x)
    above = g.op("GreaterOrEqual", [g.unsqueeze(xf, [-1]), g.const(np.asarray(bounds, np.float32))])
    ids = g.reduce("ReduceSum", g.cast(above, np.int64), [-1], False)
    if cfg["output_mode"] == "int":
        return Value(g.cast(ids, np.int32), tuple(x.shape), np.dtype(np.int32))
    y, shape = _encode(g, layer, ids, x.shape, cfg["output_mode"], len(bounds) + 1)
    return Value(y, shape, F32)


# ----------------------------------------------------------------------------- images
def _static_hw(layer, x: Value, why: str) -> tuple:
    if x.rank != 4:
        raise refuse(layer, f"expected batched images (batch, height, width, channels), received shape {x.shape}")
    h, w = x.shape[1], x.shape[2]
    if h is None or w is None:
        raise refuse(layer, f"{why} needs the image height and width fixed in input_signature")
    return int(h), int(w)


def _native_resize(g: Graph, y: str, height: int, width: int, interpolation: str) -> str:
    """ONNX Resize of channels-last images to (height, width) with Keras's sampling."""
    nchw = g.transpose(y, [0, 3, 1, 2])
    sizes = g.op("Concat", [g.shape_of(nchw, 0, 2), g.ints([height, width])], axis=0)
    attrs = {"bilinear": dict(mode="linear", coordinate_transformation_mode="half_pixel"),
             "nearest": dict(mode="nearest", coordinate_transformation_mode="half_pixel",
                             nearest_mode="round_prefer_ceil")}[interpolation]
    out = g.op("Resize", [nchw, "", "", sizes], **attrs)
    return g.transpose(out, [0, 2, 3, 1])


def _matrix_resize(g: Graph, y: str, size: tuple, target: tuple, interpolation: str, antialias: bool) -> str:
    """y ×_axis W along height then width, W the layer's own resize weights (static sizes)."""
    (h, w), (th, tw) = size, target
    if th != h:  # (b, h, w, c) → (b, w, c, h) @ (h, th) → (b, th, w, c)
        wh = resize_weights(h, th, interpolation, antialias)
        y = g.transpose(g.op("MatMul", [g.transpose(y, [0, 2, 3, 1]), g.const(wh)]), [0, 3, 1, 2])
    if tw != w:  # (b, th, w, c) → (b, th, c, w) @ (w, tw) → (b, th, tw, c)
        ww = resize_weights(w, tw, interpolation, antialias)
        y = g.transpose(g.op("MatMul", [g.transpose(y, [0, 1, 3, 2]), g.const(ww)]), [0, 1, 3, 2])
    return y


def _resize(g: Graph, layer, x: Value, target: tuple, interpolation: str, antialias: bool = False,
            crop: bool = False, pad: bool = False, fill_value: float = 0.0) -> str:
    y = as_float(g, x)
    th, tw = target
    if crop or pad:
        h, w = _static_hw(layer, x, "cropping or padding to the aspect ratio")
        if crop:  # the largest centred window with the target's aspect ratio
            ch = max(min(h, int(float(w * th) / tw)), 1)
            cw = max(min(w, int(float(h * tw) / th)), 1)
            top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
            y = g.slice(y, [top, left], [top + ch, left + cw], [1, 2])
            h, w = ch, cw
        else:  # pad the shorter side evenly with fill_value
            ph, pw = max(h, int(float(w * th) / tw)), max(w, int(float(h * tw) / th))
            top, left = int(float(ph - h) / 2), int(float(pw - w) / 2)
            if top > 0 or left > 0:
                y = g.op("Pad", [y, g.ints([0, top, left, 0, 0, top, left, 0]), g.const(np.float32(fill_value))])
                h, w = h + 2 * top, w + 2 * left
    elif x.rank == 4 and x.shape[1] is not None and x.shape[2] is not None:
        h, w = int(x.shape[1]), int(x.shape[2])
    else:
        h = w = None
    if (h, w) == (th, tw):
        return y
    if h is not None:
        return _matrix_resize(g, y, (h, w), target, interpolation, antialias)
    if interpolation in ("bilinear", "nearest") and not antialias:
        return _native_resize(g, y, th, tw, interpolation)
    _static_hw(layer, x, f"interpolation={interpolation!r} (antialias={antialias})")


@converts(L.Resizing)
def _resizing(g, layer, x):
    cfg = layer.get_config()
    y = _resize(g, layer, x, (cfg["height"], cfg["width"]), cfg["interpolation"], cfg["antialias"],
                cfg["crop_to_aspect_ratio"], cfg["pad_to_aspect_ratio"], cfg["fill_value"])
    return Value(y, tuple(layer.compute_output_shape(x.shape)), F32)


@converts(L.RandomCrop)
def _random_crop(g, layer, x):
    # at inference: the centred window with the target's aspect ratio, resized (bilinear)
    cfg = layer.get_config()
    y = _resize(g, layer, x, (cfg["height"], cfg["width"]), "bilinear", crop=True)
    return Value(y, tuple(layer.compute_output_shape(x.shape)), F32)


@converts(L.CenterCrop)
def _center_crop(g, layer, x):
    # the central window; an image smaller than the target is cropped to its aspect ratio and resized
    cfg = layer.get_config()
    th, tw = cfg["height"], cfg["width"]
    h, w = _static_hw(layer, x, "CenterCrop")
    if h >= th and w >= tw:
        top, left = (h - th) // 2, (w - tw) // 2
        y = g.slice(as_float(g, x), [top, left], [top + th, left + tw], [1, 2])
    else:
        y = _resize(g, layer, x, (th, tw), "bilinear", crop=True)
    return Value(y, tuple(layer.compute_output_shape(x.shape)), F32)
