"""From a parsed letter to a prediction per item: text → facts → engine → results.

The one place the stages meet, so that the corpus runner, `explain` and the
tests all predict a letter the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from imr_rules.engine import Prediction, evaluate
from imr_rules.facts import facts_from_letter
from imr_rules.letters import Letter
from imr_rules.results import ItemResult

Mode = Literal["prediction", "fidelity"]


def predict_letter_items(
    letter: Letter, mode: Mode = "prediction", as_of: date | None = None
) -> list[Prediction]:
    """Predictions for every item of a letter, with the guidelines in force on `as_of`.

    `as_of` defaults to the letter's decision date, then to the latest clinical date
    the extractor found: the guideline version follows the date of the decision.
    """
    items, facts = facts_from_letter(letter, mode)
    day = as_of or letter.decision_date or facts.as_of
    return evaluate(facts, items, day)


def predict_letter(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """The corpus tools' predictor: one ItemResult per letter item, in letter order."""
    if mode not in ("prediction", "fidelity"):
        raise ValueError(f"unknown mode {mode!r}: use prediction or fidelity")
    return [p.to_item_result() for p in predict_letter_items(letter, mode, as_of)]  # type: ignore[arg-type]
