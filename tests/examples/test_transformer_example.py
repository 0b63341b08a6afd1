"""The transformer text-classification example runs with --quick, the Transformer learns (well above
chance) and the printed comparison with the Bidirectional-LSTM baseline is complete."""

import re
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "transformer_text_classification.py"


def test_transformer_example_quick():
    result = subprocess.run([sys.executable, str(EXAMPLE), "--quick"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    transformer = float(re.search(r"transformer test accuracy: ([\d.]+)", out).group(1))
    bilstm = float(re.search(r"bilstm test accuracy: ([\d.]+)", out).group(1))
    assert transformer >= 0.68, out  # chance is 0.5 (balanced classes)
    assert bilstm >= 0.6, out
    for row in ("Transformer (MHA)", "Bidirectional LSTM", "word counting, no order"):
        assert row in out
