"""The files linkage writes: each lands whole or not at all, and a failure to write is one line naming the file.

A file is written under a temporary name beside its own (``banlist.csv.tmp``) and renamed into place once complete:
a reader, or a run that dies half-way, never sees half a file. When the writing fails (a full disk, a folder turned
read-only) the temporary file is removed and :class:`OutputError` says which file and why. An output folder is
checked before a run writes anything to the graph (:func:`check_folder`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from linkage.errors import ExitCode, LinkageError

TEMPORARY = ".tmp"  # the suffix of a file being written
MB = 1_000_000


class OutputError(LinkageError):
    """A file could not be written, or would not fit: the message names it and says why."""


class OutputFolderError(LinkageError):
    """The output folder is not one linkage can write in (a file, read-only, not creatable)."""

    exit_code = ExitCode.USAGE


def temporary(path: Path) -> Path:
    """The name ``path`` is written under until it is complete."""
    return path.with_name(path.name + TEMPORARY)


@contextmanager
def output_errors(path: Path) -> Iterator[None]:
    """An OSError while writing ``path`` becomes one line naming it."""
    try:
        yield
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` the content of ``path`` under its temporary name, then rename it into place; the temporary
    file is removed when anything fails."""
    tmp = temporary(path)
    try:
        with output_errors(path):
            write(tmp)
            tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def check_folder(folder: Path, needed: int) -> None:
    """``folder`` is a folder (created if missing), a file can be created in it, and its file system has ``needed``
    bytes free; else :class:`OutputFolderError` or :class:`OutputError`, before anything is written."""
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(f"The output folder {folder} is a file, not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputFolderError(f"Cannot write in the output folder {folder}: {exc.strerror or exc}.") from exc
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise OutputError(
            f"The output folder {folder} has {free / MB:,.0f} MB free; the run's files need about {needed / MB:,.0f} "
            "MB: free some space or choose another folder."
        )
