"""Recurrent ops with batch slices in helper processes (neuronet.runtime.helpers): the same bits as running
every slice here, gradcheck through the helpers, errors raised in the caller, and a lost helper
costing time but never a wrong gradient."""

import os
import sys
import time

import numpy as np
import pytest

from neuronet import config, runtime
from neuronet.autograd import Tensor, gradcheck
from neuronet.runtime import helpers as workers

from .test_sliced_ops import (_assert_same_bits_and_close_to_whole, _gru_case, _lstm_case, _rnn_case,
                              _values_and_grads)

pytestmark = pytest.mark.skipif(not workers.available(), reason="helper processes need Linux and /dev/shm")


CASES = {"lstm": _lstm_case, "gru": _gru_case, "simple_rnn": _rnn_case}


@pytest.fixture
def helper(monkeypatch):
    """Every batch split in two with the second slice in a started helper; yields the list of the
    commands sent to helpers."""
    monkeypatch.setattr(workers, "_STATE", {"failed": False, "hooks": workers._STATE["hooks"]})
    with runtime.policy_override(num_threads=2, min_slice_work=1, sequence_min_rows=1, parallel=None,
                                 helper_max_buffer=runtime.policy.helper_max_buffer):
        deadline = time.monotonic() + 60
        while (team := workers.helpers(1)) is None:
            assert time.monotonic() < deadline, "the helper process did not start within 60 s"
            time.sleep(0.05)
        team[0].lock.release()
        sent = []
        real = workers.Helper.send

        def spy(self, cmd, *args, **kwargs):
            real(self, cmd, *args, **kwargs)
            sent.append(cmd)  # only what really went out

        monkeypatch.setattr(workers.Helper, "send", spy)
        yield sent
    workers.shutdown()


def _use_helpers(use: bool):
    runtime.policy.parallel = use  # True: the extra slices in the helper; restored by the fixture


@pytest.mark.parametrize("case", sorted(CASES))
def test_helper_slices_give_the_same_bits_as_slices_run_here(case, helper, monkeypatch, float64):
    f, args = CASES[case](np.random.default_rng(3))
    _use_helpers(True)
    remote = _values_and_grads(f, args)
    assert helper == ["forward", "backward"]
    _use_helpers(False)
    local = _values_and_grads(f, args)
    assert helper == ["forward", "backward"]  # the second run kept both slices here
    config.set_num_threads(1)
    _assert_same_bits_and_close_to_whole(remote, local, _values_and_grads(f, args))


@pytest.mark.parametrize("case", sorted(CASES))
def test_ops_pass_gradcheck_with_a_slice_in_a_helper(case, helper, monkeypatch, float64):
    f, args = CASES[case](np.random.default_rng(5))
    _use_helpers(True)
    gradcheck(f, args)
    assert "backward" in helper


def test_a_helper_lost_after_the_forward_costs_time_not_gradients(helper, monkeypatch, float64):
    f, args = _lstm_case(np.random.default_rng(9))
    _use_helpers(False)
    expected = _values_and_grads(f, args)
    _use_helpers(True)
    tensors = [Tensor(a, requires_grad=True) for a in args]
    out = f(*tensors)
    process = workers._HELPERS[0].process
    process.kill()
    process.wait()
    loss = sum((o * np.linspace(-1, 1, o.size).reshape(o.shape)).sum() for o in out)
    loss.backward()
    got = [o.data for o in out] + [t.grad for t in tensors]
    for a, b in zip(got, expected):
        assert np.array_equal(a, b)
    assert workers.helpers(1) is None  # from now on the ops split over threads


def test_a_slice_too_large_for_the_buffer_is_split_over_threads(helper, monkeypatch, float64):
    f, args = _gru_case(np.random.default_rng(4))
    _use_helpers(False)
    expected = _values_and_grads(f, args)
    _use_helpers(True)
    runtime.policy.helper_max_buffer = 64
    got = _values_and_grads(f, args)
    assert helper == []  # nothing was sent
    assert workers.available() and workers.helpers(1) is not None  # and the helper stays in service
    workers._HELPERS[0].lock.release()
    for a, b in zip(got, expected):
        assert np.array_equal(a, b)


def test_an_error_in_a_helper_is_raised_here_and_the_helper_stays_usable(helper):
    team = workers.helpers(1)
    try:
        x = np.zeros((2, 3, 4))
        names = ["mask", "recurrent_mask"]
        request = (team[0], "forward", [x, np.zeros((2, 5)), np.zeros((4, 5)), np.zeros((5, 5)), None, None, None],
                   1 << 16, dict(op="simple_rnn", key=0, names=names, options={"activation": "swish"}))
        with pytest.raises(ValueError, match="activation 'swish' is not supported"):
            workers.run([request], lambda: None)
        request = (team[0], "forward", request[2], 1 << 16, dict(op="simple_rnn", key=1, names=names, options={}))
        _, (answer,) = workers.run([request], lambda: None)
    finally:
        team[0].lock.release()
    assert answer[0].shape == (2, 3, 5) and not answer[0].any()


def test_a_helper_runs_only_the_recurrent_ops(helper):
    team = workers.helpers(1)
    try:
        request = (team[0], "forward", [np.zeros((1, 1, 1)), None, None], 1 << 16,
                   dict(op="os.system", key=0, names=[], options={}))
        with pytest.raises(KeyError, match="os.system"):
            workers.run([request], lambda: None)
    finally:
        team[0].lock.release()


def test_finished_forward_states_are_dropped_in_the_helper(helper, monkeypatch):
    f, args = _rnn_case(np.random.default_rng(1))
    _use_helpers(True)
    for _ in range(3):
        _values_and_grads(f, args)
    drops = workers._HELPERS[0].drops
    assert len(drops) >= 1  # waiting to go out with the next request
    _values_and_grads(f, args)
    assert drops is not workers._HELPERS[0].drops


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_does_not_talk_to_its_parents_helpers(helper, monkeypatch):
    f, args = _rnn_case(np.random.default_rng(2))
    _use_helpers(True)
    _values_and_grads(f, args)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os._exit(0 if not workers._HELPERS else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert workers._HELPERS  # the parent keeps its own


def test_no_helpers_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not workers.available()
    assert workers.helpers(1) is None


def test_no_helpers_when_embedded_in_another_program(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/opt/app/bin/app")
    assert not workers.available()


def test_a_helper_runs_the_callers_neuronet_whatever_the_working_directory(helper, monkeypatch, tmp_path):
    # another "neuronet" in the working directory must not be what the helper imports
    fake = tmp_path / "neuronet"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('the wrong neuronet')\n")
    monkeypatch.chdir(tmp_path)
    workers.shutdown()
    deadline = time.monotonic() + 60
    while (team := workers.helpers(1)) is None:
        assert workers.available(), "the helper failed to start"
        assert time.monotonic() < deadline, "the helper process did not start within 60 s"
        time.sleep(0.05)
    team[0].lock.release()
    f, args = _rnn_case(np.random.default_rng(6))
    _use_helpers(True)
    _values_and_grads(f, args)
    assert helper == ["forward", "backward"]
