"""The backward walk: shared subgraphs, unreached branches, deep chains, freeing, Tensor conveniences."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import Function, gradcheck


def test_diamond_graph_runs_each_op_once_after_all_its_consumers():
    calls = []

    class Double(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            calls.append(gy.copy())
            return gy * 2

    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    h = Double.apply(x)                 # used by three consumers below
    y = (h * h + ops.exp(h) + h * 3.0).sum()
    y.backward()
    h_val = 2 * x.data
    expected_gh = 2 * h_val + np.exp(h_val) + 3.0
    assert len(calls) == 1              # Double.backward ran once, with the fully summed gradient
    np.testing.assert_allclose(calls[0], expected_gh, rtol=1e-6)
    np.testing.assert_allclose(x.grad, 2 * expected_gh, rtol=1e-6)


def test_a_branch_that_returns_no_gradient_still_releases_its_inputs():
    class StopGradient(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            return None

    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    y = (StopGradient.apply(h) * h).sum()   # d/dx = 3 * stop(h) only
    y.backward()
    np.testing.assert_allclose(x.grad, 3.0 * h.data)


def test_an_op_whose_output_gets_no_gradient_passes_none_on():
    class Blocked(Function):
        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            return None

    x = nn.Tensor([1.0], requires_grad=True)
    (ops.exp(Blocked.apply(x * 2.0)) + x).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0])


def test_a_deep_chain_needs_no_recursion():
    x = nn.Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0])


def test_backward_frees_saved_arrays():
    x = nn.Tensor(np.ones(3), requires_grad=True)
    h = ops.exp(x)
    y = (h * x).sum()
    fn = h._ctx
    assert hasattr(fn, "y")
    y.backward()
    assert fn.inputs is None and not hasattr(fn, "y")


def test_retain_graph_gives_the_same_gradient_twice_on_a_diamond():
    x = nn.Tensor([0.5, -1.0], requires_grad=True)
    h = ops.tanh(x)
    y = (h * h + h).sum()
    y.backward(retain_graph=True)
    first = x.grad.copy()
    x.grad = None
    y.backward()
    np.testing.assert_allclose(x.grad, first)


def test_two_losses_from_one_leaf_accumulate():
    w = nn.Tensor([2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [3.0 + 4.0])


def test_constants_never_get_gradients_and_no_grad_records_nothing():
    c = np.array([1.0, 2.0])
    x = nn.Tensor([3.0, 4.0], requires_grad=True)
    y = x * c
    assert y._ctx.needs_input_grad == (True, False)
    with nn.no_grad():
        z = ops.tanh(x) + x
    assert z._ctx is None and not z.requires_grad


def test_grad_through_an_int_cast_raises_a_clear_error():
    x = nn.Tensor([1.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        ops.cast(x, "int64").sum().backward()


def test_gradcheck_of_a_composite_with_shared_nodes(rng):
    def f(a, b):
        h = ops.tanh(a @ b)
        return ops.log_softmax(h * h + h, axis=-1) + ops.mean(h, axis=0, keepdims=True)

    gradcheck(f, [rng.standard_normal((3, 4)), rng.standard_normal((4, 5))])


# ----------------------------------------------------------------------------- Tensor conveniences
def test_tensor_formatting_and_conversions():
    t = nn.Tensor([[1.0, 2.0]], requires_grad=True)
    assert f"{t.sum():.2f}" == "3.00"
    assert t.tolist() == [[1.0, 2.0]] and t.sum().item() == 3.0 and float(t.sum()) == 3.0
    assert "requires_grad=True" in repr(t) and "float32" in repr(t)
    assert t.T.shape == (2, 1) and t.astype("float64").dtype == np.float64


def test_tensor_boolean_and_integer_operators_are_constants():
    x = nn.Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    mask = (x > 0) & ~(x > 1)
    assert mask.tolist() == [False, True, False] and not mask.requires_grad
    assert ((x < 0) | (x > 1)).tolist() == [True, False, True]
    assert (nn.Tensor(np.array([7, 8])) // 3).tolist() == [2, 2]
    assert (nn.Tensor(np.array([7, 8])) % 3).tolist() == [1, 2]


def test_tensor_methods_are_differentiable():
    x = nn.Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    y = x.abs().sum() + x.square().mean() + x.clip(0.0, 2.0).sum() + x.flatten()[1] + x.max(axis=0).sum()
    y.backward()
    expected = np.sign(x.data) + 2 * x.data / 4 + ((x.data >= 0) & (x.data <= 2)) + np.array([[0, 1], [0, 0]])
    expected = expected + np.array([[0, 0], [1, 1]])
    np.testing.assert_allclose(x.grad, expected)
    assert x.argmax(axis=1).tolist() == [0, 0] and x.var().item() == pytest.approx(np.var(x.data))


def test_iterating_a_tensor_gives_differentiable_rows():
    x = nn.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(rows) == 2
    (rows[1] * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.0], [2.0, 2.0]])


def test_list_constants_become_floatx_arrays_like_tensor_data():
    assert ops.relu([-1.0, 2.0]).dtype == np.float32
    x = nn.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    y = ops.multiply(x, [2.0, 3.0])
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.tolist() == [2.0, 3.0]
    with nn.no_grad():
        assert ops.relu([-1.0, 2.0]).dtype == np.float32


def test_leaf_gradients_are_writable_even_from_a_broadcast():
    x = nn.Tensor(np.ones((300, 300)), requires_grad=True)   # large: Sum's backward is a broadcast view
    ops.sum(x).backward()
    x.grad *= 0.5                                            # in-place clipping/scaling must work
    assert x.grad.flags.writeable and x.grad[0, 0] == 0.5
    y = nn.Tensor(np.ones(3), requires_grad=True)
    ops.broadcast_to(y, (4, 3)).sum().backward()
    y.grad += 1.0
    assert y.grad.tolist() == [5.0, 5.0, 5.0]


def test_iterating_a_scalar_tensor_is_an_error():
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(nn.Tensor(1.0))
