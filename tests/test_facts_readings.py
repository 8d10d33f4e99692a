"""Readings that were wrong: requests read as history, goals read as results, topical and requested NSAIDs
counted as GI risk, words out of their clinical sense; and conservative care and entrapment signs read
in the forms the letters write them."""

import pytest

from imr_rules.context import Ctx, classify, find_triggers
from imr_rules.facts import Tristate, extract_facts
from imr_rules.items import RequestedItem
from imr_rules.sentences import normalize

D, N, F = Tristate.documented, Tristate.not_documented, Tristate.documented_false


def fact(text: str, name: str, items: list[str] | None = None, index: int | None = None):
    reqs = [RequestedItem(text=t) for t in items or []]
    return extract_facts(text, reqs).value(name, index)


def ctx_of(sentence: str, words: str) -> Ctx:
    norm = normalize(sentence)
    i = norm.index(words)
    return classify(find_triggers(norm, 0, len(norm)), i, i + len(words))


# ---- context -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "words", "expected"), [
    ("Her current medication regimen was not provided.", "current medication", Ctx.not_documented),
    ("The physician recommended physical therapy for the neck.", "physical therapy", Ctx.hypothetical),
    ("The RFA listed goals: pain relief and improved function.", "pain relief", Ctx.hypothetical),
    ("She reports pain relief and improved function.", "pain relief", Ctx.affirmed),
    ("He requested early refills twice.", "early refills", Ctx.affirmed),  # the patient asked: a behaviour
    ("There was a lack of documentation regarding the number of physical therapy sessions the patient has"
     " previously completed and objective improvement in function.", "improvement in function",
     Ctx.not_documented),
])
def test_context_of_requests_goals_and_missing_documentation(sentence, words, expected):
    assert ctx_of(sentence, words) is expected


# ---- the request is not the history -------------------------------------------------------------------
MRI = ["MRI of the lumbar spine"]
PT = ["Physical therapy 2 times a week for 4 weeks for the lumbar spine"]


@pytest.mark.parametrize(("text", "expected"), [
    ("The request for authorization shows that the following test was requested: a MRI of the lumbar spine.",
     None),
    ("Treatment requests were noted to include: open MRI of the lumbar spine to evaluate radiculitis.", None),
    ("An MRI of the lumbar spine performed on 10/1/2016 revealed a disc protrusion at L4-5.", D),
    ("No prior MRI of the lumbar spine was found.", F),
])
def test_prior_imaging_is_not_read_from_the_request(text, expected):
    assert fact(text, "prior_imaging", MRI, 0) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The RFA requested physical therapy 2 times a week for 4 weeks (8 sessions) for the low back.", None),
    ("Plan: physical therapy 2 times a week for 4 weeks (8 sessions).", None),
    ("She has completed 8 sessions of physical therapy.", 8),
    ("She completed physical therapy 2 times a week for 4 weeks (8 sessions).", 8),
])
def test_requested_sessions_are_not_sessions_had(text, expected):
    assert fact(text, "prior_sessions", PT, 0) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("A Request for Authorization was noted for physical therapy, 2x3, for lumbar stabilization, core"
     " strengthening, pain relief and stretching.", None),
    ("The RFA listed goals: pain relief and improved function.", None),
    ("Physical therapy helped with pain and she can walk longer.", D),
    ("Physical therapy did not help.", F),
])
def test_the_goals_of_a_request_are_not_its_results(text, expected):
    assert fact(text, "prior_response", PT, 0) == expected


def test_goals_are_not_pain_relief():
    assert fact("Goals: pain relief, increase ADLs.", "pain_relief", PT, 0) is None
    assert fact("Goals: pain relief, increase ADLs.", "functional_improvement", PT, 0) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Physical therapy helps for a day or two, then the pain returns.", None),
    ("Physical therapy gave only temporary relief.", None),
    ("Physical therapy helps with her pain.", D),
])
def test_relief_that_does_not_last_is_not_a_documented_response(text, expected):
    assert fact(text, "prior_response", PT, 0) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("There was a lack of documentation regarding the number of physical therapy sessions the patient has"
     " previously completed and objective improvement in function.", N),
    ("Physical therapy has improved her function; she can now walk further.", D),
])
def test_lack_of_documentation_reaches_the_end_of_the_clause(text, expected):
    assert fact(text, "functional_improvement", PT, 0) == expected


NORCO = ["Norco 10/325mg #60"]


@pytest.mark.parametrize(("text", "expected"), [
    ("The current medication regimen was not provided.", None),
    ("The current request is for Norco 10/325 mg.", None),
    ("She is currently taking Norco.", True),
    ("Current medications include Norco.", True),
])
def test_continuing_treatment_needs_a_treatment_under_way(text, expected):
    assert fact(text, "continuing_treatment", NORCO, 0) == expected


FLEXERIL = ["Flexeril 10mg #30"]


@pytest.mark.parametrize(("text", "expected"), [
    ("The physician requested a short course of Flexeril for 2 weeks to use for spasm.", None),
    ("She has been taking Flexeril for 2 weeks.", 2.0),
    ("Flexeril has not been used for 2 weeks.", None),
])
def test_a_requested_course_is_not_weeks_of_use(text, expected):
    assert fact(text, "weeks_of_use", FLEXERIL, 0) == expected


# ---- GI risk: oral NSAIDs taken now ---------------------------------------------------------------------
PPI = ["Omeprazole 20mg #30"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Medications include ibuprofen 800 mg and naproxen 550 mg twice daily.", D),
    ("Medications include naproxen, diclofenac gel and Flector patch.", None),
    ("Medications include naproxen and topical ketoprofen cream.", None),
    ("Current medications: naproxen 550 mg. Requested: flurbiprofen 20% cream and Motrin 800 mg.", None),
    ("He takes naproxen. The physician requested meloxicam 15 mg.", None),
    ("He takes naproxen; meloxicam would be considered.", None),
])
def test_multiple_nsaids_count_only_oral_ones_already_taken(text, expected):
    assert fact(text, "gi_risk", PPI) == expected


# ---- words in their clinical sense ----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "present"), [
    ("He has pain like roofing shingles falling on his back.", False),
    ("He works installing roofing shingles.", False),
    ("Her diagnoses include shingles of the chest wall.", True),
    ("History of herpes zoster with post-herpetic neuralgia.", True),
    ("She has no history of shingles.", False),
])
def test_shingles_is_the_disease_not_the_roofing(text, present):
    assert ("postherpetic_neuralgia" in (fact(text, "diagnoses") or [])) is present


@pytest.mark.parametrize(("text", "expected"), [
    ("She reports catching her toes on steps.", None),
    ("He reports locking his door at night.", None),
    ("He reports the knee is catching and locking.", D),
    ("There is no catching or locking of the knee.", F),
    ("Possible locking of the knee.", None),
])
def test_catching_and_locking_are_mechanical_symptoms_of_a_joint(text, expected):
    assert fact(text, "joint_instability") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("She has a progressive motor deficit in the left lower extremity.", D),
    ("Exam noted progressive loss of strength in the left leg.", D),
    ("There is progressive motor weakness of the right hand.", D),
    ("There is no progressive motor deficit.", None),
    ("Rule out progressive motor deficit.", None),
])
def test_a_progressive_motor_deficit_is_a_red_flag(text, expected):
    assert fact(text, "red_flags") == expected


SPINE = ["MRI of the thoracic spine", "X-ray of the right forearm"]


@pytest.mark.parametrize(("text", "spine", "forearm"), [
    ("He is treated for strain of the muscles of the thoracic spine and right ulna fracture.", None, D),
    ("Diagnoses: thoracic spine strain, right ulna fracture.", None, D),
    ("He has a fracture of the thoracic spine.", D, None),
    ("He has a T12 compression fracture.", D, None),
    ("He had a fracture.", D, D),
    ("There is no fracture of the thoracic spine.", None, None),
])
def test_a_fracture_belongs_to_the_part_written_next_to_it(text, spine, forearm):
    assert fact(text, "red_flags", SPINE, 0) == spine
    assert fact(text, "red_flags", SPINE, 1) == forearm


# ---- conservative care ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Despite medications and rest for six weeks, her pain persists.", D),
    ("Despite physical therapy, she has persistent pain.", D),
    ("She continues to have low back pain. Treatment to date has included physical therapy and medications.",
     D),
    ("Treatment to date has included medications and activity modification. She still has pain.", D),
    ("Despite medications and rest for six weeks, her pain has resolved.", None),
    ("Treatment to date has included physical therapy. Her pain has resolved.", None),
    ("Treatment to date has included medications. She still has pain.", None),  # medication alone
    ("Physical therapy has helped her pain.", F),
])
def test_conservative_care_failed(text, expected):
    assert fact(text, "conservative_care_failed", MRI) == expected


# ---- entrapment signs ------------------------------------------------------------------------------------
EMG = ["EMG of the bilateral upper extremities"]


@pytest.mark.parametrize(("text", "expected"), [
    ("She has numbness and tingling of the fingers.", D),
    ("He reported numbness in the right fourth and fifth fingers.", D),
    ("She was described as having numbness of the second through fourth digits of the right hand.", D),
    ("Bilateral hand numbness.", D),
    ("She has nocturnal paresthesias.", D),
    ("Tingling in the hands wakes her up at night.", D),
    ("Sensation is decreased of ulnar fingers on right.", D),
    ("Decreased sensation in the ulnar fingers.", D),
    ("Tinel's and Phalen's positive.", D),
    ("Positive Phalen's test bilaterally.", D),
    ("She is treated for numbness of both upper extremities, rule out carpal tunnel syndrome.", D),
    ("She denies numbness or tingling in the hands.", F),
    ("Negative Tinel's and Phalen's.", F),
    ("Possible numbness of the fingers.", None),
    ("He has numbness in the feet.", None),
    ("He denies numbness in the arms. Rule out carpal tunnel syndrome.", None),
])
def test_entrapment_signs(text, expected):
    assert fact(text, "entrapment_signs", EMG) == expected


# ---- facts derived from the request and from numbers ----------------------------------------------------
def parsed(texts: list[str]) -> list[RequestedItem]:
    from imr_rules.items import parse_item

    return [parse_item(t) or RequestedItem(text=t) for t in texts]


@pytest.mark.parametrize(("text", "expected"), [
    ("She has completed 12 sessions of physical therapy.", 20),
    ("The RFA requested physical therapy 2 times a week for 4 weeks (8 sessions).", None),  # none had
    ("She has not completed any sessions of physical therapy.", None),
])
def test_sessions_total_adds_the_sessions_requested(text, expected):
    facts = extract_facts(text, parsed(["Physical therapy 2 times a week for 4 weeks"]))
    assert facts.value("sessions_total", 0) == expected


@pytest.mark.parametrize(("items", "expected"), [
    (["Norco 10/325mg #120, 1 tab every 6 hours", "Oxycontin 20mg #60 1 tab twice daily"], 100.0),
    (["Tramadol 50mg #90, 1 tab three times a day"], 15.0),
    (["Norco 10/325mg #120"], None),  # no frequency: no dose a day
    (["Norco 10/325mg #120, 1 tab every 6 hours", "Oxycodone 10mg #60"], None),  # one not stated
    (["Naproxen 550mg #60, 1 tab twice daily"], None),
])
def test_morphine_equivalent_dose_of_the_requested_opioids(items, expected):
    assert extract_facts("Medications include the requested drugs.", parsed(items)).value(
        "med_mg_per_day") == expected


@pytest.mark.parametrize(("item", "expected"), [
    ("TENS unit 30 day trial", D),
    ("H-wave unit rental for one month", D),
    ("TENS unit purchase", F),
    ("TENS unit", None),
])
def test_trial_requested_is_read_from_the_item(item, expected):
    assert extract_facts("She has low back pain.", parsed([item])).value("trial_requested", 0) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Despite medications and rest for six weeks, her pain persists.", 6.0),
    ("She has had chiropractic care for the past 3 months.", 13.0),
    ("She has had physical therapy 2 times a week for 6 weeks.", None),  # a frequency: the prescription
    ("She has been taking Norco for 6 months.", None),  # medication alone
])
def test_weeks_of_conservative_care(text, expected):
    assert fact(text, "weeks_of_conservative_care", MRI) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("A urine drug screen dated 10/1/2016 was consistent with prescribed medications.", 8.7),
    ("A urine drug screen was requested on 10/1/2016.", None),
    ("No urine drug screen was done on 10/1/2016.", None),
])
def test_weeks_since_the_last_drug_screen(text, expected):
    from datetime import date

    facts = extract_facts(text, [RequestedItem(text="Urine drug screen")], as_of=date(2016, 12, 1))
    assert facts.value("weeks_since_last_uds") == (pytest.approx(expected, abs=0.2) if expected else None)
