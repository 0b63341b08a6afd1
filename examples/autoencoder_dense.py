"""A dense autoencoder: 8×8 digit images squeezed through a 2-number code and rebuilt.

The network learns to copy its input through a bottleneck: an encoder (64 → 32 → 2) and a decoder
(2 → 32 → 64). Trained only to reconstruct — it never sees a label — its 2-D code still sorts the
digits: nearest neighbours in the code space mostly share a digit, more often than in the best 2-D
linear projection (PCA, which an autoencoder with linear layers would at best match).

The encoder is a model of its own built on the same layers (``Model(inputs, code)``): it shares its
weights with the autoencoder, so training the autoencoder trains it.

Run:  python examples/autoencoder_dense.py [--quick] [--output DIR]
(full: ~20 seconds; --quick: a few seconds.) Saves ``autoencoder_dense_codes.png`` (the codes coloured
by digit) and ``autoencoder_dense_reconstructions.png`` in the output folder.
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

import _output

import neuronet
from neuronet import layers


def build(code_size: int = 2):
    """The autoencoder and its encoder, sharing the encoder's layers."""
    inputs = layers.Input(shape=(64,), name="pixels")
    hidden = layers.Dense(32, activation="relu", name="encode_1")(inputs)
    code = layers.Dense(code_size, name="code")(hidden)
    hidden = layers.Dense(32, activation="relu", name="decode_1")(code)
    outputs = layers.Dense(64, activation="sigmoid", name="reconstruction")(hidden)
    autoencoder = neuronet.Model(inputs, outputs, name="autoencoder")
    encoder = neuronet.Model(inputs, code, name="encoder")
    autoencoder.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.005), loss="mse")
    return autoencoder, encoder


def knn_accuracy(train_codes, y_train, test_codes, y_test, k: int = 5) -> float:
    knn = KNeighborsClassifier(n_neighbors=k).fit(train_codes, y_train)
    return float(knn.score(test_codes, y_test))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a few seconds)")
    _output.add_argument(parser)
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:1400], order[1400:]
    epochs = 40 if args.quick else 150

    autoencoder, encoder = build()
    history = autoencoder.fit(x[train], x[train], epochs=epochs, batch_size=32, verbose=0,
                              validation_data=(x[test], x[test]))
    mean_image_mse = float(np.mean((x[test] - x[train].mean(axis=0)) ** 2))
    print(f"reconstruction MSE on test digits: {history.history['val_loss'][-1]:.4f} after {epochs} epochs "
          f"(predicting the mean image: {mean_image_mse:.4f})")

    codes_train, codes_test = encoder.predict(x[train], verbose=0), encoder.predict(x[test], verbose=0)
    shared = all(a is b for a, b in zip(encoder.weights, autoencoder.weights[:4]))
    print(f"the encoder is its own model sharing the autoencoder's weights: {shared}; codes of shape "
          f"{codes_test.shape}")
    pca = PCA(n_components=2).fit(x[train])
    y = digits.target
    ae_acc = knn_accuracy(codes_train, y[train], codes_test, y[test])
    pca_acc = knn_accuracy(pca.transform(x[train]), y[train], pca.transform(x[test]), y[test])
    print(f"5-nearest-neighbour accuracy of the digit from a 2-D code: autoencoder {ae_acc:.3f}, PCA {pca_acc:.3f}")
    print(f"the autoencoder's code separates the digits better than PCA: {ae_acc > pca_acc}")

    plt = _output.pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
        points = ax.scatter(codes_test[:, 0], codes_test[:, 1], c=y[test], cmap="tab10", s=12)
        fig.colorbar(points, ax=ax, label="digit")
        ax.set_title("2-D codes of test digits (never trained on the labels)")
        ax.set_xlabel("code 1")
        ax.set_ylabel("code 2")
        _output.save(ax, args.output, "autoencoder_dense_codes.png")
        rebuilt = autoencoder.predict(x[test[:10]], verbose=0)
        fig, grid = plt.subplots(2, 10, figsize=(10, 2.3))
        for i in range(10):
            grid[0, i].imshow(x[test[i]].reshape(8, 8), cmap="gray_r")
            grid[1, i].imshow(rebuilt[i].reshape(8, 8), cmap="gray_r")
            grid[0, i].axis("off")
            grid[1, i].axis("off")
        grid[0, 0].set_title("input", loc="left", fontsize="small")
        grid[1, 0].set_title("from 2 numbers", loc="left", fontsize="small")
        _output.save(fig, args.output, "autoencoder_dense_reconstructions.png")
    return {"autoencoder": ae_acc, "pca": pca_acc}


if __name__ == "__main__":
    main()
