"""Which guideline a reviewer relied on: parsing the "MAXIMUS guideline" line of a letter.

The line names one or more sources in the reviewer's order, e.g.
"Decision based on MTUS Low Back Complaints 2004, Section(s): Summary, and Chronic
Pain Medical Treatment 2016, Section(s): Facet blocks. Decision based on Non-MTUS
Citation ACOEM ..., 3rd ed., Low Back Disorders, pg. 607." Each source becomes a
`CitationPart` (family, chapter, sections, pages); the citation's family is the
first MTUS source, because MTUS governs whenever it speaks.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import TypeVar

from pydantic import BaseModel

from imr_rules.letters import Citation, CitationPart, SourceFamily
from imr_rules.regexes import compile as _rx_compile

T = TypeVar("T", bound=BaseModel)

# The 2016 Chronic Pain Medical Treatment Guidelines govern requests from this date; a letter's
# decision date (the date at hand) stands in for its request date, which the letter does not give.
CPMTG_2016_FROM = date(2016, 7, 29)

_MTUS_FAMILIES = {
    SourceFamily.mtus_cpmtg_2009,
    SourceFamily.mtus_cpmtg_2016,
    SourceFamily.mtus_opioids_2016,
    SourceFamily.mtus_acoem,
    SourceFamily.mtus_acupuncture,
    SourceFamily.mtus_postsurgical,
}

_SPACES = _rx_compile(r"\s+")
_CLAUSE = _rx_compile(r"\b(?=[Dd])Decision (?:was )?based on\s+", re.I)
_NON_MTUS_LEAD = _rx_compile(r"^(?:the\s+)?Non[- ]?MTUS(?:\s+Citations?)?\s*:?\s*", re.I)
_MTUS_LEAD = _rx_compile(r"^(?:the\s+)?(?:CA[- ]|California\s+)?MTUS\b[\s,:]*(?:guidelines?\b[\s,:]*)?", re.I)
_NONE_CITED = _rx_compile(
    r"did not cite any (?:medical )?evidence|no (?:medical )?evidence (?:was )?cited", re.I
)
_OTHER_SPLIT = _rx_compile(
    r"\s*;\s*|\s+and\s+(?=Other Medical Treatment Guidelines?\b)", re.I
)
_OTHER_LEAD = _rx_compile(
    r"^Other Medical Treatment Guidelines?(?:\s+or\s+Medical Evidence)?\s*:?\s*", re.I
)

# ACOEM chapters that are part of the MTUS (ACOEM 2nd edition, 2004/2007).
_ACOEM_CHAPTERS = (
    r"General Approach(?:es)?",
    r"Prevention",
    r"Neck and Upper Back Complaints",
    r"Shoulder Complaints",
    r"Elbow (?:Complaints|Disorders)",
    r"Forearm,?\s+Wrist,?\s+(?:and|&)\s+Hand Complaints",
    r"Low Back Complaints",
    r"Knee Complaints",
    r"Ankle and Foot Complaints",
    r"Stress[- ]Related Conditions",
    r"Eye",
    r"Independent Medical Examinations and Consultations",
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_YEAR = r"(?:\s*\(?(?:" + _MONTH + r"\s+(?:\d\d?,?\s+)?)?(?P<{0}>(?:19|20)\d\d)\)?)"
_TITLES = _rx_compile(
    r"\b(?=[CcOoAaPpGgNnSsEeFfLlKkIi])(?:" + "|".join(
        [
            r"(?P<cp>(?:Chronic Pain (?:Medical )?Treatment|Chronic Pain)(?:\s+Guidelines?)?"
            + _YEAR.format("cp_year") + r"?(?:\s+Guidelines?)?|CPMTG)",
            r"(?P<op>Opioids? Treatment(?:\s+Guidelines?)?" + _YEAR.format("op_year")
            + r"?(?:\s+Guidelines?)?)",
            r"(?P<ac>Acupuncture (?:Medical )?Treatment(?:\s+Guidelines?)?" + _YEAR.format("ac_year")
            + r"?(?:\s+Guidelines?)?)",
            r"(?P<ps>Post-?\s?surgical (?:Treatment|Rehabilitation)(?:\s+Guidelines?)?"
            + _YEAR.format("ps_year")
            + r"?(?:\s+Guidelines?)?)",
            r"(?P<ch>(?:" + "|".join(_ACOEM_CHAPTERS) + r")" + _YEAR.format("ch_year") + r"?)",
            r"(?P<acoem>ACOEM(?:\s+(?:Occupational Medicine\s+)?Practice Guidelines?)?)",
        ]
    ) + ")",
    re.I,
)
_ODG = _rx_compile(
    r"\b(?=[Oo])(?:Offic?i?al+y?\s+Disabilit(?:y|ies)\s+Guidelines?|\bODG\b)"
    r"(?:\s*[-–]\s*TWC|\s*[-–]?\s*Treatment in Workers?'?s?'? Comp(?:ensation)?)?"
    r"(?:\s*\((?:ODG|TWC|ODG[- ]TWC)\))?(?:\s+guidelines?\b)?",
    re.I,
)
_AFTER_TITLE = _rx_compile(r"\s*,?\s*(?:Section\(s\)|Page\(s\))", re.I)
# ODG chapters, for a second chapter named after a ";" without repeating "ODG"
_ODG_CHAPTER = _rx_compile(
    r"(?:Low Back|Lower Back|Neck|Shoulder|Elbow|Forearm|Wrist|Hand|Hip|Knee|Ankle|Foot|Pain|Head|"
    r"Mental|Fitness|Carpal|Burns|Chest|Eye|Pulmonary|Trauma|Spine)\b",
    re.I,
)
_THIRD_EDITION = _rx_compile(r"\b3rd\b|\bthird edition\b", re.I)

_PAGE_RANGE = r"\d{1,4}(?:\s*[-–]\s*\d{1,4})?"
_PAGES = _rx_compile(
    r"\b(?=[Pp])(?:Page\(s\)|Pages?|pgs?\.?|pp\.?|p\.)\s*:?\s*"
    r"(?P<ranges>" + _PAGE_RANGE + r"(?:\s*(?:,|;|&|\band\b)\s*" + _PAGE_RANGE + r")*)",
    re.I,
)
_RANGE = _rx_compile(r"(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?")
_SECTION_LEAD = _rx_compile(r"^[\s,;:.-]*(?:Guidelines?\b)?[\s,;:.-]*(?:Section\(s\)|Sections?)\s*:\s*", re.I)
_CHAPTER_NAME = _rx_compile(
    r"(?:\bChapter\s+\d+\s*[,:(-]?\s*)?\b(?P<name>" + "|".join(_ACOEM_CHAPTERS) + r")\)?", re.I
)
_MTUS_MEMBERSHIP = _rx_compile(
    r",?\s*which\s+(?:is|are)\s+(?:not\s+)?(?:a\s+)?part\s+of\s+the\s+MTUS\b\.?", re.I
)
_NOT_A_SECTION = _rx_compile(r"^(?:part|section|chapter)\s*\d+$|^guidelines?$|^and$", re.I)
_BARE_PREFIX = _rx_compile(
    r"^(?:NSAIDs|TENS|Opioids|Topical analgesics|Muscle relaxants|Antiepilepsy drugs)$", re.I
)
_PROTECTED = _rx_compile(r"Forearm,\s+Wrist,\s+(?:and|&)\s+Hand", re.I)


def parse_citation(line: str | None, decided: date | None = None) -> Citation:
    """The sources named in a guideline line, in order, and the family that governs.

    `decided` (the letter's decision date) settles the version of a Chronic Pain
    citation that names no year: the 2016 guidelines from late July 2016, else 2009.
    """
    text = " ".join((line or "").split())
    return _own_copy(_parse(text, decided is not None and decided >= CPMTG_2016_FROM))


@lru_cache(maxsize=4096)
def _parse(text: str, cpmtg_2016: bool) -> Citation:
    """Letters repeat the same few hundred guideline lines: each is read once (per CPMTG version)."""
    decided = CPMTG_2016_FROM if cpmtg_2016 else None
    if not text:
        return Citation(family=SourceFamily.none_cited, parts=[], text="")
    parts: list[CitationPart] = []
    clauses = _CLAUSE.split(text)
    preamble, clauses = clauses[0], clauses[1:]
    if not clauses:  # older letters name their sources in prose, without "Decision based on"
        clauses = [preamble]
    for clause in clauses:
        parts.extend(_clause_parts(clause, decided))
    return Citation(family=_governing(parts, text), parts=parts, text=text)


_set = object.__setattr__


def _clone(model: T, **changed: object) -> T:
    """A shallow copy of a model, some fields replaced: what pydantic's copy does, at a third of its cost."""
    copy = model.__class__.__new__(model.__class__)
    _set(copy, "__dict__", {**model.__dict__, **changed})
    _set(copy, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    _set(copy, "__pydantic_extra__", None)
    _set(copy, "__pydantic_private__", None)
    return copy


def forget_citations() -> None:
    """Empty the cache of guideline lines read (benchmarks measure a first reading with it)."""
    _parse.cache_clear()


def _own_copy(citation: Citation) -> Citation:
    """A copy that shares nothing that can change with the cached citation."""
    parts = [_clone(part, sections=list(part.sections), pages=list(part.pages)) for part in citation.parts]
    return _clone(citation, parts=parts)


def _part(
    family: SourceFamily,
    text: str,
    chapter: str | None = None,
    sections: list[str] | None = None,
    pages: list[tuple[int, int]] | None = None,
) -> CitationPart:
    return CitationPart(family=family, chapter=chapter, sections=sections or [], pages=pages or [], text=text)


def _governing(parts: list[CitationPart], text: str) -> SourceFamily:
    for part in parts:
        if part.family in _MTUS_FAMILIES:
            return part.family
    if parts:
        return parts[0].family
    if _NONE_CITED.search(text):
        return SourceFamily.none_cited
    return SourceFamily.unknown


def _clause_parts(clause: str, decided: date | None) -> list[CitationPart]:
    clause = clause.strip()
    lead = _NON_MTUS_LEAD.match(clause)
    if lead:
        return _non_mtus_parts(clause[lead.end():])
    lead = _MTUS_LEAD.match(clause)
    if lead:
        body = clause[lead.end():]
        parts = _mtus_parts(body, decided, in_mtus=True)
        return parts or [_part(SourceFamily.unknown, clause.rstrip(" ."))]
    parts = _mtus_parts(clause, decided, in_mtus=False)
    if parts:
        return parts
    if _NONE_CITED.search(clause) or not re.search(r"[A-Za-z]", clause):
        return []
    return _non_mtus_parts(clause)


def _mtus_parts(body: str, decided: date | None, in_mtus: bool) -> list[CitationPart]:
    """One part per MTUS title named in the clause, each with the sections and pages that follow it."""
    matches = _source_titles(body, in_mtus)
    parts = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        tail = body[match.end():end]
        odg = _ODG.search(tail)
        if odg:
            tail = tail[: odg.start()]
        family, chapter = _title_family(match, decided, in_mtus, body)
        if family is None:
            continue
        pages, rest = _pages_and_rest(tail)
        if family == SourceFamily.mtus_acoem and chapter is None and (named := _CHAPTER_NAME.search(rest)):
            chapter = " ".join(named.group("name").split())
            rest = rest[: named.start()] + rest[named.end():]
        text = _trim_tail(match.group(0) + tail)
        parts.append(_part(family, text, chapter, _sections(rest), pages))
    if not in_mtus:
        odg = _ODG.search(body)
        if odg and not any(p.family == SourceFamily.odg for p in parts):
            parts.extend(_non_mtus_parts(body[odg.start():]))
    return parts


def _source_titles(body: str, in_mtus: bool) -> list[re.Match[str]]:
    """Guideline titles that start a source, not the same words inside a section name.

    After "Decision based on MTUS" the first title opens the clause; a later one
    must follow a list boundary (", and", ";") and read as a title (a year, or
    sections or pages after it). In prose, only titles that read as titles count.
    """
    found: list[re.Match[str]] = []
    for match in _TITLES.finditer(body):
        strong = _is_strong(match, body)
        if in_mtus and not found and not body[: match.start()].strip(" ,:;-"):
            found.append(match)
        elif strong and (not in_mtus or not found or _follows_boundary(body, match.start())):
            found.append(match)
    return found


def _follows_boundary(body: str, position: int) -> bool:
    """Does a list boundary (",", ";", "and") come right before this position?"""
    before = body[:position].rstrip()
    return before.endswith((",", ";")) or before[-4:].lower() == " and"


def _is_strong(match: re.Match[str], body: str) -> bool:
    if any(match.group(g) for g in ("cp_year", "op_year", "ac_year", "ps_year", "ch_year")):
        return True
    if _AFTER_TITLE.match(body, match.end()):
        return True
    title = match.group(0).lower()
    return "guideline" in title or "treatment" in title or match.group("acoem") is not None


def _title_family(
    match: re.Match[str], decided: date | None, in_mtus: bool, body: str
) -> tuple[SourceFamily | None, str | None]:
    title = match.group(0)
    if match.group("cp"):
        year = match.group("cp_year")
        if year == "2016" or (year is None and decided is not None and decided >= CPMTG_2016_FROM):
            return SourceFamily.mtus_cpmtg_2016, None
        return SourceFamily.mtus_cpmtg_2009, None
    if match.group("op"):
        return SourceFamily.mtus_opioids_2016, None
    if match.group("ac"):
        return SourceFamily.mtus_acupuncture, None
    if match.group("ps"):
        return SourceFamily.mtus_postsurgical, None
    if match.group("ch"):
        return SourceFamily.mtus_acoem, _SPACES.sub(" ", title).strip()
    # a bare "ACOEM": the MTUS chapters unless the 3rd edition (not part of the MTUS) is meant
    if in_mtus or not _THIRD_EDITION.search(body):
        return SourceFamily.mtus_acoem, None
    return None, None


def _non_mtus_parts(text: str) -> list[CitationPart]:
    """Sources cited outside the MTUS: ODG, or anything else (UpToDate, ACOEM 3rd edition, journals)."""
    parts = []
    pieces = _OTHER_SPLIT.split(text) if ";" in text or " and Other" in text else [text]
    for piece in pieces:
        piece = _OTHER_LEAD.sub("", piece.strip()).strip(" .")
        if not piece:
            continue
        odg = _ODG.search(piece)
        pages, rest = _pages_and_rest(piece)
        continues_odg = bool(parts) and parts[-1].family == SourceFamily.odg and _ODG_CHAPTER.match(piece)
        if (odg and odg.start() < 40) or continues_odg:
            rest = piece[odg.end():] if odg and odg.start() < 40 else piece
            rest = _MTUS_MEMBERSHIP.sub("", rest)
            pages, rest = _pages_and_rest(rest)
            fields = _split_top_level(rest.strip(" ,;:-–."))
            chapter = fields[0] if fields else None
            sections = [f for f in fields[1:] if not _NOT_A_SECTION.match(f)]
            if chapter and "/" in chapter and not sections:
                chapter, _, section = chapter.partition("/")
                sections = [section.strip()]
            parts.append(_part(SourceFamily.odg, piece, chapter or None, sections, pages))
        else:
            parts.append(_part(SourceFamily.other_non_mtus, piece, pages=pages))
    return parts


def _pages_and_rest(text: str) -> tuple[list[tuple[int, int]], str]:
    """Page ranges named in the text, and the text without them."""
    pages: list[tuple[int, int]] = []
    kept, last = [], 0
    for match in _PAGES.finditer(text):
        pages.extend(parse_pages(match.group("ranges")))
        kept.append(text[last:match.start()])
        last = match.end()
    if not pages:
        return pages, text
    kept.append(text[last:])
    return pages, " ".join(kept)


def parse_pages(ranges: str) -> list[tuple[int, int]]:
    """'13-16, 43' -> [(13, 16), (43, 43)]; each range inclusive, low page first."""
    out = []
    for match in _RANGE.finditer(ranges):
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        out.append((min(low, high), max(low, high)))
    return out


def _sections(rest: str) -> list[str]:
    rest = _trim_tail(_MTUS_MEMBERSHIP.sub("", _SECTION_LEAD.sub("", rest, count=1)).strip(" ,;:."))
    if not rest:
        return []
    fields = _split_top_level(rest)
    merged: list[str] = []
    for field in fields:
        if merged and (field[:1].islower() or field[:1] in "&(" or _BARE_PREFIX.match(merged[-1])):
            merged[-1] = f"{merged[-1]}, {field}"
        else:
            merged.append(field)
    return [m for m in merged if not _NOT_A_SECTION.match(m)]


def _trim_tail(text: str) -> str:
    """Text without the punctuation and the dangling "and" that lead to the next source."""
    text = text.rstrip(" ,;.:")
    while text.lower().endswith(" and"):
        text = text[:-4].rstrip(" ,;.:")
    return text


def _split_top_level(text: str) -> list[str]:
    """Split at commas that are not inside parentheses (and not inside protected names)."""
    if "(" not in text and "orearm" not in text:
        return [f.strip(" .;") for f in text.split(",") if f.strip(" .;")]
    protected = _PROTECTED.sub(lambda m: m.group(0).replace(",", "\0"), text)
    fields, depth, start = [], 0, 0
    for index, char in enumerate(protected):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            fields.append(protected[start:index])
            start = index + 1
    fields.append(protected[start:])
    return [f.replace("\0", ",").strip(" .;") for f in fields if f.strip(" .;")]
