"""ONNX translations of the ``keras.ops.image`` ops recorded on symbolic tensors (the table of
``onnx_ops.py``), on batched images, channels last unless ``data_format='channels_first'``: grayscale
and HSV conversions, padding and cropping, patches, resizing (the Resizing layer's translation), and
the fixed filters (Gaussian blur, Sobel edges) as grouped convolutions with the op's own kernels.
"""

from __future__ import annotations

import numpy as np

from .onnx_graph import Value
from .onnx_ops import F32, op, tensor
from .onnx_ops_shape import static_size


def _f(g, value) -> str:
    return g.const(np.float32(value))


def is_channels_first(c, data_format) -> bool:
    """Whether ``data_format`` (None: channels_last, as the ops) is channels_first."""
    fmt = data_format or "channels_last"
    if fmt not in ("channels_last", "channels_first"):
        raise c.refuse(f"data_format={fmt!r} is not translated")
    return fmt == "channels_first"


@op("rgb_to_grayscale")
def _rgb_to_grayscale(g, c):  # 0.2989·R + 0.5870·G + 0.1140·B over the channel axis
    x = c.value("images")
    axis = 1 if is_channels_first(c, c["data_format"]) and x.rank == 4 else x.rank - 1
    if x.shape[axis] == 1:
        return g.op("Identity", [c.tensor(x)])
    shape = [1] * x.rank
    shape[axis] = 3
    weights = g.const(np.array([0.2989, 0.5870, 0.1140], np.float32).reshape(shape))
    return g.reduce("ReduceSum", g.op("Mul", [c.tensor(x), weights]), [axis], True)



def _images(g, c, key: str = "images") -> tuple:
    """(channels-last float images, whether to transpose the result back to channels_first)."""
    x = c.value(key)
    if x.rank != 4:
        raise c.refuse(f"expected batched images of rank 4, received shape {x.shape}")
    first = is_channels_first(c, c["data_format"])
    y = tensor(g, x, F32)
    if first:
        y = g.op("Transpose", [y], perm=[0, 2, 3, 1])
        x = x.with_(shape=(x.shape[0], x.shape[2], x.shape[3], x.shape[1]))
    return x.with_(name=y), first


def _images_back(g, y: str, first: bool) -> str:
    return g.op("Transpose", [y], perm=[0, 3, 1, 2]) if first else y


def _window(c, size: int, before, after, target, grow: bool) -> tuple:
    """``(before, target)`` from two of ``before``, ``after`` and ``target`` (the ops' rule)."""
    sign = 1 if grow else -1
    if before is None:
        before = (target - size - sign * after) * sign
    if target is None:
        target = size + sign * (before + after)
    return int(before), int(target)


@op("pad_images", "crop_images")
def _pad_crop_images(g, c):
    x, first = _images(g, c)
    h, w = static_size(c, x, 1), static_size(c, x, 2)
    grow = c.name == "pad_images"
    word = "padding" if grow else "cropping"
    top, height = _window(c, h, c[f"top_{word}"], c[f"bottom_{word}"], c["target_height"], grow)
    left, width = _window(c, w, c[f"left_{word}"], c[f"right_{word}"], c["target_width"], grow)
    if grow:
        pads = [0, top, left, 0, 0, height - h - top, width - w - left, 0]
        y = g.op("Pad", [x.name, g.ints(pads), _f(g, 0.0)])
    else:
        y = g.slice(x.name, [top, left], [top + height, left + width], [1, 2])
    return _images_back(g, y, first)


@op("extract_patches")
def _extract_patches(g, c):
    # patch (i, j) holds rows i·s + r·d and columns j·s + q·d (r, q < size): gathered along height, then
    # width, then ordered (batch, i, j, r, q, channels) and flattened, as the op's rows-columns-channels
    x, first = _images(g, c)
    h, w = static_size(c, x, 1), static_size(c, x, 2)
    size = c["size"]
    ph, pw = (int(size), int(size)) if isinstance(size, (int, np.integer)) else (int(size[0]), int(size[1]))
    strides = c["strides"] or (ph, pw)
    sh, sw = (int(strides), int(strides)) if isinstance(strides, (int, np.integer)) else map(int, strides)
    dilation = c["dilation_rate"]
    dh, dw = (int(dilation), int(dilation)) if isinstance(dilation, (int, np.integer)) else map(int, dilation)
    y = x.name
    if c["padding"] == "same":  # as a convolution: the output size is ceil(size / stride)
        pads = []
        for n, k, s, d in ((h, ph, sh, dh), (w, pw, sw, dw)):
            total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        y = g.op("Pad", [y, g.ints([0, pads[0][0], pads[1][0], 0, 0, pads[0][1], pads[1][1], 0]), _f(g, 0.0)])
        h, w = h + sum(pads[0]), w + sum(pads[1])
    elif c["padding"] != "valid":
        raise c.refuse(f"padding={c['padding']!r} is not translated")
    rows = np.arange((h - (ph - 1) * dh - 1) // sh + 1)[:, None] * sh + np.arange(ph)[None, :] * dh
    cols = np.arange((w - (pw - 1) * dw - 1) // sw + 1)[:, None] * sw + np.arange(pw)[None, :] * dw
    y = g.op("Gather", [y, g.const(rows.astype(np.int64))], axis=1)  # (b, oh, ph, w, c)
    y = g.op("Gather", [y, g.const(cols.astype(np.int64))], axis=3)  # (b, oh, ph, ow, pw, c)
    y = g.op("Transpose", [y], perm=[0, 1, 3, 2, 4, 5])
    channels = static_size(c, x, 3)
    y = g.reshape(y, [0, len(rows), len(cols), ph * pw * channels])
    return _images_back(g, y, first)


@op("resize")
def _image_resize(g, c):
    from .onnx_preprocessing import _resize

    if c["fill_mode"] != "constant":
        raise c.refuse(f"fill_mode={c['fill_mode']!r} is not translated")
    x, first = _images(g, c)
    size = tuple(int(v) for v in c["size"])
    y = _resize(g, c.layer, x, size, c["interpolation"], bool(c["antialias"]), bool(c["crop_to_aspect_ratio"]),
                bool(c["pad_to_aspect_ratio"]), float(c["fill_value"]))
    return _images_back(g, y, first)


def _depthwise_fixed(g, c, x: Value, kernel: np.ndarray, pads: list) -> str:
    """Each channel of channels-last images ``x`` convolved with the same 2-D ``kernel`` (after ``pads``)."""
    channels = static_size(c, x, 3)
    weights = np.broadcast_to(kernel.astype(np.float32), (channels, 1) + kernel.shape)
    y = g.op("Transpose", [x.name], perm=[0, 3, 1, 2])
    y = g.op("Conv", [y, g.const(np.ascontiguousarray(weights))], group=channels, pads=pads,
             kernel_shape=list(kernel.shape))
    return g.op("Transpose", [y], perm=[0, 2, 3, 1])


@op("gaussian_blur")
def _gaussian_blur(g, c):
    from ..ops.images import _gaussian  # the op's own kernel

    x, first = _images(g, c)
    kh, kw = (int(k) for k in np.broadcast_to(np.asarray(c["kernel_size"]), (2,)))
    sh, sw = (float(v) for v in np.broadcast_to(np.asarray(c["sigma"]), (2,)))
    kernel = np.outer(_gaussian(kh, sh), _gaussian(kw, sw))
    pads = [(kh - 1) // 2, (kw - 1) // 2, kh - 1 - (kh - 1) // 2, kw - 1 - (kw - 1) // 2]
    return _images_back(g, _depthwise_fixed(g, c, x, kernel, pads), first)


@op("sobel_edges")
def _sobel_edges(g, c):
    # (dy, dx) per channel on a new last axis; a one-pixel symmetric border is the edge pixel repeated
    x, first = _images(g, c)
    smooth, diff = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    padded = x.with_(name=g.op("Pad", [x.name, g.ints([0, 1, 1, 0, 0, 1, 1, 0])], mode="edge"))
    parts = [g.unsqueeze(_depthwise_fixed(g, c, padded, k, [0, 0, 0, 0]), [4])
             for k in (np.outer(diff, smooth), np.outer(smooth, diff))]
    y = g.op("Concat", parts, axis=4)
    return g.op("Transpose", [y], perm=[0, 3, 1, 2, 4]) if first else y


@op("rgb_to_hsv")
def _rgb_to_hsv(g, c):
    # value = max, saturation = (max - min) / max, hue from the largest channel, in turns (0 red, 1/3 green)
    x, first = _images(g, c)
    y = g.op("Where", [g.op("Less", [g.op("Abs", [x.name]), _f(g, np.finfo(np.float32).eps)]), _f(g, 0.0), x.name])
    red, green, blue = g.op("Split", [y, g.ints([1, 1, 1])], outputs=3, axis=3)
    value = g.op("Max", [red, green, blue])
    spread = g.op("Sub", [value, g.op("Min", [red, green, blue])])
    positive = g.op("Greater", [value, _f(g, 0.0)])
    saturation = g.op("Where", [positive, g.op("Div", [spread, g.op("Where", [positive, value, _f(g, 1.0)])]),
                                _f(g, 0.0)])
    has_spread = g.op("Greater", [spread, _f(g, 0.0)])
    norm = g.op("Div", [_f(g, 1.0), g.op("Mul", [g.op("Where", [has_spread, spread, _f(g, 1.0)]), _f(g, 6.0)])])

    def sector(a, b, offset):  # norm · (a - b) + offset
        return g.op("Add", [g.op("Mul", [norm, g.op("Sub", [a, b])]), _f(g, offset)])

    hue = g.op("Where", [g.op("Equal", [value, green]), sector(blue, red, 2.0 / 6.0), sector(red, green, 4.0 / 6.0)])
    hue = g.op("Where", [g.op("Equal", [value, red]), sector(green, blue, 0.0), hue])
    wrap = g.cast(g.op("Less", [hue, _f(g, 0.0)]), F32)
    hue = g.op("Add", [g.op("Where", [has_spread, hue, _f(g, 0.0)]), wrap])
    return _images_back(g, g.op("Concat", [hue, saturation, value], axis=3), first)


@op("hsv_to_rgb")
def _hsv_to_rgb(g, c):
    # channel = v · (1 - s + s · clip(ramp(6 · (h mod 1)), 0, 1)) with the red, green and blue ramps
    x, first = _images(g, c)
    hue, saturation, value = g.op("Split", [x.name, g.ints([1, 1, 1])], outputs=3, axis=3)
    turns = g.op("Sub", [hue, g.op("Floor", [hue])])
    dh = g.op("Mul", [turns, _f(g, 6.0)])

    def clip01(v):
        return g.op("Min", [g.op("Max", [v, _f(g, 0.0)]), _f(g, 1.0)])

    def distance(center):
        return g.op("Abs", [g.op("Sub", [dh, _f(g, center)])])

    ramps = [clip01(g.op("Sub", [distance(3.0), _f(g, 1.0)])), clip01(g.op("Sub", [_f(g, 2.0), distance(2.0)])),
             clip01(g.op("Sub", [_f(g, 2.0), distance(4.0)]))]
    rest = g.op("Sub", [_f(g, 1.0), saturation])
    rgb = [g.op("Mul", [value, g.op("Add", [rest, g.op("Mul", [saturation, ramp])])]) for ramp in ramps]
    return _images_back(g, g.op("Concat", rgb, axis=3), first)
