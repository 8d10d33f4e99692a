"""What the extractor produces is what rules/facts.yaml declares, in the declared types."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from imr_rules.catalogue import load_catalogue
from imr_rules.facts import _DIAGNOSES, CaseFacts, _lexicon, _rx, compiled_alternative, extract_facts
from imr_rules.items import RequestedItem
from imr_rules.sentences import normalize, split_sentences

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "letters"

# One note that touches most facts, written for this test.
NOTE = """\
The injured worker is a 67 year old female who sustained an industrial injury on 3/4/2014.
Diagnoses include lumbar radiculopathy, depression, insomnia and a history of peptic ulcer.
A progress note dated 6/1/2015 documents low back pain rated 7/10, 4/10 with medications and 8/10 without.
She has been taking Norco for many months and reports improved function, able to walk longer.
She denies side effects. A urine drug screen was consistent. She signed an opioid agreement.
The CURES report was reviewed. There is no aberrant behavior. She continues a home exercise program.
She has failed conservative treatment including 12 sessions of physical therapy, and failed gabapentin.
Straight leg raise is positive on the left with decreased sensation in the L5 dermatome.
An MRI of the lumbar spine performed on 1/2/2015 revealed a disc protrusion at L4-5.
She is not a surgical candidate. She has returned to modified duty. She takes ibuprofen and aspirin.
"""
ITEMS = ["Norco 10/325 #120", "Physical therapy 2x6 lumbar spine", "MRI of the lumbar spine",
         "Omeprazole 20mg"]


def _example_summaries() -> list[str]:
    out = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(text[text.index("CLINICAL CASE SUMMARY"):text.index("IMR ISSUES")])
    return out


def _all_facts() -> list[CaseFacts]:
    items = [RequestedItem(text=t) for t in ITEMS]
    return [extract_facts(NOTE, items)] + [extract_facts(s, items, source="summary")
                                           for s in _example_summaries()]


def test_every_fact_produced_is_declared_and_of_its_declared_type():
    catalogue = load_catalogue()
    seen = set()
    for facts in _all_facts():
        for scope in [facts.common, *facts.per_item]:
            for name, fact in scope.items():
                seen.add(name)
                assert name in catalogue, name
                assert catalogue.validate_value(name, fact.value) is not None, name
                assert fact.evidence, name
    assert len(seen) >= 35  # the note above touches most of the catalogue


def test_every_diagnosis_flag_is_a_declared_value():
    values = set(load_catalogue().spec("diagnoses").values)
    assert set(_DIAGNOSES) <= values


def test_the_note_reads_as_expected():
    facts = extract_facts(NOTE, [RequestedItem(text=t) for t in ITEMS])
    assert facts.value("gi_risk") == "documented"  # over 65, ulcer history, two NSAID-class drugs
    assert facts.value("pain_relief_pct") == 50
    assert facts.value("weeks_of_use", 0) == pytest.approx(26.1)
    assert facts.value("prior_sessions", 1) == 12
    assert facts.value("prior_imaging", 2) == "documented"
    assert facts.value("concurrent_nsaid", 3) is True


def test_evidence_points_at_the_sentence_in_the_source_text():
    facts = extract_facts(NOTE, [RequestedItem(text=t) for t in ITEMS])
    for scope in [facts.common, *facts.per_item]:
        for fact in scope.values():
            for ev in fact.evidence:
                if ev.start is not None:
                    assert " ".join(NOTE[ev.start:ev.end].split()) == ev.text


def test_case_facts_survive_a_json_round_trip():
    for facts in _all_facts():
        again = CaseFacts.model_validate_json(facts.model_dump_json())
        assert again.model_dump(mode="json") == facts.model_dump(mode="json")


def test_extraction_is_deterministic():
    first = [f.model_dump(mode="json") for f in _all_facts()]
    assert [f.model_dump(mode="json") for f in _all_facts()] == first


def test_an_empty_text_gives_no_facts():
    facts = extract_facts("", [RequestedItem(text="Norco 10/325 #60")])
    assert facts.common == {} and facts.per_item == [{}] and facts.as_of is None


def test_patterns_are_only_tried_where_they_can_match():
    """Each alternative is tried only at words starting with the letters it is filed under, or (the
    few that cannot be filed) in sentences with its stems; trying them everywhere finds nothing more."""
    by_key, slow = _lexicon()
    filed: dict[re.Pattern[str], set[str]] = {}
    for key, leads in by_key.items():
        for _, entries in leads:
            for _, alternative in entries:
                filed.setdefault(compiled_alternative(alternative), set()).add(key)
    for text in [NOTE, *_example_summaries()]:
        norm = normalize(text)
        for s in split_sentences(text):
            for rx, keys in filed.items():
                for m in rx.finditer(norm, s.start, s.end):
                    assert re.match(r"[a-z]{1,3}", norm[m.start():]).group() in keys, rx.pattern
            for spec, rx, stems in slow:
                if rx.search(norm, s.start, s.end):
                    assert any(stem in norm[s.start:s.end] for stem in stems), spec.pattern
    named = _rx()
    assert all(named[name].pattern for name in named.sources)  # every pattern compiles


def test_the_result_does_not_depend_on_how_sets_iterate():
    """Sets of strings iterate in a different order in every process; the facts must not."""
    code = ("import sys; from imr_rules.facts import extract_facts; "
            "from imr_rules.items import RequestedItem; "
            "items = [RequestedItem(text=t) for t in sys.argv[1:]]; "
            "print(extract_facts(sys.stdin.read(), items).model_dump_json())")
    text = NOTE + "".join(_example_summaries())
    runs = {
        subprocess.run([sys.executable, "-c", code, *ITEMS], input=text, capture_output=True, text=True,
                       check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1
