"""Embedding and Masking: lookups, gradients, masks, Keras defaults and errors."""

import numpy as np
import pytest

from neuronet import layers, ops
from neuronet.autograd import Tensor, gradcheck


def test_embedding_lookup_values_and_default_initializer():
    layer = layers.Embedding(7, 3)
    y = layer(np.array([[1, 2], [6, 1]]))
    assert y.shape == (2, 2, 3) and y.dtype == np.float32
    table = layer.embeddings.data
    np.testing.assert_array_equal(y.data[1, 1], table[1])
    assert np.all(np.abs(table) <= 0.05)  # 'uniform' is uniform in [-0.05, 0.05] as Keras
    assert layer.get_config()["embeddings_initializer"] == "uniform"
    assert layer.compute_output_shape((None, 5)) == (None, 5, 3)


@pytest.mark.parametrize("ids_shape", [(4,), (2, 3), (2, 2, 2)])
def test_embedding_gradcheck_repeated_ids(float64, rng, ids_shape):
    layer = layers.Embedding(5, 2)
    ids = rng.integers(0, 5, ids_shape)
    ids.flat[0] = ids.flat[-1]  # a repeated id must accumulate its gradients
    layer(ids)
    gradcheck(lambda: layer(ids), [], params=layer.weights)


def test_embedding_lookup_op_is_take_along_axis_0_gradcheck(rng):
    # ops.embedding_lookup (the layer's computation, kept under its old name) gathers rows of the table
    ids = np.array([[0, 2, 2], [1, 0, 3]])
    table = rng.standard_normal((4, 3))
    gradcheck(lambda E: ops.embedding_lookup(E, ids), [table])
    np.testing.assert_array_equal(ops.embedding_lookup(table, ids).data, table[ids])


def test_embedding_gradient_matches_torch(float64, rng):
    torch = pytest.importorskip("torch")
    layer = layers.Embedding(6, 3)
    ids = np.array([[1, 4, 1], [0, 5, 4]])
    y = layer(ids)
    w = rng.standard_normal(y.shape)
    (y * Tensor(w)).sum().backward()
    emb = torch.nn.Embedding(6, 3).double()
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(layer.embeddings.data))
    (emb(torch.from_numpy(ids)) * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(layer.embeddings.grad, emb.weight.grad.numpy(), atol=1e-12)


def test_mask_zero():
    layer = layers.Embedding(10, 2, mask_zero=True)
    y = layer(np.array([[0, 3, 0, 9]]))
    np.testing.assert_array_equal(y._keras_mask, [[False, True, False, True]])
    assert getattr(layers.Embedding(10, 2)(np.array([[0, 1]])), "_keras_mask", None) is None


def test_float_ids_that_are_integers_are_accepted():
    layer = layers.Embedding(4, 2)
    np.testing.assert_array_equal(layer(np.array([[1.0, 3.0]])).data, layer(np.array([[1, 3]])).data)


def test_embedding_errors():
    with pytest.raises(ValueError, match="input_dim must be a positive integer"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim must be a positive integer"):
        layers.Embedding(3, -1)
    layer = layers.Embedding(5, 2)
    with pytest.raises(ValueError, match=r"ids must be in \[0, 5\).*received id 5"):
        layer(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="received id -1"):
        layer(np.array([[-1, 2]]))
    with pytest.raises(TypeError, match="expected integer ids"):
        layer(np.array([[0.5, 1.0]]))


def test_embedding_weights_argument_and_config_round_trip():
    table = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer = layers.Embedding(3, 2, weights=[table], mask_zero=True)
    np.testing.assert_array_equal(layer(np.array([[2]])).data[0, 0], table[2])
    clone = layers.Embedding.from_config(layer.get_config())
    assert clone.mask_zero and clone.input_dim == 3


def test_masking_layer(float64, rng):
    x = rng.standard_normal((2, 4, 3))
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    layer = layers.Masking()
    y = layer(x)
    np.testing.assert_array_equal(y._keras_mask, [[True, False, True, True], [True, True, True, False]])
    np.testing.assert_array_equal(y.data, x)
    # away from the mask value the layer is the identity; at masked steps the gradient is exactly zero
    # (a finite difference there would cross the discontinuity of the mask)
    gradcheck(lambda t: layers.Masking(mask_value=50.0)(t), [x + 1.0])
    xt = Tensor(x, requires_grad=True)
    layer(xt).sum().backward()
    np.testing.assert_array_equal(xt.grad[0, 1], 0.0)
    np.testing.assert_array_equal(xt.grad[0, 0], 1.0)
    x2 = x.copy()
    x2[0, 2] = -1.0
    y2 = layers.Masking(mask_value=-1.0)(x2)
    np.testing.assert_array_equal(y2.data[0, 2], 0.0)  # masked steps are zeroed (as Keras)
    assert not y2._keras_mask[0, 2]
    assert layers.Masking(mask_value=-1.0).get_config()["mask_value"] == -1.0
    with pytest.raises(TypeError, match="mask_value must be a number"):
        layers.Masking(mask_value="x")
