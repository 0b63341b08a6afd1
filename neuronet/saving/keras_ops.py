"""Operations in functional graphs: Keras 3's op nodes ↔ neuronet's ``OperatorLayer``.

``x + y``, ``x * 2.0``, ``-x``, ``abs(x)``, ``x[:, -1]`` on symbolic tensors record an operation in both
libraries; the two write it differently::

    Keras 3: {"module": "keras.src.ops.numpy", "class_name": "Multiply", "config": {"name": "multiply"},
              "inbound_nodes": [{"args": [<tensor>, 2.0], "kwargs": {}}]}
    neuronet: {"class_name": "OperatorLayer", "config": {"name": "multiply", "operator": "multiply",
               "constant": 2.0, "constant_first": false},
               "inbound_nodes": [{"args": [<tensor>], "kwargs": {}}]}

An index (``GetItem``) is written by Keras with ``__slice__`` / ``__ellipsis__`` markers, by neuronet
as ``{"slice": [start, stop, step]}`` / ``"..."``.

Keras also writes the masks it propagates: ``Embedding(mask_zero=True)`` followed by an RNN records
a ``NotEqual`` op and passes its output as the RNN's ``mask`` keyword. neuronet propagates these
masks by itself, so a ``mask`` keyword fed by an op is dropped on reading, with the ops that
computed only it. Any other Keras op is refused with an error naming it.
"""

from __future__ import annotations

__all__ = ["to_keras_entry", "from_keras_graph"]

_TENSOR = "__keras_tensor__"
_OPS_MODULE = "keras.src.ops.numpy"
_TO_KERAS = {"add": "Add", "subtract": "Subtract", "multiply": "Multiply", "divide": "TrueDivide", "power": "Power",
             "maximum": "Maximum", "minimum": "Minimum", "negative": "Negative", "absolute": "Absolute",
             "getitem": "GetItem"}
_FROM_KERAS = {v: k for k, v in _TO_KERAS.items()}
_FROM_KERAS["Divide"] = "divide"
_UNARY = ("negative", "absolute")


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == _TENSOR


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ------------------------------------------------------------------------------------ writing
def _keras_index(items: list):
    out = []
    for item in items:
        if isinstance(item, dict) and "slice" in item:
            start, stop, step = item["slice"]
            out.append({"class_name": "__slice__", "config": {"start": start, "stop": stop, "step": step}})
        elif item == "...":
            out.append({"class_name": "__ellipsis__", "config": {}})
        else:
            out.append(item)
    return out[0] if len(out) == 1 else out


def to_keras_entry(entry: dict) -> dict:
    """The Keras 3 op entry for a neuronet ``OperatorLayer`` entry of a functional config."""
    config = entry["config"]
    operator = config["operator"]
    nodes = []
    for node in entry.get("inbound_nodes", []):
        args = list(node.get("args", []))
        first = args[0] if args else None
        if operator == "getitem":
            args = [first, _keras_index(config.get("index") or [])]
        elif operator in _UNARY:
            args = [first]
        elif config.get("constant") is not None:
            args = [config["constant"], first] if config.get("constant_first") else [first, config["constant"]]
        else:
            args = list(first) if isinstance(first, list) else args
        nodes.append({"args": args, "kwargs": {}})
    return {"module": _OPS_MODULE, "class_name": _TO_KERAS[operator], "config": {"name": config["name"]},
            "registered_name": None, "name": entry.get("name", config["name"]), "inbound_nodes": nodes}


# ------------------------------------------------------------------------------------ reading
def _index_item(item, label: str):
    if isinstance(item, dict) and item.get("class_name") == "__slice__" and isinstance(item.get("config"), dict):
        c = item["config"]
        return {"slice": [c.get("start"), c.get("stop"), c.get("step")]}
    if isinstance(item, dict) and item.get("class_name") == "__ellipsis__":
        return "..."
    if item is None or (isinstance(item, int) and not isinstance(item, bool)):
        return item
    raise ValueError(f"{label}: unsupported index item {_short(item)}")


def _operator_entry(entry: dict, operator: str, label: str) -> dict:
    nodes, constant, constant_first, index = [], None, False, None
    for node in entry.get("inbound_nodes") or []:
        if not isinstance(node, dict) or not isinstance(node.get("args"), list) or not node["args"]:
            raise ValueError(f"{label}: malformed node {_short(node)}")
        args = node["args"]
        if operator == "getitem":
            if len(args) != 2:
                raise ValueError(f"{label}: GetItem expects (tensor, index), found {_short(args)}")
            key = args[1] if isinstance(args[1], list) else [args[1]]
            index = [_index_item(k, label) for k in key]
            new_args = [args[0]]
        elif operator in _UNARY:
            new_args = [args[0]]
        else:
            if len(args) != 2:
                raise ValueError(f"{label}: {entry.get('class_name')} expects two operands, found {_short(args)}")
            tensors = [_is_tensor(a) for a in args]
            if all(tensors):
                new_args = [list(args)]
            elif tensors[0] or tensors[1]:
                constant_first = not tensors[0]
                constant = args[0] if constant_first else args[1]
                new_args = [args[1] if constant_first else args[0]]
            else:
                raise ValueError(f"{label}: an operation without a tensor operand {_short(args)}")
        nodes.append({"args": new_args, "kwargs": {}})
    name = entry.get("name") or (entry.get("config") or {}).get("name")
    config = {"name": name, "operator": operator, "constant": constant, "constant_first": constant_first}
    if index is not None:
        config["index"] = index
    return {"class_name": "OperatorLayer", "config": config, "name": name, "inbound_nodes": nodes}


def _references(value, found: set) -> set:
    if _is_tensor(value):
        history = (value.get("config") or {}).get("keras_history")
        if isinstance(history, list) and history and isinstance(history[0], str):
            found.add(history[0])
    elif isinstance(value, list):
        for v in value:
            _references(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _references(v, found)
    return found


def from_keras_graph(config: dict, label: str) -> dict:
    """A Keras 3 functional config with its op entries turned into ``OperatorLayer`` entries and its
    propagated masks dropped (see the module docstring)."""
    layers = config.get("layers")

    def is_op(entry) -> bool:
        return isinstance(entry, dict) and isinstance(entry.get("module"), str) \
            and entry["module"].startswith("keras.src.ops")

    ops = {e.get("name") for e in layers if is_op(e)}
    if not ops:
        return config
    outputs = config.get("output_layers")
    outputs = outputs if isinstance(outputs, list) else []
    output_names = {r[0] for r in ([outputs] if outputs and isinstance(outputs[0], str) else outputs)
                    if isinstance(r, list) and r and isinstance(r[0], str)}
    entries = []
    for entry in layers:  # drop mask keywords computed by ops
        if isinstance(entry, dict) and isinstance(entry.get("inbound_nodes"), list):
            nodes = []
            for node in entry["inbound_nodes"]:
                if isinstance(node, dict) and isinstance(node.get("kwargs"), dict) and "mask" in node["kwargs"] \
                        and _references(node["kwargs"]["mask"], set()) <= ops:
                    node = {**node, "kwargs": {k: v for k, v in node["kwargs"].items() if k != "mask"}}
                nodes.append(node)
            entry = {**entry, "inbound_nodes": nodes}
        entries.append(entry)
    while True:  # drop ops nothing uses any more (those that computed only masks)
        used = _references([e.get("inbound_nodes") for e in entries if isinstance(e, dict)], set()) | output_names
        unused = [e for e in entries if is_op(e) and e.get("name") not in used]
        if not unused:
            break
        entries = [e for e in entries if not any(e is u for u in unused)]
    out = []
    for entry in entries:
        if is_op(entry):
            operator = _FROM_KERAS.get(entry.get("class_name"))
            if operator is None:
                raise ValueError(f"{label}: the Keras operation {entry.get('class_name')!r} (layer "
                                 f"{entry.get('name')!r}) has no neuronet equivalent; supported operations: "
                                 f"{sorted(_FROM_KERAS)}")
            entry = _operator_entry(entry, operator, f"{label} (operation {entry.get('name')!r})")
        out.append(entry)
    return {**config, "layers": out}
