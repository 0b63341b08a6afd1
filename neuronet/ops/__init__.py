"""Differentiable functions with Keras 3 names (``keras.ops``), one family per file.

Every function takes Tensors, ndarrays or Python numbers and returns a Tensor. Each is built on a
:class:`neuronet.autograd.Function` whose forward and backward sit together in the family's file:

    math.py           add, multiply, power, exp, log, sin, clip, where, cast, comparisons, zeros, ...
    reduce.py         sum, mean, max, min, var, std, prod, logsumexp, cumsum, norm, argmax, argmin
    shape.py          reshape, transpose, concatenate, stack, split, take, take_along_axis, pad,
                      tile, repeat, sort, top_k, one_hot, indexing
    linalg.py         matmul, einsum
    dense.py          dense: activation(x @ kernel + bias) in one op (the Dense layer)
    activations.py    sigmoid, tanh, relu, softmax, log_softmax, gelu, elu, selu, softplus, erf, ...
    losses.py         fused, numerically stable loss kernels (softmax + cross-entropy, ...)
    attention.py      dot_product_attention: softmax(scale · q kᵀ + bias) v, fused
    conv.py           conv (1-D, 2-D); conv_variants.py: conv_transpose, depthwise_conv, separable_conv
    pooling.py normalization.py recurrent.py
    conv3d.py         conv3d, max_pool3d, average_pool3d on (batch, depth, height, width, channels)
"""

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .conv_variants import *  # noqa: F401,F403
from .conv3d import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from ..autograd import Tensor


def convert_to_tensor(x, dtype=None) -> Tensor:
    """``x`` as a Tensor: returned as is when it already is one with that dtype, cast (keeping its
    gradient) when it is a Tensor of another dtype, wrapped otherwise (floats become ``floatx``)."""
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)  # noqa: F405 - from .math
    return Tensor(x, dtype=dtype)


def convert_to_numpy(x):
    """``x`` as an ndarray."""
    import numpy as np

    return x.data if isinstance(x, Tensor) else np.asarray(x)
