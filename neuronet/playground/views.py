"""What the page draws, computed from the model: every neuron's output over the input plane, the decision
boundary (or the regression curve), the weights, and the health monitor's findings.

Heat maps travel as base64 strings of bytes: a value ``v`` clipped to ``[low, high]`` becomes
``round(255 · (v − low) / (high − low))``; hidden and input neurons use ``[-1, 1]`` (values beyond are
drawn at full colour), the sigmoid output ``[0, 1]``. 1-D data (the regression curve) sends plain numbers.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from ..autograd import no_grad

__all__ = ["NEURON_RESOLUTION", "OUTPUT_RESOLUTION", "CURVE_RESOLUTION", "health", "jsonable", "layer_outputs",
           "maps", "weights"]

NEURON_RESOLUTION = 20  # each neuron's small heat map: 20 × 20 points of the plane
OUTPUT_RESOLUTION = 60  # the decision boundary: 60 × 60
CURVE_RESOLUTION = 80  # 1-D data: points along the line
HEALTH_SAMPLES = 256  # the health monitor's batch: the first training samples


def jsonable(values):
    """``values`` as nested lists of floats for JSON, with NaN and ±inf as None (JSON has no NaN)."""
    a = np.asarray(values, dtype=np.float64)
    if np.isfinite(a).all():
        return a.tolist()
    out = a.astype(object)
    out[~np.isfinite(a)] = None
    return out.tolist()


def _encode(values: np.ndarray, low: float, high: float) -> str:
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=low, posinf=high, neginf=low)
    scaled = np.rint((np.clip(v, low, high) - low) * (255.0 / (high - low))).astype(np.uint8)
    return base64.b64encode(scaled.tobytes()).decode("ascii")


def layer_outputs(model, x: np.ndarray) -> list:
    """Each layer's output ``a = f(z)`` on inputs ``x`` (inference mode, no graph recorded), input side first."""
    outs = []
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        h = x
        for layer in model.layers:
            h = layer(h, training=False)
            outs.append(np.asarray(h.data))
    return outs


def maps(model, data) -> dict:
    """The neurons' outputs over the plane: ``inputs`` (one map per input feature), ``layers`` (per layer,
    one map per unit) and ``output`` (the decision boundary at a finer grid, or the predicted curve)."""
    if data.features == 1:
        grid = data.grid(CURVE_RESOLUTION)
        outs = layer_outputs(model, grid)
        return {"kind": "curve", "x": jsonable(np.round(grid[:, 0], 4)),
                "inputs": [jsonable(np.round(grid[:, 0], 4))],
                "layers": [[jsonable(np.round(out[:, j], 4)) for j in range(out.shape[1])] for out in outs],
                "output": jsonable(np.round(outs[-1][:, 0], 4))}
    grid = data.grid(NEURON_RESOLUTION)
    outs = layer_outputs(model, grid)
    fine = layer_outputs(model, data.grid(OUTPUT_RESOLUTION))[-1][:, 0]
    scale = float(np.abs(grid).max()) or 1.0  # input features share one scale, so x₁ and x₂ look alike
    return {"kind": "plane", "resolution": NEURON_RESOLUTION, "output_resolution": OUTPUT_RESOLUTION,
            "inputs": [_encode(grid[:, j] / scale, -1.0, 1.0) for j in range(grid.shape[1])],
            "layers": [[_encode(out[:, j], -1.0, 1.0) for j in range(out.shape[1])] for out in outs[:-1]]
            + [[_encode(outs[-1][:, 0], 0.0, 1.0) if data.task == "binary" else _encode(outs[-1][:, 0], -1.0, 1.0)]],
            "output": _encode(fine, 0.0, 1.0) if data.task == "binary" else _encode(fine, -1.0, 1.0)}


def weights(model) -> list:
    """Per Dense layer ``{'name', 'activation', 'W': (inputs, units), 'b': (units,)}``."""
    from .. import activations

    return [{"name": layer.name, "activation": activations.serialize(layer.activation),
             "W": jsonable(layer.kernel.data), "b": jsonable(layer.bias.data)} for layer in model.layers]


def health(model, data, start: dict | None, learning_rate: float) -> tuple:
    """The health monitor on the first training samples: ``diagnostics.measure_health`` and ``diagnose``.

    Returns:
        ``(report, measured)``: the report for the page and the measurement (the ``start`` of later calls);
        the report is ``{'problems': [{'kind', 'layer', 'index', 'evidence', 'remedy', 'text'}], 'layers': [{'name',
        'grad_rms', 'dead_fraction', 'saturated_fraction'}], 'dead_units': [[unit, ...] per layer]}``. A
        unit is dead when it outputs exactly 0 for every training sample (the monitor's definition), so it
        gets no gradient.
    """
    from .. import diagnostics

    x, y = data.x_train[:HEALTH_SAMPLES], data.y_train[:HEALTH_SAMPLES]
    now = diagnostics.measure_health(model, x, y)
    index = {layer.name: i for i, layer in enumerate(model.layers)}
    problems = [{"kind": p.kind, "layer": p.layer, "index": index.get(p.layer), "evidence": p.evidence,
                 "remedy": p.remedy, "text": str(p)}
                for p in diagnostics.diagnose(now, start, learning_rate=learning_rate)]
    layers = [{"name": name, "grad_rms": _finite(h.get("grad_rms")), "dead_fraction": _finite(h.get("dead_fraction")),
               "saturated_fraction": _finite(h.get("saturated_fraction"))} for name, h in now["layers"].items()]
    outs = layer_outputs(model, data.x_train)
    dead = [np.flatnonzero(np.all(out == 0, axis=0)).tolist() for out in outs]
    return {"problems": problems, "layers": layers, "dead_units": dead}, now


def _finite(v):
    return float(v) if v is not None and math.isfinite(v) else None
