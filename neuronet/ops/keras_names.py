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


class _Required:
    """A constructor argument without a default: the call must give it."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

# How Keras 3.15 records each op called on symbolic tensors, as ``Class(**config).symbolic_call(*call)``:
#   name: (module under keras.src.ops, class name, call, config)
# ``call`` names the function's parameters passed to the call, which a model file's ``inbound_nodes``
# hold: positionally, '*name' for the remaining positional ones, '=name' by keyword, '**name' for the
# remaining keywords. ``config`` maps the constructor's parameters (also parameters of the function, of
# the same name) to the function's defaults, in the order Keras's ``Operation.get_config`` writes them.
# Written by tests/ops/make_keras_op_table.py from Keras's source; do not edit by hand.
KERAS_OPS = {
    'abs': ('numpy', 'Absolute', ('x',), {}),
    'absolute': ('numpy', 'Absolute', ('x',), {}),
    'adaptive_average_pool': ('nn', 'AdaptiveAveragePool', ('inputs',), {'output_size': REQUIRED, 'data_format': None}),
    'adaptive_max_pool': ('nn', 'AdaptiveMaxPool', ('inputs',), {'output_size': REQUIRED, 'data_format': None}),
    'add': ('numpy', 'Add', ('x1', 'x2'), {}),
    'affine_transform': ('image', 'AffineTransform', ('images', 'transform'), {
        'interpolation': 'bilinear', 'fill_mode': 'constant', 'fill_value': 0, 'data_format': None,
    }),
    'all': ('numpy', 'All', ('x',), {'axis': None, 'keepdims': False}),
    'allclose': ('numpy', 'AllClose', ('x1', 'x2'), {'rtol': 1e-05, 'atol': 1e-08, 'equal_nan': False}),
    'amax': ('numpy', 'Amax', ('x',), {'axis': None, 'keepdims': False}),
    'amin': ('numpy', 'Amin', ('x',), {'axis': None, 'keepdims': False}),
    'angle': ('numpy', 'Angle', ('x',), {}),
    'any': ('numpy', 'Any', ('x',), {'axis': None, 'keepdims': False}),
    'append': ('numpy', 'Append', ('x1', 'x2'), {'axis': None}),
    'arange': ('numpy', 'Arange', ('start', 'stop', '=step'), {'dtype': None}),
    'arccos': ('numpy', 'Arccos', ('x',), {}),
    'arccosh': ('numpy', 'Arccosh', ('x',), {}),
    'arcsin': ('numpy', 'Arcsin', ('x',), {}),
    'arcsinh': ('numpy', 'Arcsinh', ('x',), {}),
    'arctan': ('numpy', 'Arctan', ('x',), {}),
    'arctan2': ('numpy', 'Arctan2', ('x1', 'x2'), {}),
    'arctanh': ('numpy', 'Arctanh', ('x',), {}),
    'argmax': ('numpy', 'Argmax', ('x',), {'axis': None, 'keepdims': False}),
    'argmin': ('numpy', 'Argmin', ('x',), {'axis': None, 'keepdims': False}),
    'argpartition': ('numpy', 'Argpartition', ('x',), {'kth': REQUIRED, 'axis': -1}),
    'argsort': ('numpy', 'Argsort', ('x',), {'axis': -1}),
    'array': ('numpy', 'Array', ('x',), {'dtype': None}),
    'array_split': ('numpy', 'ArraySplit', ('x',), {'indices_or_sections': REQUIRED, 'axis': 0}),
    'associative_scan': ('core', 'AssociativeScan', ('f', 'elems'), {'reverse': False, 'axis': 0}),
    'average': ('numpy', 'Average', ('x', '=weights'), {'axis': None}),
    'average_pool': ('nn', 'AveragePool', ('inputs',), {
        'pool_size': REQUIRED, 'strides': None, 'padding': 'valid', 'data_format': None,
    }),
    'batch_normalization': ('nn', 'BatchNorm', ('x', 'mean', 'variance', 'offset', 'scale'), {
        'axis': REQUIRED, 'epsilon': 0.001,
    }),
    'binary_crossentropy': ('nn', 'BinaryCrossentropy', ('target', 'output'), {'from_logits': False}),
    'bincount': ('numpy', 'Bincount', ('x',), {'weights': None, 'minlength': 0, 'sparse': False}),
    'bitwise_and': ('numpy', 'BitwiseAnd', ('x', 'y'), {}),
    'bitwise_invert': ('numpy', 'BitwiseInvert', ('x',), {}),
    'bitwise_left_shift': ('numpy', 'BitwiseLeftShift', ('x', 'y'), {}),
    'bitwise_not': ('numpy', 'BitwiseNot', ('x',), {}),
    'bitwise_or': ('numpy', 'BitwiseOr', ('x', 'y'), {}),
    'bitwise_right_shift': ('numpy', 'BitwiseRightShift', ('x', 'y'), {}),
    'bitwise_xor': ('numpy', 'BitwiseXor', ('x', 'y'), {}),
    'broadcast_to': ('numpy', 'BroadcastTo', ('x',), {'shape': REQUIRED}),
    'cast': ('core', 'Cast', ('x',), {'dtype': REQUIRED}),
    'categorical_crossentropy': ('nn', 'CategoricalCrossentropy', ('target', 'output'), {
        'from_logits': False, 'axis': -1,
    }),
    'cbrt': ('numpy', 'Cbrt', ('x',), {}),
    'cdist': ('math', 'CDist', ('x', 'y'), {}),
    'ceil': ('numpy', 'Ceil', ('x',), {}),
    'celu': ('nn', 'Celu', ('x',), {'alpha': 1.0}),
    'cholesky': ('linalg', 'Cholesky', ('x',), {'upper': False}),
    'cholesky_inverse': ('linalg', 'CholeskyInverse', ('x',), {'upper': False}),
    'clip': ('numpy', 'Clip', ('x',), {'x_min': REQUIRED, 'x_max': REQUIRED}),
    'concatenate': ('numpy', 'Concatenate', ('xs',), {'axis': 0}),
    'cond': ('core', 'Cond', ('pred', 'true_fn', 'false_fn'), {}),
    'conj': ('numpy', 'Conjugate', ('x',), {}),
    'conjugate': ('numpy', 'Conjugate', ('x',), {}),
    'conv': ('nn', 'Conv', ('inputs', 'kernel'), {
        'strides': 1, 'padding': 'valid', 'data_format': None, 'dilation_rate': 1,
    }),
    'conv_transpose': ('nn', 'ConvTranspose', ('inputs', 'kernel'), {
        'strides': 1, 'padding': 'valid', 'output_padding': None, 'data_format': None, 'dilation_rate': 1,
    }),
    'convert_to_tensor': ('core', 'ConvertToTensor', ('x',), {'dtype': None, 'sparse': None, 'ragged': None}),
    'copy': ('numpy', 'Copy', ('x',), {}),
    'corrcoef': ('numpy', 'Corrcoef', ('x',), {}),
    'correlate': ('numpy', 'Correlate', ('x1', 'x2'), {'mode': 'valid'}),
    'cos': ('numpy', 'Cos', ('x',), {}),
    'cosh': ('numpy', 'Cosh', ('x',), {}),
    'count_nonzero': ('numpy', 'CountNonzero', ('x',), {'axis': None}),
    'crop_images': ('image', 'CropImages', ('images',), {
        'top_cropping': None, 'left_cropping': None, 'bottom_cropping': None, 'right_cropping': None,
        'target_height': None, 'target_width': None, 'data_format': None,
    }),
    'cross': ('numpy', 'Cross', ('x1', 'x2'), {'axisa': -1, 'axisb': -1, 'axisc': -1, 'axis': None}),
    'ctc_decode': ('nn', 'CTCDecode', ('inputs', 'sequence_lengths'), {
        'strategy': 'greedy', 'beam_width': 100, 'top_paths': 1, 'merge_repeated': True, 'mask_index': 0,
    }),
    'ctc_loss': ('nn', 'CTCLoss', ('target', 'output', 'target_length', 'output_length'), {'mask_index': 0}),
    'cumprod': ('numpy', 'Cumprod', ('x',), {'axis': None, 'dtype': None}),
    'cumsum': ('numpy', 'Cumsum', ('x',), {'axis': None, 'dtype': None}),
    'deg2rad': ('numpy', 'Deg2rad', ('x',), {}),
    'depth_to_space': ('nn', 'DepthToSpace', ('x',), {'block_size': REQUIRED, 'data_format': 'channels_last'}),
    'depthwise_conv': ('nn', 'DepthwiseConv', ('inputs', 'kernel'), {
        'strides': 1, 'padding': 'valid', 'data_format': None, 'dilation_rate': 1,
    }),
    'det': ('linalg', 'Det', ('x',), {}),
    'diag': ('numpy', 'Diag', ('x',), {'k': 0}),
    'diagflat': ('numpy', 'Diagflat', ('x',), {'k': 0}),
    'diagonal': ('numpy', 'Diagonal', ('x',), {'offset': 0, 'axis1': 0, 'axis2': 1}),
    'diff': ('numpy', 'Diff', ('a',), {'n': 1, 'axis': -1}),
    'digitize': ('numpy', 'Digitize', ('x', 'bins'), {}),
    'divide': ('numpy', 'Divide', ('x1', 'x2'), {}),
    'divide_no_nan': ('numpy', 'DivideNoNan', ('x1', 'x2'), {}),
    'dot': ('numpy', 'Dot', ('x1', 'x2'), {}),
    'dot_product_attention': ('nn', 'DotProductAttention', ('query', 'key', 'value', '=bias', '=mask', '=scale'), {
        'is_causal': False, 'flash_attention': None, 'attn_logits_soft_cap': None,
    }),
    'dsplit': ('numpy', 'Dsplit', ('x',), {'indices_or_sections': REQUIRED}),
    'dstack': ('numpy', 'Dstack', ('xs',), {}),
    'eig': ('linalg', 'Eig', ('x',), {}),
    'eigh': ('linalg', 'Eigh', ('x',), {}),
    'einsum': ('numpy', 'Einsum', ('*operands', '**kwargs'), {'subscripts': REQUIRED}),
    'elastic_transform': ('image', 'ElasticTransform', ('images',), {
        'alpha': 20.0, 'sigma': 5.0, 'interpolation': 'bilinear', 'fill_mode': 'reflect', 'fill_value': 0.0,
        'seed': None, 'data_format': None,
    }),
    'elu': ('nn', 'Elu', ('x',), {'alpha': 1.0}),
    'empty_like': ('numpy', 'EmptyLike', ('x',), {'dtype': None}),
    'equal': ('numpy', 'Equal', ('x1', 'x2'), {}),
    'erf': ('math', 'Erf', ('x',), {}),
    'erfc': ('math', 'Erfc', ('x',), {}),
    'erfinv': ('math', 'Erfinv', ('x',), {}),
    'exp': ('numpy', 'Exp', ('x',), {}),
    'exp2': ('numpy', 'Exp2', ('x',), {}),
    'expand_dims': ('numpy', 'ExpandDims', ('x',), {'axis': REQUIRED}),
    'expm1': ('numpy', 'Expm1', ('x',), {}),
    'extract_patches': ('image', 'ExtractPatches', ('images',), {
        'size': REQUIRED, 'strides': None, 'dilation_rate': 1, 'padding': 'valid', 'data_format': None,
    }),
    'extract_patches_3d': ('image', 'ExtractPatches', ('volumes',), {
        'size': REQUIRED, 'strides': None, 'dilation_rate': 1, 'padding': 'valid', 'data_format': None,
    }),
    'extract_sequences': ('math', 'ExtractSequences', ('x',), {
        'sequence_length': REQUIRED, 'sequence_stride': REQUIRED,
    }),
    'fabs': ('numpy', 'Fabs', ('x',), {}),
    'fft': ('math', 'FFT', ('x',), {}),
    'fft2': ('math', 'FFT2', ('x',), {}),
    'flip': ('numpy', 'Flip', ('x',), {'axis': None}),
    'fliplr': ('numpy', 'Fliplr', ('x',), {}),
    'flipud': ('numpy', 'Flipud', ('x',), {}),
    'floor': ('numpy', 'Floor', ('x',), {}),
    'floor_divide': ('numpy', 'FloorDivide', ('x1', 'x2'), {}),
    'fmax': ('numpy', 'Fmax', ('x1', 'x2'), {}),
    'fmin': ('numpy', 'Fmin', ('x1', 'x2'), {}),
    'fmod': ('numpy', 'Fmod', ('x1', 'x2'), {}),
    'fold': ('nn', 'Fold', ('x',), {
        'output_size': REQUIRED, 'kernel_size': REQUIRED, 'dilation': 1, 'padding': 0, 'stride': 1,
    }),
    'fori_loop': ('core', 'ForiLoop', ('init_val',), {'lower': REQUIRED, 'upper': REQUIRED, 'body_fun': REQUIRED}),
    'full': ('numpy', 'Full', ('fill_value',), {'shape': REQUIRED, 'dtype': None}),
    'full_like': ('numpy', 'FullLike', ('x', 'fill_value'), {'dtype': None}),
    'gaussian_blur': ('image', 'GaussianBlur', ('images',), {
        'kernel_size': (3, 3), 'sigma': (1.0, 1.0), 'data_format': None,
    }),
    'gcd': ('numpy', 'Gcd', ('x1', 'x2'), {}),
    'gelu': ('nn', 'Gelu', ('x',), {'approximate': True}),
    'geomspace': ('numpy', 'Geomspace', ('start', 'stop'), {'num': 50, 'endpoint': True, 'dtype': None, 'axis': 0}),
    'get_item': ('numpy', 'GetItem', ('x', 'key'), {}),
    'glu': ('nn', 'Glu', ('x',), {'axis': -1}),
    'greater': ('numpy', 'Greater', ('x1', 'x2'), {}),
    'greater_equal': ('numpy', 'GreaterEqual', ('x1', 'x2'), {}),
    'hard_shrink': ('nn', 'HardShrink', ('x',), {'threshold': 0.5}),
    'hard_sigmoid': ('nn', 'HardSigmoid', ('x',), {}),
    'hard_silu': ('nn', 'HardSilu', ('x',), {}),
    'hard_swish': ('nn', 'HardSilu', ('x',), {}),
    'hard_tanh': ('nn', 'HardTanh', ('x',), {}),
    'heaviside': ('numpy', 'Heaviside', ('x1', 'x2'), {}),
    'histogram': ('numpy', 'Histogram', ('x',), {'bins': 10, 'range': None}),
    'hsplit': ('numpy', 'Hsplit', ('x',), {'indices_or_sections': REQUIRED}),
    'hstack': ('numpy', 'Hstack', ('xs',), {}),
    'hsv_to_rgb': ('image', 'HSVToRGB', ('images',), {'data_format': None}),
    'hypot': ('numpy', 'Hypot', ('x1', 'x2'), {}),
    'i0': ('numpy', 'I0', ('x',), {}),
    'ifft2': ('math', 'IFFT2', ('x',), {}),
    'imag': ('numpy', 'Imag', ('x',), {}),
    'in_top_k': ('math', 'InTopK', ('targets', 'predictions'), {'k': REQUIRED}),
    'inner': ('numpy', 'Inner', ('x1', 'x2'), {}),
    'inv': ('linalg', 'Inv', ('x',), {}),
    'irfft': ('math', 'IRFFT', ('x',), {'fft_length': None}),
    'isclose': ('numpy', 'Isclose', ('x1', 'x2', 'rtol', 'atol'), {'equal_nan': False}),
    'isfinite': ('numpy', 'Isfinite', ('x',), {}),
    'isin': ('numpy', 'IsIn', ('x1', 'x2'), {'assume_unique': False, 'invert': False}),
    'isinf': ('numpy', 'Isinf', ('x',), {}),
    'isnan': ('numpy', 'Isnan', ('x',), {}),
    'isneginf': ('numpy', 'Isneginf', ('x',), {}),
    'isposinf': ('numpy', 'Isposinf', ('x',), {}),
    'isreal': ('numpy', 'Isreal', ('x',), {}),
    'istft': ('math', 'ISTFT', ('x',), {
        'sequence_length': REQUIRED, 'sequence_stride': REQUIRED, 'fft_length': REQUIRED, 'length': None,
        'window': 'hann', 'center': True,
    }),
    'jvp': ('linalg', 'JVP', ('fun', 'primals', 'tangents'), {'has_aux': False}),
    'kron': ('numpy', 'Kron', ('x1', 'x2'), {}),
    'layer_normalization': ('nn', 'LayerNorm', ('x', 'gamma', 'beta'), {
        'axis': -1, 'epsilon': None, 'rms_scaling': REQUIRED,
    }),
    'lcm': ('numpy', 'Lcm', ('x1', 'x2'), {}),
    'ldexp': ('numpy', 'Ldexp', ('x1', 'x2'), {}),
    'leaky_relu': ('nn', 'LeakyRelu', ('x',), {'negative_slope': 0.2}),
    'left_shift': ('numpy', 'LeftShift', ('x', 'y'), {}),
    'less': ('numpy', 'Less', ('x1', 'x2'), {}),
    'less_equal': ('numpy', 'LessEqual', ('x1', 'x2'), {}),
    'linspace': ('numpy', 'Linspace', ('start', 'stop'), {
        'num': 50, 'endpoint': True, 'retstep': False, 'dtype': None, 'axis': 0,
    }),
    'log': ('numpy', 'Log', ('x',), {}),
    'log10': ('numpy', 'Log10', ('x',), {}),
    'log1p': ('numpy', 'Log1p', ('x',), {}),
    'log2': ('numpy', 'Log2', ('x',), {}),
    'log_sigmoid': ('nn', 'LogSigmoid', ('x',), {}),
    'log_softmax': ('nn', 'LogSoftmax', ('x',), {'axis': -1}),
    'logaddexp': ('numpy', 'Logaddexp', ('x1', 'x2'), {}),
    'logaddexp2': ('numpy', 'Logaddexp2', ('x1', 'x2'), {}),
    'logdet': ('math', 'Logdet', ('x',), {}),
    'logical_and': ('numpy', 'LogicalAnd', ('x1', 'x2'), {}),
    'logical_not': ('numpy', 'LogicalNot', ('x',), {}),
    'logical_or': ('numpy', 'LogicalOr', ('x1', 'x2'), {}),
    'logical_xor': ('numpy', 'LogicalXor', ('x1', 'x2'), {}),
    'logspace': ('numpy', 'Logspace', ('start', 'stop'), {
        'num': 50, 'endpoint': True, 'base': 10, 'dtype': None, 'axis': 0,
    }),
    'logsumexp': ('math', 'Logsumexp', ('x',), {'axis': None, 'keepdims': False}),
    'lstsq': ('linalg', 'Lstsq', ('a', 'b'), {'rcond': None}),
    'lu_factor': ('linalg', 'LuFactor', ('x',), {}),
    'map': ('core', 'Map', ('f', 'xs'), {}),
    'map_coordinates': ('image', 'MapCoordinates', ('inputs', 'coordinates'), {
        'order': REQUIRED, 'fill_mode': 'constant', 'fill_value': 0,
    }),
    'matmul': ('numpy', 'Matmul', ('x1', 'x2'), {}),
    'matrix_rank': ('linalg', 'MatrixRank', ('x',), {'tol': None}),
    'max': ('numpy', 'Max', ('x',), {'axis': None, 'keepdims': False, 'initial': None}),
    'max_pool': ('nn', 'MaxPool', ('inputs',), {
        'pool_size': REQUIRED, 'strides': None, 'padding': 'valid', 'data_format': None,
    }),
    'maximum': ('numpy', 'Maximum', ('x1', 'x2'), {}),
    'mean': ('numpy', 'Mean', ('x',), {'axis': None, 'keepdims': False}),
    'median': ('numpy', 'Median', ('x',), {'axis': None, 'keepdims': False}),
    'meshgrid': ('numpy', 'Meshgrid', ('*x',), {'indexing': 'xy'}),
    'min': ('numpy', 'Min', ('x',), {'axis': None, 'keepdims': False, 'initial': None}),
    'minimum': ('numpy', 'Minimum', ('x1', 'x2'), {}),
    'mod': ('numpy', 'Mod', ('x1', 'x2'), {}),
    'moments': ('nn', 'Moments', ('x',), {'axes': REQUIRED, 'keepdims': False, 'synchronized': False}),
    'moveaxis': ('numpy', 'Moveaxis', ('x',), {'source': REQUIRED, 'destination': REQUIRED}),
    'multi_hot': ('nn', 'MultiHot', ('inputs',), {'num_classes': None, 'axis': -1, 'dtype': None, 'sparse': False}),
    'multiply': ('numpy', 'Multiply', ('x1', 'x2'), {}),
    'nan_to_num': ('numpy', 'NanToNum', ('x',), {'nan': 0.0, 'posinf': None, 'neginf': None}),
    'nanargmax': ('numpy', 'Nanargmax', ('x',), {'axis': None, 'keepdims': False}),
    'nanargmin': ('numpy', 'Nanargmin', ('x',), {'axis': None, 'keepdims': False}),
    'nancumprod': ('numpy', 'Nancumprod', ('x',), {'axis': None, 'dtype': None}),
    'nancumsum': ('numpy', 'Nancumsum', ('x',), {'axis': None, 'dtype': None}),
    'nanmax': ('numpy', 'Nanmax', ('x',), {'axis': None, 'keepdims': False}),
    'nanmean': ('numpy', 'Nanmean', ('x',), {'axis': None, 'keepdims': False}),
    'nanmedian': ('numpy', 'Nanmedian', ('x',), {'axis': None, 'keepdims': False}),
    'nanmin': ('numpy', 'Nanmin', ('x',), {'axis': None, 'keepdims': False}),
    'nanpercentile': ('numpy', 'Nanpercentile', ('x', 'q'), {'axis': None, 'method': 'linear', 'keepdims': False}),
    'nanprod': ('numpy', 'Nanprod', ('x',), {'axis': None, 'keepdims': False}),
    'nanquantile': ('numpy', 'Nanquantile', ('x', 'q'), {'axis': None, 'method': 'linear', 'keepdims': False}),
    'nanstd': ('numpy', 'Nanstd', ('x',), {'axis': None, 'keepdims': False}),
    'nansum': ('numpy', 'Nansum', ('x',), {'axis': None, 'keepdims': False}),
    'nanvar': ('numpy', 'Nanvar', ('x',), {'axis': None, 'keepdims': False}),
    'ndim': ('numpy', 'Ndim', ('x',), {}),
    'negative': ('numpy', 'Negative', ('x',), {}),
    'nextafter': ('numpy', 'Nextafter', ('x1', 'x2'), {}),
    'nonzero': ('numpy', 'Nonzero', ('x',), {}),
    'norm': ('linalg', 'Norm', ('x',), {'ord': None, 'axis': None, 'keepdims': False}),
    'normalize': ('nn', 'Normalize', ('x',), {'axis': -1, 'order': 2, 'epsilon': None}),
    'not_equal': ('numpy', 'NotEqual', ('x1', 'x2'), {}),
    'one_hot': ('nn', 'OneHot', ('x',), {'num_classes': REQUIRED, 'axis': -1, 'dtype': None, 'sparse': False}),
    'ones_like': ('numpy', 'OnesLike', ('x',), {'dtype': None}),
    'outer': ('numpy', 'Outer', ('x1', 'x2'), {}),
    'pad': ('numpy', 'Pad', ('x', '=constant_values'), {'pad_width': REQUIRED, 'mode': 'constant'}),
    'pad_images': ('image', 'PadImages', ('images',), {
        'top_padding': None, 'left_padding': None, 'bottom_padding': None, 'right_padding': None, 'target_height': None,
        'target_width': None, 'data_format': None,
    }),
    'percentile': ('numpy', 'Percentile', ('x', 'q'), {'axis': None, 'method': 'linear', 'keepdims': False}),
    'perspective_transform': ('image', 'PerspectiveTransform', ('images', 'start_points', 'end_points'), {
        'interpolation': 'bilinear', 'fill_value': 0, 'data_format': None,
    }),
    'pinv': ('linalg', 'Pinv', ('x',), {'rcond': None}),
    'polar': ('nn', 'Polar', ('abs_', 'angle'), {}),
    'power': ('numpy', 'Power', ('x1', 'x2'), {}),
    'prod': ('numpy', 'Prod', ('x',), {'axis': None, 'keepdims': False, 'dtype': None}),
    'psnr': ('nn', 'PSNR', ('x1', 'x2'), {'max_val': REQUIRED}),
    'ptp': ('numpy', 'Ptp', ('x',), {'axis': None, 'keepdims': False}),
    'qr': ('linalg', 'Qr', ('x',), {'mode': 'reduced'}),
    'quantile': ('numpy', 'Quantile', ('x', 'q'), {'axis': None, 'method': 'linear', 'keepdims': False}),
    'rad2deg': ('numpy', 'Rad2deg', ('x',), {}),
    'ravel': ('numpy', 'Ravel', ('x',), {}),
    'real': ('numpy', 'Real', ('x',), {}),
    'rearrange': ('einops', 'Rearrange', ('tensor', 'pattern', '**axes_lengths'), {}),
    'reciprocal': ('numpy', 'Reciprocal', ('x',), {}),
    'relu': ('nn', 'Relu', ('x',), {}),
    'relu6': ('nn', 'Relu6', ('x',), {}),
    'repeat': ('numpy', 'Repeat', ('x',), {'repeats': REQUIRED, 'axis': None}),
    'reshape': ('numpy', 'Reshape', ('x',), {'newshape': REQUIRED}),
    'resize': ('image', 'Resize', ('images',), {
        'size': REQUIRED, 'interpolation': 'bilinear', 'antialias': False, 'crop_to_aspect_ratio': False,
        'pad_to_aspect_ratio': False, 'fill_mode': 'constant', 'fill_value': 0.0, 'data_format': None,
    }),
    'rfft': ('math', 'RFFT', ('x',), {'fft_length': None}),
    'rgb_to_grayscale': ('image', 'RGBToGrayscale', ('images',), {'data_format': None}),
    'rgb_to_hsv': ('image', 'RGBToHSV', ('images',), {'data_format': None}),
    'right_shift': ('numpy', 'RightShift', ('x', 'y'), {}),
    'rms_normalization': ('nn', 'RMSNorm', ('x', '=scale'), {'axis': -1, 'epsilon': None}),
    'roll': ('numpy', 'Roll', ('x',), {'shift': REQUIRED, 'axis': None}),
    'rot90': ('numpy', 'Rot90', ('array',), {'k': 1, 'axes': (0, 1)}),
    'round': ('numpy', 'Round', ('x',), {'decimals': 0}),
    'rsqrt': ('math', 'Rsqrt', ('x',), {}),
    'saturate_cast': ('core', 'SaturateCast', ('x',), {'dtype': REQUIRED}),
    'scale_and_translate': ('image', 'ScaleAndTranslate', ('images', 'output_shape', 'scale', 'translation'), {
        'spatial_dims': REQUIRED, 'method': REQUIRED, 'antialias': True,
    }),
    'scan': ('core', 'Scan', ('f', 'init', 'xs'), {'length': None, 'reverse': False, 'unroll': 1}),
    'scatter': ('core', 'Scatter', ('indices', 'values'), {'shape': REQUIRED}),
    'scatter_update': ('core', 'ScatterUpdate', ('inputs', 'indices', 'updates'), {'reduction': None}),
    'searchsorted': ('numpy', 'SearchSorted', ('sorted_sequence', 'values'), {'side': 'left'}),
    'segment_max': ('math', 'SegmentMax', ('data', 'segment_ids'), {'num_segments': None, 'sorted': False}),
    'segment_min': ('math', 'SegmentMin', ('data', 'segment_ids'), {'num_segments': None, 'sorted': False}),
    'segment_prod': ('math', 'SegmentProd', ('data', 'segment_ids'), {'num_segments': None, 'sorted': False}),
    'segment_sum': ('math', 'SegmentSum', ('data', 'segment_ids'), {'num_segments': None, 'sorted': False}),
    'select': ('numpy', 'Select', ('condlist', 'choicelist', 'default'), {}),
    'selu': ('nn', 'Selu', ('x',), {}),
    'separable_conv': ('nn', 'SeparableConv', ('inputs', 'depthwise_kernel', 'pointwise_kernel'), {
        'strides': 1, 'padding': 'valid', 'data_format': None, 'dilation_rate': 1,
    }),
    'sigmoid': ('nn', 'Sigmoid', ('x',), {}),
    'sign': ('numpy', 'Sign', ('x',), {}),
    'signbit': ('numpy', 'Signbit', ('x',), {}),
    'silu': ('nn', 'Silu', ('x',), {}),
    'sin': ('numpy', 'Sin', ('x',), {}),
    'sinc': ('numpy', 'Sinc', ('x',), {}),
    'sinh': ('numpy', 'Sinh', ('x',), {}),
    'size': ('numpy', 'Size', ('x',), {}),
    'slice': ('core', 'Slice', ('inputs', 'start_indices'), {'shape': REQUIRED}),
    'slice_update': ('core', 'SliceUpdate', ('inputs', 'start_indices', 'updates'), {}),
    'slogdet': ('numpy', 'Slogdet', ('x',), {}),
    'sobel_edges': ('image', 'SobelEdges', ('images',), {'data_format': None}),
    'soft_shrink': ('nn', 'SoftShrink', ('x',), {'threshold': 0.5}),
    'softmax': ('nn', 'Softmax', ('x',), {'axis': -1}),
    'softplus': ('nn', 'Softplus', ('x',), {}),
    'softsign': ('nn', 'Softsign', ('x',), {}),
    'solve': ('linalg', 'Solve', ('a', 'b'), {}),
    'solve_triangular': ('linalg', 'SolveTriangular', ('a', 'b'), {'lower': False}),
    'sort': ('numpy', 'Sort', ('x',), {'axis': -1}),
    'space_to_depth': ('nn', 'SpaceToDepth', ('x',), {'block_size': REQUIRED, 'data_format': 'channels_last'}),
    'sparse_categorical_crossentropy': ('nn', 'SparseCategoricalCrossentropy', ('target', 'output'), {
        'from_logits': False, 'axis': -1,
    }),
    'sparse_plus': ('nn', 'SparsePlus', ('x',), {}),
    'sparse_sigmoid': ('nn', 'SparseSigmoid', ('x',), {}),
    'sparsemax': ('nn', 'Sparsemax', ('x',), {'axis': -1}),
    'split': ('numpy', 'Split', ('x',), {'indices_or_sections': REQUIRED, 'axis': 0}),
    'sqrt': ('numpy', 'Sqrt', ('x',), {}),
    'square': ('numpy', 'Square', ('x',), {}),
    'squareplus': ('nn', 'Squareplus', ('x',), {'b': 4}),
    'squeeze': ('numpy', 'Squeeze', ('x',), {'axis': None}),
    'ssim': ('image', 'SSIM', ('image1', 'image2'), {
        'max_val': 1.0, 'filter_size': 11, 'filter_sigma': 1.5, 'k1': 0.01, 'k2': 0.03, 'data_format': None,
    }),
    'stack': ('numpy', 'Stack', ('x',), {'axis': 0}),
    'std': ('numpy', 'Std', ('x',), {'axis': None, 'keepdims': False}),
    'stft': ('math', 'STFT', ('x',), {
        'sequence_length': REQUIRED, 'sequence_stride': REQUIRED, 'fft_length': REQUIRED, 'window': 'hann',
        'center': True,
    }),
    'stop_gradient': ('core', 'StopGradient', ('variable',), {}),
    'subtract': ('numpy', 'Subtract', ('x1', 'x2'), {}),
    'sum': ('numpy', 'Sum', ('x',), {'axis': None, 'keepdims': False}),
    'svd': ('linalg', 'SVD', ('x',), {'full_matrices': True, 'compute_uv': True}),
    'swapaxes': ('numpy', 'Swapaxes', ('x',), {'axis1': REQUIRED, 'axis2': REQUIRED}),
    'swish': ('nn', 'Silu', ('x',), {}),
    'switch': ('core', 'Switch', ('index', 'branches', '*operands'), {}),
    'take': ('numpy', 'Take', ('x', 'indices'), {'axis': None}),
    'take_along_axis': ('numpy', 'TakeAlongAxis', ('x', 'indices'), {'axis': None}),
    'tan': ('numpy', 'Tan', ('x',), {}),
    'tanh': ('numpy', 'Tanh', ('x',), {}),
    'tanh_shrink': ('nn', 'TanhShrink', ('x',), {}),
    'tensordot': ('numpy', 'Tensordot', ('x1', 'x2'), {'axes': 2}),
    'threshold': ('nn', 'Threshold', ('x',), {'threshold': REQUIRED, 'default_value': REQUIRED}),
    'tile': ('numpy', 'Tile', ('x',), {'repeats': REQUIRED}),
    'top_k': ('math', 'TopK', ('x',), {'k': REQUIRED, 'sorted': True}),
    'trace': ('numpy', 'Trace', ('x',), {'offset': 0, 'axis1': 0, 'axis2': 1}),
    'transpose': ('numpy', 'Transpose', ('x',), {'axes': None}),
    'trapezoid': ('numpy', 'Trapezoid', ('y',), {'x': None, 'dx': 1.0, 'axis': -1}),
    'tril': ('numpy', 'Tril', ('x',), {'k': 0}),
    'triu': ('numpy', 'Triu', ('x',), {'k': 0}),
    'true_divide': ('numpy', 'TrueDivide', ('x1', 'x2'), {}),
    'trunc': ('numpy', 'Trunc', ('x',), {}),
    'unfold': ('nn', 'Unfold', ('x',), {'kernel_size': REQUIRED, 'dilation': 1, 'padding': 0, 'stride': 1}),
    'unique': ('numpy', 'Unique', ('x',), {
        'sorted': True, 'return_index': False, 'return_inverse': False, 'return_counts': False, 'axis': None,
        'size': None, 'fill_value': None,
    }),
    'unravel_index': ('numpy', 'UnravelIndex', ('indices',), {'shape': REQUIRED}),
    'unstack': ('core', 'Unstack', ('x',), {'num': None, 'axis': 0}),
    'vander': ('numpy', 'Vander', ('x',), {'N': None, 'increasing': False}),
    'var': ('numpy', 'Var', ('x',), {'axis': None, 'keepdims': False}),
    'vdot': ('numpy', 'Vdot', ('x1', 'x2'), {}),
    'vectorized_map': ('core', 'VectorizedMap', ('elements',), {'function': REQUIRED}),
    'view': ('numpy', 'View', ('x',), {'dtype': None}),
    'view_as_complex': ('math', 'ViewAsComplex', ('x',), {}),
    'view_as_real': ('math', 'ViewAsReal', ('x',), {}),
    'vsplit': ('numpy', 'Vsplit', ('x',), {'indices_or_sections': REQUIRED}),
    'vstack': ('numpy', 'Vstack', ('xs',), {}),
    'where': ('numpy', 'Where', ('condition', 'x1', 'x2'), {}),
    'while_loop': ('core', 'WhileLoop', ('loop_vars',), {
        'cond': REQUIRED, 'body': REQUIRED, 'maximum_iterations': None,
    }),
    'zeros_like': ('numpy', 'ZerosLike', ('x',), {'dtype': None}),
}  # end of KERAS_OPS


def keras_op_spec(op_name: str):
    """``(module, class_name, call, config)`` of the Keras op ``op_name`` (see ``KERAS_OPS``), or None.
    ``getitem`` (``x[...]``) is Keras's ``get_item``."""
    return KERAS_OPS.get("get_item" if op_name == "getitem" else op_name)


def keras_class_name(op_name: str) -> str:
    """The class Keras records for the op ``op_name`` in a functional graph: 'sum' → 'Sum', 'abs' → 'Absolute'.
    An op Keras never records (one that makes an array from nothing, such as 'zeros') gets its name in
    CamelCase."""
    spec = keras_op_spec(op_name)
    return spec[1] if spec else "".join(part.capitalize() for part in op_name.split("_"))


def _classes() -> dict:
    if not _CLASSES:  # the first name (in order) of each class: 'Absolute' → 'abs', not 'absolute'
        for name, spec in KERAS_OPS.items():
            _CLASSES.setdefault((spec[0], spec[1]), name)
            _CLASSES.setdefault(spec[1], name)
    return _CLASSES


_CLASSES: dict = {}


def op_name_of_keras_class(class_name: str, module: str | None = None):
    """The op whose Keras class is ``class_name`` (in ``keras.src.ops.<module>`` when given), or None:
    'Softmax' → 'softmax', 'Absolute' → 'abs'. A closed lookup, for reading Keras model files."""
    if not isinstance(class_name, str):
        return None
    return _classes().get(class_name if module is None else (module, class_name))


def top_level() -> tuple:
    """Every name of dir(keras.ops) that is a function (the namespaces' names, the image ones aside)."""
    return tuple(sorted(set(NN) | set(NUMPY) | set(LINALG) | set(CORE)))
