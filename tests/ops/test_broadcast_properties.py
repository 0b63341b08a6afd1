"""Property tests: for random broadcast-compatible shapes, gradients have the input's shape and the
value the chain rule gives; ``unbroadcast`` is the adjoint of ``broadcast_to`` (sum semantics)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuronet as nn
from neuronet import ops
from neuronet.autograd import unbroadcast


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast together: leading axes may be dropped, axes may be set to 1."""
    full = draw(st.lists(st.integers(1, 3), min_size=0, max_size=4))

    def derive():
        drop = draw(st.integers(0, len(full)))
        return tuple(1 if draw(st.booleans()) else n for n in full[drop:])

    return tuple(full), derive(), derive()


def reference_reduce(g_full: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g_full`` into ``shape`` element by element (the definition of broadcasting's adjoint)."""
    out = np.zeros(shape)
    offset = g_full.ndim - len(shape)
    for idx in np.ndindex(g_full.shape):
        target = tuple(0 if shape[k] == 1 else idx[k + offset] for k in range(len(shape)))
        out[target] += g_full[idx]
    return out


# op -> (d(a op b)/da, d(a op b)/db) as NumPy functions of the broadcast operands
DERIVATIVES = {
    ops.add: (lambda a, b: np.ones_like(a * b), lambda a, b: np.ones_like(a * b)),
    ops.subtract: (lambda a, b: np.ones_like(a * b), lambda a, b: -np.ones_like(a * b)),
    ops.multiply: (lambda a, b: b * np.ones_like(a), lambda a, b: a * np.ones_like(b)),
    ops.divide: (lambda a, b: 1 / b * np.ones_like(a), lambda a, b: -a / b**2),
}


@settings(max_examples=60, deadline=None)
@given(shapes=broadcast_pair(), op=st.sampled_from(sorted(DERIVATIVES, key=lambda f: f.__name__)),
       seed=st.integers(0, 2**16))
def test_gradient_of_sum_of_a_binary_op_has_each_inputs_shape_and_value(shapes, op, seed):
    _, shape_a, shape_b = shapes
    rng = np.random.default_rng(seed)
    a_val = rng.uniform(0.5, 2.0, shape_a)
    b_val = rng.uniform(0.5, 2.0, shape_b)
    a, b = nn.Tensor(a_val, requires_grad=True), nn.Tensor(b_val, requires_grad=True)
    ops.sum(op(a, b)).backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    da, db = DERIVATIVES[op]
    np.testing.assert_allclose(a.grad, reference_reduce(np.asarray(da(a_val, b_val)), shape_a), rtol=1e-12)
    np.testing.assert_allclose(b.grad, reference_reduce(np.asarray(db(a_val, b_val)), shape_b), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_unbroadcast_is_the_adjoint_of_broadcast_to(shapes, seed):
    full, small, _ = shapes
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(small)
    g = rng.standard_normal(full)
    reduced = unbroadcast(g, small)
    assert reduced.shape == small
    # <broadcast_to(x), g> == <x, unbroadcast(g)>
    np.testing.assert_allclose(np.sum(np.broadcast_to(x, full) * g), np.sum(x * reduced), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(reduced, reference_reduce(g, small), rtol=1e-12, atol=1e-12)
    # broadcasting ones and summing back counts the copies of each element
    copies = np.prod(full, dtype=np.int64) // max(np.prod(small, dtype=np.int64), 1)
    np.testing.assert_allclose(unbroadcast(np.broadcast_to(x, full), small), x * copies, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_broadcast_to_op_gradient_sums_back(shapes, seed):
    full, small, _ = shapes
    rng = np.random.default_rng(seed)
    x = nn.Tensor(rng.standard_normal(small), requires_grad=True)
    w = rng.standard_normal(full)
    (ops.broadcast_to(x, full) * nn.Tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad, reference_reduce(w, small), rtol=1e-12, atol=1e-12)


@st.composite
def shape_and_axis(draw):
    """A shape and a valid axis argument for it: None, one axis or a tuple of distinct axes."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    ndim = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return shape, tuple(a - ndim if draw(st.booleans()) else a for a in axes)


@settings(max_examples=60, deadline=None)
@given(case=shape_and_axis(), keepdims=st.booleans(), seed=st.integers(0, 2**16))
def test_reduction_gradients_have_the_input_shape_and_value(case, keepdims, seed):
    shape, axis = case
    x_val = np.random.default_rng(seed).standard_normal(shape)
    expected_shape = np.sum(x_val, axis=axis, keepdims=keepdims).shape
    count = x_val.size // max(np.size(np.sum(x_val, axis=axis)), 1)
    for op, expected_grad in [(ops.sum, 1.0), (ops.mean, 1.0 / count)]:
        x = nn.Tensor(x_val, requires_grad=True)
        y = op(x, axis=axis, keepdims=keepdims)
        assert y.shape == expected_shape
        ops.sum(y).backward()
        assert x.grad.shape == shape
        np.testing.assert_allclose(x.grad, np.full(shape, expected_grad), rtol=1e-12)
    x = nn.Tensor(x_val, requires_grad=True)
    ops.sum(ops.max(x, axis=axis, keepdims=keepdims)).backward()
    # continuous random values have no ties: exactly one 1 per reduced group, at the maximum
    assert x.grad.shape == shape and x.grad.sum() == pytest.approx(np.size(np.max(x_val, axis=axis)))
    np.testing.assert_array_equal(x.grad == 1, x_val == np.max(x_val, axis=axis, keepdims=True))
