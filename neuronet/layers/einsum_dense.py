"""EinsumDense: a dense layer whose product is any einsum, ``output = activation(einsum(equation, x, kernel) + bias)``.

``EinsumDense("abc,cd->abd", output_shape=(None, 64))`` is ``Dense(64)`` on sequences; ``"abc,cde->abde"``
projects each step into ``(heads, dim)`` — the query, key and value projections of
:class:`~neuronet.layers.MultiHeadAttention`. The kernel's shape follows from the equation: each of
its letters takes its size from the output (when the output has it) or else from the input.

When the equation only contracts the input's trailing axes with the kernel's leading ones
(``"…F C, C O -> …F O"``, the case of every attention projection) it runs as one matrix product
(:func:`neuronet.ops.dense`); otherwise through :func:`neuronet.ops.einsum`.
"""

from __future__ import annotations

import re

import numpy as np

from .. import activations, constraints, initializers, ops, regularizers
from .base import InputSpec, Layer
from .conv import activation_name, serialize_initializer, serialize_regularizer

__all__ = ["EinsumDense"]


def _parse(equation, where: str) -> tuple:
    """``(text, match, kind)`` of an EinsumDense equation; kind is 'plain', 'left' or 'right' (where ``...`` is)."""
    text = equation.replace(" ", "") if isinstance(equation, str) else ""
    forms = (("plain", r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"),
             ("left", r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"),
             ("right", r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."))
    for kind, pattern in forms:
        match = re.fullmatch(pattern, text)
        if match:
            return text, match, kind
    raise ValueError(f"{where}: invalid equation {equation!r}; expected the form 'ab,bc->ac', '...b,bc->...c' or "
                     "'ab...,bc->ac...'")


def analyze_einsum(equation: str, bias_axes: str | None, input_shape, output_shape, where: str,
                   need_kernel: bool = True) -> dict:
    """The parts of an EinsumDense equation and the shapes it implies (Keras's rules).

    Returns a dict with ``inputs``, ``kernel``, ``outputs`` (letters, the elided axes spelled with
    fresh capital letters), ``kernel_shape``, ``bias_shape`` (None without ``bias_axes``),
    ``output_shape`` (the full output shape, batch axis first) and ``input_axes`` /
    ``output_axes`` (the kernel axes that are contracted with the input / appear in the output).
    """
    text, match, kind = _parse(equation, where)
    plain, left, right = kind == "plain", kind == "left", kind == "right"
    in_spec, kernel_spec, out_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (plain and elided):
        raise ValueError(f"{where}: the equation {equation!r} expects inputs of rank {len(in_spec)}, received input "
                         f"shape {input_shape}")
    fresh = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in text)[:elided]
    if left:
        in_spec, out_spec = fresh + in_spec, fresh + out_spec
    elif right:
        in_spec, out_spec = in_spec + fresh, out_spec + fresh
    partial = [output_shape] if isinstance(output_shape, (int, np.integer)) else list(output_shape)
    partial = [None if d is None else int(d) for d in partial]
    # the full output: output_shape after the batch axis, the elided axes taken from the input (with
    # '...' on the left the batch axis is the first elided one)
    if left:
        full_out = list(input_shape[:elided]) + partial
    else:
        full_out = [input_shape[0]] + partial + (list(input_shape[len(input_shape) - elided:]) if right else [])
    if len(full_out) != len(out_spec):
        raise ValueError(f"{where}: output_shape {tuple(partial)} does not fit the equation {equation!r} for inputs of "
                         f"shape {input_shape} (output_shape leaves out the batch axis and the '...' axes)")
    sizes_in = dict(zip(in_spec, input_shape))
    for i, c in enumerate(out_spec):
        if c in sizes_in:
            if full_out[i] is None:
                full_out[i] = sizes_in[c]
            elif sizes_in[c] is not None and i > 0 and full_out[i] != sizes_in[c]:
                raise ValueError(f"{where}: input and output disagree on axis '{c}': input shape {input_shape}, "
                                 f"output shape {tuple(full_out)}")
        elif c not in kernel_spec:
            raise ValueError(f"{where}: output axis '{c}' of {equation!r} is in neither the input nor the kernel")
    sizes_out = dict(zip(out_spec, full_out))
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(kernel_spec):
        if c in sizes_out:
            kernel_shape.append(sizes_out[c])
            output_axes.append(i)
        elif c in sizes_in:
            kernel_shape.append(sizes_in[c])
            input_axes.append(i)
        else:
            raise ValueError(f"{where}: kernel axis '{c}' of {equation!r} is in neither the input nor the output")
    if need_kernel and any(d is None for d in kernel_shape):
        raise ValueError(f"{where}: the kernel's shape {tuple(kernel_shape)} has an unknown size; give output_shape "
                         f"and an input shape with known sizes (received input shape {input_shape})")
    bias_shape = None
    if bias_axes:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(f"{where}: bias axis '{c}' is not an axis of the output '{match.group(3)}'")
        first = min(out_spec.index(c) for c in bias_axes)
        bias_shape = [sizes_out[c] if c in bias_axes else 1 for c in out_spec[first:]]
    return {"inputs": in_spec, "kernel": kernel_spec, "outputs": out_spec, "kernel_shape": tuple(kernel_shape),
            "bias_shape": None if bias_shape is None else tuple(bias_shape), "output_shape": tuple(full_out),
            "input_axes": input_axes, "output_axes": output_axes}


class _FanInitializer(initializers.Initializer):
    """Draws a kernel as if it were the matrix (contracted axes, output axes), so variance-scaling
    initializers see the true fan-in and fan-out (Keras's EinsumDense does the same)."""

    def __init__(self, base, fan_in: int, fan_out: int):
        self.base, self.fan_in, self.fan_out = base, fan_in, fan_out

    def __call__(self, shape, dtype=None):
        return np.asarray(self.base((self.fan_in, self.fan_out), dtype=dtype)).reshape(shape)


class EinsumDense(Layer):
    """A dense layer computing ``activation(einsum(equation, inputs, kernel) + bias)``.

    Args:
        equation: ``'<input>,<kernel>-><output>'`` in einsum letters, e.g. ``'abc,cd->abd'``; ``...``
            may stand for leading (``'...b,bc->...c'``) or trailing axes of the input.
        output_shape: the output's shape without the batch axis (an int for one axis); None
            entries take the input's size along the same letter (Keras's ``compute_output_shape``
            leaves them None).
        activation: Defaults to None (linear).
        bias_axes: the output letters the bias has (e.g. ``'d'``); None for no bias. Defaults to None.
        kernel_initializer: Defaults to 'glorot_uniform' (fans from the contracted and output axes).
        bias_initializer: Defaults to 'zeros'.
        kernel_regularizer, bias_regularizer, activity_regularizer: Defaults to None.
        kernel_constraint, bias_constraint: Defaults to None.

    Weights: ``kernel`` (shape read from the equation), then ``bias`` (shape of the output from the
    first bias letter on, 1 for letters not in ``bias_axes``), as Keras.

    Example::

        >>> layer = EinsumDense("abc,cde->abde", output_shape=(None, 4, 8), bias_axes="de")
        >>> layer(np.ones((2, 5, 16))).shape        # kernel (16, 4, 8), bias (4, 8)
        (2, 5, 4, 8)
    """

    def __init__(self, equation: str, output_shape, activation=None, bias_axes: str | None = None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        where = f"EinsumDense '{self.name}'"
        if not isinstance(equation, str):
            raise ValueError(f"{where}: expected equation to be a string like 'ab,bc->ac', received {equation!r}")
        if lora_rank or quantization_config is not None:
            raise ValueError(f"{where}: LoRA and quantization are not supported, received lora_rank={lora_rank!r}, "
                             f"quantization_config={quantization_config!r}")
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise ValueError(f"{where}: expected bias_axes to be a string of output letters, received {bias_axes!r}")
        self.equation = equation
        self.partial_output_shape = ((int(output_shape),) if isinstance(output_shape, (int, np.integer))
                                     else tuple(output_shape))
        self.bias_axes = bias_axes or None
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        _parse(equation, where)

    def _analysis(self, input_shape, need_kernel: bool = True) -> dict:
        return analyze_einsum(self.equation, self.bias_axes, input_shape, self.partial_output_shape,
                              f"EinsumDense '{self.name}'", need_kernel)

    def build(self, input_shape) -> None:
        info = self._analysis(input_shape)
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling):
            shape = info["kernel_shape"]
            init = _FanInitializer(init, int(np.prod([shape[i] for i in info["input_axes"]])),
                                   int(np.prod([shape[i] for i in info["output_axes"]])))
        self.kernel = self.add_weight(info["kernel_shape"], init, name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if info["bias_shape"] is not None:
            self.bias = self.add_weight(info["bias_shape"], self.bias_initializer, name="bias",
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self._plan = self._matmul_plan(info)
        self._letters = f"{info['inputs']},{info['kernel']}->{info['outputs']}"
        self.built = True

    def _matmul_plan(self, info: dict):
        """``(contracted, kept)`` axis counts when the product is ``x[..., C] @ kernel[C, O]`` reshaped; else None."""
        ins, ker, outs = info["inputs"], info["kernel"], info["outputs"]
        contracted = "".join(c for c in ins if c in ker and c not in outs)
        n = len(contracted)
        if not n or ins[len(ins) - n:] != contracted or ker[:n] != contracted:
            return None
        free, produced = ins[:len(ins) - n], ker[n:]
        if outs != free + produced or any(c in free for c in produced):
            return None
        return n, len(produced)

    def call(self, inputs, training=None):
        x = inputs
        plan = self._plan
        bias = self.bias
        if plan is not None:  # einsum as one matrix product: (..., C) @ (C, O)
            n_in, n_out = plan
            lead, contracted = tuple(x.shape[:x.ndim - n_in]), tuple(x.shape[x.ndim - n_in:])
            produced = tuple(self.kernel.shape[n_in:])
            kernel = ops.reshape(self.kernel, (int(np.prod(contracted)), int(np.prod(produced))))
            flat_bias = None
            if bias is not None and tuple(bias.shape) == produced:
                flat_bias, bias = ops.reshape(bias, (-1,)), None
            y = ops.dense(ops.reshape(x, lead + (kernel.shape[0],)), kernel, flat_bias)
            y = ops.reshape(y, lead + produced)
        else:
            y = ops.einsum(self._letters, x, self.kernel)
        if bias is not None:
            y = y + bias
        if self.activation is not activations.linear and self.activation is not None:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape):
        return self._analysis(tuple(input_shape), need_kernel=False)["output_shape"]

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update({
            "output_shape": list(self.partial_output_shape), "equation": self.equation,
            "activation": activation_name(self.activation), "bias_axes": self.bias_axes,
            "kernel_initializer": serialize_initializer(self.kernel_initializer),
            "bias_initializer": serialize_initializer(self.bias_initializer),
            "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": serialize_regularizer(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg
