"""A dense autoencoder: 8×8 digit images squeezed through a 2-number code and rebuilt.

The network learns to copy its input through a bottleneck: an encoder (64 → 32 → 2) and a decoder
(2 → 32 → 64). Trained only to reconstruct — it never sees a label — its 2-D code still sorts the
digits: nearest neighbours in the code space mostly share a digit, more often than in the best 2-D
linear projection (PCA, which an autoencoder with linear layers would at best match).

The encoder is a model of its own built on the same layers (``Model(inputs, code)``): it shares its
weights with the autoencoder, so training the autoencoder trains it.

Run:  python examples/autoencoder_dense.py [--quick] [--output DIR]
(full: ~20 seconds; --quick: a few seconds.) Saves ``autoencoder_dense_codes.png`` (the codes coloured
by digit), ``autoencoder_dense_reconstructions.png`` and ``autoencoder_dense_history.png`` (the loss per
epoch, training and validation) in the output folder.
"""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

import _data
import _output

import neuronet
from neuronet import diagnostics, layers


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
    args = _output.arguments(__doc__, argv, "fewer epochs (a few seconds)")
    x_train, x_test, y_train, y_test = _data.digits()
    epochs = 40 if args.quick else 150

    autoencoder, encoder = build()
    history = autoencoder.fit(x_train, x_train, epochs=epochs, batch_size=32, verbose=0,
                              validation_data=(x_test, x_test))
    mean_image_mse = float(np.mean((x_test - x_train.mean(axis=0)) ** 2))
    print(f"reconstruction MSE on test digits: {history.history['val_loss'][-1]:.4f} after {epochs} epochs "
          f"(predicting the mean image: {mean_image_mse:.4f})")

    codes_train, codes_test = encoder.predict(x_train, verbose=0), encoder.predict(x_test, verbose=0)
    shared = all(a is b for a, b in zip(encoder.weights, autoencoder.weights[:4]))
    print(f"the encoder is its own model sharing the autoencoder's weights: {shared}; codes of shape "
          f"{codes_test.shape}")
    pca = PCA(n_components=2).fit(x_train)
    ae_acc = knn_accuracy(codes_train, y_train, codes_test, y_test)
    pca_acc = knn_accuracy(pca.transform(x_train), y_train, pca.transform(x_test), y_test)
    print(f"5-nearest-neighbour accuracy of the digit from a 2-D code: autoencoder {ae_acc:.3f}, PCA {pca_acc:.3f}")
    print(f"the autoencoder's code separates the digits better than PCA: {ae_acc > pca_acc}")

    plt = _output.pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
        points = ax.scatter(codes_test[:, 0], codes_test[:, 1], c=y_test, cmap="tab10", s=12)
        fig.colorbar(points, ax=ax, label="digit")
        ax.set_title("2-D codes of test digits (never trained on the labels)")
        ax.set_xlabel("code 1")
        ax.set_ylabel("code 2")
        _output.save(ax, args.output, "autoencoder_dense_codes.png")
        axes = diagnostics.plot_history(history, title="reconstruction loss (MSE) per epoch")
        _output.save(axes, args.output, "autoencoder_dense_history.png")
        rebuilt = autoencoder.predict(x_test[:10], verbose=0)
        fig = _output.image_rows(plt, [x_test[:10], rebuilt], ["input", "from 2 numbers"])
        _output.save(fig, args.output, "autoencoder_dense_reconstructions.png")
    return {"autoencoder": ae_acc, "pca": pca_acc}


if __name__ == "__main__":
    main()
