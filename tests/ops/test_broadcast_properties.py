"""Property tests: for random broadcast-compatible shapes, gradients have the input's shape and the
value the chain rule gives; ``unbroadcast`` is the adjoint of ``broadcast_to`` (sum semantics)."""

import numpy as np
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
