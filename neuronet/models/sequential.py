"""``Sequential``: a plain stack of layers, each feeding the next (the guide's model)."""

from __future__ import annotations

import numpy as np

from ..layers.base import KerasTensor, Layer
from ..layers.core import InputLayer
from ..utils.naming import unique_name
from .functional import set_dtype_from_config
from .model_config import deserialize_layer, layer_to_config, shape_from_config, short_repr
from .training import Model

__all__ = ["Sequential", "sequential_from_config"]


class Sequential(Model):
    """A linear stack of layers: ``output = layer_n(... layer_2(layer_1(x)))``.

    Give the first layer ``input_shape=``/``input_dim=`` (or start with ``Input(shape=...)``) and the
    model is built as layers are added, so ``summary()`` works at once; otherwise it is built on the
    first batch it sees.

    Args:
        layers: optional list of layers to add.
        name: model name. Defaults to 'sequential', 'sequential_1', ...

    Example::

        model = Sequential()
        model.add(Dense(units=64, activation="relu", input_dim=20))
        model.add(Dense(units=1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(X_train, y_train, epochs=10, batch_size=32)
    """

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None):
        super().__init__(trainable=trainable, name=name or unique_name("sequential"))
        self._input_batch_shape = None
        self._input_layer = None  # the InputLayer added first, if any (its name keys a dict x, its dtype)
        self._layer_output_shapes: dict = {}
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer, rebuild: bool = True) -> None:
        """Append ``layer`` on top of the stack (an ``Input(...)`` tensor sets the input shape instead).

        Raises:
            TypeError: when ``layer`` is not a Layer.
            ValueError: on a duplicate layer name, or when the layer does not accept the previous
                layer's output shape (the model is left unchanged).
        """
        if isinstance(layer, KerasTensor):
            origin = layer._node.layer if layer._node is not None else None
            if not isinstance(origin, InputLayer):
                raise ValueError("Sequential.add: only a KerasTensor made by Input(...) can be added, received "
                                 f"{layer!r}")
            layer = origin
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError(f"Sequential '{self.name}': an Input must come first, but the model already has "
                                 f"{len(self._layers)} layer(s)")
            self._input_batch_shape = tuple(layer.batch_shape)
            object.__setattr__(self, "_input_layer", layer)  # not a sublayer: kept out of model.layers
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, received {layer!r} of type {type(layer).__name__}")
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"Sequential '{self.name}': all layers must have unique names; '{layer.name}' is "
                             "already in the model")
        self._layers.append(layer)
        if len(self._layers) == 1 and self._input_batch_shape is None:
            known = layer._batch_input_shape
            if known is None and isinstance(layer, Model) and layer.built:  # a built model used as first layer
                shape = layer._expected_input_shape()
                known = shape if isinstance(shape, tuple) else None
            if known is not None:
                self._input_batch_shape = tuple(known)
        self.built = False
        self._train_vars = None
        if rebuild and self._input_batch_shape is not None:
            try:
                self.build(self._input_batch_shape)
            except Exception:
                self._layers.pop()
                if len(self._layers) == 0:
                    self._input_batch_shape = None
                elif self._layers:
                    self.build(self._input_batch_shape)
                raise

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}': there are no layers to pop")
        layer = self._layers.pop()
        self.built = False
        self._train_vars = None
        self._layer_output_shapes.pop(id(layer), None)
        if rebuild and self._layers and self._input_batch_shape is not None:
            self.build(self._input_batch_shape)
        return layer

    def build(self, input_shape=None) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (batch axis first, e.g. ``(None, 20)``)."""
        if input_shape is None:
            input_shape = self._input_batch_shape
        if input_shape is None:
            raise ValueError(f"Sequential '{self.name}'.build: give the input shape, e.g. build((None, 20))")
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"Sequential '{self.name}' takes one input, received shapes {input_shape}")
        shape = tuple(input_shape)
        if not self._layers:
            raise ValueError(f"Sequential '{self.name}' has no layers to build; add some with model.add(...)")
        for layer in self._layers:
            layer._check_input_spec([shape])
            layer._build_by_shape(shape)
            shape = layer.compute_output_shape(shape)
            if isinstance(shape, list):
                raise ValueError(f"Sequential '{self.name}': layer '{layer.name}' has several outputs; use the "
                                 "functional Model for multi-output layers")
            shape = tuple(shape)
            self._layer_output_shapes[id(layer)] = shape
        self._build_input_shape = (None,) + tuple(input_shape)[1:]
        if self._input_batch_shape is None:
            self._input_batch_shape = self._build_input_shape
        self._output_shape_cache = (None,) + shape[1:]
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if not self.built:
            shape = [tuple(x.shape) for x in inputs] if isinstance(inputs, (list, tuple)) else tuple(inputs.shape)
            self.build((None,) + tuple(shape)[1:])

    @property
    def input_shape(self):
        """The batch input shape, e.g. ``(None, 20)``."""
        if self._input_batch_shape is None:
            raise AttributeError(f"Sequential '{self.name}' has no defined input shape yet")
        return self._input_batch_shape

    @property
    def output_shape(self):
        """The batch output shape, e.g. ``(None, 1)``."""
        if not self.built:
            raise AttributeError(f"Sequential '{self.name}' has not been built yet, so its output shape is unknown")
        return self._output_shape_cache

    def _expected_input_shape(self):
        return self._input_batch_shape

    def _input_structure(self):
        """One input, keyed by its Input's name; it takes strings when its Input says dtype 'string' or the
        first layer is a preprocessing layer (TextVectorization, StringLookup, ...)."""
        source = self._input_layer
        # it depends on the Input and the first layer only: kept until either changes (predict asks every call)
        first = self._layers[0] if self._layers else None
        key = (source, None if source is None else (source.name, source.dtype), first)
        cached = self.__dict__.get("_input_structure_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        from ..layers.preprocessing.data_layer import PreprocessingLayer
        from .data_adapters.inputs import InputStructure

        dtype = source.dtype if source is not None else None
        strings = dtype == "object" or isinstance(first, PreprocessingLayer)
        declared = dtype if dtype is not None and np.dtype(dtype).kind in "iu" else None
        structure = InputStructure([None if source is None else source.name], 0, [strings], [declared])
        object.__setattr__(self, "_input_structure_cache", (key, structure))
        return structure

    def _layer_shape(self, layer):
        return self._layer_output_shapes.get(id(layer))

    # ------------------------------------------------------------------ computing
    def call(self, inputs, training=None, mask=None):
        return self._forward(inputs, training=training)

    def _forward(self, x, training: bool):
        if not self.built:
            self._maybe_build(x)
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    def _output_layer(self, index: int = 0):
        return self._layers[-1] if self._layers and index == 0 else None

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def get_config(self) -> dict:
        """The architecture as plain data: the name and each layer's class name and config."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._layers],
            "build_input_shape": None if self._input_batch_shape is None else list(self._input_batch_shape),
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuild a Sequential from :meth:`get_config`. Layer classes (nested models included) come only
        from the class tables (``class_lookup.py``): the library's layers, registered classes and
        ``custom_objects``."""
        return sequential_from_config(cls, config, custom_objects, f"{cls.__name__}.from_config")

    def _layers_config(self) -> dict:
        return {
            "name": self.name, "trainable": self.trainable, "dtype": self.dtype,
            "layers": [layer_to_config(layer) for layer in self.layers],
            "build_input_shape": None if self._input_batch_shape is None else list(self._input_batch_shape),
        }

    @classmethod
    def _from_layers_config(cls, config: dict, custom_objects: dict | None, where: str):
        return sequential_from_config(cls, config, custom_objects, where)


def sequential_from_config(cls, config: dict, custom_objects: dict | None = None,
                           where: str = "Sequential.from_config"):
    """The Sequential model (class ``cls``) described by :meth:`Sequential.get_config`, weights created.

    Layer classes come only from the class tables (``class_lookup.py``: the library's layers,
    registered classes and ``custom_objects``); errors start with ``where``.
    """
    layers = config.get("layers", [])
    if not isinstance(layers, list):
        raise ValueError(f"{where}: the 'layers' of a Sequential config must be a list, found {short_repr(layers)}")
    model = cls(name=config.get("name"), trainable=bool(config.get("trainable", True)))
    set_dtype_from_config(model, config)
    for i, spec in enumerate(layers):
        layer = deserialize_layer(spec, custom_objects, f"{where} (layer {i} of '{model.name}')")
        model.add(layer, rebuild=False)
    shape = config.get("build_input_shape")
    if shape is not None and model.layers:
        model.build(shape_from_config(shape, where))
    elif model.layers and getattr(model, "_input_batch_shape", None) is not None:
        model.build()  # from the first layer's batch_input_shape
    return model
