"""Op nodes of functional models (keras.ops calls and Python arithmetic on symbolic tensors) exported to ONNX:
for every translated op a small model, onnx.checker (full_check), and onnxruntime's outputs equal to
``predict``'s within 1e-5 at batch sizes 1 and 7, with the same kind of dtype, at the default opset and
the lowest one. Ops without a translation are refused in one line before anything is written."""

import numpy as np
import pytest

from ._onnx_check import assert_matches

import neuronet as keras  # noqa: E402
from neuronet import ops  # noqa: E402
from neuronet.export import ExportError, onnx_model  # noqa: E402
from neuronet.export.onnx_convert import DEFAULT_OPSET, MIN_OPSET  # noqa: E402

RNG = np.random.default_rng(16)


def _normal(*shape):
    return RNG.standard_normal((7,) + shape).astype(np.float32)


def _positive(*shape):
    return RNG.uniform(0.2, 2.0, (7,) + shape).astype(np.float32)


def _unit(*shape):
    return RNG.uniform(-0.9, 0.9, (7,) + shape).astype(np.float32)


def _ints(high, *shape, low=0):
    return RNG.integers(low, high, (7,) + shape).astype(np.int64)


F = ("float32", _normal)  # input kinds: (dtype, data maker)
P = ("float32", _positive)
U = ("float32", _unit)


def I(high, low=0):  # noqa: E743 - integer inputs
    return ("int64", lambda *shape: _ints(high, *shape, low=low))


# name: (input shapes and kinds, function of the symbolic inputs)
CASES = {
    # Python operators
    "operators": ([((4, 3), F), ((4, 3), F)], lambda a, b: [a + b, a - 2.0, 3.0 / (b * b + 1.0), -a, abs(b), a * b,
                                                          b ** 2, 2.0 ** a, 1.0 - a, a / b]),
    "operators_on_ints": ([((5,), I(9, 1))], lambda a: [a * 2, a + 1, a / 2, -a, a * 0.5]),
    "getitem": ([((4, 5, 3), F)], lambda a: [a[:, -1], a[:, 1:3, ::-1], a[..., 0], a[:, None, 2, :], a[:, ::2, 1:],
                                            a[:, -2:, -1], a[:, :, :, None]]),
    "ops_getitem": ([((4, 5), F)], lambda a: [ops.getitem(a, (slice(None), 1)), ops.get_item(a, (Ellipsis, 2))]),
    # arithmetic and comparisons
    "arithmetic": ([((4,), F), ((4,), P)], lambda a, b: [ops.add(a, b), ops.subtract(a, 1.5), ops.multiply(a, b),
                                                         ops.divide(a, b), ops.true_divide(b, 2.0), ops.power(b, a),
                                                         ops.maximum(a, b), ops.minimum(a, 0.0), ops.mod(a, b),
                                                         ops.floor_divide(a, b), ops.fmod(a, b), ops.logaddexp(a, b),
                                                         ops.hypot(a, b), ops.fmax(a, b), ops.fmin(a, b)]),
    "arithmetic_ints": ([((6,), I(20, -20)), ((6,), I(5, 1))],
                        lambda a, b: [ops.mod(a, b), ops.floor_divide(a, b), ops.add(a, b), ops.multiply(a, 3),
                                      ops.maximum(a, b), ops.power(b, 2), ops.divide(a, b), ops.subtract(a, b)]),
    "divide_no_nan": ([((6,), F), ((6,), I(2))], lambda a, b: ops.divide_no_nan(a, ops.cast(b, "float32"))),
    "comparisons": ([((5,), I(3)), ((5,), I(3))], lambda a, b: [ops.equal(a, b), ops.not_equal(a, b), ops.greater(a, b),
                                                               ops.greater_equal(a, b), ops.less(a, b),
                                                               ops.less_equal(a, 1)]),
    "float_comparisons": ([((5,), F), ((5,), F)], lambda a, b: [ops.greater(a, b), ops.less(a, 0.0)]),
    "logical": ([((5,), I(2)), ((5,), I(2))], lambda a, b: [ops.logical_and(a, b), ops.logical_or(a, b),
                                                           ops.logical_xor(a, b), ops.logical_not(a)]),
    "where_clip": ([((6,), F), ((6,), F)], lambda a, b: [ops.where(ops.greater(a, 0.0), a, b),
                                                         ops.where(ops.less(a, b), 1.0, 0.0),
                                                         ops.clip(a, -0.5, 0.5)]),
    # elementwise math
    "math": ([((6,), F)], lambda a: [ops.exp(a), ops.abs(a), ops.absolute(a), ops.negative(a), ops.sign(a),
                                     ops.square(a), ops.tanh(a), ops.sigmoid(a), ops.erf(a), ops.erfc(a), ops.sin(a),
                                     ops.cos(a), ops.arctan(a), ops.sinh(a), ops.cosh(a), ops.arcsinh(a),
                                     ops.expm1(a), ops.exp2(a), ops.cbrt(a), ops.deg2rad(a), ops.rad2deg(a * 0.05),
                                     ops.floor(a), ops.ceil(a), ops.trunc(a), ops.round(a), ops.round(a, 2),
                                     ops.stop_gradient(a), ops.copy(a), ops.fabs(a), ops.tan(a * 0.5)]),
    "math_positive": ([((6,), P)], lambda a: [ops.log(a), ops.sqrt(a), ops.rsqrt(a), ops.reciprocal(a), ops.log1p(a),
                                              ops.log2(a), ops.log10(a), ops.arccosh(a + 1.0)]),
    "math_unit": ([((6,), U)], lambda a: [ops.arcsin(a), ops.arccos(a), ops.arctanh(a)]),
    "float_tests": ([((6,), F)], lambda a: [ops.isnan(a), ops.isinf(a), ops.isfinite(a), ops.signbit(a),
                                            ops.nan_to_num(ops.log(a))]),
    # activations
    "activations": ([((3, 5), F)], lambda a: [ops.relu(a), ops.relu6(a * 4.0), ops.softmax(a), ops.softmax(a, axis=1),
                                              ops.log_softmax(a), ops.log_softmax(a, axis=1), ops.gelu(a),
                                              ops.gelu(a, approximate=False), ops.silu(a), ops.swish(a),
                                              ops.softplus(a), ops.softsign(a), ops.selu(a), ops.hard_sigmoid(a),
                                              ops.hard_silu(a), ops.hard_swish(a), ops.log_sigmoid(a),
                                              ops.hard_tanh(a), ops.tanh_shrink(a), ops.sparse_plus(a),
                                              ops.sparse_sigmoid(a)]),
    "activations_with_arguments": ([((3, 6), F)], lambda a: [
        ops.leaky_relu(a, negative_slope=0.1), ops.elu(a, alpha=0.5), ops.celu(a, alpha=2.0),
        ops.hard_shrink(a, 0.3), ops.soft_shrink(a, 0.4), ops.squareplus(a, 2.0), ops.glu(a),
        ops.threshold(a, 0.2, -1.0)]),
    # reductions
    "reductions": ([((3, 4), F)], lambda a: [ops.sum(a)[None], ops.sum(a, axis=1), ops.mean(a, axis=-1, keepdims=True),
                                             ops.max(a, axis=(1, 2)), ops.min(a, axis=2), ops.prod(a, axis=1),
                                             ops.amax(a, axis=1), ops.amin(a, axis=-1, keepdims=True),
                                             ops.std(a, axis=-1), ops.var(a, axis=(1, 2), keepdims=True),
                                             ops.logsumexp(a, axis=-1), ops.logsumexp(a, axis=1, keepdims=True),
                                             ops.ptp(a, axis=2), ops.max(a, axis=1, initial=0.5),
                                             ops.norm(a, axis=-1), ops.norm(a, ord=1, axis=1),
                                             ops.norm(a, ord=np.inf, axis=2), ops.norm(a, ord=3, axis=-1)]),
    "moments": ([((3, 4), F)], lambda a: list(ops.moments(a, axes=[-1]))),
    "boolean_reductions": ([((3, 4), I(2))], lambda a: [ops.any(a, axis=1), ops.all(a, axis=-1, keepdims=True),
                                                        ops.count_nonzero(a, axis=2), ops.sum(a, axis=1)]),
    "arg_reductions": ([((3, 4), F)], lambda a: [ops.argmax(a, axis=-1), ops.argmin(a, axis=1),
                                                 ops.argmax(a, axis=1, keepdims=True), ops.cumsum(a, axis=1),
                                                 ops.cumsum(a, axis=-1), ops.cumprod(a + 0.5, axis=1),
                                                 ops.cumprod(ops.round(a), axis=-1), ops.cumprod(a[:, 0]),
                                                 ops.nancumprod(ops.sqrt(a + 1.0), axis=2),
                                                 ops.cumprod(ops.cast(a * 3.0, "int64"), axis=-1)]),
    # shapes
    "reshape_transpose": ([((2, 3, 4), F)], lambda a: [ops.reshape(a, (-1, 6, 4)), ops.reshape(a, (-1, 24)),
                                                       ops.transpose(a, (0, 2, 1, 3)), ops.transpose(a, (0, 3, 2, 1)),
                                                       ops.moveaxis(a, 1, 3), ops.swapaxes(a, 1, 2),
                                                       ops.expand_dims(a, 1), ops.expand_dims(a, -1),
                                                       ops.squeeze(ops.expand_dims(a, 2), axis=2),
                                                       ops.squeeze(a[:, :1])]),
    "join": ([((2, 3), F), ((2, 3), F)], lambda a, b: [ops.concatenate([a, b], axis=-1), ops.concatenate([a, b], 1),
                                                       ops.stack([a, b], axis=1), ops.stack([a, b], axis=-1),
                                                       ops.append(a, b, axis=2), ops.hstack([a, b]),
                                                       ops.vstack([a, b])]),
    "split": ([((6, 2), F)], lambda a: list(ops.split(a, 3, axis=1)) + list(ops.split(a, [1, 4], axis=1))
              + list(ops.array_split(a, 4, axis=1)) + ops.unstack(a, axis=2)),
    "tile_repeat": ([((2, 3), F)], lambda a: [ops.tile(a, (1, 2, 3)), ops.tile(a, (2, 1, 1, 1)),
                                              ops.repeat(a, 2, axis=1), ops.repeat(a, [1, 0, 3], axis=2),
                                              ops.ravel(a)[None], ops.flip(a, axis=1), ops.flip(a, axis=(1, 2)),
                                              ops.roll(a, 1, axis=2), ops.roll(a, (1, -1), axis=(1, 2))]),
    "fill_pad": ([((2, 3), F)], lambda a: [ops.zeros_like(a), ops.ones_like(a), ops.full_like(a, 2.5),
                                           ops.pad(a, ((0, 0), (1, 2), (0, 1))),
                                           ops.pad(a, ((0, 0), (1, 1), (2, 2)), mode="reflect"),
                                           ops.pad(a, ((0, 0), (1, 0), (0, 2)), mode="edge"),
                                           ops.pad(a, ((0, 0), (1, 0), (0, 0)), constant_values=3.0),
                                           ops.tril(a), ops.triu(a, k=1), ops.diff(a, axis=2),
                                           ops.diff(a, n=2, axis=-1), ops.slice(a, (0, 1, 0), (1, 1, 2))]),
    "broadcast_to": ([((1, 3), F)], lambda a: ops.broadcast_to(a[:1], (1, 2, 4, 3))),  # batch 1 whatever the input
    "take": ([((4, 3), F), ((2,), I(4))], lambda a, i: [ops.take(a, [2, 0, -1], axis=1), ops.take(a, i, axis=1),
                                                       ops.take_along_axis(a, ops.argsort(a, axis=-1), axis=-1),
                                                       ops.take(np.linspace(0, 1, 12).reshape(4, 3), i, axis=0),
                                                       ops.take(np.arange(5.0), i)]),
    # products
    "products": ([((3, 4), F), ((4, 5), F)], lambda a, b: [
        ops.matmul(a, b), ops.einsum("bij,bjk->bik", a, b), ops.einsum("bij,bjk->bki", a, b),
        ops.einsum("bij->bji", a), ops.tensordot(a, b, axes=([2], [1])),
        ops.matmul(a, np.ones((4, 2), np.float32))]),
    "vector_products": ([((4,), F), ((4,), F)], lambda a, b: [ops.einsum("bi,bi->b", a, b), ops.dot(a[0], b[0])[None],
                                                             ops.outer(a[0], b[0])[None], ops.inner(a, b),
                                                             ops.vdot(a[0], b[0])[None], ops.dot(a, np.ones((4, 2)))]),
    # encodings and sorting
    "one_hot": ([((3,), I(6, -1))], lambda a: [ops.one_hot(a, 5), ops.one_hot(a, 4, axis=1),
                                               ops.one_hot(a, 3, dtype="int32"), ops.multi_hot(a, 5)]),
    "cast": ([((5,), F)], lambda a: [ops.cast(a * 10.0, "int32"), ops.cast(a, "float16"), ops.cast(a, "bool"),
                                     ops.cast(ops.cast(a * 3.0, "int64"), "float32"),
                                     ops.saturate_cast(a * 300.0, "int8")]),
    "sorting": ([((6,), F)], lambda a: [ops.sort(a), ops.argsort(a), ops.sort(a, axis=0)] + list(ops.top_k(a, 3))),
    "in_top_k": ([((5,), I(5)), ((5, 5), F)], lambda t, p: ops.in_top_k(t[:, 0], p[:, 0], 2)),
    # less common NumPy-style ops
    "nan_reductions": ([((3, 4), F)], lambda a: [f(ops.log(a), axis=-1) for f in (
        ops.nansum, ops.nanprod, ops.nanmean, ops.nanmax, ops.nanmin, ops.nanvar, ops.nanstd)]
        + [ops.nanmax(ops.log(a), axis=1, keepdims=True), ops.nancumsum(ops.log(a), axis=2)]),
    "flips_and_rotations": ([((3, 4), F)], lambda a: [ops.fliplr(a), ops.flipud(a[0])[None]] + [
        ops.rot90(a, k=k, axes=(1, 2)) for k in range(4)] + [ops.dstack([a, a]), ops.rot90(a, k=-1, axes=(2, 1))]),
    "split_variants": ([((4, 6, 2), F)], lambda a: list(ops.hsplit(a, 2)) + list(ops.vsplit(a[0], [1])) +
                       list(ops.dsplit(a, [1, 4]))),
    "diagonals": ([((3, 4), F)], lambda a: [ops.diagonal(a, axis1=1, axis2=2), ops.diagonal(a, 1, 1, 2),
                                            ops.diagonal(a, -1, 2, 1), ops.trace(a, axis1=1, axis2=2),
                                            ops.trace(a, offset=1, axis1=1, axis2=2)]),
    "tests_and_pieces": ([((6,), F), ((6,), F)], lambda a, b: [
        ops.isclose(a, a + b * 1e-7), ops.isclose(ops.log(a), ops.log(a), equal_nan=True), ops.isneginf(ops.log(a)),
        ops.isposinf(1.0 / ops.relu(a)), ops.isreal(a), ops.heaviside(ops.round(a), 0.5), ops.arctan2(a, b),
        ops.arctan2(a, ops.relu(b) * 0.0), ops.logaddexp2(a, b), ops.sinc(ops.round(a)),
        ops.select([ops.greater(a, 0.5), ops.less(a, -0.5)], [a, b], default=0.0), ops.average(a, axis=1),
        ops.average(a, axis=1, weights=np.linspace(0.1, 1.0, 6))]),
    "ldexp": ([((6,), F), ((6,), I(4, -3))], lambda a, e: ops.ldexp(a, e)),
    "cross_cdist_trapezoid": ([((5, 3), F), ((4, 3), F)], lambda a, b: [
        ops.cross(a, a[:, ::-1]), ops.cdist(a, b), ops.trapezoid(a, axis=1), ops.trapezoid(a, dx=0.5),
        ops.trapezoid(a, ops.cumsum(ops.abs(a), axis=1), axis=1), ops.average(a, axis=2, weights=a * a + 0.1)]),
    "binning": ([((6,), F)], lambda a: [ops.searchsorted(np.array([-1.0, 0.0, 0.5]), a),
                                        ops.searchsorted(np.array([-1.0, 0.0, 0.5]), ops.round(a), side="right"),
                                        ops.digitize(a, np.array([-0.5, 0.0, 1.0])),
                                        ops.isin(ops.round(a * 2.0), np.array([0.0, 1.0, -2.0])),
                                        ops.isin(ops.round(a), np.array([0.0]), invert=True)]),
    "frames": ([((10,), F)], lambda a: [ops.extract_sequences(a, 4, 3), ops.extract_sequences(a, 2, 2)]),
    "depth_and_space": ([((4, 6, 8), F)], lambda a: [ops.depth_to_space(a, 2), ops.space_to_depth(a, 2),
                                                     ops.depth_to_space(ops.space_to_depth(a, 2), 2),
                                                     ops.image.rgb_to_grayscale(a[..., :3]),
                                                     ops.batch_normalization(a, np.linspace(-1, 1, 8),
                                                                             np.linspace(0.5, 2, 8), axis=-1,
                                                                             offset=np.ones(8), scale=np.full(8, 2.0)),
                                                     ops.batch_normalization(a, np.zeros(4), np.ones(4), axis=1)]),
    "images": ([((6, 8, 3), F)], lambda a: [
        ops.image.pad_images(a, 1, 2, target_height=9, target_width=11),
        ops.image.pad_images(a, top_padding=1, bottom_padding=0, left_padding=0, right_padding=2),
        ops.image.crop_images(a, 1, 2, target_height=4, target_width=5),
        ops.image.crop_images(a, top_cropping=2, bottom_cropping=1, left_cropping=0, right_cropping=3),
        ops.image.extract_patches(a, 2), ops.image.extract_patches(a, (3, 2), strides=(2, 3)),
        ops.image.extract_patches(a, 3, strides=2, padding="same"),
        ops.image.extract_patches(a, 2, strides=1, dilation_rate=2),
        ops.image.resize(a, (3, 4)), ops.image.resize(a, (12, 5), interpolation="nearest"),
        ops.image.resize(a, (4, 4), interpolation="bicubic", crop_to_aspect_ratio=True),
        ops.image.resize(a, (5, 5), pad_to_aspect_ratio=True, fill_value=0.5),
        ops.image.resize(a, (3, 4), antialias=True),
        ops.image.pad_images(a[..., :2], 1, 0, 7, 8, data_format="channels_first")]),
    "nan_args": ([((3, 4), F)], lambda a: [f(ops.concatenate([a[..., :1], ops.log(a[..., 1:])], axis=-1), **kw)
                                           for f in (ops.nanargmax, ops.nanargmin)
                                           for kw in ({"axis": -1}, {"axis": 2, "keepdims": True})]),
    "unravel_index": ([((4,), I(24))], lambda i: list(ops.unravel_index(i, (2, 3, 4)))),
    "conv_and_pool": ([((6, 8, 3), F)], lambda a: [
        ops.max_pool(a, 2), ops.max_pool(a, 3, strides=2, padding="same"), ops.average_pool(a, (2, 3)),
        ops.average_pool(a, 3, strides=2, padding="same"), ops.max_pool(a[:, 0], 2, strides=1),
        ops.conv(a, np.linspace(-1, 1, 3 * 3 * 3 * 4).reshape(3, 3, 3, 4), padding="same", strides=2),
        ops.conv(a[:, 0], np.linspace(-1, 1, 2 * 3 * 2).reshape(2, 3, 2), dilation_rate=2),
        ops.depthwise_conv(a, np.linspace(-1, 1, 2 * 2 * 3 * 2).reshape(2, 2, 3, 2), padding="same"),
        ops.max_pool(ops.transpose(a, (0, 3, 1, 2)), 2, data_format="channels_first"),
        ops.conv(a, np.ones((1, 1, 3, 2)), bias=np.array([0.5, -1.0])),
        ops.separable_conv(a, np.linspace(-1, 1, 18).reshape(3, 3, 1, 2)[:, :, [0, 0, 0]].reshape(3, 3, 3, 2),
                           np.linspace(-1, 1, 24).reshape(1, 1, 6, 4), strides=(2, 1), padding="same"),
        ops.adaptive_average_pool(a, (4, 3)), ops.adaptive_max_pool(a, (4, 3)), ops.adaptive_max_pool(a[:, 0], 5),
        ops.adaptive_average_pool(ops.transpose(a, (0, 3, 1, 2)), 3, data_format="channels_first"),
        ops.conv_transpose(a, np.linspace(-1, 1, 3 * 3 * 2 * 3).reshape(3, 3, 2, 3), strides=2),
        ops.conv_transpose(a, np.linspace(-1, 1, 2 * 2 * 4 * 3).reshape(2, 2, 4, 3), strides=2, padding="same"),
        ops.conv_transpose(a[:, 0], np.linspace(-1, 1, 3 * 2 * 3).reshape(3, 2, 3), strides=2, output_padding=1,
                           padding="same", bias=np.array([0.1, -0.2])),
        ops.separable_conv(a[:, 0], np.linspace(-1, 1, 6).reshape(2, 3, 1), np.ones((1, 3, 2)),
                           dilation_rate=2)]),
    "sparsemax": ([((3, 5), F)], lambda a: [ops.sparsemax(a * 3.0), ops.sparsemax(a, axis=1)]),
    "image_filters": ([((6, 7, 3), ("float32", lambda *shape: RNG.uniform(0, 1, (7,) + shape).astype(np.float32)))],
                      lambda a: [ops.image.gaussian_blur(a), ops.image.gaussian_blur(a, (5, 3), (1.5, 0.7)),
                                 ops.image.sobel_edges(a), ops.image.rgb_to_hsv(a), ops.image.hsv_to_rgb(a),
                                 ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(a)),
                                 ops.image.rgb_to_hsv(ops.round(a * 2.0) * 0.5)]),
    "order_statistics": ([((3, 5), F)], lambda a: [
        ops.median(a, axis=-1), ops.median(a, axis=1, keepdims=True), ops.median(a, axis=(1, 2)),
        ops.quantile(a, 0.3, axis=-1), ops.quantile(a, [0.1, 0.75], axis=2), ops.percentile(a, 90.0, axis=1)]
        + [ops.quantile(a, 0.4, axis=-1, method=m) for m in ("lower", "higher", "midpoint", "nearest")]
        + [ops.quantile(a, [[0.2, 0.5], [0.6, 1.0]], axis=-1, keepdims=True)]),
    # normalization and attention
    "normalization": ([((3, 8), F)], lambda a: [ops.normalize(a), ops.normalize(a, axis=1, order=1),
                                                ops.layer_normalization(a),
                                                ops.layer_normalization(a, gamma=np.linspace(0.5, 1.5, 8),
                                                                        beta=np.linspace(-1, 1, 8), epsilon=1e-5),
                                                ops.layer_normalization(a, axis=(1, 2)),
                                                ops.rms_normalization(a, scale=np.linspace(0.5, 1.5, 8)),
                                                ops.rms_normalization(a, axis=1, epsilon=1e-3)]),
    "attention": ([((5, 2, 4), F), ((6, 2, 4), F)], lambda q, k: [
        ops.dot_product_attention(q, k, k), ops.dot_product_attention(q, q, q, is_causal=True, scale=0.3),
        ops.dot_product_attention(q, k, k, mask=np.tril(np.ones((5, 6), bool), 1)),
        ops.dot_product_attention(q, k, k, bias=ops.einsum("bqhd,bkhd->bhqk", q, k) * 0.1, is_causal=True)]),
    "integer_products": ([((3, 4), I(5, -5)), ((4, 2), I(5, -5))], lambda a, b: [
        ops.matmul(a, b), ops.sort(a), ops.sort(a, axis=1), ops.argsort(a), ops.argsort(a, axis=1)]),
    "integer_top_k": ([((3, 4), F)], lambda a: list(ops.top_k(ops.argsort(a) - 2, 2))),  # distinct integers
}


def _case(name):
    specs, fn = CASES[name]
    inputs = [keras.Input(shape, dtype=dtype) for shape, (dtype, _) in specs]
    outputs = fn(*inputs)
    model = keras.Model(inputs, outputs)
    data = [make(*shape) for shape, (_, make) in specs]
    return model, data if len(data) > 1 else data[0]


def _same_kind(model, data, opset):
    """The graph's outputs have the kind of dtype ``predict`` gives (float, signed int, bool)."""
    from ._onnx_check import run, session

    got = run(session(onnx_model(model, opset_version=opset)), data if isinstance(data, list) else [data])
    want = model.predict(data, verbose=0)
    want = want if isinstance(want, (list, tuple)) else [want]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.dtype.kind == np.asarray(w).dtype.kind, f"output {i}: ONNX gives {g.dtype}, predict {w.dtype}"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(x < 0), 1 / 0: NaN and inf made on purpose
@pytest.mark.parametrize("opset", [DEFAULT_OPSET, MIN_OPSET, 18, 21])
@pytest.mark.parametrize("name", sorted(CASES))
def test_op(name, opset):
    model, data = _case(name)
    assert_matches(model, data, opset=opset)
    _same_kind(model, data, opset)


def test_transformer_style_model_with_ops_and_shape_queries():
    tokens = keras.Input((6,), dtype="int64")
    x = keras.layers.Embedding(20, 8)(tokens)
    depth = ops.shape(x)[-1]  # a static size: a constant in the graph
    scores = ops.softmax(ops.einsum("btd,bsd->bts", x, x) / float(np.sqrt(depth)), axis=-1)
    y = ops.matmul(scores, x) + x
    y = ops.layer_normalization(y, epsilon=1e-6)
    pooled = ops.mean(y, axis=1)
    out = keras.layers.Dense(3, activation="softmax")(ops.concatenate([pooled, ops.max(y, axis=1)], axis=-1))
    model = keras.Model(tokens, out)
    assert_matches(model, _ints(20, 6))


@pytest.mark.parametrize("make,message", [
    (lambda a: ops.nanmedian(a, axis=-1), r"ops.nanmedian recorded on symbolic inputs: order statistics ignoring "
                                          "NaN are not translated"),
    (lambda a: ops.inv(ops.reshape(a, (-1, 2, 2))), r"ops.inv recorded on symbolic inputs: matrix decompositions"),
    (lambda a: ops.binary_crossentropy(a, ops.sigmoid(a)), r"ops.binary_crossentropy recorded on symbolic inputs: "
                                                           "losses and metrics are not translated"),
    (lambda a: ops.unique(a), r"ops.unique recorded on symbolic inputs: its output size depends on the values"),
])
def test_ops_without_translation_are_refused_in_one_line_and_nothing_is_written(make, message, tmp_path):
    a = keras.Input((4,))
    model = keras.Model(a, make(a))
    path = tmp_path / "model.onnx"
    with pytest.raises(ExportError, match=r"^export: layer '\w+' \(OperatorLayer\) cannot be exported to ONNX: "
                                          + message) as info:
        model.export(path, format="onnx", verbose=False)
    assert "\n" not in str(info.value)
    assert not path.exists()


def test_untranslated_arguments_are_refused_by_name(tmp_path):
    a = keras.Input((4,))
    model = keras.Model(a, ops.pad(a, ((0, 0), (1, 1)), mode="symmetric"))
    with pytest.raises(ExportError, match=r"layer 'pad\w*' \(OperatorLayer\) .*ops.pad: mode='symmetric' is not "
                                          r"translated"):
        model.export(tmp_path / "m.onnx", verbose=False)
    assert not (tmp_path / "m.onnx").exists()


def test_refusal_comes_before_any_conversion(monkeypatch):
    """The op table is consulted by the check before the walk: no converter runs for a refused model."""
    from neuronet.export import onnx_convert

    a = keras.Input((4,))
    model = keras.Model(a, ops.nanmedian(keras.layers.Dense(3)(a), axis=-1))
    onnx_convert._load_converters()
    called = []
    monkeypatch.setattr(onnx_convert, "convert_model", lambda *args: called.append(1))
    with pytest.raises(ExportError, match="ops.nanmedian"):
        onnx_model(model)
    assert not called


def test_shape_slices_at_opsets_before_15():
    """Shape takes start/end from opset 15; before it the graph slices the whole shape (free-size resizing)."""
    images = keras.Input((None, None, 3))
    model = keras.Model(images, keras.layers.Resizing(4, 5)(images))
    assert_matches(model, _normal(6, 8, 3), opset=MIN_OPSET)


def test_an_entry_failing_on_unforeseen_arguments_gives_the_one_line_refusal(monkeypatch):
    from neuronet.export import onnx_ops

    def broken(g, call):
        return call["no_such_argument"]

    monkeypatch.setitem(onnx_ops.OPS, "exp", broken)
    a = keras.Input((4,))
    with pytest.raises(ExportError, match=r"^export: layer 'exp\w*' \(OperatorLayer\) cannot be exported to ONNX: "
                                          r"ops.exp: its arguments could not be translated \(KeyError"):
        onnx_model(keras.Model(a, ops.exp(a)))
