"""Core layers: Input/InputLayer, Dense, Activation, Lambda, Identity.

``Dense`` is the guide's fully connected layer: ``output = activation(inputs @ kernel + bias)``, with
the kernel stored as ``(input_dim, units)`` like Keras (a PyTorch ``Linear.weight`` is its transpose).
"""

from __future__ import annotations

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..ops.dense import FusedDense
from ..utils.naming import unique_name
from .base import InputSpec, KerasTensor, Layer

__all__ = ["Input", "InputLayer", "Dense", "Activation", "Lambda", "Identity"]


def _activation_name(fn) -> str | None:
    """The Keras name of an activation function, for ``get_config`` (None for a custom callable)."""
    try:
        return activations.serialize(fn)
    except (ValueError, TypeError, AttributeError):
        return getattr(fn, "__name__", None)


class InputLayer(Layer):
    """The entry point of a model: holds the input shape and passes data through unchanged.

    Usually made by :func:`Input`; ``Sequential([InputLayer(shape=(20,)), Dense(64)])`` also works.

    Args:
        shape: shape of one sample, without the batch axis (e.g. ``(20,)``).
        batch_size: optional fixed batch size.
        dtype: input dtype; defaults to ``config.floatx()``.
        batch_shape: the full shape including the batch axis (instead of ``shape`` and ``batch_size``).
        name: layer name; defaults to 'input_layer', 'input_layer_1', ...

    ``dtype="string"`` declares a text input: its data are object arrays of Python strings (``fit`` and
    ``predict`` pass str/bytes/object arrays to it unconverted), e.g. for ``TextVectorization``.
    """

    def __init__(self, shape=None, batch_size: int | None = None, dtype=None, sparse: bool | None = None,
                 batch_shape=None, input_tensor=None, name: str | None = None, input_shape=None,
                 batch_input_shape=None, **kwargs):
        batch_shape = batch_input_shape if batch_shape is None else batch_shape
        shape = input_shape if shape is None else shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer: give the sample shape, e.g. shape=(20,), received shape=None")
            if isinstance(shape, (int, np.integer)):
                shape = (int(shape),)
            batch_shape = (batch_size,) + tuple(shape)
        batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        for d in batch_shape[1:]:
            if d is not None and d <= 0:
                raise ValueError(f"InputLayer: every dimension must be positive, received shape {batch_shape[1:]}")
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **kwargs)
        self.batch_shape = batch_shape
        self._batch_input_shape = batch_shape
        self.sparse = bool(sparse)
        self.built = True
        self._output = KerasTensor(batch_shape, self.dtype, name=self.name)
        from .base import Node

        node = Node(self, [], (), {}, self._output)
        self._output._node = node
        self._inbound_nodes.append(node)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        dtype = "string" if self.dtype == "object" else self.dtype  # Keras's name for text inputs
        return {"batch_shape": list(self.batch_shape), "dtype": dtype, "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size: int | None = None, dtype=None, sparse: bool | None = None, batch_shape=None,
          name: str | None = None, tensor=None) -> KerasTensor:  # noqa: N802 - Keras name
    """A symbolic input of a functional model: a :class:`KerasTensor` with the batch axis first.

    Args:
        shape: shape of one sample, e.g. ``(20,)`` for 20 features or ``(28, 28, 1)`` for an image.
        batch_size: optional fixed batch size. Defaults to None (any).
        dtype: defaults to ``config.floatx()``; ``"string"`` for text (object arrays of ``str``), e.g.
            ``Input(shape=(1,), dtype="string")`` before a ``TextVectorization`` or ``StringLookup``.
        batch_shape: full shape including the batch axis, instead of ``shape``.
        name: the input's name: the key of this input when ``fit``/``predict`` get a dict.

    Example::

        inputs = Input(shape=(20,))
        x = Dense(64, activation="relu")(inputs)
        outputs = Dense(1, activation="sigmoid")(x)
        model = Model(inputs, outputs)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name)
    return layer._output


def _positive_int(layer: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: expected {name} to be a positive integer, received {name}={value!r}")
    return int(value)


# activations the fused dense op applies in place (see ops.dense); sigmoid and softmax go through their
# own ops, whose outputs carry the logits the cross-entropies use (``_keras_logits``)
_FUSED_ACTIVATIONS = {activations.linear: "linear", activations.relu: "relu", activations.tanh: "tanh"}


class Dense(Layer):
    """Fully connected layer: ``output = activation(inputs @ kernel + bias)``.

    Args:
        units: number of output features (positive integer).
        activation: activation name or function ('relu', 'sigmoid', 'softmax', ...). Defaults to None
            (linear, ``a(x) = x``).
        use_bias: whether to add a bias vector. Defaults to True.
        kernel_initializer: initializer of the ``(input_dim, units)`` kernel. Defaults to 'glorot_uniform'.
        bias_initializer: initializer of the ``(units,)`` bias. Defaults to 'zeros'.
        kernel_regularizer, bias_regularizer: penalties added to the loss. Defaults to None.
        activity_regularizer: penalty on the output, added to the loss. Defaults to None.
        kernel_constraint, bias_constraint: callables applied to the weight after every update.
        input_dim / input_shape: on a model's first layer, the shape of one sample.

    Shapes:
        input ``(batch, ..., input_dim)`` → output ``(batch, ..., units)``.

    Example::

        >>> layer = Dense(3, activation="relu")
        >>> layer(np.ones((2, 4))).shape          # builds a (4, 3) kernel on first call
        (2, 3)
    """

    # a mask on (batch, time, features) inputs passes through to the (batch, time, units) output, as Keras 3
    supports_masking = True

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, **kwargs):
        units = _positive_int("Dense", "units", units)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"Layer '{self.name}': the last axis of the input must be known to build the kernel, "
                f"received input shape {tuple(input_shape)}"
            )
        self.kernel = self.add_weight((input_dim, self.units), self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: int(input_dim)})
        self.built = True

    def call(self, inputs, training=None):
        # One fused op (ops.dense) computes activation(inputs @ kernel + bias) for linear/relu/tanh; any other
        # activation (sigmoid, softmax, gelu, a user function, ...) is applied to the op's linear output.
        # The input spec has already checked the last axis, so the op is applied without ops.dense's checks.
        fused = _FUSED_ACTIVATIONS.get(self.activation)
        if fused is not None:
            return FusedDense.apply(inputs, self.kernel, self.bias, activation=fused)
        return self.activation(FusedDense.apply(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "units": self.units,
            "activation": _activation_name(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer)
            if isinstance(self.kernel_initializer, initializers.Initializer) else None,
            "bias_initializer": initializers.serialize(self.bias_initializer)
            if isinstance(self.bias_initializer, initializers.Initializer) else None,
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer)
            if isinstance(self.kernel_regularizer, regularizers.Regularizer) else None,
            "bias_regularizer": regularizers.serialize(self.bias_regularizer)
            if isinstance(self.bias_regularizer, regularizers.Regularizer) else None,
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg


class Activation(Layer):
    """Applies an activation function to its input: ``output = activation(inputs)``.

    Args:
        activation: a name ('relu', 'softmax', ...) or a function.

    Shapes:
        output shape = input shape.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["activation"] = _activation_name(self.activation)
        return cfg


class Lambda(Layer):
    """Wraps a Python function as a layer: ``output = function(inputs, **arguments)``.

    The function is given in code; it is never saved into, or read from, a model file (a file only
    holds data, so a model with a Lambda must be rebuilt by the code that defines the function).

    Args:
        function: a callable taking a Tensor (ops from ``neuronet.ops`` keep it differentiable).
        output_shape: optional output shape (without the batch axis); found by running the function
            on zeros when omitted.
        arguments: optional dict of keyword arguments passed to ``function``.

    Example::

        >>> double = Lambda(lambda x: x * 2.0)
    """

    def __init__(self, function, output_shape=None, mask=None, arguments: dict | None = None, **kwargs):
        if not callable(function):
            raise TypeError(f"Lambda: expected a callable function, received {function!r}")
        super().__init__(**kwargs)
        self.function = function
        self._output_shape = None if output_shape is None else tuple(output_shape)
        self.arguments = dict(arguments or {})
        self._lambda_takes_training = _takes(function, "training")

    def call(self, inputs, training=None):
        if self._lambda_takes_training:
            return self.function(inputs, training=training, **self.arguments)
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if self._output_shape is not None:
            batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
            return (batch,) + self._output_shape
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["function"] = getattr(self.function, "__name__", "lambda")  # descriptive only, never loaded
        if self._output_shape is not None:
            cfg["output_shape"] = list(self._output_shape)
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        raise ValueError(
            "Lambda layers cannot be rebuilt from a config: their Python function is not stored in files. "
            "Recreate the model in code and load only its weights"
        )


def _takes(fn, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

