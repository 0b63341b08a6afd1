"""get_file: download a file once into Keras's cache folder, check its hash, extract archives safely.

The cache is Keras's: ``$KERAS_HOME/datasets`` when ``KERAS_HOME`` is set, else ``~/.keras/datasets``
(``/tmp/.keras`` when the home folder is not writable), with Keras 3's file names, so a machine that
already holds Keras's downloads reads them offline.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile

__all__ = ["get_file", "keras_home", "hash_file", "validate_file", "extract_archive"]


def keras_home() -> str:
    """Keras's home folder: ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` if home is not writable)."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', received {algorithm!r}")


def hash_file(fpath, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of the file ``fpath`` ('sha256' or 'md5')."""
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    """Whether the file's hash equals ``file_hash`` ('auto': sha256 for 64 hex digits, else md5)."""
    return hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


# ----------------------------------------------------------------------------- archives
def _inside(base: str, name: str) -> bool:
    target = os.path.realpath(os.path.join(base, name))
    try:
        return os.path.commonpath([target, base]) == base
    except ValueError:
        return False


def _safe_tar_members(archive, base: str) -> list:
    """Regular files and directories whose path stays inside ``base``; links, devices and paths that
    escape (absolute, ``..``) are refused with a ValueError."""
    members = []
    for info in archive.getmembers():
        if not (info.isfile() or info.isdir()):
            raise ValueError(f"extract_archive: refusing archive member '{info.name}': only regular files and "
                             "folders are extracted (no links or devices)")
        if os.path.isabs(info.name) or not _inside(base, info.name):
            raise ValueError(f"extract_archive: refusing archive member '{info.name}': its path leaves the "
                             "extraction folder")
        members.append(info)
    return members


def _safe_zip_members(archive, base: str) -> list:
    members = []
    for info in archive.infolist():
        name = info.filename
        mode = (info.external_attr >> 16) & 0o170000
        if mode == 0o120000:
            raise ValueError(f"extract_archive: refusing archive member '{name}': symbolic links are not extracted")
        if os.path.isabs(name) or name.startswith(("/", "\\")) or not _inside(base, name):
            raise ValueError(f"extract_archive: refusing archive member '{name}': its path leaves the extraction "
                             "folder")
        members.append(info)
    return members


def extract_archive(file_path, path: str = ".", archive_format="auto") -> bool:
    """Extract a tar (also .tar.gz/.tar.bz2/.tar.xz) or zip archive into ``path``, refusing any member
    that would land outside ``path`` or is a link or device. Returns False when the file is not an
    archive of the given format(s); on an error nothing partial is left in ``path``.

    Args:
        file_path: the archive.
        path: the folder to extract into. Defaults to '.'.
        archive_format: 'auto' (tar, then zip), 'tar', 'zip', a list of them, or None (do nothing).
    """
    import tarfile
    import zipfile

    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in formats:
        if kind not in ("tar", "zip"):
            raise ValueError(f"extract_archive: unknown archive_format {kind!r}; expected 'tar', 'zip' or 'auto'")
        is_match = tarfile.is_tarfile if kind == "tar" else zipfile.is_zipfile
        if not is_match(file_path):
            continue
        os.makedirs(path, exist_ok=True)
        base = os.path.realpath(path)
        staging = tempfile.mkdtemp(prefix=".extract-", dir=base)
        try:
            if kind == "tar":
                with tarfile.open(file_path) as archive:
                    members = _safe_tar_members(archive, base)
                    kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                    archive.extractall(staging, members=members, **kwargs)
            else:
                with zipfile.ZipFile(file_path) as archive:
                    archive.extractall(staging, members=_safe_zip_members(archive, base))
            for name in os.listdir(staging):  # move the checked tree into place
                target = os.path.join(base, name)
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                elif os.path.exists(target):
                    os.remove(target)
                os.replace(os.path.join(staging, name), target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return True
    return False


# ----------------------------------------------------------------------------- get_file
def _download(origin: str, target: str, fname: str, datadir: str) -> None:
    """Download ``origin`` to ``target`` through a temporary file (nothing partial is left behind)."""
    import urllib.error
    import urllib.request

    print(f"Downloading data from {origin}")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", suffix=".part", dir=datadir)
    try:
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(origin, timeout=60) as response:  # noqa: S310 - a URL the caller chose
                total = response.headers.get("Content-Length")
                from tqdm.auto import tqdm

                with tqdm(total=int(total) if total and total.isdigit() else None, unit="B", unit_scale=True,
                          disable=None, leave=False) as bar:
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        out.write(chunk)
                        bar.update(len(chunk))
        os.replace(tmp, target)
    except (urllib.error.URLError, OSError, ValueError) as err:
        if os.path.exists(tmp):
            os.remove(tmp)
        reason = getattr(err, "reason", None) or err
        raise OSError(f"get_file: cannot download '{fname}' from {origin} ({reason}) and no copy is cached at "
                      f"'{target}'; put the file there (or set KERAS_HOME) to work offline") from None
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def get_file(fname=None, origin=None, untar: bool = False, md5_hash=None, file_hash=None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto", extract: bool = False,
             archive_format="auto", cache_dir=None, force_download: bool = False) -> str:
    """Download a file from a URL unless it is already in the cache, and return its path (Keras's
    ``keras.utils.get_file``, with its arguments, cache layout and file names).

    Args:
        fname: the file name in the cache; defaults to the last part of ``origin``'s path. With
            ``extract``, a name with a dot (``'data.tar.gz'``) is the archive's name and the folder is
            ``'data_extracted'``; a name without one (``'data'``) is the folder's name and the archive
            is ``'data_archive'``.
        origin: the URL.
        untar: deprecated: ``extract=True`` with a tar archive.
        md5_hash: deprecated: ``file_hash`` with md5.
        file_hash: the expected sha256 (64 hex digits) or md5 hash; a cached file that does not match
            is downloaded again, a download that does not match is an error.
        cache_subdir: the folder under ``cache_dir``. Defaults to 'datasets'.
        hash_algorithm: 'auto', 'sha256' or 'md5'. Defaults to 'auto'.
        extract: extract the archive (tar or zip) and return the folder. Defaults to False.
        archive_format: 'auto', 'tar', 'zip', a list of them or None. Defaults to 'auto'.
        cache_dir: the cache's root. Defaults to :func:`keras_home` (``$KERAS_HOME`` or ``~/.keras``).
        force_download: download even when a cached file exists. Defaults to False.

    Returns:
        The path of the file, or of the extraction folder with ``extract``.

    Raises:
        OSError: offline (or the server fails) with nothing cached — one line naming the file, the
            URL and the cache path.
        ValueError: a downloaded file whose hash does not match, or an archive member that would be
            written outside the extraction folder.

    Example::

        path = get_file("mnist.npz", origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
    """
    if origin is None:
        raise ValueError('get_file: please specify the "origin" argument (URL of the file to download)')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else keras_home())
    if os.path.exists(base) and not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    given = fname
    fname = os.fspath(fname) if fname is not None else ""
    if not fname:
        import urllib.parse

        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"get_file: cannot parse a file name from the origin {origin!r}; give the fname argument")
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(f"get_file: fname must be a file name, not a path (use cache_dir for the folder), received "
                         f"fname={fname!r}")
    if extract or untar:
        if given and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, f"{fname}_archive")
    else:
        target = os.path.join(datadir, fname)
    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        print(f"A local file was found at '{target}', but its {hash_algorithm} hash does not match {file_hash}, so "
              "the data will be downloaded again.")
        download = True
    if download:
        _download(origin, target, fname, datadir)
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            os.remove(target)
            raise ValueError(f"get_file: the file downloaded from {origin} is incomplete or corrupted: its "
                             f"{hash_algorithm} hash does not match {file_hash}")
    if extract or untar:
        marker = os.path.join(extraction_dir, ".neuronet-extracted")
        if download or file_hash is None or not _marker_matches(marker, file_hash):
            if not extract_archive(target, extraction_dir, "tar" if untar else archive_format):
                raise ValueError(f"get_file: '{target}' is not an archive of format {archive_format!r}; cannot "
                                 "extract it")
            if file_hash is not None:  # the next call finds the verified archive already extracted
                with open(marker, "w") as f:
                    f.write(str(file_hash))
        return extraction_dir
    return target


def _marker_matches(marker: str, file_hash: str) -> bool:
    try:
        with open(marker) as f:
            return f.read().strip() == str(file_hash)
    except OSError:
        return False
