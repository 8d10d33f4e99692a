"""A letter explained against the rules: per item, the prediction beside the reviewer's decision.

For someone explaining a decision (an injured worker, an attorney, an adjuster):
each item of a Final Determination Letter gets the rules' prediction, with the
rules that fired and the evidence they read, beside what the reviewer decided and
cited. Where the two differ, it says why in the rules' terms: which rule decided
and what the reviewer cited instead, and which rules would have reached the
reviewer's outcome and what they lacked. The letter is predicted by
`pipeline.predict_letter_items`, the same way the corpus tools predict it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field

from imr_rules.engine import NearMiss, Prediction
from imr_rules.letters import Citation, Decision, Letter, LetterItem
from imr_rules.model import Model
from imr_rules.views import CheckedItem, checked_item

EXPLAIN_FORMAT = "imr-rules-explain"
Mode = Literal["prediction", "fidelity"]
Agreement = Literal["agree", "disagree", "no_prediction", "not_evaluated"]


class ItemExplanation(Model):
    """One item of a letter: what the reviewer decided, what the rules say, and why they differ."""

    model_config = ConfigDict(extra="forbid")

    index: int
    text: str = Field(description="The item as the letter writes it")
    actual: Decision = Field(description="The reviewer's decision")
    reviewer_citation: str | None = Field(None, description="The guideline the reviewer cited, as parsed")
    reviewer_citation_line: str | None = Field(None, description="The letter's MAXIMUS guideline line")
    reviewer_topic: str | None = Field(None, description="The topic the reviewer's citation is about")
    prediction: CheckedItem
    agreement: Agreement
    same_guideline: bool | None = Field(
        None, description="Whether the deciding rule's guideline is one the reviewer cited (null: no rule)")
    why: list[str] = Field(default_factory=list, description="The comparison, in sentences")
    toward_actual: list[NearMiss] = Field(
        default_factory=list, description="Rules that did not fire and would give the reviewer's decision")


class LetterExplanation(Model):
    model_config = ConfigDict(extra="forbid")

    file: str
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    mode: Mode = "prediction"
    decision_date: date | None = None
    date_of_injury: date | None = None
    as_of: date | None = Field(None, description="The guidelines applied are those in force on this date")
    items: list[ItemExplanation] = Field(default_factory=list)


class ExplainReport(Model):
    """The output of `imr-rules explain --json`."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["imr-rules-explain"] = EXPLAIN_FORMAT
    version: Literal[1] = 1
    letters: list[LetterExplanation]


def citation_words(citation: Citation | None) -> str | None:
    """A letter's parsed citation in the form rules cite: 'MTUS Chronic Pain 2009, Opioids, p. 78-96'."""
    if citation is None:
        return None
    if not citation.parts:
        return citation.family.value if citation.family.value not in ("unknown", "None cited") else None
    described = []
    for part in citation.parts:
        words = [part.family.value] + ([part.chapter] if part.chapter else [])
        if part.sections:
            words.append("; ".join(part.sections))
        if part.pages:
            words.append("p. " + ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in part.pages))
        described.append(", ".join(words))
    return " + ".join(described)


def _reviewer_cite(item: LetterItem) -> str | None:
    words = citation_words(item.citation)
    if words:
        return words
    if item.maximus_guideline:
        return " ".join(item.maximus_guideline.split()).rstrip(".")
    return None


def _same_words(a: str | None, b: str | None) -> bool:
    """Two citations written alike ('ODG, Pain (Chronic), Zolpidem (Ambien)' in both)."""
    import re

    def words(text: str | None) -> list[str]:
        return re.findall(r"[a-z0-9]+", (text or "").casefold())

    return bool(words(a)) and words(a) == words(b)


def _verb(decision: Decision) -> str:
    return "upheld the denial" if decision == Decision.upheld else "overturned the denial"


def compare(letter_item: LetterItem, prediction: Prediction, view: CheckedItem,
            mode: Mode) -> ItemExplanation:
    """The reviewer's decision beside the prediction, with the reasons they differ."""
    from imr_rules.metrics import citation_agrees
    from imr_rules.topics import topic_of_citation

    actual = letter_item.decision
    cited = _reviewer_cite(letter_item)
    reviewer_topic = topic_of_citation(letter_item.maximus_guideline, letter_item.text)
    said = f"the reviewer {_verb(actual)}" + (f" citing {cited}" if cited else " without a guideline line")
    same = None
    if prediction.citation is not None and letter_item.citation is not None:
        same = citation_agrees(prediction.citation, letter_item.citation) or _same_words(
            prediction.citation.text, cited)
    toward = [miss for miss in prediction.near_misses if miss.effect == actual]
    why: list[str] = []
    if view.status == "error":
        agreement: Agreement = "not_evaluated"
        why.append(f"The item could not be evaluated ({prediction.error}); {said}.")
    elif prediction.outcome is None:
        agreement = "no_prediction"
        why.append(f"{view.summary[0].upper()}{view.summary[1:]}; {said}.")
    else:
        cite = prediction.citation.text if prediction.citation else "no citation"
        rule = f"{prediction.deciding_rule} ({cite})"
        if prediction.outcome == actual:
            agreement = "agree"
            if same:
                why.append(f"The rules agree with the reviewer, on the guideline the reviewer cited: {rule}.")
            else:
                why.append(f"The rules reach the reviewer's outcome, but by {rule}; {said}.")
        else:
            agreement = "disagree"
            why.append(f"The rules predict {prediction.outcome.value} by {rule}; {said}.")
            if same is False:
                why.append("The reviewer relied on a different guideline than the deciding rule.")
            if toward:
                why.append(f"Rules that would have given {actual.value} did not fire; "
                           "what each lacked is listed.")
            else:
                why.append(f"No rule of the topic in force on {prediction.as_of.isoformat()} gives "
                           f"{actual.value} for this item: the rulebook has no path to the reviewer's "
                           "outcome.")
            if mode == "prediction":
                why.append("These facts come from the case summary only; --mode fidelity also reads the "
                           "reviewer's findings.")
    if reviewer_topic and view.topic and reviewer_topic != view.topic:
        why.append(f"The reviewer's citation is about {reviewer_topic}; "
                   f"the item was classified under {view.topic}.")
    return ItemExplanation(
        index=prediction.index,
        text=letter_item.text,
        actual=actual,
        reviewer_citation=cited,
        reviewer_citation_line=letter_item.maximus_guideline,
        reviewer_topic=reviewer_topic,
        prediction=view,
        agreement=agreement,
        same_guideline=same,
        why=why,
        toward_actual=toward,
    )


def explain_letter(letter: Letter, file: str, mode: Mode = "prediction",
                   as_of: date | None = None) -> LetterExplanation:
    """Every item of a letter explained (the default engine, as the corpus tools use)."""
    from imr_rules import engine as engines
    from imr_rules.pipeline import predict_letter_items

    predictions = predict_letter_items(letter, mode, as_of)
    rulebook = engines.default_engine().rulebook
    items = [
        compare(letter_item, prediction, checked_item(prediction, rulebook), mode)
        for letter_item, prediction in zip(letter.items, predictions, strict=True)
    ]
    day = predictions[0].as_of if predictions else as_of
    return LetterExplanation(file=file, mode=mode, decision_date=letter.decision_date,
                             date_of_injury=letter.date_of_injury, as_of=day, items=items)


def explain_file(path: Path, mode: Mode = "prediction", as_of: date | None = None) -> LetterExplanation:
    """Read a letter (.txt or .pdf) and explain it; an unreadable letter is an InputError."""
    from imr_rules.letters import read_letter

    return explain_letter(read_letter(path), str(path), mode, as_of)
