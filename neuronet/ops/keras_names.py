"""The names of keras.ops (Keras 3.15), by the namespace Keras gives them.

ops/__init__.py makes each of these that neuronet implements symbolic-aware (symbolic.keras_op),
and the namespace modules ops.nn, ops.numpy, ops.linalg and ops.image expose them under
Keras's sub-namespaces. CORE holds the names keras.ops has only at its top level.
"""

from __future__ import annotations

NN = (
    'adaptive_average_pool', 'adaptive_max_pool', 'average_pool', 'batch_normalization', 'binary_crossentropy',
    'categorical_crossentropy', 'celu', 'conv', 'conv_transpose', 'ctc_decode', 'ctc_loss', 'depth_to_space',
    'depthwise_conv', 'dot_product_attention', 'elu', 'fold', 'gelu', 'glu', 'hard_shrink', 'hard_sigmoid',
    'hard_silu', 'hard_swish', 'hard_tanh', 'layer_normalization', 'leaky_relu', 'log_sigmoid', 'log_softmax',
    'max_pool', 'moments', 'multi_hot', 'normalize', 'one_hot', 'polar', 'psnr', 'relu', 'relu6',
    'rms_normalization', 'selu', 'separable_conv', 'sigmoid', 'silu', 'soft_shrink', 'softmax', 'softplus',
    'softsign', 'space_to_depth', 'sparse_categorical_crossentropy', 'sparse_plus', 'sparse_sigmoid',
    'sparsemax', 'squareplus', 'swish', 'tanh_shrink', 'threshold', 'unfold',
)

NUMPY = (
    'abs', 'absolute', 'add', 'all', 'allclose', 'amax', 'amin', 'angle', 'any', 'append', 'arange', 'arccos',
    'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctan2', 'arctanh', 'argmax', 'argmin', 'argpartition',
    'argsort', 'array', 'array_split', 'average', 'bartlett', 'bincount', 'bitwise_and', 'bitwise_invert',
    'bitwise_left_shift', 'bitwise_not', 'bitwise_or', 'bitwise_right_shift', 'bitwise_xor', 'blackman',
    'broadcast_to', 'cbrt', 'ceil', 'clip', 'concatenate', 'conj', 'conjugate', 'copy', 'corrcoef', 'correlate',
    'cos', 'cosh', 'count_nonzero', 'cross', 'cumprod', 'cumsum', 'deg2rad', 'diag', 'diagflat', 'diagonal',
    'diff', 'digitize', 'divide', 'divide_no_nan', 'dot', 'dsplit', 'dstack', 'einsum', 'empty', 'empty_like',
    'equal', 'exp', 'exp2', 'expand_dims', 'expm1', 'eye', 'fabs', 'flip', 'fliplr', 'flipud', 'floor',
    'floor_divide', 'fmax', 'fmin', 'fmod', 'full', 'full_like', 'gcd', 'geomspace', 'get_item', 'greater',
    'greater_equal', 'hamming', 'hanning', 'heaviside', 'histogram', 'hsplit', 'hstack', 'hypot', 'i0',
    'identity', 'imag', 'inner', 'isclose', 'isfinite', 'isin', 'isinf', 'isnan', 'isneginf', 'isposinf',
    'isreal', 'kaiser', 'kron', 'lcm', 'ldexp', 'left_shift', 'less', 'less_equal', 'linspace', 'log', 'log10',
    'log1p', 'log2', 'logaddexp', 'logaddexp2', 'logical_and', 'logical_not', 'logical_or', 'logical_xor',
    'logspace', 'matmul', 'max', 'maximum', 'mean', 'median', 'meshgrid', 'min', 'minimum', 'mod', 'moveaxis',
    'multiply', 'nan_to_num', 'nanargmax', 'nanargmin', 'nancumprod', 'nancumsum', 'nanmax', 'nanmean',
    'nanmedian', 'nanmin', 'nanpercentile', 'nanprod', 'nanquantile', 'nanstd', 'nansum', 'nanvar', 'ndim',
    'negative', 'nextafter', 'nonzero', 'not_equal', 'ones', 'ones_like', 'outer', 'pad', 'percentile', 'power',
    'prod', 'ptp', 'quantile', 'rad2deg', 'ravel', 'real', 'reciprocal', 'repeat', 'reshape', 'right_shift',
    'roll', 'rot90', 'round', 'searchsorted', 'select', 'sign', 'signbit', 'sin', 'sinc', 'sinh', 'size',
    'slogdet', 'sort', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'std', 'subtract', 'sum', 'swapaxes',
    'take', 'take_along_axis', 'tan', 'tanh', 'tensordot', 'tile', 'trace', 'transpose', 'trapezoid', 'tri',
    'tril', 'triu', 'true_divide', 'trunc', 'unique', 'unravel_index', 'vander', 'var', 'vdot', 'vectorize',
    'view', 'vsplit', 'vstack', 'where', 'zeros', 'zeros_like',
)

IMAGE = (
    'affine_transform', 'crop_images', 'elastic_transform', 'extract_patches', 'extract_patches_3d',
    'gaussian_blur', 'hsv_to_rgb', 'map_coordinates', 'pad_images', 'perspective_transform', 'resize',
    'rgb_to_grayscale', 'rgb_to_hsv', 'scale_and_translate', 'sobel_edges', 'ssim',
)

LINALG = (
    'cholesky', 'cholesky_inverse', 'det', 'eig', 'eigh', 'inv', 'jvp', 'lstsq', 'lu_factor', 'matrix_rank',
    'norm', 'pinv', 'qr', 'solve', 'solve_triangular', 'svd',
)

CORE = (
    'associative_scan', 'cast', 'cdist', 'cond', 'convert_to_numpy', 'convert_to_tensor', 'custom_gradient',
    'dtype', 'erf', 'erfc', 'erfinv', 'extract_sequences', 'fft', 'fft2', 'fori_loop', 'ifft2', 'in_top_k',
    'irfft', 'is_tensor', 'istft', 'logdet', 'logsumexp', 'map', 'rearrange', 'rfft', 'rsqrt', 'saturate_cast',
    'scan', 'scatter', 'scatter_update', 'segment_max', 'segment_min', 'segment_prod', 'segment_sum', 'shape',
    'slice', 'slice_update', 'stft', 'stop_gradient', 'switch', 'top_k', 'unstack', 'vectorized_map',
    'view_as_complex', 'view_as_real', 'while_loop',
)

# functions that answer from a tensor's static facts (shape, dtype) or take Python callables: not recorded
# as graph nodes when given a symbolic tensor
NOT_RECORDED = frozenset({
    "shape", "ndim", "size", "dtype", "is_tensor", "convert_to_tensor", "convert_to_numpy", "cond", "switch",
    "while_loop", "fori_loop", "scan", "map", "associative_scan", "vectorized_map", "vectorize",
    "custom_gradient", "jvp",
})


# Keras's class names of the ops whose class is not the CamelCase of the function's name ('softmax' →
# 'Softmax'): shown in summaries, and read in Keras model files, where an op node is its class name
KERAS_CLASS_NAMES = {
    "abs": "Absolute", "allclose": "AllClose", "cdist": "CDist", "conj": "Conjugate", "ctc_decode": "CTCDecode",
    "fft": "FFT", "fft2": "FFT2", "hard_swish": "HardSilu", "ifft2": "IFFT2", "irfft": "IRFFT", "isin": "IsIn",
    "layer_normalization": "LayerNorm", "psnr": "PSNR", "rfft": "RFFT", "rms_normalization": "RMSNorm", "stft":
    "STFT", "svd": "SVD", "swish": "Silu",
}


def keras_class_name(op_name: str) -> str:
    """The class Keras records for the op ``op_name`` in a functional graph: 'sum' → 'Sum', 'abs' → 'Absolute'."""
    if op_name == "getitem":
        return "GetItem"
    return KERAS_CLASS_NAMES.get(op_name) or "".join(part.capitalize() for part in op_name.split("_"))


def op_name_of_keras_class(class_name: str):
    """The op (a name of :func:`top_level` or the image namespace) whose Keras class is ``class_name``, or
    None: 'Softmax' → 'softmax', 'Absolute' → 'abs'. A closed lookup, for reading Keras model files."""
    if class_name == "GetItem":
        return "get_item"
    for name in top_level() + IMAGE:
        if keras_class_name(name) == class_name and name not in ("absolute", "conjugate", "true_divide"):
            return name
    return None


def top_level() -> tuple:
    """Every name of dir(keras.ops) that is a function (the namespaces' names, the image ones aside)."""
    return tuple(sorted(set(NN) | set(NUMPY) | set(LINALG) | set(CORE)))
