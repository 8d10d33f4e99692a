"""What a prediction of one letter looks like: the seam between the pipeline and the corpus tools.

`imr_rules.pipeline.predict_letter` returns one `ItemResult` per disputed item;
metrics, baselines and the HTML report read nothing else. The ground-truth
fields (`actual`, `actual_topic`, `actual_citation`) come from the letter, and
the corpus runner fills them in, so a predictor only has to say what it thinks.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from imr_rules.facts import Evidence
from imr_rules.letters import Citation, Decision, SourceFamily
from imr_rules.model import Model


class RuleHit(Model):
    """A rule that fired for an item, and which outcome it argues for."""

    model_config = ConfigDict(extra="forbid")

    id: str
    effect: Decision | None = Field(None, description="The outcome the rule supports; None if it only notes")


class GuidelineRef(Model):
    """The guideline a rule encodes, in the terms letters cite it, so the two can be compared."""

    model_config = ConfigDict(extra="forbid")

    family: SourceFamily
    section: str | None = None
    pages: str | None = None
    text: str = ""


class ItemResult(Model):
    """One disputed item: what the letter decided beside what the rules predict."""

    model_config = ConfigDict(extra="forbid")

    index: int = Field(0, ge=0, description="Position of the item in its letter, from 0")
    item: str = Field(description="The item as written in the letter")

    # from the letter (ground truth; the corpus runner sets these)
    actual: Decision | None = None
    actual_topic: str | None = Field(None, description="Topic of the letter's MAXIMUS citation")
    actual_citation: Citation | None = None

    # from the prediction
    predicted: Decision | None = Field(None, description="None when no rule applied")
    topic: str | None = Field(None, description="Topic the predictor classified the item under")
    rules: list[RuleHit] = Field(default_factory=list, description="Every rule that fired, in order")
    deciding_rule: str | None = Field(None, description="Id of the rule whose effect decided the item")
    citation: GuidelineRef | None = Field(None, description="The deciding rule's guideline")
    missing: list[str] = Field(
        default_factory=list, description="Documentation that would change the outcome"
    )
    evidence: list[Evidence] = Field(default_factory=list)

    @model_validator(mode="after")
    def _deciding_rule_fired(self) -> ItemResult:
        if self.deciding_rule is not None and all(hit.id != self.deciding_rule for hit in self.rules):
            raise ValueError(f"deciding rule {self.deciding_rule!r} is not among the rules that fired")
        return self


class LetterResult(Model):
    """One input file: its items, or why it could not be evaluated."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="Name of the file relative to the folder it was found in; never absolute")
    status: Literal["ok", "error"]
    error: str | None = None
    items: list[ItemResult] = Field(default_factory=list)

    @classmethod
    def failed(cls, file: str, reason: str) -> LetterResult:
        return cls(file=file, status="error", error=reason)
