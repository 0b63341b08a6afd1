"""The allocator tuning applied at import (glibc only) and its opt-out."""

import os
import platform
import subprocess
import sys

import pytest

from neuronet.autograd import is_malloc_tuned, tune_malloc

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def _tuned_in_fresh_process(env_value):
    env = dict(os.environ)
    env.pop("NEURONET_MALLOC_TUNING", None)
    if env_value is not None:
        env["NEURONET_MALLOC_TUNING"] = env_value
    out = subprocess.run([sys.executable, "-c", "import neuronet; print(neuronet.autograd.is_malloc_tuned())"],
                         env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="malloc tuning applies to glibc only")
def test_import_tunes_malloc_unless_disabled():
    assert _tuned_in_fresh_process(None) == "True"
    assert _tuned_in_fresh_process("0") == "False"


def test_tune_malloc_reports_whether_it_applied():
    assert tune_malloc() is GLIBC
    assert is_malloc_tuned() is GLIBC or "NEURONET_MALLOC_TUNING" in os.environ
