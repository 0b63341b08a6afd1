"""The ONNX graph under construction: named values, nodes and weights, built with ``onnx.helper``.

Each layer converter adds nodes through :class:`Graph`, which hands out unique names, stores
constants as initializers (float arrays as float32, the type the exported graph computes in), and
writes the few ops whose form changed between opsets (reductions take their axes as an input from
opset 18; ``Split`` takes ``num_outputs`` from 18) in the form the target opset expects.

A tensor flowing between layers is a :class:`Value`: its name in the graph, its static shape
(``None`` where the size is only known at run time, e.g. the batch), its NumPy dtype and, for
sequences, the name of its boolean ``(batch, time)`` mask when the layer that made it emits one
(``Embedding(mask_zero=True)``, ``Masking``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["Graph", "Value", "ExportError", "INT_MAX"]

INT_MAX = np.iinfo(np.int64).max  # "to the end" in Slice


class ExportError(ValueError):
    """A model that cannot be written as ONNX (an unsupported layer or argument); nothing is written."""


@dataclass(frozen=True)
class Value:
    """A tensor of the graph: ``name``, static ``shape`` (None = known at run time), NumPy ``dtype``,
    and ``mask``, the name of a boolean (batch, time) tensor, or None."""

    name: str
    shape: tuple
    dtype: np.dtype
    mask: str | None = None

    @property
    def rank(self) -> int:
        return len(self.shape)

    def with_(self, **changes) -> "Value":
        return replace(self, **changes)


def onnx_type(dtype) -> int:
    """The ONNX element type of a NumPy dtype (floats of any width become FLOAT)."""
    from onnx import TensorProto

    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return TensorProto.FLOAT
    table = {np.dtype(np.int64): TensorProto.INT64, np.dtype(np.int32): TensorProto.INT32,
             np.dtype(np.bool_): TensorProto.BOOL, np.dtype(np.uint8): TensorProto.UINT8,
             np.dtype(np.int8): TensorProto.INT8, np.dtype(np.int16): TensorProto.INT16,
             np.dtype(np.uint16): TensorProto.UINT16, np.dtype(np.uint32): TensorProto.UINT32,
             np.dtype(np.uint64): TensorProto.UINT64}
    if dtype not in table:
        raise ExportError(f"export: dtype {dtype} has no ONNX equivalent here; expected a float, integer or bool dtype")
    return table[dtype]


class Graph:
    """Nodes, initializers and unique names of one ONNX graph for ``opset``."""

    def __init__(self, opset: int):
        from onnx import helper, numpy_helper

        self._helper, self._numpy_helper = helper, numpy_helper
        self.opset = int(opset)
        self.nodes: list = []
        self.initializers: list = []
        self._names: set = set()
        self._constants: dict = {}
        self._transposes: dict = {}  # output name -> (input name, perm): lets a transpose back cancel

    # ------------------------------------------------------------------ names and constants
    def fresh(self, hint: str) -> str:
        """A name not used yet in the graph, made from ``hint``."""
        base = "".join(c if c.isalnum() or c in "_./-" else "_" for c in str(hint)) or "t"
        name, i = base, 1
        while name in self._names:
            name = f"{base}_{i}"
            i += 1
        self._names.add(name)
        return name

    def reserve(self, name: str) -> str:
        """Claim an exact name (a graph input or output); raises if it is taken."""
        if name in self._names:
            raise ExportError(f"export: two graph inputs/outputs would be named {name!r}; give them unique names")
        self._names.add(name)
        return name

    def const(self, value, dtype=None, hint: str = "const") -> str:
        """An initializer holding ``value`` (float arrays stored as float32); small ones are shared."""
        arr = np.asarray(value, dtype=dtype)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        key = None
        if arr.size <= 64:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
            if key in self._constants:
                return self._constants[key]
        name = self.fresh(hint)
        self.initializers.append(self._numpy_helper.from_array(np.array(arr, order="C"), name))
        if key is not None:
            self._constants[key] = name
        return name

    def ints(self, values, hint: str = "ints") -> str:
        """A 1-D int64 initializer (axes, shapes, pads)."""
        return self.const(np.asarray(list(values), dtype=np.int64), hint=hint)

    # ------------------------------------------------------------------ nodes
    def op(self, op_type: str, inputs, hint: str | None = None, outputs: int = 1, domain: str = "", **attrs):
        """Add a node; returns its output name (or a list of names when ``outputs`` > 1).

        An input given as ``""`` is an omitted optional input. Attributes whose value is None are left out.
        """
        names = [self.fresh(f"{hint or op_type}" if outputs == 1 else f"{hint or op_type}_{i}")
                 for i in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        node = self._helper.make_node(op_type, list(inputs), names, name=self.fresh(f"{hint or op_type}_node"),
                                      domain=domain or None, **attrs)
        self.nodes.append(node)
        return names[0] if outputs == 1 else names

    def transpose(self, x: str, perm) -> str:
        """``Transpose(x, perm)``; transposing back a transposed tensor returns the original name."""
        perm = [int(p) for p in perm]
        if perm == sorted(perm):
            return x
        source = self._transposes.get(x)
        if source is not None:
            first = source[1]
            if [first[p] for p in perm] == list(range(len(perm))):
                return source[0]
        y = self.op("Transpose", [x], perm=perm)
        self._transposes[y] = (x, perm)
        return y

    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """``ReduceSum/Mean/Max/Min/Prod`` over ``axes``, in the form of the target opset."""
        axes = [int(a) for a in axes]
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, [x, self.ints(axes, "axes")], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def split(self, x: str, axis: int, parts: int) -> list:
        """``parts`` equal pieces of ``x`` along ``axis``."""
        if self.opset >= 18:
            return self.op("Split", [x], outputs=parts, axis=axis, num_outputs=parts)
        return self.op("Split", [x], outputs=parts, axis=axis)

    def unsqueeze(self, x: str, axes) -> str:
        return self.op("Unsqueeze", [x, self.ints(axes, "axes")])

    def squeeze(self, x: str, axes) -> str:
        return self.op("Squeeze", [x, self.ints(axes, "axes")])

    def reshape(self, x: str, shape) -> str:
        """Reshape to ``shape``: a list of ints (0 copies the input's size, -1 is inferred) or a name."""
        target = shape if isinstance(shape, str) else self.ints(shape, "shape")
        return self.op("Reshape", [x, target])

    def slice(self, x: str, starts, ends, axes, steps=None) -> str:
        inputs = [x, self.ints(starts, "starts"), self.ints(ends, "ends"), self.ints(axes, "axes")]
        if steps is not None:
            inputs.append(self.ints(steps, "steps"))
        return self.op("Slice", inputs)

    def reverse(self, x: str, axis: int) -> str:
        """``x`` read backwards along ``axis`` (any length)."""
        return self.slice(x, [-1], [-INT_MAX], [axis], [-1])

    def shape_of(self, x: str, start: int | None = None, end: int | None = None) -> str:
        """The int64 shape of ``x`` (the dims ``start:end`` of it; Shape takes them from opset 15)."""
        if (start is None and end is None) or self.opset >= 15:
            return self.op("Shape", [x], start=start, end=end)
        shape = self.op("Shape", [x])
        return self.slice(shape, [start or 0], [INT_MAX if end is None else end], [0])

    def cast(self, x: str, dtype) -> str:
        return self.op("Cast", [x], to=onnx_type(dtype))

    def where_mask(self, mask: str, rank: int, x_rank: int) -> str:
        """A (batch, time) mask given trailing size-1 axes so it broadcasts against a rank-``x_rank`` tensor."""
        if x_rank <= rank:
            return mask
        return self.unsqueeze(mask, list(range(rank, x_rank)))

    # ------------------------------------------------------------------ the model
    def model(self, inputs: list, outputs: list, name: str, doc: str = ""):
        """The ``ModelProto`` with ``inputs`` and ``outputs`` (``helper.make_tensor_value_info`` records),
        keeping only the nodes and initializers the outputs need."""
        helper = self._helper
        needed = {o.name for o in outputs}
        kept = []
        for node in reversed(self.nodes):
            if any(out in needed for out in node.output):
                kept.append(node)
                needed.update(i for i in node.input if i)
        kept.reverse()
        inits = [t for t in self.initializers if t.name in needed]
        graph = helper.make_graph(kept, name, inputs, outputs, initializer=inits)
        opsets = [helper.make_opsetid("", self.opset)]
        if any(n.domain == "ai.onnx.ml" for n in kept):
            opsets.append(helper.make_opsetid("ai.onnx.ml", 3))
        from .. import __version__

        model = helper.make_model(graph, opset_imports=opsets, producer_name="neuronet",
                                  producer_version=__version__, doc_string=doc)
        model.ir_version = _ir_version(self.opset)
        return model


def _ir_version(opset: int) -> int:
    """The lowest IR version that carries ``opset`` (so older runtimes can read the file)."""
    from onnx import helper

    for _release, ir, ai_onnx, *_ in helper.VERSION_TABLE:
        if ai_onnx >= opset:
            return ir
    return helper.VERSION_TABLE[-1][1]
