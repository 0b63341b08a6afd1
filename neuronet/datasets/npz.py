"""Reading ``.npz`` archives whose members may be object arrays, without pickle."""

from __future__ import annotations

import io
import zipfile

import numpy as np

from .pickle_reader import load_pickle_data

__all__ = ["load_npz"]


def _read_npy(raw: bytes, where: str) -> np.ndarray:
    fp = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except ValueError as err:
        raise ValueError(f"{where}: not a valid .npy member ({err})") from None
    if not dtype.hasobject:
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    array = load_pickle_data(fp.read(), where)  # an object array: NumPy stored it as a pickle
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"{where}: the object array does not match its header (shape {shape})")
    return array


def load_npz(path) -> dict:
    """``{name: array}`` for every ``.npy`` member of the ``.npz`` file ``path``; object arrays (arrays
    of lists) are rebuilt by :func:`~neuronet.datasets.pickle_reader.load_pickle_data`."""
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    arrays[member[:-4]] = _read_npy(archive.read(member), f"load_npz: '{path}' member '{member}'")
    except zipfile.BadZipFile as err:
        raise ValueError(f"load_npz: '{path}' is not a valid .npz archive ({err})") from None
    return arrays
