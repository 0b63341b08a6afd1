"""Differentiable functions with Keras 3 names (``keras.ops``), one family per file.

Every function takes Tensors, ndarrays or Python numbers and returns a Tensor. Each is built on a
:class:`neuronet.autograd.Function` whose forward and backward sit together in the family's file:

    math.py           add, multiply, power, exp, log, sin, clip, where, cast, comparisons, zeros, ...
    elementwise.py    the rest of NumPy's elementwise math: arcsin, cosh, log2, hypot, logaddexp, fmod, ...
    bitwise.py        integer bit operations, gcd/lcm, floor_divide (no gradient)
    reduce.py         sum, mean, max, min, var, std, prod, logsumexp, cumsum, norm, argmax, argmin
    statistics.py     median, quantile, percentile, average, ptp, cumprod, the nan* reductions, histogram, ...
    manipulation.py   reshape, transpose, concatenate, stack, split, take, take_along_axis, pad, tile, repeat,
                      sort, top_k, one_hot, indexing (``ops/shape.py`` before ``ops.shape`` became a function)
    arrays.py         more of NumPy's array routines: hstack, roll, tril, diagonal, meshgrid, linspace, ...
    products.py       matmul, dot, einsum, tensordot, inner, outer, vdot, kron, cross
    decompositions.py det, inv, solve, cholesky, qr, svd, eigh, lstsq, ... (``ops.linalg``)
    core.py           shape, ndim, dtype, slice/scatter updates, segment sums, control flow (cond, scan, ...)
    dense.py          dense: activation(x @ kernel + bias) in one op (the Dense layer)
    activations.py    sigmoid, tanh, relu, softmax, log_softmax, gelu, elu, selu, softplus, erf, ...
    nn_extra.py       the rest of keras.ops.nn: celu, glu, sparsemax, normalize, depth_to_space, unfold, ...
    losses.py         fused, numerically stable loss kernels (softmax + cross-entropy, ...)
    attention.py      dot_product_attention: softmax(scale · q kᵀ + bias) v, fused
    conv.py pooling.py normalization.py recurrent.py
    conv3d.py         conv3d, max_pool3d, average_pool3d on (batch, depth, height, width, channels)
    signal.py         fft, rfft, stft and their inverses (NumPy's FFT)
    image.py          keras.ops.image: resize, crop_images, pad_images, rgb_to_grayscale, ...

Namespaces as Keras has them: ``ops.nn``, ``ops.numpy``, ``ops.linalg``, ``ops.image`` (the same
functions under Keras's sub-namespaces). Names as Keras 3: ``ops.shape(x)`` is Keras's function (the
module that held the shape ops is now ``ops.manipulation``), ``ops.conv`` is the convolution function.

Called on symbolic tensors (the ``KerasTensor`` of ``Input``), each function records a node of a
functional model instead of computing (see ``symbolic.py`` and ``layers/operator.py``).
"""

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
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
