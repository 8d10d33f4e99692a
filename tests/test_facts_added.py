"""Facts added for the rule authors: the clinical reference date, UR's partial authorization,
failed conservative care, exam and imaging signs, and readings that were wrong before."""

from datetime import date

import pytest

from imr_rules.facts import Tristate, extract_facts, facts_from_letter, partial_authorization
from imr_rules.items import RequestedItem
from imr_rules.letters import Decision, Letter, LetterItem

D, N, F = Tristate.documented, Tristate.not_documented, Tristate.documented_false


def fact(text: str, name: str, items: list[str] | None = None, index: int | None = None):
    reqs = [RequestedItem(text=t) for t in items or []]
    found = extract_facts(text, reqs)
    return found.value(name, index)


def make_letter(**changes) -> Letter:
    fields = dict(
        summary="The worker is a 40 year old woman injured at work. She has right shoulder pain.",
        decision_date=date(2017, 2, 10), ur_denial_date=date(2016, 12, 20), date_of_injury=date(2016, 10, 1),
        items=[LetterItem(text="MRI of the right shoulder", decision=Decision.overturned)],
    )
    fields.update(changes)
    return Letter(**fields)


# ---- the clinical reference date -------------------------------------------------------------------
def test_time_windows_are_measured_at_the_ur_denial_but_guidelines_at_the_decision():
    _, facts = facts_from_letter(make_letter(), "prediction")
    assert facts.as_of == date(2017, 2, 10)
    assert facts.value("weeks_since_injury") == pytest.approx(11.6, abs=0.2)  # to the denial, not 19 weeks
    assert facts.value("chronic_pain") == F


def test_without_a_denial_date_the_decision_date_is_the_reference():
    _, facts = facts_from_letter(make_letter(ur_denial_date=None), "prediction")
    assert facts.value("weeks_since_injury") == pytest.approx(18.7, abs=0.2)


# ---- partial authorization -------------------------------------------------------------------------
@pytest.mark.parametrize(("remainder", "authorized", "kind"), [
    ("Massage therapy 4 sessions", "Massage therapy 2 sessions", "quantity"),
    ("3 visits of occupational therapy", "Occupational therapy for 9 visits", "quantity"),
    ("Caregiver 4 hours per day, 3 days a week", "Caregiver 2 hours per day, 3 days a week", "quantity"),
    ("NCV of the left lower extremity", "EMG of the left lower extremity", "component"),
    ("with ulnar nerve transposition", "Repair of the left elbow tendon", "component"),
    ("Ibuprofen 800mg #90", None, None),
])
def test_partial_authorization_tells_a_smaller_quantity_from_another_component(remainder, authorized, kind):
    assert partial_authorization(remainder, authorized) == kind


def test_the_letter_item_gives_the_partial_authorization():
    item = LetterItem(text="Massage therapy 4 sessions", decision=Decision.upheld,
                      original_request="Massage therapy 6 sessions", authorized="Massage therapy 2 sessions")
    _, facts = facts_from_letter(make_letter(items=[item]), "prediction")
    assert facts.value("ur_partial_authorization", 0) == "quantity"
    plain = LetterItem(text="Massage therapy 4 sessions", decision=Decision.upheld)
    _, facts = facts_from_letter(make_letter(items=[plain]), "prediction")
    assert facts.value("ur_partial_authorization", 0) is None


# ---- conservative care -----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Care to date has included chiropractic and bracing. He still has constant wrist pain.", D),
    ("Therapy so far consisted of physical therapy and rest. The knee pain persists.", D),
    ("Her acupuncture did not help her neck pain.", D),
    ("There was no change in her symptoms.", D),
    ("She had chiropractic care without improvement.", D),
    ("He is improving with physiotherapy.", F),
    ("Chiropractic care decreased his pain from 7/10 to 4/10.", F),
    ("At two weeks he cannot be considered as having failed conservative care.", F),
    ("Physical therapy was requested for the back.", None),
    ("Care to date has included medication only.", None),
])
def test_conservative_care_failed(text, expected):
    assert fact(text, "conservative_care_failed") == expected


# ---- exam, imaging and history signs ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "name", "expected"), [
    ("Tinel's sign was positive at the wrist.", "entrapment_signs", D),
    ("She reports tingling in the fourth and fifth fingers.", "entrapment_signs", D),
    ("Phalen's test was negative bilaterally.", "entrapment_signs", F),
    ("Plain films of the knee were unremarkable.", "radiographs_nondiagnostic", D),
    ("X-rays of the shoulder showed calcific tendinitis.", "radiographs_nondiagnostic", F),
    ("The MR arthrogram showed a full-thickness supraspinatus tear.", "full_thickness_tear", D),
    ("The MRI showed a partial-thickness tear of the tendon.", "full_thickness_tear", F),
    ("The MRI showed a nearly full-thickness tear.", "full_thickness_tear", F),
    ("An epidural injection is planned for next month.", "invasive_procedure_planned", D),
    ("She declines injections.", "invasive_procedure_planned", F),
    ("These visits were previously authorized.", "already_authorized", D),
    ("He was declared permanent and stationary last year.", "at_or_near_mmi", D),
    ("There were two unsuccessful return to work attempts.", "return_to_work_failed", D),
    ("Exam showed facet tenderness at L4-5.", "facet_signs", D),
    ("Facet loading was negative.", "facet_signs", F),
    ("Gaenslen's test was positive on the left.", "sacroiliac_signs", D),
    ("Labs showed a low vitamin D level.", "documented_deficiency", D),
    ("Her vitamin D level was normal.", "documented_deficiency", F),
    ("He remains non-weight-bearing on the left leg.", "impaired_ambulation", D),
    ("She ambulates independently.", "impaired_ambulation", F),
    ("He is currently attending physical therapy twice a week.", "active_rehabilitation", D),
    ("She has not started physical therapy.", "active_rehabilitation", F),
    ("An ergonomic workstation was recommended.", "work_modification", D),
    ("She requires assistance with bathing and dressing.", "functional_deficits", D),
    ("He is independent in activities of daily living.", "functional_deficits", F),
    ("Since discharge she has needed help with all activities of daily living.", "functional_deficits", D),
    ("He required two staff members to assist him to transfer to the wheelchair.", "functional_deficits", D),
    ("She does not require help with her activities of daily living.", "functional_deficits", F),
    ("He sustained a crush injury to the hand.", "severe_acute_injury", D),
    ("He is status post lumbar fusion.", "extensive_surgery", D),
    ("She has difficulty swallowing pills.", "oral_route_contraindicated", D),
    ("He was able to wean off his opioids.", "medication_reduced_or_not_tolerated", D),
    ("There was no change in his medications.", "medication_reduced_or_not_tolerated", F),
])
def test_added_signs(text, name, expected):
    assert fact(text, name) == expected


# ---- readings that were wrong before ---------------------------------------------------------------
def test_a_fracture_elsewhere_is_not_a_red_flag_for_the_item():
    text = "He has a left ankle fracture. He complains of neck pain."
    assert fact(text, "red_flags", ["MRI of the cervical spine"], 0) in (None, N)
    assert fact(text, "red_flags", ["X-ray of the left ankle"], 0) == D
    assert fact("An acute fracture was found.", "red_flags", ["MRI of the cervical spine"], 0) == D


@pytest.mark.parametrize("text", [
    "Absent red flags, imaging is not indicated.",
    "There is no suspicion of red flag findings.",
])
def test_negated_red_flags(text):
    assert fact(text, "red_flags") in (F, N)
