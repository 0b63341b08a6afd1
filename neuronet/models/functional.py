"""The functional API: ``Model(inputs, outputs)`` replays recorded layer calls on real data.

``Input(shape=...)`` gives a symbolic :class:`KerasTensor`; each layer called on one records a node and
returns a new KerasTensor. The model walks back from ``outputs`` to ``inputs`` once, orders the nodes
topologically, and on every call runs them eagerly in that order.

Supported: any directed acyclic graph of layer calls, several inputs (pass a list of arrays), shared
layers, nested models, tensors passed as call keywords or extra arguments (``LSTM(8)(dec_in,
initial_state=[h, c])`` in an encoder–decoder, ``layer(x, mask=m)``: they are computed before the call
and their values passed at every replay), several outputs (``compile`` takes a loss per output as a
list or a dict keyed by the output layers' names; logs then hold 'loss', '<output>_loss' and
'<output>_<metric>'; predict returns a list), and Python arithmetic on KerasTensors (``x + y``,
``2.0 * x``, ``-x``, ``x / y``, ``x ** 2``), each recorded as a :class:`~neuronet.layers.OperatorLayer`.
Not supported: inputs/outputs given as dicts, class_weight with several outputs, and other operations
on KerasTensors (``ops.*`` functions): use layers or ``Lambda``.

The architecture is plain data: :meth:`Functional.get_config` describes the graph as Keras 3 does
(each layer's class and config, and per layer the calls it makes, naming the tensors it consumes —
in the call's ``args`` and ``kwargs`` alike — by ``[layer name, call index, output index]``), and
:meth:`Functional.from_config` rebuilds it, creating classes only through the registry of
``neuronet.saving`` (the library's layers, registered classes and ``custom_objects``) — never by
importing a name read from the config.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..layers.base import KerasTensor, flatten_outputs, substitute_keras_tensors
from ..layers.core import InputLayer
from ..utils.naming import unique_name
from .training import Model

__all__ = ["Functional"]


def _flatten(x) -> list:
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


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
        self._outputs = flatten_outputs(_flatten(outputs))  # nested results (stacked RNN states) too
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

    def _logits_layer(self, index: int = 0):
        node = self._outputs[index]._node
        if sum(t._node is node for t in self._outputs) > 1:  # a layer with several outputs
            return None
        layer = node.layer
        if (getattr(layer, "_can_return_logits", False) and layer.activity_regularizer is None
                and sum(n in self._order for n in layer._inbound_nodes) == 1):
            return layer
        return None

    def _maybe_build(self, inputs) -> None:
        pass

    # ------------------------------------------------------------------ computing
    def call(self, inputs, training=None, mask=None):
        flat = _flatten(inputs)
        for i, (x, t) in enumerate(zip(flat, self._inputs)):
            want, got = t.shape[1:], tuple(x.shape[1:])
            if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                raise ValueError(f"Input {i} of model '{self.name}' is incompatible: expected shape {t.shape}, "
                                 f"received {tuple(x.shape)}")
        return self._forward(inputs, training=training)

    def _forward(self, inputs, training: bool, logits=False):
        flat = _flatten(inputs)
        if len(flat) != len(self._inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self._inputs)} input(s), received {len(flat)}")
        values = {}
        for t, x in zip(self._inputs, flat):
            values[id(t)] = x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))
        fused = {id(self._outputs[i]._node) for i, flag in enumerate(logits) if flag} if logits else ()
        for node in self._order:
            args = [values[id(t)] for t in node.input_tensors]
            arg = args if isinstance(node.inputs, (list, tuple)) else args[0]
            extra_args = node.args
            kwargs = dict(node.kwargs) if node.kwargs else {}
            if node.call_tensors:  # e.g. initial_state=[h, c] or mask=m: the values computed for them
                extra_args = substitute_keras_tensors(extra_args, values)
                kwargs = substitute_keras_tensors(kwargs, values)
            node_training = kwargs.pop("training", None)
            if fused and id(node) in fused:
                kwargs["_logits"] = True
            out = node.layer(arg, *extra_args, training=training if node_training is None else node_training,
                             **kwargs)
            for t, o in zip(node.output_tensors, flatten_outputs(out)):
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
        from ..saving.serialization import _functional_config

        return _functional_config(self)

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
        from ..saving.serialization import _functional_from_config

        if not isinstance(config, dict):
            raise ValueError(f"{cls.__name__}.from_config: expected a dict from get_config(), received "
                             f"{type(config).__name__}")
        if custom_objects is not None and not isinstance(custom_objects, dict):
            raise TypeError(f"{cls.__name__}.from_config: custom_objects must be a dict {{name: class}}, received "
                            f"{custom_objects!r}")
        return _functional_from_config(cls, config, custom_objects, f"{cls.__name__}.from_config")
