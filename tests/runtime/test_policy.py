"""The runtime policy: one checked object the public switches and the tests set, and an import of
neuronet that changes nothing process-wide."""

import json
import os
import subprocess
import sys

import pytest

from neuronet import config, runtime


def test_override_sets_fields_for_the_block_and_restores_them():
    before = (runtime.policy.num_threads, runtime.policy.blas_threads)
    with runtime.policy_override(num_threads=7, blas_threads=None) as p:
        assert p is runtime.policy
        assert config.num_threads() == 7 and runtime.policy.blas_threads is None
    assert (runtime.policy.num_threads, runtime.policy.blas_threads) == before
    with pytest.raises(KeyError):
        with runtime.policy_override(num_threads=5):
            raise KeyError("inside")
    assert runtime.policy.num_threads == before[0]  # restored after an error too


def test_a_bad_value_is_refused_before_anything_is_set():
    before = runtime.policy.num_threads
    with pytest.raises(ValueError, match=r"runtime.policy.probes: expected a positive integer, received 0"):
        with runtime.policy_override(num_threads=before + 1, probes=0):
            pass
    assert runtime.policy.num_threads == before
    with pytest.raises(ValueError, match=r"runtime.policy.blas_threads: expected a positive integer or None"):
        runtime.policy.blas_threads = 0
    with pytest.raises(AttributeError, match="no field 'num_thread'"):
        runtime.policy.num_thread = 2


def test_the_public_switches_set_the_policy():
    with runtime.policy_override(num_threads=runtime.policy.num_threads, blas_threads=1):
        config.set_num_threads(3)
        config.set_blas_threads(None)
        assert runtime.policy.num_threads == 3 and runtime.policy.blas_threads is None


def _fresh(code, **env):
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env), capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def test_the_environment_sets_the_defaults():
    code = "import json, neuronet; p = neuronet.runtime.policy; print(json.dumps([p.num_threads, p.malloc_tuning]))"
    got = _fresh(code, NEURONET_NUM_THREADS="3", NEURONET_MALLOC_TUNING="off")
    assert got == [3, False]


IMPORT_ONLY = """
import json, os, threading
import numpy
from threadpoolctl import threadpool_info
blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
import neuronet
from neuronet.runtime import helpers, threads
after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
children = open(f"/proc/self/task/{os.getpid()}/children").read().split()
print(json.dumps({"threads": threading.active_count(), "tasks": len(os.listdir("/proc/self/task")),
                  "children": children, "helpers": len(helpers._HELPERS), "pool": threads._POOL["size"],
                  "malloc": neuronet.runtime.is_malloc_tuned(), "blas_same": blas == after}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc (Linux)")
def test_importing_neuronet_changes_nothing_process_wide():
    got = _fresh(IMPORT_ONLY)
    tasks_numpy_only = _fresh("import json, os, numpy; print(len(os.listdir('/proc/self/task')))")
    assert got["threads"] == 1 and got["pool"] == 0
    assert got["tasks"] == tasks_numpy_only  # no thread beyond those NumPy's BLAS starts
    assert got["children"] == [] and got["helpers"] == 0
    assert got["malloc"] is False
    assert got["blas_same"] is True
