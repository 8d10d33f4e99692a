"""Reading the MAXIMUS guideline line: which sources, chapters, sections and pages a reviewer cites."""

from __future__ import annotations

from datetime import date

import pytest

from imr_rules.citations import parse_citation, parse_pages
from imr_rules.letters import SourceFamily as F

PHYSICAL_MEDICINE = (
    "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical medicine treatment."
)


def _parts(line: str, decided: date | None = None) -> list[tuple]:
    return [(p.family, p.chapter, p.sections, p.pages) for p in parse_citation(line, decided).parts]


# --- MTUS Chronic Pain Medical Treatment Guidelines -----------------------------


def test_2014_letters_cite_the_2009_guidelines_by_page():
    line = "Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 24."
    assert _parts(line) == [(F.mtus_cpmtg_2009, None, [], [(24, 24)])]


def test_a_section_named_before_the_pages_is_kept_and_page_lists_become_ranges():
    line = ("Decision based on MTUS Chronic Pain Treatment Guidelines Antidepressants for chronic pain "
            "and Cymbalta Page(s): 13-16, 43.")
    assert _parts(line) == [
        (F.mtus_cpmtg_2009, None, ["Antidepressants for chronic pain and Cymbalta"], [(13, 16), (43, 43)])
    ]


@pytest.mark.parametrize("part", ["part 2", "Section 2", "Part 2"])
def test_the_part_of_the_guidelines_is_not_a_section(part):
    line = f"Decision based on MTUS Chronic Pain Treatment Guidelines {part} Page(s): 74-96."
    assert _parts(line) == [(F.mtus_cpmtg_2009, None, [], [(74, 96)])]


def test_2016_letters_name_the_edition_and_sections():
    assert _parts(PHYSICAL_MEDICINE) == [(F.mtus_cpmtg_2016, None, ["Physical medicine treatment"], [])]


def test_the_word_guidelines_after_the_year_changes_nothing():
    line = ("Decision based on MTUS Chronic Pain Medical Treatment 2016 Guidelines, "
            "Section(s): Compound drugs.")
    assert _parts(line) == [(F.mtus_cpmtg_2016, None, ["Compound drugs"], [])]


def test_a_2009_edition_named_in_a_2015_letter_stays_2009():
    line = "Decision based on MTUS Chronic Pain Medical Treatment 2009, Section(s): Benzodiazepines."
    assert _parts(line, date(2016, 12, 1)) == [(F.mtus_cpmtg_2009, None, ["Benzodiazepines"], [])]


def test_an_edition_left_unnamed_is_the_one_in_force_on_the_decision_date():
    line = "Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 24."
    assert parse_citation(line, date(2015, 3, 1)).family == F.mtus_cpmtg_2009
    assert parse_citation(line, date(2016, 12, 1)).family == F.mtus_cpmtg_2016


def test_the_edition_follows_the_decision_date_when_the_same_line_comes_again():
    line = "Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 24."
    days = [date(2015, 3, 1), date(2016, 7, 28), date(2016, 7, 29), None, date(2017, 1, 5), date(2015, 3, 1)]
    expected = [F.mtus_cpmtg_2009, F.mtus_cpmtg_2009, F.mtus_cpmtg_2016, F.mtus_cpmtg_2009, F.mtus_cpmtg_2016,
                F.mtus_cpmtg_2009]
    assert [parse_citation(line, day).family for day in days] == expected


def test_changing_a_citation_read_changes_no_later_reading_of_the_same_line():
    line = "Decision based on Non-MTUS Citation Official Disability Guidelines, Pain (Chronic), Zolpidem"
    first = parse_citation(line)
    expected = first.model_dump()
    first.parts[0].sections.append("changed")
    first.parts[0].pages.append((1, 2))
    first.parts.append(first.parts[0])
    assert parse_citation(line).model_dump() == expected


def test_section_names_with_commas_stay_whole():
    line = ("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): NSAIDs (non-steroidal "
            "anti-inflammatory drugs), NSAIDs, GI symptoms & cardiovascular risk, TENS, chronic pain "
            "(transcutaneous electrical nerve stimulation), Topical analgesics, compounded.")
    assert _parts(line)[0][2] == [
        "NSAIDs (non-steroidal anti-inflammatory drugs)",
        "NSAIDs, GI symptoms & cardiovascular risk",
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
        "Topical analgesics, compounded",
    ]


def test_separate_sections_are_split():
    line = ("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Cyclobenzaprine "
            "(Flexeril), Muscle relaxants (for pain).")
    assert _parts(line)[0][2] == ["Cyclobenzaprine (Flexeril)", "Muscle relaxants (for pain)"]


# --- the other MTUS guidelines ---------------------------------------------------


def test_opioid_treatment_2016_sections_keep_their_numbers_and_colons():
    line = ("Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3 Opioids for Chronic Pain and "
            "Chronic Opioid Treatment: Initiating and Monitoring Chronic Opioid Treatment.")
    assert _parts(line) == [(
        F.mtus_opioids_2016, None,
        ["3.3 Opioids for Chronic Pain and Chronic Opioid Treatment: Initiating and Monitoring "
         "Chronic Opioid Treatment"],
        [],
    )]


@pytest.mark.parametrize(
    ("chapter", "sections"),
    [
        ("Low Back Complaints 2004", ["Special Studies"]),
        ("Neck and Upper Back Complaints 2004", ["Special Studies", "Summary"]),
        ("Forearm, Wrist, and Hand Complaints 2004", ["Physical Methods"]),
        ("Elbow Complaints 2007", ["Recommendations"]),
        ("General Approaches 2004", ["General Approach to Initial Assessment and Documentation"]),
        ("Ankle and Foot Complaints 2004", ["Summary"]),
    ],
)
def test_acoem_chapters_are_mtus_acoem_with_their_chapter(chapter, sections):
    line = f"Decision based on MTUS {chapter}, Section(s): {', '.join(sections)}."
    assert _parts(line) == [(F.mtus_acoem, chapter, sections, [])]


def test_one_line_can_name_several_mtus_sources_and_a_non_mtus_one():
    line = ("Decision based on MTUS Low Back Complaints 2004, Section(s): Summary, and Chronic Pain Medical "
            "Treatment 2016, Section(s): Facet blocks. Decision based on Non-MTUS Citation ACOEM "
            "Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders, pg. 607.")
    citation = parse_citation(line)
    assert citation.family == F.mtus_acoem
    assert _parts(line) == [
        (F.mtus_acoem, "Low Back Complaints 2004", ["Summary"], []),
        (F.mtus_cpmtg_2016, None, ["Facet blocks"], []),
        (F.other_non_mtus, None, [], [(607, 607)]),
    ]


def test_two_acoem_chapters_joined_by_and():
    line = ("Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies, and "
            "Forearm, Wrist, and Hand Complaints 2004, Section(s): Special Studies.")
    assert [p[1] for p in _parts(line)] == ["Neck and Upper Back Complaints 2004",
                                            "Forearm, Wrist, and Hand Complaints 2004"]


def test_acupuncture_and_postsurgical_guidelines():
    assert parse_citation("Decision based on MTUS Acupuncture Treatment 2007.").family == F.mtus_acupuncture
    line = "Decision based on MTUS Postsurgical Treatment 2009, Section(s): Knee, Forearm, Wrist, & Hand."
    assert _parts(line) == [(F.mtus_postsurgical, None, ["Knee", "Forearm, Wrist, & Hand"], [])]


def test_words_of_a_title_inside_a_section_name_are_not_a_new_source():
    line = ("Decision based on MTUS General Approaches 2004, Section(s): Cornerstones of Disability "
            "Prevention and Management.")
    assert _parts(line) == [
        (F.mtus_acoem, "General Approaches 2004", ["Cornerstones of Disability Prevention and Management"],
         [])
    ]


# --- outside the MTUS -------------------------------------------------------------


def test_odg_citations_give_the_chapter_and_topic():
    line = ("The Expert Reviewer did not base their decision on the MTUS. Decision based on Non-MTUS "
            "Citation Official Disability Guidelines, Pain (Chronic), Zolpidem (Ambien).")
    assert _parts(line) == [(F.odg, "Pain (Chronic)", ["Zolpidem (Ambien)"], [])]


@pytest.mark.parametrize(
    "name",
    ["Official Disability Guidelines (ODG)", "ODG-TWC", "ODG guidelines,", "Officialy Disability Guidelines"],
)
def test_every_way_of_writing_odg_is_odg(name):
    line = f"Decision based on Non-MTUS Citation {name} Low Back Chapter, Heat therapy."
    assert parse_citation(line).family == F.odg


def test_mtus_governs_when_odg_is_also_cited():
    line = ("Decision based on MTUS Knee Complaints 2004, Section(s): Special Studies. Decision based on "
            "Non-MTUS Citation Official Disability Guidelines (ODG) Knee & Leg Chapter, MRI.")
    citation = parse_citation(line)
    assert citation.family == F.mtus_acoem
    assert [p.family for p in citation.parts] == [F.mtus_acoem, F.odg]


def test_a_second_odg_chapter_after_a_semicolon_is_still_odg():
    line = ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Low back, "
            "Manipulation; Neck and Upper back, Manipulation.")
    assert _parts(line) == [(F.odg, "Low back", ["Manipulation"], []),
                            (F.odg, "Neck and Upper back", ["Manipulation"], [])]


@pytest.mark.parametrize(
    "source",
    [
        "Sildenafil: Drug information, accessed from UpToDate.com on 12/17/2016.",
        "ACOEM Hip and Groin Chapter/Diagnostic and treatment recommendations.",
        "Green's Operative Hand Surgery, 6th ed Chapter 17: Distal Radius Fractures.",
        "Other Medical Treatment Guideline or Medical Evidence: manufacturer's prescribing information.",
    ],
)
def test_other_evidence_is_other_non_mtus(source):
    line = ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. "
            f"Decision based on Non-MTUS Citation {source}")
    assert parse_citation(line).family == F.other_non_mtus


def test_acoem_third_edition_is_not_the_mtus():
    line = "Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition, Chapter 12."
    assert parse_citation(line).family == F.other_non_mtus


def test_no_evidence_cited_and_no_line_at_all():
    assert parse_citation("The Expert Reviewer did not cite any medical evidence for its decision.").family \
        == F.none_cited
    assert parse_citation("").family == F.none_cited
    assert parse_citation(None).family == F.none_cited


def test_a_line_naming_no_known_source_is_unknown():
    assert parse_citation("Decision based on MTUS.").family == F.unknown


def test_older_prose_citations_are_read_too():
    line = ("The Chronic Pain Medical Treatment Guidelines (May 2009), Benzodiazepines, page 24, "
            "which is part of the MTUS.")
    assert _parts(line) == [(F.mtus_cpmtg_2009, None, ["Benzodiazepines"], [(24, 24)])]


def test_wrapping_and_doubled_spaces_change_nothing():
    line = PHYSICAL_MEDICINE
    assert _parts(line.replace(" ", "  ").replace(", ", ",\n")) == _parts(line)


# --- pages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pages"),
    [("24", [(24, 24)]), ("13-16, 43", [(13, 16), (43, 43)]), ("78 - 96", [(78, 96)]), ("96-78", [(78, 96)]),
     ("98–99", [(98, 99)]), ("24; 78-80 and 105", [(24, 24), (78, 80), (105, 105)])],
)
def test_page_ranges(text, pages):
    assert parse_pages(text) == pages


@pytest.mark.parametrize("form", ["Page(s): 82", "page 82", "pages 82", "pg. 82", "p. 82", "pp. 82"])
def test_every_way_of_writing_a_page(form):
    line = f"Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Facet blocks, {form}."
    assert _parts(line)[0][3] == [(82, 82)]
