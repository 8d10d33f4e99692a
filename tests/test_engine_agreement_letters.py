"""durable-rules and the pure-Python reference engine agree on every real letter.

Each item of every letter in ../shared/corpus (real and dwc), in both modes, is
predicted by both engines from the same facts; every field of every prediction
(outcome, fired rules, used facts, near misses, missing documentation) must match.
"""

from __future__ import annotations

import pytest
from corpus_paths import corpus_dir, requires_corpus

from imr_rules.engine import compare_engines
from imr_rules.facts import facts_from_letter
from imr_rules.letters import read_letter


def _cases(mode: str):
    for folder in ("real", "dwc"):
        for path in sorted(corpus_dir(folder).iterdir()):
            if path.suffix in (".txt", ".pdf"):
                letter = read_letter(path)
                items, facts = facts_from_letter(letter, mode)
                yield path.name, (facts, items, letter.decision_date or facts.as_of)


@requires_corpus("dwc")
@pytest.mark.parametrize("mode", ["prediction", "fidelity"])
def test_both_engines_give_the_same_prediction_for_every_item_of_every_real_letter(mode):
    named = list(_cases(mode))
    assert len(named) == 102
    disagreements = compare_engines(case for _, case in named)
    described = [f"{named[d.case][0]} item {d.item}: {d.field}: {d.first!r} vs {d.second!r}"
                 for d in disagreements]
    assert described == []
