"""Rules -> durable-rules JSON rulesets, and case facts -> the message those rulesets test.

One ruleset per topic; one durable rule per rule version, named `id@from`, whose
single condition on the message `m` is

    $and: [as_of in force, applies_to..., when...]

Conditions are data all the way down: each one-fact test becomes a durable-rules
comparison (`{"$lt": {key: value}}`, `{key: value}`, `$neq`, `$and`, `$or`); no
rule text is ever evaluated as Python.

**How facts are encoded** (`Encoding.encode`). A missing value must be testable
without `$nex`/`$ex`: in durable-rules 2.0.28 a rule on `$nex` fires again and again
when a fact is retracted (measured here). And every `$or` costs: a rule holds at most
15 `$and`/`$or` groups. So each fact gets, on demand, only the keys some test reads:

- `key`: the value, absent when the fact is; numbers are floats, dates day ordinals,
  text and enums case-folded strings, bools bools. A comparison on it is false when
  the fact is absent, as the language says;
- for a negated test the complement must hold when the fact is absent, so it reads a
  key that stands in for "absent" with a value every such test accepts:
  `key__lo` / `key__hi` (a number, -1e15 / +1e15 when absent: `not: x > 4` is
  `{"$lte": {"x__lo": 4.0}}`), `key__or_false` / `key__or_true` (a bool, false / true
  when absent), `key__or_none` (text, "<absent>" when absent);
- `key__p` (true / false) for present / absent, and for `not: x != v`;
- a tristate is always a string (missing reads as "not_documented");
- a flags fact gets a bool key per member some test reads (`key__<member>`).

**Limits of durable-rules** (measured with 2.0.28; checked by `ruleset_problems`):
a rule with more than 15 `$and`/`$or` groups fails with error 113; a message with
more than 252 keys fails with error 302; a ruleset hangs in creation when one node
has more than 512 distinct children, and fails with error 107 when more than 128
rules end on the same node. The caps below keep inside all of them; 32 operands per
`$and`/`$or` is a conservative bound of our own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from imr_rules.catalogue import Catalogue, FactSpec, FactType
from imr_rules.conditions import AllOf, Condition, Leaf, NotOf, leaves
from imr_rules.facts import Tristate
from imr_rules.regexes import compile as _rx_compile
from imr_rules.rulebook import Rule, Rulebook
from imr_rules.templates import template_facts

MAX_OPERANDS = 32
MAX_GROUPS_PER_RULE = 15
MAX_MESSAGE_KEYS = 200
MAX_RULES_PER_RULESET = 100
MAX_COMPARISONS_PER_RULESET = 480
RESERVED_KEYS = frozenset({"id", "sid", "$s", "m"})

LOW, HIGH = -1e15, 1e15  # stand-ins for an absent number in negated tests (no exponent in JSON)
SMALLEST, LARGEST = 1e-4, 9e14  # durable-rules cannot read "1e-05" or "1e+16": numbers are kept between
ABSENT_TEXT = "<absent>"  # stand-in for absent text in negated tests

_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
# not (x op c), absent included: the operator, and the stand-in key that makes an absent x pass
_NEGATED = {">": ("$lte", "lo"), ">=": ("$lt", "lo"), "<": ("$gte", "hi"), "<=": ("$gt", "hi")}
_SAFE = _rx_compile(r"[^A-Za-z0-9_]+")


def _number(value: Any) -> float:
    """A number as durable-rules can read it. Python writes floats below 1e-4 or from 1e16 up with
    an exponent, which its JSON reader rejects (error 204), so they are moved to the nearest number
    it can read; rule constants are 0 or between 0.001 and 1e12 (lint), so no comparison changes."""
    if isinstance(value, date):
        return float(value.toordinal())
    number = float(value)
    if number == 0:
        return 0.0
    if abs(number) < SMALLEST:
        return math.copysign(SMALLEST, number)
    if abs(number) > LARGEST:
        return math.copysign(LARGEST, number)
    return number


@dataclass
class Encoding:
    """How the facts one topic's conditions test are laid out in a durable-rules message.

    Keys are made on demand while compiling (`key`), so a message carries only what
    some condition reads.
    """

    specs: dict[str, FactSpec] = field(default_factory=dict)
    slots: dict[tuple[str, str], str] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=lambda: set(RESERVED_KEYS))
    _plan: list | None = None

    def key(self, spec: FactSpec, slot: str = "value") -> str:
        """The message key of one slot of a fact: value, lo, hi, or_false, or_true, or_none,
        present, or a flags member as "member:<name>"."""
        found = self.slots.get((spec.name, slot))
        if found is None:
            suffix = "" if slot == "value" else "__" + slot.removeprefix("member:")
            wanted = _SAFE.sub("_", spec.name + ("__p" if slot == "present" else suffix)).strip("_") or "f"
            found, n = wanted, 1
            while found in self._taken:
                n += 1
                found = f"{wanted}_{n}"
            self._taken.add(found)
            self.slots[(spec.name, slot)] = found
            self.specs.setdefault(spec.name, spec)
            self._plan = None
        return found

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the plan: it holds the `_NONE` marker, which must stay this process's."""
        return {**self.__dict__, "_plan": None}

    def _layout(self) -> list[tuple[str, int, list[tuple[str, Any]], str | None, list[tuple[str, str]],
                                    list[tuple[str, Any]]]]:
        """Per fact: (name, how its value is written (_TRISTATE, _NUMBER, _TEXT, _AS_IS),
        [(key, stand-in for absent or _NONE)], presence key, [(member, key)], [(key, stand-in)] of
        the keys that have one)."""
        grouped: dict[str, tuple[list, list, list]] = {}
        for (name, slot), key in self.slots.items():
            values, presence, members = grouped.setdefault(name, ([], [], []))
            if slot == "present":
                presence.append(key)
            elif slot.startswith("member:"):
                members.append((slot[7:], key))
            else:
                values.append((key, _STAND_IN.get(slot, _NONE)))
        return [(name, _KIND_CODE.get(self.specs[name].type, _AS_IS), values,
                 presence[0] if presence else None, members,
                 [(key, stand_in) for key, stand_in in values if stand_in is not _NONE])
                for name, (values, presence, members) in grouped.items()]

    def encode(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """The message for one item: `env` maps fact names to normal values (None: absent)."""
        if self._plan is None:
            self._plan = self._layout()
        out: dict[str, Any] = {}
        get = env.get
        for name, kind, values, presence, members, stand_ins in self._plan:
            value = get(name)
            if kind == _TRISTATE:
                out[values[0][0]] = str(value) if value is not None else _NOT_DOCUMENTED
                continue
            if value is None:
                if presence is not None:
                    out[presence] = False
                for _, key in members:
                    out[key] = False
                for key, stand_in in stand_ins:
                    out[key] = stand_in
                continue
            if presence is not None:
                out[presence] = True
            for member, key in members:
                out[key] = member in value
            if kind == _NUMBER:
                value = _number(value)
            elif kind == _TEXT:
                value = str(value).casefold()
            for key, _ in values:
                out[key] = value
        return out


_NONE = object()  # the value slot has no stand-in: an absent fact leaves it out
_AS_IS, _TRISTATE, _NUMBER, _TEXT = 0, 1, 2, 3  # how `encode` writes a value
_KIND_CODE = {FactType.tristate: _TRISTATE, FactType.number: _NUMBER, FactType.date: _NUMBER,
              FactType.text: _TEXT, FactType.enum: _TEXT}
_NOT_DOCUMENTED = Tristate.not_documented.value
_STAND_IN: dict[str, Any] = {
    "lo": LOW, "hi": HIGH, "or_false": False, "or_true": True, "or_none": ABSENT_TEXT,
}


def _constant(leaf: Leaf, value: Any) -> Any:
    if leaf.ftype in (FactType.number, FactType.date):
        return _number(value)
    if leaf.ftype == FactType.bool:
        return bool(value)
    return str(value).casefold() if leaf.ftype != FactType.tristate else str(value)


def _or(parts: list[dict]) -> dict:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _and(parts: list[dict]) -> dict:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def compile_leaf(leaf: Leaf, enc: Encoding, catalogue: Catalogue, negate: bool = False) -> dict:
    """One test as a durable-rules expression; `negate` gives its logical complement."""
    if leaf.ftype is None:
        raise ValueError(f"condition {leaf.render()!r} was not resolved against the catalogue")
    spec = catalogue.spec(leaf.fact)
    op, kind = leaf.op, leaf.ftype
    if kind == FactType.tristate:
        key = enc.key(spec)
        if op in ("documented", "not_documented", "documented_false"):
            op, value = "==", op
        elif op == "in":
            values = [_constant(leaf, v) for v in leaf.value]  # type: ignore[union-attr]
            if negate:
                return _and([{"$neq": {key: v}} for v in values])
            return _or([{key: v} for v in values])
        else:
            value = leaf.value
        return {key: str(value)} if (op == "==") != negate else {"$neq": {key: str(value)}}
    if op in ("present", "absent"):
        return {enc.key(spec, "present"): (op == "present") != negate}
    if op == "contains":
        return {enc.key(spec, "member:" + str(leaf.value).casefold()): not negate}
    if kind == FactType.bool:
        wanted = bool(leaf.value) == (op == "==")  # the test is x == wanted, x present
        if not negate:
            return {enc.key(spec): wanted}
        return {enc.key(spec, "or_true" if not wanted else "or_false"): not wanted}
    if op == "!=" and negate:  # absent, or equal
        return {"$or": [{enc.key(spec, "present"): False}, {enc.key(spec): _constant(leaf, leaf.value)}]}
    numeric = kind in (FactType.number, FactType.date)
    if op == "in":
        values = [_constant(leaf, v) for v in leaf.value]  # type: ignore[union-attr]
        if not negate:
            return _or([{enc.key(spec): v} for v in values])
        stand_in = enc.key(spec, "lo" if numeric else "or_none")
        return _and([{"$neq": {stand_in: v}} for v in values])
    value = _constant(leaf, leaf.value)
    if not negate:
        return {enc.key(spec): value} if op == "==" else {_OP[op]: {enc.key(spec): value}}
    if op == "==":
        return {"$neq": {enc.key(spec, "lo" if numeric else "or_none"): value}}
    operator, slot = _NEGATED[op]
    return {operator: {enc.key(spec, slot): value}}


def compile_condition(
    cond: Condition, enc: Encoding, catalogue: Catalogue, negate: bool = False
) -> dict | None:
    """A condition tree as a durable-rules expression (None: always true, e.g. an empty `when`).

    A group inside a group of the same kind is merged into it while the result stays
    within MAX_OPERANDS: fewer groups, and durable-rules allows only 15 per rule.
    """
    if isinstance(cond, Leaf):
        return compile_leaf(cond, enc, catalogue, negate)
    if isinstance(cond, NotOf):
        return compile_condition(cond.item, enc, catalogue, not negate)
    parts = [p for p in (compile_condition(c, enc, catalogue, negate) for c in cond.items) if p is not None]
    if not parts:
        if negate:
            raise ValueError("an empty condition cannot be negated")
        return None
    word = "$and" if isinstance(cond, AllOf) != negate else "$or"
    return _group(word, parts)


def _group(word: str, parts: list[dict]) -> dict:
    if len(parts) == 1:
        return parts[0]
    out = list(parts)
    i = 0
    while i < len(out):
        inner = out[i].get(word) if len(out[i]) == 1 else None
        if inner is not None and len(out) - 1 + len(inner) <= MAX_OPERANDS:
            out[i:i + 1] = inner
            i += len(inner)
        else:
            i += 1
    return {word: out}


def rule_facts(rule: Rule) -> list[str]:
    """Every fact a rule reads: in force, applies_to, when, and its templates."""
    names = [leaf.fact for leaf in leaves(rule.applicability())]
    names += [leaf.fact for leaf in leaves(rule.when)]
    for text in (rule.because, rule.to_change or ""):
        names += template_facts(text)
    return list(dict.fromkeys(names))


@dataclass
class CompiledRuleset:
    """One topic's durable-rules ruleset definition (without actions) and its message layout."""

    topic: str
    definition: dict[str, dict]
    rules: dict[str, Rule]
    encoding: Encoding
    facts: list[str]

    def with_actions(self, action_for: Any) -> dict[str, dict]:
        """A copy of the definition with `run` set to `action_for(rule_name)`. durable-rules deletes
        `run` from each rule's mapping and only reads the rest, so copying those mappings is enough
        (a deep copy took longer than creating the ruleset)."""
        return {name: {**body, "run": action_for(name)} for name, body in self.definition.items()}


def compile_topic(topic: str, rules: list[Rule], catalogue: Catalogue) -> CompiledRuleset:
    """The ruleset of one topic: every rule version, in a stable order."""
    enc = Encoding()
    facts: list[str] = []
    ordered = sorted(rules, key=lambda r: (r.id, r.in_force.from_))
    for rule in ordered:
        for name in rule_facts(rule):
            if catalogue.get(name) is None:
                raise KeyError(f"undeclared fact {name!r}")
            if name not in facts:
                facts.append(name)
    definition: dict[str, dict] = {}
    by_name: dict[str, Rule] = {}
    for rule in ordered:
        condition = AllOf(rule.applicability().items + (rule.when,))
        definition[rule.key] = {"all": [{"m": compile_condition(condition, enc, catalogue)}]}
        by_name[rule.key] = rule
    return CompiledRuleset(topic=topic, definition=definition, rules=by_name, encoding=enc, facts=facts)


def compile_rulebook(rulebook: Rulebook) -> dict[str, CompiledRuleset]:
    """One compiled ruleset per topic that has rules (those of a rulebook from the rulebook cache
    come with it: `Rulebook.compiled`)."""
    if rulebook.compiled is not None:
        return rulebook.compiled
    return {
        topic: compile_topic(topic, rules, rulebook.catalogue)
        for topic, rules in sorted(rulebook.by_topic.items())
        if rules
    }


@dataclass
class Size:
    """How much of durable-rules' room one compiled expression takes."""

    comparisons: int = 0
    groups: int = 0
    widest: int = 0


def measure(expr: Any) -> Size:
    """Comparisons, $and/$or groups, and the widest group of one expression."""
    size = Size()

    def walk(node: Any) -> None:
        if isinstance(node, dict) and len(node) == 1:
            (op, body), = node.items()
            if op in ("$and", "$or"):
                size.groups += 1
                size.widest = max(size.widest, len(body))
                for part in body:
                    walk(part)
                return
        size.comparisons += 1

    walk(expr)
    return size


def ruleset_problems(compiled: CompiledRuleset) -> list[tuple[str | None, str]]:
    """What in a compiled ruleset would exceed what durable-rules can hold: (rule name or None, problem)."""
    out: list[tuple[str | None, str]] = []
    total = 0
    for name, body in compiled.definition.items():
        size = measure(body["all"][0]["m"])
        total += size.comparisons
        if size.widest > MAX_OPERANDS:
            out.append((name, f"compiles to a $and/$or of {size.widest} expressions; durable-rules allows "
                              f"{MAX_OPERANDS}: split the condition"))
        if size.groups > MAX_GROUPS_PER_RULE:
            out.append((name, f"compiles to {size.groups} $and/$or groups; durable-rules allows "
                              f"{MAX_GROUPS_PER_RULE} in one rule (each any:, each all: under not:, "
                              "each 'in' and each negated '!=' is one): simplify or split the rule"))
    keys = len(compiled.encoding.slots)
    if keys > MAX_MESSAGE_KEYS:
        out.append((None, f"topic {compiled.topic!r} reads {keys} message keys; durable-rules takes at most "
                          f"252 per fact, and {MAX_MESSAGE_KEYS} are allowed here"))
    if len(compiled.definition) > MAX_RULES_PER_RULESET:
        out.append((None, f"topic {compiled.topic!r} has {len(compiled.definition)} rule versions; one "
                          f"durable-rules ruleset holds at most {MAX_RULES_PER_RULESET} here"))
    if total > MAX_COMPARISONS_PER_RULESET:
        out.append((None, f"topic {compiled.topic!r} compiles to {total} comparisons; one durable-rules "
                          f"ruleset holds at most {MAX_COMPARISONS_PER_RULESET} here "
                          "(it hangs past 512 at one node)"))
    return out
