"""Sentences from PDF text, and the normal form that keeps every offset."""

import re

from hypothesis import given
from hypothesis import strategies as st

from imr_rules.sentences import alternatives, clean, first_words, normalize, spaced, split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start:s.end] for s in split_sentences(text)]


def test_sentences_end_at_full_stops_not_at_line_breaks():
    text = "The injured worker reports back\n\npain that is rated 8.5/10.  He uses a\ncane. "
    assert texts(text) == ["The injured worker reports back\n\npain that is rated 8.5/10.",
                           "He uses a\ncane."]


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    text = "Dr. X saw him, e.g. on Monday. No. 4 was given. He said no. Then he left."
    assert texts(text) == ["Dr. X saw him, e.g. on Monday.", "No. 4 was given.", "He said no.",
                           "Then he left."]


def test_a_lost_space_after_a_full_stop_still_ends_a_sentence():
    assert texts("Medications include Flexeril 5mg.Progress notes show pain.") == [
        "Medications include Flexeril 5mg.", "Progress notes show pain."]


def test_a_colon_before_a_new_paragraph_and_a_heading_start_sentences():
    text = "based on a review of the records:\n\nThe patient is a 40 year old man\nPLAN: continue"
    assert texts(text) == ["based on a review of the records:", "The patient is a 40 year old man",
                           "PLAN: continue"]


def test_clean_makes_one_line():
    assert clean(" lumbar\r\n\r\nradiculopathy\ufffesided  pain ") == "lumbar radiculopathy-sided pain"


@given(st.text())
def test_the_normal_form_keeps_every_offset(text):
    assert len(normalize(text)) == len(text)


def test_the_normal_form_is_lower_case_with_plain_spaces_and_hyphens():
    assert normalize("Right\ufffesided\r\nPAIN\u2013free") == "right-sided  pain-free"


@given(st.text(alphabet="ab .\nXY?!", max_size=60))
def test_sentences_are_ordered_trimmed_spans(text):
    spans = split_sentences(text)
    for before, after in zip(spans, spans[1:], strict=False):
        assert before.end <= after.start
    for s in spans:
        assert text[s.start:s.end] == text[s.start:s.end].strip() != ""


def test_spaced_patterns_accept_any_run_of_spaces():
    rx = re.compile(spaced(r"no (?:signs )?of [a-z ]+x ?y"))
    assert rx.search("no   signs of  spasm   x y")
    assert rx.pattern == r"no +(?:signs +)?of +[a-z ]+x ?y"


def test_alternatives_split_only_at_the_top_level():
    assert alternatives(r"\ba(?:b|c)|[|]d|e") == [r"\ba(?:b|c)", "[|]d", "e"]


def test_first_words_are_read_off_a_pattern():
    assert first_words(r"\b(?:lack|absence) of|\bnone\b") == {"lack", "absence", "none"}
    assert first_words(r"\b(?:to )?rule[- ]?out") == {"to", "rule"}
    assert first_words(r"(?<!coronary[ ])\bstenosis\b") == {"stenosis"}
    assert first_words(r"\bspasms?\b") == {"spasm"}
    assert first_words(r"\d+ ?%") is None
