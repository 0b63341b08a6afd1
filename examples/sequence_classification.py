"""Classify sequences of different lengths with Embedding(mask_zero=True) → LSTM → Dense.

The task (synthetic): each sequence holds 5 to 40 tokens from 1..9; the label is 1 when token 1
occurs more often than token 2. The sequences are padded with 0 to one length
(``neuronet.utils.pad_sequences``); ``mask_zero=True`` makes the LSTM skip the padding, so a
sequence gets exactly the same prediction however much padding it carries — shown at the end.

Run:  python examples/sequence_classification.py [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet
from neuronet import layers
from neuronet.utils import pad_sequences

VOCAB, MIN_LEN, MAX_LEN = 10, 5, 40


def make_data(n: int, rng: np.random.Generator):
    seqs, labels = [], []
    while len(seqs) < n:
        s = rng.integers(1, VOCAB, rng.integers(MIN_LEN, MAX_LEN + 1))
        ones, twos = int((s == 1).sum()), int((s == 2).sum())
        if ones == twos:
            continue  # no ties: every label is well defined
        seqs.append(s.tolist())
        labels.append(int(ones > twos))
    return seqs, np.array(labels)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and few epochs (seconds)")
    args = parser.parse_args(argv)
    neuronet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n_train, epochs = (600, 3) if args.quick else (4000, 15)
    train_seqs, y_train = make_data(n_train, rng)
    test_seqs, y_test = make_data(500, rng)
    x_train = pad_sequences(train_seqs, maxlen=MAX_LEN)  # pre-padding with 0, as Keras
    x_test = pad_sequences(test_seqs, maxlen=MAX_LEN)
    lengths = np.array([len(s) for s in train_seqs])
    print(f"{len(train_seqs)} training sequences of length {lengths.min()}-{lengths.max()}, "
          f"padded to {x_train.shape[1]}; {y_train.mean():.0%} positive")

    model = neuronet.Sequential([
        layers.Input(shape=(None,), dtype="int32"),
        layers.Embedding(VOCAB, 8, mask_zero=True),
        layers.LSTM(32),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=neuronet.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.1, verbose=0)
    print(f"training loss: {history.history['loss'][0]:.4f} (epoch 1) -> {history.history['loss'][-1]:.4f} "
          f"(epoch {epochs})")
    p = model.predict(x_test, verbose=0)[:, 0]
    accuracy = float(((p > 0.5) == y_test).mean())
    print(f"test accuracy: {accuracy:.3f} (always guessing the majority class: "
          f"{max(y_test.mean(), 1 - y_test.mean()):.3f})")
    test_len = np.array([len(s) for s in test_seqs])
    for lo, hi in ((5, 15), (16, 28), (29, 40)):
        sel = (test_len >= lo) & (test_len <= hi)
        print(f"  accuracy on sequences of length {lo:2d}-{hi:2d}: {((p[sel] > 0.5) == y_test[sel]).mean():.3f} "
              f"({sel.sum()} sequences)")

    # The mask at work: the same sequences padded to 40 and to 80 steps get identical predictions.
    short = test_seqs[:8]
    p40 = model.predict(pad_sequences(short, maxlen=40), verbose=0)
    p80 = model.predict(pad_sequences(short, maxlen=80), verbose=0)
    diff = float(np.abs(p40 - p80).max())
    print(f"largest change in prediction when 40 more padding steps are added: {diff:.2e}")
    print(f"padding-invariant: {diff < 1e-5}")


if __name__ == "__main__":
    main()
