"""The two ways to read a letter: prediction (what was known before the decision) and fidelity
(also the reviewer's findings, never the decision itself)."""

from datetime import date

import pytest

import imr_rules.facts.extract as facts_module
from imr_rules.facts import Tristate, facts_from_letter, rationale_sentences
from imr_rules.letters import Decision, Letter, LetterItem

CANARY = "Qzxv"

SUMMARY = (
    "The injured worker is a 52 year old male who sustained an industrial injury on 4/2/2012. "
    "A progress note dated 3/10/2015 documents low back pain rated 7/10. "
    "Current medications include Valium and Norco. The plan includes a refill of Norco."
)
VALIUM_RATIONALE = (
    "The MTUS states that benzodiazepines are not recommended for long-term use and that functional "
    "improvement must be documented. "
    f"In this case, the patient has been taking Valium for 2 years, which {CANARY} confirms. "
    "There is no documentation of functional improvement. "
    f"Therefore, the request for Valium is not medically necessary {CANARY}."
)
NORCO_RATIONALE = (
    "Ongoing opioid use requires documentation of pain relief and function. "
    "In this case the patient reports 40% pain relief with Norco and is able to walk longer. "
    "The request is medically necessary."
)


def letter(**changes) -> Letter:
    fields = dict(
        summary=SUMMARY,
        decision_date=date(2015, 4, 20),
        date_of_injury=date(2012, 4, 2),
        items=[
            LetterItem(text="Valium 10mg #60", decision=Decision.upheld, rationale=VALIUM_RATIONALE),
            LetterItem(text="Norco 10/325mg #120", decision=Decision.overturned, rationale=NORCO_RATIONALE),
        ],
    )
    fields.update(changes)
    return Letter(**fields)


def evidence_texts(facts) -> list[str]:
    return [ev.text for scope in [facts.common, *facts.per_item] for fv in scope.values()
            for ev in fv.evidence]


def test_prediction_reads_nothing_after_the_issues_heading_but_the_items(monkeypatch):
    read: list[str] = []
    real_doc = facts_module._Doc

    def spy(text, *args, **kwargs):
        read.append(text)
        return real_doc(text, *args, **kwargs)

    monkeypatch.setattr(facts_module, "_Doc", spy)
    _, facts = facts_from_letter(letter(), "prediction")
    assert read == [SUMMARY]
    assert not any(CANARY in text for text in evidence_texts(facts))
    blank = letter(items=[item.model_copy(update={"rationale": ""}) for item in letter().items])
    assert facts.model_dump() == facts_from_letter(blank, "prediction")[1].model_dump()


def test_fidelity_reads_each_rationale_for_its_own_item_only():
    _, before = facts_from_letter(letter(), "prediction")
    _, after = facts_from_letter(letter(), "fidelity")
    assert before.value("weeks_of_use", 0) is None
    assert after.value("weeks_of_use", 0) == pytest.approx(104.4)
    assert after.value("functional_improvement", 0) == Tristate.not_documented
    assert after.value("functional_improvement", 1) == Tristate.documented
    assert after.value("pain_relief_pct", 1) == 40
    assert "pain_relief_pct" not in after.per_item[0]
    assert after.common == before.common  # a rationale informs its item only
    sources = {ev.source for ev in after.per_item[0]["weeks_of_use"].evidence}
    assert sources == {"rationale"}


def test_fidelity_never_reads_the_decision_or_the_guideline_text():
    _, facts = facts_from_letter(letter(), "fidelity")
    texts = evidence_texts(facts)
    assert not any("medically necessary" in t for t in texts)
    assert not any("MTUS states" in t or "requires documentation" in t for t in texts)
    assert any(CANARY in t for t in texts)  # the finding sentence is read; only the conclusion is not


def test_rationale_sentences_says_which_sentences_are_read():
    kept = dict(rationale_sentences(VALIUM_RATIONALE))
    assert kept == {
        "The MTUS states that benzodiazepines are not recommended for long-term use and that functional "
        "improvement must be documented.": False,
        f"In this case, the patient has been taking Valium for 2 years, which {CANARY} confirms.": True,
        "There is no documentation of functional improvement.": True,
        f"Therefore, the request for Valium is not medically necessary {CANARY}.": False,
    }


@pytest.mark.parametrize("sentence", [
    "Valium 10mg #60 is not medically necessary.",
    "The request for an MRI of the lumbar spine is not supported.",
    "Therefore, the continued use of Ambien is not recommended.",
    "Thus the requested chiropractic care is certified.",
    "The request for physical therapy was non-certified.",
    "Given the above, the request is medically necessary.",
])
def test_sentences_stating_the_decision_are_dropped(sentence):
    assert rationale_sentences(sentence) == [(sentence, False)]


def test_the_header_gives_the_as_of_and_injury_dates():
    _, facts = facts_from_letter(letter(), "prediction")
    assert facts.as_of == date(2015, 4, 20)
    assert facts.common["as_of"].evidence[0].source == "header"
    assert facts.common["injury_date"].evidence[0].source == "header"
    assert facts.value("weeks_since_injury") == 159.0
    _, bare = facts_from_letter(letter(decision_date=None, date_of_injury=None), "prediction")
    assert bare.as_of == date(2015, 3, 10)  # the latest clinical date in the summary
    assert bare.value("injury_date") == date(2012, 4, 2)


def test_items_come_from_the_item_parser():
    items, facts = facts_from_letter(letter(), "prediction")
    assert [i.text for i in items] == ["Valium 10mg #60", "Norco 10/325mg #120"]
    assert [i.generic for i in items] == ["diazepam", "hydrocodone/acetaminophen"]
    assert facts.value("continuing_treatment", 1) is True  # "a refill of Norco"
    assert len(facts.per_item) == 2


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="prediction.*fidelity"):
        facts_from_letter(letter(), "oracle")  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["prediction", "fidelity"])
def test_the_bundled_letters_read_in_both_modes_into_declared_facts(mode):
    from pathlib import Path

    from imr_rules.catalogue import load_catalogue
    from imr_rules.letters import read_letter

    catalogue = load_catalogue()
    for path in sorted((Path(__file__).resolve().parents[1] / "examples" / "letters").glob("*.txt")):
        parsed = read_letter(path)
        items, facts = facts_from_letter(parsed, mode)
        assert len(items) == len(parsed.items) == len(facts.per_item)
        assert facts.as_of is not None
        for scope in [facts.common, *facts.per_item]:
            for name, fact in scope.items():
                catalogue.validate_value(name, fact.value)
