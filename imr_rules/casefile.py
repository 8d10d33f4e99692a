"""Case files: a physician's request and the case facts, written by hand, checked before they are used.

A case file (YAML or JSON) names the requested items and what the record documents,
in the fact names of rules/facts.yaml. It may carry a progress note instead of, or
besides, explicit facts: the note is read by the extractor, and every fact written in
the file overrides what the note was read to say. Every problem is one InputError
naming the file, the line and what is allowed, so the command line prints one line.

The format (`imr-rules case schema` prints its JSON Schema):

    title: Ongoing hydrocodone with the four A's documented   # optional
    as_of: 2015-02-20          # apply the guidelines in force on this date
    request_date: 2015-02-16   # used as as_of when as_of is not given
    injury_date: 2013-03-11
    patient: {age: 48, sex: male}
    note_file: notes/visit.txt # a progress note, relative to this file (or `note: |` text)
    facts:                     # case facts, by catalogue name (`imr-rules case facts`)
      opioid_agreement: documented
      med_mg_per_day: 40
    items:
      - "Diazepam 10 mg #60"   # a string: parsed as written
      - text: "Norco 10/325 mg #120"
        expect: Overturned     # the outcome this example should get (tests and examples)
        facts: {weeks_of_use: 60}   # facts about this item only
        days_supply: 30        # any RequestedItem field overrides what was parsed

Tristate facts take documented / not_documented / documented_false, or true / false
for documented / documented_false. A fact set to null is "not documented": it also
removes what the note was read to say about it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, create_model

from imr_rules.catalogue import AS_OF, ITEM_PREFIX, Catalogue, FactSpec, FactType, load_catalogue
from imr_rules.errors import InputError
from imr_rules.facts import CaseFacts, Evidence, FactValue, Tristate, extract_facts
from imr_rules.items import RequestedItem, parse_item
from imr_rules.letters import Decision
from imr_rules.model import Model

CASE_SUFFIXES = (".yaml", ".yml", ".json")
AsOfSource = Literal["option", "as_of", "request_date", "note", "today"]


# ---------------------------------------------------------------- the file as written


def _iso_date(value: Any) -> Any:
    """Dates are YAML dates or ISO strings; a bare number is never a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected an ISO date (YYYY-MM-DD), got {value!r}")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _decision(value: Any) -> Any:
    """`expect` is Upheld or Overturned, in any letter case."""
    if value is None:
        return None
    if isinstance(value, str):
        for decision in Decision:
            if value.strip().casefold() == decision.value.casefold():
                return decision
    raise ValueError(f"expected Upheld or Overturned, got {value!r}")


class Patient(Model):
    """Who the patient is: read as the facts `age` and `sex`."""

    model_config = ConfigDict(extra="forbid")

    age: float | None = Field(None, ge=0, le=120, description="Age in years")
    sex: Literal["male", "female"] | None = None


class _ItemBase(Model):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, description="The item as requested, e.g. 'Norco 10/325 mg #120'")
    expect: Annotated[Decision | None, BeforeValidator(_decision)] = Field(
        None, description="The outcome this case is expected to get (used by the examples' test)")
    facts: dict[str, Any] = Field(default_factory=dict, description="Facts about this item only")


OVERRIDABLE = tuple(name for name in RequestedItem.model_fields if name != "text")

CaseItem = create_model(  # type: ignore[call-overload]
    "CaseItem",
    __base__=_ItemBase,
    __doc__="One requested item: its text, and RequestedItem fields that override what was parsed from it.",
    **{
        name: (field.annotation | None, Field(None, description=field.description))
        for name, field in RequestedItem.model_fields.items() if name != "text"
    },
)


def _items_before(value: Any) -> Any:
    """A bare string item is short for {text: ...}."""
    if isinstance(value, list):
        return [{"text": item} if isinstance(item, str) else item for item in value]
    return value


class CaseFile(Model):
    """A case file as written: the request, the dates, the patient, a note and the documented facts."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, description="A name for the case, shown in the output")
    as_of: IsoDate | None = Field(None, description="Apply the guidelines in force on this date")
    request_date: IsoDate | None = Field(None, description="Date of the request (as_of if none is given)")
    injury_date: IsoDate | None = Field(None, description="Date of the industrial injury")
    patient: Patient | None = None
    note: str | None = Field(None, description="Text of a progress note, read for facts")
    note_file: str | None = Field(None, description="A progress note file, relative to the case file")
    facts: dict[str, Any] = Field(default_factory=dict, description="Documented facts, by catalogue name")
    items: Annotated[list[CaseItem], BeforeValidator(_items_before)] = Field(  # type: ignore[valid-type]
        min_length=1, description="The requested items: strings, or mappings with text")


TOP_KEYS = tuple(CaseFile.model_fields)
ITEM_KEYS = ("text", "expect", "facts")


# ---------------------------------------------------------------- the case as understood


class Case(Model):
    """A checked case: items parsed, facts merged and validated, the as-of date settled."""

    model_config = ConfigDict(extra="forbid")

    file: str
    title: str | None = None
    items: list[RequestedItem]
    expected: list[Decision | None] = Field(description="Per item, the outcome the file expects, if any")
    facts: CaseFacts
    as_of: date
    as_of_source: AsOfSource
    note: str | None = Field(None, description="Where the progress note came from, if any")


# ---------------------------------------------------------------- reading


def case_files(path: Path) -> list[Path]:
    """The case file itself, or every case file in a folder (not its subfolders), sorted by name."""
    if path.is_dir():
        found = sorted(
            (p for p in path.iterdir()
             if p.is_file() and p.suffix.lower() in CASE_SUFFIXES and not p.name.startswith(".")),
            key=lambda p: p.name,
        )
        if not found:
            raise InputError(f"folder has no case files ({', '.join('*' + s for s in CASE_SUFFIXES)})", path)
        return found
    if not path.exists():
        raise InputError("no such file or folder", path)
    return [path]


def _raw(path: Path) -> Any:
    """The file's data with positions (mappings and lists know their lines)."""
    return _positioned(path)


def _positioned(path: Path) -> Any:
    """Read with the shared safe loader; it reports bad YAML and impossible dates with file:line."""
    from imr_rules.yamlio import load_yaml_file

    if path.suffix.lower() == ".json":
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"cannot read file: {err.__class__.__name__}: {err}", path) from None
        try:
            plain = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"malformed JSON: {err.msg}", path, err.lineno, err.colno) from None
        try:
            return load_yaml_file(path, positions=True)  # the same data, with positions
        except InputError:
            return plain  # valid JSON that YAML cannot read: no positions, same meaning
    return load_yaml_file(path, positions=True)


def _where(node: Any, key: Any) -> int | None:
    where = getattr(node, "where", None)
    if where is not None:
        try:
            return where(key)[0] or None
        except (IndexError, TypeError):
            return None
    return getattr(node, "line", None) or None


def _locate(raw: Any, loc: tuple) -> int | None:
    """The line of the deepest part of `loc` that the file has."""
    node, line = raw, getattr(raw, "line", None)
    for part in loc:
        if isinstance(node, dict) and part in node:
            line = _where(node, part) or line
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = _where(node, part) or line
            node = node[part]
        elif part == "CaseItem" or isinstance(part, str) and part.startswith("function-"):
            continue
        else:
            break
    return line


def _suggest(name: str, options: list[str] | tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "CaseItem" or part.startswith("function-"):
            continue
        else:
            out += ("." if out else "") + part
    return out


def _problem(err: dict[str, Any]) -> str:
    """One pydantic error in the words of a case file."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _dotted(loc[:-1])
        if parent.startswith("items["):
            allowed = ", ".join(ITEM_KEYS) + "; or a field of the requested item: " + ", ".join(OVERRIDABLE)
            options: tuple[str, ...] = ITEM_KEYS + OVERRIDABLE
        elif parent == "patient":
            options = tuple(Patient.model_fields)
            allowed = ", ".join(options)
        else:
            options = TOP_KEYS
            allowed = ", ".join(options)
        where = f" in {parent}" if parent else ""
        return f"unknown key {key!r}{where}{_suggest(key, options)}; allowed keys: {allowed}"
    if kind == "missing":
        return f"missing required key {_dotted(loc)!r}"
    message = err.get("msg", "invalid value")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if kind == "too_short" and loc == ("items",):
        message = "list at least one requested item"
    return f"{_dotted(loc) or 'case file'}: {message}"


def _validated(raw: Any, path: Path) -> CaseFile:
    if not isinstance(raw, dict):
        raise InputError(f"expected a mapping with the keys {', '.join(TOP_KEYS)}", path,
                         getattr(raw, "line", None))
    try:
        return CaseFile.model_validate(raw)
    except ValidationError as err:
        errors = err.errors()
        located = [(_locate(raw, tuple(e.get("loc", ()))), i, e) for i, e in enumerate(errors)]
        # the first problem in the file; an unknown key before the missing one it probably misspells
        line, _, first = min(located, key=lambda t: (t[2].get("type") == "missing",
                                                     t[0] if t[0] is not None else 10**9, t[1]))
        raise InputError(_problem(first), path, line) from None


def _fact_error(catalogue: Catalogue, name: str) -> str | None:
    """Why `name` cannot be written in a case file's facts, or None."""
    if name == AS_OF:
        return "'as_of' is set at the top of the case file, not among the facts"
    if name.startswith(ITEM_PREFIX):
        field = name[len(ITEM_PREFIX):]
        return f"{name!r} is read from the item: write `{field}: ...` on the item instead"
    if name not in catalogue:
        return (f"unknown fact {name!r}{catalogue.suggest(name)}; "
                "`imr-rules case facts` lists every fact with its allowed values")
    return None


Written = dict[str, FactValue | None]  # facts as a case file writes them; None: not documented


def _facts(catalogue: Catalogue, raw: Any, written: dict[str, Any], path: Path, label: str) -> Written:
    """Checked facts of one `facts:` mapping; a None value means 'not documented'."""
    out: Written = {}
    for name, value in written.items():
        line = _where(raw, name) if isinstance(raw, dict) else None
        if not isinstance(name, str):
            raise InputError(f"{label}: fact names are words, got {name!r}", path, line)
        problem = _fact_error(catalogue, name)
        if problem:
            raise InputError(f"{label}: {problem}", path, line)
        try:
            normal = catalogue.validate_value(name, value)
        except InputError as err:
            raise InputError(f"{label}: {err.problem}", path, line) from None
        if normal is None:
            out[name] = None
            continue
        out[name] = FactValue(value=_plain(normal), evidence=[_written(f"{label}.{name}", normal, line)])
    return out


def _written(key: str, value: Any, line: int | None) -> Evidence:
    """Evidence for a value the case file states: where, and what it says."""
    from imr_rules.engine import format_value

    where = f"case file line {line}" if line else "case file"
    return Evidence(text=f"{where}: {key} = {format_value(_plain(value))}", source="case_file")


def _plain(value: Any) -> Any:
    """A normal fact value as CaseFacts holds it (tristates by their names)."""
    return value.value if isinstance(value, Tristate) else value


def _item(spec: Any, raw: Any, catalogue: Catalogue, path: Path, index: int) -> RequestedItem:
    """The item parsed from its text, with the fields the file sets laid over it."""
    parsed = parse_item(spec.text)
    overrides = {name: getattr(spec, name) for name in spec.model_fields_set if name in OVERRIDABLE}
    if not overrides:
        return parsed
    for name, value in overrides.items():
        fact = ITEM_PREFIX + name
        if fact in catalogue and value is not None:
            try:
                catalogue.validate_value(fact, value.value if hasattr(value, "value") else value)
            except InputError as err:
                raise InputError(f"items[{index}].{name}: {err.problem.split(': ', 1)[-1]}", path,
                                 _where(raw, name) if isinstance(raw, dict) else None) from None
    data = parsed.model_dump()
    data.update(overrides)
    try:
        return RequestedItem.model_validate(data)
    except ValidationError as err:  # pragma: no cover - the CaseItem fields have the same types
        first = err.errors()[0]
        raise InputError(_problem({**first, "loc": ("items", index, *first["loc"])}), path,
                         _where(raw, first["loc"][0]) if isinstance(raw, dict) else None) from None


def _merge(extracted: CaseFacts | None, common: Written, per_item: list[Written], n_items: int) -> CaseFacts:
    """Facts written in the file override the note's, for the case and for every item."""
    base_common = dict(extracted.common) if extracted else {}
    base_items = [dict(d) for d in extracted.per_item] if extracted else []
    base_items += [{} for _ in range(n_items - len(base_items))]
    base_common.pop(AS_OF, None)
    for name, value in common.items():
        base_common.pop(name, None)
        for own in base_items:
            own.pop(name, None)
        if value is not None:
            base_common[name] = value
    for own, written in zip(base_items, per_item, strict=True):
        for name, value in written.items():
            own.pop(name, None)
            if value is not None:
                own[name] = value
    return CaseFacts(common=base_common, per_item=base_items)


def _weeks_since_injury(facts: CaseFacts, as_of: date, written: Written) -> None:
    """Weeks from injury to the as-of date, unless the file gave them, or the note did from its own date."""
    injury = facts.common.get("injury_date")
    if "weeks_since_injury" in written or injury is None or not isinstance(injury.value, date):
        return
    if "weeks_since_injury" in facts.common and "injury_date" not in written:
        return
    weeks = round((as_of - injury.value).days / 7, 1)
    if weeks >= 0:
        facts.common["weeks_since_injury"] = FactValue(value=weeks, evidence=[Evidence(
            text=f"{weeks:g} weeks from the injury ({injury.value.isoformat()}) to {as_of.isoformat()}",
            source="derived")])


def _read_note(path: Path, spec: CaseFile, raw: Any, note: Path | None) -> tuple[str | None, str | None]:
    """(note text, where it came from): --note wins over the file's note or note_file."""
    if note is not None:
        return _read_text(note, None, None), str(note)
    if spec.note is not None and spec.note_file is not None:
        raise InputError("give either note or note_file, not both", path, _where(raw, "note_file"))
    if spec.note is not None:
        return spec.note, "note"
    if spec.note_file is not None:
        target = path.parent / spec.note_file
        return _read_text(target, path, _where(raw, "note_file")), spec.note_file
    return None, None


def _read_text(target: Path, case: Path | None, line: int | None) -> str:
    try:
        return target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err.__class__.__name__
        if case is not None:
            raise InputError(f"note_file: cannot read {str(target)!r}: {reason}", case, line) from None
        raise InputError(f"cannot read the note: {reason}", target) from None


def load_case(path: str | Path, *, note: str | Path | None = None, as_of: date | None = None,
              catalogue: Catalogue | None = None) -> Case:
    """Read, check and settle one case file.

    `note` (a progress note file) replaces the file's own note; `as_of` overrides every
    date the file or the note gives. The as-of date is, in order: `as_of`, the file's
    `as_of`, its `request_date`, the latest date of the note, today.
    """
    path = Path(path)
    catalogue = catalogue or load_catalogue()
    raw = _raw(path)
    spec = _validated(raw, path)
    raw_items = raw.get("items") if isinstance(raw, dict) else None

    def raw_of(index: int) -> Any:
        return raw_items[index] if isinstance(raw_items, list) and index < len(raw_items) else None

    items = [_item(item, raw_of(i), catalogue, path, i) for i, item in enumerate(spec.items)]
    common = _facts(catalogue, raw.get("facts"), spec.facts, path, "facts")
    per_item = []
    for i, item in enumerate(spec.items):
        own_raw = raw_of(i)
        own = own_raw.get("facts") if isinstance(own_raw, dict) else None
        per_item.append(_facts(catalogue, own, item.facts, path, f"items[{i}].facts"))
    for key, fact in (("injury_date", "injury_date"),):
        value = getattr(spec, key)
        if value is not None:
            if fact in common:
                raise InputError(f"{fact} is given twice (at the top and under facts)", path,
                                 _where(raw, key))
            common[fact] = FactValue(value=value, evidence=[_written(key, value, _where(raw, key))])
    if spec.patient is not None:
        raw_patient = raw.get("patient")
        for field in ("age", "sex"):
            value = getattr(spec.patient, field)
            if value is None:
                continue
            if field in common:
                raise InputError(f"{field} is given twice (patient.{field} and facts.{field})", path,
                                 _where(raw_patient, field))
            normal = catalogue.validate_value(field, value)
            common[field] = FactValue(value=normal, evidence=[_written(f"patient.{field}", normal,
                                                                       _where(raw_patient, field))])

    note_text, note_source = _read_note(path, spec, raw, Path(note) if note is not None else None)
    day, source = _settle_as_of(as_of, spec)
    extracted = extract_facts(note_text, items, source="note", as_of=day) if note_text else None
    if day is None and extracted is not None and extracted.as_of is not None:
        day, source = extracted.as_of, "note"
    if day is None:
        day, source = date.today(), "today"
    facts = _merge(extracted, common, per_item, len(items))
    facts.as_of = day
    _weeks_since_injury(facts, day, common)
    return Case(file=str(path), title=spec.title, items=items, expected=[item.expect for item in spec.items],
                facts=facts, as_of=day, as_of_source=source, note=note_source)


def _settle_as_of(option: date | None, spec: CaseFile) -> tuple[date | None, AsOfSource]:
    if option is not None:
        return option, "option"
    if spec.as_of is not None:
        return spec.as_of, "as_of"
    if spec.request_date is not None:
        return spec.request_date, "request_date"
    return None, "today"


# ---------------------------------------------------------------- the schema


def _fact_schema(spec: FactSpec) -> dict[str, Any]:
    """JSON Schema of one fact's value, as a case file may write it."""
    described = {"description": spec.meaning + (f" ({spec.unit})" if spec.unit else "")}
    kind = spec.type
    if kind == FactType.tristate:
        body: dict[str, Any] = {"anyOf": [{"enum": ["documented", "not_documented", "documented_false"]},
                                          {"type": "boolean"}, {"type": "null"}]}
    elif kind == FactType.bool:
        body = {"type": ["boolean", "null"]}
    elif kind == FactType.number:
        body = {"type": ["number", "null"]}
    elif kind == FactType.date:
        body = {"type": ["string", "null"], "format": "date"}
    elif kind == FactType.enum:
        body = {"enum": [*(spec.values or ()), None]}
    elif kind == FactType.flags:
        members: dict[str, Any] = {"enum": list(spec.values)} if spec.values else {"type": "string"}
        body = {"type": ["array", "null"], "items": members, "uniqueItems": True}
    else:
        body = {"type": ["string", "null"]}
    return {**described, **body}


def case_file_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The JSON Schema of a case file, with every catalogue fact and its allowed values (for editors)."""
    catalogue = catalogue or load_catalogue()
    schema = CaseFile.model_json_schema()
    schema["title"] = "imr-rules case file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    facts = {
        "type": "object",
        "description": "Documented facts by catalogue name; a tristate takes documented, not_documented, "
                       "documented_false, or true / false",
        "additionalProperties": False,
        "properties": {
            name: _fact_schema(spec) for name, spec in sorted(catalogue.facts.items())
            if name != AS_OF and not spec.is_item
        },
    }
    defs = schema.setdefault("$defs", {})
    defs["Facts"] = facts
    schema["properties"]["facts"] = {"$ref": "#/$defs/Facts"}
    item = defs["CaseItem"]
    item["properties"]["facts"] = {"$ref": "#/$defs/Facts"}
    item["properties"]["expect"] = {"anyOf": [{"enum": [d.value for d in Decision]}, {"type": "null"}],
                                    "default": None, "description": item["properties"]["expect"].get(
                                        "description", "")}
    schema["properties"]["items"]["items"] = {"anyOf": [
        {"type": "string", "description": "The item as requested, parsed as written"},
        {"$ref": "#/$defs/CaseItem"},
    ]}
    for key in ("as_of", "request_date", "injury_date"):
        prop = schema["properties"][key]
        prop.pop("anyOf", None)
        prop.update({"type": ["string", "null"], "format": "date"})
    return schema
