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

import inspect

from ..ops.keras_names import REQUIRED, keras_op_spec, op_name_of_keras_class

__all__ = ["to_keras_entry", "from_keras_graph"]

_TENSOR = "__keras_tensor__"
# Python's operators on symbolic tensors (``x / y``, ``x[i]``) are these ops of ``KERAS_OPS``
_OPERATOR_OPS = {"divide": "true_divide", "getitem": "get_item"}
# the classes Python's operators record in Keras, read back as neuronet's operator nodes (which keep masks)
_OPERATOR_CLASSES = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply", "TrueDivide": "divide",
                     "Divide": "divide", "Power": "power", "Maximum": "maximum", "Minimum": "minimum",
                     "Negative": "negative", "Absolute": "absolute", "GetItem": "getitem"}
_UNARY = ("negative", "absolute")
_MARKERS = ("__numpy__", "__slice__", "__ellipsis__")


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


def _spec(op_name: str, where: str):
    spec = keras_op_spec(_OPERATOR_OPS.get(op_name, op_name))
    if spec is None:
        raise ValueError(f"{where}: the op {op_name!r} has no Keras 3 operation to write it as")
    return spec


def _entry(spec, config: dict, name: str, nodes: list) -> dict:
    module, class_name = spec[0], spec[1]
    return {"module": f"keras.src.ops.{module}", "class_name": class_name, "config": {"name": name, **config},
            "registered_name": class_name, "name": name, "inbound_nodes": nodes}


def to_keras_entry(entry: dict) -> dict:
    """The Keras 3 op entry for a neuronet ``OperatorLayer`` entry of a functional config; a ValueError
    naming the op when Keras has no operation for it or cannot hold its arguments."""
    config = entry["config"]
    operator, name = config["operator"], config["name"]
    where = f"OperatorLayer {name!r} (ops.{operator})"
    spec = _spec(operator, where)
    if config.get("arguments") is not None:
        return _arguments_to_keras(spec, config, name, entry.get("inbound_nodes", []), where)
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
    return _entry(spec, {}, entry.get("name", name), nodes)


def _arguments_to_keras(spec, config: dict, name: str, inbound: list, where: str) -> dict:
    """An op recorded with its arguments by parameter name: the constructor's in the config, the call's
    in each node, the operand markers replaced by the node's tensors."""
    from ..layers.operator import op_function

    signature = inspect.signature(op_function(config["operator"], where))
    arguments = dict(config["arguments"])
    for param in signature.parameters.values():  # *args were recorded as a tuple
        if param.kind is param.VAR_POSITIONAL and param.name in arguments:
            arguments[param.name] = _unwrap_tuple(arguments[param.name])
    values = _bind(spec, signature, arguments, where)
    ctor = {}
    for key, default in spec[3].items():
        value = values.pop(key, default)
        if value is REQUIRED:
            raise ValueError(f"{where}: Keras's {spec[1]} needs the argument {key!r}")
        ctor[key] = _plain(value, f"{where}: argument {key!r}")
    nodes = []
    for node in inbound:
        node_args = node.get("args") or [None]
        tensors = node_args[0] if isinstance(node_args[0], list) else [node_args[0]]
        args, kwargs = [], {}
        for param in spec[2]:
            if param.startswith("**"):
                kwargs.update({k: _tensors(v, tensors) for k, v in values.get(param[2:], {}).items()})
            elif param.startswith("*"):
                args.extend(_tensors(v, tensors) for v in values.get(param[1:], ()))
            elif param.startswith("="):
                if param[1:] in values:
                    kwargs[param[1:]] = _tensors(values[param[1:]], tensors)
            else:
                args.append(_tensors(values.get(param), tensors))
        nodes.append({"args": args, "kwargs": kwargs})
    return _entry(spec, ctor, name, nodes)


def _bind(spec, signature, arguments: dict, where: str) -> dict:
    """neuronet's recorded arguments by the names of Keras's parameters: the same names match; the items
    of a ``*args`` parameter Keras lacks (``equal(*xs)``) fill Keras's positional call parameters in order."""
    call = [p for p in spec[2] if not p.startswith("*")]
    named = [p.lstrip("=") for p in call] + list(spec[3])
    varargs = next((p[1:] for p in spec[2] if p.startswith("*") and not p.startswith("**")), None)
    varkw = next((p[2:] for p in spec[2] if p.startswith("**")), None)
    values: dict = {}

    def place(key, value):
        if key in named and key not in values:
            values[key] = value
        elif key == varargs:
            values[key] = list(value)
        elif varkw is not None and key not in named:
            values.setdefault(varkw, {})[key] = value
        else:
            raise ValueError(f"{where}: the argument {key!r} has no place in Keras's {spec[1]} "
                             f"(its parameters: {named + ([varargs] if varargs else [])})")

    for key, value in arguments.items():
        kind = signature.parameters[key].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            for k, v in value.items():
                place(k, v)
        elif kind is inspect.Parameter.VAR_POSITIONAL and key != varargs:
            items = list(value)
            for param in call:
                if items and not param.startswith("=") and param not in values:
                    values[param] = items.pop(0)
            if items:
                if varargs is None:
                    raise ValueError(f"{where}: {len(items)} operand(s) too many for Keras's {spec[1]}")
                values[varargs] = items
        else:
            place(key, value)
    return values


def _unwrap_tuple(value):
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        return list((value.get("config") or {}).get("value") or [])
    return value


def _plain(value, where: str):
    """A constructor argument as Keras writes it: tuples as lists, no tensors or array constants."""
    value = _unwrap_tuple(value)
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") in ("__operand__",) + _MARKERS:
            raise ValueError(f"{where}: Keras keeps only plain values (numbers, strings, lists) in an "
                             f"operation's config, received {_short(value)}")
        return {k: _plain(v, where) for k, v in value.items()}
    return value


def _tensors(value, tensors: list):
    """A call argument as Keras writes it: operand markers replaced by the node's tensors, tuples as lists."""
    value = _unwrap_tuple(value)
    if isinstance(value, list):
        return [_tensors(v, tensors) for v in value]
    if isinstance(value, dict):
        if value.get("class_name") == "__operand__":
            return tensors[value["config"]["index"]]
        if value.get("class_name") in _MARKERS:
            return value
        return {k: _tensors(v, tensors) for k, v in value.items()}
    return value


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


def _plain_operator(entry: dict) -> bool:
    """An entry Python's operators record: no constructor arguments, no keywords, a plain constant."""
    nodes = entry.get("inbound_nodes")
    if (entry.get("config") or {}).keys() - {"name"} or not isinstance(nodes, list):
        return False
    for node in nodes:
        if not isinstance(node, dict) or node.get("kwargs") or not isinstance(node.get("args"), list):
            return False
        if entry.get("class_name") != "GetItem" and not all(
                _is_tensor(a) or (isinstance(a, (int, float)) and not isinstance(a, bool)) for a in node["args"]):
            return False
    return True


def _op_entry(entry: dict, where: str) -> dict:
    """An ``OperatorLayer`` entry recording the op of a Keras op entry with its arguments by name."""
    from ..layers.operator import op_function

    module, class_name = entry["module"], entry.get("class_name")
    name = op_name_of_keras_class(class_name, module[len("keras.src.ops."):])
    if name is None:
        raise ValueError(f"{where}: unknown Keras operation {_short(class_name)} in module {_short(module)}")
    spec = keras_op_spec(name)
    signature = inspect.signature(op_function(name, where))
    config = entry.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"{where}: the config of {class_name} must be a dict, found {_short(config)}")
    unknown = sorted(set(config) - set(spec[3]) - {"name"})
    if unknown:
        raise ValueError(f"{where}: unknown argument(s) {unknown} of Keras's {class_name}; it takes {list(spec[3])}")
    arguments, nodes = None, []
    for node in entry.get("inbound_nodes") or []:
        if not isinstance(node, dict) or not isinstance(node.get("args"), list) \
                or not isinstance(node.get("kwargs", {}), dict):
            raise ValueError(f"{where}: malformed node {_short(node)}")
        values = {k: v for k, v in config.items() if k != "name"}
        values.update(_call_values(spec, node["args"], node.get("kwargs") or {}, where))
        tensors: list = []
        found = _neuronet_arguments(name, spec, signature, values, tensors, where)
        if arguments is not None and found != arguments:
            raise ValueError(f"{where}: the calls of one operation differ in their arguments")
        arguments = found
        if not tensors:
            raise ValueError(f"{where}: an operation without a tensor operand")
        nodes.append({"args": [tensors if len(tensors) > 1 else tensors[0]], "kwargs": {}})
    layer_name = entry.get("name") or config.get("name")
    out = {"name": layer_name, "operator": name, "arguments": arguments or {}}
    return {"class_name": "OperatorLayer", "config": out, "name": layer_name, "inbound_nodes": nodes}


def _call_values(spec, args: list, kwargs: dict, where: str) -> dict:
    """A node's ``args``/``kwargs`` by the names of Keras's call parameters."""
    values: dict = {}
    args = list(args)
    for param in spec[2]:
        if param.startswith("**"):
            values[param[2:]] = {k: v for k, v in kwargs.items() if k not in values}
        elif param.startswith("*"):
            values[param[1:]], args = args, []
        elif param.startswith("="):
            if param[1:] in kwargs:
                values[param[1:]] = kwargs[param[1:]]
        elif args:
            values[param] = args.pop(0)
        elif param in kwargs:
            values[param] = kwargs[param]
    extra = [k for k in kwargs if k not in values] if not any(p.startswith("**") for p in spec[2]) else []
    if args or extra:
        raise ValueError(f"{where}: Keras's {spec[1]} takes the call arguments {list(spec[2])}, found "
                         f"{len(args)} more positional and the keywords {extra}")
    return values


def _neuronet_arguments(name: str, spec, signature, values: dict, tensors: list, where: str) -> dict:
    """Keras's arguments by parameter name as the ``arguments`` of neuronet's ``ops.<name>``: tensors as
    operand markers (appended to ``tensors``), lists without tensors as tuples."""
    positional = [p for p in spec[2] if not p.startswith(("*", "="))]
    out = {}
    for param in signature.parameters.values():
        if param.kind is param.VAR_POSITIONAL:
            keras_varargs = next((p[1:] for p in spec[2] if p.startswith("*") and not p.startswith("**")), None)
            items = [values.pop(p) for p in positional if p in values and p not in signature.parameters]
            items += list(values.pop(keras_varargs, None) or [])
            if items:
                out[param.name] = _encoded(tuple(items), tensors, where)
        elif param.kind is param.VAR_KEYWORD:
            rest = values.pop(next((p[2:] for p in spec[2] if p.startswith("**")), None), None) or {}
            out.update({k: _encoded(v, tensors, where) for k, v in rest.items()})
        elif param.name in values:
            out[param.name] = _encoded(values.pop(param.name), tensors, where)
    for key, value in values.items():  # Keras's arguments neuronet lacks: refused unless left at their default
        if value != spec[3].get(key, REQUIRED) and not (isinstance(value, dict) and not value):
            raise ValueError(f"{where}: neuronet's ops.{name} has no argument {key!r} (received {_short(value)})")
    try:
        arguments = {k: v for k, v in out.items()}
        bound = inspect.BoundArguments(signature, arguments)
        signature.bind(*bound.args, **bound.kwargs)
    except TypeError as err:
        raise ValueError(f"{where}: the arguments do not fit ops.{name}: {err}") from None
    return out


def _encoded(value, tensors: list, where: str):
    """A value of a Keras node or config as neuronet records an op's argument (see layers/op_arguments.py)."""
    if _is_tensor(value):
        tensors.append(value)
        return {"class_name": "__operand__", "config": {"index": len(tensors) - 1}}
    if isinstance(value, (list, tuple)):
        items = [_encoded(v, tensors, where) for v in value]
        holds_tensor = any(_is_tensor(v) for v in value) or any(isinstance(v, list) for v in items)
        return items if holds_tensor and not isinstance(value, tuple) else \
            {"class_name": "__tuple__", "config": {"value": items}}
    if isinstance(value, dict):
        kind = value.get("class_name")
        if kind in _MARKERS:
            return value
        if kind == "__tensor__" and isinstance(value.get("config"), dict):
            return {"class_name": "__numpy__", "config": value["config"]}
        raise ValueError(f"{where}: unsupported argument {_short(value)}")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(f"{where}: unsupported argument {_short(value)}")


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
            where = f"{label} (operation {_short(entry.get('name'))})"
            operator = _OPERATOR_CLASSES.get(entry.get("class_name"))
            if operator is not None and entry["module"] == "keras.src.ops.numpy" and _plain_operator(entry):
                entry = _operator_entry(entry, operator, where)
            else:
                entry = _op_entry(entry, where)
        out.append(entry)
    return {**config, "layers": out}
