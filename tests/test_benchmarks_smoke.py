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
TRAINING = ["tiny", "mlp", "cnn", "lstm", "gru", "autoencoder", "cifar", "lstm_long"]
THROUGHPUT = [*TRAINING, "predict_mlp", "predict_cnn"]


def _load(name):
    spec = importlib.util.spec_from_file_location(f"neuronet_bench_{name}", os.path.join(BENCH, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, BENCH)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(BENCH)
    return module


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
    for name in TRAINING:
        assert any(line.startswith(f"| {name} |") for line in table.splitlines()), name
    inference = markdown.split("## Inference")[1].split("##")[0]
    for name in ("predict_mlp", "predict_cnn"):
        assert any(line.startswith(f"| {name} |") for line in inference.splitlines()), name
    assert "## Seed example end to end" in markdown
    assert "| neuronet |" in markdown
    assert "samples/s" in stdout


def test_smoke_prints_every_goal_and_the_limits(smoke_run):
    report, markdown, _ = smoke_run
    goals = markdown.split("## Goals")[1].split("\n## ")[0]
    for goal in ("seed fit faster than sklearn", "`import neuronet` ≤ 0.2 s", "tiny ≥ 5× PyTorch",
                 "tiny ≥ 1.5× Keras/JAX", "mlp ≥ 1.1× best peer", "mlp ≥ 70% of the GEMM peak", "autoencoder ≥ 1.1×",
                 "cnn ≥ 1.3×", "lstm ≥ 1.3×", "gru ≥ 2×", "cifar ≥ 1×", "lstm_long ≥ 1×", "lstm_long time per sample",
                 "lstm_long memory for the backward pass", "predict_mlp ≥ 1×", "predict_cnn ≥ 1×",
                 "single-sample predict latency", "scaling"):
        assert goal in goals, goal
    assert report["limits"]["peak_gflops"] > 0 and report["limits"]["bandwidth_gbs"] > 0
    assert "memory bandwidth" in markdown


def test_smoke_scaling_table(smoke_run):
    report, markdown, _ = smoke_run
    points = report["scaling"]
    assert {p["axis"] for p in points} == {"batch", "image", "sequence", "memmap"}
    for p in points:
        assert p["status"] == "ok", p
        assert p["step_s"] > 0 and p["step_peak_mb"] >= 0 and p["peak_rss_mb"] > 0
        assert p["time_vs_linear"] > 0
    memmap = next(p for p in points if p["axis"] == "memmap")
    assert memmap["memmap_rows"] > 0 and memmap["memmap_epoch_s"] > 0
    assert "## Scaling (neuronet)" in markdown


def test_peers_not_requested_are_not_reported(smoke_run):
    report, markdown, _ = smoke_run
    for name in THROUGHPUT:
        assert set(report["throughput"][name]) == {"neuronet"}
    header = next(line for line in markdown.splitlines() if line.startswith("| workload | batch |"))
    assert header.split(" | ")[2] == "neuronet" and "PyTorch" not in header


def test_ratios_are_neuronet_over_peer():
    run = _load("report")
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
    report_module = _load("report")
    report = {
        "seed": {"neuronet": {"fit_s": 0.08, "peak_rss_mb": 60.0}, "sklearn": {"fit_s": 0.05, "peak_rss_mb": 120.0}},
        "import": {"neuronet": {"median_s": 0.2}},
        "throughput": {
            # tiny is judged against PyTorch and against Keras/JAX, each on its own
            "tiny": {"neuronet": {"samples_per_s": 600.0, "peak_rss_mb": 40.0},
                     "torch": {"samples_per_s": 100.0, "peak_rss_mb": 300.0},
                     "keras-jax": {"samples_per_s": 1000.0, "peak_rss_mb": 30.0}},
            "mlp": {"neuronet": {"samples_per_s": None}, "torch": {"samples_per_s": 100.0}},
            "lstm": {"neuronet": {"samples_per_s": 800.0}, "torch": {"samples_per_s": 700.0}},
            "lstm_long": {"neuronet": {"samples_per_s": 95.0, "peak_rss_mb": 90.0,
                                       "step_memory": {"forward_kept_mb": 40.0, "step_peak_mb": 60.0}},
                          "torch": {"samples_per_s": 100.0, "peak_rss_mb": 300.0}},
            "cifar": {"neuronet": {"samples_per_s": 500.0, "peak_rss_mb": 200.0},
                      "torch": {"samples_per_s": 400.0, "peak_rss_mb": 350.0}},
        },
        "mlp_gemm": {"neuronet_fraction_of_peak": 0.75},
        "latency": {"neuronet": {"predict_us": 20.0}, "torch": {"predict_us": 12.0}},
    }
    rows = {goal: (value, verdict) for goal, value, verdict in report_module.goal_rows(report)}
    assert rows["seed fit faster than sklearn's MLPClassifier"][1] == "not met"
    assert rows["`import neuronet` ≤ 0.2 s"][1] == "met"
    assert rows["tiny ≥ 5× PyTorch"] == ("6.00× (PyTorch)", "met")
    assert rows["tiny ≥ 1.5× Keras/JAX"] == ("0.60× (Keras/JAX)", "not met")
    assert rows["mlp ≥ 1.1× best peer"] == ("not measured", "—")
    assert rows["mlp ≥ 70% of the GEMM peak measured in this run"] == ("75%", "met")
    assert rows["lstm ≥ 1.3× best peer"] == ("1.14× (PyTorch)", "not met")
    # 8 × lstm's time per sample = 8 / 800 s; lstm_long takes 1 / 95 s: 1.05 × linear, within 10 %
    assert rows["lstm_long time per sample ≤ 1.1 × 8 × lstm's (cost linear in length)"] == ("1.05 × 8 × lstm's", "met")
    assert rows["lstm_long memory for the backward pass stated"][1] == "stated"
    assert "keeps 40 MB" in rows["lstm_long memory for the backward pass stated"][0]
    assert rows["cifar ≥ 1× best peer"] == ("1.25× (PyTorch)", "met")
    assert rows["cifar peak RSS ≤ ½ the lowest peer's"][1] == "not met"  # 200 > 350 / 2
    assert rows["tiny single-sample predict latency ≤ PyTorch's eager forward"][1] == "not met"
    assert rows["peak RSS ≤ the lowest peer's on every workload"] == ("tiny 40 > 30 MB", "not met")


def test_core_modes_reports_one_rate_per_half_second(capsys):
    core_modes = _load("core_modes")
    rates = core_modes.loop_rate(1.0, threads=1)
    assert len(rates) == 2 and all(r > 0 for r in rates)
    assert core_modes.main(["0.5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0].strip() for line in lines] == ["BLAS's threads", "one BLAS thread"]
    assert all(len(line.split(":")[1].split()) == 1 for line in lines)


def test_rotation_puts_no_framework_always_after_the_same_one():
    run = _load("run")
    items = ["neuronet", "torch", "keras-tensorflow", "keras-jax", "neuronet-baseline"]
    orders = [run.rotate(items, k) for k in range(2 * len(items))]
    assert all(sorted(order) == sorted(items) for order in orders)
    assert {order[0] for order in orders} == set(items)  # each runs first in some repeat
    after = [(order[i], order[i + 1]) for order in orders for i in range(len(order) - 1)]
    # the two neuronet trees follow each other as often one way as the other
    assert after.count(("neuronet", "neuronet-baseline")) == after.count(("neuronet-baseline", "neuronet")) > 0
