"""What `check` and `explain` show: predictions as a published JSON document and as readable text.

The JSON document of `imr-rules check --json` is `CheckReport`; its schema is
committed as docs/check-json.schema.json (`imr-rules case check-schema` prints it),
so scripts can rely on it. The text view says the same things for a person: the
likely outcome, the guideline that decides it, why, the facts and where they were
read, and what the record must document for approval. An item no rule covers says
so plainly; it is never shown as Upheld.
"""

from __future__ import annotations

import os
import textwrap
from datetime import date
from typing import IO, TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field

from imr_rules.engine import FiredRule, NearMiss, Prediction, format_value
from imr_rules.facts import Evidence
from imr_rules.items import RequestedItem
from imr_rules.letters import Decision
from imr_rules.model import Model
from imr_rules.results import GuidelineRef

if TYPE_CHECKING:
    from imr_rules.casefile import Case
    from imr_rules.catalogue import Catalogue
    from imr_rules.explain import ExplainReport, LetterExplanation
    from imr_rules.rulebook import Rulebook

CHECK_FORMAT = "imr-rules-check"
NO_RULE = "no rule in the rulebook covers this item"
WIDTH = 100


# ---------------------------------------------------------------- the JSON contract


class CheckedItem(Model):
    """One requested item: the likely outcome, its reasons, and what would change it."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(description="Position of the item in the request, from 0")
    text: str = Field(description="The item as written")
    request: RequestedItem = Field(description="The item as understood (parsed, with any overrides)")
    topic: str | None = Field(description="Guideline topic the item was classified under")
    status: Literal["predicted", "no_rule", "error"] = Field(
        description="predicted: a rule decided; no_rule: no rule covers the item; error: not evaluated")
    outcome: Decision | None = Field(description="The likely IMR decision; null unless status is predicted")
    summary: str = Field(description="The finding in one sentence")
    deciding_rule: str | None = None
    citation: GuidelineRef | None = Field(None, description="The guideline, section and pages that decide it")
    because: str | None = Field(None, description="The deciding rule's reason, with the case's values")
    fired: list[FiredRule] = Field(default_factory=list,
                                   description="Every rule that fired, deciding rule first, with its facts")
    missing: list[str] = Field(default_factory=list,
                               description="For Upheld: what the report must document for approval")
    near_misses: list[NearMiss] = Field(default_factory=list,
                                        description="Rules of the topic in force that did not fire, and why")
    expected: Decision | None = Field(None, description="The outcome the case file expects, if it says")
    error: str | None = None


class CheckedCase(Model):
    """One case file: its items, or why it could not be read."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="The case file as named on the command line")
    status: Literal["ok", "error"]
    error: str | None = Field(None, description="For status error: file:line: what is wrong")
    title: str | None = None
    as_of: date | None = Field(None, description="The guidelines applied are those in force on this date")
    as_of_source: Literal["option", "as_of", "request_date", "note", "today"] | None = Field(
        None, description="Where the as-of date came from")
    note: str | None = Field(None, description="The progress note read for facts, if any")
    engine: str | None = None
    items: list[CheckedItem] = Field(default_factory=list)


class CheckReport(Model):
    """The output of `imr-rules check --json`."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["imr-rules-check"] = CHECK_FORMAT
    version: Literal[1] = 1
    cases: list[CheckedCase]


def check_schema() -> dict[str, Any]:
    """The JSON Schema of `check --json` (committed as docs/check-json.schema.json)."""
    schema = CheckReport.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "imr-rules check --json"
    return schema


# ---------------------------------------------------------------- from predictions


def no_rule_reason(prediction: Prediction, rulebook: Rulebook) -> str:
    """Why no rule decided: no rules for the topic, none in force on the date, or none that applies."""
    topic = prediction.topic
    rules = rulebook.topic_rules(topic) if topic else []
    where = f" (topic: {topic})" if topic else ""
    if not rules:
        return f"{NO_RULE}{where}"
    day = prediction.as_of
    if not any(rule.in_force.covers(day) for rule in rules):
        spans = sorted({rule.in_force.render() for rule in rules})
        return f"{NO_RULE} on {day.isoformat()}{where}: its rules are in force {', '.join(spans)}"
    return f"{NO_RULE}{where}: none of the topic's rules applies to it"


def _verdict(outcome: Decision) -> str:
    return "the denial would stand" if outcome == Decision.upheld else "the request would be approved"


# The views are made of values the engine and the case file have already validated, so they are
# constructed without validation: building the validators of these nested models took some 40 ms of
# a one-off `check`, and a terminal view never needs them (`--json` builds the serializer it needs).


def check_report(cases: list[CheckedCase] | None = None) -> CheckReport:
    """A report of checked cases (more may be appended)."""
    return CheckReport.model_construct(cases=cases if cases is not None else [])


def checked_item(prediction: Prediction, rulebook: Rulebook, expected: Decision | None = None) -> CheckedItem:
    """The view of one prediction."""
    if prediction.error:
        status, summary = "error", f"could not be evaluated: {prediction.error}"
    elif prediction.outcome is None:
        status, summary = "no_rule", no_rule_reason(prediction, rulebook)
    else:
        status = "predicted"
        verdict = _verdict(prediction.outcome)
        cite = prediction.citation.text if prediction.citation else prediction.deciding_rule
        summary = f"likely {prediction.outcome.value}: {verdict} under {cite}"
    return CheckedItem.model_construct(
        index=prediction.index,
        text=prediction.item.text,
        request=prediction.item,
        topic=prediction.topic,
        status=status,
        outcome=prediction.outcome,
        summary=summary,
        deciding_rule=prediction.deciding_rule,
        citation=prediction.citation,
        because=prediction.because,
        fired=prediction.fired,
        missing=prediction.missing,
        near_misses=prediction.near_misses,
        expected=expected,
        error=prediction.error,
    )


def checked_case(case: Case, predictions: list[Prediction], rulebook: Rulebook, engine: str) -> CheckedCase:
    return CheckedCase.model_construct(
        file=case.file,
        status="ok",
        title=case.title,
        as_of=case.as_of,
        as_of_source=case.as_of_source,
        note=case.note,
        engine=engine,
        items=[checked_item(p, rulebook, case.expected[p.index]) for p in predictions],
    )


def failed_case(file: str, error: str) -> CheckedCase:
    return CheckedCase.model_construct(file=file, status="error", error=error)


# ---------------------------------------------------------------- text


class Style:
    """ANSI colour when asked for, plain text otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def outcome(self, decision: Decision | None, text: str) -> str:
        code = {Decision.upheld: "1;31", Decision.overturned: "1;32"}.get(decision, "1;33")  # type: ignore[arg-type]
        return self._wrap(code, text)


def use_color(stream: IO[str]) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org) or the terminal is dumb."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _wrapped(text: str, indent: str, first: str | None = None) -> list[str]:
    lead = first if first is not None else indent
    return textwrap.wrap(" ".join(text.split()), width=WIDTH, initial_indent=lead, subsequent_indent=indent,
                         break_on_hyphens=False) or [lead]


def _quote(evidence: Evidence, limit: int = 150) -> str:
    text = " ".join(evidence.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    quoted = evidence.source in ("note", "summary", "rationale", "item")
    return f'{evidence.source}: "{text}"' if quoted else text


def _value(name: str, value: Any, catalogue: Catalogue | None) -> str:
    words = format_value(value)
    spec = catalogue.get(name) if catalogue is not None else None
    if spec is not None and spec.unit and isinstance(value, int | float) and not isinstance(value, bool):
        words += f" {spec.unit}"
    return words


def outcome_words(item: CheckedItem) -> str:
    if item.status == "error":
        return "NOT EVALUATED"
    if item.outcome is None:
        return "NO PREDICTION"
    return item.outcome.value.upper()


def render_facts(rule: FiredRule, style: Style, catalogue: Catalogue | None, indent: str) -> list[str]:
    """The facts a rule read, each with where it was read."""
    out = []
    for used in rule.facts:
        out.append(f"{indent}- {used.name} = {_value(used.name, used.value, catalogue)}")
        for evidence in used.evidence[:2]:
            out.extend(style.dim(line) for line in _wrapped(_quote(evidence), indent + "    "))
        if not used.evidence:
            out.append(style.dim(f"{indent}    (not found in the record)" if used.value is None else
                                 f"{indent}    (no source recorded)"))
    return out


def render_prediction(item: CheckedItem, style: Style, catalogue: Catalogue | None = None,
                      indent: str = "    ", label: str = "Likely outcome") -> list[str]:
    """The body of one item: outcome, guideline, why, facts, checklist and near misses."""
    pad = indent + " " * 17
    head = f"{indent}{label:<16} "
    out = []
    if item.status != "predicted":
        out.append(head + style.outcome(None, outcome_words(item)))
        out.extend(_wrapped(item.summary[0].upper() + item.summary[1:], pad))
        out.extend(_near_misses(item.near_misses, "Closest rules", style, indent))
        return out
    out.append(head + style.outcome(item.outcome, outcome_words(item)) + f" ({_verdict(item.outcome)})")
    deciding = item.fired[0] if item.fired else None
    if item.citation is not None:
        out.append(f"{indent}{'Guideline':<16} {style.bold(item.citation.text)}")
    if deciding is not None:
        out.extend(_wrapped(f"{deciding.id}: {deciding.title}", pad, f"{indent}{'Rule':<16} "))
    if item.because:
        out.extend(_wrapped(item.because, pad, f"{indent}{'Why':<16} "))
    if deciding is not None and deciding.facts:
        out.append(f"{indent}Facts behind it")
        out.extend(render_facts(deciding, style, catalogue, indent + "  "))
    elif deciding is not None:
        out.append(f"{indent}{'Facts behind it':<16} none: the rule applies to every request of its kind")
    others = item.fired[1:]
    if others:
        out.append(f"{indent}Also fired")
        for rule in others:
            note = f", overridden by {rule.overridden_by}" if rule.overridden_by else ""
            out.extend(_wrapped(f"{rule.id} ({rule.effect.value}{note})", indent + "    ", indent + "  - "))
    if item.outcome == Decision.upheld and item.missing:
        out.append(f"{indent}To document for approval")
        for need in item.missing:
            out.extend(_wrapped(need, indent + "      ", indent + "  [ ] "))
    elif item.outcome == Decision.upheld:
        out.append(f"{indent}{'For approval':<16} no rule of this topic would approve it as requested")
    flips = [m for m in item.near_misses if m.effect != item.outcome]
    if item.outcome == Decision.overturned:
        out.extend(_near_misses(flips, "Would be upheld if", style, indent))
    return out


def _near_misses(misses: list[NearMiss], title: str, style: Style, indent: str, limit: int = 3) -> list[str]:
    if not misses:
        return []
    out = [f"{indent}{title}"]
    for miss in misses[:limit]:
        out.extend(_wrapped(f"{miss.id} ({miss.effect.value}, {miss.citation.text})", indent + "    ",
                            indent + "  - "))
        for failed in miss.failed:
            lines = _wrapped(failed.needs, indent + "      ", indent + "    · ")
            out.extend(style.dim(line) for line in lines)
    if len(misses) > limit:
        out.append(style.dim(f"{indent}  ({len(misses) - limit} more in --json)"))
    return out


_AS_OF_WORDS = {
    "option": "--as-of",
    "as_of": "the case file's as_of",
    "request_date": "the case file's request_date",
    "note": "the latest date in the note",
    "today": "today: the case file gives no date",
}


def render_case(case: CheckedCase, style: Style, catalogue: Catalogue | None = None) -> str:
    """A case file's items, for a person."""
    out = [style.bold(f"== {case.file}")]
    if case.status == "error":
        out.append(f"   could not be read: {case.error}")
        return "\n".join(out)
    if case.title:
        out.extend(_wrapped(case.title, "   "))
    dated = f"   guidelines in force on {case.as_of.isoformat() if case.as_of else '?'}"
    if case.as_of_source:
        dated += f" ({_AS_OF_WORDS[case.as_of_source]})"
    if case.note:
        dated += "; facts also read from the note" + (f" {case.note}" if case.note != "note" else "")
    out.append(style.dim(dated))
    for item in case.items:
        out.append("")
        topic = f"  [{item.topic}]" if item.topic else ""
        out.extend(_wrapped(f"{item.index + 1}. {item.text}", "    ", " "))
        if topic:
            out[-1] += style.dim(topic)
        out.extend(render_prediction(item, style, catalogue))
        if item.expected is not None:
            mark = "matches" if item.expected == item.outcome else "DIFFERS"
            out.append(f"    {'Expected':<16} {item.expected.value} ({mark})")
    return "\n".join(out)


def render_report(report: CheckReport, style: Style, catalogue: Catalogue | None = None) -> str:
    """Every case read, then one line of totals (unreadable files are reported on stderr, and counted)."""
    blocks = [render_case(case, style, catalogue) for case in report.cases if case.status == "ok"]
    return "".join(block + "\n\n" for block in blocks) + totals(report) + "\n"


def totals(report: CheckReport) -> str:
    items = [item for case in report.cases for item in case.items]
    upheld = sum(item.outcome == Decision.upheld for item in items)
    overturned = sum(item.outcome == Decision.overturned for item in items)
    no_rule = sum(item.status == "no_rule" for item in items)
    errors = sum(item.status == "error" for item in items)
    bad = sum(case.status == "error" for case in report.cases)
    parts = [f"{len(report.cases)} case file{'s' if len(report.cases) != 1 else ''}",
             f"{len(items)} item{'s' if len(items) != 1 else ''}: {overturned} likely Overturned, "
             f"{upheld} likely Upheld, {no_rule} not covered by any rule"]
    if errors:
        parts.append(f"{errors} not evaluated")
    if bad:
        parts.append(f"{bad} unreadable case file{'s' if bad != 1 else ''}")
    expected = [item for item in items if item.expected is not None]
    if expected:
        met = sum(item.expected == item.outcome for item in expected)
        parts.append(f"{met} of {len(expected)} as expected")
    return "; ".join(parts)


# ---------------------------------------------------------------- letters explained


_AGREEMENT_WORDS = {
    "agree": "the rules agree",
    "disagree": "the rules DISAGREE",
    "no_prediction": "no rule decides",
    "not_evaluated": "not evaluated",
}


def render_letter(letter: LetterExplanation, style: Style, catalogue: Catalogue | None = None) -> str:
    """A letter's items: the reviewer's decision, then the rules', then why they differ."""
    out = [style.bold(f"== {letter.file}")]
    if letter.status == "error":
        out.append(f"   could not be read: {letter.error}")
        return "\n".join(out)
    decided = letter.decision_date
    header = [f"decided {decided.isoformat()}" if decided else "decision date not found",
              f"injury {letter.date_of_injury.isoformat()}" if letter.date_of_injury else None,
              f"guidelines in force on {letter.as_of.isoformat()}" if letter.as_of else None,
              f"facts read in {letter.mode} mode"]
    out.append(style.dim("   " + "; ".join(h for h in header if h)))
    for item in letter.items:
        out.append("")
        out.extend(_wrapped(f"{item.index + 1}. {item.text}", "    ", " "))
        reviewer = style.outcome(item.actual, item.actual.value.upper())
        out.extend(_wrapped(f"{reviewer} citing {item.reviewer_citation or 'no guideline line'}",
                            "    " + " " * 17, f"    {'Reviewer':<16} "))
        out.extend(render_prediction(item.prediction, style, catalogue, label="Rules"))
        out.append(f"    {'Comparison':<16} {style.bold(_AGREEMENT_WORDS[item.agreement])}")
        for sentence in item.why:
            out.extend(_wrapped(sentence, "      ", "    - "))
        if item.agreement == "disagree" and item.toward_actual:
            title = f"Would have given {item.actual.value}"
            out.extend(_near_misses(item.toward_actual, title, style, "    "))
    return "\n".join(out)


def render_explanations(report: ExplainReport, style: Style, catalogue: Catalogue | None = None) -> str:
    blocks = [render_letter(letter, style, catalogue) for letter in report.letters]
    items = [item for letter in report.letters for item in letter.items]
    counts = {key: sum(item.agreement == key for item in items) for key in _AGREEMENT_WORDS}
    line = (f"{len(report.letters)} letter{'s' if len(report.letters) != 1 else ''}, {len(items)} items: "
            f"{counts['agree']} agree, {counts['disagree']} disagree, "
            f"{counts['no_prediction']} not covered by any rule")
    if counts["not_evaluated"]:
        line += f", {counts['not_evaluated']} not evaluated"
    return "\n\n".join(blocks) + "\n\n" + line + "\n"
