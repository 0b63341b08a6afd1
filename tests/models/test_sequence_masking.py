"""Masked losses and metrics in the training loop: a model whose output carries a Keras mask (padded
sequences through Embedding(mask_zero=True) / Masking) is trained and scored on the unmasked steps only.

The reference for "exactly" is the same model run on each sequence WITHOUT its padding: the masked batch
loss must be the mean of those per-step losses, and one SGD(lr=1) step must move every weight by minus
the gradient of that mean."""

import numpy as np
import pytest

import neuronet as keras
from neuronet import Tensor, layers, losses, metrics

# two padded sequences of token ids (0 = padding): one padded at the end, one at the start
IDS = np.array([[3, 1, 2, 0, 0],
                [0, 0, 4, 2, 5]])
LENGTHS = [(0, 3), (2, 5)]  # the unpadded span of each row
LABELS = np.array([[1, 0, 2, 1, 1],
                   [2, 0, 1, 2, 0]])  # padded steps carry arbitrary labels: they must not count


def _seq_model(kind: str, classes: int = 3, activation: str = "softmax"):
    top = layers.Dense(classes, activation=activation)
    if kind == "time_distributed":
        top = layers.TimeDistributed(top)
    if kind == "functional":
        inputs = keras.Input(shape=(None,), dtype="int64")
        h = layers.Embedding(6, 4, mask_zero=True)(inputs)
        h = layers.LSTM(5, return_sequences=True)(h)
        return keras.Model(inputs, top(h))
    return keras.Sequential([keras.Input(shape=(None,), dtype="int64"), layers.Embedding(6, 4, mask_zero=True),
                             layers.LSTM(5, return_sequences=True), top])


def _reference(model, loss_fn, targets, sample_weight=None):
    """Loss and weight gradients computed from the unpadded sequences, one at a time."""
    variables = model.trainable_weights
    for v in variables:
        v.grad = None
    total, count = None, 0
    for row, (start, stop) in enumerate(LENGTHS):
        out = model(IDS[row:row + 1, start:stop], training=True)
        per_step = loss_fn(targets[row:row + 1, start:stop], out)  # (1, steps)
        if sample_weight is not None:
            per_step = per_step * float(sample_weight[row])
        part = keras.ops.sum(per_step)
        total = part if total is None else total + part
        count += stop - start
    loss = total / float(count)
    loss.backward()
    return float(loss.data), [np.array(v.grad) for v in variables]


def _one_sgd_step(model, loss, targets, sample_weight=None):
    before = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=loss)
    value = model.train_on_batch(IDS, targets, sample_weight=sample_weight)
    after = model.get_weights()
    names = [w.path for w in model.weights]
    trainable = {w.path for w in model.trainable_weights}
    steps = {n: b - a for n, b, a in zip(names, before, after) if n in trainable}
    return value, steps


@pytest.mark.parametrize("kind", ["sequential", "time_distributed", "functional"])
def test_masked_sparse_loss_and_gradients_equal_unpadded(float64, kind):
    """Softmax + sparse CE: the loss from the logits the Dense output carries, and from probabilities
    (TimeDistributed)."""
    model = _seq_model(kind)
    ref_loss, ref_grads = _reference(model, losses.sparse_categorical_crossentropy, LABELS)
    paths = [w.path for w in model.trainable_weights]
    loss, steps = _one_sgd_step(model, "sparse_categorical_crossentropy", LABELS)
    assert loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    for path, grad in zip(paths, ref_grads):
        np.testing.assert_allclose(steps[path], grad, rtol=1e-9, atol=1e-12, err_msg=path)


def _assert_loss_runs_on_logits(model, loss_fn, targets, activation):
    """The output carries the logits of its sigmoid/softmax, and the loss on it is the from-logits loss."""
    out = model(IDS)
    logits = out._keras_logits
    assert getattr(out, "_keras_logits_axis", None) == (2 if activation == "softmax" else None)
    np.testing.assert_array_equal(loss_fn(targets, out).data, loss_fn(targets, logits, from_logits=True).data)


def test_logits_path_is_taken_for_dense_softmax(float64):
    model = _seq_model("sequential")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.train_on_batch(IDS, LABELS)
    _assert_loss_runs_on_logits(model, losses.sparse_categorical_crossentropy, LABELS, "softmax")


def test_masked_categorical_loss_with_sample_weight_equals_unpadded(float64):
    """Keras: sum(loss · sample_weight · mask) / (number of unmasked entries)."""
    onehot = np.eye(3)[LABELS]
    weights = np.array([0.5, 2.0])
    model = _seq_model("sequential")
    ref_loss, ref_grads = _reference(model, losses.categorical_crossentropy, onehot, sample_weight=weights)
    paths = [w.path for w in model.trainable_weights]
    loss, steps = _one_sgd_step(model, "categorical_crossentropy", onehot, sample_weight=weights)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for path, grad in zip(paths, ref_grads):
        np.testing.assert_allclose(steps[path], grad, rtol=1e-9, atol=1e-12, err_msg=path)


def test_masked_binary_sigmoid_sequence_targets(float64):
    """Sigmoid + binary CE on (n, time) targets against an (n, time, 1) output (loss from the logits)."""
    targets = (LABELS % 2).astype(float)
    model = _seq_model("sequential", classes=1, activation="sigmoid")

    def per_step(y, out):
        return losses.binary_crossentropy(y[..., None], out)

    ref_loss, ref_grads = _reference(model, per_step, targets)
    paths = [w.path for w in model.trainable_weights]
    loss, steps = _one_sgd_step(model, "binary_crossentropy", targets)
    _assert_loss_runs_on_logits(model, losses.binary_crossentropy, targets[..., None], "sigmoid")
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for path, grad in zip(paths, ref_grads):
        np.testing.assert_allclose(steps[path], grad, rtol=1e-9, atol=1e-12, err_msg=path)


def test_masked_mse_on_masking_layer(float64):
    """Masking(0.0) on float sequences, MSE: padded steps are left out of the mean."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 3))
    x[0, 3:] = 0.0
    x[1, 2:] = 0.0
    y = rng.normal(size=(2, 4, 2))
    model = keras.Sequential([keras.Input(shape=(4, 3)), layers.Masking(0.0),
                              layers.SimpleRNN(4, return_sequences=True), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    out = model.predict(x, verbose=0)
    keep = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=bool)
    expected = np.mean(((out - y) ** 2).mean(axis=-1)[keep])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-10)
    assert expected != pytest.approx(np.mean((out - y) ** 2), rel=1e-3)  # the padding would change it


def test_metrics_ignore_masked_steps(float64):
    model = _seq_model("sequential")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", metrics.SparseCategoricalCrossentropy()],
                  weighted_metrics=[metrics.SparseCategoricalAccuracy(name="weighted_acc")])
    proba = model.predict(IDS, verbose=0)
    predicted = proba.argmax(axis=-1)
    # labels equal to the prediction on every padded step, wrong on the first kept step of each row:
    # counting the padding would raise the accuracy
    labels = predicted.copy()
    keep = IDS != 0
    for row, (start, _) in enumerate(LENGTHS):
        labels[row, start] = (predicted[row, start] + 1) % 3
    weights = np.array([1.0, 3.0])
    logs = model.evaluate(IDS, labels, sample_weight=weights, verbose=0, return_dict=True)
    hits = (predicted == labels)
    assert logs["accuracy"] == pytest.approx(hits[keep].mean(), rel=1e-9)
    w = np.broadcast_to(weights[:, None], labels.shape)
    assert logs["weighted_acc"] == pytest.approx((hits * w)[keep].sum() / w[keep].sum(), rel=1e-9)
    ce = -np.log(np.take_along_axis(proba, labels[..., None], axis=-1)[..., 0])
    assert logs["sparse_categorical_crossentropy"] == pytest.approx(ce[keep].mean(), rel=1e-6)
    assert logs["loss"] == pytest.approx((ce * w)[keep].sum() / keep.sum(), rel=1e-9)


def test_fit_trains_on_masked_sequences_and_stays_float32():
    """A toy tagging task: tag each token by whether it is > 3. Loss falls, accuracy on real tokens rises."""
    rng = np.random.default_rng(0)
    n, steps = 64, 7
    ids = rng.integers(1, 7, size=(n, steps))
    lengths = rng.integers(2, steps + 1, size=n)
    for i, length in enumerate(lengths):
        ids[i, length:] = 0
    tags = (ids > 3).astype(np.int64)
    tags[ids == 0] = 1  # padding labelled with a class: learning it would be cheating, but it is masked
    model = keras.Sequential([keras.Input(shape=(steps,), dtype="int64"), layers.Embedding(7, 8, mask_zero=True),
                              layers.LSTM(8, return_sequences=True), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(ids, tags, epochs=15, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.9
    assert all(w.dtype == np.float32 for w in model.get_weights())
    out = model(ids[:4])
    assert out.data.dtype == np.float32
    assert isinstance(history["loss"][-1], float)


def test_ignore_class_labels_are_accepted_by_fit(float64):
    model = _seq_model("sequential")
    labels = LABELS.copy()
    labels[IDS == 0] = -1
    model.compile(optimizer="sgd", loss=losses.SparseCategoricalCrossentropy(ignore_class=-1))
    value = model.evaluate(IDS, labels, verbose=0)
    assert np.isfinite(value)


def test_class_weight_on_sequence_labels(float64):
    model = _seq_model("sequential")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    proba = model.predict(IDS, verbose=0)
    ce = -np.log(np.take_along_axis(proba, LABELS[..., None], axis=-1)[..., 0])
    keep = IDS != 0
    table = np.array([1.0, 2.0, 0.5])
    expected = (ce * table[LABELS])[keep].sum() / keep.sum()
    before = model.get_weights()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    value = model.train_on_batch(IDS, LABELS, class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    assert value == pytest.approx(expected, rel=1e-9)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_sequence_label_shape_errors():
    model = _seq_model("sequential")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expects integer labels of shape \(n, None\).*received y of shape \(2,\)"):
        model.fit(IDS, np.array([1, 2]), verbose=0)
    with pytest.raises(ValueError, match=r"label 7 .* out of range .* 3 units"):
        model.fit(IDS, np.where(IDS == 2, 7, 0), verbose=0)


def test_unmasked_outputs_unchanged(float64):
    """Without a mask the loss is the plain mean over every step (no mask is invented)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 4, 2))
    y = rng.integers(0, 3, size=(3, 4))
    model = keras.Sequential([keras.Input(shape=(4, 2)), layers.LSTM(3, return_sequences=True),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    proba = model.predict(x, verbose=0)
    assert getattr(model(x), "_keras_mask", None) is None
    ce = -np.log(np.take_along_axis(proba, y[..., None], axis=-1)[..., 0])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(ce.mean(), rel=1e-9)
    assert logs["accuracy"] == pytest.approx((proba.argmax(-1) == y).mean(), rel=1e-9)


def test_output_mask_helper_ignores_mismatched_masks():
    from neuronet.models.training import _output_mask

    out = Tensor(np.zeros((2, 3, 4), np.float32))
    assert _output_mask(out, out.shape) is None
    out._keras_mask = np.array([[True, False, True], [True, True, False]])
    weights = _output_mask(out, out.shape)
    assert weights.dtype == np.float32 and weights.shape == (2, 3)
    out._keras_mask = np.ones((2, 5), bool)  # another shape: not this output's mask
    assert _output_mask(out, out.shape) is None
