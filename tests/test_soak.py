"""Soak: 100,000 single-item cases through durable-rules in one process.

Memory must stay flat (facts are asserted and retracted on a few reused sessions)
and nothing may fail. The cases are the embedded rule tests' items and facts, with
random values of other facts and random dates mixed in, so every topic is visited.
"""

import os
import random
from datetime import timedelta

import pytest

from imr_rules.catalogue import FactType
from imr_rules.engine import default_engine, evaluate
from imr_rules.facts import CaseFacts, FactValue
from imr_rules.ruletests import collect

CASES = 100_000
WARM_UP = 5_000
GROWTH_LIMIT_MB = 50


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def case_stream(rulebook, count, seed=11):
    rng = random.Random(seed)
    pool = [(case.item(), dict(case.test.facts), case.as_of) for case in collect(rulebook)
            if isinstance(case.test.item, dict)]
    extra = []
    for name in rulebook.catalogue.names():
        spec = rulebook.catalogue.spec(name)
        if spec.type == FactType.number and not spec.is_item:
            extra.append((name, lambda: float(rng.randint(0, 60))))
        elif spec.type == FactType.tristate:
            extra.append((name, lambda: rng.choice(["documented", "not_documented", "documented_false"])))
    for _ in range(count):
        item, facts, day = rng.choice(pool)
        values = dict(facts)
        for name, draw in rng.sample(extra, 4):
            values.setdefault(name, draw())
        day = day + timedelta(days=rng.randint(-400, 400))
        yield CaseFacts(common={n: FactValue(value=v) for n, v in values.items()}), item, day


@pytest.mark.slow
def test_a_hundred_thousand_cases_run_in_flat_memory():
    engine = default_engine()
    errors = 0
    decided = 0
    before = None
    for n, (facts, item, day) in enumerate(case_stream(engine.rulebook, CASES)):
        prediction = evaluate(facts, [item], day, engine)[0]
        errors += prediction.error is not None
        decided += prediction.outcome is not None
        if n + 1 == WARM_UP:
            before = rss_mb()
    grown = rss_mb() - before
    assert errors == 0
    assert decided > CASES // 2
    assert engine.restarts == 0
    assert grown < GROWTH_LIMIT_MB, f"memory grew {grown:.1f} MB over {CASES - WARM_UP:,} cases"
