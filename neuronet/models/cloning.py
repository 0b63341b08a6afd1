"""``clone_model``: the same architecture with new layers (and so new, freshly initialized weights)."""

from __future__ import annotations

from typing import Callable

from ..layers.base import KerasTensor, Layer, flatten_outputs
from ..layers.core import Input, InputLayer, Lambda
from .functional import Functional
from .sequential import Sequential
from .training import Model

__all__ = ["clone_model"]


def _clone_layer(layer: Layer) -> Layer:
    """A new layer with ``layer``'s config (a Lambda keeps its Python function, which no config holds)."""
    if isinstance(layer, Model):
        return clone_model(layer)
    if isinstance(layer, Lambda):
        return Lambda(layer.function, output_shape=layer._output_shape, arguments=dict(layer.arguments),
                      name=layer.name, trainable=layer.trainable, dtype=layer.dtype)
    return type(layer).from_config(layer.get_config())


def clone_model(model: Model, input_tensors=None, clone_function: Callable | None = None) -> Model:
    """A copy of ``model``'s architecture with new layers and new weights (Keras 3).

    The copy is not compiled and its weights are freshly initialized; to copy the values too, use
    ``clone.set_weights(model.get_weights())``. Layer names are kept.

    Args:
        model: a Sequential or functional model (a subclassed model is rebuilt from its
            ``get_config()``, which it must define).
        input_tensors: functional models only: KerasTensors (from ``Input``) to build the clone on,
            one per model input, instead of new inputs. Defaults to None.
        clone_function: ``layer -> new layer``, called for each layer (not for the inputs); use it to
            change layers while cloning. Defaults to rebuilding each layer from its config.

    Returns:
        A new model of the same class.

    Example::

        twin = clone_model(model)
        twin.compile(optimizer="adam", loss="mse")
        twin.set_weights(model.get_weights())  # optional: start from the same values

    Raises:
        TypeError: when ``model`` is not a Model, or ``clone_function`` does not return a Layer.
        ValueError: when ``input_tensors`` do not match the model's inputs, or a subclassed model
            cannot be rebuilt from its config.
    """
    if not isinstance(model, Model):
        raise TypeError(f"clone_model: expected a Model, received {model!r}")
    clone = clone_function or _clone_layer

    def new_layer(layer):
        out = clone(layer)
        if not isinstance(out, Layer):
            raise TypeError(f"clone_model: clone_function must return a Layer, returned {out!r} for layer "
                            f"'{layer.name}'")
        return out

    if isinstance(model, Sequential):
        if input_tensors is not None:
            raise ValueError("clone_model: input_tensors is only supported for functional models")
        twin = Sequential(name=model.name, trainable=model.trainable)
        if model._input_batch_shape is not None:
            twin.add(Input(batch_shape=model._input_batch_shape, dtype=model.dtype))
        for layer in model.layers:
            twin.add(new_layer(layer))
        return twin
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, new_layer)
    if input_tensors is not None:
        raise ValueError("clone_model: input_tensors is only supported for functional models")
    try:
        twin = type(model).from_config(model.get_config())
    except (TypeError, ValueError) as err:
        raise ValueError(f"clone_model: the subclassed model '{model.name}' could not be rebuilt from its "
                         f"get_config() ({err}); define get_config() returning its constructor arguments") from err
    shape = getattr(model, "_build_input_shape", None)
    if model.built and shape is not None:
        twin.build(shape)
    return twin


def _clone_functional(model: Functional, input_tensors, new_layer) -> Functional:
    inputs = model.inputs
    if input_tensors is None:
        new_inputs = []
        for t in inputs:
            layer = t._node.layer
            new_inputs.append(Input(batch_shape=layer.batch_shape, dtype=layer.dtype, name=layer.name))
    else:
        new_inputs = list(input_tensors) if isinstance(input_tensors, (list, tuple)) else [input_tensors]
        if len(new_inputs) != len(inputs) or not all(isinstance(t, KerasTensor) for t in new_inputs):
            raise ValueError(f"clone_model: input_tensors must be {len(inputs)} KerasTensor(s), one per input of "
                             f"model '{model.name}', received {input_tensors!r}")
    tensors = {id(old): new for old, new in zip(inputs, new_inputs)}
    layers: dict = {}

    def mapped(value):
        if isinstance(value, KerasTensor):
            return tensors[id(value)]
        if isinstance(value, (list, tuple)):
            return type(value)(mapped(v) for v in value)
        if isinstance(value, dict):
            return {k: mapped(v) for k, v in value.items()}
        return value

    for node in model._order:
        if isinstance(node.layer, InputLayer):
            continue
        if id(node.layer) not in layers:  # a shared layer is cloned once and stays shared
            layers[id(node.layer)] = new_layer(node.layer)
        arg = mapped(node.inputs)
        outputs = layers[id(node.layer)](list(arg) if isinstance(arg, tuple) else arg, *mapped(node.args),
                                         **mapped(dict(node.kwargs or {})))
        for old, new in zip(node.output_tensors, flatten_outputs(outputs)):
            tensors[id(old)] = new
    new_outputs = [tensors[id(t)] for t in model.outputs]
    return type(model)(new_inputs if model._multi_input else new_inputs[0],
                       new_outputs if model._multi_output else new_outputs[0],
                       name=model.name, trainable=model.trainable)
