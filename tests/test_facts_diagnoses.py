"""Diagnoses: a flag is set when the record affirms the condition, never when it denies,
doubts or only plans to look for it."""

import pytest

from imr_rules.facts import Tristate, extract_facts


def diagnoses(text: str) -> set[str]:
    return set(extract_facts(text).value("diagnoses") or [])


@pytest.mark.parametrize(("sentence", "flag"), [
    ("The injured worker was diagnosed with lumbar radiculopathy and lumbar strain.", "radiculopathy"),
    ("He complains of low back pain with sciatica down the left leg.", "radiculopathy"),
    ("Diagnoses include cervical radiculitis.", "radiculopathy"),
    ("The patient does have a diagnosis for radicular pain.", "radiculopathy"),
    ("She has burning pain and allodynia of the right foot.", "neuropathic_pain"),
    ("Assessment: peripheral neuropathy of both hands.", "neuropathic_pain"),
    ("Diagnoses included depression, anxiety and insomnia.", "depression"),
    ("Diagnoses included depression, anxiety and insomnia.", "anxiety"),
    ("Diagnoses included depression, anxiety and insomnia.", "insomnia"),
    ("The mental status exam showed depressed mood and affect.", "depression"),
    ("He reports difficulty sleeping because of the pain.", "insomnia"),
    ("There was palpable spasm of the paracervical muscles.", "spasm"),
    ("She presents with an acute flare-up of chronic low back pain.", "acute_exacerbation"),
    ("The patient is receiving treatment for metastatic breast cancer.", "cancer_pain"),
    ("History is significant for opioid dependence.", "opioid_dependence"),
    ("He has been in a methadone maintenance program since last year.", "opioid_use_disorder_treatment"),
    ("He has a seizure disorder managed by neurology.", "seizure_disorder"),
    ("X-rays show osteoarthritis of the right knee.", "osteoarthritis"),
    ("The working diagnosis is complex regional pain syndrome of the left hand.", "crps"),
    ("Her right foot is colder than the left, a sign of reflex sympathetic dystrophy.", "crps"),
    ("He has diabetic peripheral neuropathy.", "diabetic_neuropathy"),
    ("She was treated for postherpetic neuralgia of the chest wall.", "postherpetic_neuralgia"),
    ("Diagnoses include right carpal tunnel syndrome.", "carpal_tunnel"),
    ("The current diagnosis is intervertebral disc displacement, lumbar region.", "disc_herniation"),
    ("MRI showed a 4 mm disc protrusion at L4-5.", "disc_herniation"),
    ("There is moderate foraminal stenosis at L5-S1.", "spinal_stenosis"),
    ("He carries a diagnosis of failed back surgery syndrome.", "failed_back_surgery"),
    ("She complains of persistent headaches.", "headache"),
    ("Past history includes gastroesophageal reflux disease.", "gi_disorder"),
    ("Other history included hypertension and hyperlipidemia.", "hypertension"),
    ("He had coronary artery stenting two years ago.", "cardiovascular_disease"),
    ("She has chronic kidney disease stage 3.", "renal_disease"),
    ("He is obese with a BMI of 41.", "obesity"),
    ("The patient was diagnosed with PTSD after the assault.", "ptsd"),
    ("He uses a CPAP machine for sleep apnea.", "sleep_apnea"),
    ("X-rays revealed a fracture of the distal radius.", "fracture"),
    ("Diagnoses include lateral epicondylitis of the right elbow.", "tendinitis"),
    ("MRI showed a full-thickness tear of the supraspinatus.", "rotator_cuff_tear"),
    ("There is a tear of the medial meniscus on MRI.", "meniscal_tear"),
    ("Exam revealed laxity of the knee.", "instability"),
    ("The pump was removed because of an infection.", "infection"),
    ("He reports new saddle anesthesia and urinary retention.", "cauda_equina"),
    ("Left thigh numbness is progressively getting worse.", "progressive_neurologic_deficit"),
    ("He is also treated for erectile dysfunction.", "erectile_dysfunction"),
    ("She has myofascial pain syndrome of the trapezius.", "myofascial_pain"),
    ("Fibromyalgia was diagnosed by rheumatology.", "fibromyalgia"),
])
def test_an_affirmed_diagnosis_sets_its_flag(sentence, flag):
    assert flag in diagnoses(sentence)


@pytest.mark.parametrize(("sentence", "flag"), [
    ("The treatment plan included an MRI of the cervical spine to rule out herniated nucleus pulposus.",
     "disc_herniation"),
    ("The MRI of the shoulder is to rule out a rotator cuff tear.", "rotator_cuff_tear"),
    ("The diagnoses are lumbago with possible radiculopathy.", "radiculopathy"),
    ("X-rays showed no fractures or subluxations.", "fracture"),
    ("The dentist found no infection.", "infection"),
    ("This patient is not a cancer patient.", "cancer_pain"),
    ("The medical record fails to document depression secondary to chronic pain.", "depression"),
    ("There is no evidence the patient has arthritis.", "osteoarthritis"),
    ("The patient denied sleep problems.", "insomnia"),
    ("There were no spasms of the thoracolumbar musculature.", "spasm"),
    ("His mother has a history of depression.", "depression"),
    ("There was positive cervical compression and shoulder depression test.", "depression"),
    ("He was fitted with a fracture boot.", "fracture"),
    ("Coronary artery stenosis was treated with a stent.", "spinal_stenosis"),
])
def test_a_denied_doubted_or_planned_diagnosis_sets_no_flag(sentence, flag):
    assert flag not in diagnoses(sentence)


def test_a_list_keeps_the_doubt_on_its_own_item():
    found = diagnoses("Diagnoses: lumbago, possible sacroiliac joint syndrome, depression, anxiety and "
                      "insomnia.")
    assert {"depression", "anxiety", "insomnia"} <= found


def test_a_current_red_flag_diagnosis_documents_red_flags_but_history_does_not():
    current = extract_facts("X-rays revealed a displaced fracture of the distal radius.")
    assert current.value("red_flags") == Tristate.documented
    past = extract_facts("He is status post rib fracture from a prior fall.")
    assert "fracture" in past.value("diagnoses")
    assert past.value("red_flags") is None


def test_hypertension_or_heart_disease_documents_cardiovascular_risk():
    facts = extract_facts("Other history included hypertension and a coronary stent.")
    assert facts.value("cv_risk") == Tristate.documented


def test_each_flag_keeps_its_evidence_sentence():
    text = "The pain is rated 7/10. Diagnoses include lumbar radiculopathy."
    found = extract_facts(text, source="summary").common["diagnoses"]
    assert found.value == ["radiculopathy"]
    assert [(e.text, e.source, text[e.start:e.end]) for e in found.evidence] == [
        ("Diagnoses include lumbar radiculopathy.", "summary", "Diagnoses include lumbar radiculopathy.")]
