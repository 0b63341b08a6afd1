"""examples/seq2seq_copy.py runs with --quick and shows what it claims: the encoder–decoder learns,
greedy decoding beats chance by far, and the saved model reloads with identical predictions."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seq2seq_copy.py"


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1))


def test_seq2seq_example_quick():
    result = subprocess.run([sys.executable, str(EXAMPLE), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    first = _number(r"training loss: ([\d.]+) \(epoch 1\)", out)
    last = _number(r"-> ([\d.]+) \(epoch \d+\)", out)
    assert last < 0.5 * first
    assert _number(r"teacher-forced digit accuracy \(padding excluded\): ([\d.]+)", out) > 0.5
    assert _number(r"greedy decoding: digit accuracy ([\d.]+)", out) > 0.5  # chance is 0.1
    examples = re.findall(r"^  (\d+) -> (\d+)$", out, flags=re.MULTILINE)
    assert len(examples) == 3 and all(len(a) == len(b) for a, b in examples)
    assert "reloaded model gives identical predictions: True" in out
