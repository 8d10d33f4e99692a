"""Every real letter of the shared corpus parses to exactly what its labels say.

Each letter is read once per test session (PDF decoding of the whole `dwc/`
folder takes about a second), then every item is checked in order against
`labels.yaml`: the item as written, its decision, and the header fields.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import pytest
from corpus_paths import corpus_dir, corpus_labels

from imr_rules.letters import Letter, SourceFamily, read_letter


def _normal(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


@cache
def _letters(folder: str) -> dict[str, Letter]:
    path = corpus_dir(folder)
    return {
        name: read_letter(path / name)
        for name in sorted(p.name for p in path.iterdir() if p.suffix in (".txt", ".pdf"))
    }


def _us_date(text: str) -> date:
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


@pytest.fixture(scope="module")
def dwc() -> tuple[dict[str, Letter], dict]:
    return _letters("dwc"), corpus_labels("dwc")


@pytest.fixture(scope="module")
def real() -> tuple[dict[str, Letter], dict]:
    return _letters("real"), corpus_labels("real")["letters"]


def _item_differences(letter: Letter, labelled: list[dict]) -> list[str]:
    got = [(_normal(item.heading), item.decision.value) for item in letter.items]
    want = [(_normal(item["item"]), item["decision"]) for item in labelled]
    if got == want:
        return []
    differences = [f"item {i + 1}: got {g}, want {w}"
                   for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w]
    if len(got) != len(want):
        differences.append(f"{len(got)} items, want {len(want)}")
    return differences


def test_every_dwc_letter_is_labelled_and_every_label_has_its_letter(dwc):
    letters, labels = dwc
    assert sorted(letters) == sorted(labels)
    assert len(letters) == 97


def test_every_dwc_item_is_read_in_order_with_its_decision(dwc):
    letters, labels = dwc
    wrong = {name: d for name in labels if (d := _item_differences(letters[name], labels[name]["items"]))}
    assert not wrong
    assert sum(len(letter.items) for letter in letters.values()) == 227
    assert sum(item.decision == "Overturned" for letter in letters.values() for item in letter.items) == 22


def test_every_real_text_letter_item_is_read_in_order_with_its_decision(real):
    letters, labels = real
    assert sorted(letters) == sorted(labels)
    wrong = {name: d for name in labels if (d := _item_differences(letters[name], labels[name]["items"]))}
    assert not wrong
    assert sum(len(letter.items) for letter in letters.values()) == 15


@pytest.mark.parametrize(
    ("field", "label"),
    [("case_number", "case"), ("date_assigned", "assigned"), ("date_of_injury", "injury"),
     ("decision_date", "decision_date"), ("ur_denial_date", "ur_denial")],
)
def test_dwc_header_fields_match_the_labels(dwc, field, label):
    letters, labels = dwc
    for name, labelled in labels.items():
        want = labelled[label] if field == "case_number" else _us_date(labelled[label])
        assert getattr(letters[name], field) == want, name


def test_dwc_letters_have_a_priority_and_an_application_date(dwc):
    letters, _ = dwc
    assert {letter.priority for letter in letters.values()} == {"Standard"}
    assert all(letter.application_received is not None for letter in letters.values())


def test_real_letters_reviewer_and_injury_date_match_the_labels(real):
    letters, labels = real
    for name, labelled in labels.items():
        letter = letters[name]
        assert letter.reviewer.licensure == labelled["reviewer"]["licensure"], name
        assert letter.reviewer.specialties == labelled["reviewer"]["specialty"], name
        assert letter.date_of_injury == labelled["injury_date"], name


def test_the_maximus_line_is_read_whole(dwc):
    """The labels cut a few lines at a blank line; the parser reads on, so the label is a prefix."""
    letters, labels = dwc
    for name, labelled in labels.items():
        for item, want in zip(letters[name].items, labelled["items"], strict=True):
            assert _normal(item.maximus_guideline).startswith(_normal(want["maximus_guideline"])), name


def test_a_guideline_line_wrapped_over_a_blank_line_is_joined(dwc):
    letters, _ = dwc
    lines = [item.maximus_guideline for letter in letters.values() for item in letter.items]
    assert any(line.endswith("NSAIDs, specific drug list & adverse effects.") for line in lines)


def test_every_item_has_its_guideline_lines_and_rationale(dwc, real):
    for letters, _ in (dwc, real):
        for name, letter in letters.items():
            for item in letter.items:
                assert item.claims_administrator_guideline, name
                assert item.maximus_guideline, name
                assert len(item.rationale) > 100, name


def test_no_maximus_line_in_the_corpus_has_an_unknown_citation_family(dwc, real):
    unknown = [
        (name, item.maximus_guideline)
        for letters, _ in (dwc, real)
        for name, letter in letters.items()
        for item in letter.items
        if item.citation is None or item.citation.family == SourceFamily.unknown
        or any(part.family == SourceFamily.unknown for part in item.citation.parts)
    ]
    assert unknown == []


def test_partly_authorized_requests_keep_the_original_and_the_remaining_part(dwc):
    letters, labels = dwc
    partial = [
        item for name in labels for item in letters[name].items if "was the original request" in item.heading
    ]
    assert len(partial) == 22
    assert all(item.original_request and item.text and item.text != item.heading for item in partial)
    norco = next(item for item in partial if item.original_request == "Norco 10/325mg #60")
    assert (norco.text, norco.authorized) == ("Norco 10/325mg #35", "Norco 10/325mg #25")


def test_summaries_are_the_case_summary_without_its_boilerplate(dwc, real):
    for letters, _ in (dwc, real):
        for name, letter in letters.items():
            assert len(letter.summary) > 200, name
            assert not letter.summary.startswith("The expert reviewer developed"), name
            assert "IMR ISSUES" not in letter.summary, name
