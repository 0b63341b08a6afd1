"""The fused recurrent ops: against the reference cells unrolled over time, BPTT against finite
differences and against PyTorch, masks, dtypes."""

import numpy as np
import pytest

from neuronet import ops
from neuronet.autograd import Tensor, gradcheck
from neuronet.layers import GRUCell, LSTMCell, SimpleRNNCell
from neuronet.ops.recurrent import _SequenceOp

B, T, F, U = 2, 4, 3, 2
MASK = np.array([[True, True, False, False], [False, True, True, True]])


def _inputs(rng, gates, bias_shape=None, states=1, batch=B, steps=T, features=F, units=U, scale=0.5):
    x = rng.standard_normal((batch, steps, features))
    hs = [rng.standard_normal((batch, units)) * scale for _ in range(states)]
    W = rng.standard_normal((features, gates * units)) * scale
    R = rng.standard_normal((units, gates * units)) * scale
    b = rng.standard_normal(bias_shape or (gates * units,)) * scale
    return [x, *hs, W, R, b]


# ----------------------------------------------------------------------------- against the reference cells
# Each fused kernel computes what its cell's ``call`` (neuronet/layers/rnn_cells.py, composed from
# autograd ops) computes step by step: same values, same gradients for every input, in float64.
STEPS = 2 * _SequenceOp.BLOCK + 3  # 19 steps: BPTT runs two full blocks of steps and a short one
LONG_MASK = np.ones((4, STEPS), bool)
LONG_MASK[0, 12:] = False    # post-padded: stops in the middle of the second block
LONG_MASK[1, :5] = False     # pre-padded
LONG_MASK[2, 6:11] = False   # a gap across the boundary between the first two blocks
OPS = {"simple_rnn": (ops.simple_rnn, SimpleRNNCell), "lstm": (ops.lstm, LSTMCell), "gru": (ops.gru, GRUCell)}
KINDS = [("simple_rnn", {}), ("lstm", {}), ("gru", {"reset_after": True}), ("gru", {"reset_after": False})]


def _unrolled(cell, x, states, mask, go_backwards, return_sequences, zero_output_for_mask):
    """Keras's loop over time around ``cell``: a masked step keeps the states and repeats the previous
    output (zeros before the first valid step, or always zeros with ``zero_output_for_mask``)."""
    order = range(x.shape[1] - 1, -1, -1) if go_backwards else range(x.shape[1])
    prev, outputs = np.zeros((x.shape[0], cell.units)), []
    for t in order:
        out, new = cell(x[:, t], states, training=True)
        if mask is not None:
            keep = mask[:, t][:, None]
            new = [ops.where(keep, n, s) for n, s in zip(new, states)]
            out = ops.where(keep, out, 0.0 if zero_output_for_mask else prev)
        states, prev = new, out
        outputs.append(out)
    return [ops.stack(outputs, axis=1) if return_sequences else outputs[-1], *states]


def _values_and_gradients(outputs, inputs):
    """The outputs' values and the gradients of Σ outputs·(fixed random weights) for every input."""
    for t in inputs:
        t.grad = None
    weights = np.random.default_rng(11)
    total = sum((o * Tensor(weights.standard_normal(o.shape))).sum() for o in outputs)
    total.backward()
    return [o.data.copy() for o in outputs], [t.grad.copy() for t in inputs]


def _fused_against_reference(rng, kind, cell_options=None, *, mask=None, go_backwards=False, return_sequences=True,
                             zero_output_for_mask=False, recurrent_dropout=0.0, steps=STEPS, units=3):
    op, cell_class = OPS[kind]
    mask = None if mask is None else mask[:, :steps]
    cell = cell_class(units, recurrent_dropout=recurrent_dropout, seed=5, dtype="float64", **(cell_options or {}))
    cell.build((None, F))
    batch = 4 if mask is None else len(mask)
    for w in cell.weights:  # away from the initializers' symmetries (zero biases, orthogonal U)
        w.data[...] = rng.standard_normal(w.shape) * 0.6
    x = Tensor(rng.standard_normal((batch, steps, F)), requires_grad=True)
    states = [Tensor(rng.standard_normal((batch, units)) * 0.5, requires_grad=True) for _ in range(cell._state_count)]
    inputs = [x, *states, *cell.weights]
    recurrent_mask = cell.get_recurrent_dropout_mask(states[0])  # the cell uses the same at every step
    options = dict(mask=mask, go_backwards=go_backwards, return_sequences=return_sequences,
                   zero_output_for_mask=zero_output_for_mask)
    reference = _values_and_gradients(_unrolled(cell, x, states, **options), inputs)
    activations = {"activation": cell.activation}
    if cell.recurrent_activation is not None:
        activations["recurrent_activation"] = cell.recurrent_activation
    if kind == "gru":
        activations["reset_after"] = cell.reset_after
    fused = op(x, *states, *cell.weights, recurrent_mask=recurrent_mask, **activations, **options)
    fused = _values_and_gradients(fused, inputs)
    names = ["x"] + [f"initial state {i}" for i in range(len(states))] + [w.name for w in cell.weights]
    for got, expected, what in zip(fused[0], reference[0], ["output", "h_T", "c_T"]):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=what)
    for got, expected, what in zip(fused[1], reference[1], names):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, err_msg=f"gradient of {what}")
    return fused


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, LONG_MASK], ids=["no mask", "mask"])
@pytest.mark.parametrize("kind, cell_options", KINDS, ids=["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_fused_kernel_equals_reference_cell_unrolled(rng, kind, cell_options, mask, go_backwards, return_sequences):
    _fused_against_reference(rng, kind, cell_options, mask=mask, go_backwards=go_backwards,
                             return_sequences=return_sequences)


@pytest.mark.parametrize("kind, cell_options", KINDS, ids=["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_fused_kernel_equals_reference_with_recurrent_dropout_zero_outputs_and_no_bias(rng, kind, cell_options):
    _fused_against_reference(rng, kind, cell_options, mask=LONG_MASK, recurrent_dropout=0.4, go_backwards=True)
    _fused_against_reference(rng, kind, cell_options, mask=LONG_MASK, zero_output_for_mask=True)
    _fused_against_reference(rng, kind, dict(cell_options, use_bias=False), mask=LONG_MASK)


@pytest.mark.parametrize("kind, cell_options", [
    ("lstm", {"activation": "softsign"}),                                     # sigmoid gates, other cell activation
    ("lstm", {"recurrent_activation": "hard_sigmoid"}),                       # other gates
    ("lstm", {"activation": "elu", "recurrent_activation": "softsign"}),
    ("lstm", {"activation": "linear", "recurrent_activation": "tanh"}),
    ("gru", {"activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    ("gru", {"activation": "softsign", "recurrent_activation": "tanh", "reset_after": False}),
    ("simple_rnn", {"activation": "sigmoid"}),
    ("simple_rnn", {"activation": "elu"}),
    ("simple_rnn", {"activation": "linear"}),
    ("simple_rnn", {"activation": "relu"}),  # kinks: no pre-activation comes near 0 or ±3 here
    ("simple_rnn", {"activation": "hard_sigmoid"}),
])
def test_fused_kernel_equals_reference_with_other_activations(rng, kind, cell_options):
    # the kernels' activations come from ops.activations.FUSED_ACTIVATIONS, the cells' from neuronet.activations
    _fused_against_reference(rng, kind, cell_options, mask=LONG_MASK, steps=10)


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("mask", [None, MASK])
def test_lstm_gradcheck(rng, return_sequences, go_backwards, mask):
    def f(*a):
        return ops.lstm(*a, mask=mask, go_backwards=go_backwards, return_sequences=return_sequences)

    gradcheck(f, _inputs(rng, 4, states=2))


@pytest.mark.parametrize("activation, recurrent_activation", [("softsign", "sigmoid"), ("tanh", "tanh"),
                                                                ("elu", "softsign")])
def test_lstm_gradcheck_other_activations(rng, activation, recurrent_activation):
    def f(*a):
        return ops.lstm(*a, mask=MASK, activation=activation, recurrent_activation=recurrent_activation)

    gradcheck(f, _inputs(rng, 4, states=2))


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("mask", [None, MASK])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gru_gradcheck(rng, reset_after, mask, go_backwards):
    bias_shape = (2, 3 * U) if reset_after else (3 * U,)

    def f(*a):
        return ops.gru(*a, mask=mask, reset_after=reset_after, go_backwards=go_backwards)

    gradcheck(f, _inputs(rng, 3, bias_shape))


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("op, gates, bias_shape, states", [(ops.lstm, 4, None, 2), (ops.gru, 3, (2, 6), 1)])
def test_gradcheck_across_several_backward_blocks(rng, op, gates, bias_shape, states, go_backwards):
    # BPTT works through blocks of _SequenceOp.BLOCK steps: 19 steps make two full blocks and a short one,
    # and the padding below reaches across the boundary between the first two
    steps = 2 * _SequenceOp.BLOCK + 3
    mask = np.ones((2, steps), bool)
    mask[0, 6:11] = mask[1, :3] = False

    def f(*a):
        return op(*a, mask=mask, go_backwards=go_backwards, recurrent_mask=np.full((2, 2), 0.8))

    gradcheck(f, _inputs(rng, gates, bias_shape, states=states, steps=steps))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softsign", "linear", "elu"])
@pytest.mark.parametrize("mask", [None, MASK])
def test_simple_rnn_gradcheck(rng, activation, mask):
    def f(*a):
        return ops.simple_rnn(*a, mask=mask, activation=activation, return_sequences=True)

    gradcheck(f, _inputs(rng, 1))


def test_kinked_activations_gradcheck_away_from_kinks():
    # relu and hard_sigmoid have kinks; weights chosen so every pre-activation is >= 0.1 away from them
    x = np.full((1, 3, 1), 1.0)
    h0 = np.zeros((1, 1))
    W, R, b = np.array([[0.5]]), np.array([[0.25]]), np.array([0.2])
    gradcheck(lambda *a: ops.simple_rnn(*a, activation="relu"), [x, h0, W, R, b])
    gradcheck(lambda *a: ops.simple_rnn(*a, activation="hard_sigmoid"), [x, h0, W, R, b])
    # beyond the kink the gradient is exactly zero, not a finite difference straddling it
    x_neg = np.full((1, 3, 1), -1.0)
    W_, R_, b_ = (Tensor(v, requires_grad=True) for v in (W, R, b))
    out = ops.simple_rnn(Tensor(x_neg), Tensor(h0), W_, R_, b_, activation="relu", return_sequences=True)[0]
    out.sum().backward()
    assert np.all(out.data == 0) and W_.grad[0, 0] == 0 and b_.grad[0] == 0


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 6, 2, 3), (2, 3, 5, 4)])
def test_lstm_gru_gradcheck_shapes_with_recurrent_mask(rng, shape):
    batch, steps, features, units = shape
    rmask = (rng.random((batch, units)) > 0.3) / 0.7
    args = dict(batch=batch, steps=steps, features=features, units=units)
    gradcheck(lambda *a: ops.lstm(*a, recurrent_mask=rmask, return_sequences=False),
              _inputs(rng, 4, states=2, **args))
    for reset_after in (True, False):
        bias_shape = (2, 3 * units) if reset_after else (3 * units,)
        gradcheck(lambda *a: ops.gru(*a, recurrent_mask=rmask, reset_after=reset_after, return_sequences=True),
                  _inputs(rng, 3, bias_shape, **args))
    gradcheck(lambda *a: ops.simple_rnn(*a, recurrent_mask=rmask), _inputs(rng, 1, **args))


def test_masked_outputs_follow_keras(rng):
    x, h0, c0, W, R, b = _inputs(rng, 4, states=2)
    out, h, c = ops.lstm(x, h0, c0, W, R, b, mask=MASK)
    seq = out.data
    # sample 0 is post-padded: the masked steps repeat the last valid output, and the state stops there
    np.testing.assert_array_equal(seq[0, 2], seq[0, 1])
    np.testing.assert_array_equal(seq[0, 3], seq[0, 1])
    np.testing.assert_array_equal(h.data[0], seq[0, 1])
    # sample 1 is pre-padded: zeros before its first valid step, and its state starts from h0 there
    np.testing.assert_array_equal(seq[1, 0], 0.0)
    ref = ops.lstm(x[1:, 1:], h0[1:], c0[1:], W, R, b)[0].data
    np.testing.assert_allclose(seq[1:, 1:], ref, atol=1e-12)
    zero = ops.lstm(x, h0, c0, W, R, b, mask=MASK, zero_output_for_mask=True)[0].data
    np.testing.assert_array_equal(zero[0, 2:], 0.0)
    np.testing.assert_array_equal(zero[0, :2], seq[0, :2])


@pytest.mark.parametrize("op", ["simple_rnn", "lstm", "gru"])
def test_dtype_stays_float32(rng, op):
    gates, states = {"simple_rnn": (1, 1), "lstm": (4, 2), "gru": (3, 1)}[op]
    bias_shape = (2, 3 * U) if op == "gru" else None
    arrays = [a.astype(np.float32) for a in _inputs(rng, gates, bias_shape, states=states)]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    outs = getattr(ops, op)(*tensors, mask=MASK, return_sequences=True)
    assert all(o.dtype == np.float32 for o in outs)
    outs[0].sum().backward()
    assert all(t.grad.dtype == np.float32 for t in tensors)


@pytest.mark.parametrize("op, needed", [(op, k) for op, n in (("simple_rnn", 5), ("lstm", 6), ("gru", 5))
                                         for k in range(n)])
def test_gradient_skipped_for_constants(rng, op, needed):
    # Backward computes only the gradients asked for (None for the constants), and leaving the others
    # out changes nothing in the one it computes (the LSTM, for one, stops its last step early when
    # the initial state needs no gradient).
    gates, states = {"simple_rnn": (1, 1), "lstm": (4, 2), "gru": (3, 1)}[op]
    bias_shape = (2, 3 * U) if op == "gru" else None
    arrays = _inputs(rng, gates, bias_shape, states=states, batch=4, steps=STEPS)
    options = dict(mask=LONG_MASK, recurrent_mask=np.full((4, U), 1.25), return_sequences=True)

    def backward(requires_grad):
        args = [Tensor(a, requires_grad=True) if requires_grad(i) else a for i, a in enumerate(arrays)]
        outs = getattr(ops, op)(*args, **options)
        fn = outs[0]._ctx
        assert fn.needs_input_grad == tuple(requires_grad(i) for i in range(len(arrays)))
        return fn.backward(tuple(np.random.default_rng(3).standard_normal(o.shape) for o in outs))

    every = backward(lambda i: True)
    only = backward(lambda i: i == needed)
    assert [g is None for g in only] == [i != needed for i in range(len(arrays))]
    np.testing.assert_allclose(only[needed], every[needed], rtol=1e-12, atol=1e-15)


def test_unknown_activation_is_refused(rng):
    with pytest.raises(ValueError, match="activation 'gelu'"):
        ops.simple_rnn(*_inputs(rng, 1), activation="gelu")


# ----------------------------------------------------------------------------- against PyTorch
def _torch_compare(torch, module, ours_out, ours_inputs, torch_run, atol=1e-6):
    """Compare values and gradients of Σ(out·w) between ours and torch."""
    rng = np.random.default_rng(7)
    weights = [rng.standard_normal(o.shape) for o in ours_out]
    total = None
    for o, w in zip(ours_out, weights):
        term = (o * Tensor(w)).sum()
        total = term if total is None else total + term
    total.backward()
    t_out = torch_run()
    for o, t in zip(ours_out, t_out):
        np.testing.assert_allclose(o.data, t.detach().numpy(), atol=atol)
    t_total = sum((t * torch.from_numpy(w)).sum() for t, w in zip(t_out, weights))
    t_total.backward()
    return ours_inputs


def test_lstm_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x, h0, c0, W, R, b = _inputs(rng, 4, states=2, batch=3, steps=5, features=4, units=3)
    mod = torch.nn.LSTM(4, 3, batch_first=True).double()
    with torch.no_grad():  # torch gates i, f, g, o are Keras's i, f, c, o; weights are transposed
        mod.weight_ih_l0.copy_(torch.from_numpy(W.T))
        mod.weight_hh_l0.copy_(torch.from_numpy(R.T))
        mod.bias_ih_l0.copy_(torch.from_numpy(b))
        mod.bias_hh_l0.zero_()
    ts = [Tensor(a, requires_grad=True) for a in (x, h0, c0, W, R, b)]
    out = ops.lstm(*ts, return_sequences=True)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].requires_grad_()
    c0t = torch.from_numpy(c0)[None].requires_grad_()

    def run():
        y, (h, c) = mod(xt, (h0t, c0t))
        return y, h[0], c[0]

    _torch_compare(torch, mod, out, ts, run)
    np.testing.assert_allclose(ts[0].grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[1].grad, h0t.grad[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[2].grad, c0t.grad[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[3].grad, mod.weight_ih_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(ts[4].grad, mod.weight_hh_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(ts[5].grad, mod.bias_ih_l0.grad.numpy(), atol=1e-6)


def _keras_to_torch_gru(a, units):
    """Keras gate blocks (z, r, h) → PyTorch's (r, z, n) along the last axis."""
    z, r, h = a[..., :units], a[..., units:2 * units], a[..., 2 * units:]
    return np.concatenate([r, z, h], axis=-1)


def test_gru_matches_torch(rng):
    torch = pytest.importorskip("torch")
    units = 3
    x, h0, W, R, b = _inputs(rng, 3, (2, 3 * units), batch=3, steps=5, features=4, units=units)
    mod = torch.nn.GRU(4, units, batch_first=True).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.from_numpy(_keras_to_torch_gru(W, units).T))
        mod.weight_hh_l0.copy_(torch.from_numpy(_keras_to_torch_gru(R, units).T))
        mod.bias_ih_l0.copy_(torch.from_numpy(_keras_to_torch_gru(b[0], units)))
        mod.bias_hh_l0.copy_(torch.from_numpy(_keras_to_torch_gru(b[1], units)))
    ts = [Tensor(a, requires_grad=True) for a in (x, h0, W, R, b)]
    out = ops.gru(*ts, return_sequences=True, reset_after=True)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].requires_grad_()

    def run():
        y, h = mod(xt, h0t)
        return y, h[0]

    _torch_compare(torch, mod, out, ts, run)
    np.testing.assert_allclose(ts[0].grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[1].grad, h0t.grad[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(_keras_to_torch_gru(ts[2].grad, units), mod.weight_ih_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(_keras_to_torch_gru(ts[3].grad, units), mod.weight_hh_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(_keras_to_torch_gru(ts[4].grad[0], units), mod.bias_ih_l0.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(_keras_to_torch_gru(ts[4].grad[1], units), mod.bias_hh_l0.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_simple_rnn_matches_torch(rng, activation):
    torch = pytest.importorskip("torch")
    x, h0, W, R, b = _inputs(rng, 1, batch=3, steps=5, features=4, units=3)
    mod = torch.nn.RNN(4, 3, nonlinearity=activation, batch_first=True).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.from_numpy(W.T))
        mod.weight_hh_l0.copy_(torch.from_numpy(R.T))
        mod.bias_ih_l0.copy_(torch.from_numpy(b))
        mod.bias_hh_l0.zero_()
    ts = [Tensor(a, requires_grad=True) for a in (x, h0, W, R, b)]
    out = ops.simple_rnn(*ts, activation=activation, return_sequences=True)
    xt = torch.from_numpy(x).requires_grad_()
    h0t = torch.from_numpy(h0)[None].requires_grad_()

    def run():
        y, h = mod(xt, h0t)
        return y, h[0]

    _torch_compare(torch, mod, out, ts, run)
    np.testing.assert_allclose(ts[0].grad, xt.grad.numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[1].grad, h0t.grad[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(ts[2].grad, mod.weight_ih_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(ts[3].grad, mod.weight_hh_l0.grad.numpy().T, atol=1e-6)
    np.testing.assert_allclose(ts[4].grad, mod.bias_ih_l0.grad.numpy(), atol=1e-6)


def test_masked_batch_matches_torch_packed_sequences(rng):
    torch = pytest.importorskip("torch")
    lengths = [5, 3, 1]
    x, h0, c0, W, R, b = _inputs(rng, 4, states=2, batch=3, steps=5, features=2, units=3)
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]           # post-padding
    x = x * mask[..., None]
    mod = torch.nn.LSTM(2, 3, batch_first=True).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.from_numpy(W.T))
        mod.weight_hh_l0.copy_(torch.from_numpy(R.T))
        mod.bias_ih_l0.copy_(torch.from_numpy(b))
        mod.bias_hh_l0.zero_()
    xt = torch.from_numpy(x)
    packed = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, batch_first=True)
    _, (h, c) = mod(packed, (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]))
    _, ours_h, ours_c = ops.lstm(x, h0, c0, W, R, b, mask=mask, return_sequences=False)
    np.testing.assert_allclose(ours_h.data, h[0].detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(ours_c.data, c[0].detach().numpy(), atol=1e-6)


@pytest.mark.parametrize("op", ["lstm", "gru", "simple_rnn"])
def test_backward_leaves_the_incoming_gradients_alone(rng, op):
    # batch 1: the transposed state gradient is contiguous, so a careless op would work inside it
    gates, states = {"lstm": (4, 2), "gru": (3, 1), "simple_rnn": (1, 1)}[op]
    bias_shape = (2, 3 * U) if op == "gru" else None
    args = [Tensor(a, requires_grad=True) for a in _inputs(rng, gates, bias_shape, states=states, batch=1)]
    outs = getattr(ops, op)(*args)
    fn = outs[0]._ctx
    grads = tuple(rng.standard_normal(o.shape) for o in outs)
    kept = [g.copy() for g in grads]
    fn.backward(grads)
    for g, k in zip(grads, kept):
        np.testing.assert_array_equal(g, k)
