"""What the readers saw, collected per item and fact, and combined into one value per fact."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from imr_rules.facts.document import _Doc
from imr_rules.facts.patterns import _DIAGNOSIS_RANK, _POLICY, _TRISTATE_SPECS
from imr_rules.facts.values import Evidence, FactValue, Tristate, _evidence, _fact_value


@dataclass
class _Obs:
    value: Any
    order: tuple[int, int]
    evidence: Evidence


class _Acc:
    """Observations per (scope, fact); `scope` is an item index, or None for the whole case."""

    def __init__(self) -> None:
        self.obs: dict[tuple[int | None, str], list[_Obs]] = {}

    def add(self, doc: _Doc, scope: int | None, fact: str, value: Any, si: int,
            ev: Evidence | None = None, at: int | None = None) -> None:
        """An observation in sentence `si`, ordered by the sentence (or by `at`, a place in the text)."""
        order = (doc.rank, at if at is not None else doc.sents[si].start)
        self.obs.setdefault((scope, fact), []).append(_Obs(value, order, ev or doc.evidence(si)))

    def add_evidence(self, scope: int | None, fact: str, value: Any, order: tuple[int, int],
                     ev: Evidence) -> None:
        self.obs.setdefault((scope, fact), []).append(_Obs(value, order, ev))

    def add_derived(self, scope: int | None, fact: str, value: Any, text: str) -> None:
        ev = _evidence(text=text, source="derived", start=None, end=None)
        self.obs.setdefault((scope, fact), []).append(_Obs(value, (9, 0), ev))

    def has(self, scope: int | None, fact: str) -> bool:
        return (scope, fact) in self.obs


_NUMBER_POLICY: dict[str, str] = {
    "pain_score": "last", "pain_relief_pct": "last", "age": "first", "prior_sessions": "max",
    "weeks_of_use": "max", "weeks_of_conservative_care": "max", "prior_injection_relief_pct": "last",
    "prior_injection_relief_weeks": "last",
    "weeks_since_surgery": "min", "weeks_since_last_uds": "min",
}
_BOOL_FACTS = frozenset({"continuing_treatment", "concurrent_opioids", "concurrent_benzodiazepines",
                         "concurrent_nsaid"})
_TRISTATE_FACTS = frozenset({spec.name for spec in _TRISTATE_SPECS} | {
    "trial_requested", "uds_consistent", "prior_response", "prior_imaging", "prior_surgery",
    "conservative_care_failed"})


def _dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int | None, str]] = set()
    out: list[Evidence] = []
    for ev in evidence:
        key = (ev.source, ev.start, ev.text)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


def _combine(fact: str, obs: list[_Obs]) -> FactValue:
    """One value from every observation of a fact, by the fact's policy (in text order; within one
    sentence in a fixed order of values, so that the result never depends on how sets iterate)."""
    if fact == "diagnoses":
        obs = sorted(obs, key=lambda o: (o.order, _DIAGNOSIS_RANK[o.value]))
    else:
        obs = sorted(obs, key=lambda o: (o.order, o.value))
    if fact == "diagnoses":
        flags = list(dict.fromkeys(o.value for o in obs))
        return _fact_value(value=flags, evidence=_dedupe(o.evidence for o in obs))
    if fact in _TRISTATE_FACTS:
        policy = _POLICY.get(fact, "positive")
        explicit = [o for o in obs if o.value != Tristate.not_documented]
        if not explicit:
            chosen = Tristate.not_documented
        elif policy == "last":
            chosen = explicit[-1].value
        else:
            strong = Tristate.documented if policy == "positive" else Tristate.documented_false
            chosen = strong if any(o.value == strong for o in explicit) else explicit[0].value
        return _fact_value(value=chosen, evidence=_dedupe(o.evidence for o in obs
                                                                        if o.value == chosen))
    if fact in _BOOL_FACTS:
        chosen = any(o.value for o in obs)
        return _fact_value(value=chosen, evidence=_dedupe(o.evidence for o in obs
                                                                        if o.value == chosen))
    policy = _NUMBER_POLICY.get(fact, "first")
    if policy == "max":
        best = max(obs, key=lambda o: o.value)
    elif policy == "min":
        best = min(obs, key=lambda o: o.value)
    elif policy == "last":
        best = obs[-1]
    else:
        best = obs[0]
    return _fact_value(value=best.value, evidence=_dedupe(
        o.evidence for o in obs if o.value == best.value))
