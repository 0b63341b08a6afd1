"""Convolutional LSTMs (Shi et al. 2015): ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, for sequences of signals,
images or volumes (e.g. predicting the next frame of a video).

An LSTM whose matrix products are convolutions: the state ``h`` and the memory ``c`` are feature
maps, and each step, with ``*`` a convolution (Keras gate order i, f, c, o)::

    z = x_t * kernel + h * recurrent_kernel + bias      (the recurrent convolution: stride 1, 'same')
    i, f, g, o = split(z, 4, channels)
    c = σ(f)·c + σ(i)·tanh(g);   h = σ(o)·tanh(c)

Weights (Keras layout, in the layer's ``cell``): ``kernel (k..., channels, 4·filters)``,
``recurrent_kernel (k..., filters, 4·filters)``, ``bias (4·filters,)``. Each step is composed from
neuronet's differentiable ops, so the gradient through time comes from theirs.
"""

from __future__ import annotations

import numpy as np

from .. import activations, constraints, initializers, ops, regularizers
from ..ops.conv import conv_geometry, normalize_data_format, normalize_padding, normalize_tuple
from .base import InputSpec, Layer
from .conv import serialize_initializer, serialize_regularizer

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]


class ConvLSTMCell(Layer):
    """One step of a ConvLSTM of ``rank`` spatial axes (the ``cell`` of :class:`ConvLSTM2D` and its kin)."""

    def __init__(self, rank: int, filters: int, kernel_size, strides=1, padding="valid", dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.rank, self.filters = rank, filters
        self.kernel_size, self.strides, self.padding = kernel_size, strides, padding
        self.dilation_rate = dilation_rate
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout, self.seed = dropout, recurrent_dropout, seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def build(self, input_shape) -> None:
        """``input_shape``: one step's, (batch, *spatial, channels)."""
        channels = int(input_shape[-1])
        self.kernel = self.add_weight(self.kernel_size + (channels, 4 * self.filters), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(self.kernel_size + (self.filters, 4 * self.filters),
                                                self.recurrent_initializer, name="recurrent_kernel",
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            init, filters = self.bias_initializer, self.filters
            if self.unit_forget_bias:  # ones on the forget gate (Jozefowicz et al., 2015)
                def init(shape, dtype=None, base=self.bias_initializer):
                    return np.concatenate([base((filters,), dtype=dtype), np.ones((filters,), dtype),
                                           base((2 * filters,), dtype=dtype)]).astype(dtype)
            self.bias = self.add_weight((4 * self.filters,), init, name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _conv(self, x, kernel, strides, padding, dilation_rate):
        if self.rank == 3:
            return ops.conv3d(x, kernel, strides=strides, padding=padding, dilation_rate=dilation_rate)
        return ops.conv(x, kernel, strides=strides, padding=padding, dilation_rate=dilation_rate)

    def dropout_masks(self, x_shape: tuple, h_shape: tuple, dtype, training: bool) -> tuple:
        """Inverted-dropout masks for the inputs and the state, drawn once per sequence (as Keras's
        recurrent dropout: the same units dropped at every step)."""
        def mask(rate, shape):
            if not training or rate == 0.0:
                return None
            rng = self._rng if self._rng is not None else np.random.default_rng()
            return ((rng.random(shape) >= rate) / (1.0 - rate)).astype(dtype)

        return mask(self.dropout, x_shape), mask(self.recurrent_dropout, h_shape)

    def step(self, x, h, c, masks=(None, None)):
        """``(h_new, c_new)`` after one step from inputs ``x`` and state ``(h, c)``."""
        x_mask, h_mask = masks
        if x_mask is not None:
            x = ops.multiply(x, x_mask)
        if h_mask is not None:
            h = ops.multiply(h, h_mask)
        z = ops.add(self._conv(x, self.kernel, self.strides, self.padding, self.dilation_rate),
                    self._conv(h, self.recurrent_kernel, 1, "same", 1))
        if self.bias is not None:
            z = ops.add(z, self.bias)
        a_i, a_f, a_c, a_o = ops.split(z, 4, axis=-1)
        gate, act = self.recurrent_activation, self.activation
        c = ops.add(ops.multiply(gate(a_f), c), ops.multiply(gate(a_i), act(a_c)))
        return ops.multiply(gate(a_o), act(c)), c


class _ConvLSTM(Layer):
    """A ConvLSTM over ``rank`` spatial axes; see the module docstring and :class:`ConvLSTM2D`."""

    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias: bool = True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed=None, return_sequences: bool = False,
                 return_state: bool = False, go_backwards: bool = False, stateful: bool = False, **kwargs):
        for option, keras_default in (("unroll", False), ("zero_output_for_mask", False)):
            if kwargs.pop(option, keras_default) != keras_default:
                raise ValueError(f"{type(self).__name__}: {option}=True is not supported")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        where = f"{type(self).__name__} '{self.name}'"
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters < 1:
            raise ValueError(f"{where}: expected filters to be a positive integer, received filters={filters!r}")
        if normalize_data_format(data_format, where) != "channels_last":
            raise ValueError(f"{where}: only data_format='channels_last' is supported, received {data_format!r}")
        if stateful:
            raise ValueError(f"{where}: stateful=True is not supported")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(rate) < 1.0:
                raise ValueError(f"{where}: expected {name} in [0, 1), received {name}={rate!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", where)
        self.strides = normalize_tuple(strides, self.rank, "strides", where)
        self.padding = normalize_padding(padding, where)
        self.data_format = "channels_last"
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", where)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), False
        self.cell = ConvLSTMCell(self.rank, self.filters, self.kernel_size, self.strides, self.padding,
                                 self.dilation_rate, activation, recurrent_activation, bool(use_bias),
                                 kernel_initializer, recurrent_initializer, bias_initializer, bool(unit_forget_bias),
                                 kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                                 recurrent_constraint, bias_constraint, float(dropout), float(recurrent_dropout),
                                 seed, name="conv_lstm_cell", dtype=self.dtype)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def _spatial(self, input_shape) -> tuple:
        out = []
        for size, k, s, d in zip(input_shape[2:-1], self.kernel_size, self.strides, self.dilation_rate):
            out.append(None if size is None else conv_geometry(int(size), k, s, d, self.padding)[0])
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"{type(self).__name__} '{self.name}': kernel_size {self.kernel_size} is larger than the "
                             f"input's spatial shape {tuple(input_shape[2:-1])} with padding='valid'")
        return tuple(out)

    def build(self, input_shape) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel axis of the input must be known, "
                             f"received input shape {tuple(input_shape)}")
        self._spatial(input_shape)
        self.cell.build((input_shape[0],) + tuple(input_shape[2:]))
        self.built = True

    def call(self, inputs, training=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        state_shape = (batch,) + self._spatial(inputs.shape) + (self.filters,)
        h = c = ops.convert_to_tensor(np.zeros(state_shape, self.dtype))
        masks = self.cell.dropout_masks((batch,) + tuple(inputs.shape[2:]), state_shape, self.dtype, bool(training))
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        for t in order:
            h, c = self.cell.step(inputs[:, t], h, c, masks)
            if self.return_sequences:
                outputs.append(h)
        output = ops.stack(outputs, axis=1) if self.return_sequences else h
        return [output, h, c] if self.return_state else output

    def compute_output_shape(self, input_shape):
        state = (input_shape[0],) + self._spatial(input_shape) + (self.filters,)
        output = (input_shape[0], input_shape[1]) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def get_config(self) -> dict:
        cell = self.cell
        cfg = super().get_config()
        cfg.update({
            "filters": self.filters, "kernel_size": list(self.kernel_size), "strides": list(self.strides),
            "padding": self.padding, "data_format": self.data_format, "dilation_rate": list(self.dilation_rate),
            "activation": activations.serialize(cell.activation),
            "recurrent_activation": activations.serialize(cell.recurrent_activation), "use_bias": cell.use_bias,
            "kernel_initializer": serialize_initializer(cell.kernel_initializer),
            "recurrent_initializer": serialize_initializer(cell.recurrent_initializer),
            "bias_initializer": serialize_initializer(cell.bias_initializer),
            "unit_forget_bias": cell.unit_forget_bias,
            "kernel_regularizer": serialize_regularizer(cell.kernel_regularizer),
            "recurrent_regularizer": serialize_regularizer(cell.recurrent_regularizer),
            "bias_regularizer": serialize_regularizer(cell.bias_regularizer),
            "activity_regularizer": serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(cell.kernel_constraint),
            "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
            "bias_constraint": constraints.serialize(cell.bias_constraint),
            "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout, "seed": cell.seed,
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful,
        })
        return cfg


class ConvLSTM1D(_ConvLSTM):
    """ConvLSTM over sequences of signals: input ``(batch, time, steps, channels)``; see :class:`ConvLSTM2D`."""

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """ConvLSTM over sequences of images (Keras ``ConvLSTM2D``); see the module docstring for the step.

    Args:
        filters: the channels of the state and the output.
        kernel_size: int or (kh, kw), for the input and the recurrent convolutions.
        strides: of the input convolution (the recurrent one has stride 1). Defaults to 1.
        padding: 'valid' or 'same', of the input convolution. Defaults to 'valid'.
        dilation_rate: of the input convolution. Defaults to 1.
        activation: Defaults to 'tanh'. recurrent_activation: Defaults to 'sigmoid'.
        use_bias: Defaults to True. unit_forget_bias: a forget-gate bias of 1. Defaults to True.
        kernel_initializer: Defaults to 'glorot_uniform'. recurrent_initializer: Defaults to 'orthogonal'.
        bias_initializer: Defaults to 'zeros'.
        kernel/recurrent/bias/activity_regularizer, kernel/recurrent/bias_constraint: Default to None.
        dropout: rate of the inputs dropped in training (one mask per sequence). Defaults to 0.
        recurrent_dropout: rate of the state dropped in training (one mask per sequence). Defaults to 0.
        seed: seed of the dropout masks. Defaults to None.
        return_sequences: return the state of every step, not just the last. Defaults to False.
        return_state: also return the last ``h`` and ``c``. Defaults to False.
        go_backwards: read the sequence backwards. Defaults to False.
        stateful: only False is supported.

    Shapes: ``(batch, time, height, width, channels)`` → ``(batch, height', width', filters)``, or
    ``(batch, time, height', width', filters)`` with ``return_sequences``.
    """

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """ConvLSTM over sequences of volumes: input ``(batch, time, depth, height, width, channels)``; see
    :class:`ConvLSTM2D`."""

    rank = 3
