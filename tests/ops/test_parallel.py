"""Batch slices on threads (neuronet.ops.parallel): every op that splits its batch gives the same
values and gradients split or not, the same bits in parallel or serially, and passes gradcheck split."""

import os
import sys
import threading
import time

import numpy as np
import pytest

from neuronet import config, ops
from neuronet.autograd import Tensor, gradcheck
from neuronet.ops import parallel, workers
from neuronet.ops.recurrent import _SequenceOp


@pytest.fixture
def split(monkeypatch):
    """Split every batch of at least 2 samples in two, whatever the work, over threads (helper
    processes are off: tests/ops/test_workers.py covers them); yields the list of the slice counts
    that map_slices was called with."""
    monkeypatch.setattr(workers, "helpers", lambda count: None)
    monkeypatch.setattr(parallel, "MIN_SLICE_WORK", 1)
    monkeypatch.setattr(parallel, "TINY_WORK", 0)
    monkeypatch.setattr(sys.modules["neuronet.ops.dense"], "TINY_WORK", 0)
    monkeypatch.setattr(_SequenceOp, "MIN_ROWS", 1)
    calls = []
    real = parallel.map_slices

    def spy(work, slices, *args):
        calls.append(len(slices))
        return real(work, slices, *args)

    for module in ("neuronet.ops.parallel", "neuronet.ops.recurrent"):
        monkeypatch.setattr(sys.modules[module], "map_slices", spy)
    old = config.num_threads()
    config.set_num_threads(2)
    yield calls
    config.set_num_threads(old)


def _force(monkeypatch, parallel_mode: bool):
    monkeypatch.setattr(parallel._Site, "choose", lambda self: parallel_mode)


# ----------------------------------------------------------------------------- map_batch itself
def test_map_batch_covers_the_batch_in_order(split):
    seen = parallel.map_batch(lambda i, s: (i, s.start, s.stop), 10, 1.0)
    assert seen == [(0, 0, 5), (1, 5, 10)]


def test_small_work_is_not_split():
    old = config.num_threads()
    config.set_num_threads(2)
    try:
        assert parallel.batch_slices(64, 10.0) == [slice(0, 64)]
        assert len(parallel.batch_slices(64, parallel.MIN_SLICE_WORK)) == 2
        assert parallel.batch_slices(64, parallel.MIN_SLICE_WORK, min_rows=40) == [slice(0, 64)]
        config.set_num_threads(1)
        assert parallel.batch_slices(64, parallel.MIN_SLICE_WORK) == [slice(0, 64)]
    finally:
        config.set_num_threads(old)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "2"])
def test_set_num_threads_refuses_bad_counts(bad):
    with pytest.raises(ValueError, match="set_num_threads: expected a positive integer"):
        config.set_num_threads(bad)


def test_every_slice_finishes_before_an_error_is_raised(split, monkeypatch):
    _force(monkeypatch, True)
    done = threading.Event()

    def work(i, s):
        if i == 0:
            raise RuntimeError("first slice failed")
        time.sleep(0.05)
        done.set()

    with pytest.raises(RuntimeError, match="first slice failed"):
        parallel.map_batch(work, 8, 1.0)
    assert done.is_set()


def test_a_slice_that_splits_again_runs_unsplit(split, monkeypatch):
    _force(monkeypatch, True)
    inner = parallel.map_batch(lambda i, s: len(parallel.batch_slices(8, 1.0)), 8, 1.0)
    assert inner == [1, 1]


def test_call_site_probes_both_ways_then_keeps_the_faster(monkeypatch):
    monkeypatch.setattr(parallel, "RECHECK", 10)
    site = parallel._Site()
    for _ in range(2 * (parallel.PROBES + 1)):
        way = site.choose()
        site.record(way, 1.0 if way else 2.0)  # parallel twice as fast
    assert len(site.times[True]) == len(site.times[False]) == parallel.PROBES
    ways = [site.choose() for _ in range(10)]
    assert ways.count(True) == 9 and ways.count(False) == 1  # one re-check of the slower way
    for _ in range(parallel.PROBES):
        site.record(True, 3.0)  # the machine got busy: parallel now slower
    assert site.choose() is False


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


@pytest.mark.parametrize("case", sorted(CASES))
def test_split_matches_unsplit_and_parallel_matches_serial_bit_for_bit(case, split, monkeypatch, float64):
    f, args = CASES[case](np.random.default_rng(7))
    _force(monkeypatch, True)
    par = _values_and_grads(f, args)
    assert split and all(n == 2 for n in split)  # every op of the case ran in two slices
    _force(monkeypatch, False)
    ser = _values_and_grads(f, args)
    config.set_num_threads(1)
    whole = _values_and_grads(f, args)
    for a, b, c in zip(par, ser, whole):
        assert np.array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_split_ops_pass_gradcheck(case, split, monkeypatch, float64):
    f, args = CASES[case](np.random.default_rng(11))
    _force(monkeypatch, True)
    gradcheck(f, args)



@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_threads(split, monkeypatch):
    _force(monkeypatch, True)
    parallel.map_batch(lambda i, s: i, 8, 1.0)  # the parent's pool now has a worker thread
    pid = os.fork()
    if pid == 0:  # child: the split must finish (with the parent's threads it would hang)
        code = 0 if parallel.map_batch(lambda i, s: i, 8, 1.0) == [0, 1] else 1
        os._exit(code)
    deadline = time.time() + 20
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("a split in a forked child did not finish")


def test_splitting_recently_counts_calls_not_time(monkeypatch):
    monkeypatch.setattr(parallel, "_CALLS", {"n": 0, "last_split": None})
    old = config.num_threads()
    config.set_num_threads(2)
    try:
        assert not parallel.splitting_recently()
        parallel.batch_slices(64, parallel.MIN_SLICE_WORK)  # splits
        assert parallel.splitting_recently()
        for _ in range(parallel.RECENT_CALLS):
            parallel.batch_slices(64, 1.0)  # does not split
        assert not parallel.splitting_recently()
    finally:
        config.set_num_threads(old)


def test_numpy_errstate_of_the_caller_holds_in_every_slice(split, monkeypatch):
    _force(monkeypatch, True)

    def work(i, s):
        return np.exp(np.full(4, 1000.0 if i == 1 else 0.0, np.float32))  # overflows in the worker's slice

    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            parallel.map_batch(work, 8, 1.0)
