"""``neuronet train DATA.csv --target COLUMN --out MODEL.keras``: a model for a table, preprocessing included.

Reads the CSV, types its columns (numeric, categorical, dropped as ID-like or constant), holds out a
validation split (stratified for classification), adapts the preprocessing layers on the training rows,
trains a Dense network with early stopping on the validation loss, prints the validation metrics and
writes the model — whose layers carry the whole preprocessing (see :mod:`neuronet.cli.tabular`) — in one
atomic step.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ..callbacks import Callback
from .common import CLIError, check_output_path, closest, read_csv, write_atomically
from .report import classification_metrics, format_metrics, regression_metrics
from .tabular import (TabularModel, build_model, call_in_batches, category_strings, describe_columns, infer_task,
                      numeric_values, sort_labels)

NAME = "train"
HELP = "train a model on a CSV file (preprocessing included in the saved model)"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), received {text!r}") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), received {text!r}")
    return value


def _layer_sizes(text: str) -> list:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers such as 64,32, received "
                                         f"{text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers such as 64,32, received "
                                         f"{text!r}")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA.csv", help="the training data, one row per sample, with a header")
    parser.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    parser.add_argument("--out", required=True, metavar="MODEL.keras", help="where to write the model")
    parser.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                        help="auto: classification for text, booleans and integers with few values "
                             "(default: auto)")
    parser.add_argument("--layers", type=_layer_sizes, default=[64, 32], metavar="64,32",
                        help="units of the hidden Dense layers (default: 64,32)")
    parser.add_argument("--epochs", type=_positive_int, default=200, metavar="N",
                        help="most epochs; early stopping usually ends sooner (default: 200)")
    parser.add_argument("--batch-size", type=_positive_int, default=128, metavar="N", help="(default: 128)")
    parser.add_argument("--learning-rate", type=float, default=3e-3, metavar="F", help="Adam's (default: 0.003)")
    parser.add_argument("--validation-split", type=_fraction, default=0.2, metavar="F",
                        help="fraction of rows held out for early stopping and the final metrics (default: 0.2)")
    parser.add_argument("--patience", type=_positive_int, default=12, metavar="N",
                        help="epochs without a better validation loss before stopping (default: 12)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the split, the initial weights and the shuffles (default: 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


class EpochProgress(Callback):
    """One tqdm bar over the epochs (on stderr), showing the latest losses."""

    def __init__(self, epochs: int, quiet: bool):
        super().__init__()
        self.epochs, self.quiet = epochs, quiet

    def on_train_begin(self, logs=None):
        from tqdm import tqdm

        self.bar = tqdm(total=self.epochs, desc="training", unit="epoch", file=sys.stderr, disable=self.quiet,
                        dynamic_ncols=True)

    def on_epoch_end(self, epoch, logs=None):
        shown = {k: f"{v:.4f}" for k, v in (logs or {}).items() if k in ("loss", "val_loss", "val_accuracy")}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.close()

    def close(self) -> None:
        """Close the bar (also when training is interrupted, so it is not redrawn after the message)."""
        if getattr(self, "bar", None) is not None:
            self.bar.close()
            self.bar = None


def _split(n: int, labels, fraction: float, rng: np.random.Generator) -> tuple:
    """Row indices ``(train, validation)``: a shuffled split, stratified by class when ``labels`` is given
    (each class with 2 or more rows gives the validation set its share, at least one row)."""
    order = rng.permutation(n)
    if labels is None:
        size = max(1, int(round(fraction * n)))
        return np.sort(order[size:]), np.sort(order[:size])
    held = []
    for k in np.unique(labels):
        rows = order[labels[order] == k]
        if len(rows) >= 2:
            held.extend(rows[:max(1, int(round(fraction * len(rows))))].tolist())
    held = np.sort(np.asarray(held, dtype=np.int64))
    return np.setdiff1d(np.arange(n), held), held


def run(args) -> int:
    from .. import callbacks, config, optimizers

    check_output_path(args.out, suffix=".keras")
    frame = read_csv(args.data, NAME)
    if args.target not in frame.columns:
        raise CLIError(f"'{args.data}' has no column '{args.target}'{closest(args.target, frame.columns)}; columns: "
                       + ", ".join(frame.columns[:20]) + (" ..." if len(frame.columns) > 20 else ""))
    target_column = frame[args.target]
    missing_target = int(target_column.isna().sum())
    if missing_target == len(frame):
        raise CLIError(f"the target column '{args.target}' of '{args.data}' is empty")
    if missing_target:
        print(f"dropped {missing_target} row(s) without a value in '{args.target}'")
        frame = frame[target_column.notna()].reset_index(drop=True)
        target_column = frame[args.target]
    task = infer_task(target_column) if args.task == "auto" else args.task

    classes, labels, y_stats, y = [], None, None, None
    if task == "classification":
        text = category_strings(target_column)
        classes = sort_labels(set(text.tolist()))
        if len(classes) < 2:
            raise CLIError(f"the target column '{args.target}' has only one class ({classes[0]!r}); a classifier "
                           "needs at least 2")
        index = {c: k for k, c in enumerate(classes)}
        labels = np.array([index[t] for t in text.tolist()], dtype=np.int64)
    else:
        y = numeric_values(target_column, args.target, f"'{args.data}'")

    features, dropped = describe_columns(frame, args.target)
    for name, reason in dropped:
        print(f"dropped column '{name}' ({reason})")
    if not features:
        raise CLIError(f"'{args.data}' has no usable feature column besides '{args.target}'")
    rng = np.random.default_rng(args.seed)
    train_rows, val_rows = _split(len(frame), labels, args.validation_split, rng)
    if len(train_rows) < 2 or len(val_rows) < 1:
        raise CLIError(f"'{args.data}' has {len(frame)} usable row(s): too few to hold out a validation split")
    train_frame, val_frame = frame.iloc[train_rows], frame.iloc[val_rows]
    if task == "regression":
        y_train = y[train_rows]
        y_stats = (float(y_train.mean()), float(max(y_train.var(), 1e-12)))

    numeric = sum(kind == "numeric" for _, kind in features)
    print(f"{task} of '{args.target}'" + (f" ({len(classes)} classes)" if classes else "")
          + f" from {len(features)} column(s): {numeric} numeric, {len(features) - numeric} categorical; "
          f"{len(train_rows)} training rows, {len(val_rows)} validation rows")

    config.set_random_seed(args.seed)
    model, preprocess, network = build_model(train_frame, features, task, args.target, classes, args.layers, y_stats)
    reader = TabularModel(model, args.out)
    x_train = call_in_batches(preprocess, reader.inputs_from(train_frame, f"'{args.data}'"))
    x_val = call_in_batches(preprocess, reader.inputs_from(val_frame, f"'{args.data}'"))
    if task == "classification":
        network.compile(optimizer=optimizers.Adam(args.learning_rate), loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
        y_fit, y_val_fit = labels[train_rows], labels[val_rows]
    else:
        mean, variance = y_stats
        network.compile(optimizer=optimizers.Adam(args.learning_rate), loss="mse")
        y_fit = (y[train_rows] - mean) / np.sqrt(variance)
        y_val_fit = (y[val_rows] - mean) / np.sqrt(variance)
    stopper = callbacks.EarlyStopping(monitor="val_loss", patience=args.patience, restore_best_weights=True)
    slower = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.3, patience=max(2, args.patience // 3))
    progress = EpochProgress(args.epochs, args.quiet)
    try:
        history = network.fit(x_train, y_fit, validation_data=(x_val, y_val_fit), epochs=args.epochs,
                              batch_size=args.batch_size, verbose=0, callbacks=[stopper, slower, progress])
    finally:
        progress.close()
    ran = len(history.history["loss"])
    print(f"trained {ran} epoch(s)" + (f"; early stopping kept epoch {stopper.best_epoch + 1}"
                                        if stopper.stopped_epoch else ""))

    predicted = reader.predict(val_frame, f"'{args.data}'")  # through the saved model's own layers
    if task == "classification":
        values = classification_metrics(labels[val_rows], predicted)
    else:
        values = regression_metrics(y[val_rows], predicted)
    print(f"validation ({len(val_rows)} rows): {format_metrics(values)}")

    write_atomically(args.out, model.save, suffix=".keras")
    print(f"saved {args.out}")
    return 0
