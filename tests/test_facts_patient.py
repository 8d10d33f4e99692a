"""The patient, the dates, pain scores and relief."""

from datetime import date

import pytest

from imr_rules.facts import Tristate, extract_facts


def value(text: str, fact: str, **kw):
    return extract_facts(text, **kw).value(fact)


@pytest.mark.parametrize(("sentence", "age", "sex"), [
    ("The injured worker is a 48 year old male who sustained an industrial injury.", 48, "male"),
    ("The applicant is a 34-year-old woman who has filed a claim for neck pain.", 34, "female"),
    ("This case involves a now 58-year-old female with a history of an occupational claim.", 58, "female"),
    ("This 43 year old man sustained an industrial injury.", 43, "male"),
    ("The injured worker is a(n) 57 year old male.", 57, "male"),
])
def test_age_and_sex(sentence, age, sex):
    facts = extract_facts(sentence)
    assert (facts.value("age"), facts.value("sex")) == (age, sex)


def test_sex_from_pronouns_when_no_word_says_it():
    assert value("She reports neck pain. Her pain is worse at night. She uses ice.", "sex") == "female"
    assert value("The injured worker reports neck pain.", "sex") is None


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The injured worker is a male, who sustained an industrial injury on November 26, 2001.", date(2001, 11,
                                                                                                    26)),
    ("This is a 51-year-old gentleman with a date of injury of 9/20/2000.", date(2000, 9, 20)),
    ("She has a history of an occupational claim from 10/13/2016.", date(2016, 10, 13)),
    ("He sustained an industrial injury on 10-13-16.", date(2016, 10, 13)),
    ("The injured worker is a 37 year old female with an industrial injury date of 10-26-2016.",
     date(2016, 10, 26)),
])
def test_the_injury_date(sentence, expected):
    assert value(sentence, "injury_date") == expected


def test_the_latest_clinical_date_is_the_as_of_date_unless_one_is_given():
    text = ("He sustained an industrial injury on 1/15/2014. A progress note dated May 12, 2015 describes "
            "back pain. He was first seen on 3/2/2015.")
    facts = extract_facts(text)
    assert facts.as_of == date(2015, 5, 12)
    assert facts.value("as_of") == date(2015, 5, 12)
    assert facts.value("weeks_since_injury") == pytest.approx(69.0, abs=0.1)
    assert facts.value("chronic_pain") == Tristate.documented  # derived: more than 12 weeks since the injury
    given = extract_facts(text, as_of=date(2014, 2, 12))
    assert given.as_of == date(2014, 2, 12)
    assert given.value("weeks_since_injury") == 4.0
    assert given.value("chronic_pain") == Tristate.documented_false


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The pain is rated 8.5/10 and unchanged.", 8.5),
    ("She rated pain an 8 out of 10.", 8),
    ("The pain was rated 6-8 on a 10-point scale.", 8),
    ("Pain was rated 10/10 on VAS.", 10),
    ("He complained of right hip pain rated at a 7.", 7),
    ("He rates his pain 6 out of 10 at worst and 3-4 out of 10 at best.", 6),
    ("Chiropractic care decreased his pain from 8 out of 10 to 5 out of 10.", 5),
])
def test_the_pain_score(sentence, expected):
    assert value(sentence, "pain_score") == expected


@pytest.mark.parametrize("sentence", [
    "Pain interferes with sleep 8/10 and mood 3/10.",
    "Motor strength was 4/5 in the left leg.",
    "Lumbar flexion was 40/90 degrees.",
    "The goal of treatment is a pain score of 3/10.",
])
def test_what_is_no_pain_score(sentence):
    assert value(sentence, "pain_score") is None


@pytest.mark.parametrize(("sentence", "expected"), [
    ("He reports 50% relief with the medications.", 50),
    ("Records indicate 70% improvement in pain.", 70),
    ("The medication decreases pain from 8/10 to 4/10.", 50),
    ("There was a reduction in pain by 30 percent.", 30),
    ("Pain is 8/10 without medications and 4/10 with them.", 50),
])
def test_pain_relief_in_numbers_documents_relief(sentence, expected):
    facts = extract_facts(sentence)
    assert facts.value("pain_relief_pct") == expected
    assert facts.value("pain_relief") == Tristate.documented


@pytest.mark.parametrize("sentence", [
    "The lumbar spine revealed decreased range of motion by 25%.",
    "He reports a vague and nonspecific 50% reduction in pain with all medications together.",
])
def test_what_is_no_relief_in_numbers(sentence):
    assert value(sentence, "pain_relief_pct") is None


def test_relief_from_an_injection_and_how_long_it_lasted():
    facts = extract_facts("The prior epidural injection gave 60% relief lasting 8 weeks.")
    assert facts.value("prior_injection_relief_pct") == 60
    assert facts.value("prior_injection_relief_weeks") == 8.0
    assert value("Multiple epidural injections gave no significant relief.",
                 "prior_injection_relief_pct") == 0


def test_weeks_of_conservative_care():
    assert value("Symptoms persist after 6 weeks of conservative care.", "weeks_of_conservative_care") == 6.0
    assert value("He had 3 months of physical therapy.", "weeks_of_conservative_care") == 13.0
    assert value("Physical therapy 2 times a week for 6 weeks is requested.",
                 "weeks_of_conservative_care") is None
