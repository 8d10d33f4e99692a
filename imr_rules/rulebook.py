"""Guideline rules as data: the rule model, loading and linting.

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

`lint_rulebook` checks everything a rule author can get wrong and reports each
problem as `file:line:col: rule-id: problem`; `load_rulebook` refuses a rulebook
with any problem.
"""

from __future__ import annotations

import pickle
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)

from imr_rules.catalogue import (
    AS_OF,
    CATALOGUE_FILE,
    TRISTATE_VALUES,
    Catalogue,
    FactType,
    adopt_catalogue,
    load_catalogue,
)
from imr_rules.conditions import (
    COMPARE_OPS,
    CONDITION_SCHEMA,
    NUMBER_RANGE,
    UNARY_OPS,
    AllOf,
    AnyOf,
    Condition,
    ConditionError,
    Leaf,
    NotOf,
    When,
    _link_conditions,
    leaves,  # noqa: F401 - until the engine imports it from conditions
    render_text,  # noqa: F401
)
from imr_rules.errors import InputError
from imr_rules.items import ItemKind, RequestedItem
from imr_rules.letters import Decision, SourceFamily
from imr_rules.model import Model
from imr_rules.paths import rules_dir
from imr_rules.results import GuidelineRef
from imr_rules.templates import Template, template_facts, template_pieces  # noqa: F401
from imr_rules.yamlio import LineDict, LineList, load_yaml_file, position

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


# ---------------------------------------------------------------- lint


@dataclass
class _Linter:
    catalogue: Catalogue
    topics: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def report(self, path: str, pos: tuple[int, int], rule_id: str | None, problem: str) -> None:
        self.diagnostics.append(
            Diagnostic(path=path, line=pos[0], column=pos[1], rule_id=rule_id, problem=problem)
        )

    # ---- one file

    def read_file(self, path: Path) -> tuple[str | None, list[tuple[Rule, LineDict]], tuple[int, int]]:
        name = str(path)
        try:
            data = load_rule_yaml(path)
        except InputError as err:
            self.report(name, (err.line or 0, err.column or 0), None, err.problem)
            return None, [], (0, 0)
        if not isinstance(data, LineDict):
            self.report(name, position(data), None, "a rule file is a mapping with `topic:` and `rules:`")
            return None, [], (0, 0)
        for key in data:
            if key not in ("topic", "rules"):
                self.report(name, data.where(key), None,
                            f"unknown top-level key {key!r} (expected topic, rules)")
        topic = data.get("topic")
        topic_pos = data.where("topic") if "topic" in data else position(data)
        if not isinstance(topic, str):
            self.report(name, topic_pos, None, "missing `topic:` (a key from topics.yaml)")
            topic = None
        elif topic not in self.topics:
            self.report(name, topic_pos, None, f"unknown topic {topic!r}{_suggest(topic, self.topics)}")
            topic = None
        elif self.topics[topic] != topic:
            self.report(name, topic_pos, None,
                        f"topic {topic!r} is an alias; use the key {self.topics[topic]!r}")
            topic = None
        raw_rules = data.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            self.report(name, data.where("rules") if "rules" in data else position(data), None,
                        "missing `rules:` (a non-empty list of rules)")
            return topic, [], topic_pos
        rules = []
        for i, raw in enumerate(raw_rules):
            pos = raw_rules.where(i) if isinstance(raw_rules, LineList) else position(raw_rules)
            rule = self.read_rule(name, raw, pos, topic)
            if rule is not None:
                rules.append((rule, raw))
        return topic, rules, topic_pos

    def read_rule(self, path: str, raw: Any, pos: tuple[int, int], topic: str | None) -> Rule | None:
        rule_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
        if not isinstance(raw, dict):
            self.report(path, pos, None, "a rule is a mapping")
            return None
        try:
            rule = Rule.model_validate(raw)
        except ValidationError as err:
            for problem, where in _pydantic_problems(err, raw, Rule):
                self.report(path, where, rule_id, problem)
            return None
        rule._file = path
        rule._line, rule._column = position(raw)
        rule._keys = {key: raw.where(key) for key in raw} if isinstance(raw, LineDict) else {}
        if rule.topic is not None and topic is not None and rule.topic != topic:
            self.report(path, raw.where("topic"), rule.id,
                        f"rule topic {rule.topic!r} differs from the file's topic {topic!r}")
            return None
        rule.topic = topic
        raw_tests = raw.get("tests")
        for i, test in enumerate(rule.tests):
            if isinstance(raw_tests, LineList):
                test._line, test._column = raw_tests.where(i)
        return rule

    # ---- one rule

    def check_rule(self, rule: Rule, raw: LineDict) -> Rule:
        """Semantic checks; returns the rule with its conditions resolved against the catalogue."""
        path, rid = rule.file, rule.id
        cite = rule.citation
        cite_pos = raw.where("citation")
        if cite.source in NOT_CITABLE:
            self.report(path, cite_pos, rid, f"citation source {cite.source.value!r} is not a guideline")
        if cite.source in PAGE_CITED and not cite.pages:
            self.report(path, cite_pos, rid, f"{cite.source.value} is cited by page: add `pages`")
        if rule.in_force.to is not None and rule.in_force.to < rule.in_force.from_:
            self.report(path, raw.where("in_force"), rid, "in_force: `to` is before `from`")
        self.check_applies_to(rule, raw)
        when = self.resolve(rule.when, path, rid, raw.where("when") if "when" in raw else position(raw))
        for name in ("because", "to_change"):
            text = getattr(rule, name)
            if text:
                for placeholder in template_facts(text):
                    if placeholder not in self.catalogue:
                        self.report(path, raw.where(name), rid,
                                    f"{name}: {{{placeholder}}} is not a declared fact"
                                    f"{self.catalogue.suggest(placeholder)}")
        if rule.effect is Effect.upheld and not rule.to_change:
            self.report(path, position(raw), rid,
                        "an upheld rule needs `to_change`: what would get the item approved")
        if rule.id in rule.exception_to:
            self.report(path, raw.where("exception_to"), rid, "a rule cannot be an exception to itself")
        self.check_tests(rule, raw)
        return rule.model_copy(update={"when": when})

    def check_applies_to(self, rule: Rule, raw: LineDict) -> None:
        applies = rule.applies_to
        where = raw.where("applies_to") if "applies_to" in raw else position(raw)
        kinds = {k.value for k in ItemKind}
        for kind in applies.kind:
            if kind not in kinds:
                self.report(rule.file, where, rule.id, f"applies_to.kind: {kind!r} is not an item kind "
                            f"({', '.join(sorted(kinds))})")
        for topic in applies.topic:
            if topic not in self.topics:
                self.report(rule.file, where, rule.id, f"applies_to.topic: unknown topic {topic!r}")
        for name, fact in APPLIES_FACTS.items():
            if getattr(applies, name) and fact not in self.catalogue:
                self.report(rule.file, where, rule.id,
                            f"applies_to.{name} needs the fact {fact!r} in the catalogue")
        spec = self.catalogue.get("item.body_parts")
        if spec is not None and spec.values:
            for part in applies.body_parts:
                if part.casefold() not in {v.casefold() for v in spec.values}:
                    self.report(rule.file, where, rule.id, f"applies_to.body_parts: {part!r} is not allowed; "
                                f"allowed values: {', '.join(spec.values)}")

    def resolve(self, cond: Condition, path: str, rid: str, pos: tuple[int, int]) -> Any:
        """Check each test against the catalogue and give its value the fact's type."""
        if isinstance(cond, Leaf):
            return self.resolve_leaf(cond, path, rid, pos)
        if isinstance(cond, NotOf):
            return replace(cond, item=self.resolve(cond.item, path, rid, (cond.line, cond.column) or pos))
        here = (cond.line, cond.column) if cond.line else pos
        from imr_rules.compiler import MAX_OPERANDS

        if len(cond.items) > MAX_OPERANDS:
            word = "all" if isinstance(cond, AllOf) else "any"
            self.report(path, here, rid, f"'{word}' has {len(cond.items)} conditions; durable-rules allows "
                        f"{MAX_OPERANDS} in one $and/$or: split it")
        return replace(cond, items=tuple(self.resolve(c, path, rid, here) for c in cond.items))

    def resolve_leaf(self, leaf: Leaf, path: str, rid: str, pos: tuple[int, int]) -> Leaf:
        where = (leaf.line, leaf.column) if leaf.line else pos
        spec = self.catalogue.get(leaf.fact)
        if spec is None:
            self.report(path, where, rid, f"undeclared fact {leaf.fact!r}{self.catalogue.suggest(leaf.fact)} "
                        f"in {leaf.text!r}; declare it in {CATALOGUE_FILE}")
            return leaf
        problem, value = _check_leaf(leaf, spec)
        if problem:
            self.report(path, where, rid, f"{problem} in {leaf.text or leaf.render()!r}")
            return leaf
        return replace(leaf, value=value, ftype=spec.type)

    def check_tests(self, rule: Rule, raw: LineDict) -> None:
        raw_tests = raw.get("tests")
        for i, test in enumerate(rule.tests):
            raw_test = raw_tests[i] if isinstance(raw_tests, list) and i < len(raw_tests) else None
            where = (test._line, test._column)
            label = f"test {test.name!r}"
            if isinstance(test.item, dict):
                fields = {"text": f"rule test: {test.name}", "topic": rule.topic, **test.item}
                try:
                    RequestedItem.model_validate(fields)
                except ValidationError as err:
                    item_node = raw_test.get("item") if isinstance(raw_test, LineDict) else None
                    for problem, pos in _pydantic_problems(err, item_node, RequestedItem):
                        self.report(rule.file, pos if pos[0] else where, rule.id, f"{label}: item: {problem}")
            for name, value in test.facts.items():
                pos = where
                if isinstance(raw_test, LineDict) and isinstance(raw_test.get("facts"), LineDict):
                    pos = raw_test["facts"].where(name)
                spec = self.catalogue.get(name)
                if spec is None:
                    self.report(rule.file, pos, rule.id, f"{label}: undeclared fact {name!r}"
                                f"{self.catalogue.suggest(name)}")
                elif spec.is_item or name == AS_OF:
                    self.report(rule.file, pos, rule.id,
                                f"{label}: {name!r} comes from the item or the test's as_of, not from facts")
                else:
                    try:
                        self.catalogue.validate_value(name, value)
                    except InputError as err:
                        self.report(rule.file, pos, rule.id, f"{label}: {err.problem}")

    # ---- across rules

    def check_topic(self, topic: str, rules: list[Rule]) -> None:
        ids = {r.id for r in rules}
        by_id: dict[str, list[Rule]] = defaultdict(list)
        for rule in rules:
            by_id[rule.id].append(rule)
        for versions in by_id.values():
            versions.sort(key=lambda r: r.in_force.from_)
            for i, a in enumerate(versions):
                for b in versions[i + 1:]:
                    if a.in_force.from_ == b.in_force.from_ and a.in_force.to == b.in_force.to:
                        self.report(b.file, b.pos, b.id, f"duplicate rule id (also at {a.file}:{a.line})")
                    elif a.in_force.overlaps(b.in_force):
                        self.report(b.file, b.where("in_force"), b.id,
                                    f"overlapping in_force: {b.in_force.render()} overlaps the version at "
                                    f"{a.file}:{a.line} ({a.in_force.render()})")
        for rule in rules:
            for target in rule.exception_to:
                if target not in ids:
                    self.report(rule.file, rule.where("exception_to"), rule.id,
                                f"exception_to: no rule {target!r} in topic {topic!r}")
                    continue
                for general in by_id[target]:
                    if general.citation.is_mtus and not rule.citation.is_mtus:
                        self.report(rule.file, rule.where("exception_to"), rule.id,
                                    f"exception_to: a non-MTUS rule cannot override the MTUS rule {target!r} "
                                    "(8 CCR 9792.21.1: MTUS first)")
                        break
            for test in rule.tests:
                for listed in (*test.expect.fired, *test.expect.not_fired):
                    if listed not in ids:
                        self.report(rule.file, (test._line, test._column), rule.id,
                                    f"test {test.name!r}: expects rule {listed!r}, "
                                    f"which is not in topic {topic!r}")
        self.check_cycles(rules)
        self.check_coverage(rules)

    def check_cycles(self, rules: list[Rule]) -> None:
        graph: dict[str, set[str]] = defaultdict(set)
        first: dict[str, Rule] = {}
        for rule in rules:
            graph[rule.id].update(rule.exception_to)
            first.setdefault(rule.id, rule)
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    chain = [*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt]
                    loop = " -> ".join(chain)
                    rule = first[node]
                    self.report(rule.file, rule.pos, rule.id, f"exception_to forms a cycle: {loop}")
                elif state.get(nxt) is None and nxt in graph:
                    visit(nxt, [*trail, nxt])
            state[node] = 2

        for node in sorted(graph):
            if state.get(node) is None:
                visit(node, [node])

    def check_coverage(self, rules: list[Rule]) -> None:
        """Every rule version needs a test where it fires and decides its effect, and (if it has
        conditions) a test where it does not fire, each dated within its in_force."""
        tests = [(test, owner) for owner in rules for test in owner.tests]
        for rule in rules:
            dated = [t for t, owner in tests if rule.in_force.covers(test_date(t, owner))]
            fires = any(rule.id in t.expect.fired and t.expect.outcome == rule.effect.decision for t in dated)
            quiet = any(rule.id in t.expect.not_fired for t in dated)
            if not fires:
                self.report(rule.file, rule.pos, rule.id,
                            f"no test where the rule fires and the outcome is {rule.effect.decision.value} "
                            f"(dated within {rule.in_force.render()}): add one with "
                            f"expect: {{outcome: {rule.effect.decision.value}, fired: [{rule.id}]}}")
            if rule.when.items and not quiet:
                self.report(rule.file, rule.pos, rule.id,
                            f"no test where the rule does not fire (dated within {rule.in_force.render()}): "
                            f"add one with expect: {{not_fired: [{rule.id}]}}")

    def check_limits(self, topic: str, rules: list[Rule], where: tuple[str, tuple[int, int]]) -> None:
        from imr_rules.compiler import compile_topic, ruleset_problems

        try:
            compiled = compile_topic(topic, rules, self.catalogue)
        except (KeyError, ValueError) as err:  # only when an earlier problem was reported
            self.report(where[0], where[1], None, f"cannot compile topic {topic!r}: {err}")
            return
        for rule_key, problem in ruleset_problems(compiled):
            rule = compiled.rules.get(rule_key) if rule_key else None
            if rule is not None:
                self.report(rule.file, rule.pos, rule.id, problem)
            else:
                self.report(where[0], where[1], None, problem)


def test_date(test: RuleTest, owner: Rule) -> date:
    """The date a rule test is evaluated as of: its own, else its rule's first day in force."""
    return test.as_of or owner.in_force.from_


_ALLOWED_OPS: dict[FactType, tuple[str, ...]] = {
    FactType.bool: ("==", "!=", "present", "absent"),
    FactType.tristate: ("==", "!=", "in", "documented", "not_documented", "documented_false"),
    FactType.number: (*COMPARE_OPS, "in", "present", "absent"),
    FactType.date: (*COMPARE_OPS, "in", "present", "absent"),
    FactType.enum: ("==", "!=", "in", "present", "absent"),
    FactType.text: ("==", "!=", "in", "present", "absent"),
    FactType.flags: ("contains", "present", "absent"),
}


def _check_leaf(leaf: Leaf, spec: Any) -> tuple[str | None, Any]:
    """(problem, typed value): does the operator suit the fact's type, and the value the fact?"""
    from imr_rules.compiler import MAX_OPERANDS

    allowed = _ALLOWED_OPS[spec.type]
    if leaf.op not in allowed:
        return (f"operator {leaf.op!r} does not apply to {spec.type.value} fact {leaf.fact!r} "
                f"(use {', '.join(allowed)})"), None
    if leaf.op in UNARY_OPS:
        return None, None
    values = leaf.value if leaf.op == "in" else (leaf.value,)
    assert isinstance(values, tuple)
    if leaf.op == "in" and len(values) > MAX_OPERANDS:
        return f"'in' lists {len(values)} values; durable-rules allows {MAX_OPERANDS} in one $or", None
    typed = []
    for value in values:
        problem, out = _typed_value(spec, value)
        if problem:
            return problem, None
        typed.append(out)
    return None, tuple(typed) if leaf.op == "in" else typed[0]


def _typed_value(spec: Any, value: Any) -> tuple[str | None, Any]:
    kind = spec.type
    name = spec.name
    if kind == FactType.bool:
        if isinstance(value, bool):
            return None, value
        return f"{name!r} is a bool: compare with true or false", None
    if kind == FactType.tristate:
        if value in TRISTATE_VALUES:
            return None, value
        return f"{name!r} is a tristate: its values are {', '.join(TRISTATE_VALUES)}", None
    if kind == FactType.number:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name!r} is a number ({spec.unit}): compare with a number, not {value!r}", None
        if value != 0 and not (NUMBER_RANGE[0] <= abs(value) <= NUMBER_RANGE[1]):
            return (f"{value!r} is out of range: numbers in rules are 0 or between {NUMBER_RANGE[0]:g} "
                    f"and {NUMBER_RANGE[1]:g} in size"), None
        return None, float(value)
    if kind == FactType.date:
        if not isinstance(value, date):
            return f"{name!r} is a date: compare with an ISO date such as 2016-07-29, not {value!r}", None
        return None, value
    if not isinstance(value, str):
        return f"{name!r} is {kind.value}: compare with a word or a quoted string, not {value!r}", None
    if spec.values and value.casefold() not in {v.casefold() for v in spec.values}:
        return f"{value!r} is not a value of {name!r}; allowed values: {', '.join(spec.values)}", None
    return None, value.casefold()


def _suggest(name: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _pydantic_problems(
    err: ValidationError, raw: Any, model: type[BaseModel]
) -> list[tuple[str, tuple[int, int]]]:
    """Each validation error as (one-line problem, position in the YAML)."""
    out = []
    for error in err.errors():
        loc = error.get("loc", ())
        inner = error.get("ctx", {}).get("error")
        if isinstance(inner, ConditionError):
            pos = (inner.line, inner.column) if inner.line else _locate(raw, loc)
            out.append((f"when: {inner.problem}", pos))
            continue
        pos = _locate(raw, loc)
        dotted = ".".join(str(p) for p in loc if not _is_union_tag(p))
        kind = error.get("type")
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            parent = ".".join(str(p) for p in loc[:-1] if not _is_union_tag(p))
            fields = _fields_at(model, loc[:-1])
            hint = _suggest(key, fields) if fields else ""
            out.append((f"unknown key {key!r}{' in ' + parent if parent else ''}{hint}", pos))
        elif kind == "missing":
            label = "missing citation" if dotted == "citation" else f"missing required key {dotted!r}"
            out.append((label, pos))
        else:
            out.append((f"{dotted}: {error['msg']}", pos))
    return out


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("str", "dict[str,any]", "list", "int", "date"))


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names of the (sub)model at `loc`, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or _is_union_tag(part):
            continue
        is_model = isinstance(current, type) and issubclass(current, BaseModel)
        info = current.model_fields.get(part) if is_model else None
        if info is None:
            return []
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return []
        current = candidates[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _locate(raw: Any, loc: tuple) -> tuple[int, int]:
    node = raw
    pos = position(raw)
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            pos = node.where(part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            pos = node.where(part)
            node = node[part]
    return pos


# ---------------------------------------------------------------- entry points


class LintResult(Model):
    """What lint found, and the rulebook when there was nothing to find."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    files: list[str]
    diagnostics: list[Diagnostic]
    rulebook: Rulebook | None = None

    @property
    def ok(self) -> bool:
        return not self.diagnostics


def lint_rulebook(path: str | Path | None = None) -> LintResult:
    """Check every rule file at `path` (default: the bundled rulebook); never raises on bad rules."""
    files = rule_files(path)
    try:
        catalogue = load_catalogue(_support_file(path, CATALOGUE_FILE))
        topics = read_topic_keys(_support_file(path, TOPICS_FILE))
    except InputError as err:
        diag = Diagnostic(path=err.path or "", line=err.line or 0, column=err.column or 0,
                          problem=err.problem)
        return LintResult(files=[str(f) for f in files], diagnostics=[diag])
    linter = _Linter(catalogue, topics)
    if not files:
        linter.report(str(path or rules_dir()), (0, 0), None, "no rule files found")
    by_topic: dict[str, list[Rule]] = defaultdict(list)
    topic_files: dict[str, tuple[str, tuple[int, int]]] = {}
    seen_ids: dict[str, Rule] = {}
    for file in files:
        topic, rules, topic_pos = linter.read_file(file)
        if topic is not None:
            if topic in topic_files:
                other = topic_files[topic]
                linter.report(str(file), topic_pos, None,
                              f"topic {topic!r} already has a rule file ({other[0]}); one file per topic")
            else:
                topic_files[topic] = (str(file), topic_pos)
        for rule, raw in rules:
            checked = linter.check_rule(rule, raw)
            checked._file, checked._line, checked._column = rule._file, rule._line, rule._column
            checked._keys = rule._keys
            for a, b in zip(checked.tests, rule.tests, strict=True):
                a._line, a._column = b._line, b._column
            other = seen_ids.get(checked.id)
            if other is not None and other.topic != checked.topic:
                linter.report(checked.file, checked.pos, checked.id,
                              f"duplicate rule id: also used in topic {other.topic!r} "
                              f"at {other.file}:{other.line}")
            seen_ids.setdefault(checked.id, checked)
            if topic is not None:
                by_topic[topic].append(checked)
    for topic, rules in sorted(by_topic.items()):
        linter.check_topic(topic, rules)
    if not linter.diagnostics:
        for topic, rules in sorted(by_topic.items()):
            linter.check_limits(topic, rules, topic_files[topic])
    diagnostics = sorted(set(linter.diagnostics), key=lambda d: (d.path, d.line, d.column, d.problem))
    rulebook = None
    if not diagnostics:
        every = [r for rs in by_topic.values() for r in rs]
        rulebook = Rulebook(every, catalogue, topics, [str(f) for f in files])
    return LintResult(files=[str(f) for f in files], diagnostics=diagnostics, rulebook=rulebook)


def rule_from_data(data: dict[str, Any], topic: str, catalogue: Catalogue | None = None) -> Rule:
    """A rule made in code (tools, tests), checked like a rule from a file except for its tests
    and its place in a topic; the first problem is an InputError."""
    catalogue = catalogue or load_catalogue()
    linter = _Linter(catalogue, {topic: topic})
    try:
        rule = Rule.model_validate({**data, "topic": topic})
    except ValidationError as err:
        problem, _ = _pydantic_problems(err, data, Rule)[0]
        raise InputError(f"{data.get('id')}: {problem}") from None
    rule._file = "<code>"
    checked = linter.check_rule(rule, LineDict(data))
    if linter.diagnostics:
        first = linter.diagnostics[0]
        raise InputError(f"{first.rule_id}: {first.problem}")
    return checked


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """The checked rulebook at `path` (default: bundled); a RulebookError lists every problem.

    The bundled rulebook (`path` None) comes from the cache of checked rulebooks
    (`imr_rules.cache`) when nothing it was built from has changed: every file of the
    rules folder, and the source of the modules that read, check and compile it (the
    durable-rules rulesets are cached with it). `lint_rulebook` never uses the cache."""
    if path is not None:
        return _checked_rulebook(path)
    from imr_rules import cache

    found = cache.cached("rulebook", _rulebook_key, _bundled_rulebook, lambda _: True)
    found.catalogue = adopt_catalogue(found.catalogue)
    return found


def _checked_rulebook(path: str | Path | None = None) -> Rulebook:
    result = lint_rulebook(path)
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
        results,
        templates,
        yamlio,
    )

    root = rules_dir()
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    modules = [sys.modules[__name__], conditions, templates, catalogue, compiler, yamlio, facts, items,
               letters, results]
    return cache.digest(files, modules, extra=[f"rulebook {root.resolve()}"])
