"""Facts that follow from other facts (time since injury, red flags from diagnoses), and the built result."""

from __future__ import annotations

from datetime import date

from imr_rules import dates as _dates
from imr_rules.facts.observations import _Acc, _combine, _Obs
from imr_rules.facts.values import CaseFacts, Evidence, FactValue, Tristate, _fact_value


def _derive(acc: _Acc, as_of: date | None) -> None:
    """Facts that follow from what was read: time since injury, red flags from diagnoses, and the like."""
    obs = acc.obs

    def values(scope: int | None, fact: str) -> list[_Obs]:
        return obs.get((scope, fact), [])

    injury = values(None, "injury_date")
    if injury and as_of is not None:
        weeks = _dates.weeks_between(min(o.value for o in injury), as_of)
        if weeks >= 0:
            acc.add_derived(None, "weeks_since_injury", weeks,
                            f"{weeks:g} weeks from the injury to {as_of.isoformat()}")
            if not values(None, "chronic_pain"):
                status = Tristate.documented if weeks >= 12 else Tristate.documented_false
                acc.add_derived(None, "chronic_pain", status,
                                f"{weeks:g} weeks since the injury ({'at least' if weeks >= 12 else 'under'}"
                                f" 12)")
    ages = values(None, "age")
    if ages and ages[0].value > 65:
        obs.setdefault((None, "gi_risk"), []).append(_Obs(Tristate.documented, ages[0].order,
                                                          ages[0].evidence))
    for scope in sorted({scope for scope, _ in obs}, key=lambda s: -1 if s is None else s):
        flags: dict[str, _Obs] = {}
        for o in values(scope, "diagnoses"):
            flags.setdefault(o.value, o)
        for o in values(scope, "_red_flag")[:1]:
            obs.setdefault((scope, "red_flags"), []).append(_Obs(Tristate.documented, o.order, o.evidence))
        for flag in ("hypertension", "cardiovascular_disease", "renal_disease"):
            if flag in flags:
                obs.setdefault((scope, "cv_risk"), []).append(
                    _Obs(Tristate.documented, flags[flag].order, flags[flag].evidence))
        documented = {fact: [o for o in values(scope, fact) if o.value == Tristate.documented]
                      for fact in ("neurologic_deficit", "imaging_corroborates",
                                   "straight_leg_raise_positive")}
        for fact in ("neurologic_deficit", "imaging_corroborates"):
            for o in documented[fact][:1]:
                obs.setdefault((scope, "physiologic_evidence"), []).append(_Obs(Tristate.documented, o.order,
                                                                               o.evidence))
        if documented["neurologic_deficit"] and documented["straight_leg_raise_positive"]:
            for o in (documented["straight_leg_raise_positive"][0], documented["neurologic_deficit"][0]):
                obs.setdefault((scope, "radiculopathy_on_exam"), []).append(_Obs(Tristate.documented, o.order,
                                                                                o.evidence))
        if scope is not None and values(scope, "weeks_of_use") and not any(
                o.value is True for o in values(scope, "continuing_treatment")):
            first = values(scope, "weeks_of_use")[0]
            obs.setdefault((scope, "continuing_treatment"), []).append(_Obs(True, first.order,
                                                                            first.evidence))


def _build(acc: _Acc, n_items: int, as_of: date | None, as_of_evidence: Evidence | None) -> CaseFacts:
    common: dict[str, FactValue] = {}
    per_item: list[dict[str, FactValue]] = [{} for _ in range(n_items)]
    for (scope, fact), obs in sorted(acc.obs.items(), key=lambda kv: kv[0][1]):
        if fact.startswith("_"):
            continue
        (common if scope is None else per_item[scope])[fact] = _combine(fact, obs)
    if as_of is not None:
        common["as_of"] = _fact_value(
            value=as_of, evidence=[as_of_evidence] if as_of_evidence is not None else [])
    return CaseFacts.model_construct(common=common, per_item=per_item, as_of=as_of)
