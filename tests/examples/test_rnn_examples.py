"""The recurrent examples run with --quick and print what they claim to show."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(name: str, *extra: str) -> str:
    result = subprocess.run([sys.executable, str(EXAMPLES / name), "--quick", *extra], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1))


def test_sequence_classification():
    out = run("sequence_classification.py")
    assert _number(r"test accuracy: ([\d.]+)", out) >= 0.7
    assert "padding-invariant: True" in out
    assert _number(r"when 40 more padding steps are added: ([\d.e+-]+)", out) < 1e-5


def test_time_series_forecast():
    out = run("time_series_forecast.py")
    model = _number(r"test MSE  LSTM: ([\d.]+)", out)
    naive = _number(r"naive \(repeat last value\): ([\d.]+)", out)
    assert model < naive
    assert "LSTM beats the naive forecast: True" in out


def test_text_generation():
    out = run("text_generation.py")
    first = _number(r"training loss: ([\d.]+) \(epoch 1\)", out)
    last = _number(r"-> ([\d.]+) \(epoch \d+\)", out)
    assert last < first
    samples = re.findall(r"sample at temperature [\d.]+:\n  (.+)", out)
    assert len(samples) == 2 and all(len(s) >= 50 for s in samples)


@pytest.mark.parametrize("part", ["1.", "2.", "3."])
def test_vanishing_gradients_parts(part, _vanishing_output):
    assert any(line.startswith(part) for line in _vanishing_output.splitlines())


@pytest.fixture(scope="module")
def _vanishing_output(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pictures")
    out = run("vanishing_gradients.py", "--output", str(folder))
    assert (folder / "vanishing_gradients.png").stat().st_size > 10_000 or "matplotlib is not installed" in out
    return out


def test_vanishing_gradients_profile(_vanishing_output):
    out = _vanishing_output
    table = out.split("2. the adding problem")[0]
    assert re.search(r"^\s+100\s", table, re.M), "the profile must reach step 100"
    ratios = re.search(r"first/last\s+([\d.e+-]+)\s+([\d.e+-]+)\s+([\d.e+-]+)", table)
    assert ratios and all(float(r) < 1 for r in ratios.groups())  # every gradient shrinks towards step 1
    # the README's claim, in --quick too: the SimpleRNN does not learn the adding problem, LSTM and GRU do
    assert re.search(r"SimpleRNN: final MSE [\d.]+ -> did not learn it", out), out
    assert re.search(r"LSTM: final MSE [\d.]+ -> learned it", out), out
    assert re.search(r"GRU: final MSE [\d.]+ -> learned it", out), out
    ratios = dict(re.findall(r"(SimpleRNN|LSTM|GRU) ([\d.e+-]+)", out.split("first half / in the second half:")[1]))
    ratios = {k: float(v) for k, v in ratios.items()}
    # after training the gated layers still feel their first steps as much as their last; the SimpleRNN less
    assert ratios["LSTM"] > 0.5 and ratios["GRU"] > 0.5 and ratios["SimpleRNN"] < min(ratios["LSTM"], ratios["GRU"])
