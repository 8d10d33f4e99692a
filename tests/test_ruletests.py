"""Every test embedded in the bundled rule files passes, on durable-rules and on the reference."""

from datetime import date

import pytest

from imr_rules.engine import ReferenceEngine, default_engine, evaluate
from imr_rules.rulebook import Expect, RuleTest, load_rulebook
from imr_rules.ruletests import RuleTestCase, check, collect, run_case

RULEBOOK = load_rulebook()
CASES = collect(RULEBOOK)
ENGINES = {"durable": default_engine, "reference": lambda: _reference()}
_ref: list = []


def _reference():
    if not _ref:
        _ref.append(ReferenceEngine(default_engine().rulebook))
    return _ref[0]


def test_every_rule_version_has_tests():
    assert CASES
    assert {case.rule.key for case in CASES} == {rule.key for rule in RULEBOOK.rules}


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_embedded_rule_test(case, engine_name):
    result = run_case(case, ENGINES[engine_name]())
    assert result.passed, f"{result.where}: {'; '.join(result.problems)}"


def _case(expect: Expect) -> RuleTestCase:
    rule = RULEBOOK.versions("benzodiazepines-beyond-four-weeks")[0]
    test = RuleTest(name="six months", item={"generic": "diazepam", "days_supply": 30},
                    facts={"weeks_of_use": 26}, as_of=date(2014, 5, 1), expect=expect)
    return RuleTestCase(rule, test)


def test_a_wrong_expectation_fails_and_says_why():
    case = _case(Expect(outcome="Overturned", fired=["benzodiazepines-short-course"],
                        not_fired=["benzodiazepines-beyond-four-weeks"]))
    prediction = evaluate(case.facts(), [case.item()], case.as_of, default_engine())[0]
    problems = check(case, prediction)
    assert problems == [
        "outcome Upheld, expected Overturned (deciding rule: benzodiazepines-beyond-four-weeks)",
        "benzodiazepines-short-course did not fire (fired: benzodiazepines-beyond-four-weeks, "
        "benzodiazepines-not-for-long-term)",
        "benzodiazepines-beyond-four-weeks fired but should not",
    ]
    assert not run_case(case, default_engine()).passed


def test_bad_test_data_is_a_failed_test_not_a_crash():
    case = RuleTestCase(_case(Expect(outcome="Upheld")).rule,
                        RuleTest(name="bad", facts={"weeks_of_use": "long"}, expect=Expect(outcome="Upheld")))
    result = run_case(case, default_engine())
    assert not result.passed
    assert result.problems[0].startswith("bad test data:")
