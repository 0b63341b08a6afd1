"""The functional API: ``Model(inputs, outputs)`` replays recorded layer calls on real data.

``Input(shape=...)`` gives a symbolic :class:`KerasTensor`; each layer called on one records a node and
returns a new KerasTensor. The model walks back from ``outputs`` to ``inputs`` once, orders the nodes
topologically, and on every call runs them eagerly in that order.

Supported: any directed acyclic graph of layer calls, several inputs (built on a list, a dict or nested
lists of Inputs; pass the data as a list, a dict keyed by input name, or the same nesting), shared
layers, nested models, tensors passed as call keywords or extra arguments (``LSTM(8)(dec_in,
initial_state=[h, c])`` in an encoder–decoder, ``layer(x, mask=m)``: they are computed before the call
and their values passed at every replay), several outputs (``compile`` takes a loss per output as a
list or a dict keyed by the output layers' names; logs then hold 'loss', '<output>_loss' and
'<output>_<metric>'; predict returns a list, or a dict for outputs built as a dict), Python arithmetic on
KerasTensors (``x + y``, ``2.0 * x``, ``-x``, ``x / y``, ``x ** 2``) and ``neuronet.ops`` functions
called on them (``ops.concatenate([a, b])``, ``ops.softmax(x)``), each recorded as an
:class:`~neuronet.layers.OperatorLayer`. Data of shape ``(n,)`` for an input of shape ``(None, 1)``
gains the trailing axis, as in Keras. Not supported: class_weight with several outputs.

The architecture is plain data: :meth:`Functional.get_config` describes the graph as Keras 3 does
(each layer's class and config, and per layer the calls it makes, naming the tensors it consumes —
in the call's ``args`` and ``kwargs`` alike — by ``[layer name, call index, output index]``), and
:meth:`Functional.from_config` rebuilds it, creating classes only through the registry of
``neuronet.saving`` (the library's layers, registered classes and ``custom_objects``) — never by
importing a name read from the config. :func:`functional_to_config` and :func:`functional_from_config`
do the work; ``neuronet.saving`` calls them with its own label for errors (e.g. ``load_model``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..layers.base import KerasTensor, flatten_outputs, substitute_keras_tensors
from ..layers.core import InputLayer
from ..utils.naming import unique_name
from .model_config import deserialize_layer, layer_to_config, plain_data, short_repr
from .training import Model

__all__ = ["Functional", "functional_to_config", "functional_from_config"]

_TENSOR = "__keras_tensor__"  # the class_name marking a symbolic tensor in a config


def _flatten(x) -> list:
    """The leaves of a (nested) list/tuple/dict of tensors, in order."""
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _flatten(v)]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _flatten(v)]
    return [x]


def _structure(nesting, leaves: list):
    """``nesting`` with each position replaced by ``leaves[position]`` (the inverse of :func:`_flatten`)."""
    if isinstance(nesting, dict):
        return {k: _structure(v, leaves) for k, v in nesting.items()}
    if isinstance(nesting, list):
        return [_structure(v, leaves) for v in nesting]
    return leaves[nesting]


def _nesting(x, counter: list):
    """The structure of ``x`` with each leaf replaced by its position in :func:`_flatten` order."""
    if isinstance(x, dict):
        return {k: _nesting(v, counter) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_nesting(v, counter) for v in x]
    counter[0] += 1
    return counter[0] - 1


class Functional(Model):
    """A model defined by its symbolic inputs and outputs (made by ``Model(inputs, outputs)``).

    Args:
        inputs: a KerasTensor from ``Input``, or a list of them.
        outputs: the KerasTensor(s) computed from ``inputs`` by layer calls.
        name: model name. Defaults to 'functional', 'functional_1', ...

    Example::

        inputs = Input(shape=(20,))
        hidden = Dense(64, activation="relu")(inputs)
        outputs = Dense(1, activation="sigmoid")(hidden)
        model = Model(inputs=inputs, outputs=outputs)
    """

    def __init__(self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs):
        super().__init__(name=name or unique_name("functional"), trainable=trainable, **kwargs)
        self._multi_input = isinstance(inputs, (list, tuple, dict))
        self._multi_output = isinstance(outputs, (list, tuple, dict))
        self._inputs = _flatten(inputs)
        self._input_nesting = _nesting(inputs, [0])
        self._outputs = _flatten(outputs)  # nested results (stacked RNN states, dicts) too
        self._output_nesting = _nesting(outputs, [0])
        for kind, tensors in (("inputs", self._inputs), ("outputs", self._outputs)):
            if not tensors:
                raise ValueError(f"Model: {kind} must not be empty")
            for t in tensors:
                if not isinstance(t, KerasTensor):
                    raise TypeError(f"Model: every one of {kind} must be a KerasTensor (from Input and layer calls), "
                                    f"received {t!r}")
        for t in self._inputs:
            if not isinstance(getattr(t._node, "layer", None), InputLayer):
                raise ValueError(f"Model: inputs must come from Input(...), received {t!r} made by a layer call")
        self._order = self._topological_nodes()
        for node in self._order:
            if node.layer not in self._layers and not isinstance(node.layer, InputLayer):
                self._layers.append(node.layer)
        object.__setattr__(self, "_input_layers", [t._node.layer for t in self._inputs])  # not sublayers
        shapes = [t.shape for t in self._inputs]
        self._build_input_shape = shapes if self._multi_input else shapes[0]
        out_shapes = [t.shape for t in self._outputs]
        self._output_shape_cache = out_shapes if self._multi_output else out_shapes[0]
        self.built = True

    def _topological_nodes(self) -> list:
        """Nodes from the inputs to the outputs, each after the nodes producing its inputs."""
        input_ids = {id(t) for t in self._inputs}
        order, state = [], {}
        for out in self._outputs:
            stack = [(out._node, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    state[id(node)] = 2
                    order.append(node)
                    continue
                if state.get(id(node)) is not None:
                    continue
                state[id(node)] = 1
                stack.append((node, True))
                if isinstance(node.layer, InputLayer):
                    if not any(id(t) in input_ids for t in node.output_tensors):
                        raise ValueError(
                            f"Model: graph disconnected — the input '{node.layer.name}' is needed to compute the "
                            f"outputs but is not among the model's inputs {[t.name for t in self._inputs]}"
                        )
                    continue
                for t in node.dependencies:  # the first argument's tensors and those in other arguments
                    if t._node is None:
                        raise ValueError(f"Model: {t!r} has no producing layer")
                    if state.get(id(t._node)) is None:
                        stack.append((t._node, False))
        return [n for n in order if not isinstance(n.layer, InputLayer)]

    # ------------------------------------------------------------------ structure
    @property
    def inputs(self) -> list:
        return list(self._inputs)

    @property
    def outputs(self) -> list:
        return list(self._outputs)

    @property
    def input_shape(self):
        return self._build_input_shape

    @property
    def output_shape(self):
        return self._output_shape_cache

    def _input_count(self) -> int:
        return len(self._inputs)

    def _input_structure(self):
        """The inputs' keys (the names of the Inputs, or the keys of the dict the model was built on), their
        nesting, and which take strings: an ``Input(dtype="string")`` or one feeding only preprocessing layers.
        Computed once per graph (predict asks on every call)."""
        cached = self.__dict__.get("_input_structure_cache")
        if cached is not None and cached[0] is self._order and cached[1] is self._inputs:
            return cached[2]
        from ..layers.preprocessing.data_layer import PreprocessingLayer
        from .data_adapters.inputs import InputStructure

        nesting = self._input_nesting
        if isinstance(nesting, dict) and all(isinstance(v, int) for v in nesting.values()):
            names = [None] * len(self._inputs)
            for key, i in nesting.items():
                names[i] = key
        else:
            names = [t._node.layer.name for t in self._inputs]
        strings, dtypes = [], []
        for t in self._inputs:
            consumers = [n.layer for n in self._order if any(d is t for d in n.dependencies)]
            strings.append(t.dtype == "object" or bool(consumers) and all(isinstance(c, PreprocessingLayer)
                                                                          for c in consumers))
            dtypes.append(t.dtype if np.dtype(t.dtype).kind in "iu" else None)
        structure = InputStructure(names, nesting, strings, dtypes)
        object.__setattr__(self, "_input_structure_cache", (self._order, self._inputs, structure))
        return structure

    def _inputs_in_order(self, inputs) -> list:
        """The model's inputs from ``inputs`` in any accepted structure (a dict by input name, nested lists)."""
        if isinstance(inputs, dict) or (isinstance(inputs, (list, tuple)) and len(self._inputs) > 1
                                        and len(inputs) != len(self._inputs)):
            from .data_adapters.inputs import flatten_inputs

            return flatten_inputs(inputs, self._input_structure(), "call", self.name)
        return _flatten(inputs)

    def _expected_input_shape(self):
        return self._build_input_shape

    def _layer_shape(self, layer):
        for node in layer._inbound_nodes:
            if node in self._order or isinstance(layer, InputLayer):
                outs = node.output_tensors
                return outs[0].shape if len(outs) == 1 else [t.shape for t in outs]
        return None

    def _output_count(self) -> int:
        return len(self._outputs) if self._multi_output else 1

    def _output_names(self) -> list:
        """Output names for losses, metrics and log keys: the output layers' names (made unique)."""
        names = []
        for t in self._outputs:
            name = t._node.layer.name
            names.append(name if name not in names else f"{name}_{len(names)}")
        return names

    def _output_layer(self, index: int = 0):
        return self._outputs[index]._node.layer

    def _maybe_build(self, inputs) -> None:
        pass

    # ------------------------------------------------------------------ computing
    def call(self, inputs, training=None, mask=None):
        flat = self._inputs_in_order(inputs)
        for i, (x, t) in enumerate(zip(flat, self._inputs)):
            want, got = t.shape[1:], tuple(x.shape[1:]) if hasattr(x, "shape") else np.shape(x)[1:]
            if len(got) == len(want) - 1 and want[-1] == 1:  # (n,) for (None, 1): the trailing axis added, as Keras
                x = flat[i] = x[..., None]
                got = tuple(x.shape[1:])
            if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                raise ValueError(f"Input {i} of model '{self.name}' is incompatible: expected shape {t.shape}, "
                                 f"received {tuple(x.shape)}")
        return self._pack_outputs(self._forward(flat if len(flat) > 1 else flat[0], training=training))

    def _pack_outputs(self, outputs):
        """The outputs (a list in the model's order, for the trainer) in the structure the model was built
        with: a dict for ``Model(inputs, {"a": ..., "b": ...})``, as Keras's call and predict return."""
        nesting = self._output_nesting
        if not isinstance(nesting, dict) or not isinstance(outputs, (list, tuple)):
            return outputs
        return _structure(nesting, list(outputs))

    def _forward(self, inputs, training: bool):
        flat = _flatten(inputs) if not isinstance(inputs, dict) else self._inputs_in_order(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self._inputs)} input(s), received {len(flat)}")
        values = {}
        for t, x in zip(self._inputs, flat):
            values[id(t)] = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
        for node in self._order:
            args = [values[id(t)] for t in node.input_tensors]
            arg = args if isinstance(node.inputs, (list, tuple)) else args[0]
            extra_args = node.args
            kwargs = dict(node.kwargs) if node.kwargs else {}
            if node.call_tensors:  # e.g. initial_state=[h, c] or mask=m: the values computed for them
                extra_args = substitute_keras_tensors(extra_args, values)
                kwargs = substitute_keras_tensors(kwargs, values)
            node_training = kwargs.pop("training", None)
            out = node.layer(arg, *extra_args, training=training if node_training is None else node_training,
                             **kwargs)
            for t, o in zip(node.output_tensors, _flatten(out)):  # nested lists (RNN states) or a dict
                values[id(t)] = o
        results = [values[id(t)] for t in self._outputs]
        return results if self._multi_output else results[0]

    def compute_output_shape(self, input_shape):
        return self._output_shape_cache

    def get_config(self) -> dict:
        """The graph as JSON-ready data, in the layout of Keras 3's functional config::

            {"name": ..., "trainable": ..., "dtype": ...,
             "layers": [{"class_name": "Dense", "config": {...}, "name": "dense",
                         "inbound_nodes": [{"args": [<tensor>], "kwargs": {}}]}, ...],
             "input_layers": [layer name, call index, output index]   (a list of them for several),
             "output_layers": [...]}

        where a tensor argument is ``{"class_name": "__keras_tensor__", "config": {"shape", "dtype",
        "keras_history": [layer name, call index, output index]}}``. Nested models appear as layers with
        their own config. Weights are not included (see ``get_weights``/``save_weights``).

        Raises:
            ValueError: when two layers share a name or a layer's config is not plain data.
        """
        return functional_to_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Functional":
        """Rebuild the model described by :meth:`get_config`, with new (freshly initialized) weights.

        Layer classes are looked up only in ``custom_objects``, the classes registered with
        ``neuronet.saving.register_keras_serializable`` and the library's own layers.

        Args:
            config: the output of :meth:`get_config` (e.g. after a JSON round trip).
            custom_objects: ``{class name: class}`` for your own layers. Defaults to None.

        Raises:
            ValueError: for an unknown class name, a malformed graph or a layer config its class
                refuses.
        """
        if not isinstance(config, dict):
            raise ValueError(f"{cls.__name__}.from_config: expected a dict from get_config(), received "
                             f"{type(config).__name__}")
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(f"{cls.__name__}.from_config: custom_objects must be a dict {{name: class}}, received "
                            f"{custom_objects!r}")
        return functional_from_config(cls, config, custom_objects, f"{cls.__name__}.from_config")

    def _layers_config(self) -> dict:
        return functional_to_config(self)

    @classmethod
    def _from_layers_config(cls, config: dict, custom_objects: dict | None, where: str) -> "Functional":
        return functional_from_config(cls, config, custom_objects, where)


# ------------------------------------------------------------------ (de)serialization
def functional_to_config(model) -> dict:
    """The graph of a functional ``model`` as JSON-ready data (see :meth:`Functional.get_config`)."""
    order = model._order
    in_model = set(map(id, order))

    def model_nodes(layer) -> list:
        if isinstance(layer, InputLayer):
            return layer._inbound_nodes[:1]
        return [n for n in layer._inbound_nodes if id(n) in in_model]

    def ref(tensor: KerasTensor) -> list:
        layer = tensor._node.layer
        nodes = model_nodes(layer)
        index = next(i for i, n in enumerate(nodes) if n is tensor._node)
        return [layer.name, index, tensor._index]

    def encode(value, where: str):
        if isinstance(value, KerasTensor):
            return {"class_name": _TENSOR, "config": {"shape": list(value.shape), "dtype": value.dtype,
                                                       "keras_history": ref(value)}}
        if isinstance(value, (list, tuple)):
            return [encode(v, where) for v in value]
        if isinstance(value, dict):
            return {str(k): encode(v, where) for k, v in value.items()}
        return plain_data(value, where)

    layers, seen = [], set()
    for tensor in model._inputs:
        layer = tensor._node.layer
        if id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
    for node in order:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(node.layer)
    entries = []
    for layer in layers:
        entry = layer_to_config(layer)
        entry["name"] = layer.name
        nodes = []
        for node in model_nodes(layer):
            if not node.input_tensors and not node.args:  # an InputLayer's own node
                continue
            where = f"model '{model.name}': the call of layer '{layer.name}'"
            nodes.append({"args": [encode(node.inputs, where)] + [encode(a, where) for a in node.args],
                          "kwargs": encode(dict(node.kwargs or {}), where)})
        entry["inbound_nodes"] = nodes
        entries.append(entry)
    names = [layer.name for layer in layers]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"model '{model.name}' has several layers named {dup}; layer names must be unique to be saved")
    inputs = _structure(model._input_nesting, [ref(t) for t in model._inputs])  # a dict or nested lists as built
    outputs = _structure(model._output_nesting, [ref(t) for t in model._outputs])
    return {"name": model.name, "trainable": model.trainable, "dtype": model.dtype, "layers": entries,
            "input_layers": inputs, "output_layers": outputs}


def functional_from_config(cls, config: dict, custom_objects: dict | None = None,
                           where: str = "Functional.from_config"):
    """The functional model (class ``cls``) described by :func:`functional_to_config`, weights created.

    Layers are rebuilt through the class tables only (``class_lookup.py``), then called in an order where
    every tensor a call references (in its args or kwargs) is already computed; errors start with ``where``.
    """
    entries = config.get("layers")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: the 'layers' of a functional model config must be a non-empty list")
    layers, pending = {}, []
    for i, entry in enumerate(entries):
        label = f"{where} (layer {i})"
        layer = deserialize_layer(entry, custom_objects, label)
        key = entry.get("name", layer.name)
        if key in layers:
            raise ValueError(f"{label}: the layer name {key!r} appears twice")
        nodes = entry.get("inbound_nodes", [])
        if not isinstance(nodes, list):
            raise ValueError(f"{label}: 'inbound_nodes' must be a list, found {short_repr(nodes)}")
        layers[key] = layer
        pending.append([key, layer, list(nodes), 0])
    tensors: dict = {}
    for key, layer in layers.items():
        if isinstance(layer, InputLayer):
            tensors[(key, 0, 0)] = layer._output

    def decode(value, label: str):
        if isinstance(value, dict) and value.get("class_name") == _TENSOR:
            config = value.get("config")
            history = config.get("keras_history") if isinstance(config, dict) else None
            if not (isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)
                    and all(isinstance(i, int) and not isinstance(i, bool) for i in history[1:])):
                raise ValueError(f"{label}: malformed tensor reference {short_repr(value)}")
            found = tensors.get(tuple(history))
            if found is None:
                raise KeyError(tuple(history))
            return found
        if isinstance(value, list):
            return [decode(v, label) for v in value]
        if isinstance(value, dict):
            return {k: decode(v, label) for k, v in value.items()}
        return value

    remaining = sum(len(p[2]) for p in pending)
    while remaining:
        progress = False
        for item in pending:
            key, layer, nodes, done = item
            while done < len(nodes):
                node = nodes[done]
                label = f"{where} (call {done} of layer '{key}')"
                if not isinstance(node, dict) or not isinstance(node.get("args", []), list) or not node.get("args"):
                    raise ValueError(f"{label}: malformed node {short_repr(node)}")
                try:
                    args = decode(node["args"], label)
                    kwargs = decode(node.get("kwargs") or {}, label)
                except KeyError:
                    break  # an input is not computed yet
                if not isinstance(kwargs, dict):
                    raise ValueError(f"{label}: 'kwargs' must be a dict, found {short_repr(kwargs)}")
                first = args[0]
                if isinstance(first, list):
                    first = list(first)
                try:
                    outputs = layer(first, *args[1:], **kwargs)
                except (TypeError, ValueError) as err:
                    raise ValueError(f"{label}: the layer call failed: {err}") from err
                for t_index, out in enumerate(flatten_outputs(outputs)):
                    tensors[(key, done, t_index)] = out
                done += 1
                item[3] = done
                remaining -= 1
                progress = True
        if not progress:
            stuck = [(p[0], p[3]) for p in pending if p[3] < len(p[2])]
            raise ValueError(f"{where}: the layer graph is inconsistent: the calls {stuck} (layer, call index) need "
                             "tensors no layer produces")

    def resolve(refs, label: str):
        """The tensors named by ``refs``: one reference [layer, call, output], or a list / dict / nesting of them."""
        if isinstance(refs, list) and len(refs) == 3 and isinstance(refs[0], str):
            if not all(isinstance(i, int) and not isinstance(i, bool) for i in refs[1:]) or tuple(refs) not in tensors:
                raise ValueError(f"{where}: {label} refers to {short_repr(refs)}, which the graph does not produce")
            return tensors[tuple(refs)]
        if isinstance(refs, list) and refs:
            return [resolve(r, label) for r in refs]
        if isinstance(refs, dict) and refs:
            return {str(k): resolve(r, label) for k, r in refs.items()}
        raise ValueError(f"{where}: malformed {label} {short_repr(refs)}")

    inputs = resolve(config.get("input_layers"), "input_layers")
    outputs = resolve(config.get("output_layers"), "output_layers")
    try:
        model = cls(inputs, outputs, name=config.get("name"), trainable=bool(config.get("trainable", True)))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}: could not rebuild the functional model: {err}") from err
    set_dtype_from_config(model, config)
    return model


def set_dtype_from_config(model, config: dict) -> None:
    """Give ``model`` the dtype named in its config (if any)."""
    dtype = config.get("dtype")
    if dtype is not None:
        try:
            model.dtype = np.dtype(dtype).name
        except TypeError as err:
            raise ValueError(f"invalid dtype {dtype!r} in the model config") from err
