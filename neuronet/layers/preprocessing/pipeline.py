"""Pipeline: preprocessing layers applied one after the other, as one layer (Keras ``layers.Pipeline``)."""

from __future__ import annotations

from ..base import Layer, _is_symbolic

__all__ = ["Pipeline"]


class Pipeline(Layer):
    """Apply ``layers`` in order: ``Pipeline([RandomFlip(), RandomRotation(0.1)])(images)``.

    Unlike a Sequential model it is a plain layer meant for preprocessing: it has no ``fit``, and it
    is called in training mode by default (``training=True``), so augmentation layers in it are active
    when it is called on data outside a model (e.g. in a data pipeline). Inside a model, ``fit`` and
    ``predict`` pass their own ``training``.

    Args:
        layers: a list of Layer instances.
        name: Defaults to 'pipeline'.
        **kwargs: the base Layer's (e.g. the input shape a Sequential gives its first layer).
    """

    def __init__(self, layers, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError(f"Pipeline: expected layers to be a list of Layer instances, received {layers!r}")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        return list(self._pipeline_layers)

    def build(self, input_shape=None) -> None:
        self.built = True

    def __call__(self, inputs, *args, training=None, **kwargs):
        # called on data, an unspecified ``training`` means True (Keras: the default of Pipeline.call); a
        # symbolic call records None, so the model's own training flag reaches it when the model runs
        if training is None and not _is_symbolic(inputs):
            training = True
        return super().__call__(inputs, *args, training=training, **kwargs)

    def call(self, inputs, training=True):
        outputs = inputs
        for layer in self._pipeline_layers:
            if getattr(layer, "_call_takes_training", False):
                outputs = layer(outputs, training=training)
            else:
                outputs = layer(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict:
        from ...saving import serialize_keras_object

        # Keras's Pipeline takes only these two arguments (no trainable or dtype)
        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers], "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from ...saving import deserialize_keras_object

        config = dict(config)
        config["layers"] = [deserialize_keras_object(entry, custom_objects=custom_objects, kind="layers")
                            for entry in config["layers"]]
        return cls(**config)
