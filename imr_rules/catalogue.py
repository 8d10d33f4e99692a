"""The fact catalogue: every fact a rule may test, with its type, read from rules/facts.yaml.

Rules, case files and the extractor all speak in these names, so the catalogue is
the one place that says what a fact's values may be. `validate_value` turns a
value from a case file or an extractor into the normal form the engines compare
(tristates as `Tristate`, numbers as float, dates as `date`, flags as a sorted
list), or says in one line what is allowed.

Item facts are named `item.<field>` and are read from the `RequestedItem`; the
fact `as_of` is the date the guidelines are applied as of.
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from imr_rules.errors import InputError
from imr_rules.facts import FactValue, Tristate
from imr_rules.items import RequestedItem
from imr_rules.model import Model
from imr_rules.paths import data_file
from imr_rules.regexes import compile as _rx_compile
from imr_rules.yamlio import LineDict, load_yaml_file

CATALOGUE_FILE = "facts.yaml"
ITEM_PREFIX = "item."
AS_OF = "as_of"

_NAME = _rx_compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


class FactType(StrEnum):
    bool = "bool"
    tristate = "tristate"
    number = "number"
    date = "date"
    enum = "enum"
    flags = "flags"
    text = "text"


class FactSource(StrEnum):
    request = "request"
    case = "case"
    letter = "letter"
    derived = "derived"


class FactSpec(Model):
    """One declared fact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="snake_case name; item facts are item.<RequestedItem field>")
    type: FactType
    source: FactSource
    meaning: str = Field(min_length=1, description="What the fact says, in a phrase")
    unit: str | None = Field(None, description="Unit of a number")
    values: tuple[str, ...] | None = Field(None, description="Allowed values of an enum or flags fact")

    @property
    def is_item(self) -> bool:
        return self.name.startswith(ITEM_PREFIX)

    @property
    def item_field(self) -> str:
        return self.name[len(ITEM_PREFIX):]


TRISTATE_VALUES = tuple(t.value for t in Tristate)


class Catalogue:
    """The declared facts by name, and how to read and check their values."""

    def __init__(self, facts: dict[str, FactSpec], path: str | None = None) -> None:
        self.facts = facts
        self.path = path

    def __contains__(self, name: object) -> bool:
        return name in self.facts

    def get(self, name: str) -> FactSpec | None:
        return self.facts.get(name)

    def names(self) -> list[str]:
        return sorted(self.facts)

    def suggest(self, name: str) -> str:
        """' (did you mean x?)' for a near miss of a declared name, else ''."""
        close = difflib.get_close_matches(name, self.facts, n=1, cutoff=0.75)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def spec(self, name: str) -> FactSpec:
        found = self.facts.get(name)
        if found is None:
            raise InputError(
                f"unknown fact {name!r}{self.suggest(name)}; facts are declared in {CATALOGUE_FILE}"
            )
        return found

    def validate_value(self, name: str, value: Any) -> Any:
        """The normal form of `value` for fact `name`, or an InputError naming what is allowed.

        None means "absent" (a tristate reads absent as not_documented). Tristates accept
        their three names, or true / false for documented / documented_false.
        """
        spec = self.spec(name)
        if isinstance(value, FactValue):
            value = value.value
        return normalize(spec, value)

    def item_value(self, spec: FactSpec, item: RequestedItem) -> Any:
        """The normal value of an item fact, read from the requested item."""
        raw = getattr(item, spec.item_field, None)
        if isinstance(raw, StrEnum):
            raw = raw.value
        if raw in ("", []):
            return None
        return normalize(spec, raw)


class _Bad(ValueError):
    """A value of the wrong type or outside the allowed values."""


def _bool(spec: FactSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad(f"expected true or false, got {value!r}")


def _tristate(spec: FactSpec, value: Any) -> Tristate:
    if isinstance(value, bool):
        return Tristate.documented if value else Tristate.documented_false
    if isinstance(value, str) and value in TRISTATE_VALUES:
        return Tristate(value)
    raise _Bad(f"expected one of {', '.join(TRISTATE_VALUES)} (or true / false), got {value!r}")


def _number(spec: FactSpec, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"expected a number in {spec.unit}, got {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _Bad(f"expected a finite number, got {value!r}")
    return float(value)


def _date(spec: FactSpec, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Bad(f"expected an ISO date (YYYY-MM-DD), got {value!r}")


@cache
def _spellings(values: tuple[str, ...]) -> dict[str, str]:
    """Each allowed value by its case-folded spelling (a fact may have dozens: a lookup, not a scan)."""
    return {allowed.casefold(): allowed for allowed in values}


def _choice(spec: FactSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected one of {', '.join(spec.values or ())}, got {value!r}")
    found = _spellings(spec.values or ()).get(value.casefold())
    if found is None:
        raise _Bad(f"{value!r} is not allowed; allowed values: {', '.join(spec.values or ())}")
    return found


def _flags(spec: FactSpec, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise _Bad(f"expected a list of values, got {value!r}")
    out: set[str] = set()
    for member in value:
        if not isinstance(member, str):
            raise _Bad(f"expected a list of words, got {member!r}")
        out.add(_choice(spec, member) if spec.values else member.casefold())
    return sorted(out)


def _text(spec: FactSpec, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Bad(f"expected text, got {value!r}")


def normalize(spec: FactSpec, value: Any) -> Any:
    """The normal form of `value` for the declared fact `spec` (None stays None: absent)."""
    if value is None:
        return None
    try:
        return _NORMALIZE[spec.type](spec, value)
    except _Bad as bad:
        raise InputError(f"fact {spec.name!r} ({spec.type.value}): {bad}") from None


_NORMALIZE = {
    FactType.bool: _bool,
    FactType.tristate: _tristate,
    FactType.number: _number,
    FactType.date: _date,
    FactType.enum: _choice,
    FactType.flags: _flags,
    FactType.text: _text,
}


def _check_spec(spec: FactSpec) -> str | None:
    """What is wrong with a declaration beyond its shape, or None."""
    if not _NAME.match(spec.name):
        return f"fact name {spec.name!r} must be snake_case (item facts: item.<field>)"
    if spec.is_item and spec.item_field not in RequestedItem.model_fields:
        return f"item fact {spec.name!r} names no field of RequestedItem"
    if "." in spec.name and not spec.is_item:
        return f"fact name {spec.name!r}: only item facts have a dot (item.<field>)"
    if spec.type == FactType.enum and not spec.values:
        return f"enum fact {spec.name!r} needs `values`"
    if spec.values is not None and spec.type not in (FactType.enum, FactType.flags):
        return f"fact {spec.name!r}: only enum and flags facts take `values`"
    if spec.type == FactType.number and not spec.unit:
        return f"number fact {spec.name!r} needs a `unit`"
    if spec.unit is not None and spec.type != FactType.number:
        return f"fact {spec.name!r}: only number facts take a `unit`"
    if spec.name == AS_OF and spec.type != FactType.date:
        return "fact 'as_of' must be a date"
    return None


def read_catalogue(path: str | Path) -> Catalogue:
    """Read and check a fact catalogue; the first problem is an InputError with file and line."""
    path = Path(path)
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
        raise InputError("expected a mapping with a 'facts' list", path, getattr(data, "line", None))
    unknown_top = [key for key in data if key != "facts"]
    if unknown_top:
        line, column = data.where(unknown_top[0]) if isinstance(data, LineDict) else (None, None)
        raise InputError(f"unknown top-level key {unknown_top[0]!r}", path, line, column)
    facts: dict[str, FactSpec] = {}
    for raw in data["facts"]:
        line = getattr(raw, "line", None)
        column = getattr(raw, "column", None)
        try:
            spec = FactSpec.model_validate(raw)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            name = raw.get("name") if isinstance(raw, dict) else None
            raise InputError(f"fact {name!r}: {where}: {first['msg']}", path, line, column) from None
        problem = _check_spec(spec)
        if problem is None and spec.name in facts:
            problem = f"fact {spec.name!r} is declared twice"
        if problem:
            raise InputError(problem, path, line, column)
        facts[spec.name] = spec
    if AS_OF not in facts:
        raise InputError("the catalogue must declare 'as_of' (the evaluation date)", path)
    return Catalogue(facts, str(path))


_LOADED: dict[str, Catalogue] = {}


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue at `path` (default: the bundled rules/facts.yaml), read once per path, and kept in
    the on-disk cache while the file and the modules that check it are unchanged (checking its hundred
    or so facts was a twentieth of a one-off `check`)."""
    key = str(Path(path) if path is not None else data_file(CATALOGUE_FILE))
    found = _LOADED.get(key)
    if found is None:
        found = _LOADED[key] = _cached_read(Path(key))
    return found


def _cached_read(path: Path) -> Catalogue:
    import sys

    from imr_rules import cache

    modules = [sys.modules[__name__], sys.modules[RequestedItem.__module__]]
    return cache.cached(cache.entry_for("catalogue", path), lambda: cache.digest([path], modules),
                        lambda: read_catalogue(path), lambda _: True)


def adopt_catalogue(catalogue: Catalogue) -> Catalogue:
    """The catalogue already loaded from the same file if there is one, else `catalogue`, now
    remembered as that file's (a catalogue that came from the rulebook cache: one per file)."""
    if catalogue.path is None:
        return catalogue
    return _LOADED.setdefault(catalogue.path, catalogue)


def validate_value(name: str, value: Any, catalogue: Catalogue | None = None) -> Any:
    """Check one fact value against the (bundled) catalogue; see `Catalogue.validate_value`."""
    return (catalogue or load_catalogue()).validate_value(name, value)
