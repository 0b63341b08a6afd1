"""ONNX converters of the recurrent layers: SimpleRNN, LSTM, GRU, ``RNN`` around their cells (stacked
too), and ``Bidirectional``, as ONNX's ``RNN``/``LSTM``/``GRU`` operators.

Weights go from Keras's layouts (``kernel (features, gates·units)``, ``recurrent_kernel (units,
gates·units)``) to ONNX's ``W (dirs, gates·units, features)``, ``R (dirs, gates·units, units)`` and
``B (dirs, 2·gates·units)`` = [input bias Wb; recurrent bias Rb], with the gate blocks reordered:

    LSTM  Keras i, f, c, o  →  ONNX i, o, f, c       bias → Wb, Rb = 0
    GRU   Keras z, r, h     =  ONNX z, r, h          reset_after=True: bias (2, 3·units) → Wb, Rb and
                                                     linear_before_reset=1; False: bias → Wb, Rb = 0
    RNN   one block                                  bias → Wb, Rb = 0

``go_backwards`` is ``direction='reverse'`` (the output sequence is then read backwards, as Keras
returns it in processing order); ``Bidirectional`` is one ``direction='bidirectional'`` operator.

Masks (``Embedding(mask_zero=True)``, ``Masking``): a masked step leaves the state unchanged and
repeats the previous output (zeros before the first valid step, or zeros at every masked step with
``zero_output_for_mask``, as inside Bidirectional). That is the same as running the recurrence over
the valid steps only, so the graph moves each sequence's valid steps to its front (a stable sort of
the steps on "masked?", by TopK) and passes their count as ``sequence_lens``. Any mask is exact this
way — padding before, after, or holes in between — and the per-step outputs are gathered back to
the original positions: forwards, step s shows the output after the valid steps up to s; backwards,
after the valid steps from s on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import layers as L
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float
from .onnx_convert import converts, refuse

_KINDS = {L.SimpleRNN: "rnn", L.LSTM: "lstm", L.GRU: "gru",
          L.SimpleRNNCell: "rnn", L.LSTMCell: "lstm", L.GRUCell: "gru"}
_OPS = {"rnn": ("RNN", 1), "lstm": ("LSTM", 4), "gru": ("GRU", 3)}
# Keras recurrent activations → (ONNX name, alpha, beta)
_ACTIVATIONS = {"tanh": ("Tanh", None, None), "sigmoid": ("Sigmoid", None, None), "relu": ("Relu", None, None),
                "hard_sigmoid": ("HardSigmoid", 1.0 / 6.0, 0.5), "linear": ("Affine", 1.0, 0.0),
                "softsign": ("Softsign", None, None), "elu": ("Elu", 1.0, None)}


@dataclass
class _Cell:
    """One direction's recurrence: kind, sizes, activations and Keras weights."""

    layer: object
    kind: str
    units: int
    activation: str
    recurrent_activation: str
    reset_after: bool
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray | None


def _cell(layer, cell=None) -> _Cell:
    """The recurrence of a recurrent layer (or of ``cell`` inside an RNN layer), from config and weights."""
    source = cell if cell is not None else layer
    kind = _KINDS.get(type(source))
    if kind is None:
        raise refuse(layer, f"its cell {type(source).__name__} is Python code (only SimpleRNNCell, LSTMCell, "
                            "GRUCell and stacks of them are translated)")
    cfg = source.get_config()
    weights = {getattr(w, "name", "").split("/")[-1]: np.asarray(w.data) for w in source.weights}
    for name in ("activation", "recurrent_activation"):
        act = cfg.get(name) or "sigmoid"
        if act not in _ACTIVATIONS:
            raise refuse(layer, f"its {name} {act!r} has no ONNX recurrent counterpart")
    return _Cell(layer, kind, int(cfg["units"]), cfg["activation"], cfg.get("recurrent_activation") or "sigmoid",
                 bool(cfg.get("reset_after", False)), weights["kernel"], weights["recurrent_kernel"],
                 weights.get("bias") if cfg.get("use_bias", True) else None)


def _onnx_weights(c: _Cell) -> tuple:
    """(W, R, B) of one direction in ONNX layout and gate order."""
    h = c.units
    kernel, recurrent = c.kernel, c.recurrent_kernel
    gates = _OPS[c.kind][1]
    order = [0, 3, 1, 2] if c.kind == "lstm" else list(range(gates))  # Keras i,f,c,o → ONNX i,o,f,c

    def reorder(m):
        return np.concatenate([m[..., g * h:(g + 1) * h] for g in order], axis=-1)

    w, r = reorder(kernel).T, reorder(recurrent).T
    if c.bias is None:
        b = np.zeros(2 * gates * h, np.float32)
    elif c.kind == "gru" and c.reset_after:
        b = np.concatenate([c.bias[0], c.bias[1]])
    else:
        b = np.concatenate([reorder(c.bias), np.zeros(gates * h, c.bias.dtype)])
    return w, r, b


def _activation_attrs(cells) -> dict:
    names, alphas, betas = [], [], []
    for c in cells:
        acts = {"rnn": [c.activation], "lstm": [c.recurrent_activation, c.activation, c.activation],
                "gru": [c.recurrent_activation, c.activation]}[c.kind]
        for act in acts:
            name, alpha, beta = _ACTIVATIONS[act]
            names.append(name)
            alphas.append(1.0 if alpha is None else alpha)
            betas.append(0.0 if beta is None else beta)
    default = all(n == d for n, d in zip(names, {"rnn": ["Tanh"], "lstm": ["Sigmoid", "Tanh", "Tanh"],
                                                 "gru": ["Sigmoid", "Tanh"]}[cells[0].kind] * len(cells)))
    if default:
        return {}
    return {"activations": names, "activation_alpha": alphas, "activation_beta": betas}


@dataclass
class _Masking:
    """What the graph needs of a (batch, time) mask: the mask, its int64 form and the valid counts."""

    mask: str
    ints: str
    lens: str


def _compact(g: Graph, x: str, mask: str) -> tuple:
    """(x with each sequence's valid steps moved to its front, _Masking)."""
    ints = g.cast(mask, np.int64)
    steps = g.shape_of(x, 1, 2)
    t = g.op("Range", [g.const(np.int64(0)), g.squeeze(steps, [0]), g.const(np.int64(1))])
    # key = masked · T + t sorts the valid steps first, each group in time order (keys are distinct)
    key = g.op("Add", [g.op("Mul", [g.op("Sub", [g.const(np.int64(1)), ints]), steps]), t])
    _, order = g.op("TopK", [key, steps], outputs=2, axis=1, largest=0, sorted=1)
    index = g.op("Expand", [g.unsqueeze(order, [2]), g.shape_of(x)])
    lens = g.reduce("ReduceSum", ints, [1], False)
    return g.op("GatherElements", [x, index], axis=1), _Masking(mask, ints, lens)


def _run(g: Graph, layer, cells: list, reverse: list, x: Value, masking: _Masking | None, compacted: str,
         initial: list | None) -> list:
    """Run one ONNX recurrent operator (one or two directions, the forward one first).

    Returns per direction ``(sequence (batch, time, units) in original time order, final states, last
    output)``; nodes nobody reads (a sequence when only the last output is used) are pruned later.
    """
    op_type, _ = _OPS[cells[0].kind]
    units = cells[0].units
    ws, rs, bs = zip(*(_onnx_weights(c) for c in cells))
    direction = "bidirectional" if len(cells) == 2 else ("reverse" if reverse[0] else "forward")
    inputs = [g.transpose(compacted, [1, 0, 2]), g.const(np.stack(ws), hint=f"{layer.name}/W"),
              g.const(np.stack(rs), hint=f"{layer.name}/R"), g.const(np.stack(bs), hint=f"{layer.name}/B"),
              "" if masking is None else g.cast(masking.lens, np.int32)]
    state_count = 2 if cells[0].kind == "lstm" else 1
    init_names = []
    if initial is not None:
        for k in range(state_count):
            per_dir = [g.unsqueeze(as_float(g, states[k]), [0]) for states in initial]
            init_names.append(per_dir[0] if len(per_dir) == 1 else g.op("Concat", per_dir, axis=0))
        inputs += init_names
    attrs = dict(hidden_size=units, direction=direction, **_activation_attrs(cells))
    if cells[0].kind == "gru":
        attrs["linear_before_reset"] = int(cells[0].reset_after)
    outs = g.op(op_type, inputs, outputs=1 + state_count, hint=layer.name, **attrs)
    y, finals = outs[0], outs[1:]
    results = []
    has = None if masking is None else g.unsqueeze(g.op("Greater", [masking.lens, g.const(np.int64(0))]), [1])
    for d, rev in enumerate(reverse):
        seq = g.transpose(g.op("Gather", [y, g.const(np.int64(d))], axis=1), [1, 0, 2])  # (batch, time, units)
        states = [g.op("Gather", [s, g.const(np.int64(d))], axis=0) for s in finals]
        last = states[0]
        if masking is not None:
            seq = _gather_back(g, seq, masking, rev)
            start = [as_float(g, initial[d][k]) for k in range(state_count)] if initial is not None else \
                [g.const(np.zeros((1, units), np.float32))] * state_count
            states = [g.op("Where", [has, s, s0]) for s, s0 in zip(states, start)]
            last = g.op("Where", [has, last, g.const(np.zeros((1, units), np.float32))])  # no valid step: zeros
        results.append((seq, states, last))
    return results


def _gather_back(g: Graph, seq: str, masking: _Masking, reverse: bool) -> str:
    """Outputs of the compacted run at the original steps (zeros before the first processed valid step)."""
    if reverse:  # step s: after the valid steps from s on, compacted index Σ_{t<s} m_t, valid if < len
        index = g.op("CumSum", [masking.ints, g.const(np.int64(1))], exclusive=1)
        valid = g.op("Less", [index, g.unsqueeze(masking.lens, [1])])
    else:  # step s: after the valid steps up to s, compacted index Σ_{t≤s} m_t - 1, valid if ≥ 0
        index = g.op("Sub", [g.op("CumSum", [masking.ints, g.const(np.int64(1))]), g.const(np.int64(1))])
        valid = g.op("GreaterOrEqual", [index, g.const(np.int64(0))])
    index = g.op("Where", [valid, index, g.const(np.int64(0))])
    gathered = g.op("GatherElements", [seq, g.op("Expand", [g.unsqueeze(index, [2]), g.shape_of(seq)])], axis=1)
    return g.op("Where", [g.unsqueeze(valid, [2]), gathered, g.const(np.float32(0.0))])


def _keras_outputs(g: Graph, seq: str, last: str, masking, go_backwards: bool, zero_output: bool) -> tuple:
    """(sequence in the layer's output order, last output) from a direction's original-order sequence
    and its last output (the final state, zeros without a valid step)."""
    zeroed = masking is not None and zero_output
    if zeroed:  # zeros at masked steps, the last processed one included
        seq = g.op("Where", [g.unsqueeze(masking.mask, [2]), seq, g.const(np.float32(0.0))])
    ordered = g.reverse(seq, 1) if go_backwards else seq
    if zeroed:
        last = g.op("Gather", [ordered, g.const(np.int64(-1))], axis=1)
    return ordered, last


def _prepare(g: Graph, x: Value):
    xf = as_float(g, x)
    if x.mask is None:
        return xf, None
    return _compact(g, xf, x.mask)


def _flag(layer, name: str) -> bool:
    return bool(layer.get_config().get(name, False))


def _states_list(initial_state) -> list | None:
    """The initial states as a flat list (stacked cells take them grouped per cell: [[h1, c1], h2])."""
    if initial_state is None:
        return None
    from ..layers.base import flatten_outputs

    return flatten_outputs(initial_state)


def _cells_of(layer) -> list:
    if isinstance(layer, L.RNN):
        cell = layer.cell
        if isinstance(cell, L.StackedRNNCells):
            return [_cell(layer, c) for c in cell.cells]
        return [_cell(layer, cell)]
    return [_cell(layer)]


@converts(L.SimpleRNN, L.LSTM, L.GRU, L.RNN, masks=True, call_args=("initial_state",))
def _recurrent(g, layer, x, initial_state=None):
    go_backwards, return_sequences = _flag(layer, "go_backwards"), _flag(layer, "return_sequences")
    zero_output = _flag(layer, "zero_output_for_mask")
    cells = _cells_of(layer)
    initial = _states_list(initial_state)
    compacted, masking = _prepare(g, x)
    states, seq = [], None
    for i, c in enumerate(cells):  # a stack: each cell's sequence feeds the next, under the same mask
        count = 2 if c.kind == "lstm" else 1
        init = None
        if initial is not None:
            init = [initial[len(states) + k] for k in range(count)]
        source = compacted if i == 0 else (seq if masking is None else _compact(g, seq, masking.mask)[0])
        [(seq, finals, last)] = _run(g, layer, [c], [go_backwards], x, masking, source,
                               None if init is None else [init])
        states.extend(finals)
    ordered, last = _keras_outputs(g, seq, last, masking, go_backwards, zero_output)
    shapes = layer.compute_output_shape(tuple(x.shape))
    out_shape = shapes[0] if isinstance(shapes, list) else shapes
    mask = x.mask if return_sequences else None
    out = Value(ordered if return_sequences else last, tuple(out_shape), F32, mask)
    if not _flag(layer, "return_state"):
        return out
    return [out] + [Value(s, tuple(shape), F32) for s, shape in zip(states, shapes[1:])]


@converts(L.Bidirectional, masks=True, call_args=("initial_state",))
def _bidirectional(g, layer, x, initial_state=None):
    fw, bw = layer.forward_layer, layer.backward_layer
    for sub in (fw, bw):
        if type(sub) not in (L.SimpleRNN, L.LSTM, L.GRU, L.RNN):
            raise refuse(layer, f"its wrapped layer {type(sub).__name__} is not a recurrent layer")
    [cf], [cb] = _cells_of(fw), _cells_of(bw)
    return_sequences = _flag(fw, "return_sequences")
    initial = _states_list(initial_state)
    init_f = init_b = None
    if initial is not None:
        half = len(initial) // 2
        init_f, init_b = initial[:half], initial[half:]
    compacted, masking = _prepare(g, x)
    back_f, back_b = _flag(fw, "go_backwards"), _flag(bw, "go_backwards")
    if cf.kind == cb.kind and cf.units == cb.units and cf.reset_after == cb.reset_after and back_f != back_b:
        # one bidirectional operator: its first direction runs forwards
        pair = [(cf, back_f, init_f), (cb, back_b, init_b)]
        if back_f:
            pair.reverse()
        inits = None if initial is None else [p[2] for p in pair]
        results = _run(g, layer, [p[0] for p in pair], [p[1] for p in pair], x, masking, compacted, inits)
        if back_f:
            results.reverse()
    else:
        results = [_run(g, layer, [c], [rev], x, masking, compacted, None if init is None else [init])[0]
                   for c, rev, init in ((cf, back_f, init_f), (cb, back_b, init_b))]
    outs = []
    for (seq, _, last), sub, rev in zip(results, (fw, bw), (back_f, back_b)):
        ordered, last = _keras_outputs(g, seq, last, masking, rev, _flag(sub, "zero_output_for_mask"))
        outs.append((ordered, last))
    if return_sequences:
        # the backward output is reversed back in time to line up with the forward one
        y_f = outs[0][0]
        y_b = g.reverse(outs[1][0], 1)
    else:
        y_f, y_b = outs[0][1], outs[1][1]
    shapes = layer.compute_output_shape(tuple(x.shape))
    mask = x.mask if return_sequences else None
    mode = layer.merge_mode
    if mode is None:
        out_values = [Value(y_f, tuple(shapes[0]), F32, mask), Value(y_b, tuple(shapes[1]), F32, mask)]
        rest = shapes[2:]
    else:
        merged = {"concat": lambda: g.op("Concat", [y_f, y_b], axis=-1), "sum": lambda: g.op("Add", [y_f, y_b]),
                  "mul": lambda: g.op("Mul", [y_f, y_b]),
                  "ave": lambda: g.op("Mul", [g.op("Add", [y_f, y_b]), g.const(0.5)])}[mode]()
        first = shapes[0] if isinstance(shapes, list) else shapes
        out_values = [Value(merged, tuple(first), F32, mask)]
        rest = shapes[1:] if isinstance(shapes, list) else []
    if not _flag(fw, "return_state"):
        return out_values[0] if mode is not None else out_values
    states = [s for _, finals, _ in results for s in finals]
    return out_values + [Value(s, tuple(shape), F32) for s, shape in zip(states, rest)]
