"""The logits contract (tf.keras's ``_keras_logits``): ops.sigmoid/softmax leave their input on their
output, and the cross-entropies on those probabilities compute the loss from the logits — exactly,
with sample weights, masks, label smoothing, axis and ignore_class — and only from the right ones."""

import numpy as np
import pytest

from neuronet import Tensor, losses, ops
from neuronet.autograd import gradcheck

B, C = 6, 4


def _logits(rng, shape, scale=3.0):
    return Tensor(rng.normal(size=shape) * scale)


def test_sigmoid_and_softmax_outputs_carry_their_input(rng):
    x = _logits(rng, (B, C))
    assert ops.sigmoid(x)._keras_logits == ("sigmoid", x)
    assert ops.softmax(x)._keras_logits[1] is x and ops.softmax(x, axis=1)._keras_logits[0] == "softmax"
    assert getattr(ops.softmax(x, axis=0), "_keras_logits", None) is None  # not over the class axis
    assert getattr(ops.sigmoid(np.zeros(3)), "_keras_logits", None) is None  # a constant has no graph to keep
    assert getattr(ops.tanh(x), "_keras_logits", None) is None


@pytest.mark.parametrize("name,activation,target", [
    ("binary_crossentropy", ops.sigmoid, lambda rng: rng.integers(0, 2, (B, C)).astype(float)),
    ("categorical_crossentropy", ops.softmax, lambda rng: np.eye(C)[rng.integers(0, C, B)]),
    ("sparse_categorical_crossentropy", ops.softmax, lambda rng: rng.integers(0, C, B)),
])
def test_losses_on_probabilities_equal_the_from_logits_losses(rng, name, activation, target):
    x, y = _logits(rng, (B, C)), target(rng)
    fn = getattr(losses, name)
    np.testing.assert_array_equal(fn(y, activation(x)).data, fn(y, x, from_logits=True).data)
    cls = {"binary_crossentropy": losses.BinaryCrossentropy, "categorical_crossentropy": losses.CategoricalCrossentropy,
           "sparse_categorical_crossentropy": losses.SparseCategoricalCrossentropy}[name]
    w = rng.random(B)
    for kwargs in ({}, {"sample_weight": w}):
        assert float(cls()(y, activation(x), **kwargs).data) == float(cls(from_logits=True)(y, x, **kwargs).data)


def test_saturated_sigmoid_loss_is_exact(float64):
    """σ(40) rounds to 1: the probability path would clip to 1 - 1e-7 (loss 16.1); the logits give 40."""
    x = Tensor(np.array([[40.0], [-40.0]]), requires_grad=True)
    loss = losses.binary_crossentropy(np.array([[0.0], [1.0]]), ops.sigmoid(x))
    np.testing.assert_allclose(loss.data, [40.0, 40.0], rtol=1e-12)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad, [[1.0], [-1.0]], rtol=1e-12)  # p - y, not 0 from the clipped log


def test_smoothing_axis_mask_and_ignore_class_follow_the_logits(rng):
    x = _logits(rng, (B, C))
    y = np.eye(C)[rng.integers(0, C, B)]
    smooth = losses.CategoricalCrossentropy(label_smoothing=0.2)
    assert float(smooth(y, ops.softmax(x)).data) == float(
        losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)(y, x).data)
    z = (rng.random((B, C)) > 0.5).astype(float)
    binary = losses.BinaryCrossentropy(label_smoothing=0.1, axis=0)
    np.testing.assert_array_equal(binary.call(z, ops.sigmoid(x)).data,
                                  losses.binary_crossentropy(z, x, from_logits=True, label_smoothing=0.1, axis=0).data)
    labels = rng.integers(0, C, B)
    labels[[1, 4]] = -1
    sparse = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    assert float(sparse(labels, ops.softmax(x)).data) == pytest.approx(
        float(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(labels, x).data), rel=1e-12)
    seq = _logits(rng, (2, 5, C))
    probs = ops.softmax(seq)
    probs._keras_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    seq_labels = rng.integers(0, C, (2, 5))
    masked = losses.SparseCategoricalCrossentropy()(seq_labels, probs)
    kept = probs._keras_mask
    per_step = losses.sparse_categorical_crossentropy(seq_labels, seq, from_logits=True).data
    assert float(masked.data) == pytest.approx(per_step[kept].mean(), rel=1e-6)


def test_logits_of_another_activation_or_axis_are_not_used(rng):
    x = _logits(rng, (B, C), scale=0.5)
    z = (rng.random((B, C)) > 0.5).astype(float)
    p = ops.softmax(x)  # binary cross-entropy on a softmax (a mistake) reads the probabilities as they are
    np.testing.assert_allclose(losses.binary_crossentropy(z, p).data,
                               losses.binary_crossentropy(z, Tensor(p.data)).data, rtol=1e-6)
    y = np.eye(C)[rng.integers(0, C, B)]
    s = ops.sigmoid(x)  # nor does a categorical cross-entropy on a sigmoid
    np.testing.assert_allclose(losses.categorical_crossentropy(y, s).data,
                               losses.categorical_crossentropy(y, Tensor(s.data)).data, rtol=1e-6)
    t = ops.softmax(x, axis=-1)  # a categorical cross-entropy over axis 0 is not the softmax's axis
    np.testing.assert_allclose(losses.categorical_crossentropy(y, t, axis=0).data,
                               losses.categorical_crossentropy(y, Tensor(t.data), axis=0).data, rtol=1e-6)


@pytest.mark.parametrize("name,activation", [("binary_crossentropy", ops.sigmoid),
                                             ("categorical_crossentropy", ops.softmax)])
def test_gradcheck_through_the_activation(float64, rng, name, activation):
    y = rng.integers(0, 2, (3, C)).astype(float) if name == "binary_crossentropy" else np.eye(C)[rng.integers(0, C, 3)]
    fn = getattr(losses, name)
    assert gradcheck(lambda x: fn(y, activation(x)), [rng.normal(size=(3, C)) * 2])


def test_matches_torch_on_probabilities(float64, rng):
    torch = pytest.importorskip("torch")
    x = rng.normal(size=(B, C)) * 4
    z = (rng.random((B, C)) > 0.5).astype(float)
    t = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(torch.sigmoid(t), torch.tensor(z))
    expected.backward()
    xt = Tensor(x, requires_grad=True)
    loss = losses.BinaryCrossentropy()(z, ops.sigmoid(xt))
    loss.backward()
    np.testing.assert_allclose(float(loss.data), expected.item(), rtol=1e-10)
    np.testing.assert_allclose(xt.grad, t.grad.numpy(), rtol=1e-8, atol=1e-12)
