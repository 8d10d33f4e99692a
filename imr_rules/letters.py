"""Reading IMR Final Determination Letters into structured data.

(models only so far; the parser is being written)
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Decision(StrEnum):
    upheld = "Upheld"
    overturned = "Overturned"


class SourceFamily(StrEnum):
    mtus_cpmtg_2009 = "MTUS Chronic Pain 2009"
    mtus_cpmtg_2016 = "MTUS Chronic Pain 2016"
    mtus_opioids_2016 = "MTUS Opioid Treatment 2016"
    mtus_acoem = "MTUS ACOEM"
    mtus_acupuncture = "MTUS Acupuncture"
    mtus_postsurgical = "MTUS Postsurgical"
    odg = "ODG"
    other_non_mtus = "Other non-MTUS"
    none_cited = "None cited"
    unknown = "unknown"


class CitationPart(BaseModel):
    """One guideline named in a MAXIMUS line."""

    family: SourceFamily
    chapter: str | None = Field(None, description="e.g. 'Low Back Complaints 2004'")
    sections: list[str] = Field(default_factory=list)
    pages: list[tuple[int, int]] = Field(default_factory=list, description="inclusive page ranges")
    text: str = ""


class Citation(BaseModel):
    """The guideline a reviewer relied on, parsed from the MAXIMUS guideline line."""

    family: SourceFamily = Field(description="Family of the first (governing) source named")
    parts: list[CitationPart] = Field(default_factory=list)
    text: str = ""


class LetterItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    decision: Decision
    original_request: str | None = Field(None, description="For partly authorized requests")
    claims_administrator_guideline: str | None = None
    maximus_guideline: str | None = None
    citation: Citation | None = None
    rationale: str = ""


class Reviewer(BaseModel):
    licensure: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)


class Letter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(None, description="File the letter was read from")
    layout: str = Field("standard", description="standard | older layouts")
    case_number: str | None = None
    date_assigned: date | None = None
    date_of_injury: date | None = None
    decision_date: date | None = None
    ur_denial_date: date | None = None
    priority: str | None = None
    application_received: date | None = None
    reviewer: Reviewer = Field(default_factory=Reviewer)
    summary: str = ""
    items: list[LetterItem] = Field(default_factory=list)
