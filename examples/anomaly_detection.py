"""Anomaly detection by reconstruction error: an autoencoder trained on normal data rebuilds anomalies badly.

The autoencoder learns only digits 0–8, so it rebuilds them well; handed a 9 — a shape it never saw —
it makes larger errors. The reconstruction error then scores how unusual an image is: no labels of
anomalies are needed to train, only normal examples. The score is measured by the area under the ROC
curve (AUC: 1.0 separates perfectly, 0.5 is chance) on test images, and a threshold at the 95th
percentile of the normal training errors flags new images.

Run:  python examples/anomaly_detection.py [--quick] [--output DIR]
(full: ~20 seconds; --quick: a few seconds.) Saves ``anomaly_detection.png`` (the two error histograms) and
``anomaly_confusion_matrix.png`` (true class against flagged).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

import _data
import _output

import neuronet
from neuronet import diagnostics, layers

ANOMALY = 9


def build() -> neuronet.Sequential:
    model = neuronet.Sequential([layers.Input(shape=(64,)), layers.Dense(32, activation="relu"),
                                 layers.Dense(8, activation="relu"), layers.Dense(32, activation="relu"),
                                 layers.Dense(64, activation="sigmoid")], name="autoencoder")
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.005), loss="mse")
    return model


def errors(model, x) -> np.ndarray:
    return np.mean((model.predict(x, verbose=0) - x) ** 2, axis=1)


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer epochs (a few seconds)")
    x_train, test_x, y_train, y_test = _data.digits(train=1300)
    train = x_train[y_train != ANOMALY]                 # normal digits only
    test_anomaly = y_test == ANOMALY
    epochs = 30 if args.quick else 100
    model = build()
    model.fit(train, train, epochs=epochs, batch_size=32, verbose=0)
    score = errors(model, test_x)
    auc = float(roc_auc_score(test_anomaly, score))
    threshold = float(np.percentile(errors(model, train), 95))
    flagged = score > threshold
    caught = float(flagged[test_anomaly].mean())
    false_alarms = float(flagged[~test_anomaly].mean())
    print(f"trained on {len(train)} images of the digits 0-8 for {epochs} epochs; test: {(~test_anomaly).sum()} "
          f"normal, {test_anomaly.sum()} anomalies (the digit {ANOMALY})")
    print(f"mean reconstruction error: normal {score[~test_anomaly].mean():.4f}, anomalies "
          f"{score[test_anomaly].mean():.4f}")
    print(f"AUC of the reconstruction error as an anomaly score: {auc:.3f}")
    print(f"threshold at the 95th percentile of the training errors ({threshold:.4f}): {caught:.0%} of the anomalies "
          f"caught, {false_alarms:.0%} of the normal test images flagged")
    plt = _output.pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(7, 3.8))
        bins = np.linspace(0, np.percentile(score, 99), 40)
        ax.hist(score[~test_anomaly], bins=bins, alpha=0.6, density=True, label="normal (0-8)")
        ax.hist(score[test_anomaly], bins=bins, alpha=0.6, density=True, label=f"anomaly ({ANOMALY})")
        ax.axvline(threshold, color="k", ls="--", label="threshold")
        ax.set_xlabel("reconstruction error (MSE)")
        ax.set_title(f"reconstruction errors on test images (AUC {auc:.2f})")
        ax.legend(fontsize="small")
        _output.save(ax, args.output, "anomaly_detection.png")
        ax = diagnostics.plot_confusion_matrix(test_anomaly.astype(int), flagged.astype(int),
                                               labels=["normal", "anomaly"], title="flagged by the threshold")
        _output.save(ax, args.output, "anomaly_confusion_matrix.png")
    return {"auc": auc, "caught": caught, "false_alarms": false_alarms}


if __name__ == "__main__":
    main()
