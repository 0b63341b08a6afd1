"""Sequence to sequence: an LSTM encoder–decoder learns to reverse (or copy) short digit sequences.

The classic Keras recipe, on a toy task that trains in seconds:

* the encoder LSTM reads the digits and hands its final states ``[h, c]`` to the decoder as
  ``decoder_lstm(decoder_inputs, initial_state=[h, c])`` — a functional call with tensors as keywords;
* the decoder is trained with teacher forcing: its input at step t is the correct digit of step t-1
  (a START token at step 0), and it predicts the digit of step t with a softmax;
* sequences have 3 to 7 digits, padded with all-zero vectors to one length; ``Masking`` marks the
  padding, the LSTMs skip it and the loss and accuracy leave the padded steps out;
* to answer a new sequence, a separate encoder model and a one-step decoder model — sharing the
  trained layers — decode greedily, feeding each predicted digit back in.

The model is saved and loaded back (architecture as JSON, weights as safetensors) and must give
identical predictions.

Run:  python examples/seq2seq_copy.py [--quick] [--task copy|reverse]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

import neuronet
from neuronet import layers

DIGITS, MIN_LEN, MAX_LEN = 10, 3, 7
START = DIGITS  # the decoder's extra token that starts every answer
UNITS = 64


def make_data(n: int, rng: np.random.Generator, task: str):
    """One-hot encoder inputs (n, MAX_LEN, 10), decoder inputs (n, MAX_LEN, 11), integer targets
    (n, MAX_LEN) and the lengths; padded steps are all-zero vectors (targets 0, masked)."""
    lengths = rng.integers(MIN_LEN, MAX_LEN + 1, size=n)
    enc = np.zeros((n, MAX_LEN, DIGITS), "float32")
    dec = np.zeros((n, MAX_LEN, DIGITS + 1), "float32")
    target = np.zeros((n, MAX_LEN), "int64")
    sources = []
    for i, length in enumerate(lengths):
        digits = rng.integers(0, DIGITS, size=length)
        answer = digits[::-1] if task == "reverse" else digits
        enc[i, np.arange(length), digits] = 1.0
        dec[i, 0, START] = 1.0
        dec[i, np.arange(1, length), answer[:-1]] = 1.0
        target[i, :length] = answer
        sources.append(digits)
    return enc, dec, target, lengths, sources


def build_models():
    """The training model and, over the same layers, the encoder and one-step decoder for inference."""
    encoder_inputs = neuronet.Input(shape=(None, DIGITS), name="encoder_inputs")
    decoder_inputs = neuronet.Input(shape=(None, DIGITS + 1), name="decoder_inputs")
    _, h, c = layers.LSTM(UNITS, return_state=True, name="encoder")(layers.Masking(0.0)(encoder_inputs))
    decoder_lstm = layers.LSTM(UNITS, return_sequences=True, return_state=True, name="decoder")
    readout = layers.Dense(DIGITS, activation="softmax", name="digit")
    sequence, _, _ = decoder_lstm(layers.Masking(0.0)(decoder_inputs), initial_state=[h, c])
    model = neuronet.Model([encoder_inputs, decoder_inputs], readout(sequence), name="seq2seq")

    encoder = neuronet.Model(encoder_inputs, [h, c], name="encoder_model")
    h_in, c_in = neuronet.Input(shape=(UNITS,), name="h_in"), neuronet.Input(shape=(UNITS,), name="c_in")
    step, h_out, c_out = decoder_lstm(decoder_inputs, initial_state=[h_in, c_in])
    decoder = neuronet.Model([decoder_inputs, h_in, c_in], [readout(step), h_out, c_out], name="decoder_model")
    return model, encoder, decoder


def greedy_decode(encoder, decoder, enc: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Answer every sequence at once: START, then feed each predicted digit back for the next step."""
    n = len(enc)
    h, c = encoder.predict(enc, batch_size=256, verbose=0)
    token = np.zeros((n, 1, DIGITS + 1), "float32")
    token[:, 0, START] = 1.0
    out = np.zeros((n, MAX_LEN), "int64")
    for t in range(int(lengths.max())):
        proba, h, c = decoder.predict([token, h, c], batch_size=256, verbose=0)
        out[:, t] = proba[:, 0].argmax(axis=-1)
        token = np.zeros_like(token)
        token[np.arange(n), 0, out[:, t]] = 1.0
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and few epochs (seconds)")
    parser.add_argument("--task", choices=["reverse", "copy"], default="reverse", help="Defaults to reverse")
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n_train, epochs = (1500, 6) if args.quick else (6000, 25)
    enc, dec, target, lengths, _ = make_data(n_train, rng, args.task)
    enc_test, dec_test, target_test, lengths_test, sources = make_data(500, rng, args.task)
    print(f"task: {args.task} sequences of {MIN_LEN}-{MAX_LEN} digits; {n_train} training pairs, padded to "
          f"{MAX_LEN} steps")

    model, encoder, decoder = build_models()
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit([enc, dec], target, epochs=epochs, batch_size=64, verbose=0,
                        validation_data=([enc_test, dec_test], target_test)).history
    print(f"training loss: {history['loss'][0]:.4f} (epoch 1) -> {history['loss'][-1]:.4f} (epoch {epochs})")
    print(f"teacher-forced digit accuracy (padding excluded): {history['val_accuracy'][-1]:.3f}")

    answers = greedy_decode(encoder, decoder, enc_test, lengths_test)
    kept = np.arange(MAX_LEN)[None, :] < lengths_test[:, None]
    digit_accuracy = float((answers == target_test)[kept].mean())
    sequence_accuracy = float(np.mean([(answers[i, :n] == target_test[i, :n]).all()
                                       for i, n in enumerate(lengths_test)]))
    print(f"greedy decoding: digit accuracy {digit_accuracy:.3f}, whole-sequence accuracy {sequence_accuracy:.3f} "
          f"(chance: {1 / DIGITS:.3f} per digit)")
    for i in range(3):
        n = lengths_test[i]
        print(f"  {''.join(map(str, sources[i]))} -> {''.join(map(str, answers[i, :n]))}")

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "seq2seq.keras")
        model.save(path)
        loaded = neuronet.models.load_model(path)
    test_inputs = [enc_test, dec_test]
    same = np.array_equal(loaded.predict(test_inputs, verbose=0), model.predict(test_inputs, verbose=0))
    print(f"reloaded model gives identical predictions: {same}")


if __name__ == "__main__":
    main()
