"""Files on disk: atomic writes that leave nothing behind, and zip archives read within fixed bounds.

**Atomic writes.** A save must never leave a half-written file where a good one was, nor a temporary
file next to it, even when the process is killed (SIGKILL) at any instant. :func:`atomic_write`

1. removes temporary files left by earlier saves whose process is gone (``.<name>.<pid>.<random>.tmp``);
2. writes the new content into an *unnamed* file in the target's directory (Linux ``O_TMPFILE``): a
   process killed now leaves nothing, the kernel frees the unnamed file;
3. ``fsync``\\ s it, gives it a name (``linkat``) and renames that name over the target in one step
   (``os.replace``), then ``fsync``\\ s the directory.

Between steps 3's link and rename (microseconds) a kill leaves a named temporary file; the next save
into that directory removes it (step 1). Where ``O_TMPFILE`` is not available (another OS or file
system) the content goes to a named temporary file from the start, with the same clean-up.

**Zip archives.** :class:`Archive` opens a ``.keras`` (or ``.npz``) zip and reads members into memory
only up to a byte limit, whatever sizes the archive declares: a member that claims more than the
limit is refused before it is decompressed, and one that decompresses to more than it declared is
stopped at the declared size (and then fails its CRC check). Every zip error becomes one ValueError
naming the file and the member.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import zipfile
import zlib

__all__ = ["atomic_write", "Archive", "fspath", "require_file", "check_overwrite", "file_mode"]

_TMP_SUFFIX = ".tmp"
_READ_CHUNK = 1 << 20


def fspath(filepath, where: str) -> str:
    """``filepath`` as a str, or a TypeError naming ``where``."""
    try:
        path = os.fspath(filepath)
    except TypeError:
        raise TypeError(f"{where}: expected filepath to be a str or os.PathLike, received {filepath!r} of type "
                        f"{type(filepath).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def require_file(path: str, where: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"{where}: no such file: '{path}'")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: '{path}' is a directory, not a model or weight file")


def check_overwrite(path: str, overwrite: bool, where: str) -> None:
    if os.path.isdir(path):
        raise IsADirectoryError(f"{where}: '{path}' is a directory; give a file name")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{where}: '{path}' already exists and overwrite=False")


def file_mode(path: str) -> int:
    """The permission bits for ``path``: those of the file it replaces, else 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        pass
    try:  # Linux exposes the umask without changing it (os.umask would, for every thread)
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


# ------------------------------------------------------------------------------------ atomic writes
def _temp_pattern(base: str) -> re.Pattern:
    return re.compile(r"^\." + re.escape(base) + r"\.(\d+)\.[0-9a-f]{8}" + re.escape(_TMP_SUFFIX) + "$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's live process (or we cannot tell): leave its file alone
    return True


def remove_stale_temporaries(path: str) -> list:
    """Delete the temporary files of earlier saves of ``path`` whose writing process no longer exists;
    returns the names removed."""
    directory = os.path.dirname(os.path.abspath(path))
    pattern = _temp_pattern(os.path.basename(path))
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match and not _pid_alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))
                removed.append(name)
    return removed


def _temp_name(path: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    return os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}{_TMP_SUFFIX}")


def _fsync_directory(directory: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _open_unnamed(directory: str, mode: int):
    """An unnamed file in ``directory`` (Linux O_TMPFILE), or None where that is not supported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError:
        return None


def atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a new file, then put it at ``path`` in one step (see the module docstring).

    On any error (or KeyboardInterrupt) the previous content of ``path`` is untouched and no
    temporary file remains.
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write '{path}': the directory '{directory}' does not exist")
    remove_stale_temporaries(path)
    mode = file_mode(path)
    fd = _open_unnamed(directory, mode)
    named = None
    if fd is None:
        named = _temp_name(path)
        fd = os.open(named, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            write(f)
            f.flush()
            os.fsync(fd)
        os.fchmod(fd, mode)  # O_TMPFILE/O_CREAT applied the umask already; an existing file's bits win
        if named is None:
            named = _temp_name(path)
            proc = os.open("/proc/self/fd", os.O_RDONLY)
            try:  # linkat(AT_SYMLINK_FOLLOW) on the /proc link names the unnamed file
                os.link(str(fd), named, src_dir_fd=proc, follow_symlinks=True)
            finally:
                os.close(proc)
        os.replace(named, path)
        named = None
        _fsync_directory(directory)
    finally:
        os.close(fd)
        if named is not None:
            with contextlib.suppress(OSError):
                os.unlink(named)


# ------------------------------------------------------------------------------------ zip archives
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError, RuntimeError, KeyError, OverflowError, IndexError, TypeError,
               UnicodeDecodeError, MemoryError)
try:  # the lzma and bz2 decompressors raise their own errors on damaged streams
    import lzma

    _ZIP_ERRORS += (lzma.LZMAError,)
except ImportError:  # pragma: no cover - Python built without lzma
    pass


class Archive:
    """A zip file opened for reading, with every read bounded (see the module docstring).

    Args:
        path: the file.
        where: the start of every error message (e.g. ``"load_model: 'm.keras'"``).

    Example::

        with Archive("model.keras", "load_model: 'model.keras'") as zf:
            data = zf.read("config.json", limit=16 * 2**20)
    """

    def __init__(self, path: str, where: str):
        self.path, self.where = path, where
        try:
            self._zf = zipfile.ZipFile(path)
            self._infos = {info.filename: info for info in self._zf.infolist()}
        except _ZIP_ERRORS as err:
            raise ValueError(f"{where} is not a zip archive, or is truncated or corrupted "
                             f"({type(err).__name__}: {err})") from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._zf.close()

    def names(self) -> list:
        return list(self._infos)

    def __contains__(self, name: str) -> bool:
        return name in self._infos

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def read(self, name: str, limit: int, max_ratio: float | None = None) -> bytes:
        """The bytes of member ``name``, or a ValueError when it is missing, declares more than ``limit``
        bytes (or, with ``max_ratio``, expands more than that many times its stored size), or is damaged."""
        info = self._infos.get(name)
        if info is None:
            raise ValueError(f"{self.where} is missing the member '{name}'; members found: {self.names()[:10]}")
        size, stored = info.file_size, max(info.compress_size, 1)
        if size > limit:
            raise ValueError(f"{self.where} member '{name}' declares {size} bytes, more than the {limit} allowed "
                             "(refused before decompressing it)")
        if max_ratio is not None and size > max_ratio * stored and size > (1 << 20):
            raise ValueError(f"{self.where} member '{name}' declares {size} bytes stored in {info.compress_size}: a "
                             f"ratio over {max_ratio:g} is refused as a decompression bomb")
        try:
            out = io.BytesIO()
            with self._zf.open(info) as f:  # stops at the declared size; the CRC is checked at the end
                while True:
                    chunk = f.read(_READ_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    if out.tell() > size:  # pragma: no cover - zipfile stops at the declared size itself
                        raise ValueError(f"member '{name}' holds more than the {size} bytes it declares")
            data = out.getvalue()
        except _ZIP_ERRORS as err:
            raise ValueError(f"{self.where} member '{name}' is corrupted or truncated: "
                             f"{type(err).__name__}: {err}") from None
        if len(data) != size:
            raise ValueError(f"{self.where} member '{name}' holds {len(data)} bytes, not the {size} it declares")
        return data
