"""Three-valued findings: documented, documented false, not documented — or absent when never
mentioned (the engine reads absent as not documented)."""

import pytest

from imr_rules.facts import Tristate, extract_facts

D, F, N = Tristate.documented, Tristate.documented_false, Tristate.not_documented


def finding(text: str, fact: str):
    return extract_facts(text).value(fact)


CASES = [
    # functional improvement
    ("functional_improvement",
     "He reports improved function and is able to walk longer with the medication.", D),
    ("functional_improvement", "The medication allows her to perform her activities of daily living again.",
     None),
    ("functional_improvement", "She is able to stand longer while cooking.", D),
    ("functional_improvement", "There is no documentation of functional improvement.", N),
    ("functional_improvement", "The notes lack documentation of objective functional improvement.", N),
    ("functional_improvement", "He denies any improvement in function.", F),
    ("functional_improvement", "There has been no improvement in function.", F),
    ("functional_improvement", "His daily activities are more limited than before.", F),
    ("functional_improvement", "Records indicate no change in complaints or level of functioning.", F),
    ("functional_improvement", "The goal of therapy is to improve function.", None),
    # pain relief
    ("pain_relief", "The medication helps with the pain.", D),
    ("pain_relief", "He reports transient relief with medications and heat.", D),
    ("pain_relief", "She states the medication gives no relief.", F),
    ("pain_relief", "He complained that it did not give him much pain relief.", F),
    ("pain_relief", "The medication was ineffective.", F),
    ("pain_relief", "There is no documentation of pain relief with the medication.", N),
    ("pain_relief", "Injections are planned to reduce pain and inflammation.", None),
    # relief too slight to count is not a documented benefit
    ("pain_relief", "The antidepressant only slightly lessened her pain, though sleep improved.", F),
    ("pain_relief", "He reports minimal relief from the patch.", F),
    ("pain_relief", "She noted marginal pain improvement after the trial.", F),
    ("pain_relief", "He reports some relief from the patch.", D),
    # adverse effects
    ("adverse_effects", "He reports constipation from the narcotics.", D),
    ("adverse_effects", "She could not tolerate gabapentin because of drowsiness.", None),
    ("adverse_effects", "She is intolerant of oral anti-inflammatories.", D),
    ("adverse_effects", "He denies side effects from his medications.", F),
    ("adverse_effects", "He is working modified duty and tolerating current medications.", F),
    ("adverse_effects", "Side effects were not documented.", N),
    # aberrant behaviour
    ("aberrant_behavior", "There was no aberrant drug behavior.", F),
    ("aberrant_behavior", "He requested early refills twice this month.", D),
    ("aberrant_behavior", "He has no history of illicit drug use.", F),
    # opioid monitoring
    ("urine_drug_screen", "A urine drug screen was performed in March.", D),
    ("urine_drug_screen", "Treatment to date has included medications and a urine drug screen.", D),
    ("urine_drug_screen", "There is no documentation of a urine drug screen.", N),
    ("urine_drug_screen", "A urine toxicology screen is requested.", None),
    ("uds_consistent", "The urine drug screen was consistent with the prescribed medications.", D),
    ("uds_consistent", "A urine drug screen done last month was inconsistent.", F),
    ("uds_consistent", "The urine drug test was positive for marijuana.", F),
    ("opioid_agreement", "He signed an opioid agreement with the practice.", D),
    ("opioid_agreement", "There is no documentation of a signed pain contract.", N),
    ("cures_checked", "A CURES report was reviewed and was appropriate.", D),
    ("cures_checked", "The CURES database was not checked.", F),
    ("cures_checked", "There is no documentation that CURES was reviewed.", N),
    ("risk_assessment", "An opioid risk tool score was low.", D),
    ("risk_assessment", "Screening for risk of addiction was not completed.", F),
    # conservative care, first-line drugs, home exercise
    ("conservative_care_failed", "Other reports indicate the patient has failed conservative treatment.", D),
    ("conservative_care_failed", "Pain persists despite physical therapy and medications.", D),
    ("conservative_care_failed", "Multiple epidural injections gave no significant relief.", None),
    ("conservative_care_failed", "There was no evidence the patient has tried and failed conservative care.",
     N),
    ("conservative_care_failed", "The patient has not trialed and failed a course of physical therapy.", F),
    ("first_line_failed", "She failed a trial of gabapentin and amitriptyline.", D),
    ("first_line_failed", "Lyrica was discontinued because it was not tolerated.", D),
    ("first_line_failed", "He is not able to tolerate oral medications.", D),
    ("first_line_failed", "There is no evidence that the patient had failed any neuropathic medication.", N),
    ("home_exercise_program", "He continues a home exercise program daily.", D),
    ("home_exercise_program",
     "There is no mention that the patient participates in a home exercise program.", N),
    # GI and cardiovascular risk
    ("gi_risk", "She has a history of peptic ulcer disease.", D),
    ("gi_risk", "He has no history of GI bleeding.", F),
    ("gi_symptoms", "She reports dyspepsia when taking naproxen.", D),
    ("gi_symptoms", "He denies nausea, heartburn or abdominal pain.", F),
    ("gi_symptoms", "There was a lack of subjective complaints of gastrointestinal events.", N),
    # exam and imaging
    ("neurologic_deficit", "There was decreased sensation in the right L5 dermatome.", D),
    ("neurologic_deficit", "Motor strength was 4/5 in the left extensor hallucis longus.", D),
    ("neurologic_deficit", "Knee reflexes were 1+ bilaterally.", D),
    ("neurologic_deficit", "Motor strength, sensation, and reflexes were normal.", F),
    ("neurologic_deficit", "There were no neurological deficits in the lower extremities.", F),
    ("neurologic_deficit", "Strength was 5/5 throughout.", F),
    ("neurologic_deficit", "He complained of weakness in the leg.", None),
    ("straight_leg_raise_positive", "Straight leg raise was positive on the left at 45 degrees.", D),
    ("straight_leg_raise_positive", "There was a positive seated straight leg raise on the right.", D),
    ("straight_leg_raise_positive", "Negative straight leg raise bilaterally.", F),
    ("radiculopathy_on_exam", "Sensation was diminished in the right L4 and L5 dermatomes.", D),
    ("radiculopathy_on_exam", "Clinical findings consistent with radiculopathy were not documented.", N),
    ("trigger_points", "There were trigger points with a twitch response in the trapezius.", D),
    ("trigger_points", "No trigger points were found.", F),
    ("trigger_points", "Trigger point injections are requested.", None),
    ("joint_instability", "There was no instability of the ankle.", F),
    ("joint_instability", "Lachman test was positive; there is instability of the knee.", D),
    ("imaging_corroborates", "An MRI of the lumbar spine revealed a disc extrusion at L5-S1.", D),
    ("imaging_corroborates", "The electrodiagnostic study of both legs was normal.", F),
    ("imaging_corroborates", "A CT of the thoracic spine revealed an unremarkable study.", F),
    ("imaging_corroborates", "An MRI of the lumbar spine is requested to rule out a disc herniation.", None),
    ("red_flags", "There were no red flags on examination.", F),
    ("red_flags", "There is no evidence of any red flag conditions.", N),
    # planning and the patient's situation
    ("surgical_candidate", "A right shoulder arthroscopy has been recommended.", D),
    ("surgical_candidate", "He is not a surgical candidate.", F),
    ("surgical_candidate", "There is no documentation of a willingness to consider surgical intervention.",
     N),
    ("homebound", "The patient is homebound since the fracture.", D),
    ("homebound", "She is not homebound and drives to appointments.", F),
    ("psych_evaluation_done", "A psychological evaluation was completed last month.", D),
    ("psych_evaluation_done", "A psychological evaluation is requested.", None),
    ("trial_successful", "The TENS trial was successful with better sleep.", D),
    ("trial_successful", "A spinal cord stimulator trial was unsuccessful.", F),
    ("returned_to_work", "The injured worker has returned to regular job duties.", D),
    ("returned_to_work", "He is currently working full time.", D),
    ("returned_to_work", "He was placed off work until the next visit.", F),
    ("returned_to_work", "The injured worker has not returned to work.", F),
    ("returned_to_work", "It was not clearly stated whether the applicant was or was not working.", N),
    ("returned_to_work", "He reports the stimulator is working very well.", None),
    ("motivation_to_change", "The patient is highly motivated to return to work.", D),
    ("adjunct_to_functional_restoration", "The TENS unit will be used along with a home exercise program.",
     D),
    ("chronic_pain", "He has filed a claim for chronic low back pain.", D),
]


@pytest.mark.parametrize(("fact", "sentence", "expected"), CASES)
def test_a_finding_is_read_as_the_sentence_states_it(fact, sentence, expected):
    assert finding(sentence, fact) == expected


def test_a_finding_never_mentioned_is_absent():
    facts = extract_facts("The injured worker is a 44 year old male who reports low back pain.")
    for fact in ("functional_improvement", "urine_drug_screen", "neurologic_deficit", "red_flags"):
        assert fact not in facts.common


def test_a_deficit_anywhere_documents_a_deficit():
    text = "There is no weakness in the upper extremities. There is decreased sensation in the fifth finger."
    assert finding(text, "neurologic_deficit") == D


def test_the_last_statement_of_improvement_wins():
    earlier = "In June he reported improved function. In August there was no improvement in function."
    later = "In June there was no improvement in function. In August he reported improved function."
    assert finding(earlier, "functional_improvement") == F
    assert finding(later, "functional_improvement") == D


def test_an_inconsistent_screen_anywhere_makes_screens_inconsistent():
    text = ("A urine drug screen in May was consistent with his prescriptions. "
            "A urine drug screen in July was inconsistent.")
    assert finding(text, "uds_consistent") == F


def test_utilization_review_reasons_are_not_findings():
    text = ("The original utilization review denied the MRI due to no documentation of failed conservative "
            "care. "
            "The patient has failed conservative treatment with physical therapy.")
    facts = extract_facts(text)
    assert facts.value("conservative_care_failed") == D
    assert [e.text for e in facts.common["conservative_care_failed"].evidence] == [
        "The patient has failed conservative treatment with physical therapy."]


def test_exam_findings_make_physiologic_evidence_and_radiculopathy_on_exam():
    text = ("Straight leg raise was positive on the right. "
            "Motor strength was 4/5 in the right ankle dorsiflexors.")
    facts = extract_facts(text)
    assert facts.value("physiologic_evidence") == D
    assert facts.value("radiculopathy_on_exam") == D
