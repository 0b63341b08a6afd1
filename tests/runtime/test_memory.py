"""The allocator setting (glibc only): never applied at import, applied at the first op unless the
policy or NEURONET_MALLOC_TUNING turns it off, and really changing how glibc serves large blocks."""

import os
import platform
import subprocess
import sys

import pytest

from neuronet import runtime
from neuronet.autograd import is_malloc_tuned, tune_malloc

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
glibc_only = pytest.mark.skipif(not GLIBC, reason="malloc tuning applies to glibc only")


def _run_fresh(code, env_value=None):
    env = dict(os.environ)
    env.pop("NEURONET_MALLOC_TUNING", None)
    if env_value is not None:
        env["NEURONET_MALLOC_TUNING"] = env_value
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


FIRST_OP = """
import numpy as np
import neuronet
from neuronet import ops, runtime
{before}
print(runtime.is_malloc_tuned())
ops.dense(np.ones((2, 3)), np.ones((3, 4)))
print(runtime.is_malloc_tuned())
"""


@glibc_only
def test_tuned_at_the_first_op_not_at_import():
    assert _run_fresh(FIRST_OP.format(before="")) == ["False", "True"]


@glibc_only
def test_the_environment_or_the_policy_turns_it_off():
    assert _run_fresh(FIRST_OP.format(before=""), env_value="0") == ["False", "False"]
    assert _run_fresh(FIRST_OP.format(before="runtime.policy.malloc_tuning = False")) == ["False", "False"]


# Page faults while a training-step-like set of arrays (1 MiB and smaller, above glibc's default
# 128 KiB mmap threshold, below NumPy's 4 MiB huge-page size) is allocated, filled and freed ten times:
# mapped and zeroed afresh by default, reused from the heap once tuned.
FAULTS = """
import resource
import numpy as np
import neuronet
from neuronet import runtime
if {tune}:
    assert runtime.tune_malloc()
def step():
    arrays = [np.ones(n, np.float32) for n in (1 << 18, 1 << 17, 3 << 16, (1 << 18) // 3)]
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@glibc_only
def test_tuning_keeps_large_blocks_in_the_heap_and_import_alone_does_not():
    untouched = int(_run_fresh(FAULTS.format(tune=False))[0])
    tuned = int(_run_fresh(FAULTS.format(tune=True))[0])
    assert untouched > 2000  # ~540 pages mapped and zeroed again every step
    assert tuned < 200


def test_tune_malloc_reports_whether_it_applied():
    code = ("from neuronet import runtime; "
            "print(runtime.is_malloc_tuned(), runtime.tune_malloc(), runtime.is_malloc_tuned())")
    assert _run_fresh(code, env_value="0") == ["False", str(GLIBC), str(GLIBC)]
    assert tune_malloc is runtime.tune_malloc and is_malloc_tuned is runtime.is_malloc_tuned  # the old names
