"""A failure inside durable-rules costs one item, never the batch.

In process, an exception from durable-rules restarts its host and retries the item
once; a second failure is recorded on the item. Across a process boundary
(IsolatedEngine) even a crash of the interpreter only fails the item it hit.
"""

import os
from datetime import date

import pytest

from imr_rules.engine import DurableEngine, IsolatedEngine, ReferenceEngine, evaluate
from imr_rules.facts import CaseFacts, FactValue
from imr_rules.items import RequestedItem
from imr_rules.letters import Decision
from imr_rules.rulebook import load_rulebook

POISON = 666.0  # weeks of use no real case has


def case(weeks=8):
    return CaseFacts(common={"weeks_of_use": FactValue(value=weeks)})


ITEM = RequestedItem(text="Valium 10 mg #60", topic="benzodiazepines", generic="diazepam",
                     drug_class="benzodiazepine", days_supply=30)
SPRING_2014 = date(2014, 5, 1)


@pytest.fixture(scope="module")
def rulebook():
    return load_rulebook()


class Core:
    """durable-rules' core, failing on the calls `fail` picks."""

    def __init__(self, real, fail):
        self._real = real
        self._fail = fail
        self.failures = 0

    def assert_fact(self, handle, text):
        if self._fail(text):
            self.failures += 1
            raise RuntimeError("simulated failure inside durable-rules")
        return self._real.assert_fact(handle, text)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_a_failing_item_is_recorded_and_the_batch_goes_on(rulebook):
    engine = DurableEngine(rulebook)
    engine._core = core = Core(engine._core, lambda text: f'"weeks_of_use": {POISON}' in text)
    batch = [case(), case(weeks=POISON), case(weeks=1)]
    outcomes = [evaluate(facts, [ITEM], SPRING_2014, engine)[0] for facts in batch]
    assert outcomes[0].outcome == Decision.upheld and outcomes[0].error is None
    assert outcomes[1].outcome is None
    assert "simulated failure inside durable-rules" in outcomes[1].error
    assert core.failures == 2  # tried, restarted, tried once more
    assert outcomes[2].deciding_rule == "benzodiazepines-beyond-four-weeks" and outcomes[2].error is None
    assert engine.restarts == 2


def test_a_passing_failure_is_retried_on_a_fresh_host(rulebook):
    engine = DurableEngine(rulebook)
    calls = []
    engine._core = Core(engine._core, lambda text: not calls.append(text) and len(calls) == 1)
    prediction = evaluate(case(), [ITEM], SPRING_2014, engine)[0]
    assert prediction.error is None
    assert prediction.outcome == Decision.upheld
    assert engine.restarts == 1


class CrashingEngine(DurableEngine):
    """Kills its own process on the poisoned value, as a crash in the C core would."""

    def fire(self, topic, env):
        if env.get("weeks_of_use") == POISON:
            os.abort()
        return super().fire(topic, env)


def crashing_engine():
    return CrashingEngine(load_rulebook())


def test_a_crash_in_the_engine_process_costs_one_item(rulebook):
    engine = IsolatedEngine(rulebook, crashing_engine, timeout=120)
    try:
        batch = [case(), case(weeks=POISON), case(weeks=1)]
        outcomes = [evaluate(facts, [ITEM], SPRING_2014, engine)[0] for facts in batch]
    finally:
        engine.close()
    reference = [evaluate(facts, [ITEM], SPRING_2014, ReferenceEngine(rulebook))[0] for facts in batch]
    assert outcomes[0].outcome == reference[0].outcome == Decision.upheld
    assert outcomes[1].outcome is None
    assert outcomes[1].error.startswith("engine process died")
    assert outcomes[2].deciding_rule == reference[2].deciding_rule
    assert outcomes[2].error is None
    assert engine.restarts == 1
