"""Lint: every problem a rule author can make, each reported as `file:line:col: rule-id: problem`.

A rule file is read with positions, checked against the rule model, the fact catalogue
(names, types, operators, values), the topics and the citation conventions, and its
embedded tests are checked to fit the rule; `load_rulebook` refuses a rulebook with any
problem. Rules made in code (`rule_from_data`) get the same checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from imr_rules.catalogue import AS_OF, CATALOGUE_FILE, TRISTATE_VALUES, Catalogue, FactType, load_catalogue
from imr_rules.conditions import (
    COMPARE_OPS,
    NUMBER_RANGE,
    UNARY_OPS,
    AllOf,
    Condition,
    ConditionError,
    Leaf,
    NotOf,
)
from imr_rules.errors import InputError
from imr_rules.items import ItemKind, RequestedItem
from imr_rules.model import Model
from imr_rules.paths import rules_dir
from imr_rules.rulebook import (
    APPLIES_FACTS,
    NOT_CITABLE,
    PAGE_CITED,
    TOPICS_FILE,
    Diagnostic,
    Effect,
    Rule,
    Rulebook,
    _support_file,
    load_rule_yaml,
    read_topic_keys,
    rule_files,
    test_date,
)
from imr_rules.templates import template_facts
from imr_rules.yamlio import LineDict, LineList, position


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
