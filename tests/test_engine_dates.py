"""A rule applies only on the dates it is in force (tests/fixtures/dated_rules/).

`dated-before` is in force until 2016-07-28, `dated-after` from 2016-07-29, and
`dated-versioned` has one version for each period, each with its own citation.
"""

from datetime import date
from pathlib import Path

import pytest

from imr_rules.engine import DurableEngine, ReferenceEngine, evaluate
from imr_rules.facts import CaseFacts
from imr_rules.items import RequestedItem
from imr_rules.letters import SourceFamily
from imr_rules.rulebook import load_rulebook

DATED = Path(__file__).parent / "fixtures" / "dated_rules"
ITEM = RequestedItem(text="Valium 5 mg #10", topic="benzodiazepines", generic="diazepam")


@pytest.fixture(scope="module", params=["durable", "reference"])
def engine(request):
    rulebook = load_rulebook(DATED)
    return DurableEngine(rulebook) if request.param == "durable" else ReferenceEngine(rulebook)


def fired_on(engine, day):
    prediction = evaluate(CaseFacts(), [ITEM], day, engine)[0]
    return {rule.id: rule for rule in prediction.fired}, prediction


@pytest.mark.parametrize("day", [date(2009, 7, 18), date(2014, 1, 1), date(2016, 7, 28)])
def test_before_the_change_only_the_earlier_rule_fires(engine, day):
    fired, prediction = fired_on(engine, day)
    assert sorted(fired) == ["dated-before", "dated-versioned"]
    assert fired["dated-versioned"].citation.family == SourceFamily.mtus_cpmtg_2009
    assert prediction.because == "The 2009 version decides."


@pytest.mark.parametrize("day", [date(2016, 7, 29), date(2017, 1, 1), date(2030, 1, 1)])
def test_from_the_change_only_the_later_rule_fires(engine, day):
    fired, prediction = fired_on(engine, day)
    assert sorted(fired) == ["dated-after", "dated-versioned"]
    assert fired["dated-versioned"].citation.family == SourceFamily.mtus_cpmtg_2016
    assert fired["dated-versioned"].in_force_from == date(2016, 7, 29)
    assert prediction.because == "The 2016 version decides."


def test_before_any_rule_is_in_force_nothing_fires(engine):
    fired, prediction = fired_on(engine, date(2009, 7, 17))
    assert fired == {}
    assert prediction.outcome is None
