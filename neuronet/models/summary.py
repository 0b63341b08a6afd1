"""``model.summary()``: the Keras table of layers, output shapes and parameter counts."""

from __future__ import annotations

__all__ = ["print_summary"]


def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _format_size(count: int, itemsize: int) -> str:
    size = float(count * itemsize)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"  # pragma: no cover


def _rows(model) -> list:
    """(name (type), output shape, params, trainable) for each layer shown."""
    from ..layers.core import InputLayer

    layers = list(model.layers)
    input_layers = [lyr for lyr in getattr(model, "_input_layers", []) if isinstance(lyr, InputLayer)]
    layers = input_layers + layers  # a functional model shows its Input rows first, as Keras
    rows = []
    for layer in layers:
        shape = model._layer_shape(layer) if hasattr(model, "_layer_shape") else None
        if shape is None and isinstance(layer, InputLayer):
            shape = layer.batch_shape
        params = sum(w.size for w in layer.weights) if layer.built else None
        rows.append((f"{layer.name} ({type(layer).__name__})", _format_shape(shape),
                     "0 (unbuilt)" if params is None else f"{params:,}", "Y" if layer.trainable else "N"))
    return rows


def print_summary(model, line_length: int | None = None, print_fn=None, show_trainable: bool = False) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``.

    The layout follows Keras::

        Model: "sequential"
        ┌─────────────────────────┬──────────────────┬─────────────┐
        │ Layer (type)            │ Output Shape     │     Param # │
        ...
         Total params: 1,409 (5.50 KB)
         Trainable params: 1,409 (5.50 KB)
         Non-trainable params: 0 (0.00 B)
    """
    rows = _rows(model)
    headers = ("Layer (type)", "Output Shape", "Param #", "Trainable")
    ncols = 4 if show_trainable else 3
    widths = [max([len(headers[i])] + [len(r[i]) for r in rows]) + 2 for i in range(ncols)]
    widths[0] = max(widths[0], 31)
    widths[1] = max(widths[1], 22)
    widths[2] = max(widths[2], 13)
    if line_length is not None and line_length > sum(widths) + ncols + 1:
        widths[0] += line_length - (sum(widths) + ncols + 1)

    def line(left, mid, right, fill="─"):
        return left + mid.join(fill * w for w in widths) + right

    def row(values):
        cells = []
        for i, (value, width) in enumerate(zip(values, widths)):
            cells.append(" " + (value.rjust(width - 2) if i == 2 else value.ljust(width - 2)) + " ")
        return "│" + "│".join(cells) + "│"

    weights = model.weights if model.built or model.weights else []
    itemsize = weights[0].data.itemsize if weights else 4
    trainable_ids = {id(w) for w in model.trainable_weights}
    total = sum(w.size for w in weights)
    trainable = sum(w.size for w in weights if id(w) in trainable_ids)
    lines = [f'Model: "{model.name}"', line("┌", "┬", "┐"), row(headers[:ncols]), line("╞", "╪", "╡", "═")]
    for i, r in enumerate(rows):
        if i:
            lines.append(line("├", "┼", "┤"))
        lines.append(row(r[:ncols]))
    lines.append(line("└", "┴", "┘"))
    lines.append(f" Total params: {total:,} ({_format_size(total, itemsize)})")
    lines.append(f" Trainable params: {trainable:,} ({_format_size(trainable, itemsize)})")
    lines.append(f" Non-trainable params: {total - trainable:,} ({_format_size(total - trainable, itemsize)})")
    if not model.built:
        lines.append(" (the model is not built yet: output shapes and counts appear once it sees data or an "
                     "input shape)")
    if print_fn is None:
        print("\n".join(lines))
    else:
        for text in lines:  # one call per line, as Keras 2 (``print_fn=lines.append`` collects the table)
            print_fn(text)
