"""From case facts and requested items to one Prediction per item.

An engine answers one question: which rule versions of a topic fire for these fact
values. Two engines answer it, and must agree:

- `DurableEngine` (the default) runs the compiled rulesets in durable-rules: each
  item is asserted as a fact and retracted again on a small pool of reused session
  ids (never `delete_state`, which crashed here; a new session id per case would
  hit the ~1,024 sessions durable-rules holds per ruleset). A fact no rule matches
  is "not handled" (MessageNotHandledException in durable.engine): no rule fired.
- `ReferenceEngine` evaluates the same rules in plain Python (`predicate`).

Everything else is shared and plain Python: which fired rule decides, why, which
rules did not fire and what they lacked.

**Precedence** among the rules that fired for an item (`deciding_rule`):

1. a rule named in the `exception_to` of another fired rule is overridden: a
   specific exception beats the general prohibition it names;
2. of the rest, an MTUS rule beats any other guideline (8 CCR 9792.21.1: MTUS
   first, other evidence-based guidelines only where MTUS is silent);
3. then the higher `priority`;
4. then Upheld before Overturned (an unresolved tie stands with UR's denial,
   which IMR reviews for a reason to reverse), then the rule id.

A rule out of force never fires (its dates are part of its condition), so an
in-force rule always beats an expired one. No rule fired: the outcome is None,
never a silent default. Same input, same output: everything is sorted.

**Failure isolation.** An exception inside durable-rules restarts its host and
tries the item once more; if it fails again the item's Prediction carries the
error and the batch goes on. `IsolatedEngine` runs any engine in a child
process, so that even a crash of the C core costs one item, not the batch.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from imr_rules.catalogue import AS_OF, FactType, normalize
from imr_rules.compiler import CompiledRuleset, compile_rulebook, rule_facts
from imr_rules.conditions import AllOf, AnyOf, Condition, Leaf, NotOf, leaves, render_text
from imr_rules.facts import CaseFacts, Evidence, FactValue, Tristate
from imr_rules.items import RequestedItem
from imr_rules.letters import Decision
from imr_rules.model import Model
from imr_rules.results import GuidelineRef, ItemResult, RuleHit
from imr_rules.rulebook import Effect, Rule, Rulebook, load_rulebook
from imr_rules.templates import Template, template_facts, template_pieces

DEFAULT_SESSIONS = 4
HANDLED, NOT_HANDLED, OBSERVED, DEFERRED = 0, 1, 2, 3  # result codes of durable-rules' assert and retract
MAX_SESSIONS = 256  # fresh session ids allowed before the host is rebuilt (durable-rules holds ~1,024)


class EngineError(Exception):
    """An engine could not evaluate an item (the item gets the error; the batch goes on)."""


class Engine(Protocol):
    """Which rule versions (`Rule.key`) of `topic` fire for the fact values in `env`."""

    name: str
    rulebook: Rulebook

    def fire(self, topic: str, env: Mapping[str, Any]) -> frozenset[str]: ...


# ---------------------------------------------------------------- prediction models


class RuleRef(Model):
    id: str
    title: str
    effect: Decision
    citation: GuidelineRef
    in_force_from: date
    in_force_to: date | None = None


class UsedFact(Model):
    """A fact a rule read: its value (None: not documented) and where it was read."""

    name: str
    value: Any = None
    evidence: list[Evidence] = Field(default_factory=list)


class FiredRule(RuleRef):
    because: str
    facts: list[UsedFact] = Field(default_factory=list)
    overridden_by: str | None = Field(None, description="The exception rule that overrode this one")


class FailedCondition(Model):
    model_config = ConfigDict(frozen=True)

    condition: str = Field(description="The condition as written")
    needs: str = Field(description="What it asks of the record, in words")


class NearMiss(RuleRef):
    """A rule of the item's topic, in force and applying to the item, that did not fire, and why."""

    model_config = ConfigDict(frozen=True)

    failed: list[FailedCondition] = Field(default_factory=list)
    to_change: str | None = None


class Prediction(Model):
    """The predicted IMR decision on one requested item, with its reasons."""

    # built when first validated or dumped: `check` makes predictions with `build` and shows them
    # through its own view models, so it never needs this one's (some 3 ms of its start-up)
    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="Position of the item in the request, from 0")
    item: RequestedItem
    topic: str | None
    as_of: date
    engine: str
    outcome: Decision | None = Field(description="None when no rule applies: never a silent default")
    deciding_rule: str | None = None
    citation: GuidelineRef | None = None
    because: str | None = None
    fired: list[FiredRule] = Field(
        default_factory=list, description="Deciding rule first, then by precedence"
    )
    near_misses: list[NearMiss] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="For Upheld: what to document for approval")
    error: str | None = Field(None, description="Why the item could not be evaluated")

    def to_item_result(self) -> ItemResult:
        """The item in the corpus tools' terms."""
        evidence = []
        for rule in self.fired[:1]:
            for used in rule.facts:
                evidence.extend(used.evidence)
        return ItemResult(
            index=self.index,
            item=self.item.text,
            predicted=self.outcome,
            topic=self.topic,
            rules=[RuleHit(id=r.id, effect=r.effect) for r in self.fired],
            deciding_rule=self.deciding_rule,
            citation=self.citation,
            missing=list(self.missing),
            evidence=evidence,
        )


def build(cls: type[BaseModel], **values: Any) -> Any:
    """A model from values we made ourselves, every field given: `model_construct` without its
    per-field bookkeeping, which was a quarter of the time of a prediction. (A test checks that the
    result equals the validated model.)"""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_set = object.__setattr__


def _json_writer() -> Callable[[Any], str]:
    """json.dumps(obj, ensure_ascii=False), the same text, without making an encoder per call: the
    C encoder of `json` made once (no circular check: messages are flat)."""
    from json import encoder as std

    plain = json.JSONEncoder(ensure_ascii=False)
    make = getattr(std, "c_make_encoder", None)
    if make is None:
        return plain.encode
    chunks = make(None, plain.default, std.encode_basestring, None, plain.key_separator,
                  plain.item_separator, False, False, True)
    return lambda obj: "".join(chunks(obj, 0))


_to_json = _json_writer()


# ---------------------------------------------------------------- fact values


_FOLD_TEXT, _FOLD_FLAGS = 1, 2  # how a value is compared: case-folded text, case-folded members


def _compare_form(fold: int, value: Any) -> Any:
    if value is None or not fold:
        return value
    if fold == _FOLD_TEXT:
        return value.casefold()
    return frozenset(v.casefold() for v in value)


class RuleView:
    """What explaining a rule version needs, worked out once per rulebook."""

    __slots__ = ("rule", "key", "ref", "citation", "applies", "parts", "tests", "used", "is_upheld", "rank",
                 "because", "to_change", "exception_to", "static", "misses")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.key = rule.key
        self.exception_to = tuple(rule.exception_to)
        self.citation = rule.citation.guideline_ref()
        self.ref = {
            "id": rule.id, "title": rule.title, "effect": rule.effect.decision, "citation": self.citation,
            "in_force_from": rule.in_force.from_, "in_force_to": rule.in_force.to,
        }
        selector = rule.item_selector()
        self.applies: Predicate | None = predicate(selector) if selector.items else None  # None: every item
        self.parts = [(part, predicate(part)) for part in _conjuncts(rule.when)]
        self.tests = [test for _, test in self.parts]
        read = [leaf.fact for leaf in leaves(rule.when)] + template_facts(rule.because)
        self.used = list(dict.fromkeys(read))
        self.is_upheld = rule.effect is Effect.upheld
        self.rank = precedence(rule)
        self.because = _template(rule.because)
        self.to_change = _template(rule.to_change) if rule.to_change else None
        self.static = not isinstance(self.to_change, tuple)  # its near misses name no fact value
        self.misses: dict[tuple[int, ...], NearMiss] = {}  # failed parts -> near miss, when static


def _template(text: str) -> str | Template:
    """A template with no fact in it is just its text."""
    pieces = template_pieces(text)
    return "".join(pieces) if all(isinstance(p, str) for p in pieces) else pieces  # type: ignore[arg-type]


def _fill(template: str | Template, words: Mapping[str, str]) -> str:
    """`fill_pieces`, inlined: a slot is a 1-tuple naming a fact."""
    if isinstance(template, str):
        return template
    return "".join([p if isinstance(p, str) else words.get(p[0], "not documented") for p in template])


def _conjuncts(cond: Condition) -> list[Condition]:
    """The parts of nested `all`s, in order: each one can fail on its own."""
    if isinstance(cond, AllOf):
        return [part for c in cond.items for part in _conjuncts(c)]
    return [cond]


class _PerTopic(dict):
    """A topic's entry of a Book, worked out when first asked for."""

    def __init__(self, fill: Callable[[str], None]) -> None:
        super().__init__()
        self._fill = fill

    def __missing__(self, topic: str) -> Any:
        self._fill(topic)
        return self[topic]


class _Views(dict):
    """Rule version key -> RuleView, worked out with the rest of its topic when first asked for."""

    def __init__(self, book: Book) -> None:
        super().__init__()
        self._book = book

    def __missing__(self, key: str) -> RuleView:
        rule = self._book.rulebook.by_key[key]
        self._book._fill(rule.topic or "")
        return self[key]


class Book:
    """A rulebook made ready for evaluation: per topic the facts its rules read (how to read each),
    per rule version its view, and the words for each condition.

    Each topic is worked out when an item of it first comes: a check of one case needs a
    topic or two of the forty, and working them all out took some 40 ms."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.topics = frozenset(rulebook.topic_names())
        self.facts: dict[str, list[tuple[str, Any, int, str]]] = _PerTopic(self._fill)
        self.views: dict[str, RuleView] = _Views(self)
        self.order: dict[str, list[RuleView]] = _PerTopic(self._fill)  # approval paths first
        self._failed: dict[int, tuple[Condition, FailedCondition]] = {}
        self._in_force: dict[tuple[str, date], list[RuleView]] = {}

    def _fill(self, topic: str) -> None:
        """Work out one topic: the readers of the facts its rules read, its views and their order."""
        if topic not in self.topics:
            raise KeyError(topic)
        rules = self.rulebook.topic_rules(topic)
        catalogue = self.rulebook.catalogue
        names: dict[str, None] = {}
        for rule in rules:
            names.update(dict.fromkeys(rule_facts(rule)))
        readers = []
        for name in names:
            spec = catalogue.spec(name)
            how = ("as_of" if name == AS_OF else "topic" if name == "item.topic"
                   else "item" if spec.is_item else "case")
            fold = (_FOLD_TEXT if spec.type in (FactType.text, FactType.enum)
                    else _FOLD_FLAGS if spec.type == FactType.flags else 0)
            readers.append((name, spec, fold, how))
        views = [RuleView(rule) for rule in rules]
        for view in views:
            self.views[view.key] = view
        # approval paths first: they are what a requester can act on
        self.order[topic] = sorted(views, key=lambda v: (v.is_upheld, v.rule.id))
        self.facts[topic] = readers

    def in_force(self, topic: str, day: date) -> list[RuleView]:
        """The topic's rule versions in force on `day`, in near-miss order."""
        key = (topic, day)
        found = self._in_force.get(key)
        if found is None:
            if len(self._in_force) > 4096:
                self._in_force.clear()
            found = self._in_force[key] = [v for v in self.order[topic] if v.rule.in_force.covers(day)]
        return found

    def near_miss(self, view: RuleView, failed: tuple[int, ...], words: Mapping[str, str]) -> NearMiss:
        """The near miss of a rule whose parts `failed` (by index) did not hold; shared between
        predictions when nothing in it depends on the case (frozen, so no one changes it)."""
        found = view.misses.get(failed) if view.static else None
        if found is None:
            found = build(NearMiss, **view.ref, failed=[self.failed(view.parts[i][0]) for i in failed],
                          to_change=_fill(view.to_change, words) if view.to_change else None)
            if view.static and len(view.misses) < 256:
                view.misses[failed] = found
        return found

    def failed(self, cond: Condition) -> FailedCondition:
        """A condition as written and in words; made once per condition (they do not change)."""
        found = self._failed.get(id(cond))
        if found is None or found[0] is not cond:
            words = FailedCondition(condition=render_text(cond), needs=describe(cond, self.rulebook))
            found = self._failed[id(cond)] = (cond, words)
        return found[1]


_books: dict[int, Book] = {}


def book_for(rulebook: Rulebook) -> Book:
    """The evaluation-ready form of a rulebook, built once."""
    found = _books.get(id(rulebook))
    if found is None or found.rulebook is not rulebook:
        found = _books[id(rulebook)] = Book(rulebook)
    return found


def environment(
    book: Book, topic: str, item: RequestedItem, facts: Mapping[str, FactValue], as_of: date,
    shared: dict[str, tuple[FactValue, Any, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values to compare, values to show) for the facts the topic's rules read.

    `shared` keeps the values already checked for other items of the same case (the
    case's common facts are the same objects for every item). A value of the wrong
    type is an InputError naming the fact and what it allows.
    """
    env: dict[str, Any] = {}
    shown: dict[str, Any] = {}
    shared = {} if shared is None else shared
    for name, spec, kind, how in book.facts[topic]:
        if how == "case":
            found = facts.get(name)
            if found is None:
                shown[name] = env[name] = None
                continue
            known = shared.get(name)
            if known is None or known[0] is not found:
                value = normalize(spec, found.value)
                known = shared[name] = (found, value, _compare_form(kind, value))
            shown[name] = known[1]
            env[name] = known[2]
            continue
        if how == "item":
            raw = getattr(item, spec.item_field, None)
            if isinstance(raw, StrEnum):
                raw = raw.value
            value = normalize(spec, raw) if raw not in ("", []) else None
        elif how == "as_of":
            value = as_of
        else:
            value = topic
        shown[name] = value
        env[name] = _compare_form(kind, value)
    return env, shown


# ---------------------------------------------------------------- the meaning of a condition


Predicate = Callable[[Mapping[str, Any]], bool]


def predicate(cond: Condition) -> Predicate:
    """The plain-Python meaning of a condition, as nested closures made once (no text is evaluated).

    A comparison needs the fact to have a value (absent: false); `present` / `absent`
    test for the value; a tristate with no value is not_documented; `not` is plain
    negation.
    """
    if isinstance(cond, Leaf):
        return _leaf_predicate(cond)
    if isinstance(cond, NotOf):
        inner = predicate(cond.item)
        return lambda env: not inner(env)
    parts = tuple(predicate(c) for c in cond.items)
    if isinstance(cond, AllOf):
        def every(env: Mapping[str, Any]) -> bool:
            for part in parts:
                if not part(env):
                    return False
            return True

        return every

    def some(env: Mapping[str, Any]) -> bool:
        for part in parts:
            if part(env):
                return True
        return False

    return some


def _leaf_predicate(leaf: Leaf) -> Predicate:
    fact, op, target = leaf.fact, leaf.op, leaf.value
    if leaf.ftype == FactType.tristate:
        missing = Tristate.not_documented.value
        if op in ("documented", "not_documented", "documented_false"):
            return lambda env: (env.get(fact) or missing) == op
        if op == "in":
            return lambda env: (env.get(fact) or missing) in target  # type: ignore[operator]
        if op == "==":
            return lambda env: (env.get(fact) or missing) == target
        return lambda env: (env.get(fact) or missing) != target
    if op == "present":
        return lambda env: env.get(fact) is not None
    if op == "absent":
        return lambda env: env.get(fact) is None
    # one closure per operator (not a shared one calling operator.*): these run most
    if op == "==":
        return lambda env: (v := env.get(fact)) is not None and v == target
    if op == "!=":
        return lambda env: (v := env.get(fact)) is not None and v != target
    if op == "<":
        return lambda env: (v := env.get(fact)) is not None and v < target
    if op == "<=":
        return lambda env: (v := env.get(fact)) is not None and v <= target
    if op == ">":
        return lambda env: (v := env.get(fact)) is not None and v > target
    if op == ">=":
        return lambda env: (v := env.get(fact)) is not None and v >= target
    if op == "in":
        return lambda env: (v := env.get(fact)) is not None and v in target  # type: ignore[operator]
    return lambda env: (v := env.get(fact)) is not None and target in v  # contains


_COMPARE_WORDS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least", "==": "exactly",
                  "!=": "other than"}
_DATE_WORDS = {"<": "before", "<=": "on or before", ">": "after", ">=": "on or after", "==": "on",
               "!=": "not on"}
_STATE_WORDS = {"documented": "documented", "not_documented": "not documented",
                "documented_false": "documented as absent"}


def format_value(value: Any) -> str:
    """A fact value in words, for explanations."""
    if value is None:
        return "not documented"
    if isinstance(value, str) and value in _STATE_WORDS:
        return _STATE_WORDS[value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _leaf_words(leaf: Leaf, unit: str | None, negate: bool) -> str:
    op, value = leaf.op, leaf.value
    kind = leaf.ftype
    if kind == FactType.tristate:
        if op in _STATE_WORDS:
            words = _STATE_WORDS[op]
        elif op == "in":
            words = "one of " + ", ".join(_STATE_WORDS[v] for v in value)  # type: ignore[union-attr]
        else:
            words = ("" if op == "==" else "not ") + _STATE_WORDS[str(value)]
        return f"not {words}" if negate else words
    if op in ("present", "absent"):
        return "documented" if (op == "present") != negate else "not documented"
    if kind == FactType.bool:
        truth = (value is True) == (op == "==")
        return "yes" if truth != negate else "no"
    if op == "contains":
        return ("does not include " if negate else "includes ") + str(value)
    if op == "in":
        words = "one of " + ", ".join(format_value(v) for v in value)  # type: ignore[union-attr]
    elif kind == FactType.date:
        words = f"{_DATE_WORDS[op]} {format_value(value)}"
    elif kind == FactType.number:
        words = f"{_COMPARE_WORDS[op]} {format_value(value)}{' ' + unit if unit else ''}"
    else:
        words = format_value(value) if op == "==" else f"not {format_value(value)}"
    return f"not {words}" if negate else words


def describe(cond: Condition, rulebook: Rulebook, negate: bool = False) -> str:
    """A condition as what the record must show, from the catalogue's meanings."""
    if isinstance(cond, Leaf):
        spec = rulebook.catalogue.get(cond.fact)
        meaning = spec.meaning if spec else cond.fact
        return f"{meaning}: {_leaf_words(cond, spec.unit if spec else None, negate)}"
    if isinstance(cond, NotOf):
        return describe(cond.item, rulebook, not negate)
    either = isinstance(cond, AnyOf) != negate
    same = {c.fact for c in cond.items if isinstance(c, Leaf) and c.op in ("contains", "==")}
    if len(same) == 1 and all(isinstance(c, Leaf) for c in cond.items):
        first = cond.items[0]
        assert isinstance(first, Leaf)
        spec = rulebook.catalogue.get(first.fact)
        meaning = spec.meaning if spec else first.fact
        values = [format_value(c.value) for c in cond.items if isinstance(c, Leaf)]
        verb = "includes" if first.op == "contains" else "is"
        if negate:
            listed = ", ".join(values)
            words = f"{verb} none of {listed}" if isinstance(cond, AnyOf) else f"not all of {listed}"
        else:
            words = f"{verb} " + ", ".join(values[:-1]) + (" or " if either else " and ") + values[-1]
        return f"{meaning}: {words}"
    parts = [describe(c, rulebook, negate) for c in cond.items]
    return ("one of: " + " | ".join(parts)) if either else "; ".join(parts)


# ---------------------------------------------------------------- engines


class ReferenceEngine:
    """The rules evaluated in plain Python: the yardstick durable-rules is checked against."""

    name = "reference"

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._topics = {
            topic: [(r.key, predicate(AllOf(r.applicability().items + r.when.items))) for r in rules]
            for topic, rules in rulebook.by_topic.items()
        }

    def fire(self, topic: str, env: Mapping[str, Any]) -> frozenset[str]:
        return frozenset(key for key, test in self._topics.get(topic, ()) if test(env))


def _action_for(name: str) -> Callable[[Any], None]:
    def action(c: Any) -> None:  # never called: actions are drained in DurableEngine._drain
        return None

    return action


def _quiet_host_class() -> type:
    from durable import engine as durable_engine

    class QuietHost(durable_engine.Host):
        """A host without the background dispatch threads: we drive it synchronously, and those
        threads would race us for the actions of our own sessions. No timers are used."""

        def _run(self) -> None:
            return None

    return QuietHost


class DurableEngine:
    """The compiled rulesets, run in durable-rules with facts asserted and retracted on reused sessions.

    The rulesets are created from their JSON definitions by `durable.engine` (a Host
    without its background threads). Each item then goes to its topic's ruleset through
    the core calls that `durable.engine.Ruleset` wraps, as one JSON text that serves for
    both the assertion and the retraction: `assert_fact`, then `start_action_for_state` /
    `complete_and_start_action` to take the rules that fired (an action would only note
    its rule's name, so the Host's action machinery, which builds a closure and writes
    the session back for every action, is skipped), then `retract_fact`. Result code 1
    is what `Ruleset` raises MessageNotHandledException for: no rule matched, and the
    fact was not kept. The same rules fire; an item costs a third of the time
    (benchmarks/bench_engine.py).
    """

    name = "durable-rules"

    def __init__(self, rulebook: Rulebook, sessions: int = DEFAULT_SESSIONS) -> None:
        import durable_rules_engine

        self.rulebook = rulebook
        self.compiled: dict[str, CompiledRuleset] = compile_rulebook(rulebook)
        self._core = durable_rules_engine
        self._size = max(1, sessions)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.restarts = 0
        self._start()

    @classmethod
    def from_path(cls, path: str | Path | None = None) -> DurableEngine:
        return cls(load_rulebook(path))

    def _start(self) -> None:
        """A fresh host; each topic's ruleset is created in it when an item of that topic first comes
        (`_handle`): a check of one case needs one or two of the forty, and creating them all took
        some 0.1 s."""
        self._host = _quiet_host_class()()
        self._handles: dict[str, int] = {}
        self._sessions = [f"s{n}" for n in range(self._size)]
        self._fresh = itertools.count(self._size)
        self._turn = 0

    def _restart(self) -> None:
        self.restarts += 1
        self._start()

    def _retire(self, index: int) -> None:
        """A session whose fact could not be retracted is not used again."""
        number = next(self._fresh)
        if number >= MAX_SESSIONS:
            self._restart()
        else:
            self._sessions[index] = f"s{number}"

    def _drain(self, handle: int, state: int) -> set[str]:
        """Take every action queued for the session: the names of the rules that fired."""
        fired: set[str] = set()
        result = self._core.start_action_for_state(handle, state)
        pending = result[1] if result else None
        while pending:
            # {"<rule name>": {...the fact...}}: one action each; rule names are id@date, so the
            # name is read off the text rather than parsing the whole fact back
            end = pending.find('"', 2)
            if pending.startswith('{"') and end > 2:
                fired.add(pending[2:end])
            else:
                fired.update(json.loads(pending))
            pending = self._core.complete_and_start_action(handle, state)
        return fired

    def _handle(self, topic: str) -> int:
        """The core handle of the topic's ruleset in the current host, created on first use."""
        handle = self._handles.get(topic)
        if handle is None:
            self._host.register_rulesets({topic: self.compiled[topic].with_actions(_action_for)})
            handle = self._handles[topic] = self._host.get_ruleset(topic)._handle
        return handle

    def _run(self, topic: str, message: dict[str, Any]) -> frozenset[str]:
        handle = self._handle(topic)
        index = self._turn
        self._turn = (self._turn + 1) % len(self._sessions)
        message["sid"] = self._sessions[index]
        message["id"] = next(self._ids)
        text = _to_json(message)
        code, state = self._core.assert_fact(handle, text)[:2]
        if code == DEFERRED:  # as durable.engine.Ruleset reads it
            state = 0
        if code == NOT_HANDLED:
            return frozenset()  # no rule matched: durable-rules did not keep the fact
        if code == OBSERVED:
            raise EngineError(f"durable-rules had already seen fact {message['id']}")
        fired = self._drain(handle, state)
        try:
            code, state = self._core.retract_fact(handle, text)[:2]
            if code == HANDLED:
                self._drain(handle, state)
        except Exception:  # noqa: BLE001 - the answer stands; the session is spoiled
            self._retire(index)
        return frozenset(fired)

    def fire(self, topic: str, env: Mapping[str, Any]) -> frozenset[str]:
        compiled = self.compiled.get(topic)
        if compiled is None:
            return frozenset()
        with self._lock:
            try:
                return self._run(topic, compiled.encoding.encode(env))
            except Exception:  # noqa: BLE001 - one more try on a fresh host
                self._restart()
            try:
                return self._run(topic, compiled.encoding.encode(env))
            except Exception as err:  # noqa: BLE001
                self._restart()
                raise EngineError(
                    f"durable-rules failed on topic {topic!r}: {err.__class__.__name__}: {err}"
                ) from None


def _serve(conn: Any, factory: Callable[[], Engine]) -> None:
    """The child side of IsolatedEngine: answer fire() requests until told to stop."""
    engine = factory()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            conn.send(("ok", sorted(engine.fire(*request))))
        except Exception as err:  # noqa: BLE001 - reported to the parent, per item
            conn.send(("error", f"{err.__class__.__name__}: {err}"))


def durable_engine_for(path: str | None = None) -> Engine:
    """A DurableEngine on the rulebook at `path` (a picklable factory for IsolatedEngine)."""
    return DurableEngine.from_path(path)


class IsolatedEngine:
    """Any engine, run in a child process: if the child dies, that item fails and a new child starts."""

    def __init__(self, rulebook: Rulebook, factory: Callable[[], Engine],
                 name: str = "durable-rules (isolated)", timeout: float = 60.0) -> None:
        self.rulebook = rulebook
        self.name = name
        self.timeout = timeout
        self.restarts = 0
        self._factory = factory
        import multiprocessing  # here: a check in process never needs it

        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child, self._factory), daemon=True)
        self._process.start()
        child.close()
        self._conn = parent

    def close(self) -> int | None:
        """Stop the child; its exit code."""
        if self._process is None:
            return None
        try:
            self._conn.send(None)
        except (OSError, ValueError):
            pass
        self._process.join(5)
        return self._reap()

    def _reap(self) -> int | None:
        """Kill the process if it still runs, wait for it and let it go; its exit code."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        code = self._process.exitcode
        self._conn.close()
        self._process = self._conn = None
        return code

    def fire(self, topic: str, env: Mapping[str, Any]) -> frozenset[str]:
        if self._process is None:
            self._start()
        try:
            self._conn.send((topic, dict(env)))
            if not self._conn.poll(self.timeout):
                raise TimeoutError(f"no answer in {self.timeout:g} s")
            status, payload = self._conn.recv()
        except (EOFError, OSError, TimeoutError) as err:
            code = self._reap()
            self.restarts += 1
            raise EngineError(f"engine process died (exit code {code}): {err.__class__.__name__}") from None
        if status != "ok":
            raise EngineError(payload)
        return frozenset(payload)


@cache
def _default_engine() -> DurableEngine:
    return DurableEngine.from_path(None)


def default_engine() -> Engine:
    """The durable-rules engine on the bundled rulebook, built once."""
    return _default_engine()


# ---------------------------------------------------------------- deciding and explaining


def precedence(rule: Rule) -> tuple:
    """Sort key: MTUS first, then higher priority, then Upheld, then id (see the module docstring)."""
    mtus = 0 if rule.citation.is_mtus else 1
    return (mtus, -rule.priority, 0 if rule.effect is Effect.upheld else 1, rule.id)


def decide(fired: list[RuleView]) -> tuple[RuleView | None, dict[str, str]]:
    """(deciding rule, overridden rule key -> id of the exception that overrode it)."""
    if not fired:
        return None, {}
    if len(fired) == 1 and fired[0].rule.id not in fired[0].exception_to:
        return fired[0], {}
    ids = {view.rule.id for view in fired}
    overridden: dict[str, str] = {}
    for view in sorted(fired, key=lambda v: v.rank):
        for target in view.exception_to:
            if target in ids:
                for other in fired:
                    if other.rule.id == target:
                        overridden.setdefault(other.key, view.rule.id)
    standing = [v for v in fired if v.key not in overridden]
    return (min(standing, key=lambda v: v.rank) if standing else None), overridden


class _Words(dict):
    """Fact values in words, made on first use (templates name only a few facts)."""

    def __init__(self, shown: Mapping[str, Any]) -> None:
        super().__init__()
        self._shown = shown

    def __missing__(self, name: str) -> str:
        value = self[name] = format_value(self._shown.get(name))
        return value

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if name in self._shown else default


def _used_facts(view: RuleView, shown: Mapping[str, Any], facts: Mapping[str, FactValue],
                item: RequestedItem) -> list[UsedFact]:
    out = []
    said = None  # the item's own text, as evidence for every item fact (one object)
    for name in view.used:
        if name.startswith("item."):
            if said is None:
                said = build(Evidence, text=item.text, source="item", start=None, end=None)
            evidence = [said]
        else:
            found = facts.get(name)
            evidence = list(found.evidence) if found is not None else []
        value = shown.get(name)
        if isinstance(value, Tristate):
            value = value.value
        out.append(build(UsedFact, name=name, value=value, evidence=evidence))
    return out


def predict_item(engine: Engine, facts: CaseFacts, index: int, item: RequestedItem, as_of: date,
                 book: Book | None = None, shared: dict | None = None, explain: bool = True) -> Prediction:
    """The prediction for one item (a failing engine gives an item with `error`, not an exception).

    Near misses are the rules of the item's topic, in force and applying to the item
    (applies_to), that did not fire; `missing` (for Upheld only) is the deciding rule's
    `to_change`, then what each approval path among the near misses lacks.

    `explain=False` leaves `near_misses` empty and works out only what `missing` needs
    (the approval paths of an Upheld item): outcome, deciding rule, fired rules with
    their citations and facts, and `missing` are the same either way.
    """
    book = book or book_for(engine.rulebook)
    rulebook = book.rulebook
    topic = rulebook.canonical_topic(item.topic)
    base: dict[str, Any] = {"index": index, "item": item, "topic": topic or item.topic, "as_of": as_of,
                            "engine": engine.name, "outcome": None, "deciding_rule": None, "citation": None,
                            "because": None, "fired": [], "near_misses": [], "missing": [], "error": None}
    if topic is None or topic not in book.topics:
        return build(Prediction, **base)
    merged = facts.for_item(index)
    env, shown = environment(book, topic, item, merged, as_of, shared)
    try:
        keys = engine.fire(topic, env)
    except EngineError as err:
        base["error"] = str(err)
        return build(Prediction, **base)
    views = book.views
    fired = [views[key] for key in keys]
    deciding, overridden = decide(fired)
    words = _Words(shown)
    if len(fired) > 1:
        fired.sort(key=lambda v: (v is not deciding, v.key in overridden, v.rank))
    base["fired"] = [
        build(FiredRule, **v.ref, because=_fill(v.because, words), facts=_used_facts(v, shown, merged, item),
              overridden_by=overridden.get(v.key))
        for v in fired
    ]
    upheld = deciding is not None and deciding.is_upheld
    missing: list[str] = []
    if upheld and deciding.to_change:  # type: ignore[union-attr]
        missing.append(_fill(deciding.to_change, words))  # type: ignore[union-attr]
    near = []
    if explain:
        for view in book.in_force(topic, as_of):
            if view.key in keys or (view.applies is not None and not view.applies(env)):
                continue
            failed = tuple([i for i, test in enumerate(view.tests) if not test(env)])
            miss = (view.static and view.misses.get(failed)) or book.near_miss(view, failed, words)
            near.append(miss)
            if upheld and not view.is_upheld:
                missing.extend(f.needs for f in miss.failed)
    elif upheld:
        for view in book.in_force(topic, as_of):
            if view.is_upheld or view.key in keys or (view.applies is not None and not view.applies(env)):
                continue
            missing.extend(book.failed(view.parts[i][0]).needs for i, test in enumerate(view.tests)
                           if not test(env))
    if deciding is not None:
        base.update(outcome=deciding.rule.effect.decision, deciding_rule=deciding.rule.id,
                    citation=deciding.citation, because=_fill(deciding.because, words))
    base.update(near_misses=near, missing=list(dict.fromkeys(missing)))
    return build(Prediction, **base)


def evaluate(facts: CaseFacts, items: list[RequestedItem], as_of: date | None = None,
             engine: Engine | None = None, explain: bool = True) -> list[Prediction]:
    """One Prediction per item. `as_of` defaults to facts.as_of, then to today (recorded in each prediction).

    A fact value of the wrong type is an InputError; an engine failure is recorded on its item.
    `explain=False` skips the near misses (see `predict_item`); everything else is the same.
    """
    engine = engine or default_engine()
    day = as_of or facts.as_of or date.today()
    book = book_for(engine.rulebook)
    shared: dict[str, tuple[FactValue, Any, Any]] = {}
    return [predict_item(engine, facts, i, item, day, book, shared, explain) for i, item in enumerate(items)]


# ---------------------------------------------------------------- engines side by side


class Disagreement(Model):
    case: int
    item: int
    field: str
    first: Any
    second: Any


Case = tuple[CaseFacts, list[RequestedItem], date | None]


def compare_engines(cases: Iterable[Case], first: Engine | None = None,
                    second: Engine | None = None) -> list[Disagreement]:
    """Evaluate every case with both engines (default: durable-rules and the reference) and list
    every field of every prediction on which they differ."""
    first = first or default_engine()
    second = second or ReferenceEngine(first.rulebook)
    out = []
    for ci, (facts, items, as_of) in enumerate(cases):
        a = evaluate(facts, items, as_of, first)
        b = evaluate(facts, items, as_of, second)
        for pa, pb in zip(a, b, strict=True):
            da = pa.model_dump(exclude={"engine"})
            db = pb.model_dump(exclude={"engine"})
            for key in da:
                if da[key] != db[key]:
                    out.append(Disagreement(case=ci, item=pa.index, field=key, first=da[key], second=db[key]))
    return out
