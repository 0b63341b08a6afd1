"""Keras's small datasets (``keras.datasets``), downloaded once into Keras's cache and read safely.

    mnist, fashion_mnist, cifar10, cifar100       images   load_data() → (x_train, y_train), (x_test, y_test)
    imdb, reuters                                  text     load_data(num_words=..., ...), get_word_index()
    boston_housing, california_housing             tables   load_data(test_split=0.2, seed=113)

Each loader fetches the same file from the same address as Keras, with the same name in the same
cache folder (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``) and checks its hash, so files Keras
downloaded are reused offline. The return values are Keras's (NumPy arrays, same dtypes, shapes,
orders and shuffles). Files holding pickles (the CIFAR batches, the object arrays of imdb.npz and
reuters.npz) are read by :mod:`neuronet.datasets.pickle_reader`, which never runs pickle.
"""

from . import boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist",
           "reuters"]
