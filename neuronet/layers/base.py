"""The Layer contract (as in Keras): ``__init__`` stores config, ``build`` makes weights, ``call`` computes.

A layer is built lazily: the first call sees the input's shape and runs ``build(input_shape)``,
which creates weights with :meth:`Layer.add_weight`. So ``Dense(64)`` needs no input size::

    class Dense(Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight((input_shape[-1], self.units), "glorot_uniform", name="kernel")
            self.bias = self.add_weight((self.units,), "zeros", name="bias")

        def call(self, inputs, training=None):
            return ops.matmul(inputs, self.kernel) + self.bias
"""

from __future__ import annotations

import inspect

import numpy as np

from .. import config, constraints, initializers, regularizers
from ..autograd import Tensor, Variable
from ..ops.symbolic import SymbolicTensor
from ..utils.naming import to_snake_case, unique_name

__all__ = ["Layer", "InputSpec", "KerasTensor", "dtype_name"]


class InputSpec:
    """What a layer accepts: ``ndim`` (exact rank), ``min_ndim``, and ``axes`` {axis: size}.

    Checked on every call so a wrong shape fails with a message naming the layer, the expected and
    the received shape, before any work is done.
    """

    def __init__(self, ndim: int | None = None, min_ndim: int | None = None, max_ndim: int | None = None,
                 axes: dict | None = None, dtype=None):
        self.ndim, self.min_ndim, self.max_ndim = ndim, min_ndim, max_ndim
        self.axes = dict(axes or {})
        self.dtype = dtype

    def check(self, layer_name: str, shape: tuple, index: int = 0) -> None:
        rank = len(shape)
        if self._fits(shape, rank):  # the common case, with no message built
            return
        where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"{where}: expected ndim={self.ndim}, found ndim={rank}. Full shape received: {shape}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={self.min_ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        if self.max_ndim is not None and rank > self.max_ndim:
            raise ValueError(
                f"{where}: expected max_ndim={self.max_ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        for axis, size in self.axes.items():
            if size is None:
                continue
            if -rank <= axis < rank and shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {size}, "
                    f"but received input with shape {shape}"
                )

    def _fits(self, shape: tuple, rank: int) -> bool:
        """Whether ``shape`` passes every condition :meth:`check` raises for."""
        if (self.ndim is not None and rank != self.ndim) or (self.min_ndim is not None and rank < self.min_ndim) \
                or (self.max_ndim is not None and rank > self.max_ndim):
            return False
        for axis, size in self.axes.items():
            if size is not None and -rank <= axis < rank and shape[axis] is not None and shape[axis] != size:
                return False
        return True


def dtype_name(dtype) -> str:
    """The NumPy name of ``dtype``; Keras's "string" (and ``str``, ``bytes``) is 'object': text travels as
    object arrays of Python strings."""
    if dtype is None:
        return config.floatx()
    if hasattr(dtype, "variable_dtype"):  # a DTypePolicy: weights and computation in its variable dtype
        dtype = dtype.variable_dtype
    elif dtype in ("mixed_float16", "mixed_bfloat16"):  # a mixed policy by name: float32 (see dtype_policies)
        return "float32"
    if dtype in ("string", str, bytes) or (isinstance(dtype, np.dtype) and dtype.kind in "USO"):
        return "object"
    return np.dtype(dtype).name


class KerasTensor(SymbolicTensor):
    """A symbolic tensor of the functional API: a shape and dtype, no data, and the layer call that made it.

    ``Input(shape=(20,))`` returns one; calling a layer on it — or a ``neuronet.ops`` function, or
    Python arithmetic — returns another and records the call (a :class:`Node`), so
    ``Model(inputs, outputs)`` can replay the graph on real data later.

    Attributes:
        shape: the shape, the batch axis first (``None`` where unknown).
        dtype: the dtype name; 'object' for strings (``Input(dtype="string")``).
        name: a name (the producing layer's).
    """

    def __init__(self, shape, dtype=None, name: str | None = None, node=None, index: int = 0):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype_name(dtype)
        self.name = name
        self._node = node
        self._index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def _keras_history(self):
        return (self._node.layer if self._node is not None else None, 0, self._index)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"KerasTensor {self.name!r} is symbolic (shape {self.shape}): it has no values. Build a "
            "Model(inputs, outputs) from it and call the model on real data"
        )

    # Python arithmetic records a layer (operator.OperatorLayer), so ``Model(inputs, x + y)`` works as in
    # Keras 3. NumPy defers to these methods (``np.ones(3) * x``) instead of converting the tensor.
    __array_ufunc__ = None

    def _operate(self, operator: str, other=None, reverse: bool = False):
        from .operator import apply_operator

        return apply_operator(operator, self, other, reverse)

    def __add__(self, other):
        return self._operate("add", other)

    def __radd__(self, other):
        return self._operate("add", other, reverse=True)

    def __sub__(self, other):
        return self._operate("subtract", other)

    def __rsub__(self, other):
        return self._operate("subtract", other, reverse=True)

    def __mul__(self, other):
        return self._operate("multiply", other)

    def __rmul__(self, other):
        return self._operate("multiply", other, reverse=True)

    def __truediv__(self, other):
        return self._operate("divide", other)

    def __rtruediv__(self, other):
        return self._operate("divide", other, reverse=True)

    def __pow__(self, other):
        return self._operate("power", other)

    def __rpow__(self, other):
        return self._operate("power", other, reverse=True)

    def __neg__(self):
        return self._operate("negative")

    def __abs__(self):
        return self._operate("absolute")

    def __getitem__(self, index):
        return self._operate("getitem", index)

    # The other operators Keras's KerasTensor has record the keras.ops call of the same meaning (an op node,
    # saved as Keras saves it). ``==`` and ``!=`` keep Python's identity meaning: tensors are compared and
    # hashed as objects all through the graph code.
    def _op(self, name: str, *operands):
        from .. import ops

        return getattr(ops, name)(*operands)

    def __lt__(self, other):
        return self._op("less", self, other)

    def __le__(self, other):
        return self._op("less_equal", self, other)

    def __gt__(self, other):
        return self._op("greater", self, other)

    def __ge__(self, other):
        return self._op("greater_equal", self, other)

    def __matmul__(self, other):
        return self._op("matmul", self, other)

    def __rmatmul__(self, other):
        return self._op("matmul", other, self)

    def __floordiv__(self, other):
        return self._op("floor_divide", self, other)

    def __rfloordiv__(self, other):
        return self._op("floor_divide", other, self)

    def __mod__(self, other):
        return self._op("mod", self, other)

    def __rmod__(self, other):
        return self._op("mod", other, self)

    def __and__(self, other):
        return self._op("logical_and", self, other)

    def __rand__(self, other):
        return self._op("logical_and", other, self)

    def __or__(self, other):
        return self._op("logical_or", self, other)

    def __ror__(self, other):
        return self._op("logical_or", other, self)

    def __xor__(self, other):
        return self._op("logical_xor", self, other)

    def __rxor__(self, other):
        return self._op("logical_xor", other, self)

    def __invert__(self):
        return self._op("logical_not", self)

    def __round__(self, ndigits=None):
        return self._op("round", self) if ndigits is None else self._op("round", self, ndigits)

    def __iter__(self):  # without it, Python would iterate by indexing forever (the batch size is unknown)
        raise TypeError(f"KerasTensor {self.name!r} is symbolic and cannot be iterated over; index it (x[:, 0]) or "
                        "use a layer")


def _nested_keras_tensors(value, found: list) -> list:
    """Append every KerasTensor in ``value`` (nested in lists, tuples and dict values) to ``found``."""
    if isinstance(value, KerasTensor):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _nested_keras_tensors(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _nested_keras_tensors(v, found)
    return found


def flatten_outputs(outputs) -> list:
    """A layer call's result as a flat list, nested lists and tuples read depth first (Keras's
    ``tree.flatten``): ``RNN([cell_a, cell_b], return_state=True)`` returns ``(output, [h1, c1], [h2])``,
    recorded as the four outputs ``[output, h1, c1, h2]``. A single tensor gives ``[tensor]``."""
    if isinstance(outputs, (list, tuple)):
        return [leaf for item in outputs for leaf in flatten_outputs(item)]
    return [outputs]


def substitute_keras_tensors(value, values: dict):
    """``value`` with each KerasTensor (nested in lists, tuples and dict values) replaced by
    ``values[id(tensor)]``: how a recorded call's keyword arguments get their real tensors at replay."""
    if isinstance(value, KerasTensor):
        return values[id(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(substitute_keras_tensors(v, values) for v in value)
    if isinstance(value, dict):
        return {k: substitute_keras_tensors(v, values) for k, v in value.items()}
    return value


class Node:
    """One recorded layer call of the functional API: ``outputs = layer(inputs, *args, **kwargs)``.

    Attributes:
        input_tensors: the KerasTensors of the first argument ``inputs`` (a list).
        call_tensors: the KerasTensors given in the other arguments and keywords, nested in lists or
            dicts, e.g. ``LSTM(8)(x, initial_state=[h, c])`` records ``[h, c]`` here, ``mask=m`` records ``m``.
            The functional model computes them before this call and passes their values at replay.
    """

    def __init__(self, layer, inputs, args: tuple, kwargs: dict, outputs):
        self.layer, self.inputs, self.args, self.kwargs, self.outputs = layer, inputs, args, kwargs, outputs
        self.call_tensors = _nested_keras_tensors((args, kwargs), []) if (args or kwargs) else []

    @property
    def input_tensors(self) -> list:
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]

    @property
    def dependencies(self) -> list:
        """Every KerasTensor the call consumes: ``input_tensors`` then ``call_tensors``."""
        return self.input_tensors + self.call_tensors

    @property
    def output_tensors(self) -> list:
        return list(self.outputs) if isinstance(self.outputs, (list, tuple)) else [self.outputs]


# set once any layer calls add_loss, so the training loop knows to collect ``model.losses`` every step
_ADDED_LOSSES = {"used": False}


def _is_symbolic(inputs) -> bool:
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, dict):
        inputs = list(inputs.values())
    return isinstance(inputs, (list, tuple)) and any(isinstance(x, KerasTensor) for x in inputs)


def _accepts(fn, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


class Layer:
    """Base class of all layers.

    Args:
        trainable: whether the layer's weights are updated by training. Defaults to True.
        name: unique name; defaults to the snake-case class name with a counter (dense, dense_1, …).
        dtype: float dtype of the weights and computations; defaults to ``config.floatx()``.
        input_shape: shape of one sample (without the batch axis), accepted on a model's first layer.
        input_dim: for 2-D inputs, the same as ``input_shape=(input_dim,)``.
        batch_size / batch_input_shape: Keras spellings, also accepted.

    Subclasses implement ``build(input_shape)``, ``call(inputs, training=None)`` and
    ``compute_output_shape(input_shape)``, and extend ``get_config()``.
    """

    supports_masking = False

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None, input_shape=None,
                 input_dim: int | None = None, batch_size: int | None = None, batch_input_shape=None,
                 activity_regularizer=None, **kwargs):
        for key in ("autocast", "input_length", "seed_generator"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}")
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_own_weights", [])
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = dtype_name(dtype)
        self.built = False
        self.input_spec = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._activity_losses: list = []
        self._build_input_shape = None
        self._batch_input_shape = None
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self._batch_input_shape = (batch_size, int(input_dim))
        cls = type(self)
        self._call_takes_training = _accepts(cls.call, "training")
        self._call_takes_mask = _accepts(cls.call, "mask")

    # ------------------------------------------------------------------ tracking
    def __setattr__(self, name, value):
        if "_layers" not in self.__dict__ and isinstance(value, (Layer, list, tuple)):
            if isinstance(value, Layer) or (value and all(isinstance(v, Layer) for v in value)):
                raise RuntimeError(
                    f"{type(self).__name__}: call super().__init__() at the start of __init__, before assigning "
                    f"sublayers (assigning {name!r})"
                )
            object.__setattr__(self, name, value)
            return
        if isinstance(value, Layer) and name != "_outer":
            if value not in self._layers:
                self._layers.append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            for v in value:
                if v not in self._layers:
                    self._layers.append(v)
        object.__setattr__(self, name, value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    def add_weight(self, shape=None, initializer="glorot_uniform", dtype=None, trainable: bool = True,
                   regularizer=None, constraint=None, name: str | None = None, **kwargs) -> Variable:
        """Create a weight of ``shape``, tracked by this layer (Keras argument order and names).

        Args:
            shape: the weight's shape.
            initializer: name, object or callable. Defaults to 'glorot_uniform'.
            dtype: defaults to the layer's dtype.
            trainable: whether optimizers update it. Defaults to True.
            regularizer: a penalty added to the model's loss (see ``layer.losses``).
            constraint: a callable applied to the weight after each optimizer update.
            name: the weight's name (e.g. 'kernel'); its path is 'layer_name/name'.
        """
        shape = () if shape is None else tuple(int(s) for s in shape)
        var = Variable(initializers.get(initializer), shape=shape, dtype=dtype or self.dtype,
                       trainable=trainable, name=name, regularizer=regularizers.get(regularizer),
                       constraint=constraints.get(constraint))
        var.path = f"{self.name}/{name}" if name else self.name
        self._own_weights.append(var)
        return var

    @property
    def weights(self) -> list:
        """All weights in Keras order: this layer's own (trainable, then non-trainable), then each
        sublayer's in the order the sublayers were assigned. This is the order of ``get_weights``."""
        own = [w for w in self._own_weights if w.trainable] + [w for w in self._own_weights if not w.trainable]
        out, seen = [], set()
        for w in own + [w for layer in self._layers for w in layer.weights]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable_weights(self) -> list:
        if not self.trainable:
            return []
        own = [w for w in self._own_weights if w.trainable]
        for layer in self._layers:
            for w in layer.trainable_weights:
                if not any(w is o for o in own):
                    own.append(w)
        return own

    @property
    def non_trainable_weights(self) -> list:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def variables(self) -> list:
        return self.weights

    @property
    def layers(self) -> list:
        return list(self._layers)

    def get_weights(self) -> list:
        """Copies of the weights as ndarrays, in the order of ``weights`` (Keras order)."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Load ndarrays into the weights; every shape is checked before anything is changed."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' set_weights: expected a list of {len(own)} arrays "
                f"({[tuple(w.shape) for w in own]}), received {len(weights)}"
            )
        arrays = []
        for i, (w, value) in enumerate(zip(own, weights)):
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.shape != w.shape:
                raise ValueError(
                    f"Layer '{self.name}' set_weights: weight {i} ('{w.path}') expected shape {w.shape}, "
                    f"received {value.shape}"
                )
            arrays.append(value)
        for w, value in zip(own, arrays):
            w.data[...] = value

    def count_params(self) -> int:
        """Total number of scalars in the weights."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' has not been built yet, so its parameters cannot be counted; "
                "call it on data or give the model an input shape"
            )
        return int(sum(w.size for w in self.weights))

    def add_loss(self, loss) -> None:
        """Add a scalar loss Tensor computed in ``call`` (e.g. a penalty); ``fit`` adds it to the loss it
        minimizes. The losses added during one call replace those of the previous call."""
        self.__dict__.setdefault("_added_losses", []).append(loss)
        _ADDED_LOSSES["used"] = True

    @property
    def losses(self) -> list:
        """Scalar loss Tensors of the last call — activity regularization and ``add_loss`` terms — plus the
        weight regularization penalties, for this layer and its sublayers."""
        out = list(self._activity_losses)
        out.extend(self.__dict__.get("_added_losses", ()))
        for w in self._own_weights:
            if w.regularizer is not None and w.trainable:
                out.append(w.regularizer(w))
        for layer in self._layers:
            out.extend(layer.losses)
        return out

    # ------------------------------------------------------------------ building and calling
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (the batch axis included, may be None)."""
        self.built = True

    def call(self, inputs, training=None):  # pragma: no cover - abstract
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call()")

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``; by default found by running the layer on zeros."""
        shapes = input_shape
        if isinstance(shapes, (list,)) and shapes and isinstance(shapes[0], (tuple, list)):
            dummy = [np.zeros([1 if d is None else d for d in s], self.dtype) for s in shapes]
        else:
            dummy = np.zeros([1 if d is None else d for d in shapes], self.dtype)
        from ..autograd import no_grad

        saved = self._activity_losses
        with no_grad():
            out = self(dummy)
        self._activity_losses = saved
        multi = isinstance(input_shape, list)
        batch = input_shape[0][0] if multi else input_shape[0]
        if isinstance(out, (tuple, list)):
            return [(batch,) + tuple(o.shape[1:]) for o in out]
        return (batch,) + tuple(out.shape[1:])

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: passed through unchanged when the layer supports masking."""
        return mask if self.supports_masking else None

    def _check_input_spec(self, shapes) -> None:
        spec = self.input_spec
        if spec is None:
            return
        if type(spec) is InputSpec:  # one spec: checks the first input
            if shapes:
                spec.check(self.name, tuple(shapes[0]), 0)
            return
        for i, (spec, shape) in enumerate(zip(spec, shapes)):
            spec.check(self.name, tuple(shape), i)

    def _build_by_shape(self, input_shape) -> None:
        """Build from a shape alone (no data): checks the input spec, then runs ``build``."""
        if self.built:
            return
        multi = isinstance(input_shape, list)
        self._check_input_spec(input_shape if multi else [input_shape])
        self._build_input_shape = input_shape
        self.build(input_shape)
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        if isinstance(inputs, (list, tuple)):
            shape = [tuple(x.shape) for x in inputs]
        elif isinstance(inputs, dict):
            shape = {key: tuple(x.shape) for key, x in inputs.items()}
        else:
            shape = tuple(inputs.shape)
        self._build_input_shape = shape
        self.build(shape)
        self.built = True

    def _convert_input(self, x):
        if isinstance(x, Tensor):
            if x.data.dtype.kind == "f" and x.data.dtype != self.dtype:
                from .. import ops

                return ops.cast(x, self.dtype)
            return x
        if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):  # pandas DataFrame / Series
            x = x.to_numpy()
        arr = np.asarray(x)
        if arr.dtype.kind == "f" and arr.dtype != self.dtype:
            arr = arr.astype(self.dtype)
        return Tensor._wrap(arr)

    def __call__(self, inputs, *args, training=None, mask=None, **kwargs):
        """Run the layer: build it on the first call, check the input's shape, then ``call``.

        ``inputs`` may be an ndarray, a Tensor (or a list of them) — the layer runs eagerly and returns a
        Tensor — or a symbolic :class:`KerasTensor` from ``Input``, which records the call for a
        functional ``Model``.
        """
        if type(inputs) is Tensor:  # one eager input, the common case
            inputs = self._convert_input(inputs)
            shapes = (inputs.shape,)
        elif _is_symbolic(inputs):
            return self._symbolic_call(inputs, args, training, mask, kwargs)
        elif isinstance(inputs, (list, tuple)):
            inputs = type(inputs)(self._convert_input(x) for x in inputs)
            shapes = [x.shape for x in inputs]
        elif isinstance(inputs, dict):  # a model called on a dict of inputs (a subclassed model's call reads it)
            inputs = {key: self._convert_input(x) for key, x in inputs.items()}
            shapes = [x.shape for x in inputs.values()]
        else:
            inputs = self._convert_input(inputs)
            shapes = [inputs.shape]
        if mask is None and self.supports_masking:
            mask = getattr(inputs, "_keras_mask", None) if not isinstance(inputs, (list, tuple)) else None
        self._check_input_spec(shapes)
        self._maybe_build(inputs)
        if self.__dict__.get("_added_losses"):
            self._added_losses = []
        if self._call_takes_training:
            kwargs["training"] = bool(training)
        if self._call_takes_mask and mask is not None:
            kwargs["mask"] = mask
        outputs = self.call(inputs, *args, **kwargs)
        if self.activity_regularizer is not None:
            self._activity_losses = [self.activity_regularizer(o) / o.shape[0]
                                     for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is not None and isinstance(outputs, Tensor):
            outputs._keras_mask = out_mask
        return outputs

    def _symbolic_call(self, inputs, args, training, mask, kwargs):
        """Record a call on KerasTensors: build from their shapes and return KerasTensors of the output
        shapes (nothing is computed)."""
        if isinstance(inputs, dict):  # a model built on a dict of Inputs: its inputs in its own order
            if not hasattr(self, "_inputs_in_order"):
                raise TypeError(f"Layer '{self.name}': a dict of symbolic inputs can only be given to a model")
            inputs = self._inputs_in_order(inputs)
            inputs = inputs if len(inputs) > 1 else inputs[0]
        multi = isinstance(inputs, (list, tuple))
        flat = list(inputs) if multi else [inputs]
        for x in flat:
            if not isinstance(x, KerasTensor):
                raise TypeError(
                    f"Layer '{self.name}': when one input is symbolic (from Input), all must be; received {x!r}"
                )
        shape = [x.shape for x in flat] if multi else flat[0].shape
        self._build_by_shape(shape)
        self._check_input_spec([x.shape for x in flat])
        out_shape = self.compute_output_shape(shape)
        node_kwargs = dict(kwargs)
        if training is not None:
            node_kwargs["training"] = training
        if mask is not None:
            node_kwargs["mask"] = mask
        node = Node(self, inputs, tuple(args), node_kwargs, None)
        dtype = self._output_dtype()
        if isinstance(out_shape, list):
            dtypes = dtype if isinstance(dtype, list) else [dtype] * len(out_shape)
            outputs = [KerasTensor(s, d, name=self.name, node=node, index=i)
                       for i, (s, d) in enumerate(zip(out_shape, dtypes))]
        else:
            outputs = KerasTensor(out_shape, dtype, name=self.name, node=node)
        node.outputs = outputs
        self._inbound_nodes.append(node)
        return outputs

    def _output_dtype(self):
        """The dtype of the symbolic outputs (a list for several): the layer's float dtype, as layers compute
        in it (an Embedding turns int ids into floats). Ops recorded on symbolic tensors give their own."""
        return self.dtype

    @property
    def _inbound_nodes(self) -> list:
        nodes = self.__dict__.get("_nodes")
        if nodes is None:
            nodes = []
            object.__setattr__(self, "_nodes", nodes)
        return nodes

    @property
    def input(self):
        """The symbolic input of the layer's first functional call (a KerasTensor)."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a symbolic input")
        return self._inbound_nodes[0].inputs

    @property
    def output(self):
        """The symbolic output of the layer's first functional call (a KerasTensor)."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on a symbolic input")
        return self._inbound_nodes[0].outputs

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The constructor arguments as plain data (JSON-able), so ``from_config`` rebuilds the layer."""
        cfg = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            cfg["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None and hasattr(self.activity_regularizer, "get_config"):
            cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
