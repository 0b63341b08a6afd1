"""``model.summary()``: Keras 3's table of layers, output shapes, parameter counts and connections.

The text is laid out as Keras 3 prints it when its output is not a terminal (a rich table without
colours): the same columns, widths, word wrapping and totals, so the two can be compared line by
line. A functional model whose graph is not a simple chain gets a fourth column, "Connected to",
naming the tensors each layer consumes as ``layer_name[node_index][tensor_index]``::

    Model: "functional"
    ┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
    ┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
    ┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
    │ numeric             │ (None, 8)         │          0 │ -                 │
    │ (InputLayer)        │                   │            │                   │
    ├─────────────────────┼───────────────────┼────────────┼───────────────────┤
    │ concat              │ (None, 32)        │          0 │ dense_a[0][0],    │
    │ (Concatenate)       │                   │            │ dense_b[0][0]     │
    └─────────────────────┴───────────────────┴────────────┴───────────────────┘
     Total params: 372 (1.45 KB)
     Trainable params: 372 (1.45 KB)
     Non-trainable params: 0 (0.00 B)
"""

from __future__ import annotations

import re
import shutil

import numpy as np

__all__ = ["print_summary", "summary_text"]


# ------------------------------------------------------------------------------------------ text layout
def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _format_size(count_bytes: float) -> str:
    """Bytes as Keras writes them: '1.45 KB', '152.00 B'."""
    size = float(count_bytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _wrap(text: str, width: int) -> list:
    """``text`` in lines of at most ``width`` characters, split between words as rich does (a word
    longer than the line gets a line of its own, cut with '…')."""
    lines = []
    for paragraph in text.split("\n"):
        current, used = "", 0
        for match in re.finditer(r"\s*\S+\s*", paragraph):
            word = match.group(0)
            length = len(word.rstrip())
            if current and width - used < length:
                lines.append(current)
                current, used = "", 0
            current += word
            used += len(word)
        lines.append(current)
    out = []
    for line in lines:
        line = line.rstrip()
        out.append(line if len(line) <= width else line[:max(width - 1, 0)] + "…")
    return out


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return (" " * left + text).ljust(width)
    return text.ljust(width)


def _ratio_reduce(total: int, values: list) -> list:
    """Take ``total`` away from ``values`` as evenly as possible, in rich's order and rounding."""
    remaining, count, out = total, len(values), []
    for value in values:
        cut = min(value, round(remaining / count)) if count else 0
        out.append(value - cut)
        remaining -= cut
        count -= 1
    return out


def _column_widths(line_length: int, positions: list) -> list:
    """Content widths of the columns: Keras's positions give each column's share of ``line_length``;
    rich then fits them with one space of padding on each side and the borders into that width."""
    widths, current = [], 0
    for pos in positions:
        end = int(pos * line_length) if pos <= 1 else int(pos)
        if end - current < 4:
            raise ValueError(f"summary: line_length={line_length} is too narrow for {len(positions)} columns")
        widths.append(end - current + 2)
        current = end
    available = line_length - (len(positions) + 1)
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, widths)
    return [w - 2 for w in widths]


def _table(headers: list, rows: list, widths: list, alignment: list) -> list:
    """The box-drawn table (rich's heavy-head style) as a list of lines."""
    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells(values, frame):
        wrapped = [_wrap(v, w) for v, w in zip(values, widths)]
        height = max(len(c) for c in wrapped)
        lines = []
        for i in range(height):
            parts = [_justify(c[i] if i < len(c) else "", w, how) for c, w, how in zip(wrapped, widths, alignment)]
            lines.append(frame + frame.join(f" {p} " for p in parts) + frame)
        return lines

    lines = [rule("┏", "┳", "┓", "━")]
    lines += cells(headers, "┃")
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines += cells(row, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    return lines


# ------------------------------------------------------------------------------------------ the graph
def functional_layout(model) -> tuple:
    """``(layers, nodes, sequential_like)`` of a functional model, in Keras's order.

    Keras orders the layers by depth (the longest path to an output, inputs deepest), and within a
    depth by the order a depth-first walk from the outputs first meets them. A graph is "sequential
    like" (no Connected-to column) when every depth has one node with one input tensor and no layer
    is called twice.
    """
    from ..layers.core import InputLayer

    order, visited, finished = {}, [], set()

    def walk(tensor):
        node = tensor._node
        if node is None or id(node) in finished:
            return
        order.setdefault(id(node.layer), len(order))
        if not isinstance(node.layer, InputLayer):
            for t in node.dependencies:
                walk(t)
        finished.add(id(node))
        visited.append(node)

    for output in model._outputs:
        walk(output)
    node_ids = {id(n) for n in visited}
    node_depth, layer_depth = {}, {}
    for node in reversed(visited):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        node_depth[id(node)] = layer_depth[id(node.layer)] = depth
        if isinstance(node.layer, InputLayer):
            continue
        for t in node.dependencies:
            parent = t._node
            if parent is not None and id(parent) in node_ids:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in model._inputs:  # inputs the outputs do not use still appear, as in Keras
        layer = t._node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], order[id(layer)] = 0, -1
            visited.append(t._node)
    by_id = {id(n.layer): n.layer for n in visited}
    layers = sorted(by_id.values(), key=lambda lyr: (-layer_depth[id(lyr)], order[id(lyr)]))
    depths: dict = {}
    for node in visited:
        depths.setdefault(node_depth.get(id(node), 0), []).append(node)
    sequential = all(len(ns) == 1 and len(ns[0].dependencies) <= 1 for ns in depths.values())
    if sequential:
        seen = set()
        for node in visited:
            if id(node.layer) in seen:
                sequential = False
            seen.add(id(node.layer))
    return layers, visited, sequential


def _connections(layer, nodes: list) -> str:
    """'dense[0][0], dense_1[0][0]': the tensors consumed by ``layer``'s calls within the model."""
    from ..layers.core import InputLayer

    parts = []
    ids = {id(n) for n in nodes}
    for node in layer._inbound_nodes:
        if id(node) not in ids or isinstance(layer, InputLayer):
            continue
        for t in node.dependencies:
            source = t._node.layer
            index = next(i for i, n in enumerate(source._inbound_nodes) if n is t._node)
            parts.append(f"{source.name}[{index}][{t._index}]")
    return ", ".join(parts) or "-"


def _layer_shape(owner, layer):
    shape = owner._layer_shape(layer) if hasattr(owner, "_layer_shape") else None
    if shape is None:
        batch_shape = getattr(layer, "batch_shape", None)  # an InputLayer
        if batch_shape is not None:
            return batch_shape
        for node in reversed(layer._inbound_nodes):
            outs = node.output_tensors
            return outs[0].shape if len(outs) == 1 else [t.shape for t in outs]
    return shape


def _params(layer) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _optimizer_state(model) -> tuple:
    """``(count, bytes)`` of the optimizer's variables as Keras counts them (the iteration counter,
    the learning rate and every slot), or None before the optimizer has state."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "variables", None):
        return None
    count, size = 1, 8  # the int64 iteration counter
    for key, value in optimizer.state_dict().items():
        if key != "iterations":
            value = np.asarray(value)
            count += value.size
            size += value.nbytes if value.ndim else 4  # scalars (the learning rate) are float32 variables in Keras
    return count, size


def _range(layers: list, layer_range) -> list:
    if layer_range is None:
        return layers
    if len(layer_range) != 2:
        raise ValueError(f"summary: layer_range must be [first layer name, last layer name], received {layer_range!r}")
    names = [layer.name for layer in layers]
    first = next((i for i, n in enumerate(names) if re.match(layer_range[0], n)), None)
    last = next((i for i in range(len(names) - 1, -1, -1) if re.match(layer_range[1], names[i])), None)
    if first is None or last is None or last < first:
        raise ValueError(f"summary: layer_range {list(layer_range)} matches no run of layers among {names}")
    return layers[first:last + 1]


def summary_text(model, line_length: int | None = None, positions=None, expand_nested: bool = False,
                 show_trainable: bool = False, layer_range=None) -> str:
    """The text :func:`print_summary` prints (arguments as there)."""
    from .functional import Functional
    from .training import Model

    nodes = []
    if isinstance(model, Functional):
        layers, nodes, sequential_like = functional_layout(model)
    else:
        layers, sequential_like = list(model.layers), True
    if sequential_like:
        default, positions = 88, list(positions or [0.45, 0.80, 1.0])
        headers, alignment = ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
    else:
        default, positions = 108, list(positions or [0.3, 0.56, 0.74, 1.0])
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        alignment.append("center")
    line_length = line_length or min(default, shutil.get_terminal_size().columns - 4)
    widths = _column_widths(line_length, positions)

    def rows_of(owner, layer, level: int) -> list:
        prefix = "   " * level + "└ " if level else ""
        kind = getattr(layer, "keras_class_name", type(layer).__name__)  # an op node shows its op: 'Softmax'
        row = [f"{prefix}{layer.name} ({kind})", _format_shape(_layer_shape(owner, layer)), _params(layer)]
        if not sequential_like:
            row.append(_connections(layer, nodes) if level == 0 else "-")
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows = [row]
        if expand_nested and isinstance(layer, Model) and layer.layers:
            for inner in layer.layers:
                rows += rows_of(layer, inner, level + 1)
        return rows

    rows = [row for layer in _range(layers, layer_range) for row in rows_of(model, layer, 0)]
    trainable_weights = model.trainable_weights
    trainable_ids = {id(w) for w in trainable_weights}
    others = [w for w in model.weights if id(w) not in trainable_ids]
    trainable = sum(w.size for w in trainable_weights)
    non_trainable = sum(w.size for w in others)
    trainable_bytes = sum(w.data.nbytes for w in trainable_weights)
    non_trainable_bytes = sum(w.data.nbytes for w in others)
    optimizer = _optimizer_state(model)
    total = trainable + non_trainable + (optimizer[0] if optimizer else 0)
    total_bytes = trainable_bytes + non_trainable_bytes + (optimizer[1] if optimizer else 0)
    lines = [f'Model: "{model.name}"'] + _table(headers, rows, widths, alignment)
    lines.append(f" Total params: {total:,} ({_format_size(total_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_format_size(trainable_bytes)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_format_size(non_trainable_bytes)})")
    if optimizer:
        lines.append(f" Optimizer params: {optimizer[0]:,} ({_format_size(optimizer[1])})")
    return "\n".join(lines)


def print_summary(model, line_length: int | None = None, positions=None, print_fn=None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range=None) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``, as Keras 3 lays it out.

    Args:
        model: a built or unbuilt model (unbuilt layers show '?' and '0 (unbuilt)').
        line_length: the table's width. Defaults to 88 (108 with the Connected-to column, 12 more
            with ``show_trainable``), at most the terminal's width minus 4.
        positions: the columns' right edges as fractions of the width. Defaults to Keras's.
        print_fn: called once with the whole text. Defaults to ``print``.
        expand_nested: list the layers of nested models under them, indented with '└'. Defaults to False.
        show_trainable: add a column with Y/N per layer ('-' for layers without weights). Defaults to False.
        layer_range: ``[first, last]`` layer names (regular expressions) of the rows to show.
            Defaults to None (all).
    """
    text = summary_text(model, line_length, positions, expand_nested, show_trainable, layer_range)
    (print_fn or print)(text)
