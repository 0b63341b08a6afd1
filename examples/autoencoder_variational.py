"""A variational autoencoder (VAE): digits encoded as a distribution over a 2-D code, from which new digits are drawn.

The encoder gives, for each image, the mean and log-variance of a Gaussian over the code; a
``Sampling`` layer draws ``z = mean + exp(log_var / 2) · ε`` with ``ε ~ N(0, 1)`` (the
reparameterization trick: the randomness is an input, so the gradient flows through ``mean`` and
``log_var``), and the decoder rebuilds the image from ``z``. Besides the reconstruction loss the
``Sampling`` layer adds, through ``add_loss``, the KL divergence of the code's distribution from the
prior ``N(0, 1)``:

    KL = −½ · mean over the batch of Σ_code (1 + log_var − mean² − exp(log_var))

which pulls the codes of all images into one smooth region around 0 — so decoding any point near 0
gives a digit-like image (the picture's grid).

Run:  python examples/autoencoder_variational.py [--quick] [--output DIR]
(full: ~30 seconds; --quick: a few seconds.) Saves ``autoencoder_variational.png``: images decoded from a
grid of codes.
"""

from __future__ import annotations

import numpy as np

import _data
import _output

import neuronet
from neuronet import layers, ops

PIXELS = 64


class Sampling(layers.Layer):
    """``z = mean + exp(log_var / 2) · ε`` in training (and adds the KL term); the mean otherwise.

    ``ε`` comes from ``neuronet.random.normal`` with the layer's own ``SeedGenerator``, whose state is a
    weight of the model: the noise stream is repeatable and saved with the model, as in Keras 3."""

    def __init__(self, seed: int = 1337, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = neuronet.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        kl = ops.mean(ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)) * -0.5
        # the reconstruction loss (binary cross-entropy) is a mean over the 64 pixels: KL per pixel too
        self.add_loss(kl / PIXELS)
        if not training:
            return mean
        eps = neuronet.random.normal(mean.shape, dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(log_var * 0.5) * eps


def build(code_size: int = 2):
    inputs = layers.Input(shape=(PIXELS,))
    hidden = layers.Dense(64, activation="relu")(inputs)
    mean = layers.Dense(code_size, name="mean")(hidden)
    log_var = layers.Dense(code_size, name="log_var")(hidden)
    z = Sampling(name="sampling")([mean, log_var])
    decoder = neuronet.Sequential([layers.Input(shape=(code_size,)), layers.Dense(64, activation="relu"),
                                   layers.Dense(PIXELS, activation="sigmoid")], name="decoder")
    vae = neuronet.Model(inputs, decoder(z), name="vae")
    encoder = neuronet.Model(inputs, mean, name="encoder")
    vae.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.003), loss="binary_crossentropy")
    return vae, encoder, decoder


def main(argv=None) -> dict:
    args = _output.arguments(__doc__, argv, "fewer epochs (a few seconds)")
    train, test, _, _ = _data.digits()
    epochs = 30 if args.quick else 120
    vae, encoder, decoder = build()
    history = vae.fit(train, train, epochs=epochs, batch_size=32, verbose=0)
    losses = history.history["loss"]
    sampling = vae.get_layer("sampling")
    vae(test, training=True)
    kl = float(sampling.losses[0].data) * PIXELS
    codes = encoder.predict(test, verbose=0)
    print(f"loss (reconstruction + KL) {losses[0]:.4f} -> {losses[-1]:.4f} over {epochs} epochs; "
          f"KL of the test codes from N(0, 1): {kl:.3f} nats")
    print(f"test code means: mean {np.round(codes.mean(axis=0), 2)}, std {np.round(codes.std(axis=0), 2)} "
          "(pulled towards the prior N(0, 1))")
    grid_codes = np.array([[a, b] for b in np.linspace(1.5, -1.5, 8) for a in np.linspace(-1.5, 1.5, 8)], "float32")
    images = decoder.predict(grid_codes, verbose=0)
    ink = float(images.mean())
    print(f"64 images decoded from a grid of codes in [-1.5, 1.5]^2: mean ink {ink:.3f} (training digits: "
          f"{train.mean():.3f})")
    plt = _output.pyplot()
    if plt is not None:
        cells = np.zeros((8, 8, 9, 9), "float32")  # one blank row and column between the images
        cells[:, :, :8, :8] = images.reshape(8, 8, 8, 8)
        canvas = cells.transpose(0, 2, 1, 3).reshape(72, 72)
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.imshow(canvas, cmap="gray_r", extent=(-1.5, 1.5, -1.5, 1.5))
        ax.set_xlabel("code 1")
        ax.set_ylabel("code 2")
        ax.set_title("digits decoded from a grid of 2-D codes")
        _output.save(ax, args.output, "autoencoder_variational.png")
    return {"first_loss": losses[0], "last_loss": losses[-1], "kl": kl, "code_mean": codes.mean(axis=0),
            "code_std": codes.std(axis=0)}


if __name__ == "__main__":
    main()
