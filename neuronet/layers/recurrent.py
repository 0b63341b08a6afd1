"""Recurrent layers (Keras 3 arguments and weight layouts): RNN(cell), SimpleRNN, LSTM and GRU.

As in Keras 3, a recurrent layer is an :class:`RNN` around a cell: ``LSTM(n)`` owns an
``LSTMCell(n)`` (``layer.cell``, whose weights it shows as its own, Keras paths
``lstm/lstm_cell/kernel``), and likewise SimpleRNN/SimpleRNNCell and GRU/GRUCell. The cell's
``call`` is one step written with autograd ops — the readable reference, in
:mod:`neuronet.layers.rnn_cells`. For these three cells the layer runs the whole sequence as one
fused op from :mod:`neuronet.ops.recurrent` instead (forward loop and backpropagation through time
side by side), so a 50-step LSTM adds one node to the graph. ``RNN`` runs any other cell —
``call(inputs, states) -> (output, new_states)`` with a ``state_size`` — step by step, and lists of
cells stacked (``StackedRNNCells``).

Sequences of varying length: pad them (``neuronet.utils.pad_sequences``) and let a mask say which
steps are real — from ``Embedding(mask_zero=True)``, a ``Masking`` layer, or ``mask=`` in the call.
At a masked step the state does not change and the output repeats the previous one, as in Keras, so a
padded batch gives exactly the results (and gradients) of the unpadded sequences::

    model = Sequential([Embedding(1000, 16, mask_zero=True), LSTM(32), Dense(1, activation="sigmoid")])
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..autograd import Tensor
from ..utils.naming import to_snake_case
from .base import InputSpec, KerasTensor, Layer
from .rnn_cells import (FUSED_CELLS, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, call_cell, check_arguments,
                        state_sizes)

__all__ = ["SimpleRNN", "LSTM", "GRU", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _reset_dropout_masks(cell) -> None:
    """Forget the dropout masks a cell keeps for the steps of one sequence (Keras resets them per call)."""
    for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
        if hasattr(cell, reset):
            getattr(cell, reset)()


class RNN(Layer):
    """A recurrent layer around any cell (Keras ``RNN``): the loop over time for ``cell(x_t, states)``.

    Args:
        cell: an RNN cell — an object with ``call(inputs, states)`` returning ``(output, new_states)``
            and a ``state_size`` (int or list) — or a list of cells (stacked). SimpleRNNCell, LSTMCell
            and GRUCell run the whole sequence as one fused op; other cells step by step through
            autograd ops.
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
        initial_state: optional initial state tensor(s), one (batch, size) per state.
        mask: optional boolean (batch, time); taken from the input's mask when not given.
        training: enables the cell's dropout.

    Example::

        >>> layer = RNN(LSTMCell(8), return_sequences=True)     # the same computation as LSTM(8, ...)
        >>> layer(np.zeros((4, 10, 3))).shape
        (4, 10, 8)
    """

    supports_masking = True

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, zero_output_for_mask: bool = False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(cell) or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: cell must have a call method and a state_size attribute, received {cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self._fused = type(cell) in FUSED_CELLS
        self._state_sizes = state_sizes(cell.state_size)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.states = None
        self.input_spec = InputSpec(ndim=3)

    @property
    def units(self) -> int:
        """The size of the output at each step."""
        return int(getattr(self.cell, "output_size", self._state_sizes[0]))

    def build(self, input_shape) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the last axis (features) of the input must be "
                             f"known, received input shape {tuple(input_shape)}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((input_shape[0],) + tuple(input_shape[2:]))
            self.cell.built = True
            for w in self.cell.weights:  # Keras's paths: 'lstm/lstm_cell/kernel'
                w.path = f"{self.name}/{w.path}"
        if self._fused:
            self.input_spec = InputSpec(ndim=3, axes={-1: features})
        self.built = True

    # ------------------------------------------------------------------ states
    def _zeros_state(self, batch: int) -> list:
        return [np.zeros((batch, n), self.dtype) for n in self._state_sizes]

    def reset_states(self, states=None) -> None:
        """Reset a stateful layer's states to zeros, or to ``states`` (one array per state)."""
        name = f"{type(self).__name__} '{self.name}'"
        if not self.stateful:
            raise AttributeError(f"{name}: reset_states needs stateful=True")
        if states is None:
            if self.states is not None:
                for s in self.states:
                    s[...] = 0
            return
        states = [states] if not isinstance(states, (list, tuple)) else list(states)
        if len(states) != len(self._state_sizes):
            raise ValueError(f"{name}: reset_states expected {len(self._state_sizes)} state array(s), received "
                             f"{len(states)}")
        arrays = [np.array(_raw(s), dtype=self.dtype) for s in states]
        for a, n in zip(arrays, self._state_sizes):
            if a.ndim != 2 or a.shape[1] != n:
                raise ValueError(f"{name}: each state must have shape (batch, {n}), received {a.shape}")
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
        if len(states) != len(self._state_sizes):
            raise ValueError(f"{name}: initial_state expected {len(self._state_sizes)} tensor(s), received "
                             f"{len(states)}")
        out = []
        for s, n in zip(states, self._state_sizes):
            s = self._convert_input(s)
            if tuple(s.shape) != (batch, n):
                raise ValueError(f"{name}: initial_state expected shape {(batch, n)}, received {tuple(s.shape)}")
            out.append(s)
        return out

    # ------------------------------------------------------------------ calling
    def call(self, inputs, initial_state=None, mask=None, training=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        name = f"{type(self).__name__} '{self.name}'"
        if steps == 0:
            raise ValueError(f"{name}: expected at least one time step, received input shape {inputs.shape}")
        if mask is not None:
            mask = np.asarray(_raw(mask), dtype=bool)
            if mask.shape != (batch, steps):
                raise ValueError(f"{name}: expected a mask of shape {(batch, steps)}, received {mask.shape}")
        stacked = isinstance(self.cell, StackedRNNCells)
        if stacked and initial_state is not None:  # Keras nests them per cell
            initial_state = [s for group in initial_state for s in (group if isinstance(group, (list, tuple))
                                                                    else [group])]
        states = self._initial_states(initial_state, batch)
        _reset_dropout_masks(self.cell)  # one set of dropout masks per sequence
        try:
            run = self._fused_sequence if self._fused else self._loop
            output, *final = run(inputs, states, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        if self.stateful:
            self.states = [np.array(s.data) for s in final]
        if mask is not None and self.return_sequences:
            output._keras_mask = mask
        if not self.return_state:
            return output
        if stacked:  # as Keras: (output, [states of cell 1], [states of cell 2], ...)
            return (output, *self._state_groups(final, unwrap_single=False))
        return (output, *final)

    def _state_groups(self, states: list, unwrap_single: bool) -> list:
        """The flat final states of stacked cells split per cell; a one-state group as a bare tensor when
        ``unwrap_single`` (Keras's symbolic result) or as a one-element list (its eager one)."""
        groups = []
        for cell in self.cell.cells:
            n = len(state_sizes(cell.state_size))
            group, states = list(states[:n]), states[n:]
            groups.append(group[0] if unwrap_single and n == 1 else group)
        return groups

    def __call__(self, inputs, *args, **kwargs):
        """As :meth:`Layer.__call__`; with stacked cells and ``return_state`` the states come grouped per
        cell, as Keras 3 returns them.

        Eagerly: ``(output, [h1, c1], [h2])`` (every group a list). On symbolic inputs: ``(output, [h1,
        c1], h2)`` (a one-state group unwrapped, as Keras's symbolic call). The recorded call keeps the
        states flat (``output, h1, c1, h2``) — the order ``Model.outputs``, saving and the functional
        replay (which flattens the eager result the same way) use.
        """
        outputs = super().__call__(inputs, *args, **kwargs)
        if (self.return_state and isinstance(self.cell, StackedRNNCells) and isinstance(outputs, list)
                and isinstance(outputs[0], KerasTensor)):
            return (outputs[0], *self._state_groups(outputs[1:], unwrap_single=True))
        return outputs

    def _fused_sequence(self, x, states, mask, training) -> tuple:
        """The whole sequence as one fused op of the cell (the cell's dropout masks: the same at every step)."""
        cell, drop, recurrent_mask = self.cell, None, None
        if training:
            drop = cell.get_dropout_mask(x.data[:, 0])
            recurrent_mask = cell.get_recurrent_dropout_mask(states[0])
        if drop is not None:
            x = ops.multiply(x, drop[:, None, :])
        return cell._sequence(x, states, mask, recurrent_mask, self.go_backwards, self.return_sequences,
                              self.zero_output_for_mask)

    def _loop(self, x, states, mask, training) -> tuple:
        """The generic loop: one cell call per step, masked steps keeping state and output (Keras)."""
        batch, steps = x.shape[0], x.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        prev = Tensor._wrap(np.zeros((batch, self.units), self.dtype))
        outputs = []
        for t in order:
            out, new = call_cell(self.cell, x[:, t], states, training)
            if mask is not None and not mask[:, t].all():
                keep = mask[:, t][:, None]
                new = [ops.where(keep, n, s) for n, s in zip(new, states)]
                out = ops.where(keep, out, np.zeros((), self.dtype) if self.zero_output_for_mask else prev)
            states, prev = new, out
            outputs.append(out)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return (output, *states)

    def compute_mask(self, inputs, mask=None):
        out_mask = mask if self.return_sequences else None
        if self.return_state:
            return [out_mask] + [None] * len(self._state_sizes)
        return out_mask

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, n) for n in self._state_sizes]
        return out

    def _rnn_config(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask}

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["cell"] = {"class_name": type(self.cell).__name__, "config": self.cell.get_config()}
        cfg.update(self._rnn_config())
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        spec = config.pop("cell")
        name = spec.get("class_name")
        cell_cls = {c.__name__: c for c in FUSED_CELLS + (StackedRNNCells,)}.get(name)
        if cell_cls is None:
            raise ValueError(f"RNN.from_config: unknown cell class_name {name!r} (SimpleRNNCell, LSTMCell, "
                             "GRUCell and StackedRNNCells of them can be rebuilt from a config; pass other cells in "
                             "code)")
        return cls(cell_cls.from_config(dict(spec.get("config", {}))), **config)


def _from_cell(name: str) -> property:
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's ``{name}``.")


class _CellLayer(RNN):
    """What SimpleRNN, LSTM and GRU share: an RNN that makes its own cell (``_cell_class``) from the
    cell's arguments, shows them as its own attributes, and lists them in its config (Keras 3)."""

    _cell_class = SimpleRNNCell

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout: float = 0.0, recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 stateful: bool = False, unroll: bool = False, zero_output_for_mask: bool = False,
                 cell_options: dict | None = None, **kwargs):
        for key in ("use_cudnn", "implementation", "time_major"):
            kwargs.pop(key, None)
        cell_class = self._cell_class
        # the errors name this layer (the cell checks the same again)
        check_arguments(type(self).__name__, units, activation,
                        recurrent_activation if cell_class._has_recurrent_activation else None,
                        dropout, recurrent_dropout)
        if cell_class._has_recurrent_activation:
            cell_options = dict(cell_options or {}, recurrent_activation=recurrent_activation)
        cell = cell_class(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, name=to_snake_case(type(self).__name__) + "_cell",
            dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True), **(cell_options or {}))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, activity_regularizer=activity_regularizer,
                         **kwargs)

    activation = _from_cell("activation")
    recurrent_activation = _from_cell("recurrent_activation")
    use_bias = _from_cell("use_bias")
    kernel_initializer = _from_cell("kernel_initializer")
    recurrent_initializer = _from_cell("recurrent_initializer")
    bias_initializer = _from_cell("bias_initializer")
    kernel_regularizer = _from_cell("kernel_regularizer")
    recurrent_regularizer = _from_cell("recurrent_regularizer")
    bias_regularizer = _from_cell("bias_regularizer")
    kernel_constraint = _from_cell("kernel_constraint")
    recurrent_constraint = _from_cell("recurrent_constraint")
    bias_constraint = _from_cell("bias_constraint")
    dropout = _from_cell("dropout")
    recurrent_dropout = _from_cell("recurrent_dropout")
    seed = _from_cell("seed")
    kernel = _from_cell("kernel")
    recurrent_kernel = _from_cell("recurrent_kernel")
    bias = _from_cell("bias")

    def get_config(self) -> dict:
        cfg = Layer.get_config(self)  # the cell's arguments in place of the cell, as Keras
        cfg.update(self.cell._cell_config())
        cfg.update(self._rnn_config())
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


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
        return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask: as
            :class:`RNN`. Default to False.

    Call arguments:
        inputs: (batch, time, features).
        initial_state: optional initial state tensor(s) of shape (batch, units).
        mask: optional boolean (batch, time); taken from the input's mask when not given.
        training: enables dropout.
"""


class SimpleRNN(_CellLayer):
    """Fully-connected RNN: ``h_t = activation(x_t · kernel + h_{t-1} · recurrent_kernel + bias)``.

    Gradients through many steps are products of many Jacobians and tend to vanish (see
    ``examples/vanishing_gradients.py``); LSTM and GRU are designed to avoid that.

    Args:
        units: dimension of the state and output.
        activation: Defaults to 'tanh'.
    """ + _COMMON_ARGS + """
    Weights (of its ``cell``, a :class:`SimpleRNNCell`): kernel (features, units), recurrent_kernel
    (units, units), bias (units,).

    Example::

        >>> layer = SimpleRNN(4)
        >>> layer(np.zeros((32, 10, 8))).shape
        (32, 4)
    """

    _cell_class = SimpleRNNCell

    def __init__(self, units: int, activation="tanh", use_bias: bool = True, **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)


class LSTM(_CellLayer):
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
    Weights (of its ``cell``, an :class:`LSTMCell`): kernel (features, 4·units), recurrent_kernel
    (units, 4·units), bias (4·units,), the columns in gate order i, f, c, o — the same as PyTorch's
    (i, f, g, o) after transposing. With ``return_state=True`` the call returns ``(output, h, c)``.

    Example::

        >>> LSTM(4, return_sequences=True)(np.zeros((32, 10, 8))).shape
        (32, 10, 4)
    """

    _cell_class = LSTMCell

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, cell_options={"unit_forget_bias": unit_forget_bias}, **kwargs)

    unit_forget_bias = _from_cell("unit_forget_bias")


class GRU(_CellLayer):
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
    Weights (of its ``cell``, a :class:`GRUCell`): kernel (features, 3·units), recurrent_kernel
    (units, 3·units), bias (2, 3·units) — input bias and recurrent bias — with reset_after=True, else
    (3·units,). PyTorch orders the gates r, z, n: swap the first two blocks when exchanging weights.

    Example::

        >>> GRU(4)(np.zeros((32, 10, 8))).shape
        (32, 4)
    """

    _cell_class = GRUCell

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", use_bias: bool = True,
                 reset_after: bool = True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         use_bias=use_bias, cell_options={"reset_after": reset_after}, **kwargs)

    reset_after = _from_cell("reset_after")
