"""Guideline rules as data: the rule model and the checked rulebook, loaded (and cached).

A rule file holds the rules of one guideline topic::

    topic: benzodiazepines
    rules:
      - id: benzodiazepines-beyond-four-weeks
        title: Benzodiazepines are limited to four weeks
        citation: {source: MTUS Chronic Pain 2009, section: Benzodiazepines, pages: "24"}
        in_force: {from: 2009-07-18, to: 2016-07-28}
        applies_to: {drug_class: [benzodiazepine]}
        when:
          - any:
              - weeks_of_use > 4
              - item.days_supply > 28
        effect: upheld
        because: Use beyond four weeks ({weeks_of_use} weeks so far) is not recommended.
        to_change: Request a course of four weeks or less.
        tests: [...]

**Conditions** (`when`) are written in the small grammar that `imr_rules.conditions` describes.

**Precedence** between rules that fire is decided in `imr_rules.engine`; a rule
takes part through `citation.source` (MTUS first), `exception_to` and `priority`.

`imr_rules.lint` checks everything a rule author can get wrong and reports each
problem as `file:line:col: rule-id: problem`; `load_rulebook` refuses a rulebook
with any problem.
"""

from __future__ import annotations

import pickle
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr

from imr_rules.catalogue import AS_OF, CATALOGUE_FILE, Catalogue, FactType, adopt_catalogue
from imr_rules.conditions import CONDITION_SCHEMA, AllOf, AnyOf, Condition, Leaf, When, _link_conditions
from imr_rules.errors import InputError
from imr_rules.letters import Decision, SourceFamily
from imr_rules.model import Model
from imr_rules.paths import rules_dir
from imr_rules.results import GuidelineRef
from imr_rules.yamlio import load_yaml_file

TOPICS_FILE = "topics.yaml"
NOT_RULE_FILES = frozenset({TOPICS_FILE, CATALOGUE_FILE})
NOT_RULE_FOLDERS = frozenset({"lexicon"})

RULE_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MTUS_SOURCES = frozenset(s for s in SourceFamily if s.value.startswith("MTUS"))
NOT_CITABLE = frozenset({SourceFamily.none_cited, SourceFamily.unknown})
PAGE_CITED = frozenset({SourceFamily.mtus_cpmtg_2009})

# ---------------------------------------------------------------- YAML with positions


def load_rule_yaml(path: str | Path) -> Any:
    """Read a rule file safely, keeping positions; bad YAML is an InputError with file and line."""
    return load_yaml_file(path, positions=True)


# ---------------------------------------------------------------- the rule model


class Effect(StrEnum):
    upheld = "upheld"
    overturned = "overturned"

    @property
    def decision(self) -> Decision:
        return Decision.upheld if self is Effect.upheld else Decision.overturned


class RuleCitation(Model):
    """The guideline a rule encodes, as letters cite it."""

    model_config = ConfigDict(extra="forbid")

    source: SourceFamily = Field(description="Guideline family, as imr_rules.letters.SourceFamily spells it")
    section: str = Field(min_length=1, description="Section or topic, e.g. 'Benzodiazepines'")
    pages: str | None = Field(None, description="Pages as letters cite them, e.g. '24' or '26-27'")

    def guideline_ref(self) -> GuidelineRef:
        text = f"{self.source.value}, {self.section}"
        if self.pages:
            text += f", p. {self.pages}"
        return GuidelineRef(family=self.source, section=self.section, pages=self.pages, text=text)

    @property
    def is_mtus(self) -> bool:
        return self.source in MTUS_SOURCES


class InForce(Model):
    """The dates (inclusive) of requests the rule's guideline text applies to."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from", description="First date the rule applies (inclusive)")
    to: date | None = Field(None, description="Last date the rule applies (inclusive); null: still in force")

    def covers(self, day: date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)

    def overlaps(self, other: InForce) -> bool:
        end_self = self.to or date.max
        end_other = other.to or date.max
        return self.from_ <= end_other and other.from_ <= end_self

    def render(self) -> str:
        return f"{self.from_.isoformat()}..{self.to.isoformat() if self.to else ''}"


class AppliesTo(Model):
    """Which items the rule is considered for; each listed field must match one of its values."""

    model_config = ConfigDict(extra="forbid")

    drug_class: list[str] = Field(default_factory=list, description="Drug class keys from the lexicon")
    generic: list[str] = Field(default_factory=list, description="Normalized generic names")
    kind: list[str] = Field(default_factory=list, description="Item kinds (RequestedItem.kind)")
    topic: list[str] = Field(default_factory=list, description="Topic keys")
    body_parts: list[str] = Field(default_factory=list, description="Any of these body parts")
    modality: list[str] = Field(default_factory=list, description="Modalities (MRI, EMG, TENS, ...)")


APPLIES_FACTS = {
    "drug_class": "item.drug_class",
    "generic": "item.generic",
    "kind": "item.kind",
    "topic": "item.topic",
    "modality": "item.modality",
    "body_parts": "item.body_parts",
}


class Expect(Model):
    """What a rule test expects: the item's outcome, rules that fire and rules that do not."""

    model_config = ConfigDict(extra="forbid")

    outcome: Decision | None = Field(description="Upheld, Overturned, or null when no rule applies")
    fired: list[str] = Field(default_factory=list, description="Rule ids that must fire")
    not_fired: list[str] = Field(default_factory=list, description="Rule ids that must not fire")


class RuleTest(Model):
    """One embedded test: an item and facts in, an outcome out (run against the whole topic)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    item: dict[str, Any] | str = Field(
        default_factory=dict,
        description="RequestedItem fields (topic defaults to the file's topic), or the item text to parse",
    )
    facts: dict[str, Any] = Field(default_factory=dict, description="Case facts by catalogue name")
    as_of: date | None = Field(None, description="Evaluation date; default: the rule's in_force.from")
    expect: Expect

    _line: int = PrivateAttr(0)
    _column: int = PrivateAttr(0)


class Rule(Model):
    """One version of one guideline rule."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=RULE_ID, description="Stable kebab-case id; versions of a rule share it")
    title: str = Field(min_length=1)
    topic: str | None = Field(None, description="Inherited from the file; if given it must match")
    citation: RuleCitation
    in_force: InForce
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    when: When = Field(default_factory=lambda: AllOf(()))
    effect: Effect
    priority: int = Field(0, description="Higher wins among rules of the same guideline rank")
    exception_to: list[str] = Field(
        default_factory=list,
        description="Ids of general rules this rule makes an exception to (it overrides them)",
    )
    because: str = Field(min_length=1, description="Explanation; {fact} inserts a fact's value")
    to_change: str | None = Field(None, description="What to document or change for the other outcome")
    tests: list[RuleTest] = Field(default_factory=list)

    _file: str = PrivateAttr("")
    _line: int = PrivateAttr(0)
    _column: int = PrivateAttr(0)
    _keys: dict[str, tuple[int, int]] = PrivateAttr(default_factory=dict)

    @cached_property
    def key(self) -> str:
        """The name of this version: id@from."""
        return f"{self.id}@{self.in_force.from_.isoformat()}"

    @property
    def file(self) -> str:
        return self._file

    @property
    def line(self) -> int:
        return self._line

    @property
    def pos(self) -> tuple[int, int]:
        """Where the rule is written: (line, column)."""
        return (self._line, self._column)

    def where(self, key: str) -> tuple[int, int]:
        """Where one of the rule's keys is written (the rule itself if it is not)."""
        return self._keys.get(key, self.pos)

    def applicability(self) -> AllOf:
        """The conditions that select items and dates for the rule: in force, and applies_to."""
        conds: list[Condition] = [Leaf(AS_OF, ">=", self.in_force.from_, ftype=FactType.date)]
        if self.in_force.to is not None:
            conds.append(Leaf(AS_OF, "<=", self.in_force.to, ftype=FactType.date))
        return AllOf(tuple(conds) + self.item_selector().items)

    def item_selector(self) -> AllOf:
        """applies_to as conditions on item facts."""
        conds: list[Condition] = []
        for name, fact in APPLIES_FACTS.items():
            values = getattr(self.applies_to, name)
            if not values:
                continue
            if name == "body_parts":
                members = tuple(Leaf(fact, "contains", v.casefold(), ftype=FactType.flags) for v in values)
                conds.append(members[0] if len(members) == 1 else AnyOf(members))
            else:
                ftype = FactType.enum if name == "kind" else FactType.text
                conds.append(Leaf(fact, "in", tuple(v.casefold() for v in values), ftype=ftype))
        return AllOf(tuple(conds))


class RuleFile(Model):
    """One rule file: the rules of one topic."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(description="Topic key from rules/topics.yaml")
    rules: list[Rule] = Field(min_length=1)


def rule_file_schema() -> dict[str, Any]:
    """The JSON Schema of a rule file, for editors and `imr-rules rules schema`."""
    schema = _link_conditions(RuleFile.model_json_schema(by_alias=True))
    schema.setdefault("$defs", {})["Condition"] = CONDITION_SCHEMA
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "imr-rules rule file"
    schema["description"] = (__doc__ or "").strip().split("\n\n")[0]
    return schema


# ---------------------------------------------------------------- diagnostics


class Diagnostic(Model):
    """One problem in a rule file, printable as `file:line:col: rule-id: problem`."""

    model_config = ConfigDict(frozen=True)

    path: str
    line: int = 0
    column: int = 0
    rule_id: str | None = None
    problem: str

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        who = f"{self.rule_id}: " if self.rule_id else ""
        return f"{where}: {who}{self.problem}"


class RulebookError(InputError):
    """A rulebook that failed lint; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        more = ""
        if len(diagnostics) > 1:
            more = f" (and {len(diagnostics) - 1} more problems; run `imr-rules rules lint`)"
        super().__init__(f"{first.rule_id + ': ' if first.rule_id else ''}{first.problem}{more}",
                         first.path, first.line or None, first.column or None)
        self.diagnostics = diagnostics


# ---------------------------------------------------------------- the rulebook


class Rulebook:
    """Every rule version of every topic, checked, with the catalogue and topic list they use.

    A rulebook pickles topic by topic (the rulebook cache holds one), and an unpickled one
    unpickles a topic's rules and compiled ruleset when that topic is first asked for
    (`topic_rules`, `compiled[topic]`), the rest when `rules`, `by_topic` or `by_key` is
    read: a check of one case needs one topic or two of forty, and unpickling them all took
    some 40 ms.
    """

    def __init__(self, rules: list[Rule], catalogue: Catalogue, topics: dict[str, str],
                 files: list[str]) -> None:
        self.catalogue = catalogue
        self.topics = topics  # key or alias -> key
        self.files = files
        self.compiled: Mapping[str, Any] | None = None  # the durable-rules rulesets, when cached with it
        self._packed: dict[str, bytes] = {}  # topic -> its rules and ruleset, pickled, until first asked for
        self._names: list[str] = []  # the topics, in the order of `by_topic`
        self._lock = threading.Lock()
        self._index(sorted(rules, key=lambda r: (r.topic or "", r.id, r.in_force.from_)))

    def _index(self, rules: list[Rule]) -> None:
        by_topic: dict[str, list[Rule]] = defaultdict(list)
        by_key: dict[str, Rule] = {}
        for rule in rules:
            by_topic[rule.topic or ""].append(rule)
            by_key[rule.key] = rule
        self._by_topic, self._by_key = by_topic, by_key
        self._rules: list[Rule] | None = rules  # last: set, it says that everything is unpacked

    @property
    def rules(self) -> list[Rule]:
        """Every rule version, by topic, id and date."""
        self._unpack_all()
        return self._rules  # type: ignore[return-value]

    @property
    def by_topic(self) -> dict[str, list[Rule]]:
        self._unpack_all()
        return self._by_topic

    @property
    def by_key(self) -> dict[str, Rule]:
        self._unpack_all()
        return self._by_key

    def canonical_topic(self, key_or_alias: str | None) -> str | None:
        if key_or_alias is None:
            return None
        return self.topics.get(key_or_alias) or self.topics.get(key_or_alias.casefold())

    def versions(self, rule_id: str) -> list[Rule]:
        return [r for r in self.rules if r.id == rule_id]

    def topic_rules(self, topic: str) -> list[Rule]:
        if topic in self._packed:
            self._unpack(topic)
        return self._by_topic.get(topic, [])

    def topic_names(self) -> list[str]:
        """The topics that have rules (without unpickling any)."""
        return list(self._names) if self._rules is None else list(self._by_topic)

    # ---- pickling, topic by topic

    def __getstate__(self) -> dict[str, Any]:
        compiled = self.compiled
        names = self.topic_names()
        packed = {topic: self._packed.get(topic) or pickle.dumps(
            (self._by_topic.get(topic, []), compiled.get(topic) if compiled is not None else None),
            protocol=pickle.HIGHEST_PROTOCOL) for topic in names}
        return {"catalogue": self.catalogue, "topics": self.topics, "files": self.files, "names": names,
                "packed": packed, "compiled": None if compiled is None else list(compiled)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.catalogue = state["catalogue"]
        self.topics = state["topics"]
        self.files = state["files"]
        self._names = list(state["names"])
        self._packed = dict(state["packed"])
        self._lock = threading.Lock()
        self._rules = None
        self._by_topic = defaultdict(list)
        self._by_key = {}
        self.compiled = None if state["compiled"] is None else _PackedRulesets(self, state["compiled"])

    def _unpack(self, topic: str) -> None:
        """Unpickle one topic's rules and compiled ruleset."""
        with self._lock:
            blob = self._packed.get(topic)
            if blob is None:
                return
            rules, compiled = pickle.loads(blob)  # noqa: S301 - pickled by __getstate__ above
            self._by_topic[topic] = rules
            if compiled is not None and isinstance(self.compiled, _PackedRulesets):
                self.compiled.done[topic] = compiled
            del self._packed[topic]

    def _unpack_all(self) -> None:
        if self._rules is not None:
            return
        for topic in list(self._packed):
            self._unpack(topic)
        with self._lock:
            if self._rules is None:
                self._index([rule for topic in self._names for rule in self._by_topic.get(topic, [])])


class _PackedRulesets(Mapping[str, Any]):
    """The compiled rulesets of an unpickled rulebook, each unpickled with its topic's rules when
    first asked for."""

    def __init__(self, rulebook: Rulebook, topics: list[str]) -> None:
        self._rulebook = rulebook
        self._topics = topics
        self.done: dict[str, Any] = {}

    def __getitem__(self, topic: str) -> Any:
        found = self.done.get(topic)
        if found is None:
            if topic not in self._topics:
                raise KeyError(topic)
            self._rulebook._unpack(topic)
            found = self.done[topic]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._topics)

    def __len__(self) -> int:
        return len(self._topics)


def rule_files(path: str | Path | None = None) -> list[Path]:
    """The rule files at `path`: a file, or every *.yaml of a folder but topics.yaml, facts.yaml
    and the lexicon/ folder (NOT_RULE_FILES, NOT_RULE_FOLDERS)."""
    root = Path(path) if path is not None else rules_dir()
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("no such file or folder", root)
    return sorted(
        p for p in root.glob("*.yaml")
        if p.name not in NOT_RULE_FILES and p.parent.name not in NOT_RULE_FOLDERS
    )


def _support_file(path: str | Path | None, name: str) -> Path:
    """The folder's own facts.yaml / topics.yaml if it has one, else the bundled one."""
    if path is not None:
        root = Path(path)
        folder = root if root.is_dir() else root.parent
        if (folder / name).is_file():
            return folder / name
    return rules_dir() / name


def read_topic_keys(path: str | Path) -> dict[str, str]:
    """Topic keys and aliases -> key, from a topics file."""
    data = load_rule_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise InputError("expected a mapping with a 'topics' list", path)
    out: dict[str, str] = {}
    for entry in data["topics"]:
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            out[entry["key"]] = entry["key"]
            for alias in entry.get("aliases") or []:
                out.setdefault(alias, entry["key"])
    return out


def test_date(test: RuleTest, owner: Rule) -> date:
    """The date a rule test is evaluated as of: its own, else its rule's first day in force."""
    return test.as_of or owner.in_force.from_



# ---------------------------------------------------------------- loading


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """The checked rulebook at `path` (default: bundled); a RulebookError lists every problem.

    The bundled rulebook (`path` None) comes from the cache of checked rulebooks
    (`imr_rules.cache`) when nothing it was built from has changed: every file of the
    rules folder, and the source of the modules that read, check and compile it (the
    durable-rules rulesets are cached with it). `lint.lint_rulebook` never uses the cache."""
    if path is not None:
        return _checked_rulebook(path)
    from imr_rules import cache

    found = cache.cached("rulebook", _rulebook_key, _bundled_rulebook, lambda _: True)
    found.catalogue = adopt_catalogue(found.catalogue)
    return found


def _checked_rulebook(path: str | Path | None = None) -> Rulebook:
    from imr_rules import lint

    result = lint.lint_rulebook(path)
    if result.rulebook is None:
        raise RulebookError(result.diagnostics)
    return result.rulebook


def _bundled_rulebook() -> Rulebook:
    """The checked bundled rulebook with its compiled rulesets, to be cached together."""
    from imr_rules.compiler import compile_rulebook

    found = _checked_rulebook(None)
    try:
        found.compiled = compile_rulebook(found)
    except Exception:  # noqa: BLE001 - the engine compiles again and reports the problem
        found.compiled = None
    return found


def _rulebook_key() -> str:
    """A digest of what the bundled rulebook is built from (see `load_rulebook`)."""
    import sys

    from imr_rules import (
        cache,
        catalogue,
        compiler,
        conditions,
        facts,
        items,
        letters,
        lint,
        results,
        templates,
        yamlio,
    )

    root = rules_dir()
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    modules = [sys.modules[__name__], conditions, templates, lint, catalogue, compiler, yamlio, facts, items,
               letters, results]
    return cache.digest(files, modules, extra=[f"rulebook {root.resolve()}"])
