"""Running the tests embedded in rule files, against one engine or several.

Each test gives an item and facts, evaluates them with the whole topic (every rule
version of the test's topic, as of the test's date) and checks the expected
outcome, the rules that must fire and the rules that must not. The same cases run
under `imr-rules rules test` and under pytest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from imr_rules.engine import Engine, Prediction, evaluate
from imr_rules.errors import InputError
from imr_rules.facts import CaseFacts, FactValue
from imr_rules.items import RequestedItem
from imr_rules.model import Model
from imr_rules.rulebook import Rule, Rulebook, RuleTest, test_date


@dataclass(frozen=True)
class RuleTestCase:
    """One embedded test and the rule version it is written under."""

    rule: Rule
    test: RuleTest

    @property
    def id(self) -> str:
        return f"{self.rule.key}/{self.test.name}"

    @property
    def where(self) -> str:
        return f"{self.rule.file}:{self.test._line or self.rule.line}"

    @property
    def as_of(self) -> date:
        return test_date(self.test, self.rule)

    def item(self) -> RequestedItem:
        """The test's item: RequestedItem fields (topic defaults to the rule's), or text to parse."""
        if isinstance(self.test.item, str):
            from imr_rules.items import parse_item

            return parse_item(self.test.item)
        fields = {"text": f"rule test: {self.test.name}", "topic": self.rule.topic, **self.test.item}
        return RequestedItem.model_validate(fields)

    def facts(self) -> CaseFacts:
        return CaseFacts(common={name: FactValue(value=value) for name, value in self.test.facts.items()})


class RuleTestResult(Model):
    id: str
    where: str
    rule_id: str
    name: str
    engine: str
    passed: bool
    problems: list[str]


def collect(rulebook: Rulebook) -> list[RuleTestCase]:
    """Every embedded test, in rulebook order."""
    return [RuleTestCase(rule, test) for rule in rulebook.rules for test in rule.tests]


def check(case: RuleTestCase, prediction: Prediction) -> list[str]:
    """How a prediction falls short of what the test expects (empty: it passes)."""
    expect = case.test.expect
    fired = {rule.id for rule in prediction.fired}
    problems = []
    if prediction.error:
        problems.append(f"engine error: {prediction.error}")
    if prediction.outcome != expect.outcome:
        got = prediction.outcome.value if prediction.outcome else "null"
        want = expect.outcome.value if expect.outcome else "null"
        problems.append(f"outcome {got}, expected {want} (deciding rule: {prediction.deciding_rule})")
    for rule_id in expect.fired:
        if rule_id not in fired:
            problems.append(f"{rule_id} did not fire (fired: {', '.join(sorted(fired)) or 'none'})")
    for rule_id in expect.not_fired:
        if rule_id in fired:
            problems.append(f"{rule_id} fired but should not")
    return problems


def run_case(case: RuleTestCase, engine: Engine) -> RuleTestResult:
    """Run one test on one engine; bad test data is a failed test, not an exception."""
    try:
        prediction = evaluate(case.facts(), [case.item()], case.as_of, engine)[0]
        problems = check(case, prediction)
    except InputError as err:
        problems = [f"bad test data: {err}"]
    return RuleTestResult(id=case.id, where=case.where, rule_id=case.rule.id, name=case.test.name,
                          engine=engine.name, passed=not problems, problems=problems)


def run_all(rulebook: Rulebook, engines: list[Engine]) -> list[RuleTestResult]:
    """Every embedded test on every engine."""
    return [run_case(case, engine) for case in collect(rulebook) for engine in engines]
