"""The diagnostics example runs end to end (quick mode) and shows what it promises: the backward trace,
vanishing gradients in the deep sigmoid stack but not the ReLU/He one, and dead ReLU units flagged."""

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "diagnostics.py"


def test_diagnostics_example_quick():
    out = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=300,
                         check=True).stdout
    # 1. the trace lists the ops of the 2-layer net from the loss back to the first layer, one row per step
    assert "The ops, last to first: Mean <- Square <- Subtract <- Add <- MatMul <- ReLU <- Add <- MatMul" in out
    assert re.search(r"^8\s+MatMul\s+const \(5, 3\), hidden/kernel \(3, 4\)\s+\(5, 4\)", out, re.M), out
    # 2. per-layer gradient norms: the sigmoid stack's first layer gets ~1e-6 of its output layer's gradient
    ratios = re.search(r"first layer / output layer: sigmoid net ([0-9.e+-]+), relu net ([0-9.e+-]+)", out)
    assert float(ratios.group(1)) < 1e-4 and float(ratios.group(2)) > 1e-2, out
    rows = re.findall(r"^\s+(\d+|output)\s+([0-9.e+-]+)\s+([0-9.e+-]+)$", out, re.M)
    assert len(rows) == 11, out
    sigmoid = [float(r[1]) for r in rows]
    assert all(a < b for a, b in zip(sigmoid, sigmoid[1:])), sigmoid  # shrinking towards the input
    assert re.search(r"sigmoid net .*\n  GradientMonitor\(vanishing=1e-5\): vanishing gradients in [1-9]\d* layer",
                     out), out
    assert re.search(r"relu net .*\n  GradientMonitor\(vanishing=1e-5\): vanishing gradients in 0 layer", out), out
    relu_accuracy = float(re.search(r"relu net after \d+ epochs: accuracy ([0-9.]+)", out).group(1))
    assert relu_accuracy > 0.8, out
    # 3. the dead ReLU layers are named
    assert "100% of the units of ReLU layer 'relu_2' are dead" in out
    assert re.search(r"after \d+ epochs: accuracy 0\.[45]\d+ \(chance: 0.5\)", out), out
