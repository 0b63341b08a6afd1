"""Merge layers (Keras 3): combine a list of inputs into one output.

Elementwise merges — :class:`Add`, :class:`Subtract`, :class:`Multiply`, :class:`Average`,
:class:`Maximum`, :class:`Minimum` — take inputs of the same shape, or shapes that broadcast as in
Keras: the batch axis stays first and the other axes are aligned from the right, a size of 1
stretching to the other input's size (so ``(batch, 3)`` merges with ``(batch, 4, 3)``).
:class:`Concatenate` joins inputs along one axis; :class:`Dot` takes per-sample dot products.
Each class has a functional form (``add([x1, x2])`` is ``Add()([x1, x2])``).

Every merge is composed of ``neuronet.ops`` functions, so its gradient comes from theirs.

Masks: when every input carries a mask, the elementwise merges output their logical OR (Keras);
``Maximum``/``Minimum`` also take, at a step masked in one input, the other input's value;
``Concatenate`` concatenates the masks (an unmasked input counts as all True) and reduces the feature
axis; ``Dot`` outputs no mask.

Example::

    a, b = Input(shape=(16,)), Input(shape=(16,))
    h = concatenate([Dense(8)(a), Dense(8)(b)])   # (None, 16)
    s = add([h, Dense(16)(b)])                     # (None, 16)
    model = Model([a, b], Dense(1)(s))
"""

from __future__ import annotations

import numbers
from functools import reduce

import numpy as np

from .. import config, ops
from ..autograd import Tensor
from .base import KerasTensor, Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"]


def _mask_of(x):
    """The boolean mask an input carries (``_keras_mask``), as an ndarray, or None."""
    mask = getattr(x, "_keras_mask", None)
    if mask is None:
        return None
    return np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=bool)


def _input_masks(inputs, mask) -> list:
    """One mask (or None) per input: ``mask`` when given as a list, else the inputs' own masks."""
    if isinstance(mask, (list, tuple)):
        return [None if m is None else np.asarray(m.data if isinstance(m, Tensor) else m, dtype=bool)
                for m in mask]
    return [_mask_of(x) for x in inputs]


def shape_list(layer, input_shape, exactly: int | None = None, same_batch: bool = True) -> list:
    """``input_shape`` as a list of tuples, or a ValueError when the layer was not given a list of inputs."""
    kind = type(layer).__name__
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not all(isinstance(s, (list, tuple)) for s in input_shape):
        raise ValueError(f"Layer '{layer.name}' ({kind}) must be called on a list of inputs, "
                         f"received an input of shape {input_shape}")
    shapes = [tuple(s) for s in input_shape]
    if exactly is not None and len(shapes) != exactly:
        raise ValueError(f"Layer '{layer.name}' ({kind}) must be called on a list of exactly {exactly} inputs, "
                         f"received {len(shapes)} inputs with shapes {shapes}")
    if any(len(s) == 0 for s in shapes):
        raise ValueError(f"Layer '{layer.name}' ({kind}) expects inputs with a batch axis, received shapes {shapes}")
    batches = {s[0] for s in shapes} - {None}
    if same_batch and len(batches) > 1:
        raise ValueError(f"Layer '{layer.name}' ({kind}) cannot merge inputs with different batch sizes: "
                         f"received shapes {shapes}")
    return shapes


def broadcast_shape(a: tuple, b: tuple, where) -> tuple:
    """The shape of an elementwise result of shapes ``a`` and ``b`` (aligned from the right; None = unknown).

    ``where`` is a callable giving the error message when a known pair of sizes does not broadcast."""
    if len(a) < len(b):
        a, b = b, a
    out = list(a[:len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i == 1:
            out.append(j)
        elif j == 1:
            out.append(i)
        elif i is None or j is None:
            out.append(i if j is None else j)
        elif i != j:
            raise ValueError(where())
        else:
            out.append(i)
    return tuple(out)


def _call_shape(layer, inputs) -> tuple:
    """``layer._output_shape`` for the shapes of ``inputs``, validated once per distinct set of shapes."""
    key = tuple(x.shape for x in inputs)
    memo = layer.__dict__.get("_shape_memo")
    if memo is not None and memo[0] == key:
        return memo[1]
    out = layer._output_shape([tuple(s) for s in key])
    layer.__dict__["_shape_memo"] = (key, out)
    return out


class _CollectsMasks(Layer):
    """A layer on a list of inputs that reads their masks before the inputs are converted (a dtype cast
    makes new Tensors, which would lose ``_keras_mask``) and hands them to ``call``/``compute_mask``."""

    def __call__(self, inputs, *args, mask=None, **kwargs):
        if mask is None and isinstance(inputs, (list, tuple)):
            for x in inputs:  # usually no input has a mask: one attribute look-up each
                if getattr(x, "_keras_mask", None) is not None and not isinstance(x, KerasTensor):
                    mask = [_mask_of(x) for x in inputs]
                    break
        return super().__call__(inputs, *args, mask=mask, **kwargs)


# ------------------------------------------------------------------------------------ elementwise merges
class Merge(_CollectsMasks):
    """Base of the elementwise merge layers: checks the shapes, aligns ranks, then ``_merge_function``.

    Subclasses define ``_merge_function(inputs)`` on a list of Tensors of the same rank.
    """

    _exactly: int | None = None  # the number of inputs the merge takes, when fixed

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _output_shape(self, input_shape) -> tuple:
        shapes = shape_list(self, input_shape, self._exactly)
        kind = type(self).__name__

        def message():
            return (f"Layer '{self.name}' ({kind}) received inputs with incompatible shapes {shapes}: each axis after "
                    "the batch axis (aligned from the right) must have equal sizes, or size 1")

        batch = next((s[0] for s in shapes if s[0] is not None), None)
        out = reduce(lambda acc, s: broadcast_shape(acc, s[1:], message), shapes[1:], shapes[0][1:])
        return (batch,) + tuple(out)

    def build(self, input_shape) -> None:
        self._output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def call(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of inputs, "
                             f"received one input of shape {tuple(inputs.shape)}")
        _call_shape(self, inputs)
        rank = max(x.ndim for x in inputs)
        if all(x.ndim == rank for x in inputs):
            return self._merge_function(inputs)
        aligned = []
        for x in inputs:  # a lower-rank input gets size-1 axes after the batch axis (Keras)
            while x.ndim < rank:
                x = ops.expand_dims(x, 1)
            aligned.append(x)
        return self._merge_function(aligned)

    def _merge_function(self, inputs):  # pragma: no cover - abstract
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(inputs, (list, tuple)):
            return None
        masks = _input_masks(inputs, mask)
        if any(m is None for m in masks):
            return None
        return reduce(np.logical_or, masks)


class Add(Merge):
    """Adds a list of inputs elementwise: ``output = x1 + x2 + ... + xn``.

    Takes a list of tensors of the same shape (or shapes that broadcast after the batch axis) and
    returns one tensor of that shape. A residual connection is ``Add()([x, block(x)])``.

    Input shape: a list of ``(batch, ...)`` tensors. Output shape: the common (broadcast) shape.

    Example::

        >>> Add()([np.ones((2, 3)), np.full((2, 3), 2.0)]).numpy()
        array([[3., 3., 3.],
               [3., 3., 3.]], dtype=float32)
    """

    def _merge_function(self, inputs):
        return reduce(ops.add, inputs)


class Subtract(Merge):
    """Subtracts two inputs elementwise: ``output = x1 - x2``.

    Input shape: a list of exactly two ``(batch, ...)`` tensors of the same (or broadcastable) shape.
    Output shape: the common shape.

    Example::

        >>> Subtract()([np.full((1, 2), 5.0), np.ones((1, 2))]).numpy()
        array([[4., 4.]], dtype=float32)
    """

    _exactly = 2

    def _merge_function(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of inputs elementwise: ``output = x1 * x2 * ... * xn``.

    Used for gating (``Multiply()([x, Dense(d, activation="sigmoid")(x)])``).

    Input shape: a list of ``(batch, ...)`` tensors. Output shape: the common (broadcast) shape.
    """

    def _merge_function(self, inputs):
        return reduce(ops.multiply, inputs)


class Average(Merge):
    """Averages a list of inputs elementwise: ``output = (x1 + ... + xn) / n``.

    Input shape: a list of ``(batch, ...)`` tensors. Output shape: the common (broadcast) shape.
    """

    def _merge_function(self, inputs):
        return ops.multiply(reduce(ops.add, inputs), 1.0 / len(inputs))


class _MaskedExtremum(Merge):
    """Maximum/Minimum: with masks, a step masked in one input takes the other input's value (Keras)."""

    _op = staticmethod(ops.maximum)

    def call(self, inputs, mask=None):
        if mask is None or not isinstance(inputs, (list, tuple)):
            return super().call(inputs)
        masks = _input_masks(inputs, mask)
        if all(m is None for m in masks):
            return super().call(inputs)
        _call_shape(self, inputs)
        output, output_mask = None, None
        for x, m in zip(inputs, masks):
            if m is not None:  # a (batch, time) mask covers all features of a step
                m = np.broadcast_to(m.reshape(m.shape + (1,) * (x.ndim - m.ndim)), x.shape)
            if output is None:
                output, output_mask = x, m
                continue
            if m is not None:
                x = ops.where(m, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = np.logical_or(output_mask, m) if m is not None and output_mask is not None else None
            output = self._op(output, x)
        return output


class Maximum(_MaskedExtremum):
    """The elementwise maximum of a list of inputs: ``output = max(x1, ..., xn)``.

    The gradient flows to the input holding the maximum (split equally between exact ties).

    Input shape: a list of ``(batch, ...)`` tensors. Output shape: the common (broadcast) shape.
    """

    _op = staticmethod(ops.maximum)

    def _merge_function(self, inputs):
        return reduce(ops.maximum, inputs)


class Minimum(_MaskedExtremum):
    """The elementwise minimum of a list of inputs: ``output = min(x1, ..., xn)``.

    Input shape: a list of ``(batch, ...)`` tensors. Output shape: the common (broadcast) shape.
    """

    _op = staticmethod(ops.minimum)

    def _merge_function(self, inputs):
        return reduce(ops.minimum, inputs)


# ------------------------------------------------------------------------------------ Concatenate
class Concatenate(_CollectsMasks):
    """Concatenates a list of inputs along ``axis``.

    All inputs must have the same rank and the same sizes on every axis except ``axis``.

    Args:
        axis: the axis to join along (the batch axis is 0). Defaults to -1 (the features).

    Input shape: a list of tensors, e.g. ``(batch, 8)`` and ``(batch, 4)``.
    Output shape: the common shape with the sizes along ``axis`` summed, e.g. ``(batch, 12)``.

    Example::

        >>> Concatenate()([np.zeros((2, 3)), np.ones((2, 1))]).shape
        (2, 4)
    """

    def __init__(self, axis: int = -1, **kwargs):
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Concatenate: axis must be an integer, received {axis!r}")
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.supports_masking = True

    def _output_shape(self, input_shape) -> tuple:
        shapes = shape_list(self, input_shape, same_batch=False)  # the batch axis is checked like the others
        ranks = {len(s) for s in shapes}
        if len(ranks) > 1:
            raise ValueError(f"Layer '{self.name}' (Concatenate) requires inputs of the same rank, received shapes "
                             f"{shapes}")
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer '{self.name}' (Concatenate): axis {self.axis} is out of range for inputs of rank "
                             f"{rank} (shapes {shapes})")
        axis = self.axis % rank
        out = []
        for i in range(rank):
            sizes = [s[i] for s in shapes]
            if i == axis:
                out.append(None if None in sizes else int(sum(sizes)))
                continue
            known = set(sizes) - {None}
            if len(known) > 1:
                raise ValueError(
                    f"Layer '{self.name}' (Concatenate) requires inputs with matching shapes except along the "
                    f"concatenation axis {self.axis}, received shapes {shapes} (axis {i} differs)"
                )
            out.append(known.pop() if known else None)
        return tuple(out)

    def build(self, input_shape) -> None:
        self._output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"Layer '{self.name}' (Concatenate) must be called on a list of inputs, received one "
                             f"input of shape {tuple(inputs.shape)}")
        _call_shape(self, inputs)
        return ops.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(inputs, (list, tuple)):
            return None
        masks = _input_masks(inputs, mask)
        if all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:
                m = np.ones(x.shape, dtype=bool)
            elif m.ndim < x.ndim:
                m = np.broadcast_to(m.reshape(m.shape + (1,) * (x.ndim - m.ndim)), x.shape)
            full.append(m)
        return np.any(np.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


# ------------------------------------------------------------------------------------ Dot
def _check_axis_value(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Dot: axes must be an integer or a pair of integers, received {value!r}")
    return int(value)


class Dot(Layer):
    """Per-sample dot products of two inputs along ``axes``.

    For inputs ``x1`` of shape ``(batch, n, d)`` and ``x2`` of shape ``(batch, m, d)`` with
    ``axes=2``: ``output[b, i, j] = Σ_k x1[b, i, k] · x2[b, j, k]``, shape ``(batch, n, m)``.
    In general the output shape is ``x1``'s shape without ``axes[0]`` followed by ``x2``'s shape
    without its batch axis and ``axes[1]``; a result with only the batch axis becomes ``(batch, 1)``.

    Args:
        axes: the axis summed over, counted with the batch axis as 0 (so 1 or -1 for 2-D inputs); an
            integer for both inputs or a pair ``(axis_of_x1, axis_of_x2)``. The batch axis itself
            cannot be summed over.
        normalize: L2-normalize each sample along its axis first, ``x / max(‖x‖₂, epsilon)``, so the
            output is the cosine similarity. Defaults to False.

    Example::

        >>> Dot(axes=1)([np.ones((2, 3)), np.full((2, 3), 2.0)]).numpy()
        array([[6.],
               [6.]], dtype=float32)
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        if isinstance(axes, (list, tuple)):
            if len(axes) != 2:
                raise ValueError(f"Dot: axes must be an integer or a pair of integers, received {axes!r}")
            axes = [_check_axis_value(a) for a in axes]
        else:
            axes = _check_axis_value(axes)
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = bool(normalize)
        self.supports_masking = True

    def _axes(self, shapes) -> list:
        pair = self.axes if isinstance(self.axes, list) else [self.axes, self.axes]
        out = []
        for axis, shape in zip(pair, shapes):
            rank = len(shape)
            if not -rank <= axis < rank or axis % rank == 0:
                raise ValueError(f"Layer '{self.name}' (Dot): axes={self.axes} is invalid for inputs of shapes "
                                 f"{shapes}; each axis must be in 1..{rank - 1} (or negative), the batch axis 0 "
                                 "cannot be summed over")
            out.append(axis % rank)
        return out

    def _output_shape(self, input_shape) -> tuple:
        shapes = shape_list(self, input_shape, exactly=2)
        if any(len(s) < 2 for s in shapes):
            raise ValueError(f"Layer '{self.name}' (Dot) needs inputs of rank 2 or more (a batch axis and at least "
                             f"one more), received shapes {shapes}")
        a1, a2 = self._axes(shapes)
        d1, d2 = shapes[0][a1], shapes[1][a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Layer '{self.name}' (Dot): the summed axes must have the same size, received size "
                             f"{d1} (axis {a1} of input 0) and {d2} (axis {a2} of input 1); shapes {shapes}")
        batch = next((s[0] for s in shapes if s[0] is not None), None)
        out = [batch] + [d for i, d in enumerate(shapes[0]) if i not in (0, a1)]
        out += [d for i, d in enumerate(shapes[1]) if i not in (0, a2)]
        return tuple(out) if len(out) > 1 else (batch, 1)

    def build(self, input_shape) -> None:
        self._output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"Layer '{self.name}' (Dot) must be called on a list of 2 inputs, received one input "
                             f"of shape {tuple(inputs.shape)}")
        out_shape = _call_shape(self, inputs)
        a1, a2 = self._axes([x.shape for x in inputs])
        x1, x2 = inputs
        if self.normalize:
            x1, x2 = _l2_normalize(x1, a1), _l2_normalize(x2, a2)
        # move the summed axes next to each other, flatten the rest, and use one batched matmul:
        # (b, P, k) @ (b, k, Q) -> (b, P, Q), then restore the free axes
        x1 = ops.moveaxis(x1, a1, -1)
        x2 = ops.moveaxis(x2, a2, 1)
        batch, k = x1.shape[0], x1.shape[-1]
        x1 = ops.reshape(x1, (batch, -1, k))
        x2 = ops.reshape(x2, (batch, k, -1))
        return ops.reshape(ops.matmul(x1, x2), (batch,) + out_shape[1:])

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis: int):
    # x / max(‖x‖, ε) written as x · rsqrt(max(Σx², ε²)), which keeps the gradient finite at x = 0
    eps = float(config.epsilon())
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.multiply(x, ops.rsqrt(ops.maximum(square_sum, eps * eps)))


# ------------------------------------------------------------------------------------ functional forms
def add(inputs: list, **kwargs):
    """Functional form of :class:`Add`: ``add([x1, x2])`` is ``Add()([x1, x2])``.

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: layer arguments (``name=...``).
    """
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs):
    """Functional form of :class:`Subtract`: ``subtract([x1, x2])`` is ``x1 - x2``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs):
    """Functional form of :class:`Multiply`: the elementwise product of the inputs."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs):
    """Functional form of :class:`Average`: the elementwise mean of the inputs."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs):
    """Functional form of :class:`Maximum`: the elementwise maximum of the inputs."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs):
    """Functional form of :class:`Minimum`: the elementwise minimum of the inputs."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs):
    """Functional form of :class:`Concatenate`: joins the inputs along ``axis`` (defaults to -1)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes=-1, normalize: bool = False, **kwargs):
    """Functional form of :class:`Dot`: per-sample dot products along ``axes`` (defaults to -1)."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
