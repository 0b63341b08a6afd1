"""3-D layers (volumes, videos, ``(batch, depth, height, width, channels)``), Keras 3 names and layouts.

``Conv3D`` slides a ``(kd, kh, kw)`` kernel through a volume (kernel ``(kd, kh, kw, in/groups,
filters)``, bias ``(filters,)``, as Keras); the pooling layers keep the max or the mean of each 3-D
window; the global ones reduce depth, height and width. ``ZeroPadding3D``, ``Cropping3D`` and
``UpSampling3D`` move voxels as their 2-D counterparts move pixels.
"""

from __future__ import annotations

from .. import ops
from ..ops.conv3d import average_pool3d, conv3d, max_pool3d
from .conv import _CONV_ARGS, BaseStandardConv
from .pooling import _GLOBAL_ARGS, _POOL_ARGS, BaseGlobalPooling, BasePooling
from .spatial import _Cropping, _UpSampling, _ZeroPadding

__all__ = [
    "Conv3D", "Convolution3D", "MaxPooling3D", "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D",
    "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D", "GlobalAvgPool3D", "ZeroPadding3D", "Cropping3D", "UpSampling3D",
]


class Conv3D(BaseStandardConv):
    __doc__ = """3-D convolution: ``output = activation(conv3d(inputs, kernel) + bias)``.

    Shapes: ``(batch, depth, height, width, channels)`` → ``(batch, out_d, out_h, out_w, filters)``
    (channels first with ``data_format='channels_first'``).
    """ + _CONV_ARGS.format(causal="") + """
    Weights: kernel ``(kd, kh, kw, channels / groups, filters)``, bias ``(filters,)``.

    Example::

        >>> Conv3D(8, 3, padding="same")(np.ones((2, 10, 10, 10, 1))).shape
        (2, 10, 10, 10, 8)
    """
    rank = 3

    def __init__(self, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate=(1, 1, 1), groups: int = 1, activation=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs, training=None, _logits: bool = False):
        self._check_spatial(inputs.shape)
        if self.groups == 1:
            y = conv3d(inputs, self.kernel, self.strides, self.padding, self.data_format, self.dilation_rate,
                       bias=self.bias)
            return self._finish(y, False, _logits)
        # grouped convolution: each group of input channels has its own filters
        cin, fout = inputs.shape[self._channel_axis] // self.groups, self.filters // self.groups
        outs = []
        for g in range(self.groups):
            index = [slice(None)] * 5
            index[self._channel_axis] = slice(g * cin, (g + 1) * cin)
            bias = None if self.bias is None else self.bias[g * fout:(g + 1) * fout]
            outs.append(conv3d(inputs[tuple(index)], self.kernel[..., g * fout:(g + 1) * fout], self.strides,
                               self.padding, self.data_format, self.dilation_rate, bias=bias))
        return self._finish(ops.concatenate(outs, axis=self._channel_axis), False, _logits)


class MaxPooling3D(BasePooling):
    __doc__ = """3-D max pooling: the largest value of each window, per channel.

    Shapes: ``(batch, depth, height, width, channels)`` → ``(batch, out_d, out_h, out_w, channels)``.
    """ + _POOL_ARGS.format(default="(2, 2, 2)")
    rank = 3
    _op = staticmethod(max_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid", data_format: str | None = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(BasePooling):
    __doc__ = """3-D average pooling: the mean of each window, per channel ('same' padding is not counted).

    Shapes: ``(batch, depth, height, width, channels)`` → ``(batch, out_d, out_h, out_w, channels)``.
    """ + _POOL_ARGS.format(default="(2, 2, 2)")
    rank = 3
    _op = staticmethod(average_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding: str = "valid", data_format: str | None = None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class GlobalAveragePooling3D(BaseGlobalPooling):
    __doc__ = """The mean over depth, height and width, per channel.

    Shapes: ``(batch, depth, height, width, channels)`` → ``(batch, channels)`` (or ``(batch, 1, 1, 1,
    channels)`` with keepdims).
    """ + _GLOBAL_ARGS
    rank = 3

    def call(self, inputs):
        return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)


class GlobalMaxPooling3D(BaseGlobalPooling):
    __doc__ = """The maximum over depth, height and width, per channel.

    Shapes: ``(batch, depth, height, width, channels)`` → ``(batch, channels)`` (or ``(batch, 1, 1, 1,
    channels)`` with keepdims).
    """ + _GLOBAL_ARGS
    rank = 3

    def call(self, inputs):
        return ops.max(inputs, axis=self._axes, keepdims=self.keepdims)


class ZeroPadding3D(_ZeroPadding):
    """Add zeros around every volume.

    Args:
        padding: int (all sides), 3 ints (symmetric per axis) or 3 ``(before, after)`` pairs.
            Defaults to ``((1, 1), (1, 1), (1, 1))``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Remove voxels at the borders of every volume.

    Args:
        cropping: int, 3 ints or 3 ``(before, after)`` pairs. Defaults to ``((1, 1), (1, 1), (1, 1))``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class UpSampling3D(_UpSampling):
    """Repeat every voxel ``size`` times along depth, height and width (nearest neighbour).

    Args:
        size: int or 3 ints. Defaults to ``(2, 2, 2)``.
        data_format: ``'channels_last'`` (default) or ``'channels_first'``.
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format: str | None = None, **kwargs):
        super().__init__(size, data_format, **kwargs)


Convolution3D = Conv3D
MaxPool3D, AvgPool3D = MaxPooling3D, AveragePooling3D
GlobalMaxPool3D, GlobalAvgPool3D = GlobalMaxPooling3D, GlobalAveragePooling3D
