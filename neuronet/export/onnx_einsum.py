"""ONNX converter of EinsumDense: ``activation(einsum(equation, x, kernel) + bias)``.

When the equation contracts the input's trailing axes with the kernel's leading ones (``'abc,cd->abd'``,
and every projection of MultiHeadAttention: ``'abc,cde->abde'``, ``'abcd,cde->abe'``) the product is
one ``MatMul`` between reshapes, the plan the layer itself runs::

    x (..., C1..Cn) → (..., C1·…·Cn)  ·  kernel (C1·…·Cn, O1·…·Om)  → (..., O1·…·Om) → (..., O1..Om)

Any other equation becomes ONNX's ``Einsum`` with the equation the layer resolved at build (its
``...`` axes spelled with capital letters). The bias has the output's trailing shape from its first
letter on, so it broadcasts as in the layer.
"""

from __future__ import annotations

import numpy as np

from .. import layers as L
from .onnx_activations import activation_name, apply_activation
from .onnx_graph import Graph, Value
from .onnx_layers import F32, as_float, glu_shape, weight
from .onnx_convert import converts, refuse

__all__ = ["einsum_dense"]


def einsum_dense(g: Graph, layer, x: Value) -> Value:
    """``layer(x)`` for a built EinsumDense ``layer`` (also the projections inside MultiHeadAttention)."""
    if not layer.built:
        raise refuse(layer, "it has not been built (call it on data first)")
    act = activation_name(layer, layer.activation)
    kernel = weight(layer, "kernel")
    y = as_float(g, x)
    plan = layer._plan
    if plan is not None:  # (..., C) @ (C, O): contract the trailing n_in axes with the kernel's leading ones
        n_in, n_out = plan
        lead = x.rank - n_in
        contracted = int(np.prod(kernel.shape[:n_in]))
        produced = list(kernel.shape[n_in:])
        if n_in > 1:
            y = g.reshape(y, [0] * lead + [contracted])  # 0 keeps the size of that axis (the batch too)
        y = g.op("MatMul", [y, g.const(kernel.reshape(contracted, -1), hint=f"{layer.name}/kernel")])
        if n_out != 1:
            y = g.reshape(y, [0] * lead + produced)
    else:
        y = g.op("Einsum", [y, g.const(kernel, hint=f"{layer.name}/kernel")], equation=layer._letters)
    bias = weight(layer, "bias")
    if bias is not None:
        y = g.op("Add", [y, g.const(bias, hint=f"{layer.name}/bias")])
    y = apply_activation(g, act, y, axis=-1)
    return glu_shape(Value(y, tuple(layer.compute_output_shape(tuple(x.shape))), F32), act)


@converts(L.EinsumDense)
def _einsum_dense(g, layer, x):
    return einsum_dense(g, layer, x)
