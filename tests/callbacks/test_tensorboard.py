"""TensorBoard: the event files it writes are read back (TFRecord framing with CRCs, Event protos)."""

import glob
import os
import struct

import numpy as np
import pytest

import neuronet
from neuronet import layers
from neuronet.callbacks import GradientMonitor, TensorBoard

tensorboardX = pytest.importorskip("tensorboardX")
from tensorboardX.crc32c import crc32c  # noqa: E402
from tensorboardX.proto.event_pb2 import Event  # noqa: E402


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_events(folder: str) -> list:
    """Every Event in the event files of ``folder``: TFRecords of (length, crc, data, crc), CRCs checked."""
    events = []
    for path in sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*"))):
        data = open(path, "rb").read()
        pos = 0
        while pos < len(data):
            header = data[pos:pos + 8]
            (length,) = struct.unpack("<Q", header)
            (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
            assert _masked(crc32c(header)) == length_crc
            body = data[pos + 12:pos + 12 + length]
            (body_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
            assert _masked(crc32c(body)) == body_crc
            events.append(Event.FromString(body))
            pos += 16 + length
    return events


def scalars(folder: str) -> dict:
    """``{tag: [(step, value), ...]}`` of the scalar summaries in ``folder``."""
    out = {}
    for event in read_events(folder):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def tags(folder: str, kind: str) -> set:
    return {v.tag for e in read_events(folder) for v in e.summary.value if v.HasField(kind)}


def _model():
    model = neuronet.Sequential([layers.Input((3,)), layers.Dense(8, activation="relu", name="hidden"),
                                 layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer=neuronet.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def test_epoch_logs_validation_learning_rate_and_histograms(tmp_path):
    x, y = _data()
    model = _model()
    board = TensorBoard(str(tmp_path / "logs"), histogram_freq=1)
    history = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.25, verbose=0, callbacks=[board])
    train = scalars(str(tmp_path / "logs" / "train"))
    val = scalars(str(tmp_path / "logs" / "validation"))
    assert [s for s, _ in train["epoch_loss"]] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_accuracy"]], history.history["accuracy"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in val["epoch_loss"]], history.history["val_loss"], rtol=1e-6)
    assert [v for _, v in train["epoch_learning_rate"]] == pytest.approx([0.01] * 3)
    assert "epoch_val_loss" not in train
    histograms = tags(str(tmp_path / "logs" / "train"), "histo")
    assert {"hidden/kernel/histogram", "hidden/bias/histogram", "out/kernel/histogram"} <= histograms
    histo = next(v.histo for e in read_events(str(tmp_path / "logs" / "train")) for v in e.summary.value
                 if v.tag == "hidden/kernel/histogram" and e.step == 2)
    assert histo.num == 24 and histo.max == pytest.approx(float(model.layers[0].kernel.data.max()), rel=1e-6)
    texts = {v.tag: v.tensor.string_val[0].decode() for e in read_events(str(tmp_path / "logs" / "train"))
             for v in e.summary.value if v.HasField("tensor")}
    assert '"class_name": "Sequential"' in texts["model/config/text_summary"]
    assert "hidden" in texts["model/summary/text_summary"]


def test_batch_updates_and_the_monitors_numbers(tmp_path):
    x, y = _data()
    model = _model()
    monitor = GradientMonitor(x=x[:64], y=y[:64], verbose=0)
    # the board before the monitor in the list: it still writes every check the monitor made
    board = TensorBoard(str(tmp_path), update_freq=2, write_graph=False, monitor=monitor)
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[board, monitor])
    train = scalars(str(tmp_path / "train"))
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6]  # 3 batches per epoch, every 2nd written
    assert [v for _, v in train["monitor/grad_norm/hidden"]] == pytest.approx(monitor.history["grad_norm"]["hidden"])
    assert [s for s, _ in train["monitor/dead_fraction/hidden"]] == [0, 1]
    assert "monitor/weight_norm/out" in train
    assert not tags(str(tmp_path / "train"), "tensor")  # write_graph=False


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(str(tmp_path), update_freq=0)
    with pytest.raises(ValueError, match="histogram_freq"):
        TensorBoard(str(tmp_path), histogram_freq=-1)
    with pytest.raises(ValueError, match="write_images=True is not supported"):
        TensorBoard(str(tmp_path), write_images=True)
    with pytest.raises(ValueError, match="monitor"):
        TensorBoard(str(tmp_path), monitor="yes")
