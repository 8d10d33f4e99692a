"""Rules -> durable-rules JSON rulesets, and case facts -> the message those rulesets test.

One ruleset per topic; one durable rule per rule version, named `id@from`, whose
single condition on the message `m` is

    $and: [as_of in force, applies_to..., when]

Conditions are data all the way down: each one-fact test becomes a durable-rules
comparison (`{"$lt": {key: value}}`, `{key: value}`, `$neq`, `$and`, `$or`); no
rule text is ever evaluated as Python.

**How facts are encoded** (`Encoding.encode`), so that a missing value can be tested
(only what some condition reads is in the message):

- a compared value has a key; numbers are floats, dates are day ordinals (floats),
  text and enum values are case-folded strings, bools are bools; no value, no key;
- a negated test, or present / absent, reads a presence key (`<key>__p`, true /
  false), because `$nex` cannot be used: in durable-rules 2.0.28 a rule on `$nex`
  fires again and again when a fact is retracted (measured here);
- a tristate is always a string (missing reads as "not_documented");
- a flags fact gets a bool key per member that some rule tests (`<key>__<member>`).

`not:` is pushed down to the tests (De Morgan) and each test is negated with its
presence key: `not: weeks_of_use > 4` is `{"$or": [{"weeks_of_use__p": false},
{"$lte": {"weeks_of_use": 4.0}}]}`, true when the weeks are not documented.

**Limits of durable-rules** (measured with 2.0.28; see `ruleset_problems`): a
ruleset hangs in creation when one node has more than 512 distinct children, and
fails with error 107 when more than 128 rules end on the same node. The caps below
keep well inside both; the 32 operands per $and/$or is a conservative bound.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from imr_rules.catalogue import Catalogue, FactSpec, FactType
from imr_rules.facts import Tristate
from imr_rules.rulebook import AllOf, Condition, Leaf, NotOf, Rule, Rulebook, leaves, template_facts

MAX_OPERANDS = 32
MAX_RULES_PER_RULESET = 100
MAX_COMPARISONS_PER_RULESET = 480
RESERVED_KEYS = frozenset({"id", "sid", "$s", "m"})

_NEGATE_OP = {"<": "$gte", "<=": "$gt", ">": "$lte", ">=": "$lt", "==": "$neq", "!=": None}
_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_SAFE = re.compile(r"[^A-Za-z0-9_]+")


def _number(value: Any) -> float:
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


@dataclass
class Encoding:
    """How the facts one topic's conditions test are laid out in a durable-rules message.

    Keys are made on demand while compiling, so a message carries only what some
    condition reads: a value key when a value is compared, a presence key when a
    test is negated or asks present / absent, a key per flags member tested.
    """

    specs: dict[str, FactSpec] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    present: dict[str, str] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=lambda: set(RESERVED_KEYS))

    def _new_key(self, wanted: str) -> str:
        base = _SAFE.sub("_", wanted).strip("_") or "f"
        key, n = base, 1
        while key in self._taken:
            n += 1
            key = f"{base}_{n}"
        self._taken.add(key)
        return key

    def value_key(self, spec: FactSpec) -> str:
        self.specs.setdefault(spec.name, spec)
        found = self.keys.get(spec.name)
        if found is None:
            found = self.keys[spec.name] = self._new_key(spec.name)
        return found

    def presence_key(self, spec: FactSpec) -> str:
        self.specs.setdefault(spec.name, spec)
        found = self.present.get(spec.name)
        if found is None:
            found = self.present[spec.name] = self._new_key(spec.name + "__p")
        return found

    def member_key(self, spec: FactSpec, member: str) -> str:
        self.specs.setdefault(spec.name, spec)
        members = self.members.setdefault(spec.name, {})
        found = members.get(member)
        if found is None:
            found = members[member] = self._new_key(f"{spec.name}__{member}")
        return found

    def encode(self, env: Mapping[str, Any]) -> dict[str, Any]:
        """The message for one item: `env` maps fact names to normal values (None: absent)."""
        out: dict[str, Any] = {}
        for name, spec in self.specs.items():
            value = env.get(name)
            kind = spec.type
            if kind == FactType.tristate:
                out[self.keys[name]] = str(value) if value is not None else Tristate.not_documented.value
                continue
            presence = self.present.get(name)
            if presence is not None:
                out[presence] = value is not None
            if kind == FactType.flags:
                have = value or ()
                for member, key in self.members.get(name, {}).items():
                    out[key] = member in have
                continue
            key = self.keys.get(name)
            if key is None or value is None:
                continue
            if kind in (FactType.number, FactType.date):
                out[key] = _number(value)
            elif kind == FactType.bool:
                out[key] = bool(value)
            else:
                out[key] = str(value).casefold()
        return out


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
    op = leaf.op
    if leaf.ftype == FactType.tristate:
        key = enc.value_key(spec)
        if op in ("documented", "not_documented", "documented_false"):
            op, value = "==", op
        elif op == "in":
            values = [_constant(leaf, v) for v in leaf.value]  # type: ignore[union-attr]
            if negate:
                return _and([{"$neq": {key: v}} for v in values])
            return _or([{key: v} for v in values])
        else:
            value = leaf.value
        if (op == "==") != negate:
            return {key: str(value)}
        return {"$neq": {key: str(value)}}
    if op in ("present", "absent"):
        return {enc.presence_key(spec): (op == "present") != negate}
    if op == "contains":
        return {enc.member_key(spec, str(leaf.value).casefold()): not negate}
    key = enc.value_key(spec)
    if op == "in":
        values = [_constant(leaf, v) for v in leaf.value]  # type: ignore[union-attr]
        if not negate:
            return _or([{key: v} for v in values])
        return {"$or": [{enc.presence_key(spec): False}, _and([{"$neq": {key: v}} for v in values])]}
    value = _constant(leaf, leaf.value)
    if not negate:
        return {key: value} if op == "==" else {_OP[op]: {key: value}}
    if op == "!=":
        return {"$or": [{enc.presence_key(spec): False}, {key: value}]}
    return {"$or": [{enc.presence_key(spec): False}, {_NEGATE_OP[op]: {key: value}}]}


def compile_condition(
    cond: Condition, enc: Encoding, catalogue: Catalogue, negate: bool = False
) -> dict | None:
    """A condition tree as a durable-rules expression (None: always true, e.g. an empty `when`)."""
    if isinstance(cond, Leaf):
        return compile_leaf(cond, enc, catalogue, negate)
    if isinstance(cond, NotOf):
        return compile_condition(cond.item, enc, catalogue, not negate)
    parts = [p for p in (compile_condition(c, enc, catalogue, negate) for c in cond.items) if p is not None]
    if not parts:
        if negate:
            raise ValueError("an empty condition cannot be negated")
        return None
    conjunction = isinstance(cond, AllOf) != negate
    return _and(parts) if conjunction else _or(parts)


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
        """A copy of the definition with `run` set to `action_for(rule_name)` (durable mutates it)."""
        out = copy.deepcopy(self.definition)
        for name, body in out.items():
            body["run"] = action_for(name)
        return out


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
        parts = [compile_condition(c, enc, catalogue) for c in rule.applicability().items]
        parts.append(compile_condition(rule.when, enc, catalogue))
        definition[rule.key] = {"all": [{"m": _and([p for p in parts if p is not None])}]}
        by_name[rule.key] = rule
    return CompiledRuleset(topic=topic, definition=definition, rules=by_name, encoding=enc, facts=facts)


def compile_rulebook(rulebook: Rulebook) -> dict[str, CompiledRuleset]:
    """One compiled ruleset per topic that has rules."""
    return {
        topic: compile_topic(topic, rules, rulebook.catalogue)
        for topic, rules in sorted(rulebook.by_topic.items())
        if rules
    }


def _walk(expr: Any) -> tuple[int, int]:
    """(comparisons, widest $and/$or) of one expression."""
    if isinstance(expr, dict) and len(expr) == 1:
        (op, body), = expr.items()
        if op in ("$and", "$or"):
            tests, widest = 0, len(body)
            for part in body:
                t, w = _walk(part)
                tests += t
                widest = max(widest, w)
            return tests, widest
    return 1, 0


def ruleset_problems(compiled: CompiledRuleset) -> list[tuple[str | None, str]]:
    """What in a compiled ruleset would exceed what durable-rules can hold: (rule name or None, problem)."""
    out: list[tuple[str | None, str]] = []
    total = 0
    for name, body in compiled.definition.items():
        tests, widest = _walk(body["all"][0]["m"])
        total += tests
        if widest > MAX_OPERANDS:
            out.append((name, f"compiles to a $and/$or of {widest} expressions; durable-rules allows "
                              f"{MAX_OPERANDS}: split the condition"))
    if len(compiled.definition) > MAX_RULES_PER_RULESET:
        out.append((None, f"topic {compiled.topic!r} has {len(compiled.definition)} rule versions; one "
                          f"durable-rules ruleset holds at most {MAX_RULES_PER_RULESET} here"))
    if total > MAX_COMPARISONS_PER_RULESET:
        out.append((None, f"topic {compiled.topic!r} compiles to {total} comparisons; one durable-rules "
                          f"ruleset holds at most {MAX_COMPARISONS_PER_RULESET} here "
                          "(it hangs past 512 at one node)"))
    return out
