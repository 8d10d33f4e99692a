"""Sentences with their spans, and the normal form that patterns read.

Text from PDFs has line breaks in mid-sentence, blank lines between lines,
doubled spaces, words hyphenated across lines and odd characters (U+FFFE
where a soft hyphen was). Patterns read `normalize(text)`, which is lower-case
and has every whitespace character turned into a plain space *without
changing the length*, so a span found in the normal form is the same span in
the source text and evidence can point at the letter itself.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_TRANSLATE = str.maketrans({
    "\n": " ", "\r": " ", "\t": " ", "\f": " ", "\v": " ", "\xa0": " ",
    "\ufffe": "-", "\u00ad": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
})


def normalize(text: str) -> str:
    """Lower-case text with one kind of space and one kind of hyphen, the same length as `text`."""
    out = text.translate(_TRANSLATE).lower()
    if len(out) != len(text):  # a few characters lower-case to two (e.g. 'İ'); keep them as they are
        out = "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_TRANSLATE))
    return out


class Sentence(NamedTuple):
    """A sentence as a span [start, end) of the source text."""

    index: int
    start: int
    end: int


# A candidate end: . ! ? (and closing quotes/brackets) followed by whitespace.
_END_RX = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
# A heading line ("DIAGNOSES:", "Plan:") starts a new sentence even without a full stop before it.
_HEADING_RX = re.compile(r"\n[ \t]*(?=[A-Z][A-Za-z0-9 /&()-]{1,40}:[ \t\r\n])")
_NEXT_RX = re.compile(r"\s+([\"'(\[]?)(\S)")
_GLUED_RX = re.compile(r"(?<=[a-z0-9])\.(?=[A-Z][a-z]{2,})")
_COLON_RX = re.compile(r":(?=[ \t]*\r?\n\s*[\"'(]?[A-Z0-9])")
_ABBREV = frozenset({
    "dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "approx", "st", "jr", "sr", "fig", "pg", "pp", "p",
    "p.o", "b.i.d", "t.i.d", "q.i.d", "q.h.s", "h.s", "p.r.n", "u.s", "no", "ca", "dept", "cf", "al",
})
_WORD_BEFORE_RX = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_boundary(text: str, dot: int, after: int) -> bool:
    """Whether the end mark at text[dot] really ends a sentence (not 'Dr.', 'e.g.', '2.')."""
    nxt = _NEXT_RX.match(text, after)
    if not nxt:
        return False
    first = nxt.group(2)
    if not (first.isupper() or first.isdigit() or nxt.group(1)):
        return False
    if text[dot] != ".":
        return True
    word = _WORD_BEFORE_RX.search(text, max(0, dot - 12), dot)
    if word and word.group(1).lower().rstrip(".") in _ABBREV:
        # "No. 5" is an abbreviation; "... with no." followed by a capital is a sentence end
        return word.group(1).lower() == "no" and not first.isdigit()
    return True


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` as spans, leading and trailing whitespace excluded."""
    cuts: list[int] = []
    for m in _END_RX.finditer(text):
        if _is_boundary(text, m.start(), m.end()):
            cuts.append(m.end())
    cuts.extend(m.end() for m in _COLON_RX.finditer(text))  # "... as follows:" and a new paragraph
    cuts.extend(m.end() for m in _GLUED_RX.finditer(text))  # "5mg.Physician notes ..." (a lost space)
    cuts.sort()
    if "\n" in text:
        cuts.extend(m.start() for m in _HEADING_RX.finditer(text))
        cuts.sort()
    sentences: list[Sentence] = []
    pos = 0
    for cut in [*cuts, len(text)]:
        if cut <= pos:
            continue
        start, end = pos, cut
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sentences.append(Sentence(len(sentences), start, end))
        pos = cut
    return sentences


def clean(text: str) -> str:
    """A span of PDF text as one line: runs of whitespace become single spaces."""
    return " ".join(text.replace("\ufffe", "-").split())


def spaced(pattern: str) -> str:
    """A pattern written with single spaces, made to accept any run of spaces in the normal form.

    Spaces inside character classes, or followed by a quantifier, are left alone.
    """
    out: list[str] = []
    in_class = escaped = False
    for i, ch in enumerate(pattern):
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == " " and not in_class and pattern[i + 1 : i + 2] not in ("*", "+", "?", "{"):
            out.append(" +")
            continue
        out.append(ch)
    return "".join(out)


def compile_spaced(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a single-spaced pattern for the normal form (see `spaced`)."""
    return re.compile(spaced(pattern), flags)
