"""`evaluate(..., explain=False)` skips the near misses and nothing else: the outcome, the
deciding rule, the fired rules with their facts and `missing` are those of a full explanation,
on both engines."""

import random

from imr_rules.engine import ReferenceEngine, default_engine, evaluate
from imr_rules.facts import CaseFacts
from imr_rules.letters import Decision
from imr_rules.ruletests import collect


def _cases():
    rulebook = default_engine().rulebook
    single = [(case.facts(), [case.item()], case.as_of) for case in collect(rulebook)]
    rng = random.Random(3)
    mixed = []
    for _ in range(60):  # several items per case: facts shared between items
        picks = rng.sample(single, 3)
        per_item = [dict(facts.for_item(0)) for facts, _, _ in picks]
        mixed.append((CaseFacts(per_item=per_item), [items[0] for _, items, _ in picks], picks[0][2]))
    return single + mixed


def test_explain_false_changes_nothing_but_the_near_misses():
    first = default_engine()
    engines = [first, ReferenceEngine(first.rulebook)]
    cases = _cases()
    upheld_with_missing = 0
    for engine in engines:
        for facts, items, day in cases:
            full = evaluate(facts, items, day, engine)
            quick = evaluate(facts, items, day, engine, explain=False)
            for a, b in zip(full, quick, strict=True):
                assert b.near_misses == []
                assert a.model_dump(exclude={"near_misses"}) == b.model_dump(exclude={"near_misses"})
                assert a.to_item_result() == b.to_item_result()
                if a.outcome == Decision.upheld and a.missing:
                    upheld_with_missing += 1
    assert upheld_with_missing > 0
