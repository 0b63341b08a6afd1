"""Convolution layers (Keras 3 names, arguments, defaults and weight layouts; channels-last).

The guide's CNN: "specialized for image processing, with convolutional layers that capture spatial
hierarchies". A convolution slides a small kernel over the image and computes, at every position, a
weighted sum of the pixels under it — the same weights everywhere, so a feature learned in one
corner is recognised in any other.

Weight layouts are those of Keras (a PyTorch ``Conv2d.weight`` is ``kernel.transpose(3, 2, 0, 1)``):

    Conv1D / Conv2D                 kernel (k..., in, filters)          bias (filters,)
    Conv1DTranspose / Conv2DTranspose  kernel (k..., filters, in)       bias (filters,)
    DepthwiseConv1D / DepthwiseConv2D  kernel (k..., in, depth_multiplier)   bias (in·depth_multiplier,)
    SeparableConv1D / SeparableConv2D  depthwise_kernel (k..., in, depth_multiplier),
                                       pointwise_kernel (1..., in·depth_multiplier, filters), bias (filters,)
"""

from __future__ import annotations

import numpy as np

from .. import activations, constraints, initializers, ops, regularizers
from ..ops.conv import (conv_geometry, conv_transpose_length, normalize_data_format, normalize_padding,
                        normalize_tuple)
from .base import InputSpec, Layer

__all__ = [
    "Conv1D", "Conv2D", "Conv1DTranspose", "Conv2DTranspose", "DepthwiseConv1D", "DepthwiseConv2D",
    "SeparableConv1D", "SeparableConv2D", "Convolution1D", "Convolution2D", "Convolution1DTranspose",
    "Convolution2DTranspose", "SeparableConvolution1D", "SeparableConvolution2D",
]


# --------------------------------------------------------------------------------------------- config helpers
def activation_name(fn) -> str | None:
    """The Keras name of an activation function, for ``get_config`` (None for a custom callable)."""
    try:
        return activations.serialize(fn)
    except (ValueError, TypeError, AttributeError):
        return getattr(fn, "__name__", None)


def serialize_initializer(init):
    return initializers.serialize(init) if isinstance(init, initializers.Initializer) else None


def serialize_regularizer(reg):
    return regularizers.serialize(reg) if isinstance(reg, regularizers.Regularizer) else None


def positive_int(layer: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: expected `{name}` to be a positive integer, received {name}={value!r}")
    return int(value)


def spatial_output(layer, input_shape, kernel, strides, dilation, padding, data_format) -> tuple:
    """Output spatial sizes of a convolution (None stays None); raises naming ``layer`` when empty."""
    spatial = input_shape[1:-1] if data_format == "channels_last" else input_shape[2:]
    out = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation):
        if size is None:
            out.append(None)
            continue
        o = conv_geometry(size, k, s, d, padding)[0]
        if o <= 0:
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': the kernel (kernel_size={tuple(kernel)}, "
                f"dilation_rate={tuple(dilation)}) is larger than the input's spatial shape {tuple(spatial)} with "
                f"padding='{padding}'; received input shape {tuple(input_shape)}. "
                "Use padding='same' or a smaller kernel"
            )
        out.append(o)
    return tuple(out)


def _with_channels(batch_shape_spatial: tuple, channels, data_format: str) -> tuple:
    batch, spatial = batch_shape_spatial[0], batch_shape_spatial[1:]
    if data_format == "channels_last":
        return (batch,) + tuple(spatial) + (channels,)
    return (batch, channels) + tuple(spatial)


# --------------------------------------------------------------------------------------------- base
class BaseConv(Layer):
    """Shared argument handling of every convolution layer (``rank`` spatial axes)."""

    rank = 2
    _can_return_logits = True
    _allowed_padding = ("valid", "same")

    def __init__(self, kernel_size, strides=1, padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, activation=None, use_bias: bool = True, bias_initializer="zeros",
                 bias_regularizer=None, activity_regularizer=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", where)
        self.strides = normalize_tuple(strides, self.rank, "strides", where)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", where)
        self.padding = normalize_padding(padding, where, self._allowed_padding)
        self.data_format = normalize_data_format(data_format, where)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{where}: strides > 1 is not supported together with dilation_rate > 1, received "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _input_channels(self, input_shape) -> int:
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel axis of the input must be known to "
                             f"build the kernel, received input shape {tuple(input_shape)}")
        return int(channels)

    def _check_spatial(self, input_shape) -> tuple:
        return spatial_output(self, input_shape, self.kernel_size, self.strides, self.dilation_rate,
                              self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        """(batch, *spatial output, filters) — channels moved first for 'channels_first'."""
        input_shape = tuple(input_shape)
        spatial = self._check_spatial(input_shape)
        return _with_channels((input_shape[0],) + spatial, self.filters, self.data_format)

    def _finish_build(self, channels: int, bias_size: int) -> None:
        """The bias (when ``use_bias``) and the input spec every convolution ends its build with."""
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((bias_size,), self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _finish(self, y, fused_relu: bool, logits: bool):
        if fused_relu or logits or self.activation is activations.linear:
            return y
        return self.activation(y)

    def _base_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "kernel_size": list(self.kernel_size), "strides": list(self.strides), "padding": self.padding,
            "data_format": self.data_format, "dilation_rate": list(self.dilation_rate),
            "activation": activation_name(self.activation), "use_bias": self.use_bias,
            "bias_initializer": serialize_initializer(self.bias_initializer),
            "bias_regularizer": serialize_regularizer(self.bias_regularizer),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg


class BaseStandardConv(BaseConv):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, groups: int = 1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        filters = positive_int(type(self).__name__, "filters", filters)
        groups = positive_int(type(self).__name__, "groups", groups)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        if filters % groups:
            raise ValueError(f"{type(self).__name__} '{self.name}': `filters` ({filters}) must be divisible by "
                             f"`groups` ({groups})")
        self.filters, self.groups = filters, groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} '{self.name}': the number of input channels ({channels}) must be "
                             f"divisible by `groups` ({self.groups}), received input shape {tuple(input_shape)}")
        self._check_spatial(input_shape)
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(shape, self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self._finish_build(channels, self.filters)

    def call(self, inputs, training=None, _logits: bool = False):
        self._check_spatial(inputs.shape)
        relu = self.activation is activations.relu and not _logits
        padding = self.padding
        if padding == "causal":  # left-pad so that output t only sees inputs ≤ t
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            axis = 1 if self.data_format == "channels_last" else 2
            widths = [(0, 0)] * 3
            widths[axis] = (left, 0)
            inputs, padding = ops.pad(inputs, widths), "valid"
        if self.groups == 1:
            y = ops.conv(inputs, self.kernel, self.strides, padding, self.data_format, self.dilation_rate,
                         bias=self.bias, relu=relu)
            return self._finish(y, relu, _logits)
        # grouped convolution: each group of input channels has its own filters
        cin = inputs.shape[self._channel_axis] // self.groups
        fout = self.filters // self.groups
        outs = []
        for g in range(self.groups):
            index = [slice(None)] * (self.rank + 2)
            index[self._channel_axis] = slice(g * cin, (g + 1) * cin)
            xg = inputs[tuple(index)]
            kg = self.kernel[..., g * fout:(g + 1) * fout]
            bg = None if self.bias is None else self.bias[g * fout:(g + 1) * fout]
            outs.append(ops.conv(xg, kg, self.strides, padding, self.data_format, self.dilation_rate, bias=bg))
        y = ops.concatenate(outs, axis=self._channel_axis)
        return self._finish(y, False, _logits)

    def get_config(self) -> dict:
        cfg = self._base_config()
        cfg.update({
            "filters": self.filters, "groups": self.groups,
            "kernel_initializer": serialize_initializer(self.kernel_initializer),
            "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
        })
        return cfg


_CONV_ARGS = """
    Args:
        filters: number of output channels (positive integer).
        kernel_size: int or tuple, the window size.
        strides: int or tuple, the step between windows. Defaults to 1.
        padding: ``'valid'`` (no padding: the output shrinks by ``kernel_size - 1``) or ``'same'``
            (zero padding so that ``output = ceil(input / strides)``){causal}. Defaults to ``'valid'``.
        data_format: ``'channels_last'`` (default, also for None) or ``'channels_first'``.
        dilation_rate: int or tuple, the spacing between kernel taps (an "atrous" convolution sees a
            wider window with the same number of weights). Defaults to 1.
        groups: split the input channels into this many groups, each with its own
            ``filters / groups`` filters. Defaults to 1.
        activation: activation name or function. Defaults to None (linear).
        use_bias: whether to add a bias vector. Defaults to True.
        kernel_initializer: Defaults to 'glorot_uniform'.
        bias_initializer: Defaults to 'zeros'.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties added to the loss.
            Defaults to None.
        kernel_constraint, bias_constraint: callables applied to the weight after every update.
"""


class Conv1D(BaseStandardConv):
    __doc__ = """1-D convolution over sequences: ``output = activation(conv1d(inputs, kernel) + bias)``.

    Shapes:
        input ``(batch, steps, channels)`` → output ``(batch, new_steps, filters)``; kernel
        ``(kernel_size, channels // groups, filters)``.
    """ + _CONV_ARGS.format(causal=", or ``'causal'`` (left padding only: output t sees inputs ≤ t)") + """
    Example::

        >>> Conv1D(8, 3, activation="relu")(np.ones((2, 10, 4))).shape
        (2, 8, 8)
    """

    rank = 1
    _allowed_padding = ("valid", "same", "causal")

    def _check_spatial(self, input_shape) -> tuple:
        padding = "valid" if self.padding == "causal" else self.padding
        if self.padding == "causal":
            shape = list(input_shape)
            axis = 1 if self.data_format == "channels_last" else 2
            if shape[axis] is not None:
                shape[axis] += (self.kernel_size[0] - 1) * self.dilation_rate[0]
            input_shape = tuple(shape)
        return spatial_output(self, input_shape, self.kernel_size, self.strides, self.dilation_rate, padding,
                              self.data_format)


class Conv2D(BaseStandardConv):
    __doc__ = """2-D convolution over images: ``output = activation(conv2d(inputs, kernel) + bias)``.

    Each output pixel is ``Σ_{i,j,c} x[o·s + i·d, p·s + j·d, c] · kernel[i, j, c, f] + bias[f]``,
    computed as matrix products over the image's windows (im2col), one cache-sized tile of output
    rows at a time (see :mod:`neuronet.ops.conv`).

    Shapes:
        input ``(batch, height, width, channels)`` → output ``(batch, new_height, new_width, filters)``;
        kernel ``(kh, kw, channels // groups, filters)`` (Keras layout).
    """ + _CONV_ARGS.format(causal="") + """
    Example::

        >>> layer = Conv2D(32, 3, activation="relu")
        >>> layer(np.ones((8, 28, 28, 1))).shape
        (8, 26, 26, 32)
        >>> layer.kernel.shape
        (3, 3, 1, 32)
    """

    rank = 2


# --------------------------------------------------------------------------------------------- transpose
class BaseConvTranspose(BaseConv):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", output_padding=None,
                 data_format: str | None = None, dilation_rate=1, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        filters = positive_int(type(self).__name__, "filters", filters)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        self.filters = filters
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = normalize_tuple(output_padding, self.rank, "output_padding", where, allow_zero=True)
            for op, s in zip(self.output_padding, self.strides):
                if op >= s:
                    raise ValueError(f"{where}: each `output_padding` must be smaller than its stride, received "
                                     f"output_padding={self.output_padding} and strides={self.strides}")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        shape = self.kernel_size + (self.filters, channels)
        self.kernel = self.add_weight(shape, self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self._finish_build(channels, self.filters)

    def call(self, inputs, training=None, _logits: bool = False):
        y = ops.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                               self.data_format, self.dilation_rate, bias=self.bias)
        return self._finish(y, False, _logits)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = []
        for a, size in enumerate(spatial):
            op = None if self.output_padding is None else self.output_padding[a]
            out.append(None if size is None else conv_transpose_length(
                size, self.kernel_size[a], self.strides[a], self.dilation_rate[a], self.padding, op)[0])
        return _with_channels((input_shape[0],) + tuple(out), self.filters, self.data_format)

    def get_config(self) -> dict:
        cfg = self._base_config()
        cfg.update({
            "filters": self.filters,
            "output_padding": None if self.output_padding is None else list(self.output_padding),
            "kernel_initializer": serialize_initializer(self.kernel_initializer),
            "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
        })
        return cfg


_TRANSPOSE_ARGS = """
    Args:
        filters: number of output channels (positive integer).
        kernel_size: int or tuple, the window size.
        strides: int or tuple: the upsampling factor. Defaults to 1.
        padding: ``'valid'`` or ``'same'``. Defaults to ``'valid'``.
        output_padding: int or tuple (each smaller than its stride) fixing the output size to
            ``(in - 1)·stride + kernel - 2·pad + output_padding``. Defaults to None: ``in·stride``
            for 'same', ``in·stride + max(kernel - stride, 0)`` for 'valid'.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        dilation_rate: int or tuple. Defaults to 1.
        activation: Defaults to None (linear).
        use_bias: Defaults to True.
        kernel_initializer: Defaults to 'glorot_uniform'. bias_initializer: Defaults to 'zeros'.
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint:
            Defaults to None.
"""


class Conv1DTranspose(BaseConvTranspose):
    __doc__ = """Transposed 1-D convolution (the adjoint of Conv1D): upsamples sequences.

    Shapes:
        input ``(batch, steps, channels)`` → output ``(batch, new_steps, filters)``; kernel
        ``(kernel_size, filters, channels)`` (Keras layout, output channels first).
    """ + _TRANSPOSE_ARGS

    rank = 1


class Conv2DTranspose(BaseConvTranspose):
    __doc__ = """Transposed 2-D convolution (sometimes called deconvolution): upsamples images.

    It is the gradient of a Conv2D with respect to its input, used as a layer: every input pixel
    spreads a ``kernel``-sized patch over the output, ``strides`` apart.

    Shapes:
        input ``(batch, height, width, channels)`` → output ``(batch, new_height, new_width, filters)``;
        kernel ``(kh, kw, filters, channels)`` (Keras layout, output channels first).
    """ + _TRANSPOSE_ARGS + """
    Example::

        >>> Conv2DTranspose(4, 3, strides=2, padding="same")(np.ones((1, 5, 5, 8))).shape
        (1, 10, 10, 4)
    """

    rank = 2


# --------------------------------------------------------------------------------------------- depthwise
class BaseDepthwiseConv(BaseConv):
    def __init__(self, kernel_size, strides=1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate=1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None, bias_constraint=None,
                 **kwargs):
        depth_multiplier = positive_int(type(self).__name__, "depth_multiplier", depth_multiplier)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self._check_spatial(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (channels, self.depth_multiplier),
                                      self.depthwise_initializer, name="kernel",
                                      regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self._finish_build(channels, channels * self.depth_multiplier)

    def call(self, inputs, training=None, _logits: bool = False):
        self._check_spatial(inputs.shape)
        y = ops.depthwise_conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                               self.dilation_rate, bias=self.bias)
        return self._finish(y, False, _logits)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = self._check_spatial(input_shape)
        channels = input_shape[self._channel_axis]
        return _with_channels((input_shape[0],) + spatial,
                              None if channels is None else channels * self.depth_multiplier, self.data_format)

    def get_config(self) -> dict:
        cfg = self._base_config()
        cfg.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": serialize_initializer(self.depthwise_initializer),
            "depthwise_regularizer": serialize_regularizer(self.depthwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
        })
        return cfg


_DEPTHWISE_ARGS = """
    Args:
        kernel_size: int or tuple, the window size.
        strides: int or tuple. Defaults to 1.
        padding: ``'valid'`` or ``'same'``. Defaults to ``'valid'``.
        depth_multiplier: filters per input channel. Defaults to 1.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
        dilation_rate: int or tuple. Defaults to 1.
        activation: Defaults to None (linear).
        use_bias: Defaults to True.
        depthwise_initializer: Defaults to 'glorot_uniform'. bias_initializer: Defaults to 'zeros'.
        depthwise_regularizer, bias_regularizer, activity_regularizer, depthwise_constraint,
            bias_constraint: Defaults to None.
"""


class DepthwiseConv1D(BaseDepthwiseConv):
    __doc__ = """Depthwise 1-D convolution: each input channel filtered separately (channels never mix).

    Shapes:
        input ``(batch, steps, channels)`` → output ``(batch, new_steps, channels·depth_multiplier)``;
        kernel ``(kernel_size, channels, depth_multiplier)``.
    """ + _DEPTHWISE_ARGS

    rank = 1


class DepthwiseConv2D(BaseDepthwiseConv):
    __doc__ = """Depthwise 2-D convolution: each input channel filtered separately (channels never mix).

    Output channel ``c·depth_multiplier + m`` is input channel ``c`` convolved with ``kernel[:, :, c, m]``.

    Shapes:
        input ``(batch, height, width, channels)`` → output
        ``(batch, new_height, new_width, channels·depth_multiplier)``; kernel
        ``(kh, kw, channels, depth_multiplier)`` (Keras layout).
    """ + _DEPTHWISE_ARGS

    rank = 2


# --------------------------------------------------------------------------------------------- separable
class BaseSeparableConv(BaseConv):
    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format: str | None = None,
                 dilation_rate=1, depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        filters = positive_int(type(self).__name__, "filters", filters)
        depth_multiplier = positive_int(type(self).__name__, "depth_multiplier", depth_multiplier)
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, activity_regularizer, bias_constraint, **kwargs)
        self.filters, self.depth_multiplier = filters, depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self._check_spatial(input_shape)
        self.depthwise_kernel = self.add_weight(
            self.kernel_size + (channels, self.depth_multiplier), self.depthwise_initializer,
            name="depthwise_kernel", regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters), self.pointwise_initializer,
            name="pointwise_kernel", regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self._finish_build(channels, self.filters)

    def call(self, inputs, training=None, _logits: bool = False):
        self._check_spatial(inputs.shape)
        y = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides, self.padding,
                               self.data_format, self.dilation_rate, bias=self.bias)
        return self._finish(y, False, _logits)

    def get_config(self) -> dict:
        cfg = self._base_config()
        cfg.update({
            "filters": self.filters, "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": serialize_initializer(self.depthwise_initializer),
            "pointwise_initializer": serialize_initializer(self.pointwise_initializer),
            "depthwise_regularizer": serialize_regularizer(self.depthwise_regularizer),
            "pointwise_regularizer": serialize_regularizer(self.pointwise_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        })
        return cfg


_SEPARABLE_ARGS = """
    Args:
        filters: number of output channels (positive integer).
        kernel_size, strides, padding, data_format, dilation_rate: of the depthwise step, as in Conv2D.
        depth_multiplier: depthwise filters per input channel. Defaults to 1.
        activation: Defaults to None (linear). use_bias: Defaults to True.
        depthwise_initializer, pointwise_initializer: Default to 'glorot_uniform'.
        bias_initializer: Defaults to 'zeros'.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer,
            depthwise_constraint, pointwise_constraint, bias_constraint: Defaults to None.
"""


class SeparableConv1D(BaseSeparableConv):
    __doc__ = """Depthwise separable 1-D convolution: a depthwise convolution, then a pointwise (size-1) one.

    Shapes:
        input ``(batch, steps, channels)`` → output ``(batch, new_steps, filters)``.
    """ + _SEPARABLE_ARGS

    rank = 1


class SeparableConv2D(BaseSeparableConv):
    __doc__ = """Depthwise separable 2-D convolution: a depthwise convolution, then a 1×1 convolution.

    Far fewer weights than Conv2D for the same receptive field:
    ``kh·kw·in·depth_multiplier + in·depth_multiplier·filters`` instead of ``kh·kw·in·filters``.

    Shapes:
        input ``(batch, height, width, channels)`` → output ``(batch, new_height, new_width, filters)``;
        depthwise_kernel ``(kh, kw, channels, depth_multiplier)``, pointwise_kernel
        ``(1, 1, channels·depth_multiplier, filters)``.
    """ + _SEPARABLE_ARGS

    rank = 2


Convolution1D, Convolution2D = Conv1D, Conv2D
Convolution1DTranspose, Convolution2DTranspose = Conv1DTranspose, Conv2DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
