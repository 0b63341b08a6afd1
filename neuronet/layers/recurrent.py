"""Recurrent layers (Keras 3 arguments and weight layouts): SimpleRNN, LSTM, GRU, and RNN(cell).

Each layer runs its whole sequence as one fused op from :mod:`neuronet.ops.recurrent` (forward loop
and backpropagation through time side by side), so a 50-step LSTM adds one node to the graph.
``RNN(LSTMCell(n))`` is the same computation as ``LSTM(n)`` (likewise SimpleRNNCell, GRUCell); ``RNN``
also runs any other cell — ``call(inputs, states) -> (output, new_states)`` with a ``state_size`` —
step by step through autograd ops, and lists of cells stacked (``StackedRNNCells``).

Sequences of varying length: pad them (``neuronet.utils.pad_sequences``) and let a mask say which
steps are real — from ``Embedding(mask_zero=True)``, a ``Masking`` layer, or ``mask=`` in the call.
At a masked step the state does not change and the output repeats the previous one, as in Keras, so a
padded batch gives exactly the results (and gradients) of the unpadded sequences::

    model = Sequential([Embedding(1000, 16, mask_zero=True), LSTM(32), Dense(1, activation="sigmoid")])
"""

from __future__ import annotations

import numpy as np

from .. import activations, config, constraints, initializers, ops, regularizers
from ..autograd import Tensor
from ..ops.recurrent import RECURRENT_ACTIVATIONS
from .base import InputSpec, Layer

__all__ = ["SimpleRNN", "LSTM", "GRU", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def _activation_name(layer: str, arg: str, identifier) -> str:
    """The Keras name of an activation given as a name, None or one of ``neuronet.activations``."""
    if identifier is None:
        name = "linear"
    elif isinstance(identifier, str):
        name = identifier.lower()
    elif callable(identifier):
        try:
            name = activations.serialize(identifier)
        except Exception:  # not one of the library's activations
            name = getattr(identifier, "__name__", repr(identifier))
    else:
        raise TypeError(f"{layer}: {arg} must be a name or a function, received {identifier!r}")
    if name not in RECURRENT_ACTIVATIONS:
        raise ValueError(
            f"{layer}: {arg}={name!r} is not supported by the fused recurrent kernel; "
            f"expected one of {RECURRENT_ACTIVATIONS}"
        )
    return name


def _serialize(obj):
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", repr(obj))


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, masks, states, dropout, config.

    Subclasses set ``_gates`` (1, 4 or 3), ``_state_count`` (2 for LSTM) and implement ``_run``.
    """

    supports_masking = True
    _gates = 1
    _state_count = 1
    _has_recurrent_activation = False

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, zero_output_for_mask: bool = False, **kwargs):
        for key in ("use_cudnn", "implementation", "time_major"):
            kwargs.pop(key, None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._configure(units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
                        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None
        self.input_spec = InputSpec(ndim=3)

    def _configure(self, units, activation, recurrent_activation, use_bias, kernel_initializer,
                   recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
                   bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                   recurrent_dropout, seed) -> None:
        """Validate and store the arguments a recurrent layer shares with its cell."""
        cls = type(self).__name__
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{cls}: units must be a positive integer, received units={units!r}")
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
                raise ValueError(f"{cls}: {arg} must be a float in [0, 1), received {arg}={rate!r}")
        self.units = int(units)
        self.activation = _activation_name(cls, "activation", activation)
        self.recurrent_activation = (_activation_name(cls, "recurrent_activation", recurrent_activation)
                                     if self._has_recurrent_activation else None)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.recurrent_constraint, self.bias_constraint = (
            constraints.get(kernel_constraint), constraints.get(recurrent_constraint), constraints.get(bias_constraint))
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    # ------------------------------------------------------------------ weights
    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        features = self._build_weights(input_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: features})
        self.built = True

    def _build_weights(self, input_shape) -> int:
        """kernel, recurrent_kernel and bias in Keras layout; returns the number of input features."""
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the last axis (features) of the input must be "
                             f"known, received input shape {tuple(input_shape)}")
        g = self._gates * self.units
        self.kernel = self.add_weight((features, g), self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight((self.units, g), self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint, name="recurrent_kernel")
        self.bias = (self.add_weight(self._bias_shape(), self._bias_init(), regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint, name="bias") if self.use_bias else None)
        return features

    # ------------------------------------------------------------------ states
    def _zeros_state(self, batch: int) -> list:
        return [np.zeros((batch, self.units), self.dtype) for _ in range(self._state_count)]

    def reset_states(self, states=None) -> None:
        """Reset a stateful layer's states to zeros, or to ``states`` (one array per state)."""
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} '{self.name}': reset_states needs stateful=True")
        if states is None:
            if self.states is not None:
                for s in self.states:
                    s[...] = 0
            return
        states = [states] if not isinstance(states, (list, tuple)) else list(states)
        if len(states) != self._state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}': reset_states expected {self._state_count} "
                             f"state array(s), received {len(states)}")
        arrays = [np.array(_raw(s), dtype=self.dtype) for s in states]
        for a in arrays:
            if a.ndim != 2 or a.shape[1] != self.units:
                raise ValueError(f"{type(self).__name__} '{self.name}': each state must have shape (batch, "
                                 f"{self.units}), received {a.shape}")
        self.states = arrays

    reset_state = reset_states

    def _initial_states(self, initial_state, batch: int) -> list:
        name = f"{type(self).__name__} '{self.name}'"
        if initial_state is None:
            if self.stateful:
                if self.states is None:
                    self.states = self._zeros_state(batch)
                elif self.states[0].shape[0] != batch:
                    raise ValueError(f"{name}: a stateful layer needs the same batch size in every call; its "
                                     f"states have batch size {self.states[0].shape[0]}, received {batch}")
                return [Tensor._wrap(s) for s in self.states]
            return [Tensor._wrap(s) for s in self._zeros_state(batch)]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self._state_count:
            raise ValueError(f"{name}: initial_state expected {self._state_count} tensor(s), received {len(states)}")
        out = []
        for s in states:
            s = self._convert_input(s)
            if tuple(s.shape) != (batch, self.units):
                raise ValueError(f"{name}: initial_state expected shape {(batch, self.units)}, received "
                                 f"{tuple(s.shape)}")
            out.append(s)
        return out

    # ------------------------------------------------------------------ calling
    def _random(self):
        return self._rng if self._rng is not None else config.rng()

    def call(self, inputs, initial_state=None, mask=None, training=None):
        batch, steps, features = inputs.shape
        name = f"{type(self).__name__} '{self.name}'"
        if steps == 0:
            raise ValueError(f"{name}: expected at least one time step, received input shape {inputs.shape}")
        if mask is not None:
            mask = np.asarray(_raw(mask), dtype=bool)
            if mask.shape != (batch, steps):
                raise ValueError(f"{name}: expected a mask of shape {(batch, steps)}, received {mask.shape}")
        states = self._initial_states(initial_state, batch)
        x = inputs
        if training and self.dropout > 0:
            keep = 1.0 - self.dropout
            drop = (self._random().random((batch, 1, features)) < keep).astype(self.dtype)
            drop *= 1.0 / keep
            x = ops.multiply(x, drop)
        rmask = None
        if training and self.recurrent_dropout > 0:
            keep = 1.0 - self.recurrent_dropout
            rmask = (self._random().random((batch, self.units)) < keep).astype(self.dtype)
            rmask *= 1.0 / keep
        out = self._run(x, states, mask, rmask)
        output, final = out[0], list(out[1:])
        if self.stateful:
            self.states = [np.array(s.data) for s in final]
        if mask is not None and self.return_sequences:
            output._keras_mask = mask
        if self.return_state:
            return (output, *final)
        return output

    def _op_params(self, mask, rmask) -> dict:
        return dict(mask=mask, recurrent_mask=rmask, activation=self.activation, go_backwards=self.go_backwards,
                    return_sequences=self.return_sequences, zero_output_for_mask=self.zero_output_for_mask)

    def compute_mask(self, inputs, mask=None):
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * self._state_count
        return out_mask

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self._state_count
        return out

    # ------------------------------------------------------------------ config
    def _cell_config(self) -> dict:
        cfg = {
            "units": self.units, "activation": self.activation, "use_bias": self.use_bias,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "recurrent_initializer": _serialize(self.recurrent_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "recurrent_regularizer": _serialize(self.recurrent_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
        }
        if self._has_recurrent_activation:
            cfg["recurrent_activation"] = self.recurrent_activation
        return cfg

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(self._cell_config())
        cfg.update({
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        return cfg


_COMMON_ARGS = """
        use_bias: whether to add a bias. Defaults to True.
        kernel_initializer: for the input kernel. Defaults to 'glorot_uniform'.
        recurrent_initializer: for the recurrent kernel. Defaults to 'orthogonal'.
        bias_initializer: Defaults to 'zeros'.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer: penalties
            added to the loss. Default to None.
        kernel_constraint, recurrent_constraint, bias_constraint: applied to the weight after every
            update (see ``neuronet.constraints``). Default to None.
        dropout: fraction of the input features dropped during training (one mask per sequence,
            the same at every step, as Keras 3). Defaults to 0.0.
        recurrent_dropout: fraction of the recurrent state dropped before the recurrent kernel during
            training (one mask per sequence). Defaults to 0.0.
        seed: seed of the dropout masks (None: the library generator). Defaults to None.
        return_sequences: return the output of every step (batch, time, units) instead of the last
            one (batch, units). Defaults to False.
        return_state: also return the final state(s). Defaults to False.
        go_backwards: process the sequence backwards; with return_sequences the output is in that
            reversed order, as Keras. Defaults to False.
        stateful: carry the final states of a batch over as the initial states of the next batch
            (same batch size each call); ``reset_states()`` zeroes them. Defaults to False.
        unroll: accepted for Keras compatibility; the fused kernel never needs unrolling. Defaults to False.
        zero_output_for_mask: give zeros, not the previous output, at masked steps (with
            return_sequences). Defaults to False (Bidirectional sets it).

    Call arguments:
        inputs: (batch, time, features).
        initial_state: optional initial state tensor(s) of shape (batch, units).
        mask: optional boolean (batch, time); taken from the input's mask when not given.
        training: enables dropout.
"""


class SimpleRNN(_Recurrent):
    """Fully-connected RNN: ``h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias)``.

    Gradients through many steps are products of many Jacobians and tend to vanish (see
    ``examples/vanishing_gradients.py``); LSTM and GRU are designed to avoid that.

    Args:
        units: dimension of the state and output.
        activation: Defaults to 'tanh'.
    """ + _COMMON_ARGS + """
    Weights: kernel (features, units), recurrent_kernel (units, units), bias (units,).

    Example::

        >>> layer = SimpleRNN(4)
        >>> layer(np.zeros((32, 10, 8))).shape
        (32, 4)
    """

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def _run(self, x, states, mask, rmask):
        return ops.simple_rnn(x, states[0], self.kernel, self.recurrent_kernel, self.bias,
                              **self._op_params(mask, rmask))


class LSTM(_Recurrent):
    """Long Short-Term Memory (Hochreiter & Schmidhuber, 1997), Keras gate order i, f, c, o.

    ``i, f, o = recurrent_activation(x W + h U + b)``, ``g = activation(…)``,
    ``c_t = f·c_{t-1} + i·g``, ``h_t = o·activation(c_t)``. The cell ``c`` is updated additively, so
    the gradient can flow over long sequences without vanishing.

    Args:
        units: dimension of the state and output.
        activation: for the candidate and the cell output. Defaults to 'tanh'.
        recurrent_activation: for the gates. Defaults to 'sigmoid'.
        unit_forget_bias: add 1 to the forget-gate bias at initialization (Jozefowicz et al., 2015).
            Defaults to True.
    """ + _COMMON_ARGS + """
    Weights: kernel (features, 4·units), recurrent_kernel (units, 4·units), bias (4·units,), the
    columns in gate order i, f, c, o — the same as PyTorch's (i, f, g, o) after transposing.
    With ``return_state=True`` the call returns ``(output, h, c)``.

    Example::

        >>> LSTM(4, return_sequences=True)(np.zeros((32, 10, 8))).shape
        (32, 10, 4)
    """

    _gates = 4
    _state_count = 2
    _has_recurrent_activation = True

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            return np.concatenate([init((units,), dtype=dtype), np.ones((units,), dtype),
                                   init((2 * units,), dtype=dtype)]).astype(dtype)

        return forget_bias_one

    def _run(self, x, states, mask, rmask):
        params = self._op_params(mask, rmask)
        return ops.lstm(x, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias,
                        recurrent_activation=self.recurrent_activation, **params)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["unit_forget_bias"] = self.unit_forget_bias
        return cfg


class GRU(_Recurrent):
    """Gated Recurrent Unit (Cho et al., 2014), Keras gate order z, r, h.

    ``z = σ(x W_z + h U_z + b_z)``, ``r = σ(…)``, ``hh = tanh(x W_h + r·(h U_h + b_rh))``
    (reset_after=True; with False: ``tanh(x W_h + (r·h) U_h + b_h)``), ``h_t = z·h_{t-1} + (1-z)·hh``.

    Args:
        units: dimension of the state and output.
        activation: for the candidate hh. Defaults to 'tanh'.
        recurrent_activation: for the gates z, r. Defaults to 'sigmoid'.
        reset_after: apply the reset gate after the recurrent matrix product (Keras 3 default,
            cuDNN and PyTorch convention). Defaults to True.
    """ + _COMMON_ARGS + """
    Weights: kernel (features, 3·units), recurrent_kernel (units, 3·units), bias (2, 3·units) —
    input bias and recurrent bias — with reset_after=True, else (3·units,). PyTorch orders the gates
    r, z, n: swap the first two blocks when exchanging weights.

    Example::

        >>> GRU(4)(np.zeros((32, 10, 8))).shape
        (32, 4)
    """

    _gates = 3
    _has_recurrent_activation = True

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run(self, x, states, mask, rmask):
        params = self._op_params(mask, rmask)
        return ops.gru(x, states[0], self.kernel, self.recurrent_kernel, self.bias,
                       recurrent_activation=self.recurrent_activation, reset_after=self.reset_after, **params)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["reset_after"] = self.reset_after
        return cfg


# ----------------------------------------------------------------------------- cells and the generic RNN
class _Cell(Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: one step of the matching layer.

    A cell holds the weights (Keras layouts) and computes one step, ``call(inputs, states) ->
    (output, new_states)``, by running the layer's fused op on a sequence of length 1. Wrapped in
    :class:`RNN`, a cell of these three classes runs the whole sequence as one fused op, exactly as
    the matching layer does.
    """

    _gates = 1
    _state_count = 1
    _has_recurrent_activation = False
    _configure = _Recurrent._configure
    _build_weights = _Recurrent._build_weights
    _bias_shape = _Recurrent._bias_shape
    _bias_init = _Recurrent._bias_init
    _random = _Recurrent._random
    _cell_config = _Recurrent._cell_config

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self._configure(units, activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
                        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)

    @property
    def state_size(self):
        return self.units if self._state_count == 1 else [self.units] * self._state_count

    @property
    def output_size(self) -> int:
        return self.units

    def build(self, input_shape) -> None:
        features = self._build_weights(input_shape)
        self.input_spec = InputSpec(ndim=2, axes={-1: features})
        self.built = True

    def get_initial_state(self, batch_size: int) -> list:
        return [np.zeros((batch_size, self.units), self.dtype) for _ in range(self._state_count)]

    def _dropout_masks(self, batch: int, features: int, training) -> tuple:
        drop = rmask = None
        if training and self.dropout > 0:
            keep = 1.0 - self.dropout
            drop = (self._random().random((batch, 1, features)) < keep).astype(self.dtype)
            drop *= 1.0 / keep
        if training and self.recurrent_dropout > 0:
            keep = 1.0 - self.recurrent_dropout
            rmask = (self._random().random((batch, self.units)) < keep).astype(self.dtype)
            rmask *= 1.0 / keep
        return drop, rmask

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != self._state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected {self._state_count} state(s), "
                             f"received {len(states)}")
        batch, features = inputs.shape
        x = ops.reshape(inputs, (batch, 1, features))
        drop, rmask = self._dropout_masks(batch, features, training)
        if drop is not None:
            x = ops.multiply(x, drop)
        out = self._sequence(x, [self._convert_input(s) for s in states], None, rmask, False, False, False)
        return out[0], list(out[1:])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(self._cell_config())
        return cfg


class SimpleRNNCell(_Cell):
    """One step of :class:`SimpleRNN`: ``h = activation(x · kernel + h_prev · recurrent_kernel + bias)``.

    Args: as SimpleRNN (units, activation, use_bias, initializers, regularizers, constraints,
    dropout, recurrent_dropout, seed). Call: ``cell(x, [h]) -> (h_new, [h_new])``.
    """

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def _sequence(self, x, states, mask, rmask, go_backwards, return_sequences, zero_output_for_mask):
        return ops.simple_rnn(x, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                              recurrent_mask=rmask, activation=self.activation, go_backwards=go_backwards,
                              return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)


class LSTMCell(_Cell):
    """One step of :class:`LSTM` (gates i, f, c, o). Call: ``cell(x, [h, c]) -> (h_new, [h_new, c_new])``.

    Args: as LSTM (units, activation, recurrent_activation, use_bias, unit_forget_bias, initializers,
    regularizers, constraints, dropout, recurrent_dropout, seed).
    """

    _gates = 4
    _state_count = 2
    _has_recurrent_activation = True
    _bias_init = LSTM._bias_init

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _sequence(self, x, states, mask, rmask, go_backwards, return_sequences, zero_output_for_mask):
        return ops.lstm(x, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias, mask=mask,
                        recurrent_mask=rmask, activation=self.activation,
                        recurrent_activation=self.recurrent_activation, go_backwards=go_backwards,
                        return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["unit_forget_bias"] = self.unit_forget_bias
        return cfg


class GRUCell(_Cell):
    """One step of :class:`GRU` (gates z, r, h). Call: ``cell(x, [h]) -> (h_new, [h_new])``.

    Args: as GRU (units, activation, recurrent_activation, use_bias, reset_after, initializers,
    regularizers, constraints, dropout, recurrent_dropout, seed).
    """

    _gates = 3
    _has_recurrent_activation = True
    _bias_shape = GRU._bias_shape

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.reset_after = bool(reset_after)

    def _sequence(self, x, states, mask, rmask, go_backwards, return_sequences, zero_output_for_mask):
        return ops.gru(x, states[0], self.kernel, self.recurrent_kernel, self.bias, mask=mask, recurrent_mask=rmask,
                       activation=self.activation, recurrent_activation=self.recurrent_activation,
                       go_backwards=go_backwards, return_sequences=return_sequences,
                       zero_output_for_mask=zero_output_for_mask, reset_after=self.reset_after)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["reset_after"] = self.reset_after
        return cfg


def _sizes(state_size) -> list:
    return [int(s) for s in state_size] if isinstance(state_size, (list, tuple)) else [int(state_size)]


class StackedRNNCells(Layer):
    """Cells stacked at each step: the output of one is the input of the next (Keras ``StackedRNNCells``).

    The states are the concatenated list of every cell's states, first cell first.
    """

    def __init__(self, cells, **kwargs):
        cells = list(cells)
        if not cells or not all(hasattr(c, "state_size") and callable(c) for c in cells):
            raise ValueError(f"StackedRNNCells: expected a non-empty list of RNN cells, received {cells!r}")
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self) -> list:
        return [s for c in self.cells for s in _sizes(c.state_size)]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        return int(getattr(last, "output_size", _sizes(last.state_size)[0]))

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            shape = (shape[0], int(getattr(cell, "output_size", _sizes(cell.state_size)[0])))
        self.built = True

    def call(self, inputs, states, training=None):
        new_states, i = [], 0
        x = inputs
        for cell in self.cells:
            n = len(_sizes(cell.state_size))
            x, s = _call_cell(cell, x, list(states[i:i + n]), training)
            new_states.extend(s)
            i += n
        return x, new_states


def _call_cell(cell, x, states, training):
    """``cell(x, states)`` → (output, list of new states), passing ``training`` when the cell takes it."""
    if getattr(cell, "_call_takes_training", False):
        out, new = cell(x, states, training=training)
    else:
        out, new = cell(x, states)
    return out, (list(new) if isinstance(new, (list, tuple)) else [new])


class RNN(_Recurrent):
    """A recurrent layer around any cell (Keras ``RNN``): the loop over time for ``cell(x_t, states)``.

    Args:
        cell: an RNN cell — an object with ``call(inputs, states)`` returning ``(output, new_states)``
            and a ``state_size`` (int or list) — or a list of cells (stacked). SimpleRNNCell, LSTMCell
            and GRUCell run the whole sequence as one fused op; other cells step by step through
            autograd ops.
        return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask: as for
            :class:`LSTM`. Default to False.

    Example::

        >>> layer = RNN(LSTMCell(8), return_sequences=True)     # the same computation as LSTM(8, ...)
        >>> layer(np.zeros((4, 10, 3))).shape
        (4, 10, 8)
    """

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(cell) or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: cell must have a call method and a state_size attribute, received {cell!r}")
        Layer.__init__(self, **kwargs)
        self.cell = cell
        self._fused = type(cell) in (SimpleRNNCell, LSTMCell, GRUCell)
        self._state_sizes = _sizes(cell.state_size)
        self._state_count = len(self._state_sizes)
        self.units = int(getattr(cell, "output_size", self._state_sizes[0]))
        self.dropout = cell.dropout if self._fused else 0.0
        self.recurrent_dropout = cell.recurrent_dropout if self._fused else 0.0
        self._rng = getattr(cell, "_rng", None)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape) -> None:
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((input_shape[0],) + tuple(input_shape[2:]))
            self.cell.built = True
        self.built = True

    def _zeros_state(self, batch: int) -> list:
        return [np.zeros((batch, n), self.dtype) for n in self._state_sizes]

    def _initial_states(self, initial_state, batch: int) -> list:
        if initial_state is None:
            return super()._initial_states(None, batch)
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self._state_count:
            raise ValueError(f"RNN '{self.name}': initial_state expected {self._state_count} tensor(s), received "
                             f"{len(states)}")
        out = []
        for s, n in zip(states, self._state_sizes):
            s = self._convert_input(s)
            if tuple(s.shape) != (batch, n):
                raise ValueError(f"RNN '{self.name}': initial_state expected shape {(batch, n)}, received "
                                 f"{tuple(s.shape)}")
            out.append(s)
        return out

    def _run(self, x, states, mask, rmask):
        if self._fused:
            return self.cell._sequence(x, states, mask, rmask, self.go_backwards, self.return_sequences,
                                       self.zero_output_for_mask)
        return self._loop(x, states, mask)

    def _loop(self, x, states, mask):
        """The generic loop: one cell call per step, masked steps keeping state and output (Keras)."""
        batch, steps = x.shape[0], x.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        training = self._training
        prev = Tensor._wrap(np.zeros((batch, self.units), self.dtype))
        outputs = []
        for t in order:
            out, new = _call_cell(self.cell, x[:, t], states, training)
            if mask is not None and not mask[:, t].all():
                keep = mask[:, t][:, None]
                new = [ops.where(keep, n, s) for n, s in zip(new, states)]
                out = ops.where(keep, out, np.zeros((), self.dtype) if self.zero_output_for_mask else prev)
            states, prev = new, out
            outputs.append(out)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return (output, *states)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        self._training = training
        if isinstance(self.cell, StackedRNNCells) and initial_state is not None:  # Keras nests them per cell
            initial_state = [s for group in initial_state
                             for s in (group if isinstance(group, (list, tuple)) else [group])]
        out = super().call(inputs, initial_state=initial_state, mask=mask, training=training)
        if self.return_state and isinstance(self.cell, StackedRNNCells):
            # as Keras: (output, [states of cell 1], [states of cell 2], ...)
            flat, grouped = list(out[1:]), []
            for cell in self.cell.cells:
                n = len(_sizes(cell.state_size))
                grouped.append(flat[:n])
                flat = flat[n:]
            return (out[0], *grouped)
        return out

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, n) for n in self._state_sizes]
        return out

    def get_config(self) -> dict:
        cfg = Layer.get_config(self)
        cfg.update({
            "cell": {"class_name": type(self.cell).__name__, "config": self.cell.get_config()},
            "return_sequences": self.return_sequences, "return_state": self.return_state,
            "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        spec = config.pop("cell")
        name = spec.get("class_name")
        cell_cls = {c.__name__: c for c in (SimpleRNNCell, LSTMCell, GRUCell)}.get(name)
        if cell_cls is None:
            raise ValueError(f"RNN.from_config: unknown cell class_name {name!r} (SimpleRNNCell, LSTMCell and "
                             "GRUCell can be rebuilt from a config; pass other cells in code)")
        return cls(cell_cls.from_config(dict(spec.get("config", {}))), **config)
