"""A variational autoencoder written the Keras 3 way, with ``keras.random`` drawing the latent noise.

The encoder maps a digit image to the mean and log-variance of a Gaussian over a 2-D latent space;
the ``Sampling`` layer draws ``z = z_mean + exp(0.5 · z_log_var) · ε`` with ``ε ~ N(0, 1)`` from
``keras.random.normal`` and a ``SeedGenerator`` (the reparameterisation trick: gradients reach the mean
and the log-variance through the formula, the noise is a constant); the decoder maps ``z`` back to an
image. The loss is the reconstruction cross-entropy plus the KL divergence from N(0, 1), added with
``add_loss`` (Keras's VAE example writes a custom ``train_step`` on TensorFlow's GradientTape; the
loss is the same).

It trains on scikit-learn's 8×8 digits and prints the reconstruction error next to the baseline of
predicting the mean image, and a few decoded samples from the prior.

Usage::

    python examples/vae_random.py            # full run
    python examples/vae_random.py --quick    # fewer epochs, for the test suite
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import neuronet as keras
from neuronet import layers, ops

LATENT_DIM = 2


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class KLDivergence(layers.Layer):
    """Adds the KL divergence of N(z_mean, exp(z_log_var)) from N(0, 1), per image, to the model's loss."""

    def __init__(self, weight: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = weight

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
        self.add_loss(self.weight * ops.mean(ops.sum(kl, axis=1)))
        return z_mean


def build_vae(pixels: int):
    encoder_inputs = keras.Input(shape=(pixels,))
    x = layers.Dense(64, activation="relu")(encoder_inputs)
    x = layers.Dense(32, activation="relu")(x)
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
    # the KL term per pixel (beside a per-pixel reconstruction loss); the layer passes z_mean on, so it is
    # part of the graph from the inputs to the outputs (a Keras 3 model runs only those layers)
    z_mean = KLDivergence(weight=1.0 / pixels, name="kl_divergence")([z_mean, z_log_var])
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(LATENT_DIM,))
    x = layers.Dense(32, activation="relu")(latent_inputs)
    x = layers.Dense(64, activation="relu")(x)
    decoder_outputs = layers.Dense(pixels, activation="sigmoid")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    inputs = keras.Input(shape=(pixels,))
    z_mean, z_log_var, z = encoder(inputs)
    vae = keras.Model(inputs, decoder(z), name="vae")
    return vae, encoder, decoder


def main(quick: bool = False) -> dict:
    keras.utils.set_random_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    x_train, x_test = train_test_split(x, test_size=0.25, random_state=0)
    vae, encoder, decoder = build_vae(x.shape[1])
    vae.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    epochs = 25 if quick else 80
    vae.fit(x_train, x_train, epochs=epochs, batch_size=64, verbose=0)

    z_mean, _, _ = encoder.predict(x_test, verbose=0)
    reconstruction = decoder.predict(z_mean, verbose=0)
    vae_mse = float(np.mean((reconstruction - x_test) ** 2))
    baseline_mse = float(np.mean((x_train.mean(axis=0) - x_test) ** 2))
    samples = decoder.predict(keras.random.normal((4, LATENT_DIM), seed=7).numpy(), verbose=0)
    spread = float(np.std(z_mean, axis=0).mean())
    print(f"reconstruction MSE (test, from z_mean): {vae_mse:.4f}")
    print(f"baseline MSE (the mean training image): {baseline_mse:.4f}")
    print(f"latent spread of the test codes: {spread:.3f}")
    print(f"decoded prior samples: {samples.shape}, pixel range [{samples.min():.2f}, {samples.max():.2f}]")
    return {"vae_mse": vae_mse, "baseline_mse": baseline_mse, "spread": spread, "samples": samples,
            "model": vae, "encoder": encoder}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs (for the test suite)")
    main(parser.parse_args().quick)
