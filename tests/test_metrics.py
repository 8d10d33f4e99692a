"""Corpus metrics, checked against figures worked out by hand and against independent recomputation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imr_rules import metrics
from imr_rules.letters import Citation, CitationPart, Decision, SourceFamily
from imr_rules.results import GuidelineRef, ItemResult, LetterResult, RuleHit

UP, OV = Decision.upheld, Decision.overturned


def item(actual, predicted, topic=None, family=None, rules=(), deciding=None, citation=None, cited=None):
    if cited is None and family is not None:
        cited = Citation(family=family, parts=[CitationPart(family=family)])
    return ItemResult(item="x", actual=actual, predicted=predicted, actual_topic=topic, actual_citation=cited,
                      rules=[RuleHit(id=r, effect=e) for r, e in rules], deciding_rule=deciding,
                      citation=citation)


# 10 items: 7 upheld (5 predicted Upheld, 1 Overturned, 1 none), 3 overturned (1 Overturned, 1 Upheld, 1 none)
EXAMPLE = ([item(UP, UP)] * 5 + [item(UP, OV), item(UP, None)] + [item(OV, OV), item(OV, UP), item(OV, None)])


def test_the_confusion_matrix_counts_no_prediction_as_a_column_of_its_own():
    assert metrics.confusion(EXAMPLE) == {
        "Upheld": {"Upheld": 5, "Overturned": 1, "none": 1},
        "Overturned": {"Upheld": 1, "Overturned": 1, "none": 1},
    }


def test_figures_worked_out_by_hand():
    score = metrics.score(EXAMPLE)
    assert (score.items, score.predicted, score.correct) == (10, 8, 6)
    assert score.coverage == pytest.approx(0.8)
    assert score.accuracy == pytest.approx(6 / 8)
    # an item without a prediction is a miss
    assert score.recall == {"Upheld": pytest.approx(5 / 7), "Overturned": pytest.approx(1 / 3)}
    assert score.balanced_accuracy == pytest.approx((5 / 7 + 1 / 3) / 2)
    # observed 0.6; chance = 0.7 * 0.6 (Upheld) + 0.3 * 0.2 (Overturned) = 0.48
    assert score.kappa == pytest.approx((0.6 - 0.48) / (1 - 0.48))


def test_the_always_upheld_baseline_is_right_nine_times_in_ten_and_worth_nothing():
    items = [item(UP, None)] * 9 + [item(OV, OV)]
    base = metrics.score(items).always_upheld
    assert base.accuracy == pytest.approx(0.9)
    assert base.recall == {"Upheld": 1.0, "Overturned": 0.0}
    assert base.balanced_accuracy == pytest.approx(0.5)
    assert base.kappa == pytest.approx(0.0)


def test_with_no_overturned_items_that_recall_does_not_exist():
    score = metrics.score([item(UP, UP), item(UP, None)])
    assert score.recall["Overturned"] is None
    assert score.balanced_accuracy == pytest.approx(0.5)
    assert score.always_upheld.kappa is None  # chance agreement is 1: kappa is undefined


def test_no_items_gives_no_figures():
    score = metrics.score([])
    assert (score.items, score.coverage, score.accuracy, score.balanced_accuracy, score.kappa) == (
        0, None, None, None, None)


def test_items_without_a_known_decision_are_not_scored():
    assert metrics.score([item(None, UP), item(UP, UP)]).items == 1


def reference_kappa(actual: list[str], predicted: list[str]) -> float | None:
    """Cohen's kappa from the textbook definition, over every label that occurs."""
    n = len(actual)
    labels = set(actual) | set(predicted)
    observed = sum(a == p for a, p in zip(actual, predicted, strict=True)) / n
    chance = sum((actual.count(k) / n) * (predicted.count(k) / n) for k in labels)
    return None if chance == 1 else (observed - chance) / (1 - chance)


pairs = st.lists(st.tuples(st.sampled_from([UP, OV]), st.sampled_from([UP, OV, None])),
                 min_size=1, max_size=60)


@given(pairs)
def test_every_figure_agrees_with_a_recount(labelled_pairs):
    items = [item(a, p) for a, p in labelled_pairs]
    score = metrics.score(items)
    actual = [a.value for a, _ in labelled_pairs]
    predicted = [p.value if p else "none" for _, p in labelled_pairs]
    predicted_pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if p != "none"]
    right = sum(a == p for a, p in predicted_pairs)
    assert score.accuracy == (pytest.approx(right / len(predicted_pairs)) if predicted_pairs else None)
    for label in ("Upheld", "Overturned"):
        wanted = [p for a, p in zip(actual, predicted, strict=True) if a == label]
        assert score.recall[label] == (pytest.approx(wanted.count(label) / len(wanted)) if wanted else None)
    expected_kappa = reference_kappa(actual, predicted)
    assert score.kappa == (None if expected_kappa is None else pytest.approx(expected_kappa))
    assert 0 <= score.balanced_accuracy <= 1


# --- citations ---------------------------------------------------------------------

ACOEM_SPECIAL = Citation(
    family=SourceFamily.mtus_acoem,
    parts=[CitationPart(family=SourceFamily.mtus_acoem, chapter="Low Back Complaints 2004",
                        sections=["Special Studies"]),
           CitationPart(family=SourceFamily.mtus_cpmtg_2016, sections=["Facet blocks"])],
)
CPMTG_2009_PAGES = Citation(
    family=SourceFamily.mtus_cpmtg_2009,
    parts=[CitationPart(family=SourceFamily.mtus_cpmtg_2009, pages=[(78, 96)])],
)


@pytest.mark.parametrize(
    ("ref", "cited", "agrees"),
    [
        (GuidelineRef(family=SourceFamily.mtus_acoem, section="Special studies"), ACOEM_SPECIAL, True),
        (GuidelineRef(family=SourceFamily.mtus_acoem), ACOEM_SPECIAL, True),
        (GuidelineRef(family=SourceFamily.mtus_acoem, section="Surgical Care"), ACOEM_SPECIAL, False),
        (GuidelineRef(family=SourceFamily.mtus_cpmtg_2016, section="Facet blocks"), ACOEM_SPECIAL, True),
        (GuidelineRef(family=SourceFamily.odg, section="Special Studies"), ACOEM_SPECIAL, False),
        (GuidelineRef(family=SourceFamily.mtus_cpmtg_2016, section="Facet"), ACOEM_SPECIAL, True),
        (GuidelineRef(family=SourceFamily.mtus_cpmtg_2016, section="Face"), ACOEM_SPECIAL, False),
        (GuidelineRef(family=SourceFamily.mtus_cpmtg_2009, pages="80-82"), CPMTG_2009_PAGES, True),
        (GuidelineRef(family=SourceFamily.mtus_cpmtg_2009, pages="24"), CPMTG_2009_PAGES, False),
        (GuidelineRef(family=SourceFamily.odg), Citation(family=SourceFamily.odg), True),
    ],
)
def test_a_rules_guideline_agrees_with_the_letter_when_family_and_section_match(ref, cited, agrees):
    assert metrics.citation_agrees(ref, cited) is agrees


def test_citation_agreement_is_over_predicted_items_whose_letter_cites_a_guideline():
    ours = GuidelineRef(family=SourceFamily.mtus_acoem, section="Special Studies")
    none_cited = Citation(family=SourceFamily.none_cited)
    items = [
        item(UP, UP, citation=ours, cited=ACOEM_SPECIAL),  # agrees
        item(UP, UP, citation=None, cited=ACOEM_SPECIAL),  # the rule gave no guideline: disagrees
        item(UP, UP, citation=ours, cited=CPMTG_2009_PAGES),  # disagrees
        item(UP, None, citation=ours, cited=ACOEM_SPECIAL),  # not predicted: not compared
        item(UP, UP, citation=ours, cited=none_cited),  # letter cites nothing: not compared
        item(UP, UP, citation=ours, cited=None),  # citation not read: not compared
    ]
    expected = {"agree": 1, "compared": 3, "rate": pytest.approx(1 / 3)}
    assert metrics.citation_agreement(items).model_dump() == expected
    score = metrics.score(items)
    assert score.citation_agreement.model_dump() == expected
    # same items compared; by family alone the third still disagrees (ACOEM against Chronic Pain 2009)
    assert score.citation_family_agreement.model_dump() == expected


def test_a_rule_with_the_right_family_but_the_wrong_section_agrees_by_family_and_not_by_section():
    wrong_section = GuidelineRef(family=SourceFamily.mtus_acoem, section="Surgical Considerations")
    wrong_pages = GuidelineRef(family=SourceFamily.mtus_cpmtg_2009, section="Benzodiazepines", pages="24")
    assert metrics.citation_family_agrees(wrong_section, ACOEM_SPECIAL)
    assert not metrics.citation_agrees(wrong_section, ACOEM_SPECIAL)
    assert metrics.citation_family_agrees(wrong_pages, CPMTG_2009_PAGES)
    assert not metrics.citation_agrees(wrong_pages, CPMTG_2009_PAGES)
    # a family the letter names only second still counts; one it does not name never does
    assert metrics.citation_family_agrees(GuidelineRef(family=SourceFamily.mtus_cpmtg_2016), ACOEM_SPECIAL)
    assert not metrics.citation_family_agrees(GuidelineRef(family=SourceFamily.odg), ACOEM_SPECIAL)

    right = GuidelineRef(family=SourceFamily.mtus_acoem, section="Special Studies")
    items = [item(UP, UP, citation=wrong_section, cited=ACOEM_SPECIAL),
             item(UP, OV, citation=right, cited=ACOEM_SPECIAL),
             item(UP, UP, citation=GuidelineRef(family=SourceFamily.odg), cited=ACOEM_SPECIAL)]
    score = metrics.score(items)
    assert score.citation_family_agreement.model_dump() == {"agree": 2, "compared": 3,
                                                            "rate": pytest.approx(2 / 3)}
    assert score.citation_agreement.model_dump() == {"agree": 1, "compared": 3, "rate": pytest.approx(1 / 3)}


FAMILIES = st.sampled_from([family for family in SourceFamily
                            if family not in (SourceFamily.none_cited, SourceFamily.unknown)])
SECTIONS = st.sampled_from(["Special Studies", "Special", "Opioids", "Opioids, criteria for use", "Surgery"])
refs = st.builds(GuidelineRef, family=FAMILIES, section=st.none() | SECTIONS,
                 pages=st.none() | st.sampled_from(["24", "78-80", "26-27"]))
parts = st.builds(CitationPart, family=FAMILIES, sections=st.lists(SECTIONS, max_size=2),
                  pages=st.lists(st.sampled_from([(24, 24), (78, 96), (27, 28)]), max_size=1))
citations = st.builds(lambda ps, family: Citation(family=ps[0].family if ps else family, parts=ps),
                      st.lists(parts, max_size=3), FAMILIES)


@given(refs, citations)
def test_agreement_of_family_and_section_implies_agreement_of_family(ref, cited):
    if metrics.citation_agrees(ref, cited):
        assert metrics.citation_family_agrees(ref, cited)


# --- groups and rules -------------------------------------------------------------------


def test_scores_per_topic_and_per_guideline_family_of_the_letters_citation():
    items = [item(UP, UP, "imaging", SourceFamily.mtus_acoem), item(OV, None, "imaging", SourceFamily.odg),
             item(UP, OV, None, None)]
    by_topic = metrics.score_by(items, metrics.topic_key)
    assert list(by_topic) == ["imaging", "unknown"]
    assert by_topic["imaging"].recall == {"Upheld": 1.0, "Overturned": 0.0}
    by_family = metrics.score_by(items, metrics.guideline_key)
    assert {name: s.items for name, s in by_family.items()} == {"MTUS ACOEM": 1, "None cited": 1, "ODG": 1}


def test_per_rule_counts_of_firing_deciding_and_matching_the_letter():
    items = [
        item(UP, UP, rules=[("a", UP), ("b", OV)], deciding="a"),
        item(OV, UP, rules=[("a", UP), ("a", UP)], deciding="a"),  # fired twice on one item: counted once
        item(OV, None, rules=[("b", OV), ("c", None)]),
    ]
    assert {rule: s.model_dump() for rule, s in metrics.rule_stats(items).items()} == {
        "a": {"fired": 2, "decided": 2, "matched": 1},
        "b": {"fired": 2, "decided": 0, "matched": 1},
        "c": {"fired": 1, "decided": 0, "matched": 0},
    }


def test_the_summary_accounts_for_every_file():
    letters = [
        LetterResult(file="a.txt", status="ok", items=[item(UP, UP), item(OV, None)]),
        LetterResult.failed("b.pdf", "cannot open PDF"),
        LetterResult(file="c.txt", status="ok", items=[item(UP, OV)]),
    ]
    summary = metrics.summarize(letters, mode="prediction", as_of="letter")
    assert (summary.files, summary.letters_read, summary.letters_failed) == (3, 2, 1)
    assert [f.model_dump() for f in summary.failures] == [{"file": "b.pdf", "error": "cannot open PDF"}]
    assert summary.overall.items == 3


def test_an_odg_rule_naming_chapter_and_topic_agrees_with_a_letter_that_names_them_apart():
    from imr_rules.citations import parse_citation
    from imr_rules.letters import SourceFamily
    from imr_rules.metrics import citation_agrees
    from imr_rules.results import GuidelineRef

    cited = parse_citation("Decision based on Non-MTUS Citation Official Disability Guidelines, "
                           "Pain (Chronic), Zolpidem (Ambien).")
    rule = GuidelineRef(family=SourceFamily.odg, section="Pain (Chronic), Zolpidem (Ambien)")
    other = GuidelineRef(family=SourceFamily.odg, section="Pain (Chronic), Benzodiazepines")
    assert citation_agrees(rule, cited)
    assert not citation_agrees(other, cited)


def test_a_letter_section_that_joins_two_sections_agrees_with_a_rule_citing_either():
    from imr_rules.citations import parse_citation

    cited = parse_citation("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), "
                           "Pain (chronic), Insomnia treatment and Zolpidem.")
    def agrees(section: str) -> bool:
        return metrics.citation_agrees(GuidelineRef(family=SourceFamily.odg, section=section), cited)

    assert agrees("Pain (Chronic), Zolpidem (Ambien)")
    assert agrees("Insomnia treatment")
    assert not agrees("Benzodiazepines")
    assert not agrees("Treatment")


def test_page_cited_guidelines_agree_only_when_the_pages_overlap():
    from imr_rules.citations import parse_citation
    from imr_rules.letters import SourceFamily
    from imr_rules.metrics import citation_agrees
    from imr_rules.results import GuidelineRef

    cited = parse_citation("Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): 27-28.")
    family = SourceFamily.mtus_cpmtg_2009
    assert citation_agrees(GuidelineRef(family=family, section="Buprenorphine", pages="26-27"), cited)
    assert not citation_agrees(GuidelineRef(family=family, section="Benzodiazepines", pages="24"), cited)
