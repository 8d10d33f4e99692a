"""A requested treatment as data: what was asked for, parsed from the item text.

The seam between letters/case files and the rules: rules test these fields
(drug class, generic, quantity, sessions, body part) rather than raw text.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ItemKind(StrEnum):
    drug = "drug"
    imaging = "imaging"
    physical_therapy = "physical_therapy"
    chiropractic = "chiropractic"
    acupuncture = "acupuncture"
    injection = "injection"
    electrodiagnostic = "electrodiagnostic"
    surgery = "surgery"
    dme = "dme"
    office_visit = "office_visit"
    psych = "psych"
    home_health = "home_health"
    program = "program"
    lab = "lab"
    other = "other"


class Laterality(StrEnum):
    left = "left"
    right = "right"
    bilateral = "bilateral"


class RequestedItem(BaseModel):
    """One disputed item, as written and as understood."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The item exactly as written in the request or letter")
    kind: ItemKind = Field(ItemKind.other, description="What sort of treatment this is")
    topic: str | None = Field(None, description="Guideline topic key from rules/topics.yaml")

    # drugs
    name: str | None = Field(None, description="Drug or product name as written (brand or generic)")
    generic: str | None = Field(None, description="Normalized generic name; combinations joined by '/'")
    drug_class: str | None = Field(None, description="Drug class key from the lexicon")
    ingredients: list[str] = Field(default_factory=list, description="Generics of every ingredient")
    strength: str | None = Field(None, description="Strength as written, e.g. '10 mg', '10/325 mg'")
    strength_mg: float | None = Field(None, description="Strength of the first ingredient in mg")
    quantity: float | None = Field(None, description="Units requested (#60, x 60, 120 grams)")
    quantity_unit: str | None = Field(None, description="Unit of the quantity: tablets, grams, patches, ...")
    frequency: str | None = Field(None, description="Dosing frequency as written")
    doses_per_day: float | None = Field(None, description="Most doses a day the frequency allows")
    days_supply: float | None = Field(None, description="quantity / (doses per day x units per dose)")
    refills: int | None = Field(None, description="Refills requested")
    route: str | None = Field(None, description="oral, topical, transdermal, sublingual, injection, ...")

    # procedures, therapy, equipment
    modality: str | None = Field(None, description="MRI, CT, X-ray, EMG, NCV, TENS unit, ...")
    body_parts: list[str] = Field(default_factory=list, description="Normalized body parts")
    laterality: Laterality | None = None
    sessions: int | None = Field(None, description="Visits or sessions requested in total")
    sessions_per_week: float | None = None
    weeks: float | None = None

    retrospective: bool = Field(False, description="A retrospective request for care already given")
    date_of_service: date | None = None
