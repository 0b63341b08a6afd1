"""Row plans and slices on threads (neuronet.runtime.rows, .threads): which slices a batch is cut into,
that every slice runs and finishes, and how a call site chooses between parallel and serial."""

import os
import threading
import time

import numpy as np
import pytest

from neuronet import config, runtime
from neuronet.runtime import rows, threads


@pytest.fixture
def split():
    """Cut every batch of at least 2 rows in two, whatever the work."""
    with runtime.policy_override(num_threads=2, min_slice_work=1, tiny_work=0):
        yield


def test_map_covers_the_batch_in_order(split):
    seen = runtime.plan_rows(10, 1.0).map(lambda i, s: (i, s.start, s.stop))
    assert seen == [(0, 0, 5), (1, 5, 10)]


def test_small_work_is_not_split():
    with runtime.policy_override(num_threads=2):
        assert rows.slices_for(64, 10.0) == [slice(0, 64)]
        assert len(rows.slices_for(64, runtime.policy.min_slice_work)) == 2
        assert rows.slices_for(64, runtime.policy.min_slice_work, min_rows=40) == [slice(0, 64)]
        config.set_num_threads(1)
        assert rows.slices_for(64, runtime.policy.min_slice_work) == [slice(0, 64)]


def test_plans_whole_as_is_and_split():
    with runtime.policy_override(num_threads=2):
        tiny = runtime.plan_rows(4, 10.0)
        assert not tiny.split and tiny.map(lambda i, s: s) == [slice(None)]
        assert runtime.plan_rows(64, runtime.policy.min_slice_work).split
        assert not runtime.plan_rows(64, 1000.0).split
        config.set_num_threads(1)
        assert not runtime.plan_rows(64, runtime.policy.min_slice_work).split


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "2"])
def test_set_num_threads_refuses_bad_counts(bad):
    with pytest.raises(ValueError, match="set_num_threads: expected a positive integer"):
        config.set_num_threads(bad)


def test_every_slice_finishes_before_an_error_is_raised(split):
    done = threading.Event()

    def work(i, s):
        if i == 0:
            raise RuntimeError("first slice failed")
        time.sleep(0.05)
        done.set()

    with runtime.policy_override(parallel=True):
        with pytest.raises(RuntimeError, match="first slice failed"):
            runtime.plan_rows(8, 1.0).map(work)
    assert done.is_set()


def test_a_slice_that_splits_again_runs_unsplit(split):
    with runtime.policy_override(parallel=True):
        inner = runtime.plan_rows(8, 1.0).map(lambda i, s: len(rows.slices_for(8, 1.0)))
    assert inner == [1, 1]


def test_call_site_probes_both_ways_then_keeps_the_faster():
    with runtime.policy_override(recheck=10):
        site = threads._Site()
        probes = runtime.policy.probes
        for _ in range(2 * (probes + 1)):
            way = site.choose()
            site.record(way, 1.0 if way else 2.0)  # parallel twice as fast
        assert len(site.times[True]) == len(site.times[False]) == probes
        ways = [site.choose() for _ in range(10)]
        assert ways.count(True) == 9 and ways.count(False) == 1  # one re-check of the slower way
        for _ in range(probes):
            site.record(True, 3.0)  # the machine got busy: parallel now slower
        assert site.choose() is False
        with runtime.policy_override(parallel=True):  # a forced way wins over the timings
            assert site.choose() is True


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_threads(split):
    with runtime.policy_override(parallel=True):
        runtime.plan_rows(8, 1.0).map(lambda i, s: i)  # the parent's pool now has a worker thread
        pid = os.fork()
        if pid == 0:  # child: the split must finish (with the parent's threads it would hang)
            code = 0 if runtime.plan_rows(8, 1.0).map(lambda i, s: i) == [0, 1] else 1
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


def test_split_recently_counts_calls_not_time(monkeypatch):
    monkeypatch.setattr(rows, "_SPLITS", {"calls": 0, "last": None})
    with runtime.policy_override(num_threads=2):
        assert not rows.split_recently()
        rows.slices_for(64, runtime.policy.min_slice_work)  # splits
        assert rows.split_recently()
        for _ in range(runtime.policy.recent_calls):
            rows.slices_for(64, 1.0)  # does not split
        assert not rows.split_recently()


def test_numpy_errstate_of_the_caller_holds_in_every_slice(split):
    def work(i, s):
        return np.exp(np.full(4, 1000.0 if i == 1 else 0.0, np.float32))  # overflows in the worker's slice

    with runtime.policy_override(parallel=True), np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            runtime.plan_rows(8, 1.0).map(work)


def test_add_up_sums_in_slice_order_and_keeps_none():
    parts = [np.array([1.0]), np.array([2.0]), np.array([3.0])]
    assert rows.add_up(parts)[0] == 6.0 and parts[0][0] == 1.0  # the first part is not written to
    assert rows.add_up([None, None]) is None


def test_map_sum_adds_each_component_over_the_slices(split):
    with runtime.policy_override(num_threads=3):
        plan = runtime.plan_rows(9, 1.0)
        assert len(plan.slices) == 3
        total, nothing = plan.map_sum(lambda i, s: (np.arange(9.0)[s].sum(keepdims=True), None))
    assert total[0] == 36.0 and nothing is None
    whole = runtime.plan_rows(1, 1.0)  # one slice: its result as it is
    assert whole.map_sum(lambda i, s: ("as is",)) == ("as is",)
