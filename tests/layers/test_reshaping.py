"""Reshaping layers: Flatten, Reshape, Permute, RepeatVector — shapes, values, gradchecks, errors."""

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import gradcheck


@pytest.mark.parametrize("make,shape,out", [
    (lambda: layers.Flatten(), (2, 3, 4), (2, 12)),
    (lambda: layers.Flatten(), (3, 5), (3, 5)),
    (lambda: layers.Reshape((4, 3)), (2, 3, 4), (2, 4, 3)),
    (lambda: layers.Reshape((-1, 2)), (2, 3, 4), (2, 6, 2)),
    (lambda: layers.Permute((2, 1)), (2, 3, 4), (2, 4, 3)),
    (lambda: layers.Permute((3, 1, 2)), (2, 3, 4, 5), (2, 5, 3, 4)),
    (lambda: layers.RepeatVector(3), (2, 4), (2, 3, 4)),
])
def test_shapes_and_gradcheck(float64, rng, make, shape, out):
    layer = make()
    x = rng.normal(size=shape)
    y = layer(x)
    assert y.shape == out
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + out[1:]
    gradcheck(lambda t: layer(t), [x])


def test_values():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(x).data, x.transpose(0, 2, 1))
    np.testing.assert_array_equal(layers.Flatten()(x).data, x.reshape(2, 12))
    v = np.array([[1.0, 2.0]], "float32")
    np.testing.assert_array_equal(layers.RepeatVector(2)(v).data, [[[1.0, 2.0], [1.0, 2.0]]])


def test_errors():
    with pytest.raises(ValueError, match="cannot reshape"):
        layers.Reshape((5,))(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))
    with pytest.raises(ValueError, match="permutation"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="positive"):
        layers.RepeatVector(0)
    with pytest.raises(ValueError, match="ndim=2"):
        layers.RepeatVector(2)(np.zeros((2, 3, 4)))


def test_flatten_with_unknown_dims_in_symbolic_shape():
    assert layers.Flatten().compute_output_shape((None, None, 3)) == (None, None)
