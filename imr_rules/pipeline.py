"""From a parsed letter or a case file to a prediction per item: text → facts → engine → results.

The one place the stages meet, so that the corpus runner, `check`, `explain` and
the tests all predict a request the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from imr_rules.engine import Engine, Prediction, evaluate
from imr_rules.facts import CaseFacts, Evidence, FactValue, Tristate, facts_from_letter
from imr_rules.items import ItemKind, RequestedItem
from imr_rules.letters import Decision, Letter
from imr_rules.results import ItemResult

Mode = Literal["prediction", "fidelity"]

SURGERY_FOLLOWS = "associated_surgery_approved"
SURGERY_TOPICS = frozenset({"surgery", "spinal_cord_stimulator"})


def _is_surgery(prediction: Prediction) -> bool:
    return prediction.item.kind == ItemKind.surgery and prediction.topic in SURGERY_TOPICS


def evaluate_request(
    facts: CaseFacts, items: list[RequestedItem], as_of: date | None, engine: Engine | None = None,
    explain: bool = True,
) -> list[Prediction]:
    """Predict every item of one request, letting ancillary items follow the surgery they serve.

    An assistant surgeon, pre-operative tests, post-operative therapy or equipment are
    necessary only if the surgery is; the guidelines judge them on that first. When the
    request names a surgery and the record does not say whether it was approved, the
    surgery's own prediction supplies `associated_surgery_approved` for the other items,
    and those are evaluated again with it (a derived fact, with the surgery as evidence).
    `explain=False`: no near misses (see `engine.predict_item`).
    """
    predictions = evaluate(facts, items, as_of, engine, explain)
    surgeries = [p for p in predictions if _is_surgery(p) and p.outcome is not None]
    if not surgeries or SURGERY_FOLLOWS in facts.common:
        return predictions
    approved = [p for p in surgeries if p.outcome == Decision.overturned]
    basis = approved[0] if approved else surgeries[0]
    value = FactValue(
        value=Tristate.documented if approved else Tristate.documented_false,
        evidence=[Evidence(
            text=f"predicted {basis.outcome.value} for {basis.item.text!r} ({basis.deciding_rule})",
            source="derived",
        )],
    )
    derived = facts.model_copy(deep=True)
    derived.per_item.extend({} for _ in range(len(items) - len(derived.per_item)))
    surgery_rows = {p.index for p in surgeries}
    again = False
    for index, own in enumerate(derived.per_item):
        if index not in surgery_rows and SURGERY_FOLLOWS not in own:
            own[SURGERY_FOLLOWS] = value
            again = True
    if not again:
        return predictions
    second = evaluate(derived, items, as_of, engine, explain)
    pairs = zip(predictions, second, strict=True)
    return [first if first.index in surgery_rows else redo for first, redo in pairs]


def predict_letter_items(
    letter: Letter, mode: Mode = "prediction", as_of: date | None = None, engine: Engine | None = None,
    explain: bool = True,
) -> list[Prediction]:
    """Predictions for every item of a letter, with the guidelines in force on `as_of`.

    `as_of` defaults to the letter's decision date, then to the latest clinical date
    the extractor found: the guideline version follows the date of the decision.
    """
    items, facts = facts_from_letter(letter, mode)
    day = as_of or letter.decision_date or facts.as_of
    return evaluate_request(facts, items, day, engine, explain)


def predict_letter(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """The corpus tools' predictor: one ItemResult per letter item, in letter order (an ItemResult
    holds no near misses, so none are worked out; `missing` is the same)."""
    if mode not in ("prediction", "fidelity"):
        raise ValueError(f"unknown mode {mode!r}: use prediction or fidelity")
    predictions = predict_letter_items(letter, mode, as_of, explain=False)  # type: ignore[arg-type]
    return [p.to_item_result() for p in predictions]
