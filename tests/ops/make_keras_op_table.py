"""Rewrite the table ``KERAS_OPS`` of neuronet/ops/keras_names.py from the source of the installed Keras 3.

Each ``keras.ops`` function records its call on symbolic tensors as ``SomeOp(**constructor).symbolic_call(
*call)``: this script reads Keras's ``keras/src/ops/*.py`` (parsed, never imported) and writes, for every
exported op name, the module and class Keras writes in a model file, the parameters passed to the call
(what a file's ``inbound_nodes`` hold) and the constructor parameters with the function's defaults (what
``Operation.get_config`` writes). Run it with a Python that has Keras::

    /work/main/.venv-bench/bin/python tests/ops/make_keras_op_table.py

``tests/ops/test_keras_op_table.py`` checks the committed table against the installed Keras.
"""

from __future__ import annotations

import ast
import importlib.util
import pathlib
import sys

MODULES = ("numpy", "nn", "math", "core", "linalg", "image", "einops")
TARGET = pathlib.Path(__file__).resolve().parents[2] / "neuronet" / "ops" / "keras_names.py"
BEGIN, END = "KERAS_OPS = {\n", "}  # end of KERAS_OPS\n"


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:  # computed by the function: the call must give it
        return REQUIRED


def _classes(tree) -> dict:
    """Each Operation subclass of a module → its __init__ parameters (inherited within the module)."""
    defs = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def params(name):
        node = defs.get(name)
        if node is None:
            return []  # Operation itself: only ``name``
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is None:
            base = node.bases[0].id if node.bases and isinstance(node.bases[0], ast.Name) else None
            return params(base) if base in defs else []
        return [a.arg for a in init.args.args[1:] + init.args.kwonlyargs if a.arg != "name"]

    return {name: params(name) for name in defs}


def _exports(node) -> list:
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "keras_export":
            arg = deco.args[0]
            values = [e.value for e in arg.elts] if isinstance(arg, ast.List) else [arg.value]
            return sorted({v.rsplit(".", 1)[1] for v in values if v.startswith("keras.ops.")})
    return []


def _op_call(function, classes):
    """The ``Class(...)`` and ``.symbolic_call(...)`` (or ``Class(...)(...)``) calls in a function's body."""
    for sub in ast.walk(function):
        if isinstance(sub, ast.Call):
            f = sub.func
            ctor = f.value if isinstance(f, ast.Attribute) and f.attr == "symbolic_call" else f
            if isinstance(ctor, ast.Call) and isinstance(ctor.func, ast.Name) and ctor.func.id in classes:
                return ctor, sub
    return None


def _name(node) -> str:
    if isinstance(node, ast.Starred):
        return "*" + node.value.id
    if isinstance(node, ast.Name):
        return node.id
    raise ValueError(f"unexpected call argument {ast.unparse(node)}")


def table() -> dict:
    root = pathlib.Path(importlib.util.find_spec("keras").submodule_search_locations[0]) / "src" / "ops"
    out, aliases = {}, {}
    for module in MODULES:
        tree = ast.parse((root / f"{module}.py").read_text())
        classes = _classes(tree)
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and _exports(n)]
        for fn in functions:
            found = _op_call(fn, classes)
            if found is None:  # ``abs`` returns ``absolute(x)``: an alias
                body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call) \
                        and isinstance(body[0].value.func, ast.Name):
                    for name in _exports(fn):
                        aliases[name] = body[0].value.func.id
                continue
            ctor, call = found
            cls = ctor.func.id
            params = fn.args.args + fn.args.kwonlyargs
            defaults = dict(zip([a.arg for a in fn.args.args][::-1], fn.args.defaults[::-1]))
            defaults.update({a.arg: d for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults) if d is not None})
            passed = {classes[cls][i]: a for i, a in enumerate(ctor.args)}
            passed.update({k.arg: k.value for k in ctor.keywords})
            config = {}
            for p in classes[cls]:
                value = passed.get(p)
                if isinstance(value, ast.Name) and value.id in [a.arg for a in params]:
                    config[p] = _literal(defaults[value.id]) if value.id in defaults else REQUIRED
                elif value is None:
                    config[p] = REQUIRED
                else:
                    config[p] = _literal(value)  # a constant the function passes
            call_params = [_name(a) for a in call.args] + ["=" + k.arg for k in call.keywords if k.arg]
            call_params += ["**" + k.value.id for k in call.keywords if k.arg is None and fn.args.kwarg]
            for name in _exports(fn):
                out[name] = (module, cls, tuple(call_params), config)
    for alias, target in aliases.items():
        if target in out and alias not in out:
            out[alias] = out[target]
    return dict(sorted(out.items()))


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


def render(entries: dict) -> str:
    lines = [BEGIN]
    for name, (module, cls, call, config) in entries.items():
        line = f"    {name!r}: ({module!r}, {cls!r}, {call!r}, {config!r}),\n"
        if len(line) > 121:  # the config's items on lines of their own, within ruff's 120 columns
            lines.append(f"    {name!r}: ({module!r}, {cls!r}, {call!r}, {{\n")
            row = "        "
            for key, value in config.items():
                item = f"{key!r}: {value!r}, "
                if len(row) + len(item) > 121:
                    lines.append(row.rstrip() + "\n")
                    row = "        "
                row += item
            line = row.rstrip() + "\n    }),\n"
        lines.append(line)
    lines.append(END)
    return "".join(lines)


def main() -> None:
    text = TARGET.read_text()
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    TARGET.write_text(text[:start] + render(table()) + text[stop:])
    print(f"wrote {len(table())} ops to {TARGET}", file=sys.stderr)


if __name__ == "__main__":
    main()
