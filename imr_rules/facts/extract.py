"""Reading a note, a case summary or a whole letter into case facts, in the two modes of DESIGN.md."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from imr_rules.facts.derive import _build, _derive
from imr_rules.facts.document import _Doc
from imr_rules.facts.itemviews import _ItemView, _view
from imr_rules.facts.mentions import _read_lexicon
from imr_rules.facts.observations import _Acc, _dedupe, _Obs
from imr_rules.facts.readers import (
    _read_concurrent,
    _read_conservative_failed,
    _read_conservative_weeks,
    _read_dates,
    _read_imaging,
    _read_item_text,
    _read_items,
    _read_pain,
    _read_patient,
    _read_surgery,
    _read_suspected_entrapment,
    _read_uds,
)
from imr_rules.facts.totals import _item_totals, partial_authorization
from imr_rules.facts.values import CaseFacts, Evidence, FactValue, Mode, Source, _evidence, _fact_value
from imr_rules.sentences import clean

if TYPE_CHECKING:
    from imr_rules.items import RequestedItem
    from imr_rules.letters import Letter


def _read(doc: _Doc, acc: _Acc, as_of: date | None) -> None:
    """Every reader over one text (the dates are read first, by the caller)."""
    _read_lexicon(doc, acc)
    _read_uds(doc, acc, as_of)
    _read_imaging(doc, acc)
    _read_suspected_entrapment(doc, acc)
    _read_patient(doc, acc)
    _read_pain(doc, acc)
    _read_conservative_weeks(doc, acc)
    _read_conservative_failed(doc, acc)
    _read_items(doc, acc, as_of)
    _read_surgery(doc, acc, as_of)
    _read_concurrent(doc, acc)




def _read_summary(text: str, source: Source, views: list[_ItemView], items: list[RequestedItem],
                  as_of: date | None) -> tuple[_Acc, date | None, Evidence | None]:
    """Read the case text and the item texts; the as-of date is the one given, else the latest in the text."""
    acc = _Acc()
    doc = _Doc(text, source, views)
    latest = _read_dates(doc, acc)
    if as_of is None and latest is not None:
        as_of, evidence = latest, acc.obs[(None, "_latest_date")][0].evidence
    elif as_of is not None:
        evidence = _evidence(text=f"as-of date given: {as_of.isoformat()}", source="derived",
                                            start=None, end=None)
    else:
        evidence = None
    _read(doc, acc, as_of)
    for view, item in zip(views, items, strict=True):
        _read_item_text(item.text, view, acc)
    return acc, as_of, evidence


def extract_facts(text: str, items: list[RequestedItem] | None = None, *, source: Source = "note",
                  as_of: date | None = None) -> CaseFacts:
    """The declared case facts of a progress note or a letter's case summary, each with its evidence.

    `items` are the requested items: facts about one item (how long *this* drug has been used, visits of
    *this* therapy already had, whether *it* helped) go to `per_item[i]`, aligned with `items`. Each item's
    own text is read too ('additional', 'renewal', 'repeat'). `as_of` is the date the request is judged
    at (a letter's decision date); without it, the latest clinical date in the text is used. A
    three-valued fact the text never mentions is absent (rules read absent as not documented).
    """
    items = list(items or [])
    views = [_view(i, item) for i, item in enumerate(items)]
    acc, as_of, evidence = _read_summary(text, source, views, items, as_of)
    _derive(acc, as_of)
    facts = _build(acc, len(items), as_of, evidence)
    _item_totals(items, facts)
    return facts


def rationale_sentences(rationale: str) -> list[tuple[str, bool]]:
    """Each sentence of a rationale, and whether it is read in fidelity mode.

    Dropped: sentences that state the decision or medical necessity ('... is not medically
    necessary', 'Therefore, ... is not recommended', 'the request for X is ...'), sentences about
    utilization review, and sentences that only restate a guideline.
    """
    doc = _Doc(rationale, "rationale", [])
    return [(clean(rationale[s.start:s.end]), not doc.skip[i]) for i, s in enumerate(doc.sents)]


def _parse_items(letter: Letter) -> list[RequestedItem]:
    """The letter's items as data; a bare RequestedItem when the item parser is not available."""
    from imr_rules.items import RequestedItem

    try:
        from imr_rules.items import parse_item  # type: ignore[attr-defined]
    except ImportError:  # the item parser is optional here: the text alone still names the item
        parse_item = None
    out: list[RequestedItem] = []
    for letter_item in letter.items:
        parsed = parse_item(letter_item.text) if parse_item is not None else None
        out.append(parsed if parsed is not None else RequestedItem(text=letter_item.text))
    return out


def facts_from_letter(letter: Letter, mode: Mode) -> tuple[list[RequestedItem], CaseFacts]:
    """The requested items and case facts of a letter, in one of the two modes.

    prediction: only what was known before the decision — the clinical case summary and each
    item's text. fidelity: also each item's rationale (its decision sentences removed), read for
    that item alone; the reviewer's findings override the summary's for the item.

    Two dates. `CaseFacts.as_of` (the guideline version) is the letter's decision date, else the
    latest clinical date in the summary. Time windows (weeks since injury, chronic pain at three
    months, weeks of use, weeks of conservative care, weeks since surgery or the last drug screen)
    are measured at the *request*: the clinical reference date is the UR denial date when the
    header gives one, else the decision date, else the latest clinical date. The header's date of
    injury wins over one read from the text.
    """
    if mode not in ("prediction", "fidelity"):
        raise ValueError(f"mode must be 'prediction' or 'fidelity', not {mode!r}")
    items = _parse_items(letter)
    views = [_view(i, item) for i, item in enumerate(items)]
    reference = letter.ur_denial_date or letter.decision_date
    acc, latest, evidence = _read_summary(letter.summary, "summary", views, items, reference)
    if letter.decision_date is not None:
        as_of: date | None = letter.decision_date
        evidence = _evidence(text=f"Decision Date: {letter.decision_date.isoformat()}",
                                            source="header", start=None, end=None)
    else:
        found = acc.obs.get((None, "_latest_date"))
        as_of, evidence = (found[0].value, found[0].evidence) if found else (None, None)
    latest = as_of
    if letter.date_of_injury is not None:
        acc.obs[(None, "injury_date")] = [_Obs(letter.date_of_injury, (-1, 0), _evidence(
            text=f"Date of Injury: {letter.date_of_injury.isoformat()}", source="header", start=None,
            end=None))]
    reference = reference or latest
    _derive(acc, reference)
    facts = _build(acc, len(items), as_of, evidence)
    _letter_item_facts(letter, facts)
    if mode == "fidelity":
        for i, letter_item in enumerate(letter.items):
            if letter_item.rationale.strip():
                _merge_rationale(facts, i, _rationale_facts(letter_item.rationale, views, i, reference))
    _item_totals(items, facts)
    return items, facts


def _letter_item_facts(letter: Letter, facts: CaseFacts) -> None:
    """Facts an item's heading states: the part of the original request UR authorized."""
    for i, item in enumerate(letter.items):
        if i >= len(facts.per_item):
            break
        kind = partial_authorization(item.text, item.authorized)
        if kind is None:
            continue
        said = f"{item.original_request or item.text}; authorized: {item.authorized}; remaining: {item.text}"
        facts.per_item[i]["ur_partial_authorization"] = _fact_value(
            value=kind, evidence=[_evidence(text=clean(said), source="item", start=None,
                                                           end=None)])


def _rationale_facts(rationale: str, views: list[_ItemView], index: int, as_of: date | None) -> dict[str,
                                                                                                     FactValue]:
    """Facts the reviewer's rationale states about item `index` (decision sentences removed)."""
    acc = _Acc()
    _read(_Doc(rationale, "rationale", views, forced=index), acc, as_of)
    _derive(acc, as_of)
    built = _build(acc, len(views), None, None)
    return built.per_item[index]


_MAX_MERGED = frozenset({"weeks_of_use", "prior_sessions"})


def _merge_rationale(facts: CaseFacts, index: int, found: dict[str, FactValue]) -> None:
    """The reviewer's findings for an item override the summary's; diagnoses add up; the longest use stays."""
    own = facts.per_item[index]
    merged = facts.for_item(index)
    for name, fv in found.items():
        before = merged.get(name)
        if name == "diagnoses" and before is not None:
            flags = list(dict.fromkeys([*before.value, *fv.value]))  # type: ignore[misc]
            own[name] = _fact_value(value=flags, evidence=_dedupe([*before.evidence,
                                                                                 *fv.evidence]))
        elif name in _MAX_MERGED and before is not None and before.value >= fv.value:  # type: ignore[operator]
            continue
        else:
            own[name] = fv
