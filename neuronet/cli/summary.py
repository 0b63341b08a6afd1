"""``neuronet summary MODEL.keras``: the layers of a model file and, for a model made by ``neuronet
train``, what it reads and predicts."""

from __future__ import annotations

import shutil

from .common import CLIError, load_model_file
from .tabular import TabularModel

NAME = "summary"
HELP = "describe a model file"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL.keras", help="a .keras model file")


def run(args) -> int:
    from ..layers import StringLookup

    model = load_model_file(args.model)
    model.summary(line_length=max(100, shutil.get_terminal_size((120, 24)).columns))
    try:
        tabular = TabularModel(model, args.model)
    except CLIError:
        return 0  # any other model: its layers are the whole story
    print(f"predicts '{tabular.target}' ({tabular.task}"
          + (f": {', '.join(tabular.classes)})" if tabular.classes else ")"))
    lookups = {layer.name: layer for layer in model.layers if isinstance(layer, StringLookup)}
    for column, kind in zip(tabular.columns, tabular.kinds):
        if kind == "numeric":
            print(f"  {column}: numeric, missing values → {tabular.fill[column]:.6g}")
        else:
            vocabulary = next((layer.get_vocabulary(include_special_tokens=False) for layer in lookups.values()
                               if _reads(model, layer, column)), [])
            shown = ", ".join(repr(v) if v else "'' (missing)" for v in vocabulary[:8])
            print(f"  {column}: categorical, {len(vocabulary)} categories ({shown}"
                  + (", ..." if len(vocabulary) > 8 else "") + ")")
    return 0


def _reads(model, layer, column: str) -> bool:
    """Whether ``layer`` is applied to the model input named ``column``."""
    try:
        source = layer.input
    except AttributeError:
        return False
    return getattr(source, "name", None) == column
