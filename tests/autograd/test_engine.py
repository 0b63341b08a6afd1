import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import Function, GradcheckError, gradcheck, unbroadcast


def test_gradients_accumulate_when_a_tensor_is_used_twice():
    x = nn.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x + x).sum()      # dy/dx = 2x + 1
    y.backward()
    np.testing.assert_allclose(x.grad, [3.0, 5.0, 7.0])


def test_backward_accumulates_across_calls_until_zeroed():
    x = nn.Tensor([2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0])
    x.zero_grad()
    assert x.grad is None


def test_graph_is_freed_after_backward():
    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])


def test_no_grad_records_nothing():
    x = nn.Tensor([1.0], requires_grad=True)
    with nn.no_grad():
        y = x * 2.0
    assert not y.requires_grad and y._ctx is None
    z = x * 2.0
    assert z.requires_grad


def test_nested_no_grad_restores_the_outer_mode():
    x = nn.Tensor([1.0], requires_grad=True)
    with nn.no_grad():
        with nn.no_grad():
            pass
        assert not nn.is_grad_enabled() and not (x * 2.0).requires_grad  # still inside the outer block
        with nn.enable_grad():
            assert (x * 2.0).requires_grad
        assert not nn.is_grad_enabled()
    assert nn.is_grad_enabled() and (x * 2.0).requires_grad


def test_backward_of_non_scalar_needs_a_grad():
    x = nn.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2.0).backward()
    (x * 2.0).backward(np.array([1.0, 10.0], dtype=np.float32))
    np.testing.assert_allclose(x.grad, [2.0, 20.0])


def test_unbroadcast_sums_added_and_stretched_axes():
    g = np.ones((4, 3, 5))
    assert unbroadcast(g, (3, 1)).tolist() == [[20.0]] * 3
    assert unbroadcast(g, (5,)).tolist() == [12.0] * 5
    assert unbroadcast(g, ()).item() == 60.0


def test_broadcast_gradient_is_summed_back_to_the_input_shape():
    a = nn.Tensor(np.ones((4, 3)), requires_grad=True)
    b = nn.Tensor(np.ones((3,)), requires_grad=True)
    (a * b).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad, [4.0, 4.0, 4.0])


def test_backward_is_told_which_inputs_need_a_gradient():
    seen = {}

    class Probe(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, gy):
            seen["needs"] = self.needs_input_grad
            return gy, None

    a = nn.Tensor([1.0], requires_grad=True)
    Probe.apply(a, np.array([2.0])).sum().backward()
    assert seen["needs"] == (True, False)


def test_float32_stays_float32_with_python_scalars():
    x = nn.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    y = ops.exp(x * 2.0 + 1.0) / 3.0
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_default_dtype_follows_floatx(float64):
    assert nn.Tensor([1.0]).dtype == np.float64


def test_default_dtype_is_float32():
    assert nn.Tensor([1.0, 2.0]).dtype == np.float32
    assert nn.Tensor(3.0).dtype == np.float32


def test_multi_output_function_receives_zero_grads_for_unused_outputs():
    class SplitTwo(Function):
        def forward(self, x):
            return x[:1].copy(), x[1:].copy()

        def backward(self, gy):
            g0, g1 = gy
            return np.concatenate([g0, g1])

    x = nn.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    first, rest = SplitTwo.apply(x)
    (first * 5.0).sum().backward()
    np.testing.assert_allclose(x.grad, [5.0, 0.0, 0.0])


def test_retain_grad_keeps_intermediate_gradients():
    x = nn.Tensor([1.0, -2.0], requires_grad=True)
    h = (x * 3.0).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)


def test_comparisons_and_indexing():
    x = nn.Tensor([1.0, 5.0, 3.0], requires_grad=True)
    assert (x > 2.0).data.tolist() == [False, True, True]
    y = x[1:] * 2.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 2.0, 2.0])
    x.grad = None
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 0.0, 1.0])


def test_requires_grad_only_for_floats():
    with pytest.raises(TypeError, match="floating"):
        nn.Tensor([1, 2], requires_grad=True)


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(Function):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, gy):
            return gy * self.x  # should be 2x

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(lambda x: WrongSquare.apply(x), [np.random.randn(3)])
    with pytest.raises(GradcheckError, match="random direction"):
        gradcheck(lambda x: WrongSquare.apply(x), [np.random.randn(100)])


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((2, 3, 4), (4, 5)),
                                    ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_gradients(shapes):
    rng = np.random.default_rng(0)
    gradcheck(lambda a, b: a @ b, [rng.standard_normal(s) for s in shapes])


def test_variable_assign_checks_shape():
    v = nn.Variable(np.zeros((2, 3)), name="w")
    v.assign(np.ones((2, 3)))
    assert v.data.sum() == 6
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\), received \(3, 2\)"):
        v.assign(np.ones((3, 2)))
    assert v.requires_grad and v.trainable
