"""Facts that add the request to what was read: sessions in all, morphine equivalents, partial approvals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from imr_rules.facts.values import CaseFacts, _evidence, _fact_value
from imr_rules.facts.vocabulary import _CANON, _OPIOID_GENERICS, _WORD_RX
from imr_rules.sentences import clean, normalize

if TYPE_CHECKING:
    from imr_rules.items import RequestedItem

# Words that only say how much of a service is asked for, not which service it is.
_QUANTITY_WORDS = frozenset("""
a an and of the for to with x times time per a each every day days daily week weeks weekly wk wks month months
monthly year hour hours hr hrs session sessions visit visits treatment treatments unit units supply quantity
unspecified total additional remaining tablet tablets tab tabs capsule capsules cap caps pill pills patch
patches refill refills mg mcg ml gm g one two three four five six seven eight nine ten eleven twelve
""".split())


def _service_words(text: str) -> frozenset[str]:
    """The words of an item that name the service (not its amount, frequency or duration)."""
    return frozenset(w for w in _WORD_RX.findall(normalize(text)) if w not in _QUANTITY_WORDS and len(w) > 1)


def partial_authorization(remainder: str, authorized: str | None) -> str | None:
    """How UR split a request: 'quantity' when the part it authorized is the same service as the
    remainder under review (fewer sessions, tablets or hours), 'component' when it is a different
    service (NCS of an 'EMG/NCS', the fixation of an 'ORIF with carpal tunnel release'); None when
    nothing was authorized."""
    if not authorized or not authorized.strip():
        return None
    rest, given = _service_words(remainder), _service_words(authorized)
    if not rest or not given or rest <= given or given <= rest:
        return "quantity"
    return "component"


# Morphine equivalents per mg a day (the guidelines index, med_conversion_factors; CDC 2016 values).
_MED_FACTORS: dict[str, float] = {"codeine": 0.15, "hydrocodone": 1.0, "hydromorphone": 4.0, "morphine": 1.0,
                                  "oxycodone": 1.5, "oxymorphone": 3.0, "tramadol": 0.1, "tapentadol": 0.4}
_FENTANYL_PATCH_FACTOR = 2.4  # per mcg/hour
_METHADONE_FACTORS = ((20.0, 4.0), (40.0, 8.0), (60.0, 10.0), (float("inf"), 12.0))


def _med_per_day(item: RequestedItem) -> float | None:
    """Morphine-equivalent mg a day of an opioid item: strength x doses a day x factor, when both are
    stated."""
    generic = _CANON.get((item.generic or "").split("/")[0].strip().lower(), "")
    if not generic:
        names = [_CANON[w] for w in _WORD_RX.findall(normalize(item.text)) if w in _CANON]
        generic = names[0] if names else ""
    if generic not in _OPIOID_GENERICS or not item.strength_mg:
        return None
    if generic == "fentanyl" and re.search(r"mcg ?/ ?h(?:r|our)?\b", normalize(item.text)):
        return round(item.strength_mg * _FENTANYL_PATCH_FACTOR, 1)
    if not item.doses_per_day:
        return None
    mg = item.strength_mg * item.doses_per_day
    if generic == "methadone":
        return round(mg * next(f for top, f in _METHADONE_FACTORS if mg <= top), 1)
    factor = _MED_FACTORS.get(generic)
    return None if factor is None else round(mg * factor, 1)


def _item_totals(items: list[RequestedItem], facts: CaseFacts) -> None:
    """Facts that add the request to what was read: sessions in all (those had plus those asked for), and
    the morphine-equivalent dose of the opioids requested (only when every one states strength and dose)."""
    for i, item in enumerate(items):
        if i >= len(facts.per_item):
            break
        had = facts.value("prior_sessions", i)
        if had is not None and item.sessions is not None:
            total = int(had) + int(item.sessions)  # type: ignore[call-overload]
            facts.per_item[i]["sessions_total"] = _fact_value(
                value=total, evidence=[_evidence(
                    text=f"{had:g} sessions had + {item.sessions} requested = {total}", source="derived")])
    opioid = [(i, item) for i, item in enumerate(items) if _CANON.get(
        (item.generic or "").split("/")[0].strip().lower()) in _OPIOID_GENERICS or any(
        _CANON.get(w) in _OPIOID_GENERICS for w in _WORD_RX.findall(normalize(item.text)))]
    doses = [(item, _med_per_day(item)) for _, item in opioid]
    if not doses or any(d is None for _, d in doses):
        return
    med = round(sum(d for _, d in doses if d is not None), 1)
    said = "; ".join(f"{clean(item.text)}: {d:g} MED" for item, d in doses)
    facts.common["med_mg_per_day"] = _fact_value(value=med, evidence=[
        _evidence(text=f"{said} (total {med:g} mg MED a day)", source="derived")])
