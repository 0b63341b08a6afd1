"""get_file: Keras's cache layout, downloads through a temporary file, hash checks, safe extraction and
the offline error — with file:// origins, so no network is used."""

import hashlib
import io
import os
import tarfile
import urllib.error
import zipfile

import pytest

from neuronet.utils import get_file
from neuronet.utils.file_utils import extract_archive, keras_home, validate_file


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "src" / "data.bin"
    path.parent.mkdir()
    path.write_bytes(b"neuronet" * 100)
    return path


def test_download_cache_and_hash(tmp_path, source, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    assert keras_home() == str(tmp_path / "home")
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    path = get_file("data.bin", origin=source.as_uri(), file_hash=sha)
    assert path == str(tmp_path / "home" / "datasets" / "data.bin") and open(path, "rb").read() == source.read_bytes()
    source.unlink()  # now offline for this file: the cached copy is used
    assert get_file("data.bin", origin=source.as_uri(), file_hash=sha) == path
    md5 = hashlib.md5(open(path, "rb").read()).hexdigest()
    assert get_file("data.bin", origin=source.as_uri(), md5_hash=md5) == path
    assert validate_file(path, sha) and validate_file(path, md5) and not validate_file(path, "0" * 64)
    assert get_file(origin=source.as_uri(), cache_dir=tmp_path / "home") == path  # fname from the URL


def test_corrupted_download_is_an_error_and_removed(tmp_path, source):
    with pytest.raises(ValueError, match="hash does not match"):
        get_file("data.bin", origin=source.as_uri(), file_hash="0" * 64, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "data.bin").exists()
    assert [p for p in os.listdir(tmp_path / "datasets")] == []  # no partial file either


def test_offline_without_cache(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")
    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(OSError) as info:
        get_file("x.npz", origin="https://example.invalid/x.npz", cache_dir=tmp_path)
    assert "\n" not in str(info.value) and "no route to host" in str(info.value) and "x.npz" in str(info.value)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("a")
    with pytest.raises(ValueError, match="not a path"):
        get_file("sub/a.npz", origin="file:///nope", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="hash_algorithm"):
        (tmp_path / "datasets").mkdir(exist_ok=True)
        (tmp_path / "datasets" / "a").write_bytes(b"1")
        get_file("a", origin="file:///nope", cache_dir=tmp_path, file_hash="ab", hash_algorithm="sha1")


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_extract_tar_and_zip(tmp_path):
    _tar(tmp_path / "a.tar.gz", [("pkg/x.txt", b"x"), ("pkg/sub/y.txt", b"y")])
    path = get_file("a.tar.gz", origin=(tmp_path / "a.tar.gz").as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert path == str(tmp_path / "c" / "datasets" / "a_extracted")
    assert open(os.path.join(path, "pkg", "sub", "y.txt")).read() == "y"
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        zf.writestr("inner/z.txt", "z")
    path = get_file("bdata", origin=(tmp_path / "b.zip").as_uri(), extract=True, cache_dir=tmp_path / "c")
    assert path.endswith("bdata") and open(os.path.join(path, "inner", "z.txt")).read() == "z"
    assert os.path.exists(path + "_archive")  # Keras 3's names for a name without a dot


@pytest.mark.parametrize("member", ["../evil.txt", "/tmp/evil_abs.txt", "a/../../evil.txt"])
def test_tar_path_traversal_is_refused(tmp_path, member):
    _tar(tmp_path / "bad.tar", [("ok.txt", b"ok"), (member, b"evil")])
    with pytest.raises(ValueError, match="leaves the extraction folder"):
        extract_archive(tmp_path / "bad.tar", tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "ok.txt").exists()


def test_tar_links_and_zip_traversal_are_refused(tmp_path):
    with tarfile.open(tmp_path / "link.tar", "w") as tar:
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="no links"):
        extract_archive(tmp_path / "link.tar", tmp_path / "out")
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("../evil.txt", "evil")
    with pytest.raises(ValueError, match="leaves the extraction folder"):
        extract_archive(tmp_path / "bad.zip", tmp_path / "out2")
    assert not (tmp_path / "evil.txt").exists()
    (tmp_path / "plain.txt").write_text("not an archive")
    assert extract_archive(tmp_path / "plain.txt", tmp_path / "out3") is False
