"""``neuronet demo``: the guide's Keras example, run on neuronet.

A binary classification problem with 20 features (1000 samples, 10 of the features informative, as
scikit-learn's ``make_classification`` makes it, here drawn with NumPy), split 80/20; the guide's model
``Dense(64, relu) → Dense(1, sigmoid)``, Adam(0.001), binary cross-entropy, 10 epochs with validation;
then the class predictions and the test accuracy. ``--csv PATH`` also writes the data as a CSV file to
try ``neuronet train`` on.
"""

from __future__ import annotations

import numpy as np

from .common import check_output_path, write_atomically

NAME = "demo"
HELP = "run the guide's example: a Dense network on a 20-feature classification problem"

GUIDE_CODE = """\
model = Sequential()
model.add(Dense(units=64, activation='relu', input_dim=20))
model.add(Dense(units=1, activation='sigmoid'))
model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy', metrics=['accuracy'])
model.fit(X_train, y_train, epochs=10, batch_size=32, validation_data=(X_test, y_test))
y_pred = model.predict_classes(X_test)"""


def add_arguments(parser) -> None:
    parser.add_argument("--epochs", type=int, default=10, metavar="N", help="(default: 10, the guide's)")
    parser.add_argument("--seed", type=int, default=42, metavar="N", help="seed of the data and the weights "
                        "(default: 42)")
    parser.add_argument("--csv", metavar="PATH", help="also write the data to this CSV file (columns x1..x20, "
                        "label)")


def make_data(n: int = 1000, seed: int = 42) -> tuple:
    """``(X, y)``: two classes, each two Gaussian clusters around vertices of a 10-D hypercube (the
    informative features), plus 5 linear combinations of them and 5 noise features, shuffled."""
    rng = np.random.default_rng(seed)
    vertices = rng.choice([-1.0, 1.0], size=(4, 10))
    y = rng.integers(0, 2, n)
    cluster = 2 * y + rng.integers(0, 2, n)
    informative = vertices[cluster] + rng.normal(size=(n, 10))
    redundant = informative @ rng.normal(size=(10, 5)) / np.sqrt(10)
    X = np.hstack([informative, redundant, rng.normal(size=(n, 5))])
    return X[:, rng.permutation(20)], y


def run(args) -> int:
    from .. import config
    from ..layers import Dense
    from ..models import Sequential
    from ..optimizers import Adam

    if args.csv:
        check_output_path(args.csv)
    config.set_random_seed(args.seed)
    X, y = make_data(seed=args.seed)
    X_train, X_test, y_train, y_test = X[:800], X[800:], y[:800], y[800:]
    print("The guide's example: 1000 samples with 20 features, 800 to train, 200 to test.\n")
    print(GUIDE_CODE.replace("epochs=10", f"epochs={args.epochs}") + "\n")
    model = Sequential()
    model.add(Dense(units=64, activation='relu', input_dim=20))
    model.add(Dense(units=1, activation='sigmoid'))
    model.compile(optimizer=Adam(learning_rate=0.001), loss='binary_crossentropy', metrics=['accuracy'])
    model.fit(X_train, y_train, epochs=args.epochs, batch_size=32, validation_data=(X_test, y_test), verbose=2)
    y_pred = model.predict_classes(X_test)
    correct = int((y_pred.ravel() == y_test).sum())
    print(f"\nTest accuracy: {correct / len(y_test):.4f} ({correct} of {len(y_test)} test samples classified "
          "correctly)")
    if args.csv:
        header = ",".join([f"x{i + 1}" for i in range(20)] + ["label"])
        rows = [",".join([f"{v:.6g}" for v in x] + ["yes" if t else "no"]) for x, t in zip(X, y)]

        def write(tmp):
            with open(tmp, "w", encoding="utf-8") as f:
                f.write("\n".join([header] + rows) + "\n")

        write_atomically(args.csv, write)
        print(f"\nWrote the data to {args.csv}. The same problem from the command line:\n"
              f"  neuronet train {args.csv} --target label --out demo.keras\n"
              f"  neuronet evaluate demo.keras {args.csv}\n"
              f"  neuronet predict demo.keras {args.csv} --out predictions.csv")
    return 0
