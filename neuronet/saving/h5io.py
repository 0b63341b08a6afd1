"""HDF5 through h5py, read defensively: only the paths the reader asks for, each checked before use.

A weight file is hostile until proven otherwise, so :class:`H5Reader` never walks the file's tree
(no ``visititems``, so deep or cyclic links cost nothing) and checks every step of a path:

* each link must be a hard link (soft and external links are refused: they can point anywhere,
  including other files);
* a group must be a group and a dataset a dataset, neither external nor virtual;
* a dataset must hold numbers (no strings, references or compound types), have exactly the shape
  the caller expects, and a chunk no larger than a few times the data (so neither a shape bomb nor
  a chunk bomb allocates more than the model's own weights);
* an attribute is read only when its declared size is below a limit.

Every error h5py or the HDF5 library raises — the library's errors arrive as OSError, KeyError,
ValueError, RuntimeError or TypeError — becomes one ValueError naming the file and the path.

:func:`write_h5` is the writing side: it turns ``[(group path, attributes, [(name, array, attrs)])]``
into the bytes of an HDF5 file (in memory; the caller writes them atomically).
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np

__all__ = ["H5Reader", "write_h5", "HDF5_MAGIC", "is_hdf5"]

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_MAX_PATH_PARTS = 64
_MAX_ATTR_ELEMENTS = 1 << 20
_MAX_ATTR_BYTES = 32 << 20


def is_hdf5(head: bytes) -> bool:
    return head.startswith(HDF5_MAGIC)


def _h5py():
    import h5py

    return h5py


class H5Reader:
    """An HDF5 file (bytes in memory or a path) opened read-only for checked access.

    Args:
        source: the file's bytes, or a path.
        where: the start of every error message.

    Example::

        with H5Reader(data, "load_model: 'm.keras' model.weights.h5") as h5:
            group = h5.group("layers/dense/vars")          # None when absent
            kernel = h5.dataset(group, "0", shape=(4, 3))
    """

    def __init__(self, source, where: str):
        self.where = where
        h5py = _h5py()
        with self.errors("the file"):
            target = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
            self.file = h5py.File(target, "r", locking=False) if not isinstance(target, io.BytesIO) \
                else h5py.File(target, "r")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.file.close()

    @contextlib.contextmanager
    def errors(self, what: str):
        """Turn whatever h5py raises inside the block into one ValueError naming ``what``."""
        try:
            yield
        except ValueError as err:
            if str(err).startswith(self.where):
                raise
            raise ValueError(f"{self.where}: cannot read {what}: {err}") from None
        except RecursionError:
            raise ValueError(f"{self.where}: cannot read {what}: the file's structure is too deep") from None
        except Exception as err:  # OSError, KeyError, RuntimeError, TypeError from h5py / libhdf5
            raise ValueError(f"{self.where}: cannot read {what} (corrupted or not an HDF5 file): "
                             f"{type(err).__name__}: {err}") from None

    # ---------------------------------------------------------------------------- navigation
    def _child(self, group, name: str, path: str):
        h5py = _h5py()
        link = group.get(name, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            raise ValueError(f"{self.where}: '{path}' is a {type(link).__name__}; only hard links are allowed")
        return group[name]

    def group(self, path: str, parent=None):
        """The group at ``path`` (relative to ``parent``, default the root), or None when it is absent."""
        h5py = _h5py()
        parts = [p for p in path.split("/") if p]
        if len(parts) > _MAX_PATH_PARTS:
            raise ValueError(f"{self.where}: the path '{path[:200]}' has more than {_MAX_PATH_PARTS} parts")
        with self.errors(f"'{path}'"):
            node = self.file if parent is None else parent
            walked = []
            for part in parts:
                walked.append(part)
                if part in (".", ".."):
                    raise ValueError(f"{self.where}: invalid path '{path}'")
                node = self._child(node, part, "/".join(walked))
                if node is None:
                    return None
                if not isinstance(node, h5py.Group):
                    raise ValueError(f"{self.where}: '{'/'.join(walked)}' is a {type(node).__name__}, expected a group")
            return node

    def keys(self, group) -> list:
        """The names in ``group`` (without opening them)."""
        with self.errors("a group's members"):
            if len(group) > 1_000_000:
                raise ValueError(f"{self.where}: a group with {len(group)} members is refused")
            names = list(group.keys())
        for name in names:
            if not isinstance(name, str):  # h5py returns names that are not UTF-8 as bytes
                raise ValueError(f"{self.where}: the group '{group.name}' has a member whose name is not text "
                                 f"({name[:40]!r})")
        return names

    def dataset(self, group, name: str, shape: tuple | None = None, max_bytes: int | None = None,
                what: str | None = None) -> np.ndarray:
        """The array ``group[name]`` after the checks of the module docstring.

        Args:
            group: the parent group (from :meth:`group`).
            name: the dataset's name (may contain '/').
            shape: the expected shape; any other is an error raised before reading.
            max_bytes: when ``shape`` is None, the largest size read.
            what: how errors name the dataset (e.g. "weight 'dense/kernel'"); defaults to its path.
        """
        h5py = _h5py()
        label = f"'{(group.name or '').strip('/')}/{name}'".replace("'/", "'")
        parts = [p for p in name.split("/") if p]
        if not parts:
            raise ValueError(f"{self.where}: empty dataset name in {label}")
        parent = self.group("/".join(parts[:-1]), group) if len(parts) > 1 else group
        if parent is None:
            raise ValueError(f"{self.where}: the dataset {label} is missing")
        with self.errors(label):
            ds = self._child(parent, parts[-1], name)
            if ds is None:
                raise ValueError(f"{self.where}: the dataset {label} is missing")
            if not isinstance(ds, h5py.Dataset):
                raise ValueError(f"{self.where}: {label} is a {type(ds).__name__}, expected a dataset")
            if ds.is_virtual or ds.external:
                raise ValueError(f"{self.where}: {label} is a virtual or external dataset, which is refused")
            dtype = ds.dtype
            if dtype.kind not in "fiub" or dtype.fields is not None or dtype.subdtype is not None:
                raise ValueError(f"{self.where}: {label} holds {dtype}, not numbers")
            declared = tuple(int(d) for d in ds.shape) if ds.shape is not None else None
            if declared is None:
                raise ValueError(f"{self.where}: {label} is an empty (null) dataset")
            if shape is not None and declared != tuple(shape):
                raise ValueError(f"{self.where}: {what or label} expected shape {tuple(shape)}, received {declared}"
                                 + (f" (at {label})" if what else ""))
            nbytes = math.prod(declared) * dtype.itemsize
            if shape is None and max_bytes is not None and nbytes > max_bytes:
                raise ValueError(f"{self.where}: {label} declares {nbytes} bytes, more than the {max_bytes} allowed")
            chunks = ds.chunks
            if chunks is not None and math.prod(chunks) * dtype.itemsize > 4 * nbytes + (1 << 20):
                raise ValueError(f"{self.where}: {label} has chunks of {chunks} for a shape of {declared}, refused")
            out = np.empty(declared, dtype=dtype.newbyteorder("=") if dtype.byteorder not in "=|" else dtype)
            if out.size:
                ds.read_direct(out)
            return out

    def attr(self, obj, name: str, default=None):
        """The attribute ``name`` of ``obj`` (a group or the file), or ``default`` when absent; refused
        when it declares more than a million elements or 32 MB."""
        with self.errors(f"the attribute '{name}'"):
            if name not in obj.attrs:
                return default
            aid = obj.attrs.get_id(name)
            shape = aid.shape or ()
            count = math.prod(shape)
            if count > _MAX_ATTR_ELEMENTS or count * max(aid.dtype.itemsize, 1) > _MAX_ATTR_BYTES:
                raise ValueError(f"{self.where}: the attribute '{name}' declares {count} elements, refused")
            return obj.attrs[name]

    def text_attr(self, obj, name: str, default=None):
        """A string attribute as str (h5py returns str or bytes depending on how it was written)."""
        value = self.attr(obj, name, default)
        if value is default:
            return default
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, bytes):
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{self.where}: the attribute '{name}' is not UTF-8 text") from None
        if not isinstance(value, str):
            raise ValueError(f"{self.where}: the attribute '{name}' should be text, found {type(value).__name__}")
        return value

    def text_list_attr(self, obj, name: str) -> list | None:
        """A list-of-strings attribute (Keras 2's ``layer_names``, ``weight_names``) as a list of str."""
        value = self.attr(obj, name)
        if value is None:
            return None
        items = np.asarray(value).ravel().tolist()
        out = []
        for item in items:
            if isinstance(item, bytes):
                try:
                    item = item.decode("utf-8")
                except UnicodeDecodeError:
                    raise ValueError(f"{self.where}: the attribute '{name}' holds non-UTF-8 text") from None
            if not isinstance(item, str):
                raise ValueError(f"{self.where}: the attribute '{name}' should hold names, found {item!r}"[:300])
            out.append(item)
        return out


def write_h5(groups: list, root_attrs: dict | None = None) -> bytes:
    """The bytes of an HDF5 file holding ``groups``: ``[(path, attrs, [(name, array, attrs)])]``.

    Each group is created (with its parents) even when it holds no dataset, as Keras does for layers
    without weights; ``attrs`` are written as HDF5 attributes (strings become UTF-8 text).
    """
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for key, value in (root_attrs or {}).items():
            f.attrs[key] = value
        for path, attrs, datasets in groups:
            group = f.require_group(path) if path else f
            for key, value in (attrs or {}).items():
                group.attrs[key] = value
            for name, array, ds_attrs in datasets:
                ds = group.create_dataset(name, data=np.asarray(array, order="C"))  # keeps 0-d shapes
                for key, value in (ds_attrs or {}).items():
                    ds.attrs[key] = value
    return buffer.getvalue()
