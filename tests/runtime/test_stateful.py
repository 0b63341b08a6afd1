"""Stateful slices (neuronet.runtime.stateful) with a toy slice op, and the closed table of ops a
helper process may run."""

import numpy as np
import pytest

from neuronet import runtime
from neuronet.autograd import Function, Tensor, gradcheck
from neuronet.runtime import helpers


class Scale(Function):
    """y = x·w row by row, and the running sum of y over the columns: two outputs, x batched, w shared."""

    def forward(self, x, w, *, mask=None, offset=0.0):
        self.run = runtime.forward_in_slices(self, (x, w), batched=1, keyword_arrays={"mask": mask},
                                             options={"offset": offset}, work_per_row=x.shape[1], min_rows=1)
        return self.run.outputs

    def backward(self, gy):
        return self.run.backward(gy, self.needs_input_grad)

    # the slice-op protocol
    def _forward(self, x, w, mask=None, offset=0.0):
        self.x, self.w, self.mask = x, w, (1.0 if mask is None else mask)
        y = x * w * self.mask + offset
        return y, np.cumsum(y, axis=1)

    def _backward(self, grads):
        gy, gc = grads
        g = (gy + np.cumsum(gc[:, ::-1], axis=1)[:, ::-1]) * self.mask
        need_x, need_w = self.needs_input_grad
        return (g * self.w if need_x else None), ((g * self.x).sum(axis=0) if need_w else None)

    @classmethod
    def _reply_nbytes(cls, args, options):
        return 4 * args[0].nbytes


def _run(x, w, mask):
    xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    y, c = Scale.apply(xt, wt, mask=mask, offset=0.5)
    _run.slices = len(y._ctx.run.slices)
    ((y * np.linspace(-1, 1, y.size).reshape(y.shape)).sum() + c.sum()).backward()
    return [y.data, c.data, xt.grad, wt.grad]


def test_slices_give_the_whole_batch_outputs_and_gradients(float64):
    rng = np.random.default_rng(0)
    x, w, mask = rng.standard_normal((7, 4)), rng.standard_normal(4), rng.random((7, 4)) > 0.3
    whole = _run(x, w, mask)
    assert _run.slices == 1
    with runtime.policy_override(num_threads=3, min_slice_work=1, use_helper_processes=False):
        for parallel in (True, False):
            with runtime.policy_override(parallel=parallel):
                split = _run(x, w, mask)
                assert _run.slices == 3
                for a, b in zip(split, whole):
                    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        with runtime.policy_override(parallel=True):
            gradcheck(lambda x_, w_: Scale.apply(x_, w_, mask=mask), [x, w])


def test_the_helper_table_holds_the_recurrent_ops_and_refuses_a_taken_kind():
    import neuronet.ops.recurrent as recurrent

    assert {k: v for k, v in helpers.SLICE_OPS.items() if k in ("lstm", "gru", "simple_rnn")} == {
        "lstm": recurrent.LSTMSequence, "gru": recurrent.GRUSequence, "simple_rnn": recurrent.SimpleRNNSequence}
    assert Scale not in helpers.SLICE_OPS.values()  # not registered: its slices never leave this process

    class Impostor:
        KIND = "lstm"

    with pytest.raises(ValueError, match="KIND 'lstm' of .*Impostor is taken by .*recurrent.LSTMSequence"):
        runtime.register_slice_op(Impostor)

    class Nameless:
        pass

    with pytest.raises(ValueError, match="Nameless needs a non-empty string KIND"):
        runtime.register_slice_op(Nameless)
    assert helpers.SLICE_OPS["lstm"] is recurrent.LSTMSequence
