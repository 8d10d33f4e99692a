"""Properties of the letter parser: the untidiness of extracted text does not change what is read.

Starting from real letters, Hypothesis re-wraps paragraphs at other widths,
inserts blank lines, page breaks with page numbers and running headers, doubles
spaces, and hyphenates words at line ends; the letter read must stay the same.

What a re-wrap may not do, because the letters never do it either: join a line
to a heading, a labelled line ("MAXIMUS guideline: ...") or the first line of an
item, or put anything after an item's decision on its line. A hyphenated word is
one the letter also spells whole elsewhere (without a dictionary, "medi-cally"
could as well be a compound like "long-term", which the parser keeps).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache

from corpus_paths import CORPUS, corpus_dir, requires_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr_rules.errors import InputError
from imr_rules.letters import parse_letter
from imr_rules.pdftext import read_text

pytestmark = requires_corpus()

_HARD_START = re.compile(
    r"^(?:Claims Administrator guideline|MAXIMUS guideline|Decision rationale|The Final Determination was"
    r"|State\(s\) of Licensure|Certification\(s\)|The Expert Reviewer has)",
)
_LABEL = re.compile(  # labels are never wrapped
    r"^(?:Claims Administrator guideline|MAXIMUS guideline|Decision rationale|State\(s\) of Licensure):"
)
_DECISION_END = re.compile(r"(?:^|:)\s*(?:Upheld|Overturned)\s*$")
_WORD = re.compile(r"[a-z]{6,}")


@dataclass(frozen=True)
class Base:
    """A real letter as lines, which lines start a paragraph, and what the parser reads from it."""

    name: str
    lines: tuple[str, ...]
    hard: frozenset[int]
    read: str  # the parse, as JSON without input line numbers
    words: frozenset[str]  # words of 6+ letters the letter spells whole at least twice, and never hyphenated
    case_number: str | None


def _read(text: str) -> str:
    return parse_letter(text).model_dump_json(exclude={"items": {"__all__": {"line"}}})


def _hard_lines(lines: list[str], headings: list[str]) -> frozenset[int]:
    first_heading = next((i for i, line in enumerate(lines) if line.isupper()), 0)
    hard = set(range(first_heading + 1))  # the case header is kept as it is
    for index, line in enumerate(lines):
        previous = lines[index - 1] if index else ""
        if (line.isupper() or line == "\f" or previous == "\f" or previous.isupper()
                or _HARD_START.match(line) or _DECISION_END.search(previous) or previous.endswith("-")):
            hard.add(index)
    for heading in headings:  # the first line of each item's heading
        start = heading[:30]
        hard.update(i for i, line in enumerate(lines) if line.startswith(start))
    return frozenset(hard)


@cache
def _bases() -> tuple[Base, ...]:
    real = sorted(corpus_dir("real").glob("*.txt"))
    dwc = sorted((CORPUS / "dwc").glob("*.pdf"))
    texts = {path.name: read_text(path) for path in real}
    # a few PDF letters with the harder shapes: partly authorized requests, decisions alone on a line
    for path in dwc:
        text = read_text(path)
        if "was the original request" in text or "\nUpheld" in text:
            texts[path.name] = text
            if len(texts) == len(real) + 4:
                break
    bases = []
    for name, text in texts.items():
        lines = [" ".join(line.split()) if line != "\f" else line
                 for line in text.replace("\f", "\n\f\n").split("\n")]
        lines = [line for line in lines if line]
        letter = parse_letter(text)
        whole = re.findall(r"(?<![A-Za-z-])[a-z]{6,}(?![A-Za-z-])", text.lower())
        hyphenated = {w.replace("-", "") for w in re.findall(r"[a-z]+(?:-[a-z]+)+", text.lower())}
        words = frozenset(w for w in set(whole) if whole.count(w) >= 2 and w not in hyphenated)
        bases.append(Base(name, tuple(lines), _hard_lines(lines, [i.heading for i in letter.items]),
                          _read(text), words, letter.case_number))
    return tuple(bases)


def _paragraphs(base: Base) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    for index, line in enumerate(base.lines):
        if index in base.hard or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(line)
    return paragraphs


def _wrap(words: list[str], width: int) -> list[str]:
    lines, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current] if current else lines


@st.composite
def rewrapped(draw, base: Base) -> list[str]:
    """Every paragraph re-wrapped, at widths taken in turn from a short drawn list."""
    widths = draw(st.lists(st.integers(min_value=25, max_value=160), min_size=1, max_size=8))
    out = []
    for number, paragraph in enumerate(_paragraphs(base)):
        if len(paragraph) == 1 and (paragraph[0] == "\f" or paragraph[0].isupper()):
            out.extend(paragraph)
            continue
        width = widths[number % len(widths)]
        text = _LABEL.sub(lambda label: label.group(0).replace(" ", "\0"), " ".join(paragraph))
        text = text.replace("- ", "-\0")  # a break after "long-" would make a hyphenated word of "long- term"
        out.extend(line.replace("\0", " ") for line in _wrap(text.split(" "), width))
    return out


@st.composite
def with_blank_lines(draw, lines: list[str]) -> list[str]:
    out = list(lines)
    for _ in range(draw(st.integers(0, 12))):
        out.insert(draw(st.integers(0, len(out))), draw(st.sampled_from(["", " ", "\t", "   "])))
    return out


@st.composite
def with_page_breaks(draw, lines: list[str], base: Base) -> list[str]:
    """New page breaks, then a page number at the foot and a running header at the head of every page.

    A running header that gives a case number gives the letter's own.
    """
    out = list(lines)
    for _ in range(draw(st.integers(0, 4))):
        out.insert(draw(st.integers(6, len(out))), "\f")
    headers = [None, "Independent Medical Review - Final Determination"]
    if base.case_number:
        headers.append(f"Case Number: {base.case_number}")
    header = draw(st.sampled_from(headers))
    footer = draw(st.sampled_from([None, "Page {n} of {m}", "{n}", "- {n} -"]))
    pages = out.count("\f") + 1
    result, page = [header] if header else [], 1
    for line in [*out, "\f"]:
        if line == "\f":
            if footer:
                result.append(footer.format(n=page, m=pages))
            result.append("\f")
            page += 1
            if header:
                result.append(header)
        else:
            result.append(line)
    return result[: -2 if header else -1]  # no break after the last page


@st.composite
def with_doubled_spaces(draw, lines: list[str]) -> list[str]:
    rnd = random.Random(draw(st.integers(0, 2**32)))  # a seed: one draw instead of thousands
    out = []
    for line in lines:
        if line != "\f" and rnd.random() < 0.5:
            line = re.sub(" ", lambda _: " " * rnd.randint(1, 3), line)
            line = " " * rnd.randint(0, 2) + line + " " * rnd.randint(0, 3)
        out.append(line)
    return out


@st.composite
def with_hyphenation(draw, lines: list[str], base: Base) -> list[str]:
    """Break a few words the letter also spells whole elsewhere across a line end, with a hyphen."""
    out = list(lines)
    used: set[str] = set()  # each word is broken once, so the letter still spells it whole elsewhere
    for _ in range(draw(st.integers(0, 3))):
        candidates = [
            (index, match) for index, line in enumerate(out)
            if not _HARD_START.match(line) and not line.isupper()
            for match in _WORD.finditer(line)
            if match.start() > 20 and match.group(0) in base.words and match.group(0) not in used
            and (match.start() == 0 or not line[match.start() - 1].isalpha())
            and (match.end() == len(line) or not line[match.end()].isalpha() and line[match.end()] != "-")
        ]
        if not candidates:
            break
        index, match = draw(st.sampled_from(candidates))
        used.add(match.group(0))
        cut = match.start() + draw(st.integers(2, len(match.group(0)) - 2))
        line = out[index]
        out[index:index + 1] = [line[:cut] + "-", line[cut:]]
    return out


_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)


def _bases_strategy() -> st.SearchStrategy[Base]:
    return st.sampled_from(_bases())


def test_the_lines_as_the_tests_see_them_read_like_the_letter():
    for base in _bases():
        assert _read("\n".join(base.lines)) == base.read, base.name


@_SETTINGS
@given(st.data())
def test_rewrapping_paragraphs_changes_nothing(data):
    base = data.draw(_bases_strategy())
    assert _read("\n".join(data.draw(rewrapped(base)))) == base.read


@_SETTINGS
@given(st.data())
def test_blank_lines_change_nothing(data):
    base = data.draw(_bases_strategy())
    assert _read("\n".join(data.draw(with_blank_lines(list(base.lines))))) == base.read


@_SETTINGS
@given(st.data())
def test_page_breaks_with_page_numbers_and_running_headers_change_nothing(data):
    base = data.draw(_bases_strategy())
    assert _read("\n".join(data.draw(with_page_breaks(list(base.lines), base)))) == base.read


@_SETTINGS
@given(st.data())
def test_doubled_spaces_change_nothing(data):
    base = data.draw(_bases_strategy())
    assert _read("\n".join(data.draw(with_doubled_spaces(list(base.lines))))) == base.read


@_SETTINGS
@given(st.data())
def test_hyphenation_at_line_ends_changes_nothing(data):
    base = data.draw(_bases_strategy())
    assert _read("\n".join(data.draw(with_hyphenation(list(base.lines), base)))) == base.read


@_SETTINGS
@given(st.data())
def test_all_of_it_at_once_changes_nothing(data):
    base = data.draw(_bases_strategy())
    lines = data.draw(rewrapped(base))
    lines = data.draw(with_hyphenation(lines, base))
    lines = data.draw(with_page_breaks(lines, base))
    lines = data.draw(with_blank_lines(lines))
    lines = data.draw(with_doubled_spaces(lines))
    separator = data.draw(st.sampled_from(["\n", "\r\n"]))
    assert _read(separator.join(lines)) == base.read


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000))
def test_any_text_is_read_or_refused_with_an_input_error(text):
    try:
        parse_letter(text)
    except InputError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_shuffled_and_cut_letters_are_read_or_refused_with_an_input_error(data):
    base = data.draw(_bases_strategy())
    lines = data.draw(st.lists(st.sampled_from(base.lines), max_size=200))
    try:
        parse_letter("\n".join(lines))
    except InputError:
        pass
