"""The recurrent cells — one step of SimpleRNN, LSTM and GRU — and StackedRNNCells (Keras 3).

A cell holds the weights (Keras names, shapes and gate orders) and computes ONE step,
``call(inputs, states, training) -> (output, new_states)``, composed from autograd ops: the textbook
equations line by line, their gradient left to autograd. This is the reference computation. The
layers :class:`~neuronet.layers.SimpleRNN`, :class:`~neuronet.layers.LSTM` and
:class:`~neuronet.layers.GRU` each own one of these cells (``layer.cell``) and, like ``RNN(cell)``,
run a whole sequence through the matching fused op of :mod:`neuronet.ops.recurrent` instead, which
computes the same values and gradients in one graph node (tests/ops/test_recurrent.py checks the
two against each other). Calling a cell yourself, or stacking cells, runs this reference code::

    >>> cell = LSTMCell(8)
    >>> h, [h, c] = cell(np.zeros((4, 3)), cell.get_initial_state(4))
    >>> h.shape
    (4, 8)

Dropout follows Keras's ``DropoutRNNCell``: with ``training=True`` a cell draws one mask for the
inputs and one for the recurrent state on first use and applies the same masks at every step, until
the RNN layer resets them at the end of the sequence (``reset_dropout_mask``).
"""

from __future__ import annotations

import numpy as np

from .. import activations, config, constraints, initializers, ops, regularizers
from ..ops.recurrent import RECURRENT_ACTIVATIONS
from .base import InputSpec, Layer

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def _activation_name(where: str, arg: str, identifier) -> str:
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
        raise TypeError(f"{where}: {arg} must be a name or a function, received {identifier!r}")
    if name not in RECURRENT_ACTIVATIONS:
        raise ValueError(
            f"{where}: {arg}={name!r} is not supported by the fused recurrent kernel; "
            f"expected one of {RECURRENT_ACTIVATIONS}"
        )
    return name


def check_arguments(where: str, units, activation, recurrent_activation, dropout, recurrent_dropout) -> tuple:
    """``(units, activation name, recurrent activation name or None, dropout, recurrent_dropout)``
    validated, or a ValueError naming ``where`` (a layer or cell class) and the argument."""
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(f"{where}: units must be a positive integer, received units={units!r}")
    for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
        if not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
            raise ValueError(f"{where}: {arg} must be a float in [0, 1), received {arg}={rate!r}")
    act = _activation_name(where, "activation", activation)
    rec = None if recurrent_activation is None else _activation_name(where, "recurrent_activation",
                                                                      recurrent_activation)
    return int(units), act, rec, float(dropout), float(recurrent_dropout)


def _serialize(obj):
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    return getattr(obj, "__name__", repr(obj))


class _RecurrentCell(Layer):
    """What SimpleRNNCell, LSTMCell and GRUCell share: arguments, weights, dropout masks, config.

    Subclasses set ``_gates`` (gate blocks in the kernels' columns) and ``_state_count``, and write
    ``call`` (the reference step) and ``_sequence`` (the whole sequence through the fused op).
    """

    _gates = 1
    _state_count = 1
    _has_recurrent_activation = False

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation, self.recurrent_activation, self.dropout, self.recurrent_dropout = (
            check_arguments(type(self).__name__, units, activation,
                            recurrent_activation if self._has_recurrent_activation else None,
                            dropout, recurrent_dropout))
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.recurrent_constraint, self.bias_constraint = (
            constraints.get(kernel_constraint), constraints.get(recurrent_constraint), constraints.get(bias_constraint))
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._dropout_mask = self._recurrent_dropout_mask = None

    @property
    def state_size(self):
        return self.units if self._state_count == 1 else [self.units] * self._state_count

    @property
    def output_size(self) -> int:
        return self.units

    # ------------------------------------------------------------------ weights
    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape) -> None:
        """kernel (features, gates·units), recurrent_kernel (units, gates·units) and bias, Keras's layout."""
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
        self.bias = (self.add_weight(self._bias_shape(), self._bias_initializer(), regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint, name="bias") if self.use_bias else None)
        self.input_spec = InputSpec(ndim=2, axes={-1: features})
        self.built = True

    def get_initial_state(self, batch_size: int) -> list:
        return [np.zeros((batch_size, self.units), self.dtype) for _ in range(self._state_count)]

    # ------------------------------------------------------------------ dropout masks
    def _draw_mask(self, shape, rate: float) -> np.ndarray:
        keep = 1.0 - rate
        rng = self._rng if self._rng is not None else config.rng()
        mask = (rng.random(shape) < keep).astype(self.dtype)
        mask *= 1.0 / keep  # inverted dropout: the expected value is unchanged
        return mask

    def get_dropout_mask(self, step_input):
        """The input dropout mask of the current sequence, shaped like one step's input (batch,
        features): drawn on first use, then the same until :meth:`reset_dropout_mask`. None without
        dropout."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_mask(tuple(step_input.shape), self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """As :meth:`get_dropout_mask`, for the state h_{t-1} (batch, units) where it meets the
        recurrent kernel."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_mask(tuple(state.shape), self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        self._recurrent_dropout_mask = None

    # ------------------------------------------------------------------ one step
    def _step_inputs(self, inputs, states, training) -> tuple:
        """``(x, h, states)``: the step's input and h_{t-1} with this sequence's dropout masks applied
        (when training), and the states as given, checked."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != self._state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}': expected {self._state_count} state(s), "
                             f"received {len(states)}")
        states = [self._convert_input(s) for s in states]
        x, h = inputs, states[0]
        if training:
            drop, recurrent_drop = self.get_dropout_mask(x), self.get_recurrent_dropout_mask(h)
            x = x if drop is None else ops.multiply(x, drop)
            h = h if recurrent_drop is None else ops.multiply(h, recurrent_drop)
        return x, h, states

    def _op_options(self, mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask) -> dict:
        return dict(mask=mask, recurrent_mask=recurrent_mask, activation=self.activation, go_backwards=go_backwards,
                    return_sequences=return_sequences, zero_output_for_mask=zero_output_for_mask)

    # ------------------------------------------------------------------ config
    def _cell_config(self) -> dict:
        """The cell's own arguments (what a layer that owns it adds to its config)."""
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
        return cfg


class SimpleRNNCell(_RecurrentCell):
    """One step of :class:`SimpleRNN`: ``h = activation(x · kernel + h_prev · recurrent_kernel + bias)``.

    Args: as SimpleRNN (units, activation, use_bias, initializers, regularizers, constraints,
    dropout, recurrent_dropout, seed). Call: ``cell(x, [h]) -> (h_new, [h_new])``.
    """

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)

    def call(self, inputs, states, training=None):
        x, h, _ = self._step_inputs(inputs, states, training)
        z = ops.matmul(x, self.kernel) + ops.matmul(h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        h = activations.get(self.activation)(z)
        return h, [h]

    def _sequence(self, x, states, mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask):
        options = self._op_options(mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask)
        return ops.simple_rnn(x, states[0], self.kernel, self.recurrent_kernel, self.bias, **options)


class LSTMCell(_RecurrentCell):
    """One step of :class:`LSTM`, Keras gate order i, f, c, o. Call: ``cell(x, [h, c]) -> (h_new, [h_new, c_new])``.

    Args: as LSTM (units, activation, recurrent_activation, use_bias, unit_forget_bias, initializers,
    regularizers, constraints, dropout, recurrent_dropout, seed).
    """

    _gates = 4
    _state_count = 2
    _has_recurrent_activation = True

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, init = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):  # ones on the forget gate (Jozefowicz et al., 2015)
            return np.concatenate([init((units,), dtype=dtype), np.ones((units,), dtype),
                                   init((2 * units,), dtype=dtype)]).astype(dtype)

        return forget_bias_one

    def call(self, inputs, states, training=None):
        x, h, (_, c_prev) = self._step_inputs(inputs, states, training)
        act, gate = activations.get(self.activation), activations.get(self.recurrent_activation)
        z = ops.matmul(x, self.kernel) + ops.matmul(h, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        a_i, a_f, a_c, a_o = ops.split(z, 4, axis=-1)
        i, f, o = gate(a_i), gate(a_f), gate(a_o)  # input, forget and output gates
        g = act(a_c)                               # the candidate
        c = f * c_prev + i * g
        h = o * act(c)
        return h, [h, c]

    def _sequence(self, x, states, mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask):
        options = self._op_options(mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask)
        return ops.lstm(x, states[0], states[1], self.kernel, self.recurrent_kernel, self.bias,
                        recurrent_activation=self.recurrent_activation, **options)

    def _cell_config(self) -> dict:
        return dict(super()._cell_config(), unit_forget_bias=self.unit_forget_bias)


class GRUCell(_RecurrentCell):
    """One step of :class:`GRU`, Keras gate order z, r, h. Call: ``cell(x, [h]) -> (h_new, [h_new])``.

    Args: as GRU (units, activation, recurrent_activation, use_bias, reset_after, initializers,
    regularizers, constraints, dropout, recurrent_dropout, seed).
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

    def call(self, inputs, states, training=None):
        x, h, (h_prev,) = self._step_inputs(inputs, states, training)
        act, gate = activations.get(self.activation), activations.get(self.recurrent_activation)
        b_in, b_rec = (self.bias[0], self.bias[1]) if self.reset_after and self.bias is not None else (self.bias, None)
        x_proj = ops.matmul(x, self.kernel)
        x_z, x_r, x_h = ops.split(x_proj if b_in is None else x_proj + b_in, 3, axis=-1)
        if self.reset_after:  # the reset gate scales h·U_h (+ its bias), after the product
            h_proj = ops.matmul(h, self.recurrent_kernel)
            h_z, h_r, h_h = ops.split(h_proj if b_rec is None else h_proj + b_rec, 3, axis=-1)
            z, r = gate(x_z + h_z), gate(x_r + h_r)  # update and reset gates
            hh = act(x_h + r * h_h)
        else:                 # the reset gate scales h, before the product with U_h
            U_zr, U_h = ops.split(self.recurrent_kernel, [2 * self.units], axis=-1)
            h_z, h_r = ops.split(ops.matmul(h, U_zr), 2, axis=-1)
            z, r = gate(x_z + h_z), gate(x_r + h_r)
            hh = act(x_h + ops.matmul(r * h, U_h))
        h = z * h_prev + (1.0 - z) * hh
        return h, [h]

    def _sequence(self, x, states, mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask):
        options = self._op_options(mask, recurrent_mask, go_backwards, return_sequences, zero_output_for_mask)
        return ops.gru(x, states[0], self.kernel, self.recurrent_kernel, self.bias,
                       recurrent_activation=self.recurrent_activation, reset_after=self.reset_after, **options)

    def _cell_config(self) -> dict:
        return dict(super()._cell_config(), reset_after=self.reset_after)


#: The cells whose whole sequence runs as one fused op (subclasses run their own ``call`` step by step).
FUSED_CELLS = (SimpleRNNCell, LSTMCell, GRUCell)


def state_sizes(state_size) -> list:
    """A cell's ``state_size`` (an int or a list) as a list of ints."""
    return [int(s) for s in state_size] if isinstance(state_size, (list, tuple)) else [int(state_size)]


def call_cell(cell, x, states, training):
    """``cell(x, states)`` → (output, list of new states), passing ``training`` when the cell takes it."""
    if getattr(cell, "_call_takes_training", False):
        out, new = cell(x, states, training=training)
    else:
        out, new = cell(x, states)
    return out, (list(new) if isinstance(new, (list, tuple)) else [new])


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
        return [s for c in self.cells for s in state_sizes(c.state_size)]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        return int(getattr(last, "output_size", state_sizes(last.state_size)[0]))

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            shape = (shape[0], int(getattr(cell, "output_size", state_sizes(cell.state_size)[0])))
        self.built = True

    def call(self, inputs, states, training=None):
        new_states, i = [], 0
        x = inputs
        for cell in self.cells:
            n = len(state_sizes(cell.state_size))
            x, s = call_cell(cell, x, list(states[i:i + n]), training)
            new_states.extend(s)
            i += n
        return x, new_states

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["cells"] = [{"class_name": type(c).__name__, "config": c.get_config()} for c in self.cells]
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild the stack from its config; only SimpleRNNCell, LSTMCell and GRUCell are rebuilt by name
        (other cells are Python code: pass them in code)."""
        config = dict(config)
        cells = []
        for spec in config.pop("cells", None) or []:
            name = spec.get("class_name") if isinstance(spec, dict) else None
            cell_cls = {c.__name__: c for c in FUSED_CELLS}.get(name)
            if cell_cls is None:
                raise ValueError(f"StackedRNNCells.from_config: unknown cell class_name {name!r} (SimpleRNNCell, "
                                 "LSTMCell and GRUCell can be rebuilt from a config; pass other cells in code)")
            cells.append(cell_cls.from_config(dict(spec.get("config", {}))))
        return cls(cells, **config)

    def reset_dropout_mask(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()

    def reset_recurrent_dropout_mask(self) -> None:
        for cell in self.cells:
            if hasattr(cell, "reset_recurrent_dropout_mask"):
                cell.reset_recurrent_dropout_mask()
