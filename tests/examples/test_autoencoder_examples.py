"""The autoencoder, anomaly and dying-ReLU examples run in --quick mode (a few seconds each) and still show
their claims; each saves its picture into the folder given.

They run in this process (``main(argv)``), which saves each one the second or two of importing
scikit-learn and matplotlib again."""

import re
from pathlib import Path

import pytest
from example_runner import run_example

pytest.importorskip("sklearn")


@pytest.fixture
def run():
    def go(name: str, folder: Path) -> str:
        return run_example(name, "--quick", "--output", str(folder))

    return go


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1))


def picture(folder: Path, name: str, out: str) -> None:
    path = folder / name
    assert f"picture saved: {path}" in out
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_dense_autoencoder_codes_beat_pca(run, tmp_path):
    out = run("autoencoder_dense.py", tmp_path)
    assert "the encoder is its own model sharing the autoencoder's weights: True; codes of shape (397, 2)" in out
    ae = number(r"autoencoder ([\d.]+), PCA", out)
    pca = number(r"PCA ([\d.]+)\n", out)
    assert ae > pca + 0.05 and pca > 0.5, out
    assert number(r"test digits: ([\d.]+) after", out) < 0.7 * number(r"mean image: ([\d.]+)\)", out)
    picture(tmp_path, "autoencoder_dense_codes.png", out)
    picture(tmp_path, "autoencoder_dense_reconstructions.png", out)
    picture(tmp_path, "autoencoder_dense_history.png", out)


def test_conv_autoencoder_reconstructs(run, tmp_path):
    out = run("autoencoder_conv.py", tmp_path)
    assert "code: (2, 2, 8) = 32 numbers" in out
    assert number(r"ratio ([\d.]+)", out) < 0.5, out
    picture(tmp_path, "autoencoder_conv.png", out)


def test_denoising_autoencoder_removes_noise(run, tmp_path):
    out = run("autoencoder_denoising.py", tmp_path)
    noisy = number(r"MSE to the clean image ([\d.]+) noisy", out)
    denoised = number(r"noisy -> ([\d.]+) denoised", out)
    assert denoised < 0.6 * noisy, out
    picture(tmp_path, "autoencoder_denoising.png", out)


def test_sequence_autoencoder_reconstructs_waves(run, tmp_path):
    out = run("autoencoder_sequence.py", tmp_path)
    assert number(r"ratio ([\d.]+)", out) < 0.1, out
    picture(tmp_path, "autoencoder_sequence.png", out)


def test_variational_autoencoder_pulls_codes_to_the_prior(run, tmp_path):
    out = run("autoencoder_variational.py", tmp_path)
    first, last = number(r"loss \(reconstruction \+ KL\) ([\d.]+) ->", out), number(r"-> ([\d.]+) over", out)
    assert last < 0.85 * first, out
    kl = number(r"KL of the test codes from N\(0, 1\): ([\d.]+) nats", out)
    assert 0.1 < kl < 10, out
    means = [float(v) for v in re.search(r"mean \[([-\d. ]+)\]", out).group(1).split()]
    stds = [float(v) for v in re.search(r"std \[([-\d. ]+)\]", out).group(1).split()]
    assert all(abs(m) < 0.5 for m in means) and all(0.4 < s < 1.6 for s in stds), out
    ink, data_ink = number(r"mean ink ([\d.]+)", out), number(r"training digits: ([\d.]+)\)", out)
    assert abs(ink - data_ink) < 0.1, out  # decoded prior samples have the digits' amount of ink
    picture(tmp_path, "autoencoder_variational.png", out)


def test_anomaly_detection_by_reconstruction_error(run, tmp_path):
    out = run("anomaly_detection.py", tmp_path)
    assert number(r"anomaly score: ([\d.]+)", out) > 0.8, out
    assert number(r"anomalies ([\d.]+)\n", out) > number(r"normal ([\d.]+), anomalies", out)
    picture(tmp_path, "anomaly_detection.png", out)
    picture(tmp_path, "anomaly_confusion_matrix.png", out)


def test_dying_relu_revived_by_leaky_relu(run, tmp_path):
    out = run("dying_relu.py", tmp_path)
    relu_after = re.search(r"relu: active units per hidden layer .* before, "
                           r"\['(\d+)%', '(\d+)%', '(\d+)%'\] after", out)
    assert relu_after and [int(v) for v in relu_after.groups()][1:] == [0, 0], out  # the dead stay dead
    assert "of ReLU layer 'hidden_1' are dead" in out and "LeakyReLU or ELU" in out
    revived = number(r"revived by Leaky ReLU: (\d+)% of the hidden units active", out)
    dead = number(r"active against (\d+)% with ReLU", out)
    assert revived > dead + 20, out
    leaky, relu = number(r"accuracy ([\d.]+) against", out), number(r"against ([\d.]+) \(chance", out)
    assert leaky > 0.8 and relu < 0.65, out
    picture(tmp_path, "dying_relu.png", out)
