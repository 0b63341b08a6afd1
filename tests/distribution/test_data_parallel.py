"""Data-parallel training under ``mpiexec -n 2`` on this host (neuronet.distribution).

Four launches of ``mpi_checks.py`` (each costs two interpreter starts): one runs every equality,
callback, file and resume check, and one each for a rank that raises, a rank killed with SIGKILL and the
watchdog. Skipped where mpi4py or mpiexec is missing (``pip install 'neuronet[mpi]'``; ``make test``
installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py")

HERE = Path(__file__).parent
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("mpiexec is not installed (pip install 'neuronet[mpi]')", allow_module_level=True)

TOLERANCE = 1e-9


def launch(out: Path, group: str, timeout: float = 120.0):
    """Run mpi_checks.py GROUP on 2 ranks; (return code, output, seconds, per-rank results)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", NEURONET_NUM_THREADS="1")
    start = time.perf_counter()
    proc = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(HERE / "mpi_checks.py"), str(out), group],
                          capture_output=True, text=True, timeout=timeout, env=env)
    seconds = time.perf_counter() - start
    results = {}
    for rank in (0, 1):
        path = out / f"rank{rank}.json"
        if path.exists():
            results[rank] = json.loads(path.read_text())
            results[f"arrays{rank}"] = dict(np.load(out / f"rank{rank}.npz"))
    return proc.returncode, proc.stdout + proc.stderr, seconds, results


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mpi")
    code, output, _, results = launch(out, "equality")
    assert code == 0, output[-3000:]
    return out, output, results


# ----------------------------------------------------------------------------- equality with one process
@pytest.mark.parametrize("name", ["mlp", "masked", "functional", "idle", "uneven", "pydataset",
                                  "pydataset_own_shards"])
def test_two_ranks_train_as_one_process(run, name):
    """Same global batches (shuffled with a seed, a last batch split 1 / 2, masks and ignore_class that
    leave different counts in each share, a last batch that leaves a rank idle, sample weights, dict
    inputs, a 'sum' loss, an L2 penalty, an activity regularizer on shares of unequal size): same weights
    and logs, within 1e-9 in float64."""
    _, _, results = run
    single, parallel = results["arrays0"][f"{name}__single"], results["arrays0"][f"{name}__parallel"]
    assert np.max(np.abs(single - parallel)) <= TOLERANCE
    assert np.array_equal(parallel, results["arrays1"][f"{name}__parallel"])  # every rank holds the same weights
    logs_single, logs_parallel = results[0][f"{name}/single"], results[0][f"{name}/parallel"]
    assert logs_single.keys() == logs_parallel.keys()
    for key in logs_single:
        assert np.max(np.abs(np.array(logs_single[key]) - np.array(logs_parallel[key]))) <= TOLERANCE, key
    assert results[1][f"{name}/parallel"] == logs_parallel  # every rank logs the same numbers


def test_evaluate_uses_rank0_weights_and_sums_over_ranks(run):
    _, _, results = run
    single = results[0]["evaluate"]["single"]
    for rank in (0, 1):
        parallel = results[rank]["evaluate"]["parallel"]
        assert parallel.keys() == single.keys()
        assert all(abs(parallel[k] - single[k]) <= TOLERANCE for k in single)


def test_batch_normalization_moving_statistics(run):
    """Local batch statistics (not synchronised); the moving mean follows the global batch mean exactly and
    the moving statistics stay identical on every rank."""
    _, _, results = run
    a0, a1 = results["arrays0"], results["arrays1"]
    assert np.max(np.abs(a0["bn_frozen__moving_mean"] - a0["bn_frozen__single_moving_mean"])) <= TOLERANCE
    assert np.array_equal(a0["bn_trained__weights"], a1["bn_trained__weights"])


def test_only_rank0_prints_and_writes(run):
    out, output, _ = run
    assert (out / "log_rank0.csv").exists() and not (out / "log_rank1.csv").exists()
    assert (out / "ckpt_rank0.weights.safetensors").exists() and not (out / "ckpt_rank1.weights.safetensors").exists()
    assert (out / "tb_rank0").is_dir() and not (out / "tb_rank1").exists()
    assert output.count("Epoch 1/6") == 1  # the progress of fit(verbose=2), printed once
    assert "data-parallel over 2 processes (rank 0: pid" in output


def test_early_stopping_and_reduce_lr_decide_the_same_everywhere(run):
    _, _, results = run
    assert results[0]["callbacks"] == results[1]["callbacks"]
    assert results[0]["callbacks"] == {"epochs": 2, "stopped_epoch": 1, "learning_rate": 0.025}


def test_a_checkpoint_written_by_rank0_resumes_the_job(run):
    """Rank 0 loads the checkpoint, rank 1 starts from other weights: the broadcast at fit's start makes
    the resumed job continue as one process that never stopped."""
    _, _, results = run
    a0, a1 = results["arrays0"], results["arrays1"]
    assert np.max(np.abs(a0["resume__single"] - a0["resume__parallel"])) <= TOLERANCE
    assert np.array_equal(a0["resume__parallel"], a1["resume__parallel"])


def test_ranks_asked_for_different_loops_stop_at_once(run):
    _, _, results = run
    for rank in (0, 1):
        assert "epochs: rank 0 2, rank 1 3" in results[rank]["mismatch"]


def test_with_dropout_the_weights_stay_identical_on_every_rank(run):
    _, _, results = run
    assert np.array_equal(results["arrays0"]["dropout__weights"], results["arrays1"]["dropout__weights"])


# ----------------------------------------------------------------------------- faults
def test_a_rank_that_raises_stops_the_others(tmp_path):
    code, output, _, _ = launch(tmp_path, "faults-raise", timeout=60)
    stopped = time.time() - float((tmp_path / "fault_time").read_text())
    assert code != 0
    assert "ValueError: boom on purpose" in output
    assert re.search(r"rank 0 stops: rank 1 \(.*\) failed: ValueError: boom on purpose", output), output[-2000:]
    assert stopped < 10.0


def test_a_killed_rank_ends_the_job(tmp_path):
    """MPICH's launcher ends the job when a rank dies and names its pid; rank 0's table names the rank."""
    code, output, _, _ = launch(tmp_path, "faults-kill", timeout=60)
    stopped = time.time() - float((tmp_path / "fault_time").read_text())
    assert code != 0
    assert stopped < 10.0
    pid = re.search(r"rank 1: pid (\d+) on", output)
    assert pid is not None, output[-2000:]
    assert re.search(rf"PID {pid.group(1)}\b", output), output[-2000:]


def test_watchdog_names_a_dead_rank_and_a_silent_one(tmp_path):
    """Where the launcher does not end the job: a dead rank on this host is named within a poll (50 ms),
    a silent one when the time limit has passed."""
    code, output, _, results = launch(tmp_path, "faults-watchdog", timeout=60)
    assert code != 0
    dead, silent = results[0]["dead"], results[0]["timeout"]
    assert re.search(r"rank 0 stops: rank 1 \(pid \d+ on .*\) died", dead["message"])
    assert dead["seconds"] < 5.0
    assert "no answer from ranks [1] for 0.3 s" in silent["message"]
    assert 0.3 <= silent["seconds"] < 5.0
