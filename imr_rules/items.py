"""A requested treatment as data: what was asked for, parsed from the item text.

The seam between letters/case files and the rules: rules test these fields
(drug class, generic, quantity, sessions, body part) rather than raw text.
`parse_item` reads the forms IMR letters use ("Norco 10/325 MG #180 with 1 Refill",
"Physical therapy 2 times a week for 6 weeks, low back", partly authorized requests)
with precompiled patterns and the cached lexicons, so it is deterministic and fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import ConfigDict, Field

from imr_rules.lexicon import DrugEntry, Hit, ProcedureEntry, drug_lexicon, procedure_lexicon
from imr_rules.model import Model
from imr_rules.regexes import compile as _rx_compile


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


class RequestedItem(Model):
    """One disputed item, as written and as understood."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The item exactly as written in the request or letter")
    kind: ItemKind = Field(ItemKind.other, description="What sort of treatment this is")
    topic: str | None = Field(None, description="Guideline topic key from rules/topics.yaml")

    # partly authorized requests
    eligible_portion: str | None = Field(None, description="The part still disputed when UR authorized some")
    authorized_portion: str | None = Field(None, description="The part UR authorized")

    # drugs
    name: str | None = Field(None, description="Drug or product name as written (brand or generic)")
    generic: str | None = Field(None, description="Normalized generic name; combinations joined by '/'")
    drug_class: str | None = Field(None, description="Drug class key from the lexicon")
    ingredients: list[str] = Field(default_factory=list, description="Generics of every ingredient")
    strengths: dict[str, str] = Field(default_factory=dict, description="Strength of each ingredient")
    strength: str | None = Field(None, description="Strength as written, e.g. '10 mg', '10/325 mg'")
    strength_mg: float | None = Field(None, description="Strength of the first ingredient in mg")
    extended_release: bool = Field(False, description="A long-acting product (ER, XR, CR, SR, XL)")
    quantity: float | None = Field(None, description="Units requested (#60, x 60, 120 grams)")
    quantity_unit: str | None = Field(None, description="Unit of the quantity: tablet, gram, patch, box, ...")
    frequency: str | None = Field(None, description="Dosing frequency as written")
    units_per_dose: float | None = Field(None, description="Most units taken at a time ('1-2 tabs' -> 2)")
    times_per_day: float | None = Field(None, description="Most times a day the frequency allows")
    doses_per_day: float | None = Field(None, description="Most units a day allowed ('1-2 tabs BID' -> 4)")
    as_needed: bool = Field(False, description="Taken as needed (prn)")
    days_supply: float | None = Field(None, description="Days the quantity lasts at the most allowed a day")
    duration_days: float | None = Field(None, description="Days the request covers ('14 days', 'a month')")
    refills: int | None = Field(None, description="Refills requested")
    route: str | None = Field(None, description="oral, topical, transdermal, sublingual, injection, ...")

    # procedures, therapy, equipment
    modality: str | None = Field(None, description="MRI, CT, X-ray, EMG, NCV, TENS unit, ...")
    body_parts: list[str] = Field(default_factory=list, description="Normalized body parts")
    laterality: Laterality | None = None
    spinal_levels: list[str] = Field(default_factory=list, description="Spinal levels ('L4-5', 'L5-S1')")
    sessions: int | None = Field(None, description="Visits or sessions requested in total")
    sessions_per_week: float | None = None
    weeks: float | None = None
    hours_per_day: float | None = Field(None, description="Hours a day of a service (home health)")
    hours_per_week: float | None = Field(None, description="Hours a week of a service (home health)")
    continuation: bool = Field(False, description="Asks for more of a treatment ('additional', 'continued')")

    retrospective: bool = Field(False, description="A retrospective request for care already given")
    date_of_service: date | None = None


# ---------------------------------------------------------------- numbers

_WORD_NUMBERS = {
    "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "twenty-four": 24,
    "thirty": 30, "sixty": 60, "ninety": 90, "a": 1, "an": 1,
}
_WORDS = "|".join(sorted((w for w in _WORD_NUMBERS if w not in {"a", "an"}), key=len, reverse=True))
_N = rf"(?:\d+(?:\.\d+)?|{_WORDS})"  # a number, in digits or words
_NA = rf"(?:\d+(?:\.\d+)?|{_WORDS}|an?)"  # ... or "a"/"an" ("a month supply")
_TO = r"\s*(?:-|to|or)\s*"
_I = re.IGNORECASE
_SPACES = _rx_compile(r"\s+")


def _num(text: str) -> float:
    text = text.lower()
    return float(_WORD_NUMBERS[text]) if text in _WORD_NUMBERS else float(text)


def _most(*groups: str | None) -> float | None:
    """The largest of the numbers written ('2-3' -> 3)."""
    values = [_num(g) for g in groups if g]
    return max(values) if values else None


def _whole(value: float | None) -> int | None:
    return int(round(value)) if value is not None else None


def _has(low: str, *words: str) -> bool:
    """A cheap test before a costly regex: does the lower-cased text contain any of these?"""
    for word in words:  # a loop, not any() over a generator: these run some twenty times an item
        if word in low:
            return True
    return False


def _may_match(low: str, words: tuple[str, ...]) -> bool:
    """Can a case-blind pattern that needs one of `words` match the text `low` is the lower case of?

    Exact for ASCII text; other text goes to the pattern, since a case-blind pattern also takes a
    few other letters for ASCII ones (the long s for "s", the Kelvin sign for "k").
    """
    return not low.isascii() or _has(low, *words)


# ---------------------------------------------------------------- the shape of the item

_SPLIT_ORIGINAL = _rx_compile(
    r"^(?P<original>.*?)[\s,]+was the original request\.?\s*(?P<rest>.*)$", _I | re.S
)
_SPLIT_REMAINING = _rx_compile(
    r"^(?P<authorized>.*?)\s+(?:was|were)\s+(?:authorized|certified|approved)\s+by the claims administrator"
    r"\.?\s*the remaining imr[- ]eligible portion of the original request,?\s*"
    r"(?P<portion>.*?)(?:[\s,]+(?:is|are))?[\s:.]*$",
    _I | re.S,
)
_SPLIT_LEAVING = _rx_compile(
    r"^the claims administrator (?:authorized|certified|approved)\s+(?P<authorized>.*?),?\s*"
    r"leaving the original request imr[- ]eligible\.?\s*the original request,?\s*"
    r"(?P<portion>.*?)(?:[\s,]+(?:is|are))?[\s:.]*$",
    _I | re.S,
)
_RETRO = _rx_compile(r"\bretro(?:spective(?:ly)?)?\b", _I)
_DATE = r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})|(\d{4})-(\d{2})-(\d{2})"
_DOS = _rx_compile(
    r"\b(?:DOS|dates? of service|date of dispensing|dispensed(?: on)?|provided on)\b\s*[:#-]?\s*"
    r"(?:" + _DATE + ")",
    _I,
)
_DOS_NEEDS = ("dos", "date", "dispensed", "provided")
_ANY_DATE = _rx_compile(r"(?<!\d)(?:" + _DATE + r")(?!\d)")
_CONTINUATION = _rx_compile(
    r"\b(?:additional|continued|continue|continuing|ongoing|extension|further|repeat|renewal)\b", _I
)
_CONTINUATION_NEEDS = ("additional", "continu", "ongoing", "extension", "further", "repeat", "renewal")


def _split(text: str) -> tuple[str | None, str | None]:
    """(authorized part, disputed part) of a partly authorized request; (None, None) otherwise."""
    if "original request" not in text.lower():
        return None, None
    first = _SPLIT_ORIGINAL.match(text)
    if not first:
        return None, None
    rest = first.group("rest")
    for pattern in (_SPLIT_REMAINING, _SPLIT_LEAVING):
        m = pattern.match(rest)
        if m:
            return m.group("authorized").strip() or None, m.group("portion").strip() or None
    return None, None


def _date_of_service(text: str) -> date | None:
    m = _DOS.search(text) if _may_match(text.lower(), _DOS_NEEDS) else None
    if not m:
        return None
    month, day, year, iso_year, iso_month, iso_day = m.groups()
    try:
        if month:
            full_year = int(year) + (2000 if int(year) < 100 else 0)
            return date(full_year, int(month), int(day))
        return date(int(iso_year), int(iso_month), int(iso_day))
    except ValueError:
        return None


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans replaced by spaces, so offsets stay put."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# ---------------------------------------------------------------- drugs: what and how it is taken

_TOPICAL_TOPIC = "topical_analgesics"
# In a combination these classes ride along; the other ingredient names the class ("APAP/codeine").
_MINOR_CLASSES = {"acetaminophen", "other"}
_TOPICAL_WORDS = _rx_compile(
    r"\b(?:creams?|gels?|ointments?|lotions?|topical(?:ly)?|liniments?|roll-on|apply|applied|compound(?:ed)?"
    r"|base)\b|%",
    _I,
)
_PATCH = _rx_compile(r"\bpatch(?:es)?\b", _I)
_TOPICAL_NEEDS = ("cream", "gel", "ointment", "lotion", "topical", "liniment", "roll-on", "appl", "compound",
                  "base", "%")
_ROUTE_WORDS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (  # route, words it needs, pattern
    ("injection", ("inject", "im", "iv", "intra", "subcutaneous", "sq", "shot"), _rx_compile(
        r"\b(?:injections?|injectable|inject|IM|IV|intramuscular|intravenous|subcutaneous|SQ|shots?)\b", _I)),
    ("sublingual", ("sublingual", "sl"), _rx_compile(r"\b(?:sublingual(?:ly)?|SL)\b", _I)),
    ("buccal", ("buccal",), _rx_compile(r"\bbuccal\b", _I)),
    ("intranasal", ("nasal",), _rx_compile(r"\b(?:intranasal|nasal)\b", _I)),
)
_TRANSDERMAL = _rx_compile(r"\btransdermal\b", _I)
_ORAL = _rx_compile(
    r"\b(?:oral(?:ly)?|po|p\.o\.|by mouth|tabs?|tablets?|caps?|capsules?|pills?|odt|suspension|syrup)\b", _I
)
_ORAL_NEEDS = ("oral", "po", "p.o.", "by mouth", "tab", "cap", "pill", "odt", "suspension", "syrup")
_EXTENDED = _rx_compile(
    r"\b(?:ER|XR|CR|SR|XL|LA|extended[- ]release|controlled[- ]release|long[- ]acting)\b"
)
_STRENGTH_AFTER = _rx_compile(
    r"[\s,:(]*(\d+(?:\.\d+)?(?:\s*[/-]\s*\d+(?:\.\d+)?)*)\s*(mcg/hr|mcg/h|mg|mcg|%)(?![a-z])", _I
)


def _route(work: str, native: str) -> str:
    """The route the words say, else the product's own ('cream' makes an oral drug topical)."""
    low = work.lower()
    for route, needs, pattern in _ROUTE_WORDS:
        if _may_match(low, needs) and pattern.search(work):
            return route
    oral = _may_match(low, _ORAL_NEEDS) and _ORAL.search(work) is not None
    patch = _may_match(low, ("patch",)) and _PATCH.search(work) is not None
    transdermal = _may_match(low, ("transdermal",)) and _TRANSDERMAL.search(work) is not None
    if native == "transdermal":
        return "oral" if oral and not (patch or transdermal) else "transdermal"
    if not oral and (patch or (_may_match(low, _TOPICAL_NEEDS) and _TOPICAL_WORDS.search(work))
                     or native == "topical"):
        return "topical"
    if transdermal:
        return "transdermal"
    return "oral" if oral or native == "oral" else native


def _drug_fields(core: str, work: str, hits: list[Hit]) -> dict[str, object]:
    """Generic, class, topic, route, ingredients and their strengths from the drug names found."""
    lexicon = drug_lexicon()
    entries: list[DrugEntry] = []
    for hit in hits:
        if all(entry is not hit.value for entry in entries):
            entries.append(hit.value)
    ingredients: list[str] = []
    for entry in entries:
        ingredients += [g for g in entry.parts if g not in ingredients]
    primary = next((e for e in entries if e.drug_class not in _MINOR_CLASSES), entries[0])
    route = _route(work, primary.route)
    drug_class, topic, kind = primary.drug_class, lexicon.topic_of(primary), ItemKind.drug
    generic = primary.generic
    klass = lexicon.classes[drug_class]
    if len(entries) > 1 and len(ingredients) > 1:
        generic = "/".join(ingredients)
        if route == "topical":
            drug_class, topic = "compound_topical", lexicon.classes["compound_topical"].topic
    else:
        if route == "topical" and klass.topic != _TOPICAL_TOPIC and primary.topic is None:
            drug_class = klass.topical_class or "compound_topical"
            topic = lexicon.classes[drug_class].topic
        single_patch = len(ingredients) <= 1 and (primary.form == "patch" or _PATCH.search(work) is not None)
        if route == "topical" and klass.patch_topic and single_patch:
            topic = klass.patch_topic
        if route == "injection" and klass.injected_topic:
            topic, kind = klass.injected_topic, ItemKind.injection
    strengths: dict[str, str] = {}
    for hit in hits:
        m = _STRENGTH_AFTER.match(core, hit.end)
        name = hit.value.generic
        if m and name and name not in strengths:
            strengths[name] = m.group(0).strip(" ,:(")
    return {
        "kind": kind,
        "topic": topic,
        "name": hits[0].text,
        "generic": generic,
        "drug_class": drug_class,
        "route": route,
        "ingredients": ingredients,
        "strengths": strengths,
        "extended_release": any(e.extended_release for e in entries) or _EXTENDED.search(work) is not None,
    }


# ---------------------------------------------------------------- drugs: strength, quantity, frequency

_STRENGTH = _rx_compile(
    r"(?<![\w.#/])(\d+(?:\.\d+)?(?:\s*[/-]\s*\d+(?:\.\d+)?)*)\s*"
    r"(mcg/hr|mcg/h|mg/ml|mg/g|mcg|mg|%|units?|iu)(?![a-z])",
    _I,
)
_UNIT_WORDS = (
    r"grams?|gm|g|ml|tablets?|tabs?|capsules?|caps?|patch(?:es)?|box(?:es)?|tubes?|bottles?|containers?"
    r"|jars?|units?|packs?|kits?"
)
_COUNT = _rx_compile(r"#\s*(\d+(?:\.\d+)?)\s*(" + _UNIT_WORDS + r")?(?![a-z])", _I)
_QTY = _rx_compile(r"\b(?:qty|quantity)\s*[:#]?\s*(\d+(?:\.\d+)?)", _I)
_TIMES_QTY = _rx_compile(
    r"(?<![\w/])x\s*(\d+)\b(?!\s*(?:refills?|days?|weeks?|months?|times|per\b|/|mg|%))", _I
)
_MASS = _rx_compile(r"(?<![\w./])(\d+(?:\.\d+)?)\s*(grams?|gm|g)(?![a-z])", _I)
_CONTAINER = _rx_compile(rf"\b({_NA})\s+(containers?|tubes?|box(?:es)?|bottles?|jars?|kits?)\b", _I)
_COUNT_WORDS = _rx_compile(r"(?<![#\w.])(\d+)\s*(tablets?|capsules?|patch(?:es)?)\b", _I)
_FORM_UNIT = _rx_compile(r"\b(tabs?|tablets?|caps?|capsules?|patch(?:es)?)\b", _I)
_UNITS = {
    "gram": "gram", "grams": "gram", "gm": "gram", "g": "gram", "ml": "ml",
    "tablet": "tablet", "tablets": "tablet", "tab": "tablet", "tabs": "tablet",
    "capsule": "capsule", "capsules": "capsule", "cap": "capsule", "caps": "capsule",
    "patch": "patch", "patches": "patch", "box": "box", "boxes": "box", "tube": "tube", "tubes": "tube",
    "bottle": "bottle", "bottles": "bottle", "container": "container", "containers": "container",
    "jar": "jar", "jars": "jar", "unit": "unit", "units": "unit", "pack": "pack", "packs": "pack",
    "kit": "kit", "kits": "kit",
}
_COUNTABLE = {"tablet", "capsule", "patch", "unit", None}
_PER_DOSE = _rx_compile(
    rf"(?<![#\w.])({_N})(?:{_TO}({_N}))?\s*"
    r"(?:tabs?|tablets?|caps?|capsules?|pills?|patch(?:es)?|puffs?|sprays?|applications?|pumps?|lozenges?|films?)\b",
    _I,
)
_DOSE_WORDS = ("tab", "cap", "pill", "patch", "puff", "spray", "applic", "pump", "lozeng", "film")
_ON_OFF = _rx_compile(r"(\d+)\s*(?:hours?|hrs?)\s*on[\s,]*(?:and\s*)?(\d+)\s*(?:hours?|hrs?)\s*off", _I)
_Q_HOURS = _rx_compile(r"\bq\.?\s*(\d+)(?:\s*-\s*(\d+))?\s*(?:h|hr|hrs|hours?)\b", _I)
_EVERY_HOURS = _rx_compile(rf"\bevery\s+({_N})(?:{_TO}({_N}))?\s*(?:hours?|hrs?)\b", _I)
_TIMES_DAY = _rx_compile(
    rf"\b({_N})(?:{_TO}({_N}))?\s*(?:x|times?)\s*(?:a|per|/|each|in\s+a)?\s*(?:day|daily|d)\b", _I
)
_WORD_FREQUENCIES: tuple[tuple[re.Pattern[str], float, tuple[str, ...]], ...] = tuple(
    (_rx_compile(pattern, _I), per_day, needs)  # needs: one of these words is in every match
    for pattern, per_day, needs in (
        (r"\b(?:qid|q\.i\.d\.?|four times (?:a|per) day|four times daily)\b", 4.0,
         ("qid", "q.i.d", "four times")),
        (r"\b(?:tid|t\.i\.d\.?|thrice (?:a|per) day|thrice daily)\b", 3.0, ("tid", "t.i.d", "thrice")),
        (r"\b(?:bid|b\.i\.d\.?|twice (?:a|per|each) day|twice daily)\b", 2.0, ("bid", "b.i.d", "twice")),
        (r"\b(?:qd|q\.d\.?|qhs|q\.h\.s\.?|hs|qam|qpm|once (?:a|per|each) day|once daily|daily|every day"
         r"|every night|nightly|at bedtime|bedtime|at night|every morning|in the morning|every evening)\b",
         1.0, ("qd", "q.d", "hs", "q.h.s", "qam", "qpm", "once", "daily", "every", "night", "bedtime",
               "morning")),
        (r"\b(?:once (?:a|per|each) week|weekly|every week|once weekly)\b", 1 / 7,
         ("once", "weekly", "every week")),
    )
)
_PRN = _rx_compile(r"\b(?:prn|p\.r\.n\.?|as needed|as-needed|when needed|if needed)\b", _I)
_REFILLS = _rx_compile(
    rf"\b(?:with\s+)?({_N}|no)\s*refills?\b|\brefills?\s*[:x#]?\s*(\d+)\b"
    r"|(?<![\w/])x\s*(\d+)\s*refills?\b",
    _I,
)
_DAYS_SUPPLY = (  # in order: "day supply: 30" names the supply even after "#60"
    _rx_compile(r"\bdays?[\s-]*supply\s*[:#]?\s*(\d+)\b", _I),
    _rx_compile(r"\b(\d+)[\s-]*days?[\s-]*supply\b", _I),
    _rx_compile(r"\bsupply\s+(?:of|for)\s+(\d+)\s*days\b", _I),
)
_DURATION = _rx_compile(rf"\b({_NA})(?:{_TO}({_N}))?[\s-]*(days?|weeks?|months?)(?:'s?)?\b", _I)
_UNKNOWN_DRUG = _rx_compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg)\b|\b(?:tabs?|tablets?|capsules?)\b", _I)
_LEADING_NAME = _rx_compile(r"([A-Za-z][A-Za-z\-]*(?:\s+[A-Za-z][A-Za-z\-]*){0,2}?)\s*\d")


_BARE_RATIO = _rx_compile(r"(?<![\w./#])(\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)+)(?![\w./%])")


def _strength_fields(text: str) -> dict[str, object]:
    """The first strength written, and the first ingredient's strength in mg ('10/325' means mg)."""
    m = _STRENGTH.search(text)
    if not m:
        bare = _BARE_RATIO.search(text)
        if not bare:
            return {}
        return {"strength": bare.group(1), "strength_mg": float(bare.group(1).split("/")[0])}
    amount, unit = m.group(1), m.group(2).lower()
    first = float(re.split(r"\s*[/-]\s*", amount)[0])
    mg = first if unit == "mg" else first / 1000 if unit == "mcg" else None
    return {"strength": m.group(0).strip(), "strength_mg": mg}


def _quantity_fields(work: str, low: str, core: str) -> dict[str, object]:
    """Quantity and its unit: '#60', 'x 60', 'Qty: 30', '120 grams #1', 'one container'."""
    count: float | None = None
    unit: str | None = None
    m = _COUNT.search(work) or _QTY.search(work) or _TIMES_QTY.search(work)
    if m:
        count = float(m.group(1))
        if m.re is _COUNT and m.group(2):
            unit = _UNITS.get(m.group(2).lower())
    mass = _MASS.search(work)
    if unit != "gram" and mass:
        grams = float(mass.group(1))
        return {"quantity": grams * (count if count and unit is None else 1), "quantity_unit": "gram"}
    if count is None:
        if _has(low, "container", "tube", "box", "bottle", "jar", "kit"):
            container = _CONTAINER.search(work)
            if container:
                unit = _UNITS[container.group(2).lower()]
                return {"quantity": _num(container.group(1)), "quantity_unit": unit}
        words = _COUNT_WORDS.search(work)
        if words and float(words.group(1)) > 4:
            return {"quantity": float(words.group(1)), "quantity_unit": _UNITS[words.group(2).lower()]}
        return {}
    if unit is None:
        form = _FORM_UNIT.search(core)
        unit = _UNITS[form.group(1).lower()] if form else None
    return {"quantity": count, "quantity_unit": unit}


def _times_per_day(work: str, low: str) -> tuple[float | None, re.Match[str] | None]:
    """How many times a day at most, and where it is written."""
    if _has(low, " on", "off") and (m := _ON_OFF.search(work)):
        cycle = float(m.group(1)) + float(m.group(2))
        if cycle > 0:
            return 24 / cycle, m
    if _has(low, "q", "every") and ((m := _Q_HOURS.search(work)) or (m := _EVERY_HOURS.search(work))):
        hours = _num(m.group(1))
        if hours > 0:
            return 24 / hours, m
    if _has(low, "day", "daily", "/d") and (m := _TIMES_DAY.search(work)):
        return _most(m.group(1), m.group(2)), m
    low_work = work.lower()  # `low` may hold words `work` has blanked
    for pattern, per_day, needs in _WORD_FREQUENCIES:
        if _may_match(low_work, needs) and (m := pattern.search(work)):
            return per_day, m
    return None, None


def _frequency_fields(core: str, work: str, low: str) -> dict[str, object]:
    """How often, as written, and the most units a day it allows ('1-2 tabs twice a day' -> 4)."""
    per_day, where = _times_per_day(work, low)
    spans = [where.span()] if where else []
    units = None
    dose = _PER_DOSE.search(work) if _has(low, *_DOSE_WORDS) else None
    if dose and (value := _most(dose.group(1), dose.group(2))) is not None and value <= 4:
        units = value
        spans.append(dose.span())
    prn = _PRN.search(work) if _has(low, "prn", "p.r.n", "needed") else None
    if prn:
        spans.append(prn.span())
    out: dict[str, object] = {"as_needed": prn is not None}
    if per_day is not None:
        out["times_per_day"] = round(per_day, 4)
        out["units_per_dose"] = units
        out["doses_per_day"] = round(per_day * (units or 1), 4)
    if spans:
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        if end - start > 60 and where is not None:
            start, end = where.span()
        out["frequency"] = core[start:end].strip(" ,;")
    return out


# Words before a count that make it a rate ('4 times a day', 'once a week'), not a span of time; 'x'
# makes one only before 'a' ('3 x a day'): '#60 x 14 days', 'stay x 3 days' and '2 x 6 weeks' are spans.
_RATE_BEFORE = _rx_compile(r"(?:\btimes?|\bper|/|\bevery|\btwice|\bonce|\bthrice)\s*$", _I)
_TIMES_BEFORE = _rx_compile(r"\bx\s*$", _I)


def _duration_days(work: str, low: str) -> float | None:
    """Days a request covers: '14 days', 'one month supply', 'seven day use' (not '4 times a day')."""
    if not _has(low, "day", "week", "month"):
        return None
    for m in _DURATION.finditer(work):
        before = max(0, m.start() - 8)
        if _RATE_BEFORE.search(work, before, m.start()) or (
                m.group(1).lower() in ("a", "an") and _TIMES_BEFORE.search(work, before, m.start())):
            continue
        count = _most(m.group(1), m.group(2)) or 0
        unit = m.group(3).lower()
        return count * (30 if unit.startswith("month") else 7 if unit.startswith("week") else 1)
    return None


def _refills(work: str, low: str) -> int | None:
    m = _REFILLS.search(work) if "refill" in low else None
    if not m:
        return None
    written = m.group(1) or m.group(2) or m.group(3)
    return 0 if written.lower() == "no" else _whole(_num(written))


def _drug_numbers(core: str, work: str, low: str) -> dict[str, object]:
    """Strength, quantity, frequency, refills and the days the quantity lasts."""
    out: dict[str, object] = {}
    out.update(_quantity_fields(work, low, core))
    out.update(_frequency_fields(core, work, low))
    out["refills"] = _refills(work, low)
    explicit = None
    if "supply" in low:
        explicit = next((m for pattern in _DAYS_SUPPLY if (m := pattern.search(work))), None)
    out["duration_days"] = _duration_days(_blank(work, [explicit.span()]) if explicit else work, low)
    if explicit:
        out["days_supply"] = float(explicit.group(1))
    elif out.get("quantity") and out.get("doses_per_day") and out.get("quantity_unit") in _COUNTABLE:
        out["days_supply"] = round(float(out["quantity"]) / float(out["doses_per_day"]), 2)  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------- services: sessions, hours, counts

_SESSION_WORD = r"(?:sessions?|visits?|treatments?|appointments?)"
_SESSION_WORDS = ("session", "visit", "treatment", "appointment")
_PAREN_COUNT = _rx_compile(r"\(\s*(\d+)\s*(?:" + _SESSION_WORD + r")?\s*\)", _I)
_EXPLICIT = _rx_compile(rf"\b({_N})(?:{_TO}({_N}))?\s+(?:[a-z/()\-]+\s+){{0,3}}?{_SESSION_WORD}\b", _I)
_SESSIONS_THEN_COUNT = _rx_compile(
    _SESSION_WORD + r"\s*[,:]?\s*(?:#|x|times|qty:?)\s*(\d+)\b|" + _SESSION_WORD + r",\s*(\d+)\b", _I
)
_TIMES_N = _rx_compile(
    rf"(?<![\w/])(?:times|x)\s*({_N})\b"
    r"(?!\s*(?:weeks?|wks?|days?|months?|a\b|per\b|/|weekly|daily|hours?))",
    _I,
)
_PER_WEEK = _rx_compile(
    rf"\b(?:({_N})(?:{_TO}({_N}))?\s*(?:x|times?)|(twice|once|thrice))\s*(?:a|per|/|each|every)?\s*"
    r"(?:weeks?|wks?|weekly)\b"
    rf"|\b({_N})(?:{_TO}({_N}))?\s*(?:days?\s*)?(?:per|/|a|each)\s*(?:weeks?|wks?)\b",
    _I,
)
_WEEKS = _rx_compile(rf"\b(?:for|x|times|over)\s*({_N})(?:{_TO}({_N}))?\s*(?:weeks?|wks?)\b", _I)
_TWO_BY = _rx_compile(
    r"(?<![\w./#])(\d)\s*[xX]\s*(\d{1,2})(?![\w./%])(?!\s*(?:weeks?|wks?|days?|months?|refills?))"
)
_PER_WEEK_BEFORE_X = _rx_compile(r"(?<![\w./#])([1-5])\s*$")
_HOURS_DAY = _rx_compile(rf"\b({_N})(?:{_TO}({_N}))?\s*(?:hours?|hrs?)\s*(?:a|per|/|each)\s*day\b", _I)
_HOURS_WEEK = _rx_compile(rf"\b({_N})\s*(?:hours?|hrs?)\s*(?:a|per|/|each)\s*week\b", _I)
_LEADING = _rx_compile(
    rf"^\s*({_N})\b(?:\s*\(\d+\))?"
    rf"(?!\s*(?:(?:-|to)\s*)?(?:{_N})?\s*(?:weeks?|days?|months?|times|x\b|hours?|sessions?|visits?))",
    _I,
)
_ONCE_TWICE = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_SESSION_KINDS = {
    ItemKind.physical_therapy, ItemKind.chiropractic, ItemKind.acupuncture, ItemKind.psych,
    ItemKind.office_visit, ItemKind.home_health, ItemKind.program,
}


def _per_week(m: re.Match[str]) -> float:
    """Sessions a week: '2-3 times a week' -> 3, 'twice weekly' -> 2, '3/week' -> 3."""
    if m.group(3):
        return _ONCE_TWICE[m.group(3).lower()]
    low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(5))
    return _most(low, high) or 0.0


def _total(work: str, low: str, kind: ItemKind) -> float | None:
    """A total written out: '(12 sessions)', 'six visits', 'sessions, 12', '#6', 'times 6'."""
    if m := _PAREN_COUNT.search(work):
        return float(m.group(1))
    if _has(low, *_SESSION_WORDS):
        if m := _EXPLICIT.search(work):
            return _most(m.group(1), m.group(2))
        if m := _SESSIONS_THEN_COUNT.search(work):
            return float(m.group(1) or m.group(2))
    if (m := _COUNT.search(work)) or (m := _QTY.search(work)) or (m := _TIMES_N.search(work)):
        return _num(m.group(1))
    if kind not in _SESSION_KINDS and (m := _LEADING.search(work)):
        return _num(m.group(1))
    return None


def _service_fields(work: str, low: str, kind: ItemKind) -> dict[str, object]:
    """Sessions, sessions a week and weeks ('2 times a week for 6 weeks' = 12), or a count of things."""
    per_week = weeks = None
    if _has(low, "week", "wk"):
        if m := _PER_WEEK.search(work):
            per_week = _per_week(m)
        if m := _WEEKS.search(work):
            weeks = _most(m.group(1), m.group(2))
            # '2 x 6 weeks': the count before 'x' is the sessions a week
            if per_week is None and m.group().lower().startswith("x") and (
                    before := _PER_WEEK_BEFORE_X.search(work, max(0, m.start() - 6), m.start())):
                per_week = float(before.group(1))
    if per_week is None and weeks is None and (m := _TWO_BY.search(work)) and int(m.group(1)) <= 5:
        per_week, weeks = float(m.group(1)), float(m.group(2))
    total = _total(work, low, kind)
    if total is None and per_week is not None and weeks is not None:
        total = per_week * weeks
    hours_day = hours_week = None
    if _has(low, "hour", "hr"):
        if m := _HOURS_DAY.search(work):
            hours_day = _most(m.group(1), m.group(2))
        if m := _HOURS_WEEK.search(work):
            hours_week = _num(m.group(1))
    if hours_week is None and hours_day is not None and per_week is not None:
        hours_week = hours_day * per_week
    out: dict[str, object] = {"sessions_per_week": per_week, "weeks": weeks}
    out.update(hours_per_day=hours_day, hours_per_week=hours_week)
    if kind in _SESSION_KINDS:
        out["sessions"] = _whole(total)
    else:
        out["quantity"] = total
        out["duration_days"] = _duration_days(work, low)
    return out


# ---------------------------------------------------------------- classification


@dataclass
class _Found:
    """What the text asks for, before the numbers are read."""

    kind: ItemKind
    topic: str
    modality: str | None = None
    drug_hits: list[Hit] = field(default_factory=list)
    generic: bool = False  # only a word for a kind of service ("6 visits")


def _classify(text: str, context: str) -> _Found:
    """The first procedure in lexicon order wins, unless it is a generic word and a drug is named."""
    procedures = procedure_lexicon()
    hits = procedures.find(text)
    drug_hits = drug_lexicon().find(text)
    best: ProcedureEntry | None = None
    if hits:
        best = min((h.value for h in hits), key=lambda entry: procedures.priority[entry.key])
    if best is not None and not (best.yields_to_drugs and drug_hits):
        topic = procedures.context_topic(best, context) or best.topic
        return _Found(ItemKind(best.kind), topic, best.modality, generic=best.generic)
    if drug_hits:
        return _Found(ItemKind.drug, "", drug_hits=drug_hits)
    if _UNKNOWN_DRUG.search(text):
        return _Found(ItemKind.drug, "other_medications")
    return _Found(ItemKind.other, "other", generic=True)


def _laterality(sides: list[str], parts: list[str]) -> Laterality | None:
    """One side; both sides of one part is bilateral; sides of different parts is no single side."""
    named = set(sides)
    if "bilateral" in named:
        return Laterality.bilateral
    if len(named) == 1:
        return Laterality(sides[0])
    if named == {"left", "right"} and len(parts) <= 1:
        return Laterality.bilateral
    return None


_parsed: dict[str, RequestedItem] | None = None  # while `parsing_once` is open: every item read so far


@contextmanager
def parsing_once() -> Iterator[None]:
    """Within the block each item text is read once: the corpus runner reads a letter's items for
    their facts, then again for the topic of the letter's citations (a tenth of a letter's time).

    Every call still gets an item of its own, so a caller that changes one changes nothing else.
    """
    global _parsed
    outer, _parsed = _parsed, {}
    try:
        yield
    finally:
        _parsed = outer


def _own_copy(item: RequestedItem) -> RequestedItem:
    """A copy that shares no list or dict with `item`."""
    copy = item.__copy__()
    fields = copy.__dict__
    for name, value in fields.items():
        if isinstance(value, list | dict):
            fields[name] = value.copy()
    return copy


def parse_item(text: str) -> RequestedItem:
    """Read one requested item: what it is, its topic, and the numbers rules test.

    For a partly authorized request the numbers are read from the part still in
    dispute; whether it is retrospective and its date of service from the whole.
    """
    if _parsed is None:
        return _parse_item(text)
    item = _parsed.get(text)
    if item is None:
        item = _parsed[text] = _parse_item(text)
    return _own_copy(item)


def _parse_item(text: str) -> RequestedItem:
    authorized, portion = _split(text)
    core = portion or text
    found = _classify(core, text)
    if portion and found.generic:  # "the remaining portion, 6 visits": the whole request says of what
        whole = _classify(text, text)
        if whole.topic != "other":
            found = whole
            core = text if whole.drug_hits else core  # drug names are found by position in the text
    undated = _blank(core, [m.span() for m in _ANY_DATE.finditer(core)])  # "DOS 5/1/15" is no quantity
    work, low = undated, undated.lower()
    procedures = procedure_lexicon()
    parts = procedures.body_parts(core) or (procedures.body_parts(text) if portion else [])
    fields: dict[str, object] = {
        "text": text,
        "kind": found.kind,
        "topic": found.topic,
        "modality": found.modality,
        "eligible_portion": portion,
        "authorized_portion": authorized,
        "retrospective": "retro" in text.lower() and _RETRO.search(text) is not None,
        "date_of_service": _date_of_service(text),
        "continuation": (_may_match(core.lower(), _CONTINUATION_NEEDS)
                         and _CONTINUATION.search(core) is not None),
        "body_parts": parts,
        "laterality": _laterality(procedures.sides(core), parts),
        "spinal_levels": [_SPACES.sub("", m.group(0)).upper() for m in procedures.level_regex.finditer(core)],
    }
    if found.kind == ItemKind.drug:
        if found.drug_hits:
            fields.update(_drug_fields(core, work, found.drug_hits))
            work = _blank(work, [(h.start, h.end) for h in found.drug_hits])
        else:
            name = _LEADING_NAME.search(core)
            fields.update(name=name.group(1) if name else None, route=_route(work, "oral"))
        fields.update(_strength_fields(undated))
        fields.update(_drug_numbers(core, work, low))
    else:
        fields.update(_service_fields(work, low, found.kind))
    return RequestedItem.model_validate({k: v for k, v in fields.items() if v is not None})
