"""Datasets from folders of files, one sub-folder per class: the indexing and splitting that
``image_dataset_from_directory`` and ``text_dataset_from_directory`` share (Keras's rules), and
``text_dataset_from_directory`` itself."""

from __future__ import annotations

import os

import numpy as np

from .dataset_utils import Dataset

__all__ = ["index_directory", "text_dataset_from_directory"]


def check_common_args(where: str, labels, label_mode, class_names, validation_split, subset, shuffle, seed) -> tuple:
    """Keras's argument checks; returns ``(labels, label_mode)`` (both None when there are no labels)."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{where}: labels must be 'inferred', None, or a list/tuple of integer labels (one per "
                             f"file, in sorted path order), received labels={labels!r}")
        if class_names:
            raise ValueError(f"{where}: class_names can only be given with labels='inferred', received "
                             f"class_names={class_names!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"{where}: label_mode must be 'int', 'categorical', 'binary' or None, received "
                         f"label_mode={label_mode!r}")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{where}: validation_split must be between 0 and 1, received {validation_split!r}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{where}: if subset is set, validation_split must be set, and inversely")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{where}: subset must be 'training', 'validation' or 'both', received subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{where}: with validation_split and shuffle=True give a seed, so that the training and "
                         "validation subsets do not overlap")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def index_directory(directory, labels, formats: tuple, class_names=None, shuffle: bool = True, seed=None,
                    follow_links: bool = False, verbose: bool = True, where: str = "index_directory") -> tuple:
    """``(file_paths, labels, class_names)`` of the files under ``directory`` whose names end with one of
    ``formats`` (case-insensitive), in Keras's order: classes are the sorted sub-folders (hidden ones
    skipped), files sorted within each, then shuffled together with ``np.random.RandomState(seed)``."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"{where}: directory '{directory}' does not exist or is not a folder")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"{where}: class_names {list(class_names)} do not match the sub-folders of "
                                 f"'{directory}': {subdirs} (or a subset of them)")
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            raise ValueError(f"{where}: class_names cannot be given when labels is not 'inferred'")
    filenames, label_list = [], []
    for index, sub in enumerate(subdirs):
        folder = os.path.join(directory, sub)
        walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda w: w[0])
        for root, _, files in walk:
            for fname in sorted(files):
                if fname.lower().endswith(formats):
                    filenames.append(os.path.join(sub, os.path.relpath(os.path.join(root, fname), folder)))
                    label_list.append(index)
    if labels == "inferred":
        labels = np.asarray(label_list, dtype="int32")
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"{where}: expected one label per file: {len(labels)} labels but {len(filenames)} files "
                             f"in '{directory}'")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def split_subset(paths: list, labels, validation_split, subset: str, verbose: bool) -> tuple:
    """The 'training' part (all but the last ``validation_split``) or the 'validation' part."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print(f"Using {len(paths) - n_val} files for training.")
        return paths[:len(paths) - n_val], None if labels is None else labels[:len(labels) - n_val]
    if verbose:
        print(f"Using {n_val} files for validation.")
    return paths[len(paths) - n_val:], None if labels is None else labels[len(labels) - n_val:]


def encode_labels(labels: np.ndarray, label_mode, num_classes: int):
    """Labels as Keras's datasets give them: 'int' int32, 'binary' float32 (n, 1), 'categorical' one-hot."""
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]
    return labels.astype("int32")


def directory_datasets(where: str, directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                       validation_split, subset, follow_links, verbose, formats: tuple, read, kind: str):
    """The dataset(s) of a directory loader: ``read(path)`` gives one sample's x."""
    labels, label_mode = check_common_args(where, labels, label_mode, class_names, validation_split, subset,
                                           shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names, shuffle, seed,
                                                 follow_links, verbose, where)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes, found class_names={class_names}")
    num_classes = len(class_names) if class_names else 0

    def make(part_paths, part_labels, part_shuffle, name):
        if not part_paths:
            raise ValueError(f"{where}: no {name}{kind} files found in '{directory}'; allowed formats: {formats}")

        def load(indices):
            x = [read(part_paths[int(i)]) for i in indices]
            if kind == "audio":  # clips of different lengths: padded to the longest of the batch
                from .audio_dataset import pad_clips

                x = pad_clips(x)
            else:
                x = np.stack(x) if kind != "text" else np.array(x, dtype=object)
            if part_labels is None:
                return x
            return x, encode_labels(np.asarray(part_labels)[np.asarray(indices, dtype=np.int64)], label_mode,
                                    num_classes)

        ds = Dataset(load, len(part_paths), batch_size, shuffle=part_shuffle, seed=seed)
        ds.class_names, ds.file_paths = class_names, list(part_paths)
        return ds

    if subset == "both":
        train = split_subset(paths, labels, validation_split, "training", verbose)
        val = split_subset(paths, labels, validation_split, "validation", verbose)
        return [make(*train, shuffle, "training "), make(*val, False, "validation ")]
    paths, labels = split_subset(paths, labels, validation_split, subset, verbose)
    return make(paths, labels, shuffle, "")


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size: int | None = 32, max_length: int | None = None, shuffle: bool = True,
                                seed=None, validation_split: float | None = None, subset: str | None = None,
                                follow_links: bool = False, format: str = "tf",  # noqa: A002 - Keras name
                                verbose: bool = True):
    """A dataset of the ``.txt`` files of a folder, labelled by sub-folder (Keras
    ``keras.utils.text_dataset_from_directory``).

    ``directory/class_a/*.txt`` and ``directory/class_b/*.txt`` give texts with labels 0 and 1 (classes are
    the sorted sub-folder names).

    Args:
        directory: the folder.
        labels: 'inferred' (from the sub-folders), None (texts only), or a list of integer labels, one
            per file in sorted path order. Defaults to 'inferred'.
        label_mode: 'int' (int32), 'categorical' (one-hot float32), 'binary' (float32 (n, 1), exactly
            two classes) or None. Defaults to 'int'.
        class_names: with 'inferred', the sub-folders to use, in label order. Defaults to all, sorted.
        batch_size: texts per batch; None yields single texts. Defaults to 32.
        max_length: keep at most this many bytes of each file. Defaults to None.
        shuffle: shuffle the files (Keras's order for the first epoch, reshuffled after each). Defaults to True.
        seed: the shuffling seed (needed with ``validation_split``). Defaults to None.
        validation_split: the fraction of files kept for validation (the last ones after shuffling).
        subset: 'training', 'validation' or 'both' (a list of the two datasets).
        follow_links: follow symbolic links to sub-folders. Defaults to False.
        format: 'tf' (accepted; a neuronet Dataset is returned either way).
        verbose: print how many files and classes were found. Defaults to True.

    Returns:
        A :class:`~neuronet.utils.Dataset` whose batches are ``(texts, labels)`` — texts an object array of
        Python ``str`` (Keras gives ``tf.string`` bytes) — or texts alone; ``class_names`` is set on it.
    """
    where = "text_dataset_from_directory"
    if format not in ("tf", "grain"):
        raise ValueError(f"{where}: format should be 'tf' or 'grain', received format={format!r}")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer))
                                   or max_length < 0):
        raise ValueError(f"{where}: max_length must be a non-negative integer or None, received {max_length!r}")

    def read(path):
        with open(path, "rb") as f:
            data = f.read() if max_length is None else f.read(int(max_length))
        return data.decode("utf-8", errors="replace")

    return directory_datasets(where, directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                              validation_split, subset, follow_links, verbose, (".txt",), read, "text")
