"""Sentences with their spans, and the normal form that patterns read.

Text from PDFs has line breaks in mid-sentence, blank lines between lines,
doubled spaces, words hyphenated across lines and odd characters (U+FFFE
where a soft hyphen was). Patterns read `normalize(text)`, which is lower-case
and has every whitespace character turned into a plain space *without
changing the length*, so a span found in the normal form is the same span in
the source text and evidence can point at the letter itself.

Patterns for the normal form are written with single spaces (`spaced`), and can
be split into their alternatives and the words those start with
(`alternatives`, `first_words`), so that a pattern is tried only where it can match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from imr_rules import regexes
from imr_rules.regexes import compile as _rx_compile

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


# An end: . ! ? (and closing quotes/brackets), whitespace, then what can start a sentence.
_END_RX = _rx_compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
# A heading line ("DIAGNOSES:", "Plan:") starts a new sentence even without a full stop before it.
_HEADING_RX = _rx_compile(r"\n[ \t]*(?=[A-Z][A-Za-z0-9 /&()-]{1,40}:[ \t\r\n])")
_GLUED_RX = _rx_compile(r"\.(?=[A-Z][a-z]{2,})")
_COLON_RX = _rx_compile(r":(?=[ \t]*\r?\n\s*[\"'(]?[A-Z0-9])")
_ABBREV = frozenset({
    "dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "approx", "st", "jr", "sr", "fig", "pg", "pp", "p",
    "p.o", "b.i.d", "t.i.d", "q.i.d", "q.h.s", "h.s", "p.r.n", "u.s", "no", "ca", "dept", "cf", "al",
})
_WORD_BEFORE_RX = _rx_compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_boundary(text: str, dot: int, after: int) -> bool:
    """Whether a full stop at text[dot] ends a sentence rather than an abbreviation ('Dr.', 'e.g.')."""
    word = _WORD_BEFORE_RX.search(text, max(0, dot - 12), dot)
    if not word or word.group(1).lower().rstrip(".") not in _ABBREV:
        return True
    # "No. 5" is an abbreviation; "... with no." followed by a capital ends a sentence
    return word.group(1).lower() == "no" and not text[after:after + 40].lstrip(" \t\r\n\"'([").startswith(
        tuple("0123456789"))


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` as spans, leading and trailing whitespace excluded."""
    cuts = [m.end() for m in _END_RX.finditer(text)
            if text[m.start()] != "." or _is_boundary(text, m.start(), m.end())]
    cuts.extend(m.end() for m in _COLON_RX.finditer(text))  # "... as follows:" and a new paragraph
    cuts.extend(m.end() for m in _GLUED_RX.finditer(text)  # "5mg.Physician notes ..." (a lost space)
                if m.start() and text[m.start() - 1].isalnum())
    if "\n" in text:
        cuts.extend(m.start() for m in _HEADING_RX.finditer(text))
    cuts.sort()
    sentences: list[Sentence] = []
    pos = 0
    for cut in [*cuts, len(text)]:
        if cut <= pos:
            continue
        piece = text[pos:cut]
        stripped = piece.strip()
        if stripped:
            start = pos + len(piece) - len(piece.lstrip())
            sentences.append(Sentence(len(sentences), start, start + len(stripped)))
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
    """Compile a single-spaced pattern for the normal form (see `spaced`); a stored program is found by
    the pattern as written, so a warm run does not respace it."""
    return regexes.compile_built(pattern, lambda: spaced(pattern), flags)


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character outside escapes and classes."""
    depth, in_class, i = 0, False, start
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        else:
            depth += (c == "(") - (c == ")")
            yield i, c, depth
        i += 1


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (split at '|' outside groups and classes)."""
    parts: list[str] = []
    start = 0
    for i, c, depth in _structure(pattern):
        if c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str, open_at: int) -> int:
    """Index just past the ')' closing the group that opens at `open_at`."""
    for i, c, depth in _structure(pattern, open_at):
        if c == ")" and depth == 0:
            return i + 1
    raise ValueError(f"unbalanced group in {pattern!r}")


_GROUP_OPEN_RX = _rx_compile(r"\((?:\?:|\?P<\w+>)?")
_LOOKBEHIND_RX = _rx_compile(r"\(\?<[=!]")


def first_words(pattern: str) -> set[str] | None:
    """The letters every match of `pattern` begins with, one string per way it can begin ('no',
    'lack', 'possib'), or None when some match need not begin with letters known here.

    Lets a caller try a pattern only where a word starts with one of them.
    """
    found: set[str] = set()
    for alt in alternatives(pattern):
        alt = alt.removeprefix("\\b")
        while _LOOKBEHIND_RX.match(alt):  # a look-behind consumes nothing
            alt = alt[_group_end(alt, 0):].removeprefix("\\b")
        group = _GROUP_OPEN_RX.match(alt)
        if group:
            end = _group_end(alt, 0)
            inner = first_words(alt[group.end():end - 1])
            if inner is None:
                return None
            if alt[end:end + 1] in ("?", "*"):  # optional: what follows can begin the match too
                rest = first_words(alt[end + 1:].lstrip(" +").removeprefix("\\s*").removeprefix("\\s+"))
                if rest is None:
                    return None
                inner |= rest
            found |= inner
            continue
        word = re.match(r"[a-z]+", alt)
        if not word:
            return None
        letters = word.group()
        if alt[len(letters):len(letters) + 1] in ("?", "*", "{"):
            letters = letters[:-1]
        if not letters:
            return None
        found.add(letters)
    return found
