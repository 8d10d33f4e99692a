"""The case facts as data: three-valued documentation, evidence, and the facts of a case."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from imr_rules.model import Model


class Tristate(StrEnum):
    """Guidelines require documentation, so 'not documented' is a state of its own."""

    documented = "documented"
    not_documented = "not_documented"
    documented_false = "documented_false"


FactScalar = bool | float | int | str | date
FactValueType = FactScalar | list[str] | None


class Evidence(Model):
    """Where a fact was read: the sentence and its character span in the source text."""

    text: str
    source: Literal["summary", "item", "rationale", "note", "case_file", "header", "derived"] = "summary"
    start: int | None = None
    end: int | None = None


class FactValue(Model):
    value: FactValueType
    evidence: list[Evidence] = Field(default_factory=list)


_EVIDENCE_FIELDS = frozenset(Evidence.model_fields)
_FACT_VALUE_FIELDS = frozenset(FactValue.model_fields)


_setattr = object.__setattr__


def _evidence(text: str, source: Source = "summary", start: int | None = None,
              end: int | None = None) -> Evidence:
    """Evidence from values the extractor made itself, so already valid: set directly, as pydantic's
    `model_construct` would, at a fraction of its cost (extraction makes dozens per letter)."""
    ev = Evidence.__new__(Evidence)
    _setattr(ev, "__dict__", {"text": text, "source": source, "start": start, "end": end})
    _setattr(ev, "__pydantic_fields_set__", set(_EVIDENCE_FIELDS))
    _setattr(ev, "__pydantic_extra__", None)
    _setattr(ev, "__pydantic_private__", None)
    return ev


def _fact_value(value: FactValueType, evidence: list[Evidence]) -> FactValue:
    """A fact's value and evidence, set directly (see `_evidence`)."""
    fv = FactValue.__new__(FactValue)
    _setattr(fv, "__dict__", {"value": value, "evidence": evidence})
    _setattr(fv, "__pydantic_fields_set__", set(_FACT_VALUE_FIELDS))
    _setattr(fv, "__pydantic_extra__", None)
    _setattr(fv, "__pydantic_private__", None)
    return fv


class CaseFacts(Model):
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

    def value(self, name: str, index: int | None = None) -> FactValueType:
        """The value of fact `name` (for item `index` if given), or None when it was not found."""
        facts = self.common if index is None else self.for_item(index)
        found = facts.get(name)
        return found.value if found is not None else None


Source = Literal["summary", "item", "rationale", "note", "case_file", "header", "derived"]
Mode = Literal["prediction", "fidelity"]
