"""A cache on disk of things that are slow to build and depend only on files: the checked rulebook.

Each entry is a pickle stored under a digest of everything it was built from (the
contents and paths of the input files, the source of the modules whose objects it
holds, the imr_rules, Python and pydantic versions). An entry whose digest does not
match is stale and is rebuilt; an entry that cannot be read, or a cache folder that
cannot be written, costs nothing but the rebuild: every failure of the cache is
silent, and the caller builds the thing afresh.

The folder is `$IMR_RULES_CACHE` if set, else `$XDG_CACHE_HOME/imr-rules`, else
`~/.cache/imr-rules`; never the repository. `IMR_RULES_CACHE=off` (or `0`, `none`)
turns the cache off. Only the user's own cache folder is ever read: the pickles are
ours, written by this module.

Entries are named by what they hold and, for those made from one file, by the file's
path, so every clone or worktree adds its own. The folder keeps itself small: an entry
that is read has its time refreshed (at most once a day), and whenever an entry is
written, entries no run has read for `UNUSED_DAYS` days are removed.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")

OFF = frozenset({"off", "0", "none", "no", "false"})
FORMAT = b"imr-rules-cache 1\n"
_LASTING = 256 * 1024  # bytes: an entry this large is frozen out of the collector's way once loaded
UNUSED_DAYS = 30  # an entry no run has read for this long is removed when another is written
_DAY = 24 * 3600.0


def cache_dir() -> Path | None:
    """Where cache entries live, or None when the cache is turned off."""
    override = os.environ.get("IMR_RULES_CACHE")
    if override is not None:
        if override.strip().casefold() in OFF or not override.strip():
            return None
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "imr-rules"


def digest(files: Iterable[Path], modules: Iterable[ModuleType], extra: Iterable[str] = ()) -> str:
    """A digest of the files (path and content), the modules' source and versions (`extra` too)."""
    import pydantic

    import imr_rules

    h = hashlib.blake2b(digest_size=20)
    for part in (imr_rules.__version__, sys.version, pydantic.VERSION, *extra):
        h.update(part.encode() + b"\0")
    for module in modules:
        source = getattr(module, "__file__", None)
        h.update(f"module {module.__name__}\0".encode())
        if source and hasattr(module, "__path__"):  # a package: the source of every module in it
            for part in sorted(Path(source).parent.glob("*.py")):
                h.update(f"{part.name}\0".encode() + part.read_bytes())
        elif source:
            h.update(Path(source).read_bytes())
    for file in files:
        h.update(f"file {file}\0".encode())
        h.update(file.read_bytes())
    return h.hexdigest()


def entry_for(kind: str, path: Path, variant: str = "") -> str:
    """The name of the entry of `kind` made from the file at `path`: one entry per file (and variant),
    which a changed file replaces rather than adds to."""
    where = f"{path.resolve()}\0{variant}".encode()
    return f"{kind}-{hashlib.blake2b(where, digest_size=10).hexdigest()}"


def load(name: str, key: str) -> Any | None:
    """The entry `name` if it was stored under `key`; None when absent, stale or unreadable."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        path = folder / f"{name}.pickle"
        with open(path, "rb") as f:
            head = f.read(len(FORMAT) + len(key) + 1)
            if head != FORMAT + key.encode() + b"\n":
                return None
            data = f.read()
            if os.fstat(f.fileno()).st_mtime < time.time() - _DAY:
                _touch(path)  # still in use: not one of the entries `prune` removes
        enabled = gc.isenabled()
        gc.disable()  # tens of thousands of small objects: the collector would run many times for nothing
        try:
            value = pickle.loads(data)  # noqa: S301 - our own entry in the user's own cache folder
            if len(data) >= _LASTING:
                # A large entry (the rulebook, the compiled patterns) lives as long as the process, like
                # the modules loaded before it: out of the collector's generations, they are not walked
                # again at every full collection (some 7% of a one-off `check`). Only large entries, so
                # that a long process (a test run) freezes few times and strands little garbage.
                gc.freeze()
            return value
        finally:
            if enabled:
                gc.enable()
    except Exception:  # noqa: BLE001 - any unreadable entry is a miss
        return None


def store(name: str, key: str, value: Any) -> None:
    """Store `value` as the entry `name` under `key` (atomically); any failure is ignored."""
    folder = cache_dir()
    if folder is None:
        return
    tmp = None
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.pickle.", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(FORMAT + key.encode() + b"\n")
            f.write(data)
        os.replace(tmp, folder / f"{name}.pickle")
        tmp = None
        prune(folder)
    except Exception:  # noqa: BLE001, S110 - a cache that cannot be written is no cache
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # a folder we may read but not write: the entry just ages
        pass


def prune(folder: Path, unused_days: float = UNUSED_DAYS) -> list[Path]:
    """Remove the entries of `folder` that no run has read for `unused_days` days; those removed.

    Entries of other clones, other Pythons or code long since changed would otherwise stay for good.
    Only this module's own files are touched, in case the folder holds others: entries (`*.pickle`
    that start with `FORMAT`) and the temporary files of writes that never finished.
    """
    cutoff = time.time() - unused_days * _DAY
    removed: list[Path] = []
    try:
        candidates = [*((p, True) for p in folder.glob("*.pickle")),
                      *((p, False) for p in folder.glob(".*.pickle.*"))]
    except OSError:
        return removed
    for path, is_entry in candidates:
        try:
            if not path.is_file() or path.stat().st_mtime >= cutoff:
                continue
            if is_entry:
                with open(path, "rb") as f:
                    if f.read(len(FORMAT)) != FORMAT:
                        continue
            path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


def cached(name: str, key: Callable[[], str], build: Callable[[], T], keep: Callable[[T], bool]) -> T:
    """The entry `name` if its key still matches, else `build()` (stored when `keep` says so)."""
    try:
        wanted = key()
    except Exception:  # noqa: BLE001 - no key (an unreadable input): build without the cache
        return build()
    found = load(name, wanted)
    if found is not None:
        return found
    value = build()
    if keep(value):
        store(name, wanted, value)
    return value
