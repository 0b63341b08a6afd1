"""Custom layers made of layers, exported by tracing their ``call`` on symbolic inputs.

A layer of your own whose ``call`` only calls other layers and does arithmetic on their outputs — the
``TokenAndPositionEmbedding`` and ``TransformerBlock`` of Keras's text-classification example — is
translated by calling its ``call`` once on symbolic tensors (``Input``) of the shapes it receives in the
graph, with ``training=False``. Each layer call inside records itself as in a functional model, and
that small graph is translated layer by layer like any other. What the call computes from concrete
values alone is fixed in the graph as a constant, with the weights it has now — e.g. the position
embeddings ``pos_emb(ops.arange(maxlen))``, right for inference — and sizes it reads from the input
shape are those of the traced shape (give a fixed one with ``input_signature`` where the model leaves
it free).

A call that needs values (``ops.*`` on its input, Python branches on data) cannot be traced and is
refused, naming the layer; so is a layer that overrides ``compute_mask`` or reads the ``mask`` of a
masked input (Python code the trace does not see). Masks follow ``predict``: layers inside pass them
as they do anywhere, while Python arithmetic in the call (``x + positions``) gives a result without
one, as on real tensors. Tracing leaves the layer as it was: the recorded calls are removed and the
layer-name counters restored (a layer never run on data is built by the trace, as its first call
would build it).
"""

from __future__ import annotations

import inspect

__all__ = ["traceable", "trace_layer"]


def traceable(layer) -> bool:
    """Whether ``layer`` is a user's layer class (not the library's) that the export may trace."""
    from ..layers.base import Layer
    from ..layers.core import Lambda
    from ..models.training import Model

    if not isinstance(layer, Layer) or isinstance(layer, (Model, Lambda)):
        return False
    return not type(layer).__module__.startswith("neuronet.")


def _sublayers(layer, found: dict) -> dict:
    """Every layer reachable from ``layer`` through its tracked sublayers, by id."""
    if id(layer) not in found:
        found[id(layer)] = layer
        for sub in getattr(layer, "_layers", []):
            _sublayers(sub, found)
    return found


def _call_params(layer) -> dict:
    try:
        return dict(inspect.signature(layer.call).parameters)
    except (TypeError, ValueError):
        return {}


def trace_layer(g, layer, x, args: tuple, kwargs: dict):
    """Add ``layer(x)`` to the graph ``g`` by tracing its ``call``; returns Value(s) as ``convert_layer``."""
    from .. import layers as L
    from ..autograd import no_grad
    from ..layers.base import Layer, flatten_outputs
    from ..layers.core import Input
    from ..models.functional import Functional
    from ..utils import naming
    from .onnx_convert import check_layers, convert_model, refuse
    from .onnx_graph import ExportError

    if args or kwargs:
        extra = sorted(kwargs) or [f"{len(args)} positional argument(s)"]
        raise refuse(layer, f"it is a custom layer called with {extra}; only its inputs are traced")
    if type(layer).compute_mask is not Layer.compute_mask:
        raise refuse(layer, "it is a custom layer that overrides compute_mask, Python code the export does not trace")
    multi = isinstance(x, (list, tuple))
    values = list(x) if multi else [x]
    params = _call_params(layer)
    if "mask" in params and any(v.mask is not None for v in values):
        raise refuse(layer, "it is a custom layer whose call reads the mask of its (masked) input; the export "
                            "does not trace Python code on masks")
    counters = dict(naming._COUNTS)
    known = _sublayers(layer, {})
    node_counts = {key: len(sub._inbound_nodes) for key, sub in known.items()}
    try:
        with no_grad():
            symbols = [Input(batch_shape=v.shape, dtype=v.dtype.name, name=f"{layer.name}_traced_input_{i}")
                       for i, v in enumerate(values)]
            call_kwargs = {"training": False} if "training" in params else {}
            result = layer.call(symbols if multi else symbols[0], **call_kwargs)
            outputs = flatten_outputs(result)
            traced = Functional(symbols, outputs if len(outputs) > 1 else outputs[0], name=f"{layer.name}_traced")
    except ExportError:
        raise
    except Exception as err:  # the call needed values: one line naming the layer and what failed
        detail = str(err).splitlines()[0] if str(err) else ""
        free = [v.shape for v in values if None in v.shape[1:]]
        hint = (f"; its input shape {free[0]} has sizes known only at run time: if the call reads them, export "
                "with an input_signature that fixes them" if free else "")
        raise refuse(layer, f"it is a custom layer whose call could not be traced on symbolic inputs "
                            f"({type(err).__name__}: {detail}); a traced call may only call layers and do "
                            f"arithmetic on their outputs{hint}") from err
    finally:
        naming._COUNTS.clear()
        naming._COUNTS.update(counters)
        for key, sub in known.items():
            del sub._inbound_nodes[node_counts[key]:]
    check_layers(traced)  # Lambda, stateful layers, ... inside are refused as anywhere
    for node in traced._order:  # Python arithmetic on tensors inside a call leaves no mask on its result
        if isinstance(node.layer, L.OperatorLayer) and id(node.layer) not in known:
            node.layer.supports_masking = False  # (a layer the trace made; nothing else holds it)
    outs, _ = convert_model(g, traced, values)
    if layer.supports_masking and not multi and values[0].mask is not None:
        # as Layer.__call__: the input's mask replaces the one the call left on its result
        outs = [o.with_(mask=values[0].mask) for o in outs]
    return outs if len(outs) > 1 or isinstance(result, (list, tuple)) else outs[0]
