"""The condition language of rules: `when` conditions read into data, checked and rendered back.

**Conditions.** `when` is a list of conditions that must all hold. A condition is a
one-line test of one fact, or a mapping with one key: `all:` (a list; every one
holds), `any:` (a list; at least one holds) or `not:` (one condition; it does not
hold). A one-line test is written in a small grammar, read by our own tokenizer and
never evaluated as Python::

    FACT                      a bool fact is true            continuing_treatment
    FACT documented           a tristate is documented       functional_improvement documented
         not_documented | documented_false
    FACT present | absent     the fact has a value / has none
    FACT == VALUE             also != < <= > >=              weeks_of_use > 4
    FACT in [V1, V2, ...]     equals one of                  item.route in [oral, sublingual]
    FACT contains VALUE       a flags fact holds a member    diagnoses contains insomnia

VALUE is a number, an ISO date (2016-07-29), true / false, a word, or a quoted
string. Every comparison needs the fact to have a value: `weeks_of_use > 4` and
`weeks_of_use <= 4` are both false when the weeks are not documented; `not:` is the
plain logical negation, and `absent` / `present` test for the missing value. A
tristate is never absent: missing reads as not_documented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from imr_rules.catalogue import FactType
from imr_rules.regexes import compile as _rx_compile
from imr_rules.yamlio import LineDict, LineList, position

UNARY_OPS = ("documented", "not_documented", "documented_false", "present", "absent")
COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")
OPERATORS = (*COMPARE_OPS, "in", "contains", *UNARY_OPS)

Scalar = bool | float | int | str | date
NUMBER_RANGE = (0.001, 1e12)  # what durable-rules' JSON reader takes without an exponent, with room


class ConditionError(ValueError):
    """A condition that cannot be read, with where it was written."""

    def __init__(self, problem: str, line: int = 0, column: int = 0) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Leaf:
    """One test of one fact: `fact op value`. `ftype` is filled in once the fact is resolved."""

    fact: str
    op: str
    value: Scalar | tuple[Scalar, ...] | None = None
    text: str = ""
    line: int = 0
    column: int = 0
    ftype: FactType | None = None

    def render(self) -> str:
        bare = self.op == "==" and self.value is True and " " not in self.text
        if bare and self.ftype in (None, FactType.bool):
            return self.fact
        if self.value is None:
            return f"{self.fact} {self.op}"
        return f"{self.fact} {self.op} {_render_value(self.value)}"


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class NotOf:
    item: Condition
    line: int = 0
    column: int = 0


Condition = Leaf | AllOf | AnyOf | NotOf


def _render_value(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_render_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./+-]*", value):
        return '"' + value + '"'
    return str(value)


def render(cond: Condition) -> Any:
    """A condition back in its YAML form (a string, or a one-key mapping)."""
    if isinstance(cond, Leaf):
        return cond.render()
    if isinstance(cond, AllOf):
        return {"all": [render(c) for c in cond.items]}
    if isinstance(cond, AnyOf):
        return {"any": [render(c) for c in cond.items]}
    return {"not": render(cond.item)}


def render_text(cond: Condition) -> str:
    """A condition on one line, for messages."""
    if isinstance(cond, Leaf):
        return cond.render()
    if isinstance(cond, AllOf):
        return "all of (" + "; ".join(render_text(c) for c in cond.items) + ")"
    if isinstance(cond, AnyOf):
        return "any of (" + "; ".join(render_text(c) for c in cond.items) + ")"
    return "not (" + render_text(cond.item) + ")"


def leaves(cond: Condition) -> Iterator[Leaf]:
    """Every one-fact test in a condition, in order."""
    if isinstance(cond, Leaf):
        yield cond
    elif isinstance(cond, NotOf):
        yield from leaves(cond.item)
    else:
        for child in cond.items:
            yield from leaves(child)


_TOKEN = _rx_compile(
    r"""\s*(?:
        (?P<op>==|!=|<=|>=|=>|=<|<|>|=)
      | (?P<open>\[) | (?P<close>\]) | (?P<comma>,)
      | (?P<quoted>"[^"]*"|'[^']*')
      | (?P<date>\d{4}-\d{2}-\d{2})(?![\w.])
      | (?P<number>-?\d+(?:\.\d+)?)(?![\w.-])
      | (?P<word>[A-Za-z_][A-Za-z0-9_./+-]*)
    )""",
    re.VERBOSE,
)
_FACT_NAME = _rx_compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")


def _tokens(text: str, line: int, column: int) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            rest = text[pos:].lstrip()
            if rest[:1].isdigit() or rest[:2].startswith("-"):
                word = rest.split()[0]
                raise ConditionError(f"cannot read the number {word!r} in {text!r}: write numbers like "
                                     "4, 0.5 or -2, dates like 2016-07-29", line, column)
            raise ConditionError(f"unexpected {rest[:1]!r} in condition {text!r}", line, column)
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return out


def _scalar(kind: str, token: str, text: str, line: int, column: int) -> Scalar:
    if kind == "quoted":
        return token[1:-1]
    if kind == "date":
        try:
            return date.fromisoformat(token)
        except ValueError:
            raise ConditionError(f"{token!r} is not a valid date in {text!r}", line, column) from None
    if kind == "number":
        return float(token) if "." in token else int(token)
    if kind == "word":
        return {"true": True, "false": False}.get(token, token)
    raise ConditionError(f"expected a value, found {token!r} in {text!r}", line, column)


def parse_leaf(text: str, line: int = 0, column: int = 0) -> Leaf:
    """Read one test such as `weeks_of_use > 4` with our own tokenizer (never Python)."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be a non-empty string or a mapping with all/any/not",
                             line, column)
    toks = _tokens(text, line, column)
    kind, fact, _ = toks[0]
    if kind != "word" or not _FACT_NAME.match(fact):
        raise ConditionError(f"a condition starts with a fact name, found {fact!r} in {text!r}", line, column)
    if len(toks) == 1:
        return Leaf(fact, "==", True, text.strip(), line, column)
    kind, op, _ = toks[1]
    rest = toks[2:]
    known = ", ".join(OPERATORS)
    if kind == "op":
        if op in ("=", "=>", "=<"):
            better = {"=": "==", "=>": ">=", "=<": "<="}[op]
            raise ConditionError(f"unknown operator {op!r} in {text!r}; did you mean {better!r}?",
                                 line, column)
        if len(rest) != 1:
            raise ConditionError(f"{op!r} takes one value in {text!r}", line, column)
        return Leaf(fact, op, _scalar(rest[0][0], rest[0][1], text, line, column), text.strip(), line, column)
    if kind == "word" and op in UNARY_OPS:
        if rest:
            raise ConditionError(f"{op!r} takes no value in {text!r}", line, column)
        return Leaf(fact, op, None, text.strip(), line, column)
    if kind == "word" and op == "contains":
        if len(rest) != 1:
            raise ConditionError(f"'contains' takes one value in {text!r}", line, column)
        return Leaf(fact, op, _scalar(rest[0][0], rest[0][1], text, line, column), text.strip(), line, column)
    if kind == "word" and op == "in":
        values = _parse_list(rest, text, line, column)
        return Leaf(fact, "in", tuple(values), text.strip(), line, column)
    raise ConditionError(f"unknown operator {op!r} in {text!r}; operators: {known}", line, column)


def _parse_list(toks: list[tuple[str, str, int]], text: str, line: int, column: int) -> list[Scalar]:
    if len(toks) < 2 or toks[0][0] != "open" or toks[-1][0] != "close":
        raise ConditionError(f"'in' takes a list such as [a, b] in {text!r}", line, column)
    inner = toks[1:-1]
    values: list[Scalar] = []
    expect_value = True
    for kind, token, _ in inner:
        if expect_value:
            values.append(_scalar(kind, token, text, line, column))
        elif kind != "comma":
            raise ConditionError(f"expected ',' between list values in {text!r}", line, column)
        expect_value = not expect_value
    if not values or expect_value:
        raise ConditionError(f"'in' needs a non-empty list of values in {text!r}", line, column)
    return values


def parse_condition(raw: Any, line: int = 0, column: int = 0) -> Condition:
    """Read one condition: a one-line test, or {all: [...]}, {any: [...]}, {not: condition}."""
    if isinstance(raw, Leaf | AllOf | AnyOf | NotOf):
        return raw
    if isinstance(raw, str):
        return parse_leaf(raw, line, column)
    if isinstance(raw, dict):
        line, column = position(raw) if isinstance(raw, LineDict) else (line, column)
        keys = list(raw)
        if len(keys) != 1 or keys[0] not in ("all", "any", "not"):
            shown = ", ".join(repr(k) for k in keys) or "nothing"
            raise ConditionError(f"a condition mapping has exactly one key: all, any or not (found {shown})",
                                 line, column)
        key = keys[0]
        kline, kcol = position(raw, key)
        body = raw[key]
        if key == "not":
            return NotOf(parse_condition(body, kline, kcol), kline, kcol)
        if not isinstance(body, list) or not body:
            raise ConditionError(f"'{key}' takes a non-empty list of conditions", kline, kcol)
        items = tuple(_parse_items(body, kline, kcol))
        return AllOf(items, kline, kcol) if key == "all" else AnyOf(items, kline, kcol)
    if isinstance(raw, bool | int | float) or raw is None:
        raise ConditionError(f"a condition must be a string or a mapping, found {raw!r}", line, column)
    raise ConditionError(f"a condition must be a string or a mapping, found {type(raw).__name__}",
                         line, column)


def _parse_items(body: list, line: int, column: int) -> Iterator[Condition]:
    for i, raw in enumerate(body):
        iline, icol = body.where(i) if isinstance(body, LineList) else (line, column)
        yield parse_condition(raw, iline, icol)


def parse_when(raw: Any) -> AllOf:
    """The `when` list of a rule: every condition must hold (an empty list always holds)."""
    if isinstance(raw, AllOf):
        return raw
    if raw is None:
        return AllOf(())
    line, column = position(raw)
    if isinstance(raw, str | dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise ConditionError("'when' takes a list of conditions", line, column)
    return AllOf(tuple(_parse_items(raw, line, column)), line, column)


CONDITION_SCHEMA: dict[str, Any] = {
    "description": (
        "One condition: a one-line test `FACT`, "
        "`FACT documented|not_documented|documented_false|present|absent`, "
        "`FACT ==|!=|<|<=|>|>= VALUE`, `FACT in [V1, V2]`, `FACT contains VALUE`; "
        "or a mapping with exactly one key: all (list), any (list) or not (one condition)."
    ),
    "anyOf": [
        {"type": "string", "pattern": r"^\s*[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?(\s.*)?$"},
        {"type": "object", "properties": {"all": {"type": "array", "minItems": 1,
                                                  "items": {"$ref": "#/$defs/Condition"}}},
         "required": ["all"], "additionalProperties": False},
        {"type": "object", "properties": {"any": {"type": "array", "minItems": 1,
                                                  "items": {"$ref": "#/$defs/Condition"}}},
         "required": ["any"], "additionalProperties": False},
        {"type": "object", "properties": {"not": {"$ref": "#/$defs/Condition"}},
         "required": ["not"], "additionalProperties": False},
    ],
}

_CONDITION_MARK = "imr-rules:condition"


def _link_conditions(node: Any) -> Any:
    """Point the `when` items at the Condition definition (pydantic cannot name a $def it did not make)."""
    if isinstance(node, dict):
        if node == {"$comment": _CONDITION_MARK}:
            return {"$ref": "#/$defs/Condition"}
        return {key: _link_conditions(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_link_conditions(value) for value in node]
    return node


When = Annotated[
    AllOf,
    PlainValidator(parse_when),
    PlainSerializer(lambda when: [render(c) for c in when.items], return_type=list),
    WithJsonSchema({
        "type": "array",
        "items": {"$comment": _CONDITION_MARK},
        "description": "Conditions that must all hold; see the Condition definition for the grammar.",
    }),
]
