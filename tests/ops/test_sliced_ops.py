"""Ops that run their batch in slices (neuronet.runtime): every op gives the same values and gradients
split or not, the same bits in parallel or serially, and passes gradcheck split."""

import numpy as np
import pytest

from neuronet import config, ops, runtime
from neuronet.autograd import Tensor, gradcheck
from neuronet.runtime import rows, threads


def _count_slices(monkeypatch) -> list:
    """Spy on the runtime: the list of the slice counts it ran slices with, from now on."""
    calls = []
    real = threads.run_slices

    def spy(work, slices, key):
        calls.append(len(slices))
        return real(work, slices, key)

    monkeypatch.setattr(threads, "run_slices", spy)
    return calls


@pytest.fixture
def split(monkeypatch):
    """Split every batch of at least 2 samples in two, whatever the work, over threads (helper
    processes are off: tests/ops/test_helper_processes.py covers them); yields the list of the slice
    counts the runtime ran slices with."""
    calls = _count_slices(monkeypatch)
    with runtime.policy_override(num_threads=2, min_slice_work=1, tiny_work=0, sequence_min_rows=1,
                                 use_helper_processes=False):
        yield calls


# ----------------------------------------------------------------------------- the ops, split
def _conv_case(rng, channels, padding, strides):
    x = rng.standard_normal((6, 7, 8, channels))
    k = rng.standard_normal((3, 2, channels, 4)) * 0.3
    b = rng.standard_normal(4) * 0.1

    def f(x, k, b):
        y = ops.conv(x, k, strides=strides, padding=padding, bias=b, relu=True)
        return ops.max_pool(y, 2, padding="same")

    return f, [x, k, b]


def _conv1d_case(rng):
    x = rng.standard_normal((6, 9, 3))
    k = rng.standard_normal((3, 3, 4)) * 0.3

    def f(x, k):
        y = ops.conv(x, k, padding="same", dilation_rate=2, relu=True)
        return ops.max_pool(y, 2)

    return f, [x, k]


def _conv_transpose_case(rng):
    x = rng.standard_normal((6, 4, 5, 3))
    k = rng.standard_normal((3, 3, 2, 3)) * 0.3
    b = rng.standard_normal(2) * 0.1
    return (lambda x, k, b: ops.conv_transpose(x, k, strides=2, padding="same", bias=b)), [x, k, b]


def _lstm_case(rng):
    x = rng.standard_normal((6, 5, 3))
    mask = np.ones((6, 5), bool)
    mask[1, :2] = mask[4, 3:] = False
    args = [x, rng.standard_normal((6, 4)) * 0.5, rng.standard_normal((6, 4)) * 0.5,
            rng.standard_normal((3, 16)) * 0.5, rng.standard_normal((4, 16)) * 0.5, rng.standard_normal(16) * 0.5]
    return (lambda *a: ops.lstm(*a, mask=mask, recurrent_mask=np.full((6, 4), 0.9))), args


def _gru_case(rng):
    args = [rng.standard_normal((6, 5, 3)), rng.standard_normal((6, 4)) * 0.5,
            rng.standard_normal((3, 12)) * 0.5, rng.standard_normal((4, 12)) * 0.5, rng.standard_normal((2, 12)) * 0.5]
    return (lambda *a: ops.gru(*a, go_backwards=True)), args


def _rnn_case(rng):
    args = [rng.standard_normal((6, 5, 3)), rng.standard_normal((6, 4)) * 0.5,
            rng.standard_normal((3, 4)) * 0.5, rng.standard_normal((4, 4)) * 0.5, rng.standard_normal(4) * 0.5]
    return (lambda *a: ops.simple_rnn(*a, return_sequences=True)), args


def _dense_case(rng):
    args = [rng.standard_normal((6, 5)), rng.standard_normal((5, 3)) * 0.5, rng.standard_normal(3) * 0.1]
    return (lambda *a: ops.dense(*a, activation="tanh")), args


CASES = {
    "dense": _dense_case,
    "conv-few-channels": lambda rng: _conv_case(rng, 2, "same", (1, 1)),
    "conv-strided": lambda rng: _conv_case(rng, 5, "valid", (2, 1)),
    "conv1d-dilated": _conv1d_case,
    "conv-transpose": _conv_transpose_case,
    "lstm": _lstm_case,
    "gru": _gru_case,
    "simple_rnn": _rnn_case,
}


def _values_and_grads(f, args):
    tensors = [Tensor(a, requires_grad=True) for a in args]
    out = f(*tensors)
    out = out if isinstance(out, tuple) else (out,)
    loss = sum((o * np.linspace(-1, 1, o.size).reshape(o.shape)).sum() for o in out)
    loss.backward()
    return [o.data.copy() for o in out] + [t.grad.copy() for t in tensors]


def _assert_same_bits_and_close_to_whole(split_one_way, split_other_way, whole):
    for a, b, c in zip(split_one_way, split_other_way, whole):
        assert np.array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_split_matches_unsplit_and_parallel_matches_serial_bit_for_bit(case, split, float64):
    f, args = CASES[case](np.random.default_rng(7))
    with runtime.policy_override(parallel=True):
        par = _values_and_grads(f, args)
    assert split and all(n == 2 for n in split)  # every op of the case ran in two slices
    with runtime.policy_override(parallel=False):
        ser = _values_and_grads(f, args)
    config.set_num_threads(1)
    _assert_same_bits_and_close_to_whole(par, ser, _values_and_grads(f, args))


@pytest.mark.parametrize("case", sorted(CASES))
def test_split_ops_pass_gradcheck(case, split, float64):
    f, args = CASES[case](np.random.default_rng(11))
    with runtime.policy_override(parallel=True):
        gradcheck(f, args)
    assert split


def _forget_splits():
    """Four slicing decisions that do not split: with recent_calls=4, earlier splits no longer count."""
    for _ in range(4):
        runtime.plan_rows(8, 1.0, min_rows=8)


@pytest.fixture
def dense_rule(monkeypatch):
    """``(x, kernel, ran)``: a 64×32 by 32×16 product that the dense rule hands to BLAS's threads (two
    threads, every batch cut, recent_calls=4, no split remembered), and the spy on the slices run."""
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal((64, 32)), rng.standard_normal((32, 16))
    ran = _count_slices(monkeypatch)
    with runtime.policy_override(num_threads=2, min_slice_work=1, tiny_work=0, threaded_blas_macs=64 * 32 * 16,
                                 recent_calls=4):
        _forget_splits()
        yield x, k, ran


def test_a_large_dense_product_runs_whole_unless_other_ops_split(dense_rule):
    """The dense rule: a product of at least policy.threaded_blas_macs runs as one call (on BLAS's
    threads) while nothing split recently, and in slices when something did."""
    x, k, ran = dense_rule
    ops.dense(x, k)
    assert ran == []  # whole: nothing split recently
    runtime.plan_rows(8, 1.0).map(lambda i, s: None)  # another op splits its batch
    assert ran == [2]
    ops.dense(x, k)
    assert ran == [2, 2]  # now the dense product is split too
    with runtime.policy_override(threaded_blas_macs=None):  # the rule off
        _forget_splits()
        ops.dense(x, k)
    assert ran == [2, 2, 2]
    with runtime.policy_override(num_threads=1):  # one thread asked for: BLAS is kept to its setting
        _forget_splits()
        assert runtime.plan_rows(64, 32 + 16 + 32, gemm_macs=64 * 32 * 16).mode == rows._WHOLE
    assert runtime.plan_rows(64, 32 + 16 + 32, gemm_macs=64 * 32 * 16).mode == rows._AS_IS


def test_an_optimizer_update_runs_whole_while_products_are_on_blas_and_never_counts_as_a_split(dense_rule):
    """After the dense rule hands a product to BLAS's threads, an optimizer's update runs as one call
    (BLAS's idle threads would take the core its slices need); once another op splits, updates are
    sliced, and those slices never count as splits (else they would switch the rule off by themselves)."""
    x, k, ran = dense_rule
    ops.dense(x, k)
    assert ran == []  # the product went to BLAS's threads
    update = runtime.plan_rows(1000, 1.0, update=True)
    assert not update.split
    runtime.plan_rows(8, 1.0).map(lambda i, s: None)  # another op splits its batch
    assert ran == [2]
    _forget_splits()  # the op's split is forgotten; no product has gone to BLAS's threads since
    for _ in range(4):
        runtime.plan_rows(1000, 1.0, update=True).map(lambda i, s: None)  # sliced, not counted
    assert ran == [2, 2, 2, 2, 2]
    ops.dense(x, k)
    assert ran == [2, 2, 2, 2, 2]  # back on BLAS's threads: the updates' slices did not count
