"""The convnet example runs end to end (quick mode) and prints a sensible accuracy and confusion matrix."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "cnn_digits.py"


def test_cnn_digits_quick():
    out = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300,
                         check=True).stdout
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", out).group(1))
    assert accuracy >= 0.9, out  # the full run reaches ~98 %; a few epochs already clear 90 %
    rows = [line for line in out.splitlines() if re.match(r"^\s+\d\s+(\s*\d+){10}$", line)]
    assert len(rows) == 10, out
    total = sum(int(v) for row in rows for v in row.split()[1:])
    assert total == 450, out  # every test image appears once in the confusion matrix
