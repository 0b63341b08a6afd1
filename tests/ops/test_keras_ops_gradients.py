"""Gradients of the keras.ops functions added to complete the namespace: each differentiable one passes
a float64 gradient check, and where PyTorch has the same function, values and gradients agree with it.

Inputs are kept away from kinks and singular points (|x| < 1 for arcsin, distinct singular values, ...)."""

import numpy as np
import pytest

from neuronet import ops
from neuronet.autograd import Tensor, gradcheck

rng = np.random.default_rng(3)


def normal(*shape):
    return rng.normal(size=shape)


def uniform(low, high, *shape):
    return rng.uniform(low, high, size=shape)


def away(values, points, gap=0.15):
    """``values`` nudged at least ``gap`` away from each of ``points`` (kinks)."""
    out = np.array(values, dtype=np.float64)
    for p in points:
        close = np.abs(out - p) < gap
        out[close] = p + np.where(out[close] >= p, gap, -gap)
    return out


SPD = normal(4, 4) @ normal(4, 4).T + 4 * np.eye(4)
RECT = normal(5, 3)

# id: (function of Tensors, inputs, torch function of torch tensors or None)
CASES = {
    "arccos": (ops.arccos, [uniform(-0.9, 0.9, 3, 4)], "arccos"),
    "arcsin": (ops.arcsin, [uniform(-0.9, 0.9, 3, 4)], "arcsin"),
    "arctan": (ops.arctan, [normal(3, 4)], "arctan"),
    "arccosh": (ops.arccosh, [uniform(1.2, 3.0, 3, 4)], "arccosh"),
    "arcsinh": (ops.arcsinh, [normal(3, 4)], "arcsinh"),
    "arctanh": (ops.arctanh, [uniform(-0.9, 0.9, 3, 4)], "arctanh"),
    "cosh": (ops.cosh, [normal(3, 4)], "cosh"),
    "sinh": (ops.sinh, [normal(3, 4)], "sinh"),
    "tan": (ops.tan, [uniform(-1.2, 1.2, 3, 4)], "tan"),
    "cbrt": (ops.cbrt, [away(normal(3, 4), [0])], None),
    "deg2rad": (ops.deg2rad, [normal(3, 4)], "deg2rad"),
    "rad2deg": (ops.rad2deg, [normal(3, 4)], "rad2deg"),
    "exp2": (ops.exp2, [normal(3, 4)], "exp2"),
    "log2": (ops.log2, [uniform(0.5, 3, 3, 4)], "log2"),
    "log10": (ops.log10, [uniform(0.5, 3, 3, 4)], "log10"),
    "fabs": (ops.fabs, [away(normal(3, 4), [0])], None),
    "sinc": (ops.sinc, [away(normal(3, 4), [0])], "sinc"),
    "erfc": (ops.erfc, [normal(3, 4)], "erfc"),
    "erfinv": (ops.erfinv, [uniform(-0.9, 0.9, 3, 4)], "erfinv"),
    "i0": (ops.i0, [uniform(-3, 3, 3, 4)], "i0"),
    "nan_to_num": (lambda x: ops.nan_to_num(x * 2.0), [normal(3, 4)], None),
    "arctan2": (ops.arctan2, [normal(3, 4), away(normal(4), [0])], "atan2"),
    "hypot": (ops.hypot, [normal(3, 4), normal(3, 4)], "hypot"),
    "logaddexp": (ops.logaddexp, [normal(3, 4), normal(4)], "logaddexp"),
    "logaddexp2": (ops.logaddexp2, [normal(3, 4), normal(3, 4)], "logaddexp2"),
    "fmod": (ops.fmod, [uniform(0.1, 0.9, 3, 4) + np.arange(4), uniform(1.1, 1.3, 3, 4)], "fmod"),
    "mod": (ops.mod, [uniform(0.1, 0.9, 3, 4) + np.arange(4), uniform(1.1, 1.3, 3, 4)], "remainder"),
    "fmax": (ops.fmax, [normal(3, 4), normal(3, 4) + 3], "fmax"),
    "fmin": (ops.fmin, [normal(3, 4), normal(3, 4) + 3], "fmin"),
    "divide_no_nan": (lambda a, b: ops.divide_no_nan(a, b * np.array([1.0, 0.0, 1.0, 1.0])),
                      [normal(3, 4), uniform(0.5, 2, 3, 4)], None),
    "ldexp": (lambda a: ops.ldexp(a, np.array([1, -2, 3, 0])), [normal(3, 4)], None),
    # statistics
    "median": (lambda x: ops.median(x, axis=1), [normal(3, 5)], None),
    "quantile": (lambda x: ops.quantile(x, np.array([0.2, 0.7]), axis=0), [normal(5, 3)], None),
    "percentile": (lambda x: ops.percentile(x, 35.0), [normal(3, 4)], None),
    "nanquantile": (lambda x: ops.nanquantile(x * np.array([1, np.nan, 1, 1]), 0.4, axis=1), [normal(3, 4)], None),
    "average": (lambda x, w: ops.average(x, axis=1, weights=w), [normal(3, 4), uniform(0.5, 2, 4)], None),
    "ptp": (lambda x: ops.ptp(x, axis=1), [normal(3, 4)], None),
    "cumprod": (lambda x: ops.cumprod(x, axis=1), [normal(3, 4)], None),
    "cumprod_zero": (lambda x: ops.cumprod(x * np.array([1.0, 0.0, 1.0, 1.0]), axis=1), [normal(3, 4)], None),
    "trapezoid": (lambda y, x: ops.trapezoid(y, x=ops.cumsum(x)), [normal(3, 4), uniform(0.5, 1, 4)], None),
    "corrcoef": (ops.corrcoef, [normal(3, 6)], "corrcoef"),
    "correlate": (lambda a, b: ops.correlate(a, b, mode="full"), [normal(6), normal(3)], None),
    "nanmean": (lambda x: ops.nanmean(x * np.array([1, np.nan, 1, 1]), axis=1), [normal(3, 4)], None),
    "nanstd": (lambda x: ops.nanstd(x * np.array([1, np.nan, 1, 1]), axis=1), [normal(3, 4)], None),
    "nanmax": (lambda x: ops.nanmax(x * np.array([1, np.nan, 1, 1])), [normal(3, 4)], None),
    "nancumprod": (lambda x: ops.nancumprod(x * np.array([1, np.nan, 1, 1]), axis=1), [normal(3, 4)], None),
    # arrays
    "append": (lambda a, b: ops.append(a, b), [normal(2, 3), normal(4)], None),
    "array_split": (lambda x: ops.array_split(x, 3, axis=1)[1] * 2.0, [normal(2, 7)], None),
    "vstack": (lambda a, b: ops.vstack([a, b]), [normal(3), normal(2, 3)], None),
    "dstack": (lambda a, b: ops.dstack([a, b]), [normal(2, 3), normal(2, 3)], None),
    "roll": (lambda x: ops.roll(x, (1, -2), axis=(0, 1)), [normal(3, 4)], "roll"),
    "rot90": (lambda x: ops.rot90(x, k=1), [normal(3, 4)], "rot90"),
    "tril": (lambda x: ops.tril(x, -1), [normal(4, 4)], "tril"),
    "triu": (lambda x: ops.triu(x, 1), [normal(2, 4, 3)], "triu"),
    "diag": (lambda x: ops.diag(x, 1), [normal(3)], "diag"),
    "diagonal": (lambda x: ops.diagonal(x, 1, 1, 2), [normal(2, 3, 4)], "diagonal"),
    "trace": (ops.trace, [normal(4, 4)], "trace"),
    "diff": (lambda x: ops.diff(x, 2), [normal(3, 5)], "diff"),
    "select": (lambda x, y: ops.select([x.data > 0.3, x.data < -0.3], [x, y]), [normal(3, 4), normal(3, 4)], None),
    "meshgrid": (lambda a, b: ops.meshgrid(a, b)[0] * ops.meshgrid(a, b)[1], [normal(3), normal(4)], None),
    "linspace": (lambda a, b: ops.linspace(a, b, 5), [normal(2), normal(2)], None),
    "vander": (lambda x: ops.vander(x, 4), [normal(3)], None),
    "rearrange": (lambda x: ops.rearrange(x, "b (h w) c -> b c h w", h=2), [normal(2, 6, 3)], None),
    # products
    "tensordot": (lambda a, b: ops.tensordot(a, b, axes=([0, 2], [1, 0])), [normal(3, 2, 4), normal(4, 3, 5)],
                  None),
    "inner": (ops.inner, [normal(3, 4), normal(2, 4)], "inner"),
    "dot_nd": (ops.dot, [normal(2, 3, 4), normal(5, 4, 2)], None),
    "outer": (ops.outer, [normal(3), normal(4)], "outer"),
    "vdot": (ops.vdot, [normal(3, 2), normal(3, 2)], None),
    "kron": (ops.kron, [normal(2, 3), normal(2, 2)], "kron"),
    "cross": (ops.cross, [normal(4, 3), normal(4, 3)], "cross"),
    "cdist": (ops.cdist, [normal(3, 4), normal(5, 4)], "cdist"),
    # linear algebra
    "inv": (ops.inv, [SPD], "inv"),
    "det": (ops.det, [normal(3, 4, 4) + 3 * np.eye(4)], "det"),
    "logdet": (ops.logdet, [SPD], "logdet"),
    "slogdet": (lambda x: ops.slogdet(x)[1], [normal(4, 4) + 3 * np.eye(4)], None),
    "solve": (ops.solve, [SPD, normal(4, 2)], "solve"),
    "solve_vector": (ops.solve, [SPD, normal(4)], None),
    "solve_triangular": (lambda a, b: ops.solve_triangular(a, b, lower=True), [SPD, normal(4, 3)], None),
    "cholesky": (lambda x: ops.cholesky(ops.matmul(x, ops.transpose(x)) + 3.0 * np.eye(4)), [normal(4, 4)], None),
    "cholesky_inverse": (lambda x: ops.cholesky_inverse(ops.tril(x) + 3.0 * np.eye(4)), [normal(4, 4)], None),
    "eigh": (lambda x: ops.eigh(x + ops.transpose(x)), [normal(4, 4)], None),
    "qr": (lambda x: ops.qr(x), [normal(5, 3)], None),
    "svd": (lambda x: ops.svd(x, full_matrices=False), [normal(5, 3)], None),
    "svd_wide": (lambda x: ops.svd(x, full_matrices=False)[1], [normal(3, 5)], None),
    "pinv": (ops.pinv, [RECT], "pinv"),
    "lstsq": (lambda a, b: ops.lstsq(a, b), [RECT, normal(5, 2)], None),
    "norm_nuc": (lambda x: ops.norm(x, ord="nuc"), [normal(4, 3)], None),
    "norm_2": (lambda x: ops.norm(x, ord=2, axis=(1, 2)), [normal(2, 4, 3)], None),
    "norm_p3": (lambda x: ops.norm(x, ord=3, axis=1, keepdims=True), [normal(3, 4)], None),
    "norm_inf_matrix": (lambda x: ops.norm(x, ord=np.inf), [normal(4, 3)], None),
    # nn
    "celu": (lambda x: ops.celu(x, 0.7), [away(normal(3, 4), [0])], None),
    "glu": (ops.glu, [normal(3, 4)], None),
    "hard_tanh": (ops.hard_tanh, [away(normal(3, 4) * 2, [-1, 1])], None),
    "hard_shrink": (ops.hard_shrink, [away(normal(3, 4), [-0.5, 0.5])], None),
    "soft_shrink": (ops.soft_shrink, [away(normal(3, 4), [-0.5, 0.5])], None),
    "tanh_shrink": (ops.tanh_shrink, [normal(3, 4)], None),
    "sparse_plus": (ops.sparse_plus, [away(normal(3, 4) * 2, [-1, 1])], None),
    "sparse_sigmoid": (ops.sparse_sigmoid, [away(normal(3, 4) * 2, [-1, 1])], None),
    "squareplus": (ops.squareplus, [normal(3, 4)], None),
    "threshold": (lambda x: ops.threshold(x, 0.1, -1.0), [away(normal(3, 4), [0.1])], "threshold"),
    "sparsemax": (ops.sparsemax, [np.array([[1.0, 0.4, -0.3, -1.2], [0.2, 0.5, -2.0, -0.9]])], None),
    "normalize": (ops.normalize, [normal(3, 4)], None),
    "normalize_l3": (lambda x: ops.normalize(x, order=3), [normal(3, 4)], None),
    "rms_normalization": (ops.rms_normalization, [normal(3, 4), normal(4)], None),
    "psnr": (lambda a, b: ops.psnr(a, b, 1.0), [normal(3, 4), normal(3, 4)], None),
    "depth_to_space": (lambda x: ops.depth_to_space(x, 2), [normal(1, 2, 3, 8)], None),
    "space_to_depth": (lambda x: ops.space_to_depth(x, 2, data_format="channels_first"), [normal(1, 2, 4, 6)], None),
    "adaptive_average_pool": (lambda x: ops.adaptive_average_pool(x, (2, 3)), [normal(2, 5, 7, 2)], None),
    "adaptive_max_pool": (lambda x: ops.adaptive_max_pool(x, 2, data_format="channels_first"),
                          [normal(1, 2, 5, 4)], None),
    "unfold": (lambda x: ops.unfold(x, 2, padding=1, stride=2), [normal(1, 2, 4, 5)], None),
    "fold": (lambda x: ops.fold(x, (4, 5), 2, padding=1, stride=2), [normal(1, 8, 9)], None),
    "ctc_loss": (lambda x: ops.ctc_loss(np.array([[1, 2, 2], [3, 0, 0]]), x, np.array([3, 1]), np.array([6, 4])),
                 [normal(2, 6, 4)], None),
    # signal
    "fft": (lambda a, b: ops.fft((a, b)), [normal(2, 5), normal(2, 5)], None),
    "fft2": (lambda a, b: ops.fft2((a, b)), [normal(3, 4), normal(3, 4)], None),
    "ifft2": (lambda a, b: ops.ifft2((a, b)), [normal(3, 4), normal(3, 4)], None),
    "rfft": (lambda x: ops.rfft(x, 6), [normal(2, 5)], None),
    "irfft": (lambda a, b: ops.irfft((a, b), 6), [normal(2, 4), normal(2, 4)], None),
    "irfft_odd": (lambda a, b: ops.irfft((a, b), 7), [normal(4), normal(4)], None),
    "stft": (lambda x: ops.stft(x, 6, 3, 8), [normal(2, 20)], None),
    "istft": (lambda a, b: ops.istft((a, b), 6, 3, 8), [normal(2, 5, 5), normal(2, 5, 5)], None),
    # image
    "resize": (lambda x: ops.image.resize(x, (3, 5)), [normal(2, 4, 6, 2)], None),
    "affine_transform": (lambda x: ops.image.affine_transform(x, np.array([1.0, 0.1, 0.3, -0.2, 0.9, 0.4, 0, 0])),
                         [normal(1, 5, 6, 2)], None),
    "crop_images": (lambda x: ops.image.crop_images(x, 1, 1, target_height=2, target_width=3), [normal(1, 4, 5, 2)],
                    None),
    "pad_images": (lambda x: ops.image.pad_images(x, 1, 2, 1, 0), [normal(4, 5, 2)], None),
    "rgb_to_grayscale": (ops.image.rgb_to_grayscale, [normal(1, 3, 4, 3)], None),
    "rgb_to_hsv": (ops.image.rgb_to_hsv, [uniform(0.1, 0.9, 1, 3, 4, 3)], None),
    "hsv_to_rgb": (ops.image.hsv_to_rgb, [uniform(0.05, 0.95, 1, 3, 4, 3)], None),
    "gaussian_blur": (lambda x: ops.image.gaussian_blur(x, (3, 5), (1.0, 2.0)), [normal(1, 5, 6, 2)], None),
    "sobel_edges": (ops.image.sobel_edges, [normal(1, 4, 5, 2)], None),
    "extract_patches": (lambda x: ops.image.extract_patches(x, 2, strides=1), [normal(1, 4, 5, 2)], None),
    "ssim": (lambda a, b: ops.image.ssim(a, b, filter_size=3), [uniform(0, 1, 2, 5, 5, 2), uniform(0, 1, 2, 5, 5, 2)],
             None),
    "map_coordinates": (lambda x: ops.image.map_coordinates(x, np.array([[0.3, 2.6, -0.4], [1.2, 0.7, 2.5]]), 1),
                        [normal(3, 4)], None),
    # core
    "slice": (lambda x: ops.slice(x, (1, 0), (2, 3)), [normal(3, 4)], None),
    "slice_update": (lambda x, u: ops.slice_update(x, (1, 1), u), [normal(3, 4), normal(2, 2)], None),
    "scatter": (lambda v: ops.scatter(np.array([[0, 1], [2, 3], [0, 1]]), v, (3, 4)), [normal(3)], None),
    "scatter_update": (lambda x, u: ops.scatter_update(x, np.array([[0, 1], [2, 3]]), u), [normal(3, 4), normal(2)],
                       None),
    "scatter_update_mul": (lambda x, u: ops.scatter_update(x, np.array([[0], [2], [0]]), u, reduction="mul"),
                           [normal(3, 4), normal(3, 4)], None),
    "scatter_update_max": (lambda x, u: ops.scatter_update(x, np.array([[0], [2]]), u, reduction="max"),
                           [normal(3, 4), normal(2, 4)], None),
    "segment_sum": (lambda x: ops.segment_sum(x, np.array([0, 2, 0, 1])), [normal(4, 3)], None),
    "segment_max": (lambda x: ops.segment_max(x, np.array([0, 2, 0, 1])), [normal(4, 3)], None),
    "segment_prod": (lambda x: ops.segment_prod(x, np.array([0, 2, 0, 1])), [normal(4, 3)], None),
    "segment_prod_zeros": (lambda x: ops.segment_prod(x * np.array([[0.0], [1], [1], [1]]), np.array([0, 2, 0, 1])),
                           [normal(4, 3)], None),
    "unstack": (lambda x: ops.unstack(x, axis=1)[2], [normal(3, 4)], None),
    "scan": (lambda c, x: ops.scan(lambda carry, row: (carry * row + 1.0, carry), c, x)[0], [normal(4), normal(3, 4)],
             None),
    "associative_scan": (lambda x: ops.associative_scan(ops.multiply, x, axis=1), [normal(2, 4)], None),
    "map": (lambda x: ops.map(lambda row: ops.sum(row * row), x), [normal(3, 4)], None),
    "fori_loop": (lambda x: ops.fori_loop(0, 3, lambda i, v: ops.sin(v) * (i + 1), x), [normal(3)], None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, inputs, _ = CASES[name]
    gradcheck(fn, inputs)


def _torch_call(name, torch):
    import torch as t

    special = {
        "erfc": t.special.erfc, "erfinv": t.special.erfinv, "i0": t.special.i0, "sinc": t.sinc,
        "deg2rad": t.deg2rad, "rad2deg": t.rad2deg, "exp2": t.exp2, "logaddexp2": t.logaddexp2,
        "roll": lambda x: t.roll(x, (1, -2), (0, 1)), "rot90": lambda x: t.rot90(x, 1, (0, 1)),
        "tril": lambda x: t.tril(x, -1), "triu": lambda x: t.triu(x, 1), "diag": lambda x: t.diag(x, 1),
        "diagonal": lambda x: t.diagonal(x, 1, 1, 2), "diff": lambda x: t.diff(t.diff(x)),
        "corrcoef": t.corrcoef, "outer": t.outer, "inner": t.inner, "kron": t.kron, "cross": t.linalg.cross,
        "cdist": t.cdist, "inv": t.linalg.inv, "det": t.linalg.det, "logdet": t.logdet, "solve": t.linalg.solve,
        "pinv": t.linalg.pinv, "threshold": lambda x: t.nn.functional.threshold(x, 0.1, -1.0),
        "fmod": t.fmod, "remainder": t.remainder,
    }
    key = CASES[name][2]
    return special.get(name, special.get(key, getattr(t, key, None)))


@pytest.mark.parametrize("name", sorted(n for n, case in CASES.items() if case[2]))
def test_agrees_with_torch(name):
    torch = pytest.importorskip("torch")
    fn, inputs, _ = CASES[name]
    torch_fn = _torch_call(name, torch)
    ours = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in inputs]
    theirs = [torch.tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in inputs]
    y = fn(*ours)
    z = torch_fn(*theirs)
    np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=1e-6, atol=1e-8)
    weights = np.random.default_rng(0).normal(size=y.data.shape)
    (y * weights).sum().backward()
    (z * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-5, atol=1e-8)
