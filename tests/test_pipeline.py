"""A request is judged as a whole: items that serve a surgery follow the surgery's outcome."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from imr_rules.engine import ReferenceEngine
from imr_rules.facts import CaseFacts, FactValue, Tristate
from imr_rules.items import ItemKind, RequestedItem
from imr_rules.letters import Decision
from imr_rules.pipeline import evaluate_request
from imr_rules.rulebook import load_rulebook

RULES = Path(__file__).parent / "fixtures" / "pipeline_rules"
DAY = date(2016, 12, 15)


@pytest.fixture(scope="module")
def engine() -> ReferenceEngine:
    return ReferenceEngine(load_rulebook(RULES))


def request() -> list[RequestedItem]:
    return [
        RequestedItem(text="Right shoulder rotator cuff repair", kind=ItemKind.surgery, topic="surgery"),
        RequestedItem(text="Pre-operative CBC", kind=ItemKind.lab, topic="labs"),
    ]


def documented(name: str) -> dict[str, FactValue]:
    return {name: FactValue(value=Tristate.documented)}


def test_tests_for_an_approved_surgery_are_approved_with_it(engine):
    facts = CaseFacts(common=documented("full_thickness_tear"))
    surgery, labs = evaluate_request(facts, request(), DAY, engine)
    assert surgery.outcome == Decision.overturned
    assert labs.outcome == Decision.overturned
    assert labs.deciding_rule == "preop-tests-for-approved-surgery"
    used = {f.name: f for f in labs.fired[0].facts}
    assert "Right shoulder rotator cuff repair" in used["associated_surgery_approved"].evidence[0].text


def test_tests_for_a_denied_surgery_fall_with_it(engine):
    surgery, labs = evaluate_request(CaseFacts(), request(), DAY, engine)
    assert surgery.outcome == Decision.upheld
    assert labs.outcome == Decision.upheld
    assert labs.deciding_rule == "preop-tests-surgery-not-supported"


def test_what_the_record_says_of_the_surgery_wins_over_the_prediction(engine):
    facts = CaseFacts(common=documented("associated_surgery_approved"))
    surgery, labs = evaluate_request(facts, request(), DAY, engine)
    assert surgery.outcome == Decision.upheld
    assert labs.outcome == Decision.overturned


def test_without_a_surgery_in_the_request_nothing_is_derived(engine):
    (labs,) = evaluate_request(CaseFacts(), request()[1:], DAY, engine)
    assert labs.outcome is None
