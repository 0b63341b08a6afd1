"""Differentiable functions with Keras 3 names (``keras.ops``): every function of ``keras.ops`` (3.15) by its
Keras name, one family per file.

Every function takes Tensors, ndarrays or Python numbers and returns a Tensor. Each is built on a
:class:`neuronet.autograd.Function` whose forward and backward sit together in the family's file, or
composed from such functions:

    math.py             add, multiply, power, exp, log, sin, clip, where, cast, comparisons, zeros, ...
    elementwise.py      the rest of NumPy's elementwise math: arcsin, cosh, log2, hypot, logaddexp, fmod, ...
    bitwise.py          integer bit operations, gcd/lcm, floor_divide (no gradient)
    reduce.py           sum, mean, max, min, var, std, prod, logsumexp, cumsum, norm, argmax, argmin
    statistics.py       median, quantile, average, ptp, cumprod, the nan* reductions, histogram, unique, ...
    manipulation.py     reshape, transpose, concatenate, stack, split, take, take_along_axis, pad, tile,
                        repeat, sort, top_k, one_hot, indexing (it was ``ops/shape.py``: ``ops.shape`` is
                        now Keras's function returning a shape)
    arrays.py           hstack, roll, rot90, tril, diagonal, diff, meshgrid, linspace, windows, rearrange, ...
    products.py         matmul, dot, einsum, tensordot, inner, outer, vdot, kron, cross, cdist
    decompositions.py   inv, det, solve, cholesky, qr, svd, eigh, pinv, lstsq, lu_factor, ... (``ops.linalg``)
    core.py             shape, ndim, dtype, convert_to_tensor, slice/scatter updates, segment reductions
    control_flow.py     cond, switch, while_loop, fori_loop, scan, map, custom_gradient, jvp
    dense.py            dense: activation(x @ kernel + bias) in one op (the Dense layer)
    activations.py      sigmoid, tanh, relu, softmax, log_softmax, gelu, elu, selu, softplus, erf, ...
    activations_extra.py  celu, glu, the shrinks, sparse_plus, squareplus, threshold, sparsemax
    nn_utils.py         normalize, rms_normalization, psnr, in_top_k, multi_hot, polar
    spatial.py          depth_to_space, space_to_depth, adaptive pooling, unfold, fold
    ctc.py              ctc_loss (with its gradient), ctc_decode (greedy and beam search)
    signal.py           fft, rfft, irfft, stft, istft on (real, imag) pairs
    images.py           the functions of ``ops.image``: resize, affine_transform, crops, colour spaces, ...
    losses.py           fused, numerically stable loss kernels (softmax + cross-entropy, ...)
    attention.py        dot_product_attention: softmax(scale · q kᵀ + bias) v, fused
    conv.py             conv (1-D, 2-D); conv_variants.py: conv_transpose, depthwise_conv, separable_conv;
                        conv_windows.py: the im2col tiles both share
    conv3d.py           conv3d, max_pool3d, average_pool3d on (batch, depth, height, width, channels)
    pooling.py normalization.py recurrent.py

Namespaces as Keras has them: ``ops.nn``, ``ops.numpy``, ``ops.linalg``, ``ops.image`` (the same
functions under Keras's sub-namespaces; ``keras_names.py`` lists Keras's names).

Called on symbolic tensors (the ``KerasTensor`` of ``Input``), each function records a node of a
functional model instead of computing (see ``symbolic.py`` and ``layers/operator.py``), as Keras 3.
"""

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .conv_variants import *  # noqa: F401,F403
from .conv3d import *  # noqa: F401,F403
from .dense import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .manipulation import *  # noqa: F401,F403
from .math import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .activations_extra import *  # noqa: F401,F403
from .arrays import *  # noqa: F401,F403
from .bitwise import *  # noqa: F401,F403
from .control_flow import *  # noqa: F401,F403
from .ctc import *  # noqa: F401,F403
from .decompositions import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .nn_utils import *  # noqa: F401,F403
from .signal import *  # noqa: F401,F403
from .spatial import *  # noqa: F401,F403
from .statistics import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from ..autograd import Tensor  # noqa: E402,F401
from .symbolic import install as _install  # noqa: E402

_install(globals())

from . import image, linalg, nn, numpy  # noqa: E402,F401 - Keras's namespaces, over the installed functions
