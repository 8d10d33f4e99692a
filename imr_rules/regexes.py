"""Regular expressions compiled once per installation, not once per run.

A one-off `imr-rules check` spends a large share of its time in Python's regular-expression
compiler (the lexicon's phrase tries, the extractor's patterns), which is written in Python.
What the compiler produces for a pattern is a list of integers that depends only on the
pattern, its flags and the interpreter; this module keeps those lists in the on-disk cache
(`imr_rules.cache`) and hands them straight to the regular-expression engine on the next run.

Only patterns written in this project, or read from its own rule folder, should come here:
the table is written back when a run compiled something new, and it is kept to a bounded size.
Anything unexpected (an unreadable table, an engine that refuses a stored program) falls back
to `re.compile`, so the cache can make a run faster but never different.
"""

from __future__ import annotations

import _sre
import atexit
import hashlib
import re
import sys
from array import array
from collections.abc import Callable
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

from imr_rules import cache

# Stored programs are valid for one interpreter and one version of its engine.
_KEY = f"{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}|2"
# One table per interpreter and engine: installations on different Pythons that share a cache folder
# would otherwise overwrite each other's table at every run.
_ENTRY = "regexes-" + hashlib.blake2b(_KEY.encode(), digest_size=6).hexdigest()
_LIMIT = 20_000  # patterns kept at most: the project's own come to a few thousand
# A program's code is kept as the bytes of an array of the engine's code units: a table of some
# hundreds of thousands of them then loads as a few hundred strings of bytes, not as that many integers,
# and only the programs a run uses are turned back into lists.
# (None on an engine whose units no array type fits: nothing is stored, everything is compiled afresh.)
_UNIT = next((t for t in "IL" if array(t).itemsize == _sre.CODESIZE), None)

_Program = tuple[str, int, bytes, int, dict[str, int], tuple[str | None, ...]]
_table: dict[tuple[str, int], _Program] | None = None
_added = False


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - mirrors re.compile
    """`re.compile(pattern, flags)`, from the stored program when there is one."""
    return _compiled((pattern, int(flags)), lambda: pattern)


def compile_built(source: str, build: Callable[[], str], flags: int = 0) -> re.Pattern[str]:
    """The pattern `build()` makes from `source` (the text it depends on, and only on), compiled;
    a stored program is found by `source`, so the pattern is not even made again (building the
    lexicon's phrase trees is itself a cost worth saving)."""
    digest = hashlib.blake2b(source.encode(), digest_size=20).hexdigest()
    return _compiled(("built " + digest, int(flags)), build)


def _compiled(key: tuple[str, int], make: Callable[[], str]) -> re.Pattern[str]:
    """The stored program under `key`, else the pattern `make()` gives, compiled (and stored)."""
    global _added
    table = _load()
    program = table.get(key)
    if program is not None:
        try:
            return _engine(program)
        except Exception:  # noqa: BLE001 - a program the engine refuses: compile afresh
            del table[key]
    pattern, flags = make(), key[1]
    program = _program(pattern, flags)
    if program is None:
        return re.compile(pattern, flags)
    if len(table) < _LIMIT:
        table[key] = program
        _added = True
    return _engine(program)


def _engine(program: _Program) -> re.Pattern[str]:
    """The compiled pattern of a stored program."""
    pattern, flags, code, groups, groupindex, indexgroup = program
    return _sre.compile(pattern, flags, array(_UNIT, code).tolist(), groups,  # type: ignore[no-any-return]
                        groupindex, indexgroup)


def _program(pattern: str, flags: int) -> _Program | None:
    """What `re.compile` would hand the engine (the same steps as the standard library's)."""
    if _UNIT is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        code = array(_UNIT, [int(op) for op in _compiler._code(parsed, flags)]).tobytes()
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return (pattern, flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex,
                tuple(indexgroup))
    except Exception:  # noqa: BLE001 - leave errors and odd cases to re.compile itself
        return None


def _load() -> dict[tuple[str, int], _Program]:
    global _table
    if _table is None:
        found: Any = cache.load(_ENTRY, _KEY)
        _table = found if isinstance(found, dict) else {}
        atexit.register(save)
    return _table


def save() -> None:
    """Write the table back if this run compiled a pattern it did not have."""
    global _added
    if _added and _table is not None:
        cache.store(_ENTRY, _KEY, _table)
        _added = False
