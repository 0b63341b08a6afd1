"""neuronet.ops elementwise math: gradients (with broadcasting), PyTorch oracle, kinks, dtypes."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import gradcheck

BROADCAST_PAIRS = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1, 4), (3, 4)), ((2, 3), (2, 1))]


def positive(shape, rng, low=0.5, high=2.0):
    return rng.uniform(low, high, size=shape)


def separated(shape_a, shape_b, rng):
    """Two arrays whose broadcast elements differ by at least 0.1 (away from max/min ties)."""
    a = rng.standard_normal(shape_a)
    b = rng.standard_normal(shape_b)
    gap = np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(b))) - b
    while np.any(np.abs(gap) < 0.1):
        b = rng.standard_normal(shape_b)
        gap = np.broadcast_to(a, np.broadcast_shapes(np.shape(a), np.shape(b))) - b
    return a, b


BINARY = {
    "add": (ops.add, lambda s, t, r: (r.standard_normal(s), r.standard_normal(t))),
    "subtract": (ops.subtract, lambda s, t, r: (r.standard_normal(s), r.standard_normal(t))),
    "multiply": (ops.multiply, lambda s, t, r: (r.standard_normal(s), r.standard_normal(t))),
    "divide": (ops.divide, lambda s, t, r: (r.standard_normal(s), positive(t, r))),
    "power": (ops.power, lambda s, t, r: (positive(s, r), r.standard_normal(t))),
    "maximum": (ops.maximum, separated),
    "minimum": (ops.minimum, separated),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_binary_op_gradients_with_broadcasting(name, shapes, rng):
    fn, make = BINARY[name]
    gradcheck(fn, list(make(*shapes, rng)))


UNARY = {
    "negative": (ops.negative, lambda s, r: r.standard_normal(s)),
    "square": (ops.square, lambda s, r: r.standard_normal(s)),
    "sqrt": (ops.sqrt, positive),
    "exp": (ops.exp, lambda s, r: r.standard_normal(s)),
    "expm1": (ops.expm1, lambda s, r: r.standard_normal(s)),
    "log": (ops.log, positive),
    "log1p": (ops.log1p, lambda s, r: r.uniform(-0.5, 2.0, s)),
    "reciprocal": (ops.reciprocal, positive),
    "abs": (ops.abs, lambda s, r: np.where(r.random(s) < 0.5, -1, 1) * positive(s, r)),
    "clip": (lambda x: ops.clip(x, -0.5, 0.5), lambda s, r: r.choice([-0.9, -0.3, 0.2, 0.4, 0.8], size=s)),
    "cast": (lambda x: ops.cast(x, "float64") * 2.0, lambda s, r: r.standard_normal(s)),
    "pow_scalar": (lambda x: x ** 3, lambda s, r: r.standard_normal(s)),
    "rpow_scalar": (lambda x: 2.0 ** x, lambda s, r: r.standard_normal(s)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 4)], ids=str)
def test_unary_op_gradients(name, shape, rng):
    fn, make = UNARY[name]
    gradcheck(fn, [make(shape, rng)])


def test_where_gradients_go_to_the_chosen_input(rng):
    cond = rng.random((2, 3)) < 0.5
    gradcheck(lambda a, b: ops.where(cond, a, b), [rng.standard_normal((2, 3)), rng.standard_normal((3,))])
    a = nn.Tensor(np.ones((2, 3)), requires_grad=True)
    b = nn.Tensor(np.ones((2, 3)), requires_grad=True)
    ops.where(cond, a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, cond)
    np.testing.assert_array_equal(b.grad, ~cond)


def test_where_with_only_a_condition_gives_indices():
    rows, cols = ops.where(np.array([[True, False], [False, True]]))
    assert rows.data.tolist() == [0, 1] and cols.data.tolist() == [0, 1]


def test_float_constants_combine_as_in_numpy():
    a = nn.Tensor(np.array([1.0, 2.0]), requires_grad=True)   # float64
    y = 3.0 * a - 1.0 / a + a / 2.0 - (1.0 - a)
    y.sum().backward()
    np.testing.assert_allclose(a.grad, 3.0 + 1.0 / np.array([1.0, 4.0]) + 0.5 + 1.0)


# ----------------------------------------------------------------------------- PyTorch oracle
def compare_with_torch(fn, torch_fn, arrays, torch):
    tensors = [nn.Tensor(a, requires_grad=True) for a in arrays]
    y = fn(*tensors)
    w = np.random.default_rng(3).standard_normal(y.shape)
    (y * nn.Tensor(w)).sum().backward()
    torch_tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    ty = torch_fn(*torch_tensors)
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-6, rtol=1e-6)
    for t, tt in zip(tensors, torch_tensors):
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_match_torch(name, rng):
    torch = pytest.importorskip("torch")
    torch_fns = {"add": torch.add, "subtract": torch.sub, "multiply": torch.mul, "divide": torch.div,
                 "power": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum}
    fn, make = BINARY[name]
    compare_with_torch(fn, torch_fns[name], make((2, 1, 4), (3, 4), rng), torch)


@pytest.mark.parametrize("name", ["negative", "square", "sqrt", "exp", "expm1", "log", "log1p", "reciprocal",
                                  "abs"])
def test_unary_ops_match_torch(name, rng):
    torch = pytest.importorskip("torch")
    torch_fn = {"negative": torch.neg, "square": torch.square}.get(name, getattr(torch, name))
    fn, make = UNARY[name]
    compare_with_torch(fn, torch_fn, [make((3, 4), rng)], torch)


def test_clip_and_matmul_match_torch(rng):
    torch = pytest.importorskip("torch")
    compare_with_torch(lambda x: ops.clip(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5),
                       [np.array([-1.0, -0.5, 0.0, 0.5, 2.0])], torch)
    compare_with_torch(ops.matmul, torch.matmul, [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 5))], torch)
    compare_with_torch(ops.matmul, torch.matmul, [rng.standard_normal((5, 4)), rng.standard_normal((4, 3))], torch)


# ----------------------------------------------------------------------------- kinks
def grads(fn, *values):
    tensors = [nn.Tensor(np.array(v, dtype=np.float64), requires_grad=True) for v in values]
    fn(*tensors).sum().backward()
    return [t.grad.tolist() for t in tensors]


def test_abs_has_zero_gradient_at_zero():
    assert grads(ops.abs, [-2.0, 0.0, 3.0]) == [[-1.0, 0.0, 1.0]]


def test_maximum_and_minimum_split_ties_evenly_like_torch():
    assert grads(ops.maximum, [1.0, 2.0, 3.0], [1.0, 5.0, 0.0]) == [[0.5, 0.0, 1.0], [0.5, 1.0, 0.0]]
    assert grads(ops.minimum, [1.0, 2.0, 3.0], [1.0, 5.0, 0.0]) == [[0.5, 1.0, 0.0], [0.5, 0.0, 1.0]]


def test_clip_passes_the_gradient_at_its_bounds():
    assert grads(lambda x: ops.clip(x, 0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0]) == [[0.0, 1.0, 1.0, 1.0, 0.0]]


def test_sign_has_zero_gradient():
    assert grads(ops.sign, [-2.0, 3.0]) == [[0.0, 0.0]]


# ----------------------------------------------------------------------------- dtypes and no-grad ops
@pytest.mark.parametrize("fn", [lambda a, b: a + b, lambda a, b: a * b - b, lambda a, b: a / b, ops.maximum,
                                lambda a, b: a ** 2.0 + ops.sqrt(ops.abs(b)) + ops.exp(a) * 0.5,
                                lambda a, b: ops.where(a > 0, a, b * 2.0), lambda a, b: ops.clip(a, -1.0, 1.0) + b,
                                lambda a, b: ops.power(ops.abs(a) + 1.0, b)])
def test_float32_stays_float32(fn):
    a = nn.Tensor(np.linspace(-1, 1, 6, dtype=np.float32), requires_grad=True)
    b = nn.Tensor(np.linspace(0.5, 2, 6, dtype=np.float32), requires_grad=True)
    y = fn(a, b)
    y.sum().backward()
    assert y.dtype == np.float32 and a.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_cast_to_integer_carries_no_gradient():
    x = nn.Tensor([1.5, 2.5], requires_grad=True)
    y = ops.cast(x, "int32")
    assert y.dtype == np.int32 and not y.requires_grad


def test_cast_gradient_comes_back_in_the_input_dtype():
    x = nn.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (ops.cast(x, "float64") * 2.0).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_comparisons_are_constants():
    a, b = nn.Tensor([1.0, 2.0], requires_grad=True), np.array([2.0, 2.0])
    assert ops.less(a, b).data.tolist() == [True, False]
    assert ops.greater_equal(a, b).data.tolist() == [False, True]
    assert ops.equal(a, b).data.tolist() == [False, True]
    assert not ops.not_equal(a, b).requires_grad
    assert ops.logical_and(ops.less(a, 3.0), ops.greater(a, 1.5)).data.tolist() == [False, True]
    assert ops.round(nn.Tensor([1.4, 2.6])).data.tolist() == [1.0, 3.0]


# ----------------------------------------------------------------------------- more elementwise ops, constants
@pytest.mark.parametrize("fn,torch_name,make", [(ops.sin, "sin", lambda r: r.standard_normal((2, 3))),
                                                (ops.cos, "cos", lambda r: r.standard_normal((2, 3))),
                                                (ops.rsqrt, "rsqrt", lambda r: r.uniform(0.5, 2, (2, 3)))])
def test_trig_and_rsqrt(fn, torch_name, make, rng):
    x = make(rng)
    gradcheck(fn, [x])
    torch = pytest.importorskip("torch")
    compare_with_torch(fn, getattr(torch, torch_name), [x], torch)


def test_stop_gradient_cuts_the_graph():
    x = nn.Tensor([2.0], requires_grad=True)
    (x * ops.stop_gradient(x * 3.0)).sum().backward()
    assert x.grad.tolist() == [6.0]


def test_constant_constructors(float64):
    assert ops.zeros((2, 3)).dtype == np.float64 and ops.zeros((2, 3)).data.sum() == 0
    assert ops.ones(2, dtype="int32").data.tolist() == [1, 1]
    assert ops.full((2,), 7.0).data.tolist() == [7.0, 7.0]
    x = nn.Tensor(np.ones((2, 2), dtype=np.float32))
    assert ops.zeros_like(x).dtype == np.float32 and ops.full_like(x, 3).data.max() == 3
    assert ops.ones_like(x).data.sum() == 4
    assert ops.arange(3).data.tolist() == [0, 1, 2] and ops.eye(2).data.tolist() == [[1, 0], [0, 1]]


# ----------------------------------------------------------------------------- matmul and einsum
@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 3)), ((2, 3), (3,)), ((2, 2, 3), (3, 4)),
                                    ((3, 4), (2, 4, 5)), ((4,), (4,))], ids=str)
def test_matmul_gradients_and_float32(shapes, rng):
    gradcheck(ops.matmul, [rng.standard_normal(s) for s in shapes])
    a = nn.Tensor(rng.standard_normal(shapes[0]).astype(np.float32), requires_grad=True)
    b = nn.Tensor(rng.standard_normal(shapes[1]).astype(np.float32), requires_grad=True)
    y = ops.matmul(a, b)
    (y * 1.0).sum().backward()
    assert y.dtype == a.grad.dtype == b.grad.dtype == np.float32


@pytest.mark.parametrize("spec,shapes", [("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]), ("ij,k->ik", [(2, 3), (4,)]),
                                         ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 4, 2)]), ("ij->", [(2, 3)]),
                                         ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("ij,ij", [(2, 3), (2, 3)])])
def test_einsum_gradients_and_torch(spec, shapes, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    gradcheck(lambda *xs: ops.einsum(spec, *xs), arrays)
    np.testing.assert_allclose(ops.einsum(spec, *arrays).data, np.einsum(spec, *arrays))
    torch = pytest.importorskip("torch")
    compare_with_torch(lambda *xs: ops.einsum(spec, *xs), lambda *xs: torch.einsum(spec, *xs), arrays, torch)


def test_einsum_errors():
    with pytest.raises(ValueError, match="einsum: 'ij,jk' names 2 operands, received 1"):
        ops.einsum("ij,jk", np.ones((2, 2)))
    with pytest.raises(ValueError, match="einsum: term 'ijk' has 3 letters but its operand has rank 2"):
        ops.einsum("ijk->i", np.ones((2, 2)))
    with pytest.raises(ValueError, match="ellipsis"):
        ops.einsum("...i->i", np.ones((2, 2)))


@pytest.mark.parametrize("call,message", [
    (lambda: ops.matmul(np.ones((2, 4)), np.ones((3, 5))),
     r"matmul: the last axis of x1 \(shape \(2, 4\)\) must match the second-to-last axis of x2 \(shape \(3, 5\)\)"),
    (lambda: ops.matmul(np.ones((2, 3, 4)), np.ones((5, 6))), "matmul: the last axis of x1"),
    (lambda: ops.matmul(np.ones((2, 2, 4)), np.ones((3, 4, 5))), "matmul: the batch axes"),
    (lambda: ops.matmul(np.ones(3), np.ones(4)), r"the only axis of x2 \(shape \(4,\)\): 3 != 4"),
    (lambda: nn.Tensor(np.ones((2, 3))) + np.ones(4), r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"),
    (lambda: ops.multiply(np.ones(2), np.ones(3)), "multiply: shapes"),
    (lambda: ops.where(np.ones(2, bool), np.ones(3), 0.0), r"where: shapes \(2,\) and \(3,\) and \(\)"),
])
def test_shape_mismatches_name_the_op_and_the_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_convert_to_tensor_keeps_gradients_through_a_dtype_change():
    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    assert ops.convert_to_tensor(x) is x and ops.convert_to_tensor(x, "float32") is x
    y = ops.convert_to_tensor(x, "float64")
    (y * 2.0).sum().backward()
    assert y.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0] and x.grad.dtype == np.float32
    assert ops.convert_to_tensor([1.0]).dtype == np.float32
    assert ops.convert_to_numpy(y) is y.data
