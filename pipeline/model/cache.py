"""The cache's layout, file hashing, and the stamps that spare re-hashing on every start.

Layout under the cache folder ($BITEXT_CACHE_DIR, else the user cache folder)::

    gguf/FILE                 an assembled PyPI-chunked model, and FILE.sha256 its stamp
    hub/OWNER--NAME/          a Hub download, with .bitext-sha256 (the hash of its files)
    ctranslate2/...           converted models (their layout: pipeline.engines.convert)

A product is hashed in full when it is made and by ``bitext models verify``. A start only
compares a stamp (size, mtime, inode and the sha256 they vouch for) with the file's stat:
if they differ the file is hashed again, and the stamp refreshed only if the hash is right.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

CACHE_ENV = "BITEXT_CACHE_DIR"
IDENTITY_FILE = ".bitext-sha256"  # in a downloaded folder: the hash of its files

# A file written within this long before it was hashed could change again within the same
# tick of the file system's clock without its mtime moving; its stamp is not trusted.
# Second-granular file systems (mtime a whole second) get a wider margin.
RACY_NS = 100_000_000
RACY_NS_COARSE = 2_000_000_000


def default_cache_dir() -> Path:
    """``$BITEXT_CACHE_DIR`` if set, else the user cache folder (e.g. ~/.cache/bitext)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("bitext", appauthor=False))


def assembled_path(file: str, cache_dir: Path) -> Path:
    return cache_dir / "gguf" / file


def assembled_stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def hub_folder(repo: str, cache_dir: Path) -> Path:
    return cache_dir / "hub" / repo.replace("/", "--")


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def hash_folder(path: Path) -> str:
    """One sha256 for a folder: its files' names and hashes, in name order."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and p.name != IDENTITY_FILE):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(hash_file(file).encode())
    return digest.hexdigest()


# A stamp: {"sha256", "size", "mtime_ns", "inode", "verified_ns"}. Older bitext wrote only
# the sha256 (a plain string): such a record never matches a stat, so it is hashed once and
# upgraded.
Stamp = dict


def make_stamp(sha256: str, stat: os.stat_result, *, verified_ns: int) -> Stamp:
    return {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino,
            "verified_ns": verified_ns}


def stamp_sha256(record: Stamp | str | None) -> str | None:
    if isinstance(record, str):
        return record
    return record.get("sha256") if isinstance(record, dict) else None


def _racy_window(mtime_ns: int) -> int:
    return RACY_NS_COARSE if mtime_ns % 1_000_000_000 == 0 else RACY_NS


def stamp_holds(path: Path, record: Stamp | str | None) -> bool:
    """True when the file is as it was when ``record`` was made, judged by its stat alone."""
    if not isinstance(record, dict):
        return False
    try:
        stat = path.stat()
    except OSError:
        return False
    seen = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if seen != (record.get("size"), record.get("mtime_ns"), record.get("inode")):
        return False
    return record.get("verified_ns", 0) - stat.st_mtime_ns >= _racy_window(stat.st_mtime_ns)


def hash_and_stamp(path: Path) -> Stamp:
    """Hash a file and stamp it as it was before reading: a change made meanwhile moves
    its stat away from the stamp, so it is caught at the next check."""
    started = time.time_ns()
    stat = path.stat()
    return make_stamp(hash_file(path), stat, verified_ns=started)


def settled_stamp(path: Path, sha256: str) -> Stamp:
    """A trustworthy stamp for a file just written and hashed under a name no one else uses
    yet (a staging name): its content cannot change, so waiting out the racy window (a
    tenth of a second; two on file systems that keep whole seconds) makes the stamp hold
    from the first start."""
    stat = path.stat()
    wait = stat.st_mtime_ns + _racy_window(stat.st_mtime_ns) - time.time_ns()
    if wait > 0:
        time.sleep(wait / 1e9)
    return make_stamp(sha256, stat, verified_ns=time.time_ns())


def check_file(path: Path, record: Stamp | str | None, *, full: bool = False) -> Stamp | None:
    """The stamp to keep for ``path`` if it holds the bytes ``record`` names, else None.

    ``record`` is a stamp, or just the expected sha256. Unless ``full``, a stamp that still
    matches the file's stat is trusted without reading the file.
    """
    expected = stamp_sha256(record)
    if expected is None:
        return None
    if not full and stamp_holds(path, record):
        return record
    try:
        started = time.time_ns()
        before = path.stat()
        digest = hash_file(path)
        after = path.stat()
    except OSError:
        return None
    if digest != expected:
        return None
    if (before.st_size, before.st_mtime_ns, before.st_ino) != (after.st_size, after.st_mtime_ns, after.st_ino):
        return expected  # changed while being read: right now, but stamp nothing
    return make_stamp(expected, before, verified_ns=started)


def read_stamp(path: Path) -> Stamp | str | None:
    """A stamp file's record; None if missing or unreadable (written by an older bitext)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, (dict, str)) else None


def write_json(path: Path, record: object) -> bool:
    """Write ``record`` as JSON by rename, so a reader sees the old file or the new one.
    False if it cannot be written (a read-only cache still loads; it only re-hashes)."""
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".stamp-")
    except OSError:
        return False
    try:
        os.fchmod(handle, 0o644)  # readable like the files it describes, not mkstemp's 0600
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(record, out, sort_keys=True)
            out.write("\n")
        os.replace(name, path)
    except OSError:
        Path(name).unlink(missing_ok=True)
        return False
    return True
