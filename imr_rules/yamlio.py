"""Safe YAML loading that keeps line numbers, so errors can point at file:line:col."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from imr_rules.errors import InputError


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings remember where each key was written."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise InputError(
                f"duplicate key {key!r}",
                line=key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    mapping.line = node.start_mark.line + 1
    mapping.column = node.start_mark.column + 1
    return mapping


class LineDict(dict):
    """A dict from YAML that knows the line and column of itself and of each key."""

    line: int = 0
    column: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, tuple[int, int]] = {}

    def where(self, key: Any) -> tuple[int, int]:
        return self.lines.get(key, (self.line, self.column))


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping  # type: ignore[arg-type]
)


def load_yaml_text(text: str, path: str | Path | None = None) -> Any:
    """Parse YAML text safely; syntax errors become an InputError with file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
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


def load_yaml_file(path: str | Path) -> Any:
    """Read and parse a YAML file; unreadable files become an InputError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read file: {err.__class__.__name__}: {err}", p) from None
    return load_yaml_text(text, p)
