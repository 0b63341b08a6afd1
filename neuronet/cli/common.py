"""What the subcommands share: the one-line error, CSV reading, model files, atomic writes.

Every problem a user can cause (a bad path, a bad CSV, a missing column, a file that is not a model)
is raised as :class:`CLIError` before anything is written; ``main`` prints it as one line on stderr
and exits with status 1.
"""

from __future__ import annotations

import csv
import os
import tempfile

__all__ = ["CLIError", "require_pandas", "check_output_path", "write_atomically", "read_csv", "load_model_file",
           "closest"]


class CLIError(Exception):
    """A user-facing error: printed as ``neuronet <command>: error: <message>`` and exit status 1."""


def closest(name: str, names) -> str:
    """``" (did you mean 'x'?)"`` for the name closest to ``name``, or ``""``."""
    from ..utils.naming import closest_match

    return closest_match(name, list(names))


def require_pandas(command: str):
    """The pandas module, or a CLIError naming the extra to install."""
    try:
        import pandas
    except ImportError:
        raise CLIError(f"`neuronet {command}` reads CSV files with pandas, which is not installed: "
                       "pip install 'neuronet[pandas]'") from None
    return pandas


def check_output_path(path: str, suffix: str | None = None) -> str:
    """Fail now, before any work, if ``path`` cannot be written: a missing or unwritable directory, a
    directory given as the file, or (with ``suffix``) the wrong extension."""
    if suffix is not None and not path.endswith(suffix):
        raise CLIError(f"the output file '{path}' must end in {suffix}")
    if os.path.isdir(path):
        raise CLIError(f"cannot write '{path}': it is a directory; give a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CLIError(f"cannot write '{path}': the directory '{directory}' does not exist")
    try:  # os.access is not enough (read-only file systems, /proc): create and remove a file there
        fd, probe = tempfile.mkstemp(prefix=".neuronet-probe-", dir=directory)
        os.close(fd)
        os.remove(probe)
    except OSError as err:
        raise CLIError(f"cannot write '{path}': {err.strerror or err}") from None
    return path


def write_atomically(path: str, write, suffix: str = "") -> None:
    """Call ``write(temporary_path)``, then move the temporary file onto ``path`` in one step.

    The temporary file sits next to ``path`` (same file system, so the rename is atomic); if ``write``
    fails or the user presses Ctrl-C, it is removed and ``path`` is untouched: never half-written.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp" + suffix, dir=directory)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _check_rows(path: str) -> int:
    """The number of data rows of a CSV file; a CLIError for an empty file, a file with only a header,
    or a row with more or fewer fields than the header (pandas would silently pad short rows)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or not any(cell.strip() for cell in header):
                raise CLIError(f"'{path}' is empty: expected a header line with the column names, then data rows")
            rows = 0
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank lines are skipped, as pandas does
                if len(row) != len(header):
                    raise CLIError(f"'{path}' line {reader.line_num}: {len(row)} fields, but the header has "
                                   f"{len(header)}; every row needs one value per column (ragged rows)")
                rows += 1
    except UnicodeDecodeError as err:
        raise CLIError(f"'{path}' is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8 CSV") \
            from None
    except csv.Error as err:
        raise CLIError(f"'{path}' is not a readable CSV file: {err}") from None
    if rows == 0:
        raise CLIError(f"'{path}' has a header but no data rows")
    return rows


def read_csv(path: str, command: str):
    """The CSV file as a pandas DataFrame, after checking it exists, is not empty and is not ragged.

    Missing values are empty cells and the usual markers (NA, NaN, null, ...) plus '?'; surrounding
    spaces are removed from values.
    """
    pd = require_pandas(command)
    if not os.path.exists(path):
        raise CLIError(f"'{path}' does not exist")
    if os.path.isdir(path):
        raise CLIError(f"'{path}' is a directory, not a CSV file")
    _check_rows(path)
    try:
        frame = pd.read_csv(path, skipinitialspace=True, na_values=["?"], encoding="utf-8")
    except (ValueError, pd.errors.ParserError) as err:
        raise CLIError(f"'{path}' could not be read as CSV: {str(err).splitlines()[0]}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:  # strip the spaces before a value's end too (skipinitialspace strips the front)
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: v.strip() if isinstance(v, str) else v)
    return frame


def load_model_file(path: str):
    """The model saved at ``path``, or a CLIError saying why the file is not one."""
    from ..models import load_model

    if not os.path.exists(path):
        raise CLIError(f"model file '{path}' does not exist")
    if os.path.isdir(path):
        raise CLIError(f"'{path}' is a directory, not a model file")
    try:
        return load_model(path)
    except (ValueError, TypeError, KeyError, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CLIError(f"'{path}' is not a neuronet model file: {reason}") from None
