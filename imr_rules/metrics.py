"""How well the rules predict a set of letters: pure functions over item results.

Nine in ten IMR items are upheld, so a plain accuracy says little. Every score
here is given per class, with coverage, and beside the predictor that always
says "Upheld".

Conventions, used everywhere in this module:

- "No prediction" is a predicted label of its own (`none`). It is never the
  actual label, so it never agrees: in recall it is a miss, and in Cohen's kappa
  it is a third column that adds nothing to the agreement expected by chance.
- Accuracy is over predicted items only; coverage says how many those are.
- A recall is None for a class with no items; balanced accuracy is the mean of
  the recalls that exist. Kappa is None when chance agreement is 1.
- Items whose actual decision is unknown are not scored.
- Citation agreement is given at two levels over the same items: the guideline
  family alone, and family with section (or pages). The first is never lower.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from pydantic import Field

from imr_rules.letters import Citation, Decision, SourceFamily
from imr_rules.model import Model
from imr_rules.results import GuidelineRef, ItemResult, LetterResult

NONE = "none"
CLASSES: tuple[str, ...] = (Decision.upheld.value, Decision.overturned.value)
PREDICTED_LABELS: tuple[str, ...] = (*CLASSES, NONE)
UNKNOWN_TOPIC = "unknown"

Confusion = dict[str, dict[str, int]]


class Figures(Model):
    """The figures of one predictor on one set of items."""

    accuracy: float | None = Field(description="Correct / predicted items")
    recall: dict[str, float | None] = Field(description="Per actual class; no prediction is a miss")
    balanced_accuracy: float | None
    kappa: float | None


class CitationAgreement(Model):
    """How often the deciding rule's guideline matches the letter's, at one level of detail."""

    agree: int
    compared: int = Field(description="Predicted items whose letter cites a guideline")
    rate: float | None


class Score(Figures):
    """Figures of the rules on a set of items, with the always-Upheld baseline beside them."""

    items: int
    predicted: int
    correct: int
    coverage: float | None
    confusion: Confusion = Field(description="actual -> predicted (Upheld, Overturned, none) -> count")
    citation_agreement: CitationAgreement = Field(description="Family and section (or pages) agree")
    citation_family_agreement: CitationAgreement = Field(description="Family agrees, whatever the section")
    always_upheld: Figures


class RuleStats(Model):
    fired: int = 0
    decided: int = 0
    matched: int = Field(0, description="Firings whose effect equals the letter's decision")


class Failure(Model):
    file: str
    error: str


class Summary(Model):
    mode: str | None = None
    as_of: str | None = Field(None, description="'letter' (each letter's decision date) or an ISO date")
    files: int
    letters_read: int
    letters_failed: int
    failures: list[Failure]
    overall: Score
    by_topic: dict[str, Score] = Field(description="Keyed by the topic of the letter's citation")
    by_guideline: dict[str, Score] = Field(description="Keyed by the family of the letter's citation")
    rules: dict[str, RuleStats]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def labelled(items: Iterable[ItemResult]) -> list[ItemResult]:
    """The items that can be scored: those whose actual decision is known."""
    return [item for item in items if item.actual is not None]


def predicted_label(item: ItemResult) -> str:
    return item.predicted.value if item.predicted is not None else NONE


def confusion(items: Iterable[ItemResult]) -> Confusion:
    """Count items by actual decision and predicted label (no prediction is `none`)."""
    table = {actual: dict.fromkeys(PREDICTED_LABELS, 0) for actual in CLASSES}
    for item in labelled(items):
        table[item.actual.value][predicted_label(item)] += 1
    return table


def figures(table: Confusion) -> Figures:
    """Accuracy, recalls, balanced accuracy and kappa from a confusion table."""
    rows = {actual: sum(table[actual].values()) for actual in CLASSES}
    columns = {label: sum(table[actual][label] for actual in CLASSES) for label in PREDICTED_LABELS}
    total = sum(rows.values())
    agree = sum(table[c][c] for c in CLASSES)
    recall = {c: _ratio(table[c][c], rows[c]) for c in CLASSES}
    present = [r for r in recall.values() if r is not None]
    kappa = None
    if total:
        observed = agree / total
        chance = sum(rows[c] * columns[c] for c in CLASSES) / (total * total)
        kappa = (observed - chance) / (1 - chance) if chance < 1 else None
    return Figures(
        accuracy=_ratio(agree, total - columns[NONE]),
        recall=recall,
        balanced_accuracy=sum(present) / len(present) if present else None,
        kappa=kappa,
    )


def always_upheld(table: Confusion) -> Confusion:
    """The confusion table of a predictor that says "Upheld" for every item."""
    out = {actual: dict.fromkeys(PREDICTED_LABELS, 0) for actual in CLASSES}
    for actual in CLASSES:
        out[actual][Decision.upheld.value] = sum(table[actual].values())
    return out


_NOT_WORD = re.compile(r"[^0-9a-z]+")
_JOINS = re.compile(r"\s+and\s+|\s*&\s*|\s*;\s*")
_PAGE_RANGE = re.compile(r"(\d+)\s*(?:-\s*(\d+))?")


def _words(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def _same_section(a: str, b: str) -> bool:
    """Sections agree when one names the other, word for word ("Opioids" / "Opioids, criteria for use")."""
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    short, long = sorted((x, y), key=len)
    return long == short or long.startswith(short + " ")


def _section_names(section: str) -> list[str]:
    """A cited section, and the sections it joins: letters often name two in one ("Insomnia treatment
    and Zolpidem", "Antidepressants for chronic pain and Cymbalta")."""
    parts = [p for p in _JOINS.split(section) if p.strip()]
    return [section, *parts] if len(parts) > 1 else [section]


def _page_ranges(pages: str) -> list[tuple[int, int]]:
    ranges = []
    for low, high in _PAGE_RANGE.findall(pages):
        ranges.append((int(low), int(high or low)))
    return ranges


def _pages_overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    return any(lo1 <= hi2 and lo2 <= hi1 for lo1, hi1 in a for lo2, hi2 in b)


def citation_agrees(ref: GuidelineRef, cited: Citation) -> bool:
    """Does a rule's guideline match any guideline the letter names?

    The family must match. Where both give pages (the 2009 guidelines were cited by
    page) the page ranges must overlap; otherwise, where both name a section, the
    sections must match, a rule's section being allowed to carry the chapter the
    letter names apart ("Pain (Chronic), Zolpidem (Ambien)" against chapter "Pain
    (Chronic)", section "Zolpidem (Ambien)"), and a letter's section that joins two ("Insomnia
    treatment and Zolpidem") being matched by either.
    """
    parts = cited.parts or []
    if not parts:
        return ref.family == cited.family
    for part in parts:
        if part.family != ref.family:
            continue
        if ref.pages and part.pages:
            if _pages_overlap(_page_ranges(ref.pages), part.pages):
                return True
            continue
        if ref.section and part.sections:
            names = [ref.section]
            chapter = _words(part.chapter or "")
            if chapter and _words(ref.section).startswith(chapter + " "):
                names.append(_words(ref.section)[len(chapter) + 1:])
            cited_names = [name for section in part.sections for name in _section_names(section)]
            if any(_same_section(name, section) for name in names for section in cited_names):
                return True
            continue
        return True
    return False


def citation_family_agrees(ref: GuidelineRef, cited: Citation) -> bool:
    """Is a rule's guideline family one the letter names? The coarse measure: sections are not compared.

    Whenever `citation_agrees` holds this holds too, so the two figures bracket how well
    the rules name the reviewer's guideline.
    """
    families = {part.family for part in cited.parts} or {cited.family}
    return ref.family in families


def citation_agreement(
    items: Iterable[ItemResult], agrees: Callable[[GuidelineRef, Citation], bool] = citation_agrees
) -> CitationAgreement:
    """Over predicted items whose letter cites a guideline: how often the deciding rule's guideline agrees.

    `agrees` sets the level of detail (`citation_agrees`: family and section;
    `citation_family_agrees`: family alone). A predicted item whose rule gives no
    guideline counts as disagreeing at either level.
    """
    agree = compared = 0
    for item in items:
        cited = item.actual_citation
        if item.predicted is None or cited is None or cited.family == SourceFamily.none_cited:
            continue
        compared += 1
        agree += item.citation is not None and agrees(item.citation, cited)
    return CitationAgreement(agree=agree, compared=compared, rate=_ratio(agree, compared))


class _Marks(NamedTuple):
    """What one scored item brings to every score it counts in, worked out once per item:
    a summary scores each item three times (overall, by topic, by guideline)."""

    actual: str
    predicted: str  # a label of PREDICTED_LABELS
    compared: bool  # predicted, and its letter cites a guideline
    agrees: bool  # family and section
    family_agrees: bool


def _marks(item: ItemResult) -> _Marks:
    """The marks of a labelled item (one whose actual decision is known)."""
    cited = item.actual_citation
    compared = item.predicted is not None and cited is not None and cited.family != SourceFamily.none_cited
    agrees = family_agrees = False
    if compared and item.citation is not None:
        agrees = citation_agrees(item.citation, cited)  # type: ignore[arg-type]
        family_agrees = citation_family_agrees(item.citation, cited)  # type: ignore[arg-type]
    return _Marks(item.actual.value, predicted_label(item), compared, agrees, family_agrees)  # type: ignore[union-attr]


def _score_of(marks: Sequence[_Marks]) -> Score:
    """Every figure for one set of labelled items, from their marks."""
    table = {actual: dict.fromkeys(PREDICTED_LABELS, 0) for actual in CLASSES}
    compared = agree = family_agree = 0
    for mark in marks:
        table[mark.actual][mark.predicted] += 1
        if mark.compared:
            compared += 1
            agree += mark.agrees
            family_agree += mark.family_agrees
    predicted = len(marks) - sum(table[actual][NONE] for actual in CLASSES)
    correct = sum(table[actual][actual] for actual in CLASSES)
    return Score(
        **figures(table).model_dump(),
        items=len(marks),
        predicted=predicted,
        correct=correct,
        coverage=_ratio(predicted, len(marks)),
        confusion=table,
        citation_agreement=CitationAgreement(agree=agree, compared=compared, rate=_ratio(agree, compared)),
        citation_family_agreement=CitationAgreement(
            agree=family_agree, compared=compared, rate=_ratio(family_agree, compared)
        ),
        always_upheld=figures(always_upheld(table)),
    )


def score(items: Sequence[ItemResult]) -> Score:
    """Every figure for one set of items."""
    return _score_of([_marks(item) for item in labelled(items)])


def topic_key(item: ItemResult) -> str:
    return item.actual_topic or UNKNOWN_TOPIC


def guideline_key(item: ItemResult) -> str:
    return item.actual_citation.family.value if item.actual_citation else SourceFamily.none_cited.value


def score_by(items: Sequence[ItemResult], key: Callable[[ItemResult], str]) -> dict[str, Score]:
    """Scores per group, groups sorted by name."""
    return _score_groups([(item, _marks(item)) for item in labelled(items)], key)


def _score_groups(
    marked: Sequence[tuple[ItemResult, _Marks]], key: Callable[[ItemResult], str]
) -> dict[str, Score]:
    groups: dict[str, list[_Marks]] = defaultdict(list)
    for item, mark in marked:
        groups[key(item)].append(mark)
    return {name: _score_of(groups[name]) for name in sorted(groups)}


def rule_stats(items: Iterable[ItemResult]) -> dict[str, RuleStats]:
    """Per rule: items it fired on, items it decided, firings whose effect matched the letter."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # fired, decided, matched
    for item in items:
        effects: dict[str, Decision | None] = {}
        for hit in item.rules:
            effects.setdefault(hit.id, hit.effect)
        actual = item.actual
        for rule_id, effect in effects.items():
            count = counts[rule_id]
            count[0] += 1
            count[2] += actual is not None and effect == actual
        if item.deciding_rule is not None:
            counts[item.deciding_rule][1] += 1
    return {rule_id: RuleStats(fired=fired, decided=decided, matched=matched)
            for rule_id, (fired, decided, matched) in sorted(counts.items())}


def summarize(letters: Sequence[LetterResult], mode: str | None = None, as_of: str | None = None) -> Summary:
    """The whole run: accounting of files, scores overall, per topic, per guideline, per rule."""
    items = [item for letter in letters for item in letter.items]
    marked = [(item, _marks(item)) for item in labelled(items)]
    failures = [Failure(file=letter.file, error=letter.error or "") for letter in letters
                if letter.status == "error"]
    return Summary(
        mode=mode,
        as_of=as_of,
        files=len(letters),
        letters_read=len(letters) - len(failures),
        letters_failed=len(failures),
        failures=failures,
        overall=_score_of([mark for _, mark in marked]),
        by_topic=_score_groups(marked, topic_key),
        by_guideline=_score_groups(marked, guideline_key),
        rules=rule_stats(items),
    )
