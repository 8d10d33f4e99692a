"""Reading IMR Final Determination Letters into structured data.

A letter's text (extracted from a PDF, or given as text) is read line by line:
blank lines, doubled spaces and page-break debris (page numbers, headers and
footers repeated on every page) are dropped first, so that what is left is the
letter's own lines. Headings split it into sections; in the decisions section
each `<item>: Upheld|Overturned` line opens an item, whose heading may wrap over
several lines, and the labelled lines after it (`Claims Administrator
guideline:`, `MAXIMUS guideline:`, `Decision rationale:`) fill its fields.
Older layouts (2013-2014) are read into at least their items and decisions.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import ConfigDict, Field

from imr_rules.dates import parse_date
from imr_rules.errors import InputError
from imr_rules.model import Model
from imr_rules.regexes import compile as _rx_compile


class Decision(StrEnum):
    upheld = "Upheld"
    overturned = "Overturned"


class SourceFamily(StrEnum):
    mtus_cpmtg_2009 = "MTUS Chronic Pain 2009"
    mtus_cpmtg_2016 = "MTUS Chronic Pain 2016"
    mtus_opioids_2016 = "MTUS Opioid Treatment 2016"
    mtus_acoem = "MTUS ACOEM"
    mtus_acupuncture = "MTUS Acupuncture"
    mtus_postsurgical = "MTUS Postsurgical"
    odg = "ODG"
    other_non_mtus = "Other non-MTUS"
    none_cited = "None cited"
    unknown = "unknown"


class CitationPart(Model):
    """One guideline named in a MAXIMUS line."""

    family: SourceFamily
    chapter: str | None = Field(None, description="e.g. 'Low Back Complaints 2004'")
    sections: list[str] = Field(default_factory=list)
    pages: list[tuple[int, int]] = Field(default_factory=list, description="inclusive page ranges")
    text: str = ""


class Citation(Model):
    """The guideline a reviewer relied on, parsed from the MAXIMUS guideline line."""

    family: SourceFamily = Field(description="Family of the first (governing) source named")
    parts: list[CitationPart] = Field(default_factory=list)
    text: str = ""


class LetterItem(Model):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The item under review (for a partly authorized request, what remains)")
    decision: Decision
    original_request: str | None = Field(None, description="For partly authorized requests")
    authorized: str | None = Field(None, description="The part the claims administrator authorized, if any")
    heading: str = Field("", description="The item's heading as the letter writes it, before the decision")
    claims_administrator_guideline: str | None = None
    maximus_guideline: str | None = None
    citation: Citation | None = None
    rationale: str = ""
    line: int | None = Field(None, description="Line of the input text where the item's decision stands")


class Reviewer(Model):
    licensure: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)


LAYOUTS = ("standard", "imr_decisions", "issue_at_dispute")


class Letter(Model):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(None, description="File the letter was read from")
    layout: str = Field(
        "standard",
        description="standard (IMR ISSUES, DECISIONS AND RATIONALES) | imr_decisions "
        "(IMR DECISION(S) AND RATIONALE(S)) | issue_at_dispute (ISSUE AT DISPUTE / CASE SUMMARY)",
    )
    case_number: str | None = None
    date_assigned: date | None = None
    date_of_injury: date | None = None
    decision_date: date | None = None
    ur_denial_date: date | None = None
    priority: str | None = None
    application_received: date | None = None
    reviewer: Reviewer = Field(default_factory=Reviewer)
    summary: str = ""
    items: list[LetterItem] = Field(default_factory=list)


# --- reading ------------------------------------------------------------------


def read_letter(path: str | Path) -> Letter:
    """Read and parse a letter file (.txt or .pdf); any problem is an InputError naming the file."""
    from imr_rules.pdftext import read_text

    text = read_text(path)
    try:
        return parse_letter(text, source=str(path))
    except InputError as err:
        err.path = err.path or str(path)
        raise


def parse_letter(text: str, source: str | None = None) -> Letter:
    """The letter in `text`: header, reviewer, case summary and every disputed item in letter order.

    Raises InputError("not an IMR letter: ...") for text with neither IMR headings
    nor items, and InputError("no disputed items found") for a letter without items.
    """
    doc = _prepare(text)
    if not doc.lines:
        raise InputError("empty file", source)
    headings = _find_headings(doc)
    kinds = {kind: index for index, kind in reversed(headings)}  # the first heading of each kind
    if "issues" in kinds:
        layout, section = "standard", kinds["issues"]
    elif "decisions" in kinds:
        layout, section = "imr_decisions", kinds["decisions"]
    elif "dispute" in kinds or "rationale" in kinds:
        layout, section = "issue_at_dispute", kinds.get("dispute", kinds.get("rationale"))
    else:
        layout, section = "standard", None

    first_heading = headings[0][0] if headings else min(len(doc.lines), 12)
    header = _header(doc.join(doc.lines[:first_heading]))
    summary = _SUMMARY_INTRO.sub("", doc.join(doc.section(headings, "summary")), count=1)
    reviewer = _reviewer(doc, headings)

    if layout == "issue_at_dispute":
        items = _dispute_items(doc, headings)
    else:
        start, end = (section + 1, _section_end(headings, section, len(doc.lines))) if section is not None \
            else (0, len(doc.lines))
        items = _standard_items(doc, start, end)
        if not items and layout == "imr_decisions":
            items = _numbered_items(doc, start, end)

    if not items:
        if not headings:
            raise InputError("not an IMR letter: no IMR headings and no disputed items found", source)
        if section is None:
            problem = "no disputed items found: the letter has no decisions section (is it cut short?)"
            raise InputError(problem, source)
        raise InputError("no disputed items found", source, doc.numbers[section])

    from imr_rules.citations import parse_citation

    decided = header.get("decision_date")
    for item in items:
        if item.maximus_guideline is not None:
            item.citation = parse_citation(item.maximus_guideline, decided)
    return Letter(
        source=source,
        layout=layout,
        case_number=header.get("case_number"),
        date_assigned=header.get("date_assigned"),
        date_of_injury=header.get("date_of_injury") or _injury_date(summary),
        decision_date=decided,
        ur_denial_date=header.get("ur_denial_date"),
        priority=header.get("priority"),
        application_received=header.get("application_received"),
        reviewer=reviewer,
        summary=summary,
        items=items,
    )


# --- the letter's lines ---------------------------------------------------------------

_WORDS = _rx_compile(r"[a-z]+(?:-[a-z]+)*")
_TAIL_WORD = _rx_compile(r"([A-Za-z]+)-$")
_HEAD_WORD = _rx_compile(r"^([a-z]+)")


class _Doc:
    """The letter's non-blank lines after clean-up, and the input line number of each.

    It also joins wrapped lines back into running text, undoing hyphenation
    where the letter itself shows how: a word broken at a line end ("medi-" /
    "cally") loses its hyphen when the letter spells it whole elsewhere, and
    keeps it otherwise ("long-" / "term"). The letter's words are the only dictionary.
    """

    __slots__ = ("lines", "numbers", "_lowered")

    def __init__(self, lines: list[str], numbers: list[int]) -> None:
        self.lines = lines
        self.numbers = numbers
        self._lowered: str | None = None

    def section(self, headings: list[tuple[int, str]], kind: str) -> list[str]:
        """The lines under the first heading of this kind, up to the next heading."""
        for index, found in headings:
            if found == kind:
                return self.lines[index + 1:_section_end(headings, index, len(self.lines))]
        return []

    def join(self, texts: Sequence[str]) -> str:
        out = " ".join(texts)
        if "- " not in out and "\u00ad" not in out:
            return out
        pieces: list[str] = []
        for text in texts:
            if pieces:
                last = pieces[-1]
                if last.endswith("\u00ad"):
                    pieces[-1] = last[:-1]
                elif last.endswith("-") and last[-2:-1].isalnum() and text[:1].isalnum():
                    if self._dehyphenate(last, text):
                        pieces[-1] = last[:-1]
                else:
                    pieces.append(" ")
            pieces.append(text)
        return "".join(pieces).replace("\u00ad", "")

    def _dehyphenate(self, left: str, right: str) -> bool:
        tail = _TAIL_WORD.search(left)
        head = _HEAD_WORD.match(right)
        if not tail or not head:
            return False
        first, second = tail.group(1).lower(), head.group(1)
        if self._lowered is None:
            self._lowered = " ".join(self.lines).lower()
        if _is_word(self._lowered, f"{first}-{second}"):
            return False
        return _is_word(self._lowered, first + second)


def _is_letter(text: str, index: int) -> bool:
    return 0 <= index < len(text) and "a" <= text[index] <= "z"


def _is_word(text: str, word: str) -> bool:
    """Is `word` one of the words of `text` as `_WORDS` reads them (letters joined by single hyphens)?

    Finding the word and looking at its ends is far cheaper than listing every word of a letter
    to look up one or two broken at a line end.
    """
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        glued_before = _is_letter(text, at - 1) or (text[at - 1:at] == "-" and _is_letter(text, at - 2))
        glued_after = _is_letter(text, end) or (text[end:end + 1] == "-" and _is_letter(text, end + 1))
        if not glued_before and not glued_after:
            return True
        at = text.find(word, at + 1)
    return False


_SPACES = _rx_compile(r"[\t\u00a0\u2000-\u200b\u202f\u3000][ \t\u00a0\u2000-\u200b\u202f\u3000]*| {2,}")
_ODD_SPACES = "\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u3000"
_PAGE_MARK = _rx_compile(
    r"^(?:Page\s*\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|-\s*\d{1,3}\s*-|\d{1,3}\s+of\s+\d{1,3})$", re.I
)
_CASE_HEADER = _rx_compile(r"^(?:(?:IMR\s+)?Case\s*(?:Number|No\.?|#)\s*:?\s*)?[A-Z]{2}\d{2}-\d{7}$", re.I)
_DIGITS = _rx_compile(r"\d+")
_LETTERS = _rx_compile(r"[A-Za-z]{3}")  # a running head has words; a line of digits is content
_DEBRIS_FIRST = frozenset("PpCcIi-0123456789")
_HEADER_LINES = 5  # a case number alone on a line is the letter's header here, a page header after
_NEAR_BREAK = 2  # lines before or after a page break that may be a running header or footer


def _prepare(text: str) -> _Doc:
    """The letter's non-blank lines, whitespace collapsed, page-break debris removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufffe" in text:  # PDFium's mark for a hyphen at a line end
        text = text.replace("\ufffe", "-")
    breaks: list[int] = []  # positions in `lines` where a new page starts
    lines: list[str] = []
    numbers: list[int] = []
    first = 1  # input line number of the page's first line
    for page_number, page in enumerate(text.split("\f")):
        if page_number:
            breaks.append(len(lines))
        raw = page.split("\n")
        stripped = [line.strip() for line in raw]
        numbers.extend([first + offset for offset, line in enumerate(stripped) if line])
        lines.extend([line for line in stripped if line])
        first += len(raw) - 1
    if not text.isascii() and any(space in text for space in _ODD_SPACES):  # faster than a regex
        lines = [_SPACES.sub(" ", line).strip() for line in lines]
    elif "  " in text or "\t" in text:
        lines = [" ".join(line.split()) if "  " in line or "\t" in line else line for line in lines]
    drop = _debris(lines, breaks)
    if drop:
        numbers = [n for i, n in enumerate(numbers) if i not in drop]
        lines = [line for i, line in enumerate(lines) if i not in drop]
    return _Doc(lines, numbers)


def _debris(lines: list[str], breaks: list[int]) -> set[int]:
    """Page numbers ("Page 2 of 4"), case numbers repeated as page headers, and running heads."""
    drop = set()
    for index in [i for i, line in enumerate(lines) if len(line) <= 40 and line[0] in _DEBRIS_FIRST]:
        line = lines[index]
        if _PAGE_MARK.match(line):
            drop.add(index)
        elif index >= _HEADER_LINES and "-" in line and _CASE_HEADER.match(line):
            drop.add(index)
    if lines and lines[-1].isdigit() and len(lines[-1]) <= 3:  # the last page's number
        drop.add(len(lines) - 1)
    if breaks:
        drop |= _running_heads(lines, breaks)
    return drop


def _running_heads(lines: list[str], breaks: list[int]) -> set[int]:
    """Page numbers beside page breaks, and running headers and footers.

    A running header stands at the same place after at least half of the page
    breaks and also at the top of the first page; a running footer, before them
    and at the foot of the last page (digits aside, so "page 2" matches "page 3").
    Content that merely repeats near a few breaks is neither.
    """
    near: dict[tuple[int, str], list[int]] = {}
    drop = set()
    for position in breaks:
        for index in range(max(0, position - _NEAR_BREAK), min(len(lines), position + _NEAR_BREAK)):
            line = lines[index]
            if (index == position or index == position - 1) and line.isdigit() and len(line) <= 3:
                drop.add(index)
            elif _could_be_running_head(line):
                near.setdefault((index - position, _DIGITS.sub("#", line)), []).append(index)
    if not near:
        return drop
    top = {_DIGITS.sub("#", line): index for index, line in enumerate(lines[:_NEAR_BREAK + 1])}
    foot = len(lines) - _NEAR_BREAK - 1
    bottom = {_DIGITS.sub("#", line): index for index, line in enumerate(lines[foot:], start=foot)}
    needed = max(1, (len(breaks) + 1) // 2)
    for (offset, key), indexes in near.items():
        if len(set(indexes)) < needed:
            continue
        anchor = (top if offset >= 0 else bottom).get(key)
        if anchor is not None and anchor not in indexes:  # the first page's head, or the last page's foot
            drop.update(indexes)
            if offset < 0:
                drop.add(anchor)
    return drop


def _could_be_running_head(line: str) -> bool:
    """Short, with words, not the end of a sentence, and not a heading, label or decision."""
    return (len(line) <= 60 and not line.endswith(".") and _LETTERS.search(line) is not None
            and not _is_structural(line))


def _is_structural(line: str) -> bool:
    return bool(_LABEL.match(line) or _decision_of(line) or line.isupper())


# --- headings ------------------------------------------------------------------

_HEADING_NAMES = {
    "how": ["HOW THE IMR FINAL DETERMINATION WAS MADE"],
    "summary": ["CLINICAL CASE SUMMARY", "CASE SUMMARY"],
    "issues": ["IMR ISSUES, DECISIONS AND RATIONALES", "IMR ISSUES AND DECISIONS"],
    "decisions": ["IMR DECISION(S) AND RATIONALE(S)"],
    "documents": ["DOCUMENTS REVIEWED", "DOCUMENTS REVIEWED FOR DETERMINATION"],
    "dispute": ["ISSUE AT DISPUTE", "ISSUES AT DISPUTE"],
    "guidelines": [
        "MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY",
        "MEDICAL TREATMENT GUIDELINES RELIED UPON",
    ],
    "rationale": ["RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY"],
    "qualifications": ["MEDICAL REVIEWER QUALIFICATIONS", "REVIEWER QUALIFICATIONS"],
}
_NOT_LETTERS = _rx_compile(r"[^A-Z]")


def _key(text: str) -> str:
    return _NOT_LETTERS.sub("", text.upper())


_HEADING_KEYS = {_key(name): kind for kind, names in _HEADING_NAMES.items() for name in names}
_HEADING_PREFIX = _rx_compile(r"^([A-Z][A-Z()/,' -]{5,}):\s*(\S.*)$")


def _heading_kind(text: str) -> str | None:
    """Which heading an all-capitals line is, allowing for a typo or two."""
    key = _key(text)
    if len(key) < 8:
        return None
    kind = _HEADING_KEYS.get(key)
    if kind is not None:
        return kind
    best, best_ratio = None, 0.0
    for known, known_kind in _HEADING_KEYS.items():
        if abs(len(known) - len(key)) > 6:
            continue
        ratio = difflib.SequenceMatcher(None, key, known).ratio()
        if ratio > best_ratio:
            best, best_ratio = known_kind, ratio
    return best if best_ratio >= 0.86 else None


def _find_headings(doc: _Doc) -> list[tuple[int, str]]:
    """(position, kind) of every heading, in order.

    A heading that wraps over two lines is merged into one line of `doc`; text
    after a heading's colon ("ISSUE AT DISPUTE: ...") becomes a line of its own.
    """
    lines, numbers = doc.lines, doc.numbers
    found: list[tuple[int, str]] = []
    shift = 0  # lines merged (-) or split (+) so far move the later candidates
    merged = -1
    for candidate in [i for i, line in enumerate(lines) if line[:6].isupper()]:
        if candidate == merged:
            continue
        index = candidate + shift
        text = lines[index]
        kind = None
        if text.isupper():
            kind = _heading_kind(text)
            if kind is None and index + 1 < len(lines) and lines[index + 1].isupper():
                joined = f"{text} {lines[index + 1]}"
                kind = _heading_kind(joined)
                if kind is not None:
                    lines[index] = joined
                    del lines[index + 1], numbers[index + 1]
                    shift -= 1
                    merged = candidate + 1
        elif ":" in text:
            match = _HEADING_PREFIX.match(text)
            if match and (kind := _heading_kind(match.group(1))) is not None:
                lines[index:index + 1] = [match.group(1), match.group(2)]
                numbers.insert(index, numbers[index])
                shift += 1
        if kind is not None:
            found.append((index, kind))
    return found


def _section_end(headings: list[tuple[int, str]], start: int, total: int) -> int:
    for index, _ in headings:
        if index > start:
            return index
    return total


# --- the header and the reviewer ---------------------------------------------------

_DATE = (
    r"(?:\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*(?:\d{4}|\d{2})\b"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
)

_HEADER_FIELDS = {
    "case_number": _rx_compile(r"Case\s*(?:Number|No\.?|#)\s*:?\s*([A-Z]{2,4}\d{2}-\d{4,8})", re.I),
    "date_assigned": _rx_compile(r"Date\s+Assigned\s*:?\s*(" + _DATE + ")", re.I),
    "date_of_injury": _rx_compile(r"Date\s+of\s+Injury\s*:?\s*(" + _DATE + ")", re.I),
    "decision_date": _rx_compile(r"Decision\s+Date\s*:?\s*(" + _DATE + ")", re.I),
    "ur_denial_date": _rx_compile(r"UR\s+Denial\s+Date\s*:?\s*(" + _DATE + ")", re.I),
    "priority": _rx_compile(r"Priority\s*:?\s*(?!Application\b)([A-Za-z]+)", re.I),
    "application_received": _rx_compile(r"Application\s+Received\s*:?\s*(" + _DATE + ")", re.I),
}

_HEADER_WORDS = {
    "case_number": "case", "date_assigned": "assigned", "date_of_injury": "injury",
    "decision_date": "decision",
    "ur_denial_date": "denial", "priority": "priority", "application_received": "received",
}


_US_DATE = _rx_compile(r"(\d\d)/(\d\d)/(\d{4})$")


def _header_date(text: str) -> date | None:
    """A header date: nearly always MM/DD/YYYY, read directly; any other form by the general reader."""
    if match := _US_DATE.match(text):
        month, day, year = (int(group) for group in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return parse_date(text)


def _header(text: str) -> dict[str, object]:
    """The fields of the block above the first heading (the DWC letters' case header)."""
    found: dict[str, object] = {}
    lowered = text.lower()
    for name, pattern in _HEADER_FIELDS.items():
        if _HEADER_WORDS[name] not in lowered:
            continue
        match = pattern.search(text)
        if not match:
            continue
        value = match.group(1)
        if name == "case_number":
            found[name] = value.upper()
        elif name == "priority":
            found[name] = value.capitalize()
        elif (parsed := _header_date(value)) is not None:
            found[name] = parsed
    return found


_INJURY = _rx_compile(
    r"(?:(?:industrial|work[- ]related|occupational|reported)\s+injur(?:y|ies)"
    r"|date\s+of\s+(?:industrial\s+)?injury"
    r"(?:\s*\(DOI\))?|\bDOI\b|injured\s+(?:at\s+work\s+)?)"
    r"\s*(?:(?:was|is)\s+)?(?:on|of|dated|from|that occurred on)?\s*:?\s*(" + _DATE + ")",
    re.I,
)


def _injury_date(summary: str) -> date | None:
    match = _INJURY.search(summary)
    return parse_date(match.group(1)) if match else None


_SUMMARY_INTRO = _rx_compile(
    r"^The expert reviewer developed the following clinical case summary based on a review of the "
    r"case file, including all medical records:\s*",
    re.I,
)
_LICENSURE = _rx_compile(r"^States?\s*(?:\(s\))?\s*of\s+Licensure\s*:\s*(.*)$", re.I)
_SPECIALTY = _rx_compile(r"^Certifications?\s*(?:\(s\))?\s*/\s*Specialt(?:y|ies)\s*:\s*(.*)$", re.I)
_BOARD = _rx_compile(r"Board[- ]Certified\s+in\s+(?P<spec>[^.]+?)(?:,?\s+and\s+(?:is\s+|he/she\s+is\s+)?"
                    r"licensed\s+to\s+practice\s+in\s+(?P<states>[^.]+?))?\s*\.", re.I)
_LICENSED = _rx_compile(r"licensed\s+to\s+practice\s+in\s+(?P<states>[^.]+?)\s*\.", re.I)
_STATE_SPLIT = _rx_compile(r"\s*(?:,|;|&|\band\b)\s*")
_SPECIALTY_SPLIT = _rx_compile(r"\s*[,;]\s*")


def _credential_continues(block: list[str], start: int) -> list[str]:
    """The lines a wrapped credential line continues on: up to the next label or sentence, at most three."""
    lines: list[str] = []
    for line in block[start:start + 3]:
        if _LICENSURE.match(line) or _SPECIALTY.match(line) or ":" in line or line.endswith("."):
            break
        lines.append(line)
    return lines


def _reviewer(doc: _Doc, headings: list[tuple[int, str]]) -> Reviewer:
    """The reviewer's states of licensure and specialties, from the labelled lines or from prose."""
    block = doc.section(headings, "how") + doc.section(headings, "qualifications")
    if not block:
        block = doc.lines[: headings[0][0]] if headings else doc.lines[:40]
    licensure: list[str] = []
    specialties: list[str] = []
    for position, line in enumerate(block):
        if line[:4].lower() not in ("stat", "cert"):
            continue
        for pattern, target, splitter in ((_LICENSURE, licensure, _STATE_SPLIT),
                                          (_SPECIALTY, specialties, _SPECIALTY_SPLIT)):
            match = pattern.match(line)
            if match and not target:
                value = doc.join([match.group(1), *_credential_continues(block, position + 1)])
                target.extend(v for v in splitter.split(value.strip(" .")) if v)
    if not licensure or not specialties:
        prose = doc.join(block)
        board = _BOARD.search(prose)
        if board and not specialties:
            specialties.extend(v for v in _SPECIALTY_SPLIT.split(board.group("spec").strip()) if v)
        states = board.group("states") if board and board.group("states") else None
        if states is None and (licensed := _LICENSED.search(prose)):
            states = licensed.group("states")
        if states and not licensure:
            licensure.extend(v for v in _STATE_SPLIT.split(states.strip()) if v)
    return Reviewer(licensure=licensure, specialties=specialties)


# --- items: the standard layout ------------------------------------------------------

_LABEL = _rx_compile(
    r"^(?:(?P<ca>Claims?\s+Admin\w*(?:'s)?\s+guide\w*)|(?P<mx>(?:MAXIMUS|IMRO|Expert\s+Reviewer(?:'s)?)\s+guide\w*)"
    r"|(?P<dr>Decision\s+rational\w*))\s*:?\s*",
    re.I,
)
_DECISION = _rx_compile(
    r"^(?:(?P<before>.*?)\s*:\s*|)(?P<decision>Upheld|Uphold|Overturned|Overturn)\s*\.?$", re.I
)
_DECISION_ENDINGS = ("ld", "LD", "ed", "ED", "rn", "RN", "ld.", "LD.", "ed.", "ED.")  # a cheap first look
_DECISION_TAILS = ("upheld", "uphold", "overturned", "overturn", "upheld.", "overturned.")
_INTRO = _rx_compile(
    r"^(?:The Final Determination was based on decisions? for the disputed items?/services?"
    r"(?: set forth below)?:?\s*)",
    re.I,
)
_ABBREVIATION = _rx_compile(r"^(?:[A-Za-z]\.){2,}$|^(?:Dr|Mr|Mrs|Ms|No|vs|St|approx|pg|p|Inc|Co|Jr|Sr)\.$",
                           re.I)
_VERDICT_END = _rx_compile(r"medically\s+(?:necessary|appropriate)\W*$", re.I)  # a rationale's last words
_PARTIAL_CONTINUES = _rx_compile(
    r"\bwas authorized by the Claims Administrator\b|\bremaining IMR eligible portion\b|"
    r"\bleaving the original request\b|^The original request\b|^The Claims Administrator authorized\b",
    re.I,
)
_PARTIAL_REMAINING = _rx_compile(
    r"^(?P<orig>.+?)\s+was the original request\.?\s*(?P<auth>.+?)\s+was authorized by the Claims "
    r"Administrator\.?\s*The remaining IMR eligible portion of the original request,?\s*(?:is\s*:?\s*)?"
    r"(?P<item>.+?)(?:\s+is)?$",
    re.I,
)
_PARTIAL_WHOLE = _rx_compile(
    r"^(?P<orig>.+?)\s+was the original request\.?\s*The Claims Administrator authorized\s+(?P<auth>.+?),?\s+"
    r"leaving the original request IMR eligible\.?\s*The original request,?\s*(?P<item>.+?)(?:\s+is)?$",
    re.I,
)
_ORIGINAL_ONLY = _rx_compile(r"^(?P<orig>.+?)\s+was the original request\b", re.I)


_LABEL_FIRST = frozenset("CcMmIiEeDd")


def _decision_of(text: str) -> re.Match[str] | None:
    """The decision a line ends with, if it stands alone or follows a colon."""
    if not text[-12:].lower().endswith(_DECISION_TAILS):
        return None
    return _DECISION.match(text)


def _to_decision(word: str) -> Decision:
    return Decision.upheld if word.lower().startswith("uph") else Decision.overturned


def _closes(text: str) -> bool:
    """Does this line end a sentence, so that the next line may start an item heading?"""
    stripped = text.rstrip("\"')]\u201d ")
    if stripped.endswith((".", "!", "?")):
        last = stripped.rsplit(" ", 1)[-1]
        return not _ABBREVIATION.match(last)
    if stripped[-6:].lower() == "below:":
        return True
    return bool(_VERDICT_END.search(stripped))


def _standard_items(doc: _Doc, start: int, end: int) -> list[LetterItem]:
    """Every `<item>: Upheld|Overturned` in the section, with the labelled fields that follow it.

    A decision line counts when a labelled field follows within three lines (or
    the section ends): a sentence of prose that happens to end in "upheld" does not.
    """
    lines = doc.lines
    labels: dict[int, tuple[str, int]] = {}
    decisions: list[tuple[int, re.Match[str]]] = []
    for index in [i for i in range(start, end) if lines[i][0] in _LABEL_FIRST]:
        if label := _LABEL.match(lines[index]):
            labels[index] = (label.lastgroup or "", label.end())
    for index in [i for i in range(start, end) if lines[i].endswith(_DECISION_ENDINGS)]:
        if not lines[index][-12:].lower().endswith(_DECISION_TAILS):
            continue
        if index not in labels and (decision := _DECISION.match(lines[index])):
            decisions.append((index, decision))
    confirmed = [
        (index, match) for index, match in decisions
        if index >= end - 2 or any(i in labels for i in range(index + 1, min(end, index + 4)))
    ]
    boundaries = sorted(set(labels) | {index for index, _ in confirmed})
    starts = []
    for index, match in confirmed:
        before = bisect.bisect_left(boundaries, index)  # the last label or decision before this one
        floor = boundaries[before - 1] if before else start - 1
        starts.append(_heading_start(doc, floor, index, standalone=not match.group("before")))
    items = []
    for position, (index, match) in enumerate(confirmed):
        heading_lines = lines[starts[position]:index]
        if match.group("before"):
            heading_lines.append(match.group("before"))
        heading = _INTRO.sub("", doc.join(heading_lines), count=1).strip().rstrip(":").strip()
        body_end = starts[position + 1] if position + 1 < len(confirmed) else end
        fields = _fields(doc, labels, index + 1, body_end)
        items.append(_item(heading, _to_decision(match.group("decision")), fields, doc.numbers[index]))
    return items


def _heading_start(doc: _Doc, floor: int, index: int, standalone: bool) -> int:
    """The first line of the item heading that ends on line `index` (no earlier than floor + 1).

    The heading starts after the last line that ends a sentence; a partly
    authorized request is several sentences, so its heading reaches back to the
    sentence naming the original request.
    """
    lines = doc.lines
    start = index
    if standalone and start - 1 > floor:
        start -= 1
    while True:
        while start - 1 > floor and not _closes(lines[start - 1]):
            start -= 1
        if start - 1 > floor:
            heading = doc.join(lines[start:index + 1])
            if _PARTIAL_CONTINUES.search(heading) and not _ORIGINAL_ONLY.search(heading):
                start -= 1
                continue
        return start


def _fields(doc: _Doc, labels: dict[int, tuple[str, int]], start: int, end: int) -> dict[str, str]:
    """The labelled fields of one item: each label's text runs until the next label."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for index in range(start, end):
        text = doc.lines[index]
        label = labels.get(index)
        if label:
            current = parts.setdefault(label[0], [])
            if text[label[1]:]:
                current.append(text[label[1]:])
        elif current is not None:
            current.append(text)
    return {name: doc.join(texts) for name, texts in parts.items()}


def _item(
    heading: str, decision: Decision, fields: dict[str, str], number: int | None, text: str | None = None
) -> LetterItem:
    """An item from its heading as written; `text` overrides what is read from the heading."""
    item, original, authorized = _split_partial(heading)
    return LetterItem(
        text=text if text is not None else item,
        decision=decision,
        original_request=original,
        authorized=authorized,
        heading=heading,
        claims_administrator_guideline=fields.get("ca"),
        maximus_guideline=fields.get("mx"),
        rationale=fields.get("dr", ""),
        line=number,
    )


def _split_partial(heading: str) -> tuple[str, str | None, str | None]:
    """(item, original request, authorized part) of a heading: the heading itself unless partly authorized."""
    if "original request" not in heading.lower():
        return heading, None, None
    for pattern in (_PARTIAL_REMAINING, _PARTIAL_WHOLE):
        match = pattern.match(heading)
        if match:
            return match.group("item").strip(" ,:"), match.group("orig").strip(), match.group("auth").strip()
    match = _ORIGINAL_ONLY.match(heading)
    if match:
        tail = re.split(r"original request,?\s*", heading, flags=re.I)[-1]
        tail = re.sub(r"\s+is$", "", tail).strip(" ,:") or heading
        return tail, match.group("orig").strip(), None
    return heading, None, None


# --- items: older layouts -----------------------------------------------------------

_NUMBERED = _rx_compile(r"^(?:\(?(\d{1,2})[.)]|\((\d{1,2})\))\s+(\S.*)$")
_VERDICT = _rx_compile(
    r"^(?:(?:Is\s+)?the\s+(?:request(?:ed)?(?:\s+treatment)?|prescription)\s+(?:for\s+)?)?(?P<item>.+?)\s+"
    r"(?:is|are|was|were)\s+(?P<neg>not\s+)?medically\s+necessary(?:\s+and\s+appropriate)?\s*[.?]?$",
    re.I,
)
_QUESTION = _rx_compile(
    r"^(?:Is|Are|Was|Were)\s+(?:the\s+(?:request(?:ed)?(?:\s+treatment)?\s+(?:for\s+)?)?)?(?P<item>.+?)\s+"
    r"medically\s+necessary(?:\s+and\s+appropriate)?\s*\??$",
    re.I,
)
_VERDICT_ANYWHERE = _rx_compile(
    r"\b(?P<neg>not\s+)?medically\s+necessary(?:\s+and\s+appropriate)?\b|\b(?P<word>upheld|overturned)\b",
    re.I,
)
_OLD_LABEL = _rx_compile(
    r"(?:^|(?<=[.:]\s))(?:(?P<ca>Guidelines?\s+(?:relied\s+upon|used)\s+by\s+the\s+Claims\s+Administrator[^:.]*:"
    r"|The\s+Claims\s+Administrator\s+based\s+(?:its|their|his/her)\s+decision)"
    r"|(?P<mx>Sections?\s+of\s+the\s+Medical\s+Treatment\s+Guidelines?\s+(?:relied\s+upon|used)\s+by\s+the\s+"
    r"Expert\s+Reviewer[^:.]*:|The\s+Expert\s+Reviewer\s+based\s+(?:his/her|its|their)\s+decision)"
    r"|(?P<dr>Rationale\s+(?:used\s+)?(?:by|of)\s+the\s+Expert\s+Reviewer[^:.]*:"
    r"|The\s+Expert\s+Reviewer'?s?\s+decision\s+rationale\s*:?)"
    r"|(?P<ca2>Claims\s+Administrator\s+guidelines?\s*:)|(?P<mx2>MAXIMUS\s+guidelines?\s*:)"
    r"|(?P<dr2>Decision\s+rationale\s*:))\s*",
    re.I,
)
_LEADING_ARTICLE = _rx_compile(r"^(?:an?|the)\s+", re.I)


Block = tuple[list[str], int]  # the lines of a numbered block, and the input line it starts on


def _numbered_blocks(doc: _Doc, lines: list[str], first: int) -> list[Block]:
    """Split lines (doc.lines from `first` on) at lines that start with an item number ("1.", "2)", "(3)")."""
    blocks: list[Block] = []
    for offset, line in enumerate(lines):
        match = _NUMBERED.match(line)
        if match or not blocks:
            blocks.append(([], doc.numbers[first + offset]))
        blocks[-1][0].append(match.group(3) if match else line)
    return blocks


def _section_blocks(doc: _Doc, headings: list[tuple[int, str]], kind: str) -> list[Block]:
    for index, found in headings:
        if found == kind:
            return _numbered_blocks(doc, doc.section(headings, kind), index + 1)
    return []


def _statement(block: list[str], labels: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """A numbered block's opening statement (up to the first label or closing line) and the rest."""
    for index, line in enumerate(block):
        if index and labels.match(line):
            return block[:index], block[index:]
        if _closes(line) or line.endswith("?"):
            return block[:index + 1], block[index + 1:]
    return block, []


def _numbered_items(doc: _Doc, start: int, end: int) -> list[LetterItem]:
    """Items of the 2013-2014 layout: "1. <item> is (not) medically necessary ..." then its fields."""
    items = []
    for block, number in _numbered_blocks(doc, doc.lines[start:end], start):
        statement, rest = _statement(block, _OLD_LABEL)
        verdict = _VERDICT.match(doc.join(statement))
        if not verdict:
            continue
        decision = Decision.upheld if verdict.group("neg") else Decision.overturned
        fields = _old_fields(doc, rest)
        text = _old_item_text(verdict.group("item"))
        items.append(_item(doc.join(statement), decision, fields, number, text))
    return items


def _old_fields(doc: _Doc, lines: list[str]) -> dict[str, str]:
    """Fields under the older labels, which wrap and may stand mid-line.

    A label that is the start of a sentence ("The Claims Administrator based its
    decision on ...") stays in the field's text; a label ending in a colon does not.
    """
    text = doc.join(lines)
    labels = list(_OLD_LABEL.finditer(text))
    fields: dict[str, str] = {}
    for index, label in enumerate(labels):
        name = (label.lastgroup or "")[:2]
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        keep_sentence = not label.group(0).rstrip().endswith(":") and name != "dr"
        value = text[label.start() if keep_sentence else label.end():end].strip()
        fields[name] = f"{fields[name]} {value}" if name in fields else value
    return fields


def _dispute_items(doc: _Doc, headings: list[tuple[int, str]]) -> list[LetterItem]:
    """Items of the 2013 layout: listed under ISSUE AT DISPUTE, decided in the numbered rationales."""
    issues = _section_blocks(doc, headings, "dispute")
    guidelines = _section_blocks(doc, headings, "guidelines")
    rationales = _section_blocks(doc, headings, "rationale")
    items = []
    for position, (block, number) in enumerate(issues):
        statement = doc.join(block)
        guideline = doc.join(guidelines[position][0]) if position < len(guidelines) else None
        rationale = doc.join(rationales[position][0]) if position < len(rationales) else ""
        decision_line = _decision_of(statement)
        verdict = _VERDICT.match(statement)
        question = _QUESTION.match(statement)
        if decision_line:
            text = decision_line.group("before") or statement
            decision = _to_decision(decision_line.group("decision"))
        elif verdict:
            text = verdict.group("item")
            decision = Decision.upheld if verdict.group("neg") else Decision.overturned
        else:
            text = question.group("item") if question else statement.rstrip("?. ")
            found = _last_verdict(rationale)
            if found is None:
                continue
            decision = found
        fields = {"mx": guideline, "dr": rationale} if guideline else {"dr": rationale}
        items.append(_item(statement, decision, fields, number, _old_item_text(text)))
    return items


def _old_item_text(text: str) -> str:
    """An item as the older letters state it, without the article and the list punctuation."""
    return _LEADING_ARTICLE.sub("", text.strip(" ,;:")).strip()


def _last_verdict(text: str) -> Decision | None:
    """The verdict a rationale ends on: its last "(not) medically necessary", "upheld" or "overturned"."""
    last = None
    for match in _VERDICT_ANYWHERE.finditer(text):
        last = match
    if last is None:
        return None
    if last.group("word"):
        return _to_decision(last.group("word"))
    return Decision.upheld if last.group("neg") else Decision.overturned
