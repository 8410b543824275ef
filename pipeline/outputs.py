"""Where an output may go, and writing it there without losing what was there before.

An output (an export, ``align --beads``) is checked before any work: never the store
itself nor any other SQLite database, never a folder or a block device. A regular file is
written under a temporary name and renamed into place once complete; a folder of pages is
built beside its place and renamed into it; a character device or a pipe is written as
the stream it is; "-" is standard output. A write that fails (a full disk) is one line.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import BitextError

# The first bytes of every SQLite database file (the store, or any other one).
SQLITE_HEADER = b"SQLite format 3\x00"
# The files SQLite keeps beside a database: writing over one damages the database.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class OutputTarget:
    """Where an output goes, checked before any work: standard output (``path`` None), a
    stream (a character device or a pipe, written into as it is), or a regular file
    (written under a temporary name beside it and renamed into place). ``path`` has its
    symlinks resolved: a symlink is written through, to its target, and stays a symlink."""

    named: str  # as the user gave it, for messages
    path: Path | None
    kind: str  # "stdout", "stream" or "file"


def output_target(path: str | Path, *, store: str | Path | None = None, stdout: bool = False) -> OutputTarget:
    """Check that an output may be written at ``path``, or refuse it in one line: the store
    itself (or its -wal, -shm, -journal), any other SQLite database, a folder, a block
    device or socket, a folder that does not exist. ``stdout``: "-" means standard output."""
    named = str(path)
    if named == "-":
        if not stdout:
            raise BitextError("-: this output cannot go to standard output; give a file name")
        return OutputTarget("standard output", None, "stdout")
    real = Path(os.path.realpath(path))
    if store is not None and _is_the_store(real, Path(store)):
        raise BitextError(f"{named}: is the store itself ({store}); give another output file")
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        folder = Path(path).parent if not Path(path).is_symlink() else real.parent
        if not real.parent.is_dir():
            raise BitextError(f"{named}: folder {folder} does not exist") from None
        return _writable(OutputTarget(named, real, "file"))
    except OSError as error:
        raise BitextError(f"{named}: cannot write ({error.strerror})") from None
    if stat.S_ISDIR(mode):
        raise BitextError(f"{named}: is a folder; give a file name")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return OutputTarget(named, real, "stream")
    if not stat.S_ISREG(mode):
        raise BitextError(f"{named}: not a file, a character device or a pipe; bitext does not write into it")
    if _is_sqlite(real):
        raise BitextError(f"{named}: is an SQLite database; bitext never writes over one (give another name)")
    return _writable(OutputTarget(named, real, "file"))


def _writable(target: OutputTarget) -> OutputTarget:
    """A regular file's folder takes a temporary file (a read-only file system, /proc and
    the like refuse even root): tried now, before the work, and removed at once."""
    with writing(target.named):
        tempfile.NamedTemporaryFile(dir=target.path.parent, prefix=f".{target.path.name}.").close()
    return target


def _is_the_store(real: Path, store: Path) -> bool:
    """``real`` names the store or one of SQLite's files beside it: by name (one not made
    yet, like a -wal) or as the same file (a symlink or hard link)."""
    databases = {store, Path(os.path.realpath(store))}
    candidates = {database.with_name(database.name + suffix) for database in databases
                  for suffix in ("", *SQLITE_COMPANIONS)}
    if real in candidates:
        return True
    for candidate in candidates:
        try:
            if os.path.samefile(real, candidate):
                return True
        except OSError:  # one of the two does not exist
            continue
    return False


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


@contextmanager
def output_file(path: str | Path, *, store: str | Path | None = None, stdout: BinaryIO | None = None
                ) -> Iterator[BinaryIO]:
    """A binary file to write an output into, at a target ``output_target`` accepts: a
    regular file appears only once fully written, a device or pipe is written as a stream,
    "-" is ``stdout`` (when given). A write that fails (a full disk) is a ``BitextError``."""
    target = output_target(path, store=store, stdout=stdout is not None)
    if target.kind == "file":
        with _atomic_file(target) as out:
            yield out
        return
    with writing(target.named):
        if target.kind == "stdout":
            yield stdout
            stdout.flush()
        else:
            with target.path.open("wb") as out:
                yield out


@contextmanager
def writing(named: str) -> Iterator[None]:
    """An OSError while writing ``named`` (a full disk, a closed pipe) as one line."""
    try:
        yield
    except OSError as error:
        raise BitextError(f"{named}: cannot write ({error.strerror or error})") from None


@contextmanager
def _atomic_file(target: OutputTarget) -> Iterator[BinaryIO]:
    """A binary file that appears at ``target.path`` only once fully written."""
    with writing(target.named):
        handle = tempfile.NamedTemporaryFile(dir=target.path.parent, prefix=f".{target.path.name}.", delete=False)
    try:
        with writing(target.named):
            with handle:
                yield handle
                # A temporary file is made private (0600); the export gets what the umask gives
                # any new file, so a folder of reading pages can be served as written.
                os.fchmod(handle.fileno(), 0o666 & ~_umask())
            os.replace(handle.name, target.path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def folder_target(path: str | Path) -> Path:
    """Check that a folder of files may be written at ``path`` (one that exists, or a new
    one in a folder that does); returns it with its symlinks resolved."""
    if str(path) == "-":
        raise BitextError("-o -: this export writes a folder, not one stream; give a name with -o")
    real = Path(os.path.realpath(path))
    if real.exists() and not real.is_dir():
        raise BitextError(f"{path}: this export writes a folder; give a folder name with -o")
    if not real.parent.is_dir():
        raise BitextError(f"{path}: folder {Path(path).parent} does not exist")
    return real


@contextmanager
def output_folder(path: str | Path) -> Iterator[Path]:
    """A folder to write files into that appear at ``path`` together, once all are written,
    or not at all: built in a temporary folder beside its place, then renamed into place;
    for a folder that exists already, built inside it and moved out file by file
    (index.html last) once every file is written, beside what else it holds."""
    named, real = str(path), folder_target(path)
    existing = real.is_dir()
    with writing(named):
        building = Path(tempfile.mkdtemp(dir=real if existing else real.parent, prefix=f".{real.name}."))
    try:
        with writing(named):
            yield building
            written = sorted(building.iterdir(), key=lambda file: (file.name == "index.html", file.name))
            if existing:
                for file in written:
                    if _is_sqlite(real / file.name):
                        raise BitextError(f"{real / file.name}: is an SQLite database; bitext never writes over one")
                for file in written:
                    os.replace(file, real / file.name)
                building.rmdir()
            else:
                os.chmod(building, 0o777 & ~_umask())  # a temporary folder is private (0700)
                os.rename(building, real)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _umask() -> int:
    current = os.umask(0)  # the only way to read it is to set it: put it straight back
    os.umask(current)
    return current
