"""Run a model's ONNX export in onnxruntime and compare it with ``predict`` (imported by the export tests)."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from neuronet.export import onnx_model  # noqa: E402

#: the largest |onnxruntime - predict| seen by every comparison of the session (for the report)
WORST = {"diff": 0.0}

_TYPES = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(int32)": np.int32,
          "tensor(double)": np.float64, "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_}


def session(proto):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])


def run(sess, inputs: list) -> list:
    """onnxruntime's outputs for ``inputs`` (each cast to the type the graph declares)."""
    feeds = {i.name: np.asarray(x).astype(_TYPES[i.type]) for i, x in zip(sess.get_inputs(), inputs)}
    return sess.run(None, feeds)


def _difference(got: np.ndarray, want: np.ndarray) -> float:
    """The largest |got - want| over the finite entries; NaN and infinities must sit at the same places."""
    got, want = got.astype(np.float64), want.astype(np.float64)
    if not want.size:
        return 0.0
    assert np.array_equal(np.isnan(got), np.isnan(want)), "ONNX and predict have NaN at different places"
    finite = np.isfinite(want)
    assert np.array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)]), \
        "ONNX and predict have different infinities"
    return float(np.max(np.abs(got[finite] - want[finite]))) if finite.any() else 0.0


def assert_matches(model, inputs, batches=(1, 7), tol: float = 1e-5, input_signature=None, opset=None) -> float:
    """Export ``model``, check the graph with ``onnx.checker`` (full_check), and assert onnxruntime's
    outputs equal ``model.predict``'s within ``tol`` for the first ``n`` samples, each n in ``batches``.

    Returns the largest absolute difference seen.
    """
    multi = isinstance(inputs, (list, tuple))
    inputs = list(inputs) if multi else [inputs]
    proto = onnx_model(model, input_signature=input_signature, opset_version=opset)
    onnx.checker.check_model(proto, full_check=True)
    sess = session(proto)
    worst = 0.0
    for n in batches:
        xs = [x[:n] for x in inputs]
        got = run(sess, xs)
        want = model.predict(xs if multi else xs[0], verbose=0)
        want = list(want) if isinstance(want, (list, tuple)) else [want]
        assert len(got) == len(want), f"{len(got)} ONNX outputs, {len(want)} from predict"
        for g, w in zip(got, want):
            w = np.asarray(w)
            assert g.shape == w.shape, f"ONNX output shape {g.shape}, predict's {w.shape}"
            diff = _difference(g, w)
            worst = max(worst, diff)
    WORST["diff"] = max(WORST["diff"], worst)
    assert worst <= tol, f"onnxruntime differs from predict by {worst:.3g} (> {tol})"
    return worst
