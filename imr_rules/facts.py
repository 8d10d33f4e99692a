"""Case facts: the declared facts of a case, each with the evidence it came from.

(models only so far; extraction is being written)
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Tristate(StrEnum):
    """Guidelines require documentation, so 'not documented' is a state of its own."""

    documented = "documented"
    not_documented = "not_documented"
    documented_false = "documented_false"


FactScalar = bool | float | int | str | date
FactValueType = FactScalar | list[str] | None


class Evidence(BaseModel):
    """Where a fact was read: the sentence and its character span in the source text."""

    text: str
    source: Literal["summary", "item", "rationale", "note", "case_file", "header", "derived"] = "summary"
    start: int | None = None
    end: int | None = None


class FactValue(BaseModel):
    value: FactValueType
    evidence: list[Evidence] = Field(default_factory=list)


class CaseFacts(BaseModel):
    """Facts common to the case, and facts that belong to one requested item.

    `per_item[i]` holds facts about the i-th requested item (e.g. how long *this*
    drug has been used); for that item they override the common facts.
    """

    model_config = ConfigDict(extra="forbid")

    common: dict[str, FactValue] = Field(default_factory=dict)
    per_item: list[dict[str, FactValue]] = Field(default_factory=list)
    as_of: date | None = None

    def for_item(self, index: int) -> dict[str, FactValue]:
        """The facts that hold for item `index`: common ones, overridden by the item's own."""
        merged = dict(self.common)
        if index < len(self.per_item):
            merged.update(self.per_item[index])
        return merged
