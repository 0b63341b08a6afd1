"""Export a trained model for inference elsewhere: ONNX, read by onnxruntime on servers, browsers and phones.

``model.export("model.onnx", format="onnx")`` (Keras 3's method) calls :func:`export_model`. The
graph is written with the ``onnx`` package's helpers, layer by layer — never through another
framework — and checked with ``onnx.checker`` before the file is written (atomically: an error
leaves no file, and an existing file is only replaced by a complete one). Install the extra:
``pip install neuronet[onnx]`` (onnx, plus onnxruntime to run the file).

Example::

    model.export("model.onnx")                       # batch size free, other sizes as the model's
    import onnxruntime as ort
    session = ort.InferenceSession("model.onnx")
    name = session.get_inputs()[0].name
    y = session.run(None, {name: x.astype("float32")})[0]   # equals model.predict(x)

What is translated, and what is refused (with a one-line error naming the layer), is listed in
the README section "Deploy: ONNX".
"""

from __future__ import annotations

import os

from ..saving.files import atomic_write
from .onnx_graph import ExportError  # plain Python, no onnx import

__all__ = ["export_model", "onnx_model", "ExportError"]

_FORMATS = ("onnx",)
_KERAS_FORMATS = ("tf_saved_model", "openvino", "litert", "torch")


def _require_onnx():
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ImportError("export(format='onnx') needs the onnx package: pip install 'neuronet[onnx]'") from None


def onnx_model(model, input_signature=None, opset_version: int | None = None):
    """The ONNX ``ModelProto`` of ``model`` for inference, checked, in memory (nothing written).

    Args:
        model: a built Sequential or functional Model (nested models inside are fine).
        input_signature: the shapes (and optionally dtypes and names) of the graph inputs, one per model
            input: a shape tuple such as ``(None, None)``, ``Input(shape=..., dtype=...)``, an array, or any
            object with ``.shape`` (and ``.dtype``, ``.name``); a list of them for several inputs. ``None``
            in a shape is a size given at run time. Defaults to None: the model's input shapes with a
            free batch size.
        opset_version: the ONNX opset, from 13 to the installed onnx's highest. Defaults to 17.

    Raises:
        ExportError: naming the first layer (or setting) ONNX cannot express, before any work.
    """
    _require_onnx()
    from .onnx_convert import build_onnx_model

    return build_onnx_model(model, input_signature, opset_version)


def export_model(model, filepath, format: str = "onnx", verbose: bool | None = None, input_signature=None,
                 **kwargs) -> None:
    """Write ``model`` as an inference artifact (Keras 3's ``Model.export``; ONNX only).

    Args:
        model: a built Sequential or functional Model.
        filepath: where to write the ``.onnx`` file (str or path). An existing file is replaced.
        format: ``'onnx'``, the only format neuronet writes (Keras's other formats need TensorFlow,
            OpenVINO or PyTorch). Defaults to 'onnx' (Keras defaults to 'tf_saved_model').
        verbose: print the path written. Defaults to None, which prints (as Keras for ONNX).
        input_signature: see :func:`onnx_model`. Defaults to None (free batch size).
        **kwargs: ``opset_version`` (int, defaults to 17).

    Raises:
        ValueError: for an unknown format; ExportError (a ValueError) for a layer ONNX cannot express,
            naming it — raised before anything is written.
    """
    if format not in _FORMATS:
        extra = (f" ({format!r} needs another framework; neuronet writes ONNX only)" if format in _KERAS_FORMATS
                 else "")
        raise ValueError(f"export: unrecognized format={format!r}{extra}; supported formats are {list(_FORMATS)}")
    unknown = sorted(set(kwargs) - {"opset_version"})
    if unknown:
        raise TypeError(f"export: unexpected keyword argument(s) {unknown} for format='onnx'; expected opset_version")
    try:
        path = os.fspath(filepath)
    except TypeError:
        raise TypeError(f"export: expected filepath to be a str or os.PathLike, received {filepath!r}") from None
    if os.path.isdir(path):
        raise IsADirectoryError(f"export: '{path}' is a directory; give a file name such as 'model.onnx'")
    proto = onnx_model(model, input_signature, kwargs.get("opset_version"))
    data = proto.SerializeToString()
    atomic_write(path, lambda f: f.write(data))
    if verbose is None or verbose:
        print(f"Saved artifact at '{path}'.")
