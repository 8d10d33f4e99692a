"""Parsing letter text: header, reviewer, summary and items, through the untidiness of extracted PDF text.

The letters here are synthetic, written for these tests in the layout of the
real ones; `test_letters_corpus.py` checks the real corpus.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imr_rules.errors import InputError
from imr_rules.letters import _WORDS, Decision, SourceFamily, _is_word, parse_letter, read_letter

DATA = Path(__file__).parent / "data" / "letters"

HEADER = """\
Case Number: CM16-0000001
Date Assigned: 11/09/2016 Date of Injury: 10/13/2016
Decision Date: 12/09/2016 UR Denial Date: 11/03/2016
Priority: Standard Application
Received:
11/07/2016
"""

HOW = """\
HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer who has no ties to
any party and who practises in the same field as the treating physician.
The Expert Reviewer has the following credentials:
State(s) of Licensure: California,Nevada
Certification(s)/Specialty: Internal Medicine, Occupational Medicine
"""

SUMMARY = """\
CLINICAL CASE SUMMARY
The expert reviewer developed the following clinical case summary based on a review of the
case file, including all medical records:
The injured worker is a 40 year old man who sustained an industrial injury on October 13, 2016
while lifting a pallet. He has low back pain without leg symptoms and has had no therapy yet.
"""

ISSUES = """\
IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:
MRI of the lumbar spine without contrast: Upheld
Claims Administrator guideline: Decision based on MTUS Low Back Complaints 2004.
MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special
Studies.
Decision rationale: Imaging of the low back is for red flags or for planning surgery. Neither
is described here, so the MRI is not medically necessary.
Physical therapy for the neck eight sessions was the original request. Physical therapy for the
neck six sessions was authorized by the Claims Administrator. The remaining IMR eligible portion
of the original request, Physical therapy for the neck two sessions is:
Overturned
Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016.
MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s):
Physical medicine treatment.
Decision rationale: The guidelines allow up to ten visits for this condition, so two more
visits are medically necessary.
"""

LETTER = HEADER + HOW + SUMMARY + ISSUES


def _items(text: str) -> list[tuple[str, Decision]]:
    return [(item.text, item.decision) for item in parse_letter(text).items]


def _read(text: str) -> dict:
    """What a letter says, without the input line numbers (which move when lines are added)."""
    return parse_letter(text).model_dump(exclude={"items": {"__all__": {"line"}}})


# --- header, reviewer, summary ------------------------------------------------------


def test_the_case_header_is_read():
    letter = parse_letter(LETTER)
    assert letter.case_number == "CM16-0000001"
    assert letter.date_assigned == date(2016, 11, 9)
    assert letter.date_of_injury == date(2016, 10, 13)
    assert letter.decision_date == date(2016, 12, 9)
    assert letter.ur_denial_date == date(2016, 11, 3)
    assert letter.priority == "Standard"
    assert letter.application_received == date(2016, 11, 7)
    assert letter.layout == "standard"


def test_the_reviewer_credentials_are_read_from_their_labelled_lines():
    reviewer = parse_letter(LETTER).reviewer
    assert reviewer.licensure == ["California", "Nevada"]
    assert reviewer.specialties == ["Internal Medicine", "Occupational Medicine"]


def test_the_reviewer_credentials_are_read_from_prose():
    how = ("HOW THE IMR FINAL DETERMINATION WAS MADE\nThe case file went to an expert reviewer. The expert\n"
           "reviewer is Board Certified in Physical Medicine and Rehabilitation and is licensed to practice\n"
           "in California and Oregon. He/she has been in active practice for more than five years.\n")
    reviewer = parse_letter(how + SUMMARY + ISSUES).reviewer
    assert reviewer.specialties == ["Physical Medicine and Rehabilitation"]
    assert reviewer.licensure == ["California", "Oregon"]


def test_the_summary_is_the_case_summary_without_its_opening_boilerplate():
    summary = parse_letter(LETTER).summary
    assert summary.startswith("The injured worker is a 40 year old man")
    assert summary.endswith("has had no therapy yet.")


def test_without_a_header_the_injury_date_comes_from_the_summary():
    assert parse_letter(HOW + SUMMARY + ISSUES).date_of_injury == date(2016, 10, 13)


@pytest.mark.parametrize(
    "prose",
    ["with a date of injury of 9/20/2000.", "with a date of injury on 09-20-2000.",
     "who sustained an industrial injury on September 20, 2000.", "whose industrial injury was on 9/20/00."],
)
def test_injury_dates_in_the_prose_forms_letters_use(prose):
    summary = f"CLINICAL CASE SUMMARY\nThis is a 51-year-old man {prose}\n"
    assert parse_letter(HOW + summary + ISSUES).date_of_injury == date(2000, 9, 20)


# --- items ------------------------------------------------------------------------------


def test_items_are_read_in_order_with_their_decisions():
    assert _items(LETTER) == [
        ("MRI of the lumbar spine without contrast", Decision.upheld),
        ("Physical therapy for the neck two sessions", Decision.overturned),
    ]


def test_a_partly_authorized_request_keeps_its_original_and_authorized_parts():
    item = parse_letter(LETTER).items[1]
    assert item.original_request == "Physical therapy for the neck eight sessions"
    assert item.authorized == "Physical therapy for the neck six sessions"
    assert item.heading.startswith("Physical therapy for the neck eight sessions was the original request.")
    assert item.heading.endswith("Physical therapy for the neck two sessions is")


def test_a_request_authorized_in_part_in_the_other_wording():
    heading = ("Acupuncture (number of visits not given) was the original request. The Claims Administrator\n"
               "authorized Acupuncture, 6 sessions, leaving the original request IMR eligible. The original\n"
               "request, Acupuncture (number of visits not given) is: Upheld\n")
    fields = ("Claims Administrator guideline: None.\n"
              "MAXIMUS guideline: Decision based on MTUS Acupuncture Treatment 2007.\n")
    item = parse_letter(HOW + ISSUES + heading + fields + "Decision rationale: Not needed.\n").items[2]
    assert item.text == "Acupuncture (number of visits not given)"
    assert item.authorized == "Acupuncture, 6 sessions"
    assert item.original_request == "Acupuncture (number of visits not given)"


def test_the_guideline_lines_are_joined_across_wrapped_lines():
    item = parse_letter(LETTER).items[0]
    assert item.maximus_guideline == \
        "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies."
    assert item.claims_administrator_guideline == "Decision based on MTUS Low Back Complaints 2004."
    assert item.citation.family == SourceFamily.mtus_acoem
    assert item.citation.parts[0].sections == ["Special Studies"]


def test_the_rationale_runs_to_the_next_item():
    rationale = parse_letter(LETTER).items[0].rationale
    assert rationale.startswith("Imaging of the low back")
    assert rationale.endswith("the MRI is not medically necessary.")


def test_an_item_heading_wrapped_over_lines_is_read_whole():
    issues = ISSUES.replace("MRI of the lumbar spine without contrast: Upheld",
                            "MRI of the lumbar spine\nwithout contrast: Upheld")
    assert _items(HOW + issues)[0][0] == "MRI of the lumbar spine without contrast"


def test_a_sentence_in_a_rationale_that_ends_in_upheld_is_not_an_item():
    issues = ISSUES.replace("so the MRI is not medically necessary.",
                            "so the MRI is not medically necessary. The earlier denial is therefore: upheld\n"
                            "in full, as the records show.")
    assert len(_items(HOW + issues)) == 2


def test_an_item_before_the_cut_of_a_truncated_letter_is_kept():
    truncated = LETTER[: LETTER.index("Claims Administrator guideline: Decision based on MTUS Chronic")]
    assert [decision for _, decision in _items(truncated)] == [Decision.upheld, Decision.overturned]


def test_each_item_knows_the_input_line_of_its_decision():
    lines = LETTER.splitlines()
    for item in parse_letter(LETTER).items:
        assert lines[item.line - 1].strip().endswith(item.decision.value)


# --- untidy text ---------------------------------------------------------------------


def test_blank_lines_doubled_spaces_and_windows_line_endings_change_nothing():
    messy = "\r\n\r\n".join(line.replace(" ", "  ") + "  " for line in LETTER.splitlines())
    assert _read(messy) == _read(LETTER)


def test_page_numbers_and_repeated_page_headers_are_dropped():
    lines = LETTER.splitlines()
    cut = lines.index("Studies.")  # inside the first item's MAXIMUS line
    debris = ["Page 1 of 2", "\f", "Case Number: CM16-0000001", "Page 2 of 2"]
    messy = "\n".join(lines[:cut] + debris + lines[cut:])
    assert _read(messy) == _read(LETTER)


def test_a_bare_page_number_beside_a_page_break_is_dropped():
    messy = LETTER.replace("Studies.\n", "\n2\n\fStudies.\n")
    assert parse_letter(messy).items[0].maximus_guideline.endswith("Section(s): Special Studies.")


def test_a_running_header_on_every_page_is_dropped():
    lines = LETTER.splitlines()
    running = "IMR Final Determination Letter - confidential"
    pages = [lines[:12], lines[12:30], lines[30:]]
    messy = "\n".join(line for page in pages for line in [running, *page, "\f"])
    assert _read(messy)["items"] == _read(LETTER)["items"]
    assert running not in parse_letter(messy).summary


def test_a_word_hyphenated_at_a_line_end_is_rejoined_when_the_letter_spells_it_whole():
    text = LETTER.replace("is for red flags", "is for red fl-\nags")
    assert "red flags" not in parse_letter(text).items[0].rationale  # "flags" appears nowhere else
    text = (LETTER.replace("Neither\nis described", "Nei-\nther\nis described")
            .replace("lifting a pallet.", "lifting a pallet. Neither hip hurts."))
    rationale = parse_letter(text).items[0].rationale
    assert "Neither is described" in rationale


def test_a_real_hyphen_at_a_line_end_is_kept():
    text = LETTER.replace("He has low back pain", "He has long-\nterm low back pain")
    assert "long-term low back pain" in parse_letter(text).summary


@pytest.mark.parametrize(("text", "word", "found"), [
    ("ab", "ab", True), ("xab ab", "ab", True), ("xab", "ab", False), ("abx", "ab", False),
    ("x-ab", "ab", False), ("ab-x", "ab", False), ("x--ab", "ab", True), ("ab--x", "ab", True),
    ("-ab-", "ab", True), ("ab-c d", "ab-c", True), ("ab-c-d", "ab-c", False), ("z ab-cd", "ab-c", False),
])
def test_a_word_is_a_whole_word_of_the_text(text, word, found):
    assert _is_word(text, word) == found == (word in set(_WORDS.findall(text)))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "ab", "Ca", "-", "--", " ", "\n", "."]), max_size=10).map("".join),
       st.from_regex(r"[abc]{1,2}(?:-[abc]{1,2})?", fullmatch=True))
def test_a_word_is_found_exactly_when_the_words_of_the_text_include_it(text, word):
    """The lookup behind rejoining a hyphenated word agrees with listing every word of the text."""
    lowered = text.lower()
    assert _is_word(lowered, word) == (word in set(_WORDS.findall(lowered)))


def test_pdfium_line_end_hyphens_are_hyphens():
    text = LETTER.replace("lifting a pallet", "lifting a pal\ufffelet")
    assert "pal-let" in parse_letter(text).summary


@pytest.mark.parametrize(
    ("heading", "variant"),
    [("CLINICAL CASE SUMMARY", "CLINCAL CASE SUMARY"),
     ("IMR ISSUES, DECISIONS AND RATIONALES", "IMR ISSUE(S), DECISION(S) AND RATIONALE(S)"),
     ("IMR ISSUES, DECISIONS AND RATIONALES", "IMR ISSUES DECISIONS AND RATIONALS"),
     ("HOW THE IMR FINAL DETERMINATION WAS MADE", "HOW THE IMR FINAL DETERMINATION\nWAS MADE")],
)
def test_heading_variants_and_typos_are_recognised(heading, variant):
    letter = parse_letter(LETTER.replace(heading, variant))
    assert letter.summary.startswith("The injured worker")
    assert len(letter.items) == 2
    assert letter.reviewer.licensure == ["California", "Nevada"]


def test_label_variants_are_recognised():
    text = (LETTER.replace("Claims Administrator guideline:", "Claims Administrator guidelines:")
            .replace("MAXIMUS guideline:", "Maximus Guideline:")
            .replace("Decision rationale:", "Decision Rationale:"))
    assert _read(text) == _read(LETTER)


# --- older layouts ------------------------------------------------------------------------


def test_the_2013_2014_decisions_layout():
    letter = read_letter(DATA / "older_decisions_layout.txt")
    assert letter.layout == "imr_decisions"
    assert [(item.text, item.decision) for item in letter.items] == [
        ("Physical therapy twice a week for six weeks for the lower back", Decision.upheld),
        ("Tramadol 50 mg, sixty tablets", Decision.overturned),
    ]
    first = letter.items[0]
    assert first.maximus_guideline.endswith("Physical Medicine, pages 98-99.")
    assert first.citation.parts[0].pages == [(98, 99)]
    assert first.rationale.startswith("The guidelines allow a limited course")
    assert letter.summary.startswith("This synthetic case describes a 47 year old")
    assert letter.reviewer.licensure == ["California", "Oregon"]
    assert letter.decision_date == date(2013, 9, 20)


def test_the_2013_issue_at_dispute_layout():
    letter = read_letter(DATA / "older_issue_at_dispute_layout.txt")
    assert letter.layout == "issue_at_dispute"
    assert [(item.text, item.decision) for item in letter.items] == [
        ("MRI of the right knee", Decision.overturned),
        ("knee brace", Decision.upheld),
    ]
    assert letter.items[0].citation.family == SourceFamily.mtus_acoem
    assert letter.items[1].citation.family == SourceFamily.odg
    assert letter.summary.startswith("This synthetic case describes a 52 year old driver")
    assert letter.reviewer.specialties == ["Orthopaedic Surgery"]
    assert letter.case_number == "CM13-0000002"


# --- text that is not a letter ---------------------------------------------------------------


def test_text_that_is_not_a_letter_is_refused():
    with pytest.raises(InputError, match="not an IMR letter"):
        parse_letter("Dear Sir,\nPlease find enclosed the invoice for March.\nRegards\n", "invoice.txt")


def test_a_letter_without_items_is_refused_naming_the_decisions_heading():
    text = HEADER + HOW + SUMMARY + "IMR ISSUES, DECISIONS AND RATIONALES\nThe request was withdrawn.\n"
    with pytest.raises(InputError, match="no disputed items found") as caught:
        parse_letter(text, "cut.txt")
    assert caught.value.path == "cut.txt"
    assert caught.value.line == text.splitlines().index("IMR ISSUES, DECISIONS AND RATIONALES") + 1


def test_empty_text_is_refused():
    with pytest.raises(InputError, match="empty"):
        parse_letter(" \n\f\n  \n")


def test_read_letter_errors_name_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Shopping list: apples, pears.\n")
    with pytest.raises(InputError) as caught:
        read_letter(path)
    assert str(caught.value) == f"{path}: not an IMR letter: no IMR headings and no disputed items found"
