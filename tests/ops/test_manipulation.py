"""neuronet.ops shape ops: values match NumPy, gradients check, PyTorch oracle, one-line errors."""

import numpy as np
import pytest

import neuronet as nn
from neuronet import ops
from neuronet.autograd import gradcheck

R = np.random.default_rng(5)
IDX = R.integers(0, 4, size=(2, 3))

# name -> (neuronet function, NumPy twin, input shapes)
CASES = {
    "reshape": (lambda x: ops.reshape(x, (3, -1)), lambda x: x.reshape(3, -1), [(2, 3, 2)]),
    "reshape_int": (lambda x: ops.reshape(x, 6), lambda x: x.reshape(6), [(2, 3)]),
    "transpose": (lambda x: ops.transpose(x, (2, 0, 1)), lambda x: x.transpose(2, 0, 1), [(2, 3, 4)]),
    "transpose_none": (ops.transpose, np.transpose, [(2, 3, 4)]),
    "T": (lambda x: x.T, lambda x: x.T, [(2, 3)]),
    "swapaxes": (lambda x: ops.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1), [(2, 3, 4)]),
    "moveaxis": (lambda x: ops.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [(2, 3, 4)]),
    "moveaxis_many": (lambda x: ops.moveaxis(x, [0, 1], [2, 0]), lambda x: np.moveaxis(x, [0, 1], [2, 0]),
                      [(2, 3, 4)]),
    "expand_dims": (lambda x: ops.expand_dims(x, 1), lambda x: np.expand_dims(x, 1), [(2, 3)]),
    "expand_dims_neg": (lambda x: ops.expand_dims(x, -1), lambda x: np.expand_dims(x, -1), [(2, 3)]),
    "expand_dims_tuple": (lambda x: ops.expand_dims(x, (0, 2)), lambda x: np.expand_dims(x, (0, 2)), [(2, 3)]),
    "squeeze": (ops.squeeze, np.squeeze, [(2, 1, 3, 1)]),
    "squeeze_axis": (lambda x: ops.squeeze(x, axis=-1), lambda x: np.squeeze(x, axis=-1), [(2, 1, 3, 1)]),
    "ravel": (ops.ravel, np.ravel, [(2, 3)]),
    "broadcast_to": (lambda x: ops.broadcast_to(x, (2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4)), [(3, 1)]),
    "tile": (lambda x: ops.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), [(2, 3)]),
    "tile_short": (lambda x: ops.tile(x, 2), lambda x: np.tile(x, 2), [(2, 3)]),
    "repeat": (lambda x: ops.repeat(x, 2, axis=1), lambda x: np.repeat(x, 2, axis=1), [(2, 3)]),
    "repeat_flat": (lambda x: ops.repeat(x, 3), lambda x: np.repeat(x, 3), [(2, 2)]),
    "repeat_list": (lambda x: ops.repeat(x, [1, 0, 2], axis=0), lambda x: np.repeat(x, [1, 0, 2], axis=0),
                    [(3, 2)]),
    "concatenate": (lambda a, b: ops.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], axis=1),
                    [(2, 3), (2, 1)]),
    "concatenate_3": (lambda a, b, c: ops.concatenate([a, b, c]), lambda a, b, c: np.concatenate([a, b, c]),
                      [(1, 2), (2, 2), (1, 2)]),
    "stack": (lambda a, b: ops.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1), [(2, 3), (2, 3)]),
    "stack_last": (lambda a, b: ops.stack([a, b], axis=-1), lambda a, b: np.stack([a, b], axis=-1),
                   [(2, 3), (2, 3)]),
    "take": (lambda x: ops.take(x, IDX, axis=1), lambda x: np.take(x, IDX, axis=1), [(2, 4, 3)]),
    "take_flat": (lambda x: ops.take(x, [0, 5, 5, 1]), lambda x: np.take(x, [0, 5, 5, 1]), [(2, 3)]),
    "take_along_axis": (lambda x: ops.take_along_axis(x, IDX[:, :2], axis=1),
                        lambda x: np.take_along_axis(x, IDX[:, :2], axis=1), [(2, 4)]),
    "take_along_axis_0": (lambda x: ops.take_along_axis(x, IDX[:, :2], axis=0),
                          lambda x: np.take_along_axis(x, IDX[:, :2], axis=0), [(4, 2)]),
    "pad": (lambda x: ops.pad(x, ((1, 0), (2, 1))), lambda x: np.pad(x, ((1, 0), (2, 1))), [(2, 3)]),
    "pad_value": (lambda x: ops.pad(x, 1, constant_values=5.0), lambda x: np.pad(x, 1, constant_values=5.0),
                  [(2, 3)]),
    "pad_reflect": (lambda x: ops.pad(x, ((1, 2), (2, 0)), mode="reflect"),
                    lambda x: np.pad(x, ((1, 2), (2, 0)), mode="reflect"), [(3, 4)]),
    "pad_symmetric": (lambda x: ops.pad(x, (2, 1), mode="symmetric"),
                      lambda x: np.pad(x, (2, 1), mode="symmetric"), [(3, 2)]),
    "pad_edge": (lambda x: ops.pad(x, ((0, 2), (1, 1)), mode="edge"),
                 lambda x: np.pad(x, ((0, 2), (1, 1)), mode="edge"), [(2, 3)]),
    "pad_wrap": (lambda x: ops.pad(x, ((1, 1), (0, 0)), mode="wrap"),
                 lambda x: np.pad(x, ((1, 1), (0, 0)), mode="wrap"), [(3, 2)]),
    "flip": (lambda x: ops.flip(x, axis=1), lambda x: np.flip(x, axis=1), [(2, 3)]),
    "getitem_slice": (lambda x: x[1:, ::2], lambda x: x[1:, ::2], [(3, 4)]),
    "getitem_int": (lambda x: x[1, None, ..., -1], lambda x: x[1, None, ..., -1], [(3, 4, 2)]),
    "getitem_array": (lambda x: x[[0, 2, 0]], lambda x: x[[0, 2, 0]], [(3, 2)]),
    "getitem_pairs": (lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 0])],
                      lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 0])], [(2, 3)]),
    "getitem_mask": (lambda x: x[np.array([True, False, True])], lambda x: x[np.array([True, False, True])],
                     [(3, 2)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op_values_match_numpy(name):
    fn, twin, shapes = CASES[name]
    arrays = [R.standard_normal(s) for s in shapes]
    y = fn(*[nn.Tensor(a) for a in arrays])
    expected = twin(*arrays)
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.data, expected)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op_gradients(name):
    fn, _, shapes = CASES[name]
    gradcheck(fn, [R.standard_normal(s) for s in shapes])


def test_split_returns_a_list_and_gradients_flow_back(rng):
    x = rng.standard_normal((4, 6))
    parts = ops.split(nn.Tensor(x), 3, axis=1)
    assert isinstance(parts, list) and [p.shape for p in parts] == [(4, 2)] * 3
    np.testing.assert_array_equal(parts[2].data, x[:, 4:])
    gradcheck(lambda t: ops.split(t, [1, 3], axis=0)[1] * 2.0, [x])   # unused pieces get zero gradient
    gradcheck(lambda t: ops.split(t, 2, axis=-1), [x])


def test_shape_ops_match_torch(rng):
    torch = pytest.importorskip("torch")
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 2))
    cases = [
        (lambda x, y: ops.concatenate([x, y], axis=1), lambda x, y: torch.cat([x, y], dim=1)),
        (lambda x, y: ops.stack([x[:, :2], y], axis=0), lambda x, y: torch.stack([x[:, :2], y], dim=0)),
        (lambda x, y: ops.take_along_axis(x, np.array([[2, 2], [0, 1]]), axis=1) * y,
         lambda x, y: torch.gather(x, 1, torch.tensor([[2, 2], [0, 1]])) * y),
        (lambda x, y: ops.pad(x, ((1, 1), (0, 2))).sum() + ops.repeat(y, 2, axis=0).sum(),
         lambda x, y: torch.nn.functional.pad(x, (0, 2, 1, 1)).sum() + torch.repeat_interleave(y, 2, dim=0).sum()),
        (lambda x, y: ops.tile(x, (2, 2)).sum() * ops.take(y, np.array([1, 1]), axis=1),
         lambda x, y: x.repeat(2, 2).sum() * torch.index_select(y, 1, torch.tensor([1, 1]))),
    ]
    for fn, torch_fn in cases:
        ta, tb = nn.Tensor(a, requires_grad=True), nn.Tensor(b, requires_grad=True)
        y = fn(ta, tb)
        w = rng.standard_normal(y.shape)
        (y * nn.Tensor(w)).sum().backward()
        xa, xb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        ty = torch_fn(xa, xb)
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-6)
        np.testing.assert_allclose(ta.grad, xa.grad.numpy(), atol=1e-6)
        np.testing.assert_allclose(tb.grad, xb.grad.numpy(), atol=1e-6)


def test_basic_slice_gradient_is_exact_and_repeated_indices_accumulate():
    x = nn.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    (x[:, 1:] * 2.0).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 2.0], [0.0, 2.0, 2.0]]
    x.grad = None
    x[[1, 1, 0]].sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]


def test_one_hot():
    y = ops.one_hot(np.array([0, 2, 1]), 3)
    assert y.dtype == np.float32 and not y.requires_grad
    assert y.data.tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    assert ops.one_hot(np.array([[1], [5]]), 3).data.tolist() == [[[0, 1, 0]], [[0, 0, 0]]]  # out of range: zeros
    assert ops.one_hot(np.array([0, 1]), 3, axis=0).shape == (3, 2)
    with pytest.raises(ValueError, match="one_hot: num_classes must be a positive integer, received 0"):
        ops.one_hot([1], 0)


def test_float32_is_kept_by_shape_ops():
    x = nn.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = ops.concatenate([ops.pad(x, ((1, 1), (1, 2))), ops.tile(x, (2, 2)) * 1.0], axis=0)
    y = ops.stack([ops.reshape(y, (-1,)), ops.ravel(y)])
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("call,message", [
    (lambda: ops.reshape(np.ones((2, 3)), (4, 2)), r"reshape: cannot reshape an input of shape \(2, 3\)"),
    (lambda: ops.reshape(np.ones((2, 3)), (-1, -1)), "reshape: cannot reshape"),
    (lambda: ops.transpose(np.ones((2, 3)), (0, 0)), r"transpose: axes must be a permutation of range\(2\)"),
    (lambda: ops.expand_dims(np.ones((2, 3)), 3), r"expand_dims: axis must be an integer in \[-3, 3\)"),
    (lambda: ops.squeeze(np.ones((2, 1)), axis=0), "squeeze: can only remove axes of length 1"),
    (lambda: ops.concatenate([np.ones((2, 3)), np.ones((3, 3))], axis=1),
     r"concatenate: .* input 0 has shape \(2, 3\), input 1 has shape \(3, 3\)"),
    (lambda: ops.concatenate([]), "concatenate: expected a non-empty list"),
    (lambda: ops.stack([np.ones(2), np.ones(3)]), r"stack: .* input 1 has shape \(3,\)"),
    (lambda: ops.split(np.ones((5, 2)), 2), "split: cannot split axis 0 of length 5 into 2"),
    (lambda: ops.pad(np.ones(3), 1, mode="circular"), "pad: mode must be one of"),
    (lambda: ops.broadcast_to(np.ones((2, 3)), (3, 3)), r"broadcast_to: cannot broadcast .* \(2, 3\) to \(3, 3\)"),
    (lambda: ops.take(np.ones((2, 3)), [0], axis=2), r"take: axis must be an integer in \[-2, 2\)"),
    (lambda: ops.take(np.ones(3), np.array([0.5])), "take: indices must be integers"),
])
def test_bad_arguments_raise_one_clear_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_sort_argsort_and_top_k(rng):
    x = np.array([[3.0, 1.0, 2.0, 5.0], [0.0, 9.0, 4.0, 4.5]])
    np.testing.assert_array_equal(ops.sort(x).data, np.sort(x))
    np.testing.assert_array_equal(ops.argsort(x, axis=0).data, np.argsort(x, axis=0))
    values, indices = ops.top_k(x, 2)
    assert values.data.tolist() == [[5.0, 3.0], [9.0, 4.5]] and indices.data.tolist() == [[3, 0], [1, 3]]
    gradcheck(lambda t: ops.top_k(t, 3)[0], [x])
    gradcheck(lambda t: ops.sort(t, axis=0), [x])
    with pytest.raises(ValueError, match=r"top_k: k must be an integer in \[1, 4\]"):
        ops.top_k(x, 5)


def test_top_k_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 6))
    t = nn.Tensor(x, requires_grad=True)
    values, indices = ops.top_k(t, 3)
    (values * values).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tv, ti = torch.topk(tx, 3)
    (tv * tv).sum().backward()
    np.testing.assert_allclose(values.data, tv.detach().numpy())
    assert indices.data.tolist() == ti.tolist()
    np.testing.assert_allclose(t.grad, tx.grad.numpy())
