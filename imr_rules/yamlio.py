"""Safe YAML loading that keeps line numbers, so errors can point at file:line:col.

Two safe loaders, both on libyaml's C reader (`yaml.CSafeLoader`) when PyYAML was
built with it — it reads the rulebook about ten times faster — else on the pure
`yaml.SafeLoader`; either way only plain data is built, never Python objects:

- `LineLoader`: mappings become `LineDict` (the line and column of the mapping and
  of each key); lists stay plain lists.
- `PositionLoader`: as `LineLoader`, and lists become `LineList` (the line and
  column of the list and of each element). Rule files and case files use it.

A date-like scalar that is no date (`2015-13-01`) is an InputError with its line,
like every other problem of a YAML file, never a bare ValueError.

The files of the rules folder (the fact catalogue, topics, lexicons, rule files) are
read on every run: what they parse to is kept in the on-disk cache (`imr_rules.cache`)
under a digest of their text, so a run that finds them unchanged unpickles them instead
of parsing them again (some 50 ms a run). Other files are always parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from imr_rules.errors import InputError

_Base: Any = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
HAS_LIBYAML = _Base is not yaml.SafeLoader


class LineDict(dict):
    """A dict from YAML that knows the line and column of itself and of each key."""

    line: int = 0
    column: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, tuple[int, int]] = {}

    def where(self, key: Any) -> tuple[int, int]:
        return self.lines.get(key, (self.line, self.column))


class LineList(list):
    """A list from YAML that knows the line and column of itself and of each element."""

    line: int = 0
    column: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.positions: list[tuple[int, int]] = []

    def where(self, index: int) -> tuple[int, int]:
        return self.positions[index] if 0 <= index < len(self.positions) else (self.line, self.column)


def position(node: Any, key: Any = None) -> tuple[int, int]:
    """(line, column) of `key` in a positioned mapping or list, else of the node itself; (0, 0) unknown."""
    if key is not None and isinstance(node, LineDict | LineList):
        return node.where(key)
    return (getattr(node, "line", 0), getattr(node, "column", 0))


def construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    """A mapping node as a LineDict; a duplicate key is an InputError at the key."""
    mapping = LineDict()
    lines = mapping.lines
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise InputError(
                f"duplicate key {key!r}",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        lines[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    mapping.line = node.start_mark.line + 1
    mapping.column = node.start_mark.column + 1
    return mapping


def construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    """A sequence node as a LineList."""
    out = LineList()
    positions = out.positions
    for child in node.value:
        out.append(loader.construct_object(child, deep=True))
        positions.append((child.start_mark.line + 1, child.start_mark.column + 1))
    out.line = node.start_mark.line + 1
    out.column = node.start_mark.column + 1
    return out


def construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A date or timestamp; one that is not a real date is an InputError at the scalar."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as err:
        raise InputError(
            f"not a date (YYYY-MM-DD): {node.value!r} ({err})",
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        ) from None


class LineLoader(_Base):
    """A safe loader whose mappings remember where each key was written (libyaml when available)."""


class PositionLoader(LineLoader):
    """A safe loader whose mappings and lists remember where each part was written."""


_MAPPING = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQUENCE = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
LineLoader.add_constructor(_MAPPING, construct_mapping)
LineLoader.add_constructor(_TIMESTAMP, construct_timestamp)
PositionLoader.add_constructor(_SEQUENCE, construct_sequence)


def load_yaml_text(text: str, path: str | Path | None = None, positions: bool = False) -> Any:
    """Parse YAML text safely; every problem becomes an InputError with file and line.

    `positions=True` also keeps the positions of list elements (`LineList`)."""
    loader = PositionLoader if positions else LineLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are safe loaders
    except InputError as err:
        err.path = str(path) if path is not None else None
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise InputError(f"malformed YAML: {err.problem or err}", path, line, column) from None
    except yaml.YAMLError as err:
        raise InputError(f"malformed YAML: {err}", path) from None


def read_text(path: str | Path) -> str:
    """A file's text; an unreadable file is an InputError."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read file: {err.__class__.__name__}: {err}", p) from None


def load_yaml_file(path: str | Path, positions: bool = False) -> Any:
    """Read and parse a YAML file; unreadable files become an InputError (a file of the rules
    folder comes from the cache when its text is unchanged)."""
    text = read_text(path)
    if _in_rules_folder(Path(path)):
        return _cached_parse(text, Path(path), positions)
    return load_yaml_text(text, Path(path), positions)


def _in_rules_folder(path: Path) -> bool:
    from imr_rules.paths import rules_dir

    try:
        return path.resolve().is_relative_to(rules_dir().resolve())
    except (OSError, RuntimeError):
        return False


def _cached_parse(text: str, path: Path, positions: bool) -> Any:
    """What `load_yaml_text` makes of `text`, from the cache when the same text was parsed before.

    The entry is named by the file's path and keyed by a digest of its text, of this module's
    source and of the PyYAML version; a file that does not parse is never cached."""
    import sys

    from imr_rules import cache

    name = cache.entry_for("yaml", path, str(positions))

    def key() -> str:
        return cache.digest([], [sys.modules[__name__]], extra=[yaml.__version__, str(positions), text])

    return cache.cached(name, key, lambda: load_yaml_text(text, path, positions), lambda _: True)
