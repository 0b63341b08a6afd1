"""The diagnostics example runs end to end (quick mode) and shows what it promises: the backward trace, a
wrong backward named by check_gradients, one step explained and equal to the real one, vanishing gradients
diagnosed in the deep sigmoid stack but not the ReLU/He one, and the two sanity checks."""

import re
from pathlib import Path

import numpy as np
from example_runner import run_example


def test_diagnostics_example_quick(tmp_path):
    out = run_example("diagnostics.py", "--quick", "--output", str(tmp_path))
    # 1. the trace lists the ops of the 2-layer net from the loss back to the first layer, one row per step
    assert "The ops, last to first: Mean <- Square <- Subtract <- Add <- MatMul <- ReLU <- Add <- MatMul" in out
    assert re.search(r"^8\s+MatMul\s+const \(5, 3\), hidden/kernel \(3, 4\)\s+\(5, 4\)", out, re.M), out
    # 2. the wrong backward is named although its layer has no weights; the right one passes
    assert re.search(r"^square\s+input\s+\(8, 5\)\s+all 40\s+5\.0e-01\s+FAILED", out, re.M), out
    assert "passed: False; layers with a wrong backward: ['square']" in out
    assert "passed: True; layers with a wrong backward: []" in out
    # 3. one step in numbers, the same update as the model's own next step
    assert "6. Update (SGD, learning rate 0.5): W ← W − 0.5 · dW" in out
    assert "the model's own next step made exactly these updates: True" in out
    # 4. per-layer gradient norms: the sigmoid stack's first layer gets ~1e-6 of its output layer's gradient
    ratios = re.search(r"first layer / output layer: sigmoid net ([0-9.e+-]+), relu net ([0-9.e+-]+)", out)
    assert float(ratios.group(1)) < 1e-4 and float(ratios.group(2)) > 1e-2, out
    rows = re.findall(r"^\s+(\d+|output)\s+([0-9.e+-]+)\s+([0-9.e+-]+)$", out, re.M)
    assert len(rows) == 11, out
    sigmoid = [float(r[1]) for r in rows]
    assert all(a < b for a, b in zip(sigmoid, sigmoid[1:])), sigmoid  # shrinking towards the input
    assert "sigmoid net after 4 epochs: accuracy 0.4" in out or "sigmoid net after 4 epochs: accuracy 0.5" in out
    assert "sigmoid net after 4 epochs" in out and "GradientMonitor warnings: 1 ['vanishing']" in out
    assert re.search(r"GradientMonitor: epoch 1: gradients vanish towards the input: layer 'sigmoid_1'", out)
    relu = re.search(r"relu net after \d+ epochs: accuracy ([0-9.]+); GradientMonitor warnings: 0 \[\]", out)
    assert relu and float(relu.group(1)) > 0.8, out
    # 5. the range test suggests a rate; the overfit check passes the sound net and names softmax(1) in the other
    assert re.search(r"falls fastest at [0-9.e+-]+ \(suggested learning rate\)", out), out
    assert "overfit one batch, sound network: PASSED" in out
    assert "FAILED: the loss did not fall" in out and "applies softmax over 1 unit" in out
    for name in ("gradient_flow.png", "lr_range_test.png", "activations.png"):
        assert (tmp_path / name).stat().st_size > 10_000


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?")


def _same_text_and_numbers(shown: str, printed: str) -> None:
    """The README's block and today's output read the same, numbers equal to the printed precision (the
    relative errors of passing rows are rounding noise, so they only need to stay far below the tolerance)."""
    assert NUMBER.sub("#", shown) == NUMBER.sub("#", printed), f"README:\n{shown}\n\nprinted today:\n{printed}"
    a = [float(v) for v in NUMBER.findall(shown)]
    b = [float(v) for v in NUMBER.findall(printed)]
    np.testing.assert_allclose(a, b, rtol=0, atol=2e-4)


def test_readme_shows_what_the_example_prints_today(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```\w*\n(.*?)^```", readme, re.S | re.M)
    table = next(b for b in blocks if b.startswith("layer               tensor")).rstrip("\n")
    step = next(b for b in blocks if b.startswith("One training step")).rstrip("\n")
    out = run_example("diagnostics.py", "--quick", "--output", str(tmp_path))
    printed_table = out.split("with SquareWrong.backward:\n")[1].split("\npassed:")[0]
    printed_step = out[out.index("One training step"):out.index("\n\nthe model's own next step")]
    _same_text_and_numbers(table, printed_table)
    _same_text_and_numbers(step, printed_step)
