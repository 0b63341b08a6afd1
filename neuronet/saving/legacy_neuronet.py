"""``.keras`` files written by neuronet 0.1 (format 1), still readable.

Format 1 was a zip of ``config.json`` (neuronet's own config, without Keras's ``module`` wrapping),
``metadata.json`` (``format_version: 1``), ``model.weights.safetensors`` (every weight by path, in
Keras order) and ``optimizer.safetensors`` (the optimizer's ``state_dict()`` plus, in its metadata,
the position of each optimizer variable among the model's weights). New files use Keras's layout.
"""

from __future__ import annotations

import json

from . import files, keras_format, safetensors_io

__all__ = ["read_v1", "restore_optimizer_v1", "WEIGHTS_V1", "OPTIMIZER_V1"]

WEIGHTS_V1 = "model.weights.safetensors"
OPTIMIZER_V1 = "optimizer.safetensors"


def read_v1(path: str, where: str, with_config: bool = True) -> tuple:
    """``(config, metadata, (keys, arrays), optimizer state or None)`` of a format-1 file."""
    label = f"{where}: '{path}'"
    with files.Archive(path, label) as archive:
        metadata = keras_format.read_json(archive, keras_format.METADATA)
        keras_format.check_metadata(metadata, label)
        config = keras_format.read_json(archive, keras_format.CONFIG) if with_config else None
        weights = archive.read(WEIGHTS_V1, limit=keras_format.WEIGHTS_LIMIT, max_ratio=keras_format.MAX_RATIO)
        optimizer = None
        if OPTIMIZER_V1 in archive:
            optimizer = archive.read(OPTIMIZER_V1, limit=keras_format.WEIGHTS_LIMIT, max_ratio=keras_format.MAX_RATIO)
    keys, arrays, _ = safetensors_io.parse(weights, f"{label} {WEIGHTS_V1}")
    state = safetensors_io.parse(optimizer, f"{label} {OPTIMIZER_V1}") if optimizer is not None else None
    return config, metadata, (keys, arrays), state


def restore_optimizer_v1(model, parsed: tuple, where: str) -> None:
    _, state, meta = parsed
    optimizer = model.optimizer
    if not callable(getattr(optimizer, "load_state_dict", None)):
        return
    try:
        positions = json.loads(meta.get("weight_positions", "[]"))
    except (TypeError, ValueError, RecursionError) as err:
        raise ValueError(f"{where}: malformed 'weight_positions' metadata: {err}") from None
    weights = model.weights
    if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(weights) for p in positions):
        raise ValueError(f"{where}: the optimizer state refers to weights the model does not have "
                         f"(positions {str(positions)[:80]} for a model of {len(weights)} weights)")
    try:
        optimizer.build([weights[p] for p in positions])
        optimizer.load_state_dict(state)
    except Exception as err:  # whatever a damaged state makes the optimizer raise, name the file
        raise ValueError(f"{where}: the optimizer state does not fit the model: {err}") from None
