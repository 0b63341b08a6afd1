"""A neuronet model as an ONNX ``ModelProto``: the input signature, the walk over the layers, the checks.

The walk follows the model as ``predict`` runs it: a ``Sequential`` layer after layer, a functional
model node by node in topological order (shared layers, several inputs and outputs, tensors passed
as call arguments such as ``initial_state=[h, c]``), a nested model by walking it in place. Each
layer is translated by the converter registered for its exact class (see :func:`converts`); a layer
class of your own is traced (its ``call`` run once on symbolic inputs, see :mod:`.onnx_trace`) and
refused, naming it, when its call needs values.

Masks travel with the values as they do in ``predict``: a layer that supports masking and does not
override ``compute_mask`` passes its input's mask on; converters of layers that make, change or
consume masks (Embedding, Masking, recurrent layers, merges, pooling) handle them themselves; any
other layer that would read a mask is refused when one reaches it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from .onnx_graph import ExportError, Graph, Value, onnx_type
from .onnx_trace import trace_layer, traceable

__all__ = ["converts", "convert_layer", "build_onnx_model", "DEFAULT_OPSET", "MIN_OPSET"]

#: The opset written when ``opset_version`` is not given: 17 has LayerNormalization and is read by
#: every onnxruntime since 1.12 and the other common runtimes.
DEFAULT_OPSET = 17
#: The lowest opset written (13 took Squeeze/Unsqueeze/ReduceSum axes as inputs and Softmax on one axis).
MIN_OPSET = 13


@dataclass
class _Converter:
    fn: object
    masks: bool
    call_args: tuple
    positional: int = 0
    check: object = None


_CONVERTERS: dict = {}
_LOADED = {"done": False}


def converts(*classes, masks: bool = False, call_args: tuple = (), positional: int = 0, check=None):
    """Register ``fn(graph, layer, x, *args, **call_args) -> Value | list`` as the converter of ``classes``.

    Args:
        classes: the exact layer classes it translates.
        masks: the converter reads the input mask (``x.mask``, or the ``mask`` keyword) and sets the
            output masks itself. Defaults to False: the input mask passes through a layer that
            supports masking and is dropped by one that does not.
        call_args: keyword call arguments besides ``mask``/``training`` it accepts (e.g. ``initial_state``).
        positional: how many positional arguments after the first the layer's call takes (e.g. 2 for
            MultiHeadAttention's ``value`` and ``key``), passed to ``fn`` in order. Defaults to 0.
        check: ``check(layer)``, run on every such layer before any work, raising the refusal of a
            setting the converter does not translate (e.g. an op node's op). Defaults to None.
    """
    def register(fn):
        for cls in classes:
            _CONVERTERS[cls] = _Converter(fn, masks, tuple(call_args), positional, check)
        return fn
    return register


def _load_converters() -> None:
    if not _LOADED["done"]:
        from . import (onnx_attention, onnx_conv, onnx_einsum, onnx_layers, onnx_merge,  # noqa: F401
                       onnx_ops, onnx_preprocessing, onnx_recurrent)

        _LOADED["done"] = True


def _describe(layer) -> str:
    return f"layer '{layer.name}' ({type(layer).__name__})"


def refuse(layer, reason: str):
    """The one-line error for a layer (or one of its settings) ONNX cannot express."""
    return ExportError(f"export: {_describe(layer)} cannot be exported to ONNX: {reason}")


# ----------------------------------------------------------------------------- models
def _kind(model) -> str:
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if isinstance(model, Sequential):
        return "sequential"
    if isinstance(model, Functional):
        return "functional"
    return "subclassed"


def _functional_parts(model):
    """(input tensors, nodes in topological order, output tensors, multi-output?) of a functional model."""
    return model._inputs, model._order, model._outputs, model._multi_output


def _layers_of(model) -> list:
    kind = _kind(model)
    if kind == "sequential":
        return list(model.layers)
    if kind == "functional":
        return [node.layer for node in _functional_parts(model)[1]]
    return []


def check_layers(model) -> None:
    """Refuse, before any work, the first layer (nested models included) that has no converter."""
    from ..layers.core import Lambda
    from ..models.training import Model

    for layer in _layers_of(model):
        if isinstance(layer, Model):
            if _kind(layer) == "subclassed":
                raise refuse(layer, "a subclassed model's call is Python code; build it as a Sequential or "
                                    "functional Model to export it")
            check_layers(layer)
        elif isinstance(layer, Lambda):
            raise refuse(layer, "its Python function has no ONNX equivalent; replace it by built-in layers")
        elif type(layer) not in _CONVERTERS and not traceable(layer):
            raise refuse(layer, _unsupported_reason(layer))
        elif getattr(layer, "stateful", False):
            raise refuse(layer, "stateful=True carries states from one predict call to the next, which an ONNX "
                                "graph cannot hold; export a copy with stateful=False")
        elif type(layer) in _CONVERTERS and _CONVERTERS[type(layer)].check is not None:
            _CONVERTERS[type(layer)].check(layer)


_REASONS = {
    "StringLookup": "string vocabularies are not translated (map strings to ids before the model)",
    "IntegerLookup": "vocabulary lookups are not translated (map values to ids before the model)",
    "TextVectorization": "text splitting and vocabularies run outside the graph (vectorize before the model)",
    "Hashing": "its hash function (FarmHash) has no ONNX operator",
    "HashedCrossing": "its hash function (FarmHash) has no ONNX operator",
}


def _unsupported_reason(layer) -> str:
    name = type(layer).__name__
    if name in _REASONS:
        return _REASONS[name]
    return (f"no ONNX converter for class {name} (custom layers and subclasses with their own call are not "
            "translated)")


def _takes_mask(layer) -> bool:
    try:
        return "mask" in inspect.signature(type(layer).call).parameters
    except (TypeError, ValueError):
        return False


def convert_layer(g: Graph, layer, x, args: tuple = (), kwargs: dict | None = None):
    """Add ``layer(x, *args, **kwargs)`` to the graph as ``predict`` runs it; returns Value(s)."""
    from ..layers.base import Layer
    from ..models.training import Model

    kwargs = dict(kwargs or {})
    if kwargs.pop("training", None):
        raise refuse(layer, "it is called with training=True, so it would behave as in training (random) "
                            "inside predict")
    if isinstance(layer, Model):
        if args:
            raise refuse(layer, f"it is called with {len(args)} extra positional argument(s)")
        return _convert_nested(g, layer, x)
    conv = _CONVERTERS.get(type(layer))
    if conv is None:
        if traceable(layer):
            return trace_layer(g, layer, x, args, kwargs)
        raise refuse(layer, _unsupported_reason(layer))
    if len(args) > conv.positional:
        raise refuse(layer, f"it is called with {len(args)} extra positional argument(s); pass them by keyword")
    explicit_mask = kwargs.pop("mask", None)
    extra = sorted(set(kwargs) - set(conv.call_args))
    if extra:
        raise refuse(layer, f"the call argument(s) {extra} are not translated")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    multi = isinstance(x, (list, tuple))
    mask = None
    if multi and isinstance(explicit_mask, (list, tuple)):  # one mask per input: layer([a, b], mask=[ma, mb])
        x = type(x)(v.with_(mask=None if m is None else _as_mask(g, m)) for v, m in zip(x, explicit_mask))
    elif explicit_mask is not None:
        mask = _as_mask(g, explicit_mask)
    elif not multi and layer.supports_masking:
        mask = x.mask
    if conv.masks:
        if not multi:
            x = x.with_(mask=mask)
        return conv.fn(g, layer, x, *args, **kwargs)
    if mask is not None and _takes_mask(layer):
        raise refuse(layer, "it reads the mask of its input (from Embedding(mask_zero=True) or Masking), which "
                            "this converter does not translate")
    out = conv.fn(g, layer, x, *args, **kwargs)
    keep = (mask is not None and layer.supports_masking
            and type(layer).compute_mask is Layer.compute_mask)
    if mask is not None and not keep and type(layer).compute_mask is not Layer.compute_mask:
        raise refuse(layer, "it changes the mask of its input in a way this converter does not translate")
    new_mask = mask if keep else None
    if isinstance(out, (list, tuple)):
        return type(out)(o.with_(mask=new_mask) for o in out)
    return out.with_(mask=new_mask)


def _as_mask(g: Graph, value: Value) -> str:
    """A boolean mask from a mask value passed in a call (``layer(x, mask=m)``)."""
    if np.dtype(value.dtype) == np.bool_:
        return value.name
    return g.op("Cast", [value.name], to=onnx_type(np.bool_))


def _convert_nested(g: Graph, model, x):
    inputs = list(x) if isinstance(x, (list, tuple)) else [x]
    outputs, multi = convert_model(g, model, inputs)
    return outputs if multi else outputs[0]


def convert_model(g: Graph, model, inputs: list) -> tuple:
    """(output Values, several outputs?) of ``model`` applied to the input Values."""
    from ..layers.base import substitute_keras_tensors

    kind = _kind(model)
    if kind == "sequential":
        if len(inputs) != 1:
            raise ExportError(f"export: Sequential '{model.name}' takes one input, received {len(inputs)}")
        x = inputs[0]
        for layer in model.layers:
            x = convert_layer(g, layer, x)
            if isinstance(x, (list, tuple)):
                raise refuse(layer, "a layer with several outputs inside a Sequential is not translated")
        return [x], False
    if kind != "functional":
        raise ExportError(f"export: model '{model.name}' ({type(model).__name__}) is a subclassed model; its call is "
                          "Python code. Build it as a Sequential or functional Model to export it")
    model_inputs, order, model_outputs, multi_output = _functional_parts(model)
    if len(inputs) != len(model_inputs):
        raise ExportError(f"export: model '{model.name}' expects {len(model_inputs)} input(s), received {len(inputs)}")
    values = {id(t): v for t, v in zip(model_inputs, inputs)}
    for node in order:
        args = [values[id(t)] for t in node.input_tensors]
        arg = args if isinstance(node.inputs, (list, tuple)) else args[0]
        extra, kwargs = node.args, dict(node.kwargs or {})
        if node.call_tensors:
            extra = substitute_keras_tensors(extra, values)
            kwargs = substitute_keras_tensors(kwargs, values)
        out = convert_layer(g, node.layer, arg, tuple(extra), kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        for t, o in zip(node.output_tensors, outs):
            values[id(t)] = o
    return [values[id(t)] for t in model_outputs], multi_output


# ----------------------------------------------------------------------------- input signature
def _model_inputs(model) -> list:
    """[(name, batch shape, dtype)] of the model's inputs, as recorded when it was built."""
    kind = _kind(model)
    if kind == "functional":
        return [(t.name or f"input_{i}", tuple(t.shape), np.dtype(t.dtype)) for i, t in enumerate(model.inputs)]
    if kind == "sequential":
        if not model.built and getattr(model, "_input_batch_shape", None) is None:
            raise ExportError(f"export: Sequential '{model.name}' has not been built, so its input shape is unknown; "
                              "call it on data, give its first layer input_shape=, or pass input_signature")
        shape = tuple(model.input_shape)
        first = model.layers[0] if model.layers else None
        integer = type(first).__name__ in ("Embedding", "CategoryEncoding")
        return [("input_layer", shape, np.dtype(np.int64 if integer else np.float32))]
    raise ExportError(f"export: model '{model.name}' ({type(model).__name__}) is a subclassed model; its call is "
                      "Python code. Build it as a Sequential or functional Model to export it")


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(
        v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool)) for v in value)


def _spec_list(input_signature, count: int) -> list:
    if _is_shape(input_signature) or hasattr(input_signature, "shape"):
        specs = [input_signature]
    elif isinstance(input_signature, (list, tuple)):
        specs = list(input_signature)
        if len(specs) == 1 and count > 1 and isinstance(specs[0], (list, tuple)) and not _is_shape(specs[0]):
            specs = list(specs[0])  # Keras wraps a functional model's inputs once more: [[spec_a, spec_b]]
    else:
        raise ExportError(f"export: input_signature must be a shape tuple, an object with .shape (Input(...), an "
                          f"array) or a list of them, received {input_signature!r}")
    if len(specs) != count:
        raise ExportError(f"export: the model has {count} input(s) but input_signature describes {len(specs)}")
    return specs


def input_specs(model, input_signature) -> list:
    """[(name, shape, dtype)] of the graph inputs: the model's, refined by ``input_signature``."""
    declared = _model_inputs(model)
    if input_signature is None:
        return [(name, (None,) + shape[1:], dtype) for name, shape, dtype in declared]
    out = []
    for i, (spec, (name, shape, dtype)) in enumerate(zip(_spec_list(input_signature, len(declared)), declared)):
        if _is_shape(spec):
            given, given_dtype, given_name = tuple(spec), None, None
        else:
            given = tuple(None if d is None else int(d) for d in spec.shape)
            given_dtype = getattr(spec, "dtype", None)
            given_name = getattr(spec, "name", None) if not isinstance(spec, np.ndarray) else None
        if len(given) != len(shape):
            raise ExportError(f"export: input_signature[{i}] has shape {given} (rank {len(given)}) but input "
                              f"'{name}' of the model has shape {shape} (rank {len(shape)})")
        for axis, (g_dim, m_dim) in enumerate(zip(given, shape)):
            if g_dim is not None and (g_dim <= 0 or (m_dim is not None and axis > 0 and g_dim != m_dim)):
                raise ExportError(f"export: input_signature[{i}] has shape {given}, which does not fit input "
                                  f"'{name}' of shape {shape} (axis {axis})")
        if given_dtype is not None:
            try:
                dtype = np.dtype(getattr(given_dtype, "name", given_dtype) if not isinstance(given_dtype, str)
                                 else given_dtype)
            except TypeError:
                raise ExportError(f"export: input_signature[{i}] has dtype {given_dtype!r}, not a NumPy "
                                  "dtype") from None
        out.append((given_name if isinstance(given_name, str) and given_name else name, given, dtype))
    return out


# ----------------------------------------------------------------------------- the whole model
def build_onnx_model(model, input_signature=None, opset_version=None):
    """The ONNX ``ModelProto`` of ``model`` (checked with ``onnx.checker``), nothing written.

    Raises:
        ExportError: for a layer or setting ONNX cannot express, naming the layer; or a bad signature.
    """
    import onnx
    from onnx import helper

    from ..models.training import Model

    if not isinstance(model, Model):
        raise ExportError(f"export: expected a neuronet Model, received {type(model).__name__}")
    opset = _opset(opset_version)
    _load_converters()
    specs = input_specs(model, input_signature)
    check_layers(model)
    g = Graph(opset)
    inputs, graph_inputs = [], []
    for i, (name, shape, dtype) in enumerate(specs):
        name = g.reserve(name)
        dims = [d if d is not None else ("batch" if axis == 0 else f"{name}_dim{axis}") for axis, d in enumerate(shape)]
        graph_inputs.append(helper.make_tensor_value_info(name, onnx_type(dtype), dims))
        inputs.append(Value(name, tuple(shape), np.dtype(np.float32) if dtype.kind == "f" else dtype))
    outputs, _ = convert_model(g, model, inputs)
    graph_outputs = []
    for i, out in enumerate(outputs):
        name = g.reserve(f"output_{i}")
        g.op("Identity", [out.name], hint=name)
        g.nodes[-1].output[0] = name
        dims = [d if d is not None else ("batch" if axis == 0 else None) for axis, d in enumerate(out.shape)]
        if out.shape and inputs and inputs[0].shape[0] is not None:
            dims[0] = inputs[0].shape[0]
        graph_outputs.append(helper.make_tensor_value_info(name, onnx_type(out.dtype), dims))
    proto = g.model(graph_inputs, graph_outputs, name=model.name,
                    doc=f"neuronet model '{model.name}' exported for inference (opset {opset})")
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as err:  # a translation fault, not the user's: say so in one line
        raise ExportError(f"export: the ONNX graph of model '{model.name}' failed onnx.checker: "
                          f"{str(err).splitlines()[0] if str(err) else type(err).__name__}") from err
    return proto


def _opset(opset_version) -> int:
    import onnx

    if opset_version is None:
        return DEFAULT_OPSET
    highest = onnx.defs.onnx_opset_version()
    if isinstance(opset_version, bool) or not isinstance(opset_version, (int, np.integer)) or \
            not MIN_OPSET <= opset_version <= highest:
        raise ExportError(f"export: opset_version must be an integer in [{MIN_OPSET}, {highest}] (the installed onnx "
                          f"{onnx.__version__} knows up to {highest}), received opset_version={opset_version!r}")
    return int(opset_version)
