"""Merge layers: forward values against NumPy, gradchecks, torch parity, Keras broadcasting, masks,
shape errors, configs. (OperatorLayer: tests/layers/test_operator.py.)"""

import json

import numpy as np
import pytest

from neuronet import layers
from neuronet.autograd import Tensor, gradcheck
from neuronet.models import Model

ELEMENTWISE = {
    "Add": (layers.Add, lambda xs: sum(xs[1:], xs[0])),
    "Multiply": (layers.Multiply, lambda xs: np.prod(np.broadcast_arrays(*xs), axis=0)),
    "Average": (layers.Average, lambda xs: sum(xs[1:], xs[0]) / len(xs)),
    "Maximum": (layers.Maximum, lambda xs: np.maximum.reduce(np.broadcast_arrays(*xs))),
    "Minimum": (layers.Minimum, lambda xs: np.minimum.reduce(np.broadcast_arrays(*xs))),
}


def _inputs(rng, shapes):
    return [rng.normal(size=s) for s in shapes]


def _aligned(x, rank):
    """``x`` with size-1 axes after the batch axis up to ``rank`` (how merges align lower ranks)."""
    return x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:])


def _apart(rng, shapes):
    """Random inputs whose values differ by at least 0.1 wherever they meet (away from the max/min kink)."""
    rank = max(map(len, shapes))
    for _ in range(10000):
        xs = [rng.normal(size=s) for s in shapes]
        full = np.broadcast_arrays(*[_aligned(x, rank) for x in xs])
        if all(np.abs(p - q).min() >= 0.1 for i, p in enumerate(full) for q in full[i + 1:]):
            return xs
    raise AssertionError("could not draw well-separated inputs")


# ----------------------------------------------------------------------------- forward values
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 5), (2, 3, 5), (2, 3, 5)], [(4, 1), (4, 6)]])
def test_elementwise_forward_matches_numpy(rng, name, shapes):
    cls, reference = ELEMENTWISE[name]
    xs = _inputs(rng, shapes)
    y = cls()(xs)
    assert isinstance(y, Tensor)
    np.testing.assert_allclose(y.numpy(), reference([x.astype("float32") for x in xs]), rtol=1e-6, atol=1e-6)


def test_subtract_forward_and_functional_forms(rng):
    a, b = _inputs(rng, [(3, 4), (3, 4)])
    np.testing.assert_allclose(layers.Subtract()([a, b]).numpy(), (a - b).astype("float32"), rtol=1e-6)
    np.testing.assert_allclose(layers.subtract([a, b]).numpy(), (a - b).astype("float32"), rtol=1e-6)
    for fn, expected in [(layers.add, a + b), (layers.multiply, a * b), (layers.average, (a + b) / 2),
                         (layers.maximum, np.maximum(a, b)), (layers.minimum, np.minimum(a, b)),
                         (layers.concatenate, np.concatenate([a, b], -1)),
                         (layers.dot, (a * b).sum(-1, keepdims=True))]:
        np.testing.assert_allclose(fn([a, b]).numpy(), expected.astype("float32"), rtol=1e-5, atol=1e-6)


def test_lower_rank_input_broadcasts_after_the_batch_axis(rng):
    # Keras aligns the axes after the batch axis from the right: (b, 3) acts as (b, 1, 3)
    a, b = _inputs(rng, [(2, 4, 3), (2, 3)])
    y = layers.Add()([a, b])
    np.testing.assert_allclose(y.numpy(), (a + b[:, None, :]).astype("float32"), rtol=1e-6)
    assert layers.Add().compute_output_shape([(None, 4, 3), (None, 3)]) == (None, 4, 3)


@pytest.mark.parametrize("axis,shapes", [(-1, [(2, 3), (2, 5)]), (1, [(2, 2, 4), (2, 3, 4), (2, 1, 4)]),
                                         (0, [(2, 3), (4, 3)]), (2, [(2, 3, 1), (2, 3, 2)])])
def test_concatenate_forward(rng, axis, shapes):
    xs = _inputs(rng, shapes)
    y = layers.Concatenate(axis=axis)(xs)
    np.testing.assert_allclose(y.numpy(), np.concatenate(xs, axis=axis).astype("float32"), rtol=1e-6)


@pytest.mark.parametrize("axes,shapes", [(1, [(4, 3), (4, 3)]), (-1, [(4, 3), (4, 3)]), (2, [(2, 5, 3), (2, 4, 3)]),
                                         ((1, 2), [(2, 5, 3), (2, 4, 5)]), ((1, 1), [(2, 3), (2, 3, 4)]),
                                         ((2, 1), [(2, 3, 4, 5), (2, 4, 6)])])
def test_dot_forward_matches_einsum(rng, axes, shapes):
    x1, x2 = _inputs(rng, shapes)
    pair = axes if isinstance(axes, tuple) else (axes, axes)
    a1, a2 = (a % len(s) for a, s in zip(pair, shapes))
    expected = np.stack([np.tensordot(x1[i], x2[i], axes=(a1 - 1, a2 - 1)) for i in range(len(x1))])
    if expected.ndim == 1:
        expected = expected[:, None]
    layer = layers.Dot(axes=axes)
    y = layer([x1, x2])
    assert y.shape == expected.shape
    assert layer.compute_output_shape([(None,) + s[1:] for s in shapes]) == (None,) + expected.shape[1:]
    np.testing.assert_allclose(y.numpy(), expected.astype("float32"), rtol=1e-5, atol=1e-5)


def test_dot_normalize_gives_cosine_similarity(rng):
    x1, x2 = _inputs(rng, [(5, 4), (5, 4)])
    y = layers.Dot(axes=1, normalize=True)([x1, x2]).numpy()
    cosine = (x1 * x2).sum(1) / np.linalg.norm(x1, axis=1) / np.linalg.norm(x2, axis=1)
    np.testing.assert_allclose(y[:, 0], cosine, rtol=1e-5)
    zero = layers.Dot(axes=1, normalize=True)([np.zeros((1, 4)), x2[:1]]).numpy()
    assert np.all(np.isfinite(zero)) and zero[0, 0] == 0.0


def test_dtypes_stay_float32(rng):
    xs = [x.astype("float32") for x in _inputs(rng, [(3, 4), (3, 4)])]
    for layer in [layers.Add(), layers.Subtract(), layers.Multiply(), layers.Average(), layers.Maximum(),
                  layers.Minimum(), layers.Concatenate(), layers.Dot(1), layers.Dot(1, normalize=True)]:
        assert layer(xs).dtype == np.float32, type(layer).__name__
    a = layers.Input(shape=(4,))
    model = Model(a, 0.5 * a - 1 + a * a / 3.0 + abs(-a) ** 2)
    assert model.predict(xs[0], verbose=0).dtype == np.float32


# ----------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Subtract"])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 2), (2, 1, 2)], [(2, 5), (2, 3, 5)]])
def test_smooth_merges_gradcheck(float64, rng, name, shapes):
    layer = getattr(layers, name)()
    if name != "Subtract":
        shapes = shapes + [shapes[0]]  # three inputs
    gradcheck(lambda *xs: layer(list(xs)), _inputs(rng, shapes))


@pytest.mark.parametrize("name", ["Maximum", "Minimum"])
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(2, 3, 2), (2, 3, 2), (2, 3, 2)], [(4, 1), (4, 3)]])
def test_maximum_minimum_gradcheck_away_from_ties(float64, rng, name, shapes):
    layer = getattr(layers, name)()
    xs = _apart(rng, shapes)
    gradcheck(lambda *ts: layer(list(ts)), xs)


@pytest.mark.parametrize("name,pick", [("Maximum", np.greater), ("Minimum", np.less)])
def test_maximum_minimum_ties_split_the_gradient(float64, name, pick):
    a = Tensor(np.array([[1.0, 2.0, 3.0]]), requires_grad=True)
    b = Tensor(np.array([[1.0, 0.0, 5.0]]), requires_grad=True)
    getattr(layers, name)()([a, b]).sum().backward()
    expected_a = np.where(a.data == b.data, 0.5, pick(a.data, b.data).astype(float))
    np.testing.assert_allclose(a.grad, expected_a)
    np.testing.assert_allclose(b.grad, 1.0 - expected_a)


@pytest.mark.parametrize("axis,shapes", [(-1, [(2, 3), (2, 2)]), (1, [(2, 1, 3), (2, 2, 3), (2, 3, 3)])])
def test_concatenate_gradcheck(float64, rng, axis, shapes):
    layer = layers.Concatenate(axis=axis)
    gradcheck(lambda *xs: layer(list(xs)), _inputs(rng, shapes))


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("axes,shapes", [(1, [(3, 4), (3, 4)]), (2, [(2, 3, 4), (2, 5, 4)]),
                                         ((1, 2), [(2, 3, 2), (2, 2, 3)]), ((2, 1), [(2, 2, 3, 2), (2, 3, 4)])])
def test_dot_gradcheck(float64, rng, normalize, axes, shapes):
    layer = layers.Dot(axes=axes, normalize=normalize)
    gradcheck(lambda a, b: layer([a, b]), _inputs(rng, shapes))


def test_merges_match_torch(float64, rng):
    torch = pytest.importorskip("torch")
    a, b = _apart(rng, [(3, 4), (3, 4)])
    cases = [(layers.Add(), lambda p, q: p + q), (layers.Multiply(), lambda p, q: p * q),
             (layers.Subtract(), lambda p, q: p - q), (layers.Average(), lambda p, q: (p + q) / 2),
             (layers.Maximum(), torch.maximum), (layers.Minimum(), torch.minimum),
             (layers.Concatenate(), lambda p, q: torch.cat([p, q], dim=-1)),
             (layers.Dot(axes=1), lambda p, q: (p * q).sum(-1, keepdim=True)),
             (layers.Dot(axes=1, normalize=True),
              lambda p, q: (torch.nn.functional.normalize(p, dim=1) * torch.nn.functional.normalize(q, dim=1))
              .sum(-1, keepdim=True))]
    for layer, fn in cases:
        x1, x2 = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        y = layer([x1, x2])
        g = rng.normal(size=y.shape)
        (y * g).sum().backward()
        t1, t2 = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        ty = fn(t1, t2)
        (ty * torch.tensor(g)).sum().backward()
        name = type(layer).__name__
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-6, err_msg=name)
        np.testing.assert_allclose(x1.grad, t1.grad.numpy(), atol=1e-6, err_msg=name)
        np.testing.assert_allclose(x2.grad, t2.grad.numpy(), atol=1e-6, err_msg=name)


def test_batched_dot_matches_torch_bmm(float64, rng):
    torch = pytest.importorskip("torch")
    a, b = _inputs(rng, [(2, 3, 4), (2, 5, 4)])
    x1, x2 = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    y = layers.Dot(axes=2)([x1, x2])
    y.sum().backward()
    t1, t2 = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ty = torch.bmm(t1, t2.transpose(1, 2))
    ty.sum().backward()
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(x1.grad, t1.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(x2.grad, t2.grad.numpy(), atol=1e-6)


# ----------------------------------------------------------------------------- shapes and errors
def test_symbolic_output_shapes():
    a, b = layers.Input(shape=(4, 3)), layers.Input(shape=(4, 3))
    c = layers.Input(shape=(4, 5))
    assert layers.Add()([a, b]).shape == (None, 4, 3)
    assert layers.Concatenate()([a, c]).shape == (None, 4, 8)
    assert layers.Concatenate(axis=1)([a, b]).shape == (None, 8, 3)
    assert layers.Dot(axes=(1, 1))([a, c]).shape == (None, 3, 5)
    assert layers.Dot(axes=2)([a, b]).shape == (None, 4, 4)
    v = layers.Input(shape=(3,))
    assert layers.Dot(axes=1)([v, v]).shape == (None, 1)
    assert layers.Concatenate(axis=1).compute_output_shape([(None, None, 3), (None, 2, 3)]) == (None, None, 3)


@pytest.mark.parametrize("layer,shapes,match", [
    (layers.Add(name="res_add"), [(None, 3), (None, 4)], r"'res_add' \(Add\).*\(None, 3\), \(None, 4\)"),
    (layers.Multiply(), [(2, 3), (5, 3)], "different batch sizes"),
    (layers.Subtract(), [(None, 3)] * 3, "exactly 2 inputs"),
    (layers.Concatenate(name="cat"), [(None, 3, 2), (None, 4, 3)], r"'cat' \(Concatenate\).*axis 1 differs"),
    (layers.Concatenate(), [(None, 3), (None, 4, 3)], "same rank"),
    (layers.Concatenate(axis=3), [(None, 3), (None, 4)], "axis 3 is out of range"),
    (layers.Dot(axes=1), [(None, 3), (None, 4)], r"size 3 .* and 4"),
    (layers.Dot(axes=0), [(None, 3), (None, 3)], "batch axis 0 cannot be summed"),
    (layers.Dot(axes=1), [(None, 3)] * 3, "exactly 2 inputs"),
])
def test_incompatible_shapes_are_reported_with_the_layer_and_shapes(layer, shapes, match):
    with pytest.raises(ValueError, match=match):
        layer.compute_output_shape(shapes)
    symbolic = [layers.Input(batch_shape=s) for s in shapes]
    with pytest.raises(ValueError, match=match):
        layer(symbolic)


def test_eager_call_checks_shapes_before_computing(rng):
    layer = layers.Add()
    layer([np.ones((2, 3)), np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"incompatible shapes \[\(2, 3\), \(2, 4\)\]"):
        layer([np.ones((2, 3)), np.ones((2, 4))])


@pytest.mark.parametrize("layer", [layers.Add(), layers.Concatenate(), layers.Dot(1), layers.Maximum()])
def test_merge_needs_a_list(layer):
    with pytest.raises(ValueError, match="list of"):
        layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match="list of"):
        layer(layers.Input(shape=(3,)))


def test_invalid_constructor_arguments():
    with pytest.raises(TypeError, match="Concatenate: axis must be an integer"):
        layers.Concatenate(axis="last")
    with pytest.raises(ValueError, match="pair of integers"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(TypeError, match="received 1.5"):
        layers.Dot(axes=1.5)


# ----------------------------------------------------------------------------- config
@pytest.mark.parametrize("layer", [layers.Add(name="plus"), layers.Subtract(), layers.Multiply(), layers.Average(),
                                   layers.Maximum(), layers.Minimum(), layers.Concatenate(axis=1),
                                   layers.Dot(axes=(1, 2), normalize=True), layers.Dot(axes=-1)])
def test_config_is_json_and_round_trips(layer):
    config = json.loads(json.dumps(layer.get_config()))
    twin = type(layer).from_config(config)
    assert twin.get_config() == config
    assert twin.name == layer.name


# ----------------------------------------------------------------------------- masks
def test_elementwise_mask_is_the_or_of_all_masks():
    a, b = Tensor(np.ones((2, 3, 4))), Tensor(np.ones((2, 3, 4)))
    a._keras_mask = np.array([[True, True, False], [True, False, False]])
    b._keras_mask = np.array([[True, False, False], [True, True, False]])
    out = layers.Add()([a, b])
    np.testing.assert_array_equal(out._keras_mask, [[True, True, False], [True, True, False]])
    c = Tensor(np.ones((2, 3, 4)))  # an unmasked input: no output mask (Keras)
    assert getattr(layers.Add()([a, c]), "_keras_mask", None) is None


def test_maximum_takes_the_other_input_at_masked_steps():
    a = Tensor(np.array([[[5.0], [5.0]]]))
    b = Tensor(np.array([[[1.0], [9.0]]]))
    a._keras_mask = np.array([[True, False]])
    b._keras_mask = np.array([[True, True]])
    out = layers.Maximum()([a, b])
    np.testing.assert_allclose(out.numpy()[0, :, 0], [5.0, 9.0])
    b._keras_mask = np.array([[False, True]])
    a.data[0, 1, 0] = 20.0  # masked in a: b's 9 is used even though a is larger
    np.testing.assert_allclose(layers.Maximum()([a, b]).numpy()[0, :, 0], [5.0, 9.0])
    np.testing.assert_allclose(layers.Minimum()([a, b]).numpy()[0, :, 0], [5.0, 9.0])


def test_concatenate_mask():
    a, b = Tensor(np.ones((1, 3, 2))), Tensor(np.ones((1, 3, 2)))
    a._keras_mask = np.array([[True, False, False]])
    np.testing.assert_array_equal(layers.Concatenate()([a, b])._keras_mask, [[True, True, True]])
    b._keras_mask = np.array([[False, True, False]])
    np.testing.assert_array_equal(layers.Concatenate()([a, b])._keras_mask, [[True, True, False]])
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([a, b])._keras_mask,
                                  [[True, False, False, False, True, False]])
    assert getattr(layers.Dot(axes=2)([a, b]), "_keras_mask", None) is None


def test_masks_flow_through_a_functional_model():
    ids = layers.Input(shape=(4,), dtype="int32")
    emb = layers.Embedding(10, 3, mask_zero=True)
    merged = layers.Add()([emb(ids), emb(ids)])
    out = layers.LSTM(2)(merged)
    model = Model(ids, out)
    padded = model.predict(np.array([[1, 2, 0, 0]]), verbose=0)
    # the Add output keeps the embedding mask, so the LSTM skips the padding: the last state is the
    # state after the real steps, whatever the padding would have added
    eager = Model(ids, merged)(np.array([[1, 2, 0, 0]]))
    np.testing.assert_array_equal(eager._keras_mask, [[True, True, False, False]])
    assert padded.shape == (1, 2)
    cell = layers.LSTM(2)
    ref_in = layers.Input(shape=(2, 3))
    ref = Model(ref_in, cell(ref_in))
    ref.set_weights(model.layers[-1].get_weights())
    prefix = emb(np.array([[1, 2]])).numpy() * 2.0
    np.testing.assert_allclose(padded, ref.predict(prefix, verbose=0), rtol=1e-5, atol=1e-6)
