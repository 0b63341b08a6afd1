"""Layer wrappers: the Wrapper base class, Bidirectional (an RNN run both ways), TimeDistributed (a
layer on every step) and SpectralNormalization (a kernel divided by its largest singular value)."""

from __future__ import annotations

import numpy as np

from .. import initializers, ops
from ..autograd import Tensor
from .base import InputSpec, Layer

__all__ = ["Bidirectional", "SpectralNormalization", "TimeDistributed", "Wrapper"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _layer_from_config(spec: dict) -> Layer:
    """Rebuild a layer from ``{'class_name', 'config'}``; only classes of ``neuronet.layers`` are allowed."""
    from .. import layers

    name = spec.get("class_name")
    cls = getattr(layers, str(name), None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"Bidirectional: unknown layer class_name {name!r} (expected a class of neuronet.layers)")
    return cls.from_config(dict(spec.get("config", {})))


def _copy_layer(layer: Layer, **changes) -> Layer:
    cfg = layer.get_config()
    cfg.update(changes)
    return type(layer).from_config(cfg)


def merge_directions(forward, backward, mode: str = "concat"):
    """The outputs of the two directions of a bidirectional RNN combined, step by step aligned:
    'concat' ``[forward, backward]`` on the last axis, 'sum' ``forward + backward``, 'ave'
    ``(forward + backward) / 2`` or 'mul' ``forward · backward``. Composed from ops, so the gradient
    comes from theirs."""
    if mode == "concat":
        return ops.concatenate([forward, backward], axis=-1)
    if mode == "mul":
        return ops.multiply(forward, backward)
    total = ops.add(forward, backward)
    if mode == "sum":
        return total
    if mode == "ave":
        return ops.multiply(total, 0.5)
    raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, received {mode!r}")


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards over the sequence, and merges both.

    The backward copy has ``go_backwards`` flipped; with ``return_sequences`` its output is reversed
    back in time before merging, so step t of the result sees the whole sequence — the past through
    the forward layer and the future through the backward one (as Keras). Masked steps give zeros
    in both directions' sequences (Keras forces ``zero_output_for_mask``).

    Args:
        layer: an RNN layer instance (SimpleRNN, LSTM, GRU). Its config is copied: the wrapper has
            fresh weights named ``forward_<name>`` and ``backward_<name>``.
        merge_mode: how to combine the two outputs: 'concat', 'sum', 'mul', 'ave', or None (return
            both as a tuple). Defaults to 'concat'.
        weights: optional initial weights, forward layer's then backward layer's.
        backward_layer: optional explicit backward layer (its go_backwards must differ from layer's).

    Output shape: as the wrapped layer, with the last axis doubled for 'concat'. With
    ``return_state`` the call returns ``(output, *forward_states, *backward_states)``.

    Example::

        >>> Bidirectional(LSTM(8, return_sequences=True))(np.zeros((2, 5, 3))).shape
        (2, 5, 16)
    """

    def __init__(self, layer: Layer, merge_mode: str | None = "concat", weights=None,
                 backward_layer: Layer | None = None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional: layer must be a Layer instance (e.g. LSTM(8)), received {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, received {merge_mode!r}")
        for attr in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attr):
                raise ValueError(f"Bidirectional: layer must be a recurrent layer with a {attr!r} attribute, "
                                 f"received {type(layer).__name__}")
        super().__init__(**kwargs)
        base = layer.name.removeprefix("forward_")
        self.forward_layer = _copy_layer(layer, name="forward_" + base)
        if backward_layer is None:
            self.backward_layer = _copy_layer(layer, name="backward_" + base.removeprefix("backward_"),
                                              go_backwards=not layer.go_backwards)
        else:
            if not isinstance(backward_layer, Layer):
                raise ValueError(f"Bidirectional: backward_layer must be a Layer instance, received {backward_layer!r}")
            self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Bidirectional: the forward and backward layers must have different go_backwards; "
                             f"both have go_backwards={self.forward_layer.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            f, b = getattr(self.forward_layer, attr), getattr(self.backward_layer, attr)
            if f != b:
                raise ValueError(f"Bidirectional: the forward and backward layers must have the same {attr}, "
                                 f"received {f} and {b}")
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self._initial_weights = weights

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(shape)
                sub.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, initial_state=None, mask=None, training=None):
        fwd_state = bwd_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            fwd_state, bwd_state = states[:half], states[half:]
        y = self.forward_layer(inputs, initial_state=fwd_state, mask=mask, training=training)
        y_rev = self.backward_layer(inputs, initial_state=bwd_state, mask=mask, training=training)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:  # the backward layer's outputs are in reversed order: align them
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode is None:
            out = (y, y_rev)
            if mask is not None and self.return_sequences:
                for o in out:
                    o._keras_mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            return out + states
        out = merge_directions(y, y_rev, self.merge_mode)
        if self.return_state:
            if mask is not None and self.return_sequences:
                out._keras_mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)
            return (out, *states)
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.return_sequences or self.merge_mode is None or self.return_state:
            return None
        return np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(tuple(input_shape))
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        out = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state or self.merge_mode is None:
            return out + states + states
        return shape

    def reset_states(self, states=None) -> None:
        """Reset both directions' states (stateful layers only)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}': reset_states needs a stateful layer")
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["merge_mode"] = self.merge_mode
        cfg["layer"] = {"class_name": type(self.forward_layer).__name__, "config": self.forward_layer.get_config()}
        cfg["backward_layer"] = {"class_name": type(self.backward_layer).__name__,
                                 "config": self.backward_layer.get_config()}
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["layer"] = _layer_from_config(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _layer_from_config(config["backward_layer"])
        return cls(**config)


class TimeDistributed(Layer):
    """Applies a layer to every time step of a sequence independently (the same weights at each step).

    The input (batch, time, ...) is folded to (batch·time, ...), passed through ``layer`` and
    unfolded, so e.g. ``TimeDistributed(Dense(10))`` maps (batch, time, 16) to (batch, time, 10) with
    one kernel (16, 10) — one GEMM for all steps.

    Args:
        layer: the layer to apply, e.g. ``Dense(10)`` or a small model.

    Input shape: (batch, time, ...) of rank ≥ 3. The mask (if any) passes through unchanged.

    Example::

        >>> TimeDistributed(Dense(10))(np.zeros((32, 7, 16))).shape
        (32, 7, 10)
    """

    supports_masking = True

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: layer must be a Layer instance, received {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.input_spec = InputSpec(min_ndim=3)

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        if not self.layer.built:
            inner = (None,) + shape[2:]
            self.layer._build_input_shape = inner
            self.layer.build(inner)
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        flat = ops.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        kwargs = {}
        if getattr(self.layer, "_call_takes_training", False):
            kwargs["training"] = training
        if mask is not None and getattr(self.layer, "_call_takes_mask", False):
            kwargs["mask"] = np.asarray(mask.data if isinstance(mask, Tensor) else mask).reshape(-1)
        y = self.layer(flat, **kwargs)
        return ops.reshape(y, (batch, steps) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        inner = self.layer.compute_output_shape((None,) + shape[2:])
        return (shape[0], shape[1]) + tuple(inner[1:])

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["layer"] = {"class_name": type(self.layer).__name__, "config": self.layer.get_config()}
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["layer"] = _layer_from_config(config["layer"])
        return cls(**config)


class Wrapper(Layer):
    """Base class of layers that wrap another layer (``keras.layers.Wrapper``): subclass it and write
    ``call`` in terms of ``self.layer``.

    The wrapper builds the inner layer on its own input shape, owns its weights, and saves it inside its
    config (``{"layer": {"class_name", "config", ...}}``), so a subclass needs no ``get_config`` of its
    own unless it adds arguments.

    Args:
        layer: the wrapped Layer instance.

    Example::

        class Doubled(neuronet.layers.Wrapper):
            def call(self, inputs):
                return self.layer(inputs) * 2.0
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: expected layer to be a Layer instance, received {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return self.layer(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        from ..saving import serialize_keras_object

        cfg = super().get_config()
        cfg["layer"] = serialize_keras_object(self.layer)
        return cfg

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        from ..saving import deserialize_keras_object

        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects, kind="layers")
        return cls(**config)


class SpectralNormalization(Wrapper):
    """Divide the wrapped layer's kernel by its spectral norm (largest singular value) in training
    (Miyato et al. 2018), which keeps a GAN discriminator's Lipschitz constant near 1.

    The kernel, reshaped to ``(-1, units)`` as ``W``, has its largest singular value ``σ`` estimated by
    ``power_iterations`` steps of the power method from a stored vector ``u`` (a non-trainable weight,
    carried from step to step)::

        v = normalize(u Wᵀ);  u = normalize(v W)      (repeated power_iterations times)
        σ = v W uᵀ;           kernel ← W / σ

    As in Keras, each training call writes ``W / σ`` into the kernel before running the layer (σ is a
    constant for the gradient); at inference the layer runs on the kernel as it is.

    Args:
        layer: a layer with a ``kernel`` (Dense, Conv...) or ``embeddings`` (Embedding).
        power_iterations: power-method steps per call (>= 1). Defaults to 1.

    Weights: ``vector_u`` of shape ``(1, units)``, plus the wrapped layer's.
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, (int, np.integer)) \
                or power_iterations < 1:
            raise ValueError(f"SpectralNormalization: expected power_iterations to be a positive integer, received "
                             f"power_iterations={power_iterations!r}")
        self.power_iterations = int(power_iterations)

    def build(self, input_shape=None) -> None:
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        kernel = getattr(self.layer, "embeddings", None) if kernel is None else kernel
        if kernel is None:
            raise ValueError(f"SpectralNormalization: {type(self.layer).__name__} has no 'kernel' nor 'embeddings' "
                             "to normalize")
        self._kernel = kernel
        self._own_weights.append(kernel)  # Keras tracks the kernel as the wrapper's too: order kernel, vector_u, ...
        self.vector_u = self.add_weight((1, kernel.shape[-1]), initializers.TruncatedNormal(stddev=0.02),
                                        name="vector_u", trainable=False)
        self.built = True

    def _normalized(self) -> tuple:
        """``(u, W / σ)`` by the power method (see the class docstring)."""
        weights = self._kernel.data.reshape(-1, self._kernel.shape[-1])
        u = self.vector_u.data
        for _ in range(self.power_iterations):
            v = u @ weights.T
            v = v / max(float(np.linalg.norm(v)), 1e-12)
            u = v @ weights
            u = u / max(float(np.linalg.norm(u)), 1e-12)
        sigma = float((v @ weights @ u.T).item())
        return u, self._kernel.data / sigma

    def call(self, inputs, training=False):
        if training and np.any(self._kernel.data != 0):
            u, kernel = self._normalized()
            self.vector_u.data[...] = u
            self._kernel.data[...] = kernel
        return self.layer(inputs)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["power_iterations"] = self.power_iterations
        return cfg
