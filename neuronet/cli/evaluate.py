"""``neuronet evaluate MODEL.keras DATA.csv [--target COLUMN]``: how well a model predicts a labelled CSV.

Classification: accuracy, F1 and ROC AUC, and the confusion matrix; regression: MAE, RMSE and R².
"""

from __future__ import annotations

import numpy as np

from .common import CLIError, closest, load_model_file, read_csv
from .report import (classification_metrics, confusion_matrix, format_confusion, format_metrics,
                     regression_metrics)
from .tabular import TabularModel, category_strings, numeric_values

NAME = "evaluate"
HELP = "score a model made by `neuronet train` on a labelled CSV file"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL.keras", help="a model written by `neuronet train`")
    parser.add_argument("data", metavar="DATA.csv", help="labelled rows")
    parser.add_argument("--target", metavar="COLUMN", help="the column with the true values (default: the column "
                        "the model was trained to predict)")


def run(args) -> int:
    tabular = TabularModel(load_model_file(args.model), args.model)
    frame = read_csv(args.data, NAME)
    target = args.target or tabular.target
    if target not in frame.columns:
        raise CLIError(f"'{args.data}' has no column '{target}'{closest(target, frame.columns)}")
    unlabelled = int(frame[target].isna().sum())
    if unlabelled == len(frame):
        raise CLIError(f"the column '{target}' of '{args.data}' is empty")
    if unlabelled:
        print(f"left out {unlabelled} row(s) without a value in '{target}'")
        frame = frame[frame[target].notna()].reset_index(drop=True)
    predicted = tabular.predict(frame, f"'{args.data}'")
    if tabular.task == "regression":
        truth = numeric_values(frame[target], target, f"'{args.data}'")
        print(f"{len(frame)} rows: {format_metrics(regression_metrics(truth, predicted))}")
        return 0
    text = category_strings(frame[target])
    index = {c: k for k, c in enumerate(tabular.classes)}
    known = np.array([t in index for t in text.tolist()])
    if not known.any():
        raise CLIError(f"no label of '{target}' in '{args.data}' is one the model knows "
                       f"({', '.join(tabular.classes[:10])})")
    if not known.all():
        unseen = sorted(set(text[~known].tolist()))
        print(f"left out {int((~known).sum())} row(s) whose label the model never saw: {', '.join(unseen[:10])}")
    truth = np.array([index[t] for t in text[known].tolist()], dtype=np.int64)
    proba = predicted[known]
    print(f"{len(truth)} rows: {format_metrics(classification_metrics(truth, proba))}")
    print(format_confusion(confusion_matrix(truth, proba.argmax(axis=1), len(tabular.classes)), tabular.classes))
    return 0
