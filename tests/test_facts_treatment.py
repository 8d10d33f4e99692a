"""Facts about each requested item: how long the drug has been used, whether the request continues
a treatment, visits already had, whether it helped, and what else is taken with it."""

from datetime import date

import pytest

from imr_rules.facts import Tristate, extract_facts
from imr_rules.items import RequestedItem

AS_OF = date(2015, 6, 1)


def item_facts(text: str, *items: str, as_of: date | None = AS_OF):
    return extract_facts(text, [RequestedItem(text=i) for i in items], as_of=as_of)


def weeks(text: str, item: str = "Valium 10mg #60") -> float | None:
    return item_facts(text, item).value("weeks_of_use", 0)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("He has been taking Valium on a chronic basis.", 12.0),
    ("He has taken Valium for muscle spasm for many months.", 26.1),
    ("She has used Valium for the past 6 months.", 26.1),
    ("The patient has been on Valium for over 2 years.", 105.4),
    ("He has been taking Valium since 2013.", 73.9),  # from the end of 2013: the least it can be
    ("She has been taking Valium since March 2015.", 8.9),
    ("Valium was started on January 5, 2015.", 20.9),
    ("There have been at least 4 months of treatment with Valium.", 17.4),
    ("He has been taking Valium for much longer than the 4 weeks suggested.", 5.0),
    ("He ran out of Valium last week.", 4.0),
    ("He was given a refill of Valium.", 4.0),
    ("He has been taking diazepam for 3 weeks.", 3.0),
])
def test_how_long_the_requested_drug_has_been_used(sentence, expected):
    assert weeks(sentence) == pytest.approx(expected, abs=0.2)


@pytest.mark.parametrize("sentence", [
    "Valium is requested for 2 weeks.",
    "The request for Valium with 1 refill was received.",
    "He has been taking Norco for many months.",
    "He will take Valium for one month.",
])
def test_no_duration_is_read_for_a_plan_a_requested_refill_or_another_drug(sentence):
    assert weeks(sentence) is None


def test_a_durations_of_a_drugs_class_counts_for_the_drug():
    assert weeks("He has been on benzodiazepines for several months.") == pytest.approx(13.0, abs=0.2)


def test_a_duration_since_a_year_needs_an_as_of_date():
    assert item_facts("He has been taking Valium since 2013.", "Valium 10mg", as_of=None).value(
        "weeks_of_use", 0) is None


@pytest.mark.parametrize(("sentence", "item", "expected"), [
    ("Current medications include Norco, Valium and Colace.", "Valium 10mg #60", True),
    ("Patient was given a refill of Ambien and Valium.", "Ambien CR 12.5mg #30", True),
    ("He ran out of Ambien and his primary care physician gave him a few days' supply.", "Ambien 10mg", True),
    ("The plan includes continuing medication.", "Cymbalta 60mg #60", True),
    ("The provider recommended continued physical therapy.", "Physical therapy 2x4", True),
    ("Treatment to date has included chiropractic care and medications.", "Chiropractic therapy x6", True),
    ("Gabapentin was discontinued last month.", "Gabapentin 600mg #90", False),
    ("The treatment plan includes Ultram 50 mg and naproxen.", "Ultram 50mg #30", None),
    ("The request for authorization with one refill was received on 11/2/2016.", "Norco 10/325 #60", None),
])
def test_whether_the_request_continues_a_treatment(sentence, item, expected):
    assert item_facts(sentence, item).value("continuing_treatment", 0) == expected


@pytest.mark.parametrize(("item", "expected"), [
    ("Additional physical therapy two times a week for four weeks", True),
    ("Renewal of Norco 10/325 #60", True),
    ("Norco 10/325 MG #180 with 1 Refill", None),
    ("Physical therapy 2x4 lumbar spine", None),
])
def test_the_item_text_can_show_a_continuation(item, expected):
    assert item_facts("The injured worker reports low back pain.", item).value("continuing_treatment",
                                                                               0) == expected


def test_general_continuing_medication_applies_only_to_drugs_the_text_names_elsewhere():
    text = ("The patient's medications include omeprazole and ibuprofen. "
            "The plan is to continue with the current medication regimen.")
    facts = item_facts(text, "Omeprazole 20mg #30", "Etodolac 400mg #60")
    assert facts.value("continuing_treatment", 0) is True
    assert facts.value("continuing_treatment", 1) is None


@pytest.mark.parametrize(("sentence", "item", "expected"), [
    ("She has completed 12 sessions of physical therapy.", "Physical therapy 2x3", 12),
    ("He has had 6 chiropractic visits so far.", "Chiropractic care x6", 6),
    ("He has completed 5 of 6 chiropractic sessions.", "Chiropractic care x6", 5),
    ("She previously received six acupuncture treatments.", "Acupuncture x6", 6),
    ("He received 6 sessions of physical therapy and 6 sessions of chiropractic care.", "Chiropractic x6", 6),
    ("Six sessions of physical therapy were authorized.", "Physical therapy x6", None),
    ("The request is for 12 sessions of physical therapy.", "Physical therapy x12", None),
    ("She has completed 12 sessions of physical therapy.", "Chiropractic care x6", None),
])
def test_visits_already_had_of_the_requested_therapy(sentence, item, expected):
    facts = item_facts(sentence, item)
    assert facts.value("prior_sessions", 0) == expected
    if expected:
        assert facts.value("continuing_treatment", 0) is True


@pytest.mark.parametrize(("text", "item", "expected"), [
    ("She reports vast improvement in pain with chiropractic treatment.", "Chiropractic x6",
     Tristate.documented),
    ("He completed 5 of 6 chiropractic sessions. It is documented he has had no improvement.",
     "Chiropractic x6", Tristate.documented_false),
    ("Physical therapy has not been helpful.", "Physical therapy x6", Tristate.documented_false),
    ("Acupuncture has been helpful.", "Physical therapy x6", None),
])
def test_whether_the_treatment_already_given_helped(text, item, expected):
    assert item_facts(text, item).value("prior_response", 0) == expected


def test_relief_and_function_go_to_the_drug_the_sentence_names():
    text = ("Norco reduces his pain from 8/10 to 4/10. "
            "Gabapentin helps with the burning. "
            "He reports improved function overall.")
    facts = item_facts(text, "Norco 10/325 #120", "Zanaflex 4mg #60")
    assert facts.value("pain_relief_pct", 0) == 50
    assert facts.value("pain_relief", 0) == Tristate.documented
    assert "pain_relief" not in facts.per_item[1]
    assert facts.value("functional_improvement") == Tristate.documented  # names no treatment: whole case


def test_prior_imaging_of_the_same_study_and_body_part():
    text = ("An MRI of the lumbar spine performed on 10/2/2014 revealed a disc bulge. "
            "An MRI of the knee is planned.")
    facts = item_facts(text, "MRI of the lumbar spine", "MRI of the right knee", "Repeat MRI of the shoulder")
    assert facts.value("prior_imaging", 0) == Tristate.documented
    assert facts.value("prior_imaging", 1) is None
    assert facts.value("prior_imaging", 2) == Tristate.documented
    assert item_facts("No MRI report was available.", "MRI of the lumbar spine").value(
        "prior_imaging", 0) == Tristate.not_documented


def test_prior_surgery_goes_to_the_item_for_the_same_body_part():
    text = "He is status post right shoulder arthroscopy on 1/5/2015. He had ankle fusion in 2009."
    facts = item_facts(text, "Physical therapy for the right shoulder x12", "MRI of the lumbar spine")
    assert facts.value("prior_surgery", 0) == Tristate.documented
    assert facts.value("weeks_since_surgery", 0) == pytest.approx(21.0, abs=0.1)
    assert facts.value("prior_surgery", 1) is None
    assert facts.value("prior_surgery") is None
    assert item_facts("The surgery is planned for next month.", "Post-op physical therapy x12").value(
        "prior_surgery") is None


def test_a_surgery_on_a_body_part_counts_for_items_that_name_no_body_part():
    text = "The patient underwent pelvic ring ORIF on 10/31/2016."
    items = ("Post-operative physical therapy x12", "Norco 10/325 #60", "MRI of the right knee")
    facts = item_facts(text, *items, as_of=date(2016, 12, 19))
    for index in (0, 1):
        assert facts.value("prior_surgery", index) == Tristate.documented
        assert facts.value("weeks_since_surgery", index) == pytest.approx(7.0, abs=0.1)
    assert facts.value("prior_surgery", 2) is None  # the knee is not the pelvis


def test_other_drugs_of_a_class_taken_with_the_requested_one():
    text = "Current medications include Norco, Fentora, Xanax and naproxen. He no longer takes ibuprofen."
    facts = item_facts(text, "Norco 10/325 #120", "Valium 5mg #30", "Naproxen 550mg #60")
    assert facts.value("concurrent_opioids") is True
    assert facts.value("concurrent_opioids", 0) is True          # Fentora besides Norco
    assert facts.value("concurrent_benzodiazepines", 1) is True  # Xanax besides Valium
    assert facts.value("concurrent_nsaid", 2) is False           # naproxen is the request; ibuprofen stopped
    assert facts.value("concurrent_nsaid", 0) is True


@pytest.mark.parametrize("sentence, expected", [
    ("She is currently taking nonsteroidal anti-inflammatory drugs and tramadol for her back.", True),
    ("He uses non-steroidal anti-inflammatory medication as needed.", True),
    ("Over-the-counter anti-inflammatories were being taken daily.", True),
    ("He has never taken anti-inflammatory medications.", None),
])
def test_nsaids_named_by_their_class_in_words(sentence, expected):
    assert item_facts(sentence, "Pre-operative basic metabolic panel").value("concurrent_nsaid") is expected


def test_the_requested_drug_by_another_name_is_not_another_drug():
    facts = item_facts("He takes hydrocodone four times a day.", "Norco 10/325 #120")
    assert facts.value("concurrent_opioids", 0) is False


def test_two_nsaids_or_an_anticoagulant_raise_gi_risk():
    assert item_facts("Medications include ibuprofen and nabumetone.").value("gi_risk") == Tristate.documented
    assert item_facts("Current medications included lisinopril and aspirin.").value("gi_risk") == \
        Tristate.documented
    assert item_facts("Medications include naproxen.").value("gi_risk") is None
