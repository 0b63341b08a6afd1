"""The benchmark harness keeps working: a smoke run (tiny sizes, seconds) and the ratio arithmetic.

Asserts no speed: benchmarks measure, tests never assert a time.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks")
THROUGHPUT = ["tiny", "mlp", "cnn", "lstm", "gru", "autoencoder"]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, os.path.join(BENCH, "run.py"), "--smoke", "--frameworks", "neuronet", "--out-dir", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    with open(out / "latest.json") as f:
        report = json.load(f)
    return report, (out / "latest.md").read_text(), result.stdout


def test_smoke_json_has_every_workload(smoke_run):
    report, _, _ = smoke_run
    assert report["config"]["smoke"] is True
    assert report["config"]["frameworks"] == ["neuronet"]
    assert sorted(report["throughput"]) == sorted(THROUGHPUT)
    for name in THROUGHPUT:
        entry = report["throughput"][name]["neuronet"]
        # every workload runs on neuronet: "unavailable" or "error" (an ImportError, a missing layer,
        # a crash) fails here, with the reason
        assert entry["status"] == "ok", (name, entry)
        assert entry["samples_per_s"] > 0
        assert entry["peak_rss_mb"] > 0
    assert report["import"]["neuronet"]["median_s"] > 0
    assert report["machine"]["numpy"]


def test_smoke_seed_example_learns(smoke_run):
    report, _, _ = smoke_run
    seed = report["seed"]["neuronet"]
    assert seed["status"] == "ok", seed
    assert seed["fit_s"] > 0
    assert seed["test_accuracy"] > 0.75  # the seed example reaches ~0.93; chance is 0.5


def test_smoke_markdown_has_a_row_per_workload(smoke_run):
    _, markdown, stdout = smoke_run
    table = markdown.split("## Training throughput")[1].split("##")[0]
    for name in THROUGHPUT:
        assert any(line.startswith(f"| {name} |") for line in table.splitlines()), name
    assert "## Seed example end to end" in markdown
    assert "| neuronet |" in markdown
    assert "samples/s" in stdout


def test_peers_not_requested_are_not_reported(smoke_run):
    report, markdown, _ = smoke_run
    for name in THROUGHPUT:
        assert set(report["throughput"][name]) == {"neuronet"}
    header = next(line for line in markdown.splitlines() if line.startswith("| workload | batch |"))
    assert header.split(" | ")[2] == "neuronet" and "PyTorch" not in header


def test_ratios_are_neuronet_over_peer():
    spec = importlib.util.spec_from_file_location("neuronet_bench_run", os.path.join(BENCH, "run.py"))
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    report = {"throughput": {"mlp": {"neuronet": {"samples_per_s": 300.0}, "torch": {"samples_per_s": 100.0},
                                     "keras-tensorflow": {"samples_per_s": 150.0}, "keras-jax": {}}}}
    cells, vs_best = run.ratio_cells(report, "mlp", ["torch", "keras-tensorflow", "keras-jax"])
    assert cells == ["3.00×", "2.00×", "—"]
    assert vs_best == "2.00×"  # against the fastest peer that ran


def test_unknown_framework_is_a_clear_error():
    result = subprocess.run([sys.executable, os.path.join(BENCH, "run.py"), "--frameworks", "tensorflw"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "unknown framework 'tensorflw'" in result.stderr


def test_goal_verdicts_follow_benchmarks_md():
    spec = importlib.util.spec_from_file_location("neuronet_bench_run_goals", os.path.join(BENCH, "run.py"))
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    report = {
        "seed": {"neuronet": {"fit_s": 0.08, "peak_rss_mb": 60.0}, "sklearn": {"fit_s": 0.05, "peak_rss_mb": 120.0}},
        "import": {"neuronet": {"median_s": 0.2}},
        "throughput": {
            # tiny is judged against PyTorch only, even when Keras/JAX is faster
            "tiny": {"neuronet": {"samples_per_s": 600.0, "peak_rss_mb": 40.0},
                     "torch": {"samples_per_s": 100.0, "peak_rss_mb": 300.0},
                     "keras-jax": {"samples_per_s": 1000.0, "peak_rss_mb": 30.0}},
            "mlp": {"neuronet": {"samples_per_s": None}, "torch": {"samples_per_s": 100.0}},
        },
    }
    rows = {goal: (value, verdict) for goal, value, verdict in run.goal_rows(report)}
    assert rows["seed fit ≤ 0.10 s and faster than sklearn"][1] == "not met"  # slower than sklearn
    assert rows["`import neuronet` ≤ 0.3 s"][1] == "met"
    assert rows["tiny ≥ 5× PyTorch"] == ("6.00× (PyTorch)", "met")
    assert rows["mlp ≥ 1.1× best peer"] == ("not measured", "—")
    assert rows["peak RSS ≤ lowest peer's on every workload"] == ("tiny 40 > 30 MB", "not met")
