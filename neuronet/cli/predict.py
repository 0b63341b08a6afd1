"""``neuronet predict MODEL.keras DATA.csv --out PRED.csv``: predictions for every row of a CSV.

For a classifier the output has the predicted label (in the training CSV's own terms) and one
``probability_<class>`` column per class; for a regressor the predicted value. ``--keep`` copies
columns of the input (an ID, say) in front. The file is written in one atomic step.
"""

from __future__ import annotations

import numpy as np

from .common import CLIError, check_output_path, load_model_file, read_csv, write_atomically
from .tabular import TabularModel

NAME = "predict"
HELP = "predict every row of a CSV file with a model made by `neuronet train`"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL.keras", help="a model written by `neuronet train`")
    parser.add_argument("data", metavar="DATA.csv", help="rows to predict (the target column may be absent)")
    parser.add_argument("--out", required=True, metavar="PRED.csv", help="where to write the predictions")
    parser.add_argument("--keep", default="", metavar="COLUMN[,COLUMN]",
                        help="input columns to copy into the output, e.g. an ID")


def run(args) -> int:
    check_output_path(args.out)
    tabular = TabularModel(load_model_file(args.model), args.model)
    frame = read_csv(args.data, NAME)
    keep = [c.strip() for c in args.keep.split(",") if c.strip()]
    absent = [c for c in keep if c not in frame.columns]
    if absent:
        raise CLIError(f"--keep names column '{absent[0]}', which '{args.data}' does not have")
    predicted = tabular.predict(frame, f"'{args.data}'")

    import pandas as pd

    out = pd.DataFrame({c: frame[c] for c in keep})
    if tabular.target in out.columns:
        raise CLIError(f"--keep copies '{tabular.target}', the name of the prediction column; keep it out")
    if tabular.task == "classification":
        out[tabular.target] = np.asarray(tabular.classes, dtype=object)[predicted.argmax(axis=1)]
        for k, label in enumerate(tabular.classes):
            out[f"probability_{label}"] = predicted[:, k]
    else:
        out[tabular.target] = predicted
    write_atomically(args.out, lambda tmp: out.to_csv(tmp, index=False, float_format="%.7g"))
    print(f"wrote {len(out)} prediction(s) of '{tabular.target}' to {args.out}")
    return 0
