"""Case facts: the declared facts of a case, each with the evidence it came from.

The models are the seam between reading (notes, letters, case files) and the
rules. `extract_facts` reads a progress note or a letter's clinical case
summary into the facts declared in rules/facts.yaml; `facts_from_letter` does
it for a whole letter in one of two modes (see DESIGN.md, "Facts from
letters"): *prediction* reads only what was known before the decision (the
case summary and the items as requested), *fidelity* also reads each item's
rationale, minus the sentences that state the decision.

Extraction is hand-written patterns over the normal form of the text
(`imr_rules.sentences`), with ConText-style negation, uncertainty and
hypothetical scopes (`imr_rules.context`). The patterns are compiled on first
use, split into their alternatives and tried only where a word starts the way
an alternative does, so a letter is read in a millisecond or two
(benchmarks/bench_extract.py). Patterns describe general clinical language,
never a particular letter.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from itertools import accumulate, compress, repeat
from operator import add
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ConfigDict, Field

from imr_rules import dates as _dates
from imr_rules.context import Ctx, Trigger, classify, find_triggers
from imr_rules.model import Model
from imr_rules.sentences import alternatives, clean, compile_spaced, first_words, normalize, split_sentences

if TYPE_CHECKING:
    from imr_rules.items import RequestedItem
    from imr_rules.letters import Letter


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


# =====================================================================================
# Extraction: vocabulary
# =====================================================================================


def _alt(*alternatives: str) -> str:
    """A pattern matching any of `alternatives` (one per line keeps long patterns readable)."""
    return "|".join(alternatives)


Source = Literal["summary", "item", "rationale", "note", "case_file", "header", "derived"]
Mode = Literal["prediction", "fidelity"]

_WORD_RX = re.compile(r"[a-z]+")
_KEY_RX = re.compile(r"\b[a-z]{1,3}")  # the first three letters of each word
_SESSION_KINDS = ("physical_therapy", "chiropractic", "acupuncture", "psych", "program")

# Words that name a kind of treatment in running text (to tell which item a sentence is about).
_KIND_TERMS: dict[str, str] = {
    "acupuncture": r"\b(?:electro-?\s*)?acupunct\w*",
    "chiropractic": r"\bchiro\w*|\bmanipulation\b|\bmanual therapy\b",
    "psych": _alt(
        r"\bcognitive behaviou?ral\b",
        r"\bcbt\b",
        r"\bpsychotherap\w*",
        r"\bpsycholog\w* (?:treatment|sessions?|therapy)",
        r"\bcounsel(?:l)?ing\b",
        r"\bbiofeedback\b",
    ),
    "program": _alt(
        r"\bfunctional restoration\b",
        r"\bfrp\b",
        r"\bwork (?:hardening|conditioning)\b",
        r"\bchronic pain program\b",
    ),
    "physical_therapy": _alt(
        r"\bphysical therap\w*",
        r"\bphysiotherap\w*",
        r"\boccupational therap\w*",
        r"\bphysical medicine\b",
        r"\baquatic therap\w*",
        r"\bpool therap\w*",
        r"\bchirophysio\w*",
        r"\bot\b",
        r"\bpt(?= (?:sessions?|visits?|treatments?|notes?|evaluation)\b)",
        r"(?<=\bof[ ])pt\b",
        r"(?<=\bwith[ ])pt\b",
        r"(?<=\bin[ ])pt\b",
        r"(?<=\bfrom[ ])pt\b",
        r"(?<=\badditional[ ])pt\b",
        r"(?<=\bmore[ ])pt\b",
        r"(?<=\bprior[ ])pt\b",
        r"(?<=\bcompleted[ ])pt\b",
    ),
    "electrodiagnostic": _alt(
        r"\bemg\b",
        r"\bncv\b",
        r"\bncs\b",
        r"\belectromyograph\w*",
        r"\bnerve conduction\b",
        r"\belectro-?\s*diagnostic\w*",
    ),
    "injection": _alt(
        r"\binjections?\b",
        r"\bepidurals?\b",
        r"\besis?\b",
        r"\bnerve blocks?\b",
        r"\bfacet blocks?\b",
        r"\bmedial branch\b",
        r"\brhizotomy\b",
        r"\bradiofrequency\b",
        r"\bablation\b",
        r"\bprp\b",
    ),
    "imaging": _alt(
        r"\bmri\b",
        r"\bmagnetic resonance\b",
        r"\bct\b",
        r"\bcomputed tomography\b",
        r"\bcat scan\b",
        r"\bx-?\s*rays?\b",
        r"\bradiographs?\b",
        r"\bbone scan\b",
        r"\bultrasound\b",
        r"\bmyelogram\b",
        r"\bmylogram\b",
    ),
    "surgery": _alt(
        r"\bsurg\w*",
        r"\barthroscop\w*",
        r"\bfusion\b",
        r"\bdecompression\b",
        r"\bdiscectomy\b",
        r"\blaminectomy\b",
        r"\barthroplasty\b",
        r"\brepair\b",
        r"\breconstruction\b",
    ),
    "home_health": r"\bhome health\b|\bhome care\b|\bnursing\b|\bcaregiver\b",
    "dme": _alt(
        r"\btens\b",
        r"\bbrace\b",
        r"\bwalker\b",
        r"\bcane\b",
        r"\bwheelchair\b",
        r"\bh-?wave\b",
        r"\bcold therapy\b",
        r"\bhot/?cold\b",
    ),
}
# Words one of which every mention of a kind of treatment contains (to find them fast).
_KIND_STEMS: dict[str, tuple[str, ...]] = {
    "acupuncture": ("acupunct", "electro"), "chiropractic": ("chiro", "manipulation", "manual"),
    "psych": ("cognitive", "cbt", "psychotherap", "psycholog", "counsel", "biofeedback"),
    "program": ("functional restoration", "frp", "work", "chronic pain program"),
    "physical_therapy": ("physical", "physiotherap", "occupational", "aquatic", "pool", "chirophysio", "ot",
                         "pt"),
    "electrodiagnostic": ("emg", "ncv", "ncs", "electro", "nerve conduction"),
    "injection": ("inject", "epidural", "esi", "nerve block", "facet", "medial", "rhizotomy",
                  "radiofrequency", "ablation", "prp"),
    "imaging": ("mri", "magnetic", "ct", "computed", "cat", "x", "ray", "radiograph", "bone", "ultrasound",
                "myelogram", "mylogram"),
    "surgery": ("surg", "arthroscop", "fusion", "decompression", "discectomy", "laminectomy", "arthroplasty",
                "repair", "reconstruction"),
    "home_health": ("home", "nursing", "caregiver"),
    "dme": ("tens", "brace", "walker", "cane", "wheelchair", "h", "wave", "cold", "hot"),
}
# The modality words of imaging and electrodiagnostic requests, to match a prior study of the same kind.
_MODALITY_TERMS: dict[str, str] = {
    "mri": r"\bmri\b|\bmagnetic resonance\b|\bmr imaging\b",
    "ct": r"\bct\b|\bcomputed tomography\b|\bcat scan\b",
    "x-ray": r"\bx-?\s*rays?\b|\bradiographs?\b|\bplain films?\b",
    "emg": r"\bemg\b|\belectromyograph\w*|\belectro-?\s*diagnostic\w*",
    "ncv": r"\bncv\b|\bncs\b|\bnerve conduction\b|\belectro-?\s*diagnostic\w*",
    "bone scan": r"\bbone scan\b",
    "ultrasound": r"\bultrasound\b|\bsonogra\w*",
}
_BODY_TERMS: dict[str, str] = {
    "lumbar_spine": r"\blumbar\b|\blow(?:er)? back\b|\blumbosacral\b|\bl-?spine\b|\bl[1-5]\b",
    "cervical_spine": r"\bcervical\b|\bneck\b|\bc-?spine\b|\bc[2-7]\b",
    "thoracic_spine": r"\bthoracic\b|\bmid[- ]?back\b|\bupper back\b|\bt-?spine\b",
    "shoulder": r"\bshoulders?\b|\brotator\b|\bacromi\w*",
    "elbow": r"\belbows?\b|\bepicondyl\w*|\bcubital\b",
    "wrist": r"\bwrists?\b|\bcarpal\b",
    "hand": r"\bhands?\b|\bfingers?\b|\bthumbs?\b|\bdigits?\b|\bmetacarpal\w*",
    "hip": r"\bhips?\b|\bgroin\b",
    "knee": r"\bknees?\b|\bmenisc\w*|\bpatell\w*",
    "ankle": r"\bankles?\b",
    "foot": r"\bfoot\b|\bfeet\b|\bheels?\b|\btoes?\b|\bmetatars\w*|\bplantar\b",
    "head": r"\bhead\b|\bfac(?:e|ial)\b|\bscalp\b",
    "brain": r"\bbrain\b",
    "chest": r"\bchest\b|\bribs?\b",
    "abdomen": r"\babdom\w*",
    "pelvis": r"\bpelvi\w*",
    "sacroiliac": r"\bsacroiliac\b|\bsi joints?\b",
    "upper_extremity": r"\bupper extremit\w*|\barms?\b|\bforearms?\b",
    "lower_extremity": r"\blower extremit\w*|\blegs?\b|\bthighs?\b|\bcalf\b|\bcalves\b",
}
_DRUG_MARKERS = re.compile(_alt(
    r"\d\s*(?:mg|mcg|g|gm|grams?|ml|%)\b",
    r"#\s*\d",
    r"\b(?:tabs?|tablets?|caps?|capsules?|patch(?:es)?|cream|gel|ointment|lotion|spray|solution|refills?|po"
    r"|bid|tid|qid|qhs|prn|er|cr|xr|sr)\b",
))

# Drug names, "generic: brand brand" (one word each): to match a requested drug however the text names
# it, to notice other drugs of a class taken at the same time, and to tell which sentences name a drug.
_BRAND_TABLE = """
hydrocodone: norco vicodin lortab lorcet hysingla zohydro
oxycodone: oxycontin percocet roxicodone endocet xtampza roxicet
morphine: kadian avinza mscontin
hydromorphone: dilaudid exalgo
oxymorphone: opana
fentanyl: duragesic fentora subsys actiq abstral lazanda
methadone: dolophine
tramadol: ultram ultracet conzip
tapentadol: nucynta
codeine:
buprenorphine: butrans suboxone subutex belbuca zubsolv
meperidine: demerol
levorphanol:
diazepam: valium
clonazepam: klonopin
alprazolam: xanax
lorazepam: ativan
temazepam: restoril
chlordiazepoxide: librium
triazolam: halcion
oxazepam:
ibuprofen: motrin advil
naproxen: naprosyn anaprox aleve
meloxicam: mobic
diclofenac: voltaren arthrotec flector pennsaid
celecoxib: celebrex
nabumetone: relafen
etodolac: lodine
ketoprofen:
ketorolac: toradol
indomethacin: indocin
piroxicam: feldene
oxaprozin: daypro
diflunisal:
sulindac:
fenoprofen:
flurbiprofen:
aspirin:
warfarin: coumadin
apixaban: eliquis
rivaroxaban: xarelto
dabigatran: pradaxa
clopidogrel: plavix
heparin:
enoxaparin: lovenox
prednisone:
prednisolone:
methylprednisolone: medrol
dexamethasone:
gabapentin: neurontin gralise horizant
pregabalin: lyrica
duloxetine: cymbalta
amitriptyline: elavil
nortriptyline: pamelor
trazodone: desyrel
zolpidem: ambien edluar intermezzo
eszopiclone: lunesta
zaleplon: sonata
cyclobenzaprine: flexeril fexmid amrix
tizanidine: zanaflex
carisoprodol: soma
methocarbamol: robaxin
baclofen: lioresal
metaxalone: skelaxin
orphenadrine: norflex
omeprazole: prilosec
pantoprazole: protonix
esomeprazole: nexium
lansoprazole: prevacid
ranitidine: zantac
famotidine: pepcid
lidocaine: lidoderm
acetaminophen: tylenol
topiramate: topamax
venlafaxine: effexor
bupropion: wellbutrin
fluoxetine: prozac
sertraline: zoloft
escitalopram: lexapro
citalopram: celexa
paroxetine: paxil
docusate: colace
sildenafil: viagra
capsaicin: zostrix
"""
_BRANDS: dict[str, tuple[str, ...]] = {
    generic.strip(): tuple(brands.split()) for generic, brands in
    (line.split(":") for line in _BRAND_TABLE.strip().splitlines())
}
_CANON: dict[str, str] = {g: g for g in _BRANDS} | {b: g for g, bs in _BRANDS.items() for b in bs}
_OPIOID_GENERICS = frozenset({"hydrocodone", "oxycodone", "morphine", "hydromorphone", "oxymorphone",
                              "fentanyl",
                              "methadone", "tramadol", "tapentadol", "codeine", "buprenorphine", "meperidine",
                              "levorphanol"})
_BENZO_GENERICS = frozenset({"diazepam", "clonazepam", "alprazolam", "lorazepam", "temazepam",
                             "chlordiazepoxide",
                             "triazolam", "oxazepam"})
_NSAID_GENERICS = frozenset({"ibuprofen", "naproxen", "meloxicam", "diclofenac", "celecoxib", "nabumetone",
                             "etodolac", "ketoprofen", "ketorolac", "indomethacin", "piroxicam", "oxaprozin",
                             "diflunisal", "sulindac", "fenoprofen", "flurbiprofen"})
_GI_RISK_GENERICS = frozenset({"aspirin", "warfarin", "apixaban", "rivaroxaban", "dabigatran", "clopidogrel",
                               "heparin", "enoxaparin", "prednisone", "prednisolone", "methylprednisolone",
                               "dexamethasone"})
# Words that name a class rather than a drug: they show a drug of the class is taken, not which one.
_CLASS_WORDS: dict[str, frozenset[str]] = {
    "concurrent_opioids": frozenset({"opioid", "opioids", "opiate", "opiates", "narcotic", "narcotics"}),
    "concurrent_benzodiazepines": frozenset({"benzodiazepine", "benzodiazepines"}),
    "concurrent_nsaid": frozenset({"nsaid", "nsaids", "nonsteroidal anti-inflammatory",
                                   "non-steroidal anti-inflammatory", "anti-inflammatories",
                                   "anti-inflammatory medication", "anti-inflammatory medications"}),
}
_CLASS_GENERICS: dict[str, frozenset[str]] = {
    "concurrent_opioids": _OPIOID_GENERICS, "concurrent_benzodiazepines": _BENZO_GENERICS,
    "concurrent_nsaid": _NSAID_GENERICS,
}
# What the text may call a drug's class ("the narcotics", "muscle relaxants"): a mention of the class is
# a mention of the requested drugs of that class.
_CLASS_TABLE = """
opioid: hydrocodone oxycodone morphine hydromorphone oxymorphone fentanyl methadone tramadol tapentadol
  codeine buprenorphine meperidine levorphanol | opioid, opioids, opiate, opiates, narcotic, narcotics
benzodiazepine: diazepam clonazepam alprazolam lorazepam temazepam chlordiazepoxide triazolam oxazepam
  | benzodiazepine, benzodiazepines
nsaid: ibuprofen naproxen meloxicam diclofenac celecoxib nabumetone etodolac ketoprofen ketorolac indomethacin
  piroxicam oxaprozin diflunisal sulindac fenoprofen flurbiprofen | nsaid, nsaids, anti-inflammatory,
  anti-inflammatories
muscle_relaxant: cyclobenzaprine tizanidine carisoprodol methocarbamol baclofen metaxalone orphenadrine
  | muscle relaxant, muscle relaxants
antidepressant: duloxetine amitriptyline nortriptyline venlafaxine bupropion fluoxetine sertraline
  escitalopram citalopram paroxetine trazodone | antidepressant, antidepressants
anticonvulsant: gabapentin pregabalin topiramate | anticonvulsant, anticonvulsants
hypnotic: zolpidem eszopiclone zaleplon | hypnotic, hypnotics, sleep aid, sleep aids, sleeping pills
ppi: omeprazole pantoprazole esomeprazole lansoprazole | ppi, proton pump inhibitor, proton pump inhibitors
"""


def _class_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """generic -> class, and class -> the phrases that name it ("class: generics | phrase, phrase")."""
    of: dict[str, str] = {}
    names: dict[str, tuple[str, ...]] = {}
    for entry in re.split(r"\n(?=\w)", _CLASS_TABLE.strip()):
        cls, rest = entry.split(":", 1)
        generics, phrases = " ".join(rest.split()).split(" | ")
        of.update({g: cls for g in generics.split()})
        names[cls] = tuple(p.strip() for p in phrases.split(","))
    return of, names


_CLASS_OF, _CLASS_NAMES = _class_table()
_COMPOUNDS = frozenset({"terocin", "lidopro", "medrox", "theramine", "sentra", "trepadone", "gabadone",
                        "flurlido"})
_ALL_DRUGS = frozenset(_CANON) | _COMPOUNDS | frozenset().union(*_CLASS_WORDS.values())
_ALNUM_RUN = re.compile(r"[^\W_]+")  # a word: a run of letters and digits
# Drug names that are one word are found among the words of a text; the others by their first word.
_ONE_WORD_DRUGS = frozenset(w for w in _ALL_DRUGS if _ALNUM_RUN.fullmatch(w))
_DRUGS_BY_FIRST_WORD: dict[str, tuple[str, ...]] = {}
for _word in sorted(_ALL_DRUGS - _ONE_WORD_DRUGS):
    _first = _ALNUM_RUN.match(_word)
    if _first is not None:
        _DRUGS_BY_FIRST_WORD[_first.group()] = (*_DRUGS_BY_FIRST_WORD.get(_first.group(), ()), _word)
_NAME_STOPWORDS = frozenset(
    "retrospective prospective request requested purchase rental rent coverage months month weeks week days"
    " day"
    " supply prescription prescriptions refill refills additional continued continue one two three four five"
    " six"
    " seven eight nine ten twelve tab tabs tablet tablets cap caps capsule capsules patch patches cream gel"
    " ointment lotion spray solution times daily twice with for and the of unknown dosage quantity brand"
    " generic"
    " oral topical transdermal compound compounded extended release".split())
_COMBINATION_PARTNERS = frozenset({"acetaminophen", "apap", "paracetamol", "caffeine"})

_NUMBER_WORDS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
    "several": 3, "multiple": 3, "many": 6, "numerous": 6,
}
_UNIT_WEEKS: dict[str, float] = {"d": 1 / 7, "w": 1.0, "m": 4.345, "y": 52.18}
# Qualitative durations ("chronically", "on a chronic basis"): a documented long use, taken as 12 weeks.
LONG_USE_WEEKS = 12.0
# A refill, or running out of a drug, shows at least one earlier fill was used: taken as 4 weeks.
REFILL_WEEKS = 4.0


# =====================================================================================
# Extraction: patterns (written with single spaces; see imr_rules.sentences.spaced)
# =====================================================================================



@dataclass(frozen=True)
class _Spec:
    """A pattern for one fact: what a match shows (polarity +1 the fact, -1 its opposite), and the
    contexts that do not matter for it. `stems` (words every match contains) are needed only when
    the words a match starts with cannot be read off the pattern (see `sentences.first_words`)."""

    name: str
    pattern: str
    stems: tuple[str, ...] = ()
    polarity: int = 1
    ignore: frozenset[Ctx] = frozenset()
    exam: bool = False  # only an examiner's finding counts, not a complaint ("complains of weakness")


_NO_HYP = frozenset({Ctx.hypothetical})
_NO_NEG = frozenset({Ctx.negated})

# ---- diagnoses: flag -> (pattern, stems). A flag is set only when affirmed (not negated, uncertain, planned)
_DIAGNOSES: dict[str, str] = {
    "radiculopathy": _alt(
        r"\bradiculopath\w*",
        r"\bradiculitis\b",
        r"\bradicular\b",
        r"\bsciatica\b",
        r"\bsciatic (?:pain|nerve|symptoms|neuralgia)\b",
        r"\bnerve root (?:injury|compromise|impingement|irritation|compression|involvement"
        r"|encroachment)\b",
        r"\blumbosacral neuritis\b",
    ),
    "neuropathic_pain": _alt(
        r"\bneuropathic\b",
        r"\b(?:poly)?neuropath(?:y|ies)\b",
        r"\bneuralgia\b",
        r"\ballodynia\b",
        r"\bdysesthe\w*",
        r"\bburning (?:pain|sensation)\b",
        r"\bnerve pain\b",
        r"\bhypersensitivity (?:pain )?to light touch\b",
        r"\bperipheral nerve injury\b",
        r"\bcrps\b",
        r"\bcomplex regional pain\b",
        r"\breflex sympathetic\b",
    ),
    "fibromyalgia": _alt(
        r"\bfibromyalg\w*",
        r"\bfibrositis\b",
    ),
    "depression": _alt(
        r"\bdepressi(?:on|ve)\b(?! tests?\b)",
        r"\bdepressed (?:mood|affect)\b",
        r"\bdysthymi\w*",
        r"\bmdd\b",
    ),
    "anxiety": _alt(
        r"\banxiety\b",
        r"\banxious\b",
        r"\bpanic (?:disorder|attacks?)\b",
    ),
    "insomnia": _alt(
        r"\binsomnia\b",
        r"\bsleep (?:disturbances?|disorders?|difficult(?:y|ies)|problems?|issues|deprivation|impairment"
        r"|dysfunction|disruption)\b",
        r"\b(?:difficulty|difficulties|trouble|problems?) (?:with |in )?(?:sleeping|sleep|falling asleep"
        r"|staying asleep)\b",
        r"\bpoor sleep\b",
        r"\bunable to sleep\b",
        r"\bsleeplessness\b",
        r"\bcannot sleep\b",
        r"\bdisturbed sleep\b",
        r"\bdifficulty sleeping\b",
    ),
    "spasm": _alt(
        r"\bspasms?\b",
        r"\bspasticity\b",
        r"\bspastic\b",
    ),
    "acute_exacerbation": _alt(
        r"\bacute (?:exacerbation|flare)s?\b",
        r"\bflare[- ]?ups?\b",
        r"\bflares?\b",
        r"\bexacerbations? (?:of|in)\b",
        r"\bacutely (?:worse|worsened)\b",
    ),
    "cancer_pain": _alt(
        r"\bcancer\b",
        r"\bmalignan(?:cy|cies|t)\b",
        r"\bcarcinoma\w*",
        r"\bmetasta\w*",
        r"\boncolog\w*",
        r"\blymphoma\b",
        r"\bleuka?emia\b",
        r"\bsarcoma\b",
        r"\bmyeloma\b",
    ),
    "opioid_dependence": _alt(
        r"\b(?:opioid|opiate|narcotic)(?:[- ]agonist)? (?:dependence|dependency|addiction|use disorder"
        r"|abuse|misuse)\b",
        r"\bopioid[- ]dependent\b",
        r"\baddiction\b",
        r"\baddicted\b",
    ),
    "opioid_use_disorder_treatment": _alt(
        r"\b(?:suboxone|subutex|buprenorphine|methadone) (?:maintenance|program|clinic|treatment)\b",
        r"\b(?:drug |opioid |opiate |narcotic |substance |chemical )?(?:addiction|dependence|dependency"
        r"|abuse|use disorder) (?:treatment|program|clinic|specialist|counsel\w*|rehabilitation|rehab)\b",
        r"\bdetox\w*",
        r"\baddiction (?:medicine|specialist|treatment|program)\b",
        r"\bmedication[- ]assisted treatment\b",
    ),
    "seizure_disorder": _alt(
        r"\bseizures?\b",
        r"\bepilep(?:sy|tic)\b",
        r"\bconvulsions?\b",
    ),
    "osteoarthritis": _alt(
        r"\bosteoarthri\w*",
        r"\bosteoarthrosis\b",
        r"\barthrosis\b",
        r"\bdegenerative joint disease\b",
        r"\bdjd\b",
        r"(?<!rheumatoid[ ])(?<!psoriatic[ ])\barthritis\b",
        r"\barthritic\b",
        r"\boa\b",
    ),
    "crps": _alt(
        r"\bcrps\b",
        r"\bcomplex regional pain\b",
        r"\breflex sympathetic dystrophy\b",
        r"\brsd\b",
        r"\bcausalgia\b",
    ),
    "diabetic_neuropathy": r"\bdiabetic (?:peripheral )?(?:poly)?neuropath\w*",
    "postherpetic_neuralgia": _alt(
        r"\bpost-?\s*herpetic neuralgia\b",
        r"\bphn\b",
        r"(?<!roofing[ ])(?<!roof[ ])(?<!asphalt[ ])(?<!wood[ ])(?<!cedar[ ])\bshingles\b"
        r"(?! (?:on|off|from|onto)\b)",
        r"\bherpes zoster\b",
    ),
    "carpal_tunnel": _alt(
        r"\bcarpal tunnel\b",
        r"\bcts\b",
    ),
    "disc_herniation": _alt(
        r"\bherniat\w*",
        r"\bhnp\b",
        r"\bdis[ck] (?:protrusions?|extrusions?|displacements?|herniations?|fragments?)\b",
        r"\b(?:protruded|extruded|herniated|displaced) dis[ck]s?\b",
        r"\bintervertebral dis[ck] displacement\b",
    ),
    "spinal_stenosis": _alt(
        r"(?<!coronary[ ])(?<!artery[ ])(?<!aortic[ ])(?<!carotid[ ])(?<!valve[ ])(?<!valvular["
        r" ])(?<!renal[ ])(?<!pyloric[ ])\bstenosis\b",
        r"\b(?:neuro)?foraminal narrowing\b",
    ),
    "failed_back_surgery": _alt(
        r"\bfailed back (?:surgery )?syndrome\b",
        r"\bfbss\b",
        r"\bpost-?\s*laminectomy syndrome\b",
    ),
    "myofascial_pain": r"\bmyofascial (?:pain|syndrome|strain|trigger)\w*",
    "headache": _alt(
        r"\bheadaches?\b",
        r"\bmigraines?\b",
        r"\bcephalgia\b",
    ),
    "gi_disorder": _alt(
        r"\bgerd\b",
        r"\bgastro-?\s*esophageal reflux\b",
        r"\bacid reflux\b",
        r"\bgastritis\b",
        r"\b(?:peptic|gastric|duodenal|stomach) ulcers?\b",
        r"\bulcer disease\b",
        r"\bgi bleed\w*",
        r"\bgastrointestinal (?:bleed\w*|disorder|disease|hemorrhage)\b",
        r"\bdyspepsia\b",
        r"\birritable bowel\b",
        r"\bgastroparesis\b",
    ),
    "hypertension": _alt(
        r"\bhypertension\b",
        r"\bhtn\b",
        r"\bhigh blood pressure\b",
    ),
    "cardiovascular_disease": _alt(
        r"\bcoronary (?:artery )?(?:disease|stent\w*|bypass)\b",
        r"\bcad\b",
        r"\bmyocardial infarction\b",
        r"\bheart (?:attack|failure|disease)\b",
        r"\bcongestive heart\b",
        r"\bchf\b",
        r"\batrial fibrillation\b",
        r"\bbundle branch block\b",
        r"\barrhythmia\b",
        r"\bangina\b",
        r"\bstroke\b",
        r"\bcerebrovascular\b",
        r"\bcardiac (?:disease|stent\w*|history|condition)\b",
        r"\bperipheral vascular disease\b",
        r"\bcardiomyopathy\b",
    ),
    "renal_disease": _alt(
        r"\brenal (?:insufficiency|failure|disease|impairment|dysfunction)\b",
        r"\bkidney (?:disease|failure|insufficiency)\b",
        r"\bckd\b",
        r"\bdialysis\b",
        r"\bnephropathy\b",
    ),
    "obesity": _alt(
        r"\bobes(?:e|ity)\b",
        r"\bbmi (?:of |is |was )?(?:3\d|4\d|5\d)\b",
    ),
    "ptsd": _alt(
        r"\bptsd\b",
        r"\bpost-?\s*traumatic stress\b",
    ),
    "sleep_apnea": _alt(
        r"\bsleep apnea\b",
        r"\bosa\b",
        r"\bcpap\b",
    ),
    "fracture": r"\bfractur(?:e|es|ed)\b(?! (?:boot|brace|walker|shoe)s?\b)",
    "tendinitis": _alt(
        r"\btendon?itis\b",
        r"\btendinopath\w*",
        r"\btendinosis\b",
        r"\btenosynovitis\b",
        r"\bepicondyl(?:itis|algia)\b",
        r"\bde quervain\w*",
    ),
    "rotator_cuff_tear": _alt(
        r"\brotator cuff (?:tears?|rupture)\b",
        r"\b(?:supraspinatus|infraspinatus|subscapularis)(?: tendon)? tears?\b",
        r"\btears? (?:of|in) the (?:supraspinatus|infraspinatus|subscapularis|rotator cuff)\b",
        r"\btorn rotator cuff\b",
        r"\bfull[- ]thickness (?:rotator cuff )?tear\b",
    ),
    "meniscal_tear": _alt(
        r"\bmenisc(?:al|us) tears?\b",
        r"\btears? (?:of|in) the (?:medial |lateral )?menisc\w*",
        r"\btorn (?:medial |lateral )?menisc\w*",
    ),
    "instability": _alt(
        r"\binstability\b",
        r"\bunstable\b",
        r"\blaxity\b",
        r"\bdislocat\w*",
        r"\bsubluxations?\b",
        r"\bgiv(?:ing|es) way\b",
    ),
    "infection": _alt(
        r"\binfect(?:ion|ions|ed)\b",
        r"\bosteomyelitis\b",
        r"\babscess\b",
        r"\bcellulitis\b",
        r"\bsepsis\b",
        r"\bseptic\b",
    ),
    "tumor": _alt(
        r"\btumou?rs?\b",
        r"\bneoplasm\w*",
        r"\bmalignan(?:cy|cies|t)\b",
        r"\bmetasta\w*",
        r"\bmass lesion\b",
    ),
    "cauda_equina": _alt(
        r"\bcauda equina\b",
        r"\bsaddle an(?:a)?esthesia\b",
        r"\b(?:bowel|bladder) (?:or|and|and/or) (?:bowel|bladder) (?:incontinence|dysfunction)\b",
        r"\b(?:urinary|bowel|fecal) incontinence\b",
        r"\burinary retention\b",
    ),
    "progressive_neurologic_deficit": _alt(
        r"\bprogressive (?:neurologic(?:al)? )?(?:deficits?|weakness|numbness|neurologic\w*)\b",
        r"\bprogressive(?:ly worsening)? (?:\w+ ){0,2}?(?:motor|sensory|neurologic(?:al)?"
        r"|muscle) (?:deficits?"
        r"|weakness|loss|changes|findings|signs)\b",
        r"\bprogressive (?:loss of|decline in|decrease in) (?:\w+ )?(?:strength|sensation|motor function"
        r"|reflexes)\b",
        r"\b(?:numbness|weakness|deficits?|paresthesias?) (?:\w+ ){0,2}?progressively (?:getting worse"
        r"|worsening|worse)\b",
        r"\bworsening (?:neurologic(?:al)? deficits?|weakness|numbness)\b",
    ),
    "erectile_dysfunction": _alt(
        r"\berectile (?:dysfunction|disorder)\b",
        r"\bimpotence\b",
    ),
}
# Diagnoses that are red flags for serious pathology when affirmed.
_RED_FLAG_DIAGNOSES = ("fracture", "tumor", "cancer_pain", "infection", "cauda_equina",
                       "progressive_neurologic_deficit")

_FIRST_LINE = (r"(?:gabapentin|neurontin|gralise|horizant|lyrica|pregabalin|amitriptyline|elavil"
               r"|nortriptyline|pamelor|desipramine|tricyclics?|tcas?|(?:anti-?)?depressants?"
               r"|anti-?convulsants?|anti-?epilep\w*|aeds?|snris?|duloxetine|cymbalta|venlafaxine|effexor"
               r"|savella|milnacipran|first[- ]line (?:\w+ ){0,2}?(?:agents?|medications?|drugs?|therap\w*"
               r"|treatments?|options?)|neuropathic (?:pain )?(?:medications?|agents?|drugs?)|nsaids?"
               r"|non-?steroidal\w*|anti-?inflammator\w*|acetaminophen|tylenol|non-?opioid (?:analgesics?"
               r"|medications?|pain medications?))")
_CONSERVATIVE = (r"(?:conservative\w*|physical therap\w*|pt|therapy|therapies|physiotherap\w*|chiropractic\w*"
                 r"|acupuncture|medications?|medical management|injections?|epidurals?|nsaids?"
                 r"|anti-?inflammator\w*|rest|activity modifications?|home exercises?|treatments?|care"
                 r"|modalities|non-?operative|non-?surgical|nonsurgical)")
_SURGERY = (r"(?:surgery|surgeries|surgical|operative|operation|arthroscop\w*|fusion|decompression|discectomy"
            r"|microdiscectomy|laminectomy|laminotomy|foraminotomy|arthroplasty|(?:joint |knee |hip "
            r"|shoulder )replacement|repair|reconstruction|(?:tunnel|trigger finger) release|acromioplasty"
            r"|meniscectomy|debridement|orif|open reduction|pinning|implant\w*)")
_SURGERY_STEMS = ("surg", "operati", "arthroscop", "fusion", "decompression", "discectomy", "microdiscectomy",
                  "laminectomy", "laminotomy", "foraminotomy", "arthroplasty", "replacement", "repair",
                  "reconstruction", "release", "acromioplasty", "meniscectomy", "debridement", "orif",
                  "open reduction", "pinning", "implant")
# Medication and time, rest or activity modification: conservative care in the guidelines' sense.
_CC_MEDS = (r"(?:(?:medications?|nsaids?|anti-?inflammator\w*|analgesics?"
            r"|pain medications?) (?:\w+ ){0,3}?(?:and"
            r"|with|plus|,) (?:\w+ ){0,2}?(?:rest(?! of)|activity modifications?|modified (?:duty|activit\w*)"
            r"|time off(?: work)?|work restrictions|ice|heat|home exercises?)"
            r"|(?:rest(?! of)|activity modifications?|modified (?:duty|activit\w*)"
            r"|time off(?: work)?) (?:\w+ )"
            r"{0,3}?(?:and|with|plus|,) (?:\w+ ){0,2}?(?:medications?|nsaids?|anti-?inflammator\w*"
            r"|analgesics?))")
_PARESTHESIA = (r"(?:numbness|numb|tingling|tingles|paresthesias?|paraesthesias?|pins and needles"
                r"|(?:numbness|tingling) (?:and|or|and/or) (?:tingling|numbness|paresthesias?))")
_SLR = r"(?:straight[- ]?leg[- ]?rais(?:e|es|ed|ing)|slr)"
_UR_STEMS = ("utilization", "ur", "claims", "prior", "previous", "certif", "denied", "denial", "modified",
             "approve", "original", "eligible", "authorized")
_UDS = (r"(?:urine (?:drug |toxicology |tox )?(?:screens?|screening|tests?|testing|toxicology|analysis)|uds"
        r"|udt|utox|drug (?:screens?|screening|testing|tests?)|toxicology (?:screens?|reports?|results?"
        r"|testing))")
_UDS_STEMS = ("urine", "uds", "udt", "utox", "drug screen", "drug test", "toxicology")
_IMG = (r"(?:mri|magnetic resonance(?: imaging)?|mr imaging|ct(?: scan)?|computed tomography|cat scan"
        r"|x-?\s*rays?|radiographs?|radiographic\w*|myelogram|mylogram|emg|ncv|ncs"
        r"|nerve conduction(?: stud(?:y|ies))?|electromyograph\w*|electro-?\s*diagnostic\w*(?: stud(?:y|ies)"
        r"| test\w*)?|bone scan|ultrasound|imaging|scans?|stud(?:y|ies))")
_IMG_STEMS = ("mri", "magnetic", "mr imaging", "ct", "computed", "cat scan", "x-", "xray", "x ray",
              "radiograph",
              "myelogram", "mylogram", "emg", "ncv", "ncs", "nerve conduction", "electromyograph", "electro",
              "bone scan", "ultrasound", "imaging", "scan", "stud")
_IMG_FINDING = (r"(?:herniat\w*|protrusions?|extrusions?|displacement|bulg\w*|stenosis|(?:foraminal "
                r"|canal )?narrowing|nerve root (?:compromise|impingement|compression|involvement"
                r"|displacement|encroachment|clumping)|impinge\w*|radiculopathy|neuropathy|denervation"
                r"|carpal tunnel|tears?|torn|fractur\w*|pars defect|spondylolisthesis|spondylolysis"
                r"|arachnoiditis|nerve clumping|fragments?|abnormal\w*|pathology|lesions?|tendinopathy"
                r"|tendinosis|effusion|edema|degenerat\w*|arthritis|osteoarthritis|calcif\w*|entrapment"
                r"|compromise|tendonitis|tendinitis|spurs?|osteophytes?)")

# ---- tristate facts: fact -> specs. Polarity +1 shows the fact, -1 shows its opposite.
# Words that make the relief after them too slight to count ("slightly reduced pain", "minimal relief").
_NOT_SLIGHT = "".join(f"(?<!{word}[ ])" for word in (
    "slightly", "minimally", "marginally", "barely", "slight", "minimal", "marginal", "negligible"))

_TRISTATE_SPECS: list[_Spec] = [
    # functional improvement
    _Spec("functional_improvement",
        _alt(
            r"\b(?:improv(?:ed|ement|ements|ing)|increase[ds]?|better|gains?|gained) (?:in |of "
            r"|with )?(?:his |her |their |the |overall |objective |significant |measurable )*(?:function"
            r"|functional|functioning|activities of daily living|daily activities|adls?|activity (?:level"
            r"|tolerance)|mobility|ability|abilities|endurance|(?:walking|sitting|standing) tolerance)\b",
            r"\bfunction(?:al)? (?:improvements?|gains?|benefits?|progress)\b",
            r"\bfunction(?:ing|al status)? (?:is |has |was |had )?(?:been )?(?:improved|better|increased)\b",
            r"\bable to (?:\w+ ){1,5}?(?:longer|more|further|farther|again|better|without (?:pain|difficulty"
            r"|assistance|help))\b",
            r"\b(?:decreased|reduced|fewer|lessened) (?:work )?restrictions\b",
            r"\b(?:increased|improved|better) (?:walking|sitting|standing|exercise|work) (?:tolerance"
            r"|capacity|distance)\b",
        )),
    _Spec("functional_improvement",
        _alt(
            r"\b(?:decreased|diminished|declin\w*|worsen\w*|worse|poor) (?:overall )?(?:function"
            r"|functional (?:status|capacity|ability)|functioning|daily activities|activities of daily living"
            r"|adls)\b",
            r"\b(?:daily activities|activities of daily living|adls|function|functioning"
            r"|functional status) (?:are |is |has |have |were |was )?(?:been )?(?:more |further |now "
            r"|even )?(?:diminished|decreased|declined|worse|worsened|reduced|limited|restricted)\b",
            r"\bno (?:significant )?changes? (?:in|of) (?:\w+ ){0,4}?(?:function\w*|adls"
            r"|activities of daily living)\b",
            r"\bfunctional decline\b",
        ),
        polarity=-1),
    # pain relief
    _Spec("pain_relief",
        _alt(
            _NOT_SLIGHT + r"\b(?:pain )?relief\b",
            _NOT_SLIGHT + r"\b(?:reduc|decreas|lessen|improv|allevi|eas|lower)"
            r"(?:es|ed|ing|e|tion|ement|ation)? (?:in |of )?(?:his |her |the |their |overall |some )?pain\b",
            r"\bpain (?:is |was |has been |has |had )?(?:\w+ )?(?:improved|better|decreased|reduced|relieved"
            r"|controlled|manageable|lessened)\b",
            r"\bhelp(?:s|ed|ing|ful)? (?:with |to reduce |reduce |decrease )?(?:the |his |her )?(?:pain"
            r"|symptoms)\b",
            r"\b(?:was|is|are|were|been) (?:very |somewhat |quite |still )?(?:helping|helpful|effective"
            r"|beneficial)\b",
            r"\b(?:vast|significant|some|moderate|good|great|considerable|marked|mild|excellent"
            r"|substantial|transient|partial|temporary) (?:improvement|relief|benefit)\b",
            r"\bwith (?:some |good |significant |moderate )?benefit\b",
        )),
    # relief too slight to count as a benefit: "only slightly reduced pain", "minimal relief"
    _Spec("pain_relief",
        _alt(
            r"\b(?:slightly|minimally|marginally|barely) "
            r"(?:reduc|decreas|lessen|improv|allevi|eas|lower|help)(?:es|ed|ing|e|s)?\b",
            r"\b(?:slight|minimal|marginal|negligible) (?:pain )?(?:improvement|relief|benefit|reduction)\b",
        ),
        polarity=-1),
    _Spec("pain_relief",
        r"\b(?:ineffective|not effective|unhelpful|not helpful)\b",
        polarity=-1, ignore=_NO_NEG),
    # adverse effects
    _Spec("adverse_effects",
        _alt(
            r"\b(?:side|adverse) (?:effects?|reactions?|events?)\b",
            r"\b(?:nausea|constipation|sedation|drowsiness|dizziness|somnolence|dry mouth|itching|pruritus"
            r"|vomiting|confusion|cognitive (?:impairment|slowing)|hallucinations?) (?:\w+ ){0,3}?(?:from"
            r"|due to|secondary to|caused by|related to|associated with|on) (?:the |his "
            r"|her )?(?:medications?|narcotics|opioids|opiates|meds)\b",
            r"\b(?:not|poorly) tolerated\b",
            r"\bintoleran(?:t|ce)\b",
            r"\b(?:unable|not able) to tolerate\b",
        )),
    _Spec("adverse_effects",
        _alt(
            r"\b(?:is |was |has been )?tolerating (?:the |his |her |current |these |this "
            r"|all )*(?:medications?|meds|regimen|treatment|it|them)\b",
            r"\bwell[- ]tolerated\b",
            r"\btolerat(?:es|ed) (?:the |his |her |current |these |this |all )*(?:medications?|meds|it|them"
            r"|treatment) well\b",
        ),
        polarity=-1),
    # aberrant behaviour
    _Spec("aberrant_behavior",
        _alt(
            r"\baberran\w* (?:drug[- ](?:related |taking )?)?(?:behaviou?rs?|drug|use|taking)\b",
            r"\bearly refills?\b",
            r"\blost (?:prescriptions?|medications?|scripts?)\b",
            r"\bmultiple (?:prescribers|providers|pharmacies)\b",
            r"\bdoctor shopping\b",
            r"\bdiversion\b",
            r"\bdivert\w*",
            r"\bmisus\w*",
            r"\bdrug[- ]seeking\b",
            r"\b(?:illicit|illegal|street) drugs?(?: use)?\b",
            r"\bsubstance abuse\b",
            r"\bdrug abuse\b",
            r"\babus(?:e|ing) (?:of )?(?:his |her )?(?:medications?|opioids?|narcotics)\b",
        )),
    # opioid monitoring
    _Spec("urine_drug_screen",
        rf"\b{_UDS}\b"),
    _Spec("opioid_agreement",
        _alt(
            r"\b(?:opioid|opiate|narcotic|pain|medication|controlled substance|treatment) (?:management "
            r"|treatment |use )?(?:agreements?|contracts?)\b",
            r"\bsigned (?:an? |the )?(?:\w+ ){0,2}?(?:agreement|contract)\b",
        )),
    _Spec("cures_checked",
        _alt(
            r"\bcures\b",
            r"\bpdmp\b",
            r"\bprescription (?:drug )?monitoring (?:program|database|report)\b",
            r"\bstate (?:prescription )?database\b",
        )),
    _Spec("risk_assessment",
        _alt(
            r"\brisk (?:assessment|stratification|screening)\b",
            r"\bsoapp\w*",
            r"\bopioid risk tool\b",
            r"\bort\b",
            r"\b(?:screen\w*|assess\w*) (?:for )?(?:the )?risks? (?:of|for) (?:addiction|abuse|misuse"
            r"|aberrant)\w*",
            r"\bscreening for (?:risk of )?(?:addiction|abuse|misuse)\b",
        )),
    # conservative care and first-line drugs
    _Spec("conservative_care_failed",
        _alt(
            rf"\bfail(?:ed|ure of|ing) (?:all |any |a |an |extensive |prolonged |multiple |previous |prior "
            rf"|proper |appropriate |adequate |initial )*(?:course of |courses of "
            rf"|trials? of )?{_CONSERVATIVE}\b",
            r"\b(?:conservative|non-?operative|non-?surgical) (?:care|treatment|management|therapy|measures"
            r"|modalities) (?:has |have |had )?(?:failed|been unsuccessful|was unsuccessful)\b",
            rf"\b(?:refractory|unresponsive|not responded|not responding|failure to respond|failed to respond"
            rf"|did not respond) to (?:\w+ ){{0,3}}?{_CONSERVATIVE}\b",
            rf"\b(?:persist\w*|continue[sd]?|ongoing|no (?:significant )?improvement) despite (?:\w+"
            rf" ){{0,4}}?{_CONSERVATIVE}\b",
            rf"\bdespite (?:\w+ ){{0,4}}?{_CONSERVATIVE}\b[^;.]{{0,80}}?\b(?:pain|symptoms|complaints|she|he"
            rf"|the patient) (?:\w+ ){{0,2}}?(?:persist\w*|continu\w*|remain\w*|still|has not improved"
            rf"|is unchanged|not improved|worsen\w*)\b",
            r"\b(?:trials? of|tried) (?:\w+ ){0,3}?(?:have |has )?(?:failed|been unsuccessful)\b",
            r"\bwhich (?:gave|provided) no (?:significant )?relief\b",
        )),
    _Spec("conservative_care_failed",
        _alt(
            rf"\b{_CONSERVATIVE} (?:\w+ ){{0,3}}?(?:did not|has not|have not|had not|does not) (?:help"
            rf"|improve"
            rf"|work|provide (?:any |significant )?(?:relief|benefit|improvement))\w*",
            rf"\b{_CONSERVATIVE} (?:\w+ ){{0,4}}?without (?:any |significant |lasting )?(?:improvement|relief"
            rf"|benefit)\b",
            r"\bno (?:significant )?changes? in (?:\w+ ){0,2}?(?:complaints|symptoms|level of function\w*)\b",
            r"\b(?:symptoms|complaints|pain) (?:\w+ ){0,2}?(?:unchanged|persist\w*|not improved)\b",
        ),
        ignore=_NO_NEG),
    _Spec("conservative_care_failed",
        _alt(
            rf"\bimprov(?:ing|ed|ement|es) (?:\w+ ){{0,3}}?(?:with|from|after|since) (?:the |his "
            rf"|her )?(?:\w+ )?"
            rf"{_CONSERVATIVE}\b",
            rf"\b{_CONSERVATIVE} (?:has |have |had |is |was )?(?:been )?(?:helped|helping|helpful|beneficial"
            rf"|effective|improved|decreased|reduced|relieved)\b",
            rf"\b{_CONSERVATIVE} (?:\w+ ){{0,4}}?(?:decreased|reduced|lowered) (?:\w+ ){{0,2}}?pain\b",
        ),
        polarity=-1, ignore=_NO_NEG),
    _Spec("first_line_failed",
        _alt(
            rf"\bfail(?:ed|ure of|ing)? (?:a |an |all |any |prior |previous |multiple "
            rf"|adequate )*(?:trials? of |courses? of )?{_FIRST_LINE}\b",
            rf"\b{_FIRST_LINE} (?:\w+ ){{0,3}}?(?:was |were |had been |has been |have been )?(?:ineffective"
            rf"|not effective|unsuccessful|not tolerated|poorly tolerated|discontinued|stopped|failed"
            rf"|without (?:benefit|relief|improvement)|did not (?:help|work))\b",
            rf"\b(?:unable|not able) to tolerate (?:\w+ ){{0,2}}?(?:oral medications?|{_FIRST_LINE})\b",
            rf"\b(?:intoleran\w*|allerg\w*|contraindicat\w*) (?:to |of |for )?(?:\w+ ){{0,2}}?"
            rf"{_FIRST_LINE}\b",
        )),
    _Spec("home_exercise_program",
        _alt(
            r"\bhome exercises?(?: programs?| regimen| routine)?\b",
            r"\bhep\b",
            r"\bexercises? at home\b",
            r"\bhome[- ]based exercise\w*",
            r"\bself[- ]directed (?:home )?exercise\w*",
            r"\bactive therap(?:y|ies) at home\b",
        )),
    # GI and cardiovascular risk
    _Spec("gi_risk",
        _alt(
            r"\bhistory of (?:\w+ ){0,3}?(?:ulcers?|gi bleed\w*|gastrointestinal bleed\w*|bleeding"
            r"|perforation|gerd|gastritis)\b",
            r"\b(?:peptic|gastric|duodenal|stomach) ulcers?\b",
            r"\bgi bleed\w*",
            r"\bgastrointestinal (?:bleed\w*|hemorrhage|perforation)\b",
            r"\b(?:gi|gastrointestinal) risk(?: factors?)?\b",
            r"\b(?:intermediate|high|increased|elevated) (?:gi |gastrointestinal )risk\b",
        )),
    _Spec("gi_symptoms",
        _alt(
            r"\bdyspepsia\b",
            r"\bheartburn\b",
            r"\breflux\b",
            r"\bgerd\b",
            r"\bgastritis\b",
            r"\bstomach (?:upset|pain|irritation|discomfort|issues|problems|complaints)\b",
            r"\bupset stomach\b",
            r"\b(?:gi|gastrointestinal) (?:upset|symptoms|complaints|issues|problems|distress|discomfort"
            r"|events|side effects|irritation)\b",
            r"\bepigastric (?:pain|discomfort)\b",
            r"\bnausea\b",
        )),
    _Spec("cv_risk",
        r"\b(?:cardiovascular|cardiac|cv) (?:risk(?: factors?)?|disease|events?|history)\b"),
    # exam and imaging
    _Spec("neurologic_deficit",
        _alt(
            r"\b(?:decreased|diminished|reduced|absent|impaired|altered|abnormal|loss of|lost|dull(?:ed)?"
            r"|blunted|depressed) (?:\w+ ){0,2}?(?:sensation|sensory|light touch|pin ?prick|vibration"
            r"|proprioception|reflex(?:es)?|dtrs?|strength|motor (?:strength|power|function)"
            r"|grip(?: strength)?)\b",
            r"\b(?:sensation|sensory exam\w*|reflex(?:es)?|dtrs?|motor strength|motor power|grip strength"
            r"|strength) (?:\w+ ){0,6}?(?:is |was |were |are )?(?:decreased|diminished|reduced|absent"
            r"|impaired|weak|trace|hypoactive|1\+|0/4|1/4|asymmetric)(?!\w)",
            r"\b(?:hypo-?a?esthesia|hyporeflexia|areflexia|paresis|muscle atrophy|atrophy|foot drop"
            r"|drop foot)\b",
            r"\b(?:focal |objective |specific )?neurologic(?:al)? (?:deficits?|abnormalit\w*|dysfunction)\b",
        )),
    _Spec("neurologic_deficit",  # weakness found on examination, not weakness the patient complains of
        _alt(
            r"\b(?:motor|extremity|muscle|focal|objective) weakness\b",
            r"\bweakness (?:of|in) (?:the |his |her |both )?(?:\w+ ){0,2}?(?:extremit\w*|legs?|arms?|hands?"
            r"|foot|feet|ankles?|quadriceps|hip flexors?|dorsiflexion|plantar ?flexion|grip)\b",
        ),
        exam=True),
    _Spec("neurologic_deficit",  # a muscle grade below 5/5: "4+/5", "4 out of 5", "5-/5"
        r"(?<![/\d.])(?:[0-4](?:\.\d)?[+-]?|5-|5 minus) ?(?:/|out of|over) ?5(?![/\d])",
        stems=("/5", "/ 5", "out of 5", "over 5")),
    _Spec("neurologic_deficit",
        _alt(
            r"\b(?:sensation|sensory(?: exam\w*)?|reflex(?:es)?|dtrs?|motor (?:strength|exam\w*|power)"
            r"|strength|neuro(?:logic(?:al)?)?(?: exam\w*)?) (?:\w+ ){0,5}?(?:is |was |were |are )?(?:intact"
            r"|normal|symmetric(?:al)?|within normal limits|2\+|grossly intact)(?!\w)",
            r"\b(?:normal|intact) (?:sensation|reflexes|strength|motor|neurologic\w*)\b",
        ),
        polarity=-1),
    _Spec("neurologic_deficit", r"(?<![/\d.])5 ?(?:/|out of) ?5(?![/\d])",
          stems=("5/5", "5 / 5", "5 out of 5"), polarity=-1),
    _Spec("straight_leg_raise_positive",
        _alt(
            rf"\bpositive (?:seated |supine |bilateral |left |right |sitting )*{_SLR}\b",
            rf"\b{_SLR} (?:\w+ ){{0,4}}?(?:is |was |were |are )?positive\b",
            rf"\b{_SLR} ?\(?\+",
        ),
        ignore=_NO_NEG),
    _Spec("straight_leg_raise_positive", rf"\+ ?{_SLR}\b", stems=("+",), ignore=_NO_NEG),
    _Spec("straight_leg_raise_positive",
        _alt(
            rf"\bnegative (?:seated |supine |bilateral |left |right |sitting )*{_SLR}\b",
            rf"\b{_SLR} (?:\w+ ){{0,4}}?(?:is |was |were |are )?negative\b",
        ),
        polarity=-1, ignore=_NO_NEG),
    _Spec("trigger_points",
        _alt(
            r"\btrigger points?\b(?! injections?)",
            r"\btwitch response\b",
            r"\btaut bands?\b",
        )),
    _Spec("joint_instability",
        _alt(
            r"\binstability\b",
            r"\bunstable\b",
            r"\blaxity\b",
            r"\bgiv(?:ing|es) way\b",
            r"\bbuckling\b",
            r"\blocking\b(?! (?:his|her|their|the|a|an|up|in|on|out)\b)",
            r"\bcatching\b(?! (?:his|her|their|the|a|an|up|on|onto|herself|himself|themselves)\b)",
            r"\bmechanical symptoms\b",
            r"\bpositive (?:\w+ ){0,2}?(?:lachman|drawer|mcmurray|apprehension|pivot shift|varus|valgus)\w*",
        )),
    _Spec("radiculopathy_on_exam",
        _alt(
            r"\b(?:clinical|objective|exam\w*|physical exam\w*|neurologic\w*) (?:\w+ ){0,3}?(?:evidence|signs"
            r"|findings|exam\w*) (?:of |for |consistent with )?(?:\w+ ){0,2}?radicul\w*",
            r"\bradiculopathy (?:is |was )?(?:clinically )?(?:obvious|evident|documented|confirmed"
            r"|corroborated)\b",
            r"\bradiographically confirmed radiculopathy\b",
            r"\bdermatomal (?:distribution|pattern|sensory|numbness|loss|deficits?|changes?)\b",
            r"\b(?:decreased|diminished|reduced|altered|loss of|absent"
            r"|impaired) sensation (?:\w+ ){0,6}?(?:l[1-5]|s[12]|c[2-8])\b",
            r"\b(?:l[1-5]|s1|c[5-8]) dermatom\w*",
        )),
    _Spec("imaging_corroborates",
        _alt(
            r"\bradiographically confirmed\b",
            r"\belectro-?\s*diagnostic(?:ally)? (?:confirmed|evidence)\b",
            r"\bobjective evidence of the (?:pathophysiology|pathology)\b",
        )),
    _Spec("imaging_corroborates",
        _alt(
            rf"\b(?:normal|unremarkable|negative) (?:\w+ ){{0,3}}?{_IMG}\b",
            rf"\b{_IMG} (?:\w+ ){{0,8}}?(?:was |were |is |are )?(?:noted (?:as |to be )?)?(?:normal"
            rf"|unremarkable|negative|within normal limits)\b",
            r"\b(?:revealed|showed|reveals|shows) (?:an? )?(?:\w+ )?unremarkable\b",
        ),
        polarity=-1),
    _Spec("physiologic_evidence",
        r"\b(?:unequivocal|objective|physiologic\w*) (?:\w+ ){0,2}?(?:evidence|findings|signs) (?:of "
        r"|for )?(?:\w+ ){0,3}?(?:nerve|neurologic\w*|tissue insult|pathophysiology|radiculopathy|compromise"
        r"|dysfunction)\b"),
    _Spec("surgical_candidate",
        _alt(
            r"\bsurgical candidate\b",
            rf"\bcandidate for (?:\w+ ){{0,2}}?{_SURGERY}\b",
            rf"\b(?:consider\w*|contemplat\w*|willing\w* to (?:consider|undergo|have)"
            rf"|wish(?:es)? to (?:proceed|pursue|have)|interested in|pursu\w*|proceed with"
            rf"|elect\w* to (?:have|undergo)) (?:\w+ ){{0,3}}?{_SURGERY}\b",
            rf"\b{_SURGERY} (?:\w+ ){{0,2}}?(?:is |was |has been |were )?(?:recommended|planned|scheduled"
            rf"|indicated|offered|discussed|proposed)\b",
            rf"\b(?:recommended|planned|scheduled|proposed) (?:\w+ ){{0,3}}?{_SURGERY}\b",
            rf"\btreatment plan (?:\w+ ){{0,2}}?(?:included|includes) (?:a |an )?(?:\w+ ){{0,3}}?"
            rf"{_SURGERY}\b",
        ),
        ignore=_NO_HYP),
    _Spec("homebound",
        _alt(
            r"\bhome ?bound\b",
            r"\bhome-bound\b",
            r"\bconfined to (?:the |his |her )?(?:home|house|bed)\b",
            r"\bbed ?bound\b",
            r"\bbed-bound\b",
            r"\bbed-?ridden\b",
            r"\bunable to leave (?:the |his |her )?(?:home|house)\b",
        )),
    _Spec("medical_treatment_at_home",
        r"\b(?:skilled nursing|wound care|dressing changes?|intravenous|iv (?:therapy|antibiotics|infusion)"
        r"|home infusions?|catheter care|ostomy care|home (?:physical|occupational) therapy"
        r"|medication administration|injections? at home)\b"),
    _Spec("medical_treatment_at_home",
        r"\b(?:only|solely|primarily|mainly) (?:for |with )?(?:homemaker|housekeeping|personal care|custodial"
        r"|chores|domestic)\w*",
        polarity=-1),
    _Spec("psych_evaluation_done",
        r"\b(?:psych(?:ological|iatric)?|behavioral|mental health|neuropsych\w*) (?:\w+ )?(?:evaluations?"
        r"|assessments?|consultations?|testing|screening|clearance|evals?)\b"),
    _Spec("trial_successful",
        _alt(
            r"\bsuccessful (?:\w+ ){0,3}?trial\b",
            r"\btrial (?:\w+ ){0,4}?(?:was |were )?(?:successful|effective|beneficial|helpful)\b",
            r"\btrial (?:\w+ ){0,6}?(?:provided|gave|resulted in) (?:\d+ ?(?:%|percent) |significant |good "
            r"|excellent )(?:\w+ )?(?:relief|improvement|benefit|reduction)\b",
            r"\btried (?:this|the) (?:medication|device|unit) and (?:was|is) (?:happy|satisfied|pleased)\b",
        )),
    _Spec("trial_successful",
        _alt(
            r"\b(?:failed|unsuccessful) (?:\w+ ){0,3}?trial\b",
            r"\btrial (?:\w+ ){0,4}?(?:was |were )?(?:unsuccessful|ineffective|failed)\b",
        ),
        polarity=-1),
    _Spec("adjunct_to_functional_restoration",
        r"\b(?:adjunct|in conjunction|in combination|along|together|concurrent\w*) (?:to|with) (?:a |an |the "
        r"|his |her )?(?:\w+ ){0,3}?(?:functional restoration|physical therapy|exercises?|home exercise"
        r"|active therap\w*|rehabilitation|hep|work hardening|conditioning)\b",
        ignore=_NO_HYP),
    _Spec("motivation_to_change",
        _alt(
            r"\b(?:highly |very |well |strongly )?motivated\b",
            r"\bmotivation\b",
            r"\bwilling(?:ness)? to (?:participate|change|engage|comply|work)\b",
        )),
    _Spec("motivation_to_change",
        _alt(
            r"\bunmotivated\b",
            r"\bpoor motivation\b",
            r"\black of motivation\b",
        ),
        polarity=-1),
    # work
    _Spec("returned_to_work",
        _alt(
            r"\breturned to (?:work|(?:his |her )?(?:usual|regular|full|modified|light)(?: job)? (?:work|duty"
            r"|duties))\b",
            r"\breturned to (?:regular|full|usual) (?:job )?dut(?:y|ies)\b",
            r"\b(?:he|she|patient|worker|claimant|applicant|employee|iw) (?:is |was |has been |remains "
            r"|had been )?(?:currently |now |still )?(?:working|employed)\b",
            r"\bcurrently working\b",
            r"\bworking (?:full[- ]time|part[- ]time|full dut(?:y|ies)|regular dut(?:y|ies)|modified dut(?:y"
            r"|ies)|light dut(?:y|ies)|with (?:modified |light )?(?:restrictions|duties))\b",
            r"\bback to work\b",
            r"\bwork status (?:is |was )?(?:return to work|modified|regular|full)\b",
            r"\b(?:modified|light) duty (?:is |was )?(?:being )?accommodated\b",
        )),
    _Spec("returned_to_work",
        _alt(
            r"\boff (?:of )?work\b",
            r"\b(?:temporar(?:il)?y )?total(?:ly)? (?:temporary )?disab(?:led|ility)\b",
            r"\bttd\b",
            r"\bnot (?:currently )?working\b",
            r"\bunable to work\b",
            r"\bhas not returned to work\b",
        ),
        polarity=-1, ignore=_NO_NEG),
    # facts the rule authors added (imaging, EDX, surgery, DME, injections, programs)
    _Spec("entrapment_signs",
        _alt(
            r"\b(?:numbness|tingling|paresthesias?|decreased sensation) (?:\w+ ){0,4}?(?:(?:radial|ulnar"
            r"|first"
            r"|second|third|fourth|fifth|1st|2nd|3rd|4th|5th) (?:\w+ )?(?:digits?|fingers?)|digits (?:1|2|one"
            r"|two)|both hands|bilateral hands|(?:median|ulnar) (?:nerve )?distribution)\b",
            r"\bpositive (?:\w+ ){0,2}?(?:tinel|phalen|durkan|median nerve compression"
            r"|carpal compression)\w*",
            r"\b(?:tinel|phalen|durkan)(?:'s|s)? (?:\w+ ){0,3}?(?:sign |test )?(?:is |was |were "
            r"|are )?positive\b",
            r"\b(?:thenar|hypothenar) (?:atrophy|wasting|weakness)\b",
            # numbness or tingling of the hands or fingers, digits named or not
            rf"\b{_PARESTHESIA} (?:\w+ ){{0,6}}?(?:in|of|to|involving|into|about|over|on) (?:the |both "
            rf"|his |her "
            rf"|their )?(?:right |left |bilateral |both |\w+ (?:and|through|to) )?(?:\w+ )?(?:hands?|fingers?"
            rf"|digits?|thumbs?|fingertips?)\b",
            rf"\b(?:hand|finger|digit|thumb|fingertip)s? {_PARESTHESIA}",
            rf"\b{_PARESTHESIA} (?:\w+ ){{0,6}}?(?:(?:ulnar|median|radial) (?:side|aspect|wrist|hand|fingers?"
            rf"|digits?|distribution)|(?:first|second|third|fourth|fifth|1st|2nd|3rd|4th"
            rf"|5th) (?:\w+ ){{0,3}}?"
            rf"(?:digits?|fingers?))\b",
            r"\b(?:decreased|diminished|reduced|altered|impaired|loss of) (?:sensation|sensory|light touch"
            r"|pin ?prick|two[- ]point discrimination) (?:\w+ ){0,3}?(?:(?:ulnar|median) (?:\w+ )?(?:fingers?"
            r"|digits?|side|aspect|nerve|distribution)|(?:first|second|third|fourth|fifth|1st|2nd|3rd"
            r"|4th|5th) "
            r"(?:\w+ ){0,3}?(?:digits?|fingers?))\b",
            r"\b(?:sensation|sensory) (?:is |was )?(?:decreased|diminished|reduced) (?:\w+ ){0,3}?(?:ulnar"
            r"|median) (?:\w+ )?(?:fingers?|digits?|side|aspect|distribution)\b",
            # nocturnal paresthesias
            rf"\b(?:nocturnal|night(?:time)?|nightly) {_PARESTHESIA}",
            rf"\b{_PARESTHESIA} (?:\w+ ){{0,5}}?(?:at night|during the night|nocturnal\w*|wak(?:es|ing|e) "
            rf"(?:him|her|them|the patient) (?:up)?)",
            r"\b(?:hands?|fingers?) (?:\w+ ){0,2}?(?:go(?:es)?|went|falls?|fell) (?:numb|asleep)\b",
        )),
    _Spec("entrapment_signs",
        _alt(
            r"\bnegative (?:\w+ ){0,2}?(?:tinel|phalen|durkan)\w*",
            r"\b(?:tinel|phalen|durkan)(?:'s|s)? (?:\w+ ){0,3}?(?:sign |test )?(?:is |was |were "
            r"|are )?negative\b",
        ),
        polarity=-1, ignore=_NO_NEG),
    _Spec("radiographs_nondiagnostic",
        _alt(
            r"\b(?:x-?rays?|radiographs?|films?|plain films?) (?:\w+ ){0,5}?(?:were |was |are |is )?(?:normal"
            r"|negative|unremarkable|non-?diagnostic|within normal limits)\b",
            r"\bno (?:acute )?fractures? (?:\w+ )?(?:on|in) (?:the )?(?:x-?rays?|radiographs?|films?)\b",
            r"\b(?:x-?rays?|radiographs?|films?) (?:\w+ ){0,5}?(?:showed|revealed"
            r"|demonstrated) no (?:acute )?"
            r"(?:fractures?|abnormalit\w*|osseous)\b",
        )),
    _Spec("radiographs_nondiagnostic",
        r"\b(?:x-?rays?|radiographs?|films?) (?:\w+ ){0,5}?(?:showed|revealed|demonstrated|show"
        r"|reveal) (?:\w+ )"
        r"{0,4}?(?:fractures?|calcific\w*|arthritis|arthritic|osteoarthritis|degenerative|dislocation)\b",
        polarity=-1, ignore=_NO_NEG),
    _Spec("full_thickness_tear",
        _alt(
            r"(?<!nearly[ ])(?<!almost[ ])\bfull[- ]thickness (?:\w+ ){0,3}?tears?\b",
            r"\b(?:complete|retracted|massive) (?:\w+ ){0,3}?tears?\b",
        ), ignore=_NO_NEG),
    _Spec("full_thickness_tear",
        _alt(
            r"\bpartial[- ]thickness\b",
            r"\b(?:nearly|almost) full[- ]thickness\b",
            r"\bhigh[- ]grade partial\b",
            r"\binterstitial tear\b",
        ),
        polarity=-1, ignore=_NO_NEG),
    _Spec("invasive_procedure_planned",
        _alt(
            r"\b(?:injections?|blocks?|surgery|surgical intervention|epidural) (?:is |was "
            r"|has been )?(?:being )?"
            r"(?:contemplated|planned|scheduled)\b",
            r"\b(?:prior to|before|in preparation for) (?:a |an |the |possible "
            r"|planned )?(?:\w+ )?(?:injections?"
            r"|blocks?|surgery|surgical (?:intervention|planning)|epidural)\b",
            r"\bfor (?:surgical|pre-?operative|procedural) planning\b",
        ),
        ignore=_NO_HYP),
    _Spec("invasive_procedure_planned",
        r"\b(?:declines?|declined|refuses?|refused|not interested in) (?:any )?(?:further )?(?:injections?"
        r"|surgery"
        r"|surgical)\b",
        polarity=-1),
    _Spec("already_authorized",
        _alt(
            r"\b(?:previously|already) (?:been )?(?:approved|authorized|certified)\b",
            r"\bduplicate (?:request|authorization)\b",
        )),
    _Spec("at_or_near_mmi",
        _alt(
            r"\bpermanent and stationary\b",
            r"\bp&s\b",
            r"\bmmi\b",
            r"\bmaximal? medical improvement\b",
        )),
    _Spec("return_to_work_failed",
        r"\b(?:unsuccessful|failed) (?:\w+ ){0,2}?(?:return[- ]to[- ]work|attempts? to return to work)\b"),
    _Spec("facet_signs",
        _alt(
            r"\b(?:facet|paraspinal facet) (?:joint )?tenderness\b",
            r"\btenderness (?:\w+ ){0,3}?facet\w*",
            r"\bpositive (?:\w+ ){0,2}?facet (?:loading|load)\w*",
            r"\bfacet (?:loading|load) (?:\w+ )?(?:is |was )?positive\b",
            r"\bpain (?:with|on) (?:\w+ )?extension (?:and|with) rotation\b",
        ), ignore=_NO_NEG),
    _Spec("facet_signs",
        r"\bfacet (?:loading|load)\w* (?:\w+ )?(?:is |was |were )?negative\b|\bnegative facet (?:loading"
        r"|load)\w*",
        polarity=-1, ignore=_NO_NEG),
    _Spec("sacroiliac_signs",
        _alt(
            r"\bpositive (?:\w+ ){0,3}?(?:faber|patrick|gaenslen|thigh thrust|si (?:joint )?(?:compression"
            r"|distraction)"
            r"|sacroiliac (?:joint )?(?:compression|distraction|provocation))\w*",
            r"\b(?:faber|patrick|gaenslen)(?:'s|s)? (?:\w+ ){0,2}?(?:test |sign |maneuver )?(?:is |was "
            r"|were )?positive\b",
            r"\btenderness (?:\w+ ){0,2}?(?:sacral sulcus|si joints?|sacroiliac joints?)\b",
        ), ignore=_NO_NEG),
    _Spec("sacroiliac_signs",
        r"\bnegative (?:\w+ ){0,2}?(?:si joint|sacroiliac|faber|patrick|gaenslen)\w*",
        polarity=-1, ignore=_NO_NEG),
    _Spec("documented_deficiency",
        r"\b(?:(?:vitamin d|vitamin b12|b12|folate|iron|vitamin) (?:deficiency|insufficiency)"
        r"|low (?:vitamin d|b12"
        r"|vitamin)(?: levels?)?)\b"),
    _Spec("documented_deficiency",
        r"\b(?:vitamin d|b12|vitamin) levels? (?:\w+ )?(?:was |is |were )?(?:normal|within normal limits)\b",
        polarity=-1),
    _Spec("impaired_ambulation",
        _alt(
            r"\bnon-?weight[- ]?bearing\b",
            r"\bunable to (?:walk|ambulate|bear weight)\b",
            r"\b(?:antalgic|unsteady|shuffling) gait\b",
            r"\bambulates? (?:\w+ )?with (?:a |an )?(?:cane|walker|crutches|assist\w*)\b",
            r"\b(?:difficulty|trouble) (?:walking|ambulating)\b",
        )),
    _Spec("impaired_ambulation",
        r"\b(?:ambulates? independently|normal gait|gait (?:is |was )?normal)\b",
        polarity=-1, ignore=_NO_NEG),
    _Spec("active_rehabilitation",
        _alt(
            r"\b(?:currently|is|was) (?:\w+ )?(?:in|undergoing|attending|participating in|doing) (?:\w+ )?"
            r"(?:physical therapy|occupational therapy|pt|rehabilitation|therapy sessions|home exercises?)\b",
            r"\b(?:continues?|continuing|performs?|performing|doing) (?:with |his |her |a "
            r"|the )?(?:home exercises?"
            r"|hep|home exercise program|physical therapy)\b",
            r"\b(?:physical therapy|pt|occupational therapy) (?:was |has been |is )(?:authorized|certified"
            r"|approved"
            r"|ongoing)\b",
        ), ignore=_NO_HYP),
    _Spec("active_rehabilitation",
        r"\b(?:has not|had not|did not|have not) (?:yet )?(?:started|begun|attended"
        r"|participated in) (?:\w+ )?"
        r"(?:physical therapy|therapy|pt|rehabilitation)\b",
        polarity=-1, ignore=_NO_NEG),
    _Spec("work_modification",
        _alt(
            r"\bto (?:help|allow|enable) (?:him|her|the patient|the worker) (?:to )?(?:continue|stay at"
            r"|return to)"
            r" (?:working|work)\b",
            r"\b(?:ergonomic|modified) (?:workstation|work station|desk|chair|duty)\b",
            r"\b(?:workstation|work station) (?:modification|evaluation|assessment)\b",
        ), ignore=_NO_HYP),
    _Spec("functional_deficits",
        _alt(
            r"\b(?:requires?|required|needs?|needed) (?:\w+ )?(?:assistance|help) (?:\w+ ){0,2}?"
            r"(?:with |for )(?:all |most |some |his |her |the )?(?:transfers|bathing|dressing|toileting|adls"
            r"|activities of daily living|self-?care|ambulation)\b",
            r"\b(?:requires|required|needs|needed) (?:\w+ ){1,3}?to (?:assist|help) (?:him |her )?"
            r"(?:to |with )?(?:transfers?|ambulate|walk|stand|bathe|dress|toilet)\b",
            r"\bunable to (?:perform|do|complete) (?:\w+ )?(?:adls|activities of daily living|self-?care)\b",
            r"\bdependent (?:for|in|with) (?:\w+ )?(?:adls|activities of daily living|self-?care"
            r"|transfers)\b",
        )),
    _Spec("functional_deficits",
        r"\bindependent (?:in|with) (?:\w+ )?(?:adls|activities of daily living|self-?care)\b",
        polarity=-1, ignore=_NO_NEG),
    _Spec("treatment_goals",
        _alt(
            r"\b(?:functional |treatment |therapy )?goals? (?:\w+ ){0,2}?(?:include|included|are|were|is"
            r"|of)\b",
            r"\bgoals?:",
        ), ignore=_NO_HYP),
    _Spec("severe_acute_injury",
        _alt(
            r"\bfractur(?:e|es|ed)\b(?! (?:boot|brace|walker|shoe)s?\b)",
            r"\bbroke (?:his |her )?(?:\w+ )?\w+\b",
            r"\bcrush (?:injury|injuries)\b",
            r"\bburns?\b(?! (?:sensation|pain|feeling))",
            r"\bmultiple (?:trauma|injuries)\b",
            r"\bpolytrauma\b",
        )),
    _Spec("extensive_surgery",
        _alt(
            r"\bfusion\b",
            r"\barthroplast\w*",
            r"\b(?:joint|knee|hip|shoulder) replacement\b",
            r"\borif\b",
            r"\bopen reduction\b",
            r"\blaminectom\w*",
        ), ignore=_NO_HYP),
    _Spec("oral_route_contraindicated",
        _alt(
            r"\b(?:unable|not able|difficulty) (?:to )?(?:swallow\w*|tolerate oral)\b",
            r"\bdysphagia\b",
            r"\bcannot tolerate oral\b",
            r"\b(?:gi|gastrointestinal|stomach) (?:upset|intolerance|side effects) (?:\w+ ){0,2}?(?:oral )?"
            r"(?:nsaids?|anti-?inflammator\w*|medications?)\b",
        )),
    _Spec("oral_route_contraindicated",
        r"\btolerat(?:es|ing) (?:\w+ )?oral (?:medications?|nsaids?)\b",
        polarity=-1),
    _Spec("medication_reduced_or_not_tolerated",
        _alt(
            r"\b(?:decreased|reduced|reduction in|decrease in|lower(?:ed)?) (?:\w+ ){0,2}?(?:medications?"
            r"|meds"
            r"|medication use|opioids?|narcotics?)\b",
            r"\b(?:able to|was able to) (?:wean|stop|discontinue|taper)\b",
            r"\b(?:unable|not able) to tolerate (?:\w+ ){0,2}?(?:medications?|nsaids?|opioids?)\b",
            r"\b(?:gi|gastrointestinal|stomach) upset (?:\w+ ){0,2}?(?:nsaids?|medications?)\b",
        )),
    _Spec("medication_reduced_or_not_tolerated",
        r"\b(?:no change in (?:\w+ )?medications?|tolerating (?:\w+ )?medications? well)\b",
        polarity=-1, ignore=_NO_NEG),
    # red flags and chronic pain (besides the diagnoses that imply them)
    _Spec("red_flags",
        r"\bred[- ]?flags?\b"),
    _Spec("chronic_pain",
        _alt(
            r"\bchronic (?:\w+ ){0,3}?pain\b",
            r"\bchronic pain syndrome\b",
            r"\bpain (?:has )?persist\w* (?:for|beyond|over) (?:\w+ ){0,2}?(?:months|years)\b",
        ),
        ignore=frozenset({Ctx.not_documented})),
]

# How the mentions of a tristate fact combine: "positive" (documented anywhere wins), "negative"
# (documented_false anywhere wins), "last" (the last explicit statement wins).
_POLICY: dict[str, str] = {
    "functional_improvement": "last", "pain_relief": "last", "prior_response": "last",
    "returned_to_work": "last",
    "uds_consistent": "negative", "trial_successful": "last", "motivation_to_change": "last",
}
# Outcome facts belong to the treatment the sentence names; others hold for the whole case.
_OUTCOME_FACTS = frozenset({"functional_improvement", "pain_relief", "adverse_effects"})

# ---- concepts read by dedicated code (numbers, dates, items)
_NUM = (r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of"
        r"|couple of|a few|few|several|multiple|many|numerous)")
_UNIT = r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?)"
_DATE_AHEAD = r"(?=\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_EXCEEDS = "more than |over |greater than |longer than |beyond |> "
_PATTERNS: dict[str, str] = {
    "age": _alt(
        r"\b(?P<a>\d{1,3}) ?-?(?:years?|yrs?)[- ]?old\b",
        r"\b(?P<b>\d{1,3}) ?y/?o\b",
        r"\baged? (?:of )?(?P<c>\d{1,3})\b",
    ),
    "sex": r"\b(?:male|man|gentleman|mr|boy|female|woman|lady|mrs|ms|girl)\b",
    "he": r"\b(?:he|his|him)\b",
    "she": r"\b(?:she|her|hers)\b",
    "injury": r"\b(?:(?:sustained|suffered|had|reported|incurred) (?:an? )?(?:industrial|work[- ]related"
              r"|occupational|work|on[- ]the[- ]job) (?:injury|injuries|accident)"
              r"|date of (?:industrial )?injury|doi|injury date|industrial injury(?: date)?"
              r"|occupational (?:claim|injury)|injured (?:at work )?on|date of loss|injury (?:of|on"
              r"|dated))\b",
    "pain_score": _alt(
        r"(?<![\d/.])(?P<a>\d{1,2}(?:\.\d)?)(?: ?(?:-|to) ?(?P<b>\d{1,2}(?:\.\d)?))? ?(?:/ ?10\b"
        r"|out of (?:a )?10\b|over 10\b|on a (?:scale of )?(?:0 ?- ?10|1 ?- ?10|10)(?:-| )?point)",
        r"\brat(?:ed|es|ing) (?:(?:his|her|the) pain )?(?:at "
        r"|as )?(?:an? )?(?P<c>\d{1,2}(?:\.\d)?)(?!\.\d|\d)(?! ?(?:degrees|%|percent|mg|/|out|over|-|to\b"
        r"|on a))",
    ),
    "pain_label": _alt(
        r"\b(?:pain|vas|rated|rates|rating|severity|level|levels|intensity|score|currently|current|worst|ache"
        r"|aching|discomfort)\b",
        r"\b(?P<other>sleep|mood|work|enjoyment|concentrat\w*|activit\w*|function\w*|anxiety|depression"
        r"|strength|motor|grip|relations\w*|walking|life|stress)\b",
    ),
    "at_best": r" *(?:at (?:its |the )?best|at (?:the )?least|at minimum)",
    "relief_pct": _alt(
        r"(?<![\d.])(?P<a>\d{1,3})(?: ?(?:-|to) ?(?P<b>\d{1,3}))? ?(?:%|percent) (?:\w+ ){0,2}?(?:relief"
        r"|reduction|improvement|decrease|better|benefit|improved|less pain)\b(?! (?:in|of) (?:\w+ )?(?:range"
        r"|motion|rom|strength|flexion|extension|sensation|grip|weight))",
        r"\b(?:relief|reduction|improvement|decrease|reduced|decreased|improved|reducing|decreasing|lowered"
        r"|lessened)(?: in| of)?(?: (?:his|her|the|their|overall|average))?(?: pain| symptoms)?(?: levels?"
        r"| scores?)? (?:by|of) (?:about |approximately |around |over |at least )?(?P<c>\d{1,3})(?: ?(?:-"
        r"|to) ?(?P<d>\d{1,3}))? ?(?:%|percent)",
    ),
    "from_to": r"\bfrom (?:an? )?(?P<a>\d{1,2}(?:\.\d)?) ?(?:/ ?10"
               r"|out of 10)? to (?:an? )?(?P<b>\d{1,2}(?:\.\d)?) ?(?:/ ?10\b|out of 10\b)",
    "with_without": _alt(
        r"(?P<a>\d{1,2}(?:\.\d)?) ?(?:/ ?10|out of 10) (?P<w>with|without)\b",
        r"\b(?P<w2>with|without) (?:\w+ ){0,3}?(?:(?:pain|it) (?:is |was |as )?)?(?:rated "
        r"|at )?(?P<b>\d{1,2}(?:\.\d)?) ?(?:/ ?10|out of 10)",
    ),
    "injection": r"\b(?:injections?|epidurals?|esis?|blocks?|facet|medial branch|radiofrequency|ablation"
                 r"|rhizotomy|trigger point)\b",
    "no_relief": r"\bno (?:significant |meaningful |real |lasting |appreciable )?(?:pain )?relief\b",
    "lasting": rf"\b(?:lasting|lasted|for|over) (?:about |approximately |at least |nearly "
               rf"|almost )?(?P<n>{_NUM})[- ](?P<u>days?|weeks?|months?)\b",
    "cc_weeks": _alt(
        rf"\b(?P<n>{_NUM})[- ](?P<u>weeks?|months?) (?:of|on) (?:\w+ ){{0,2}}?(?:conservative"
        rf"|physical therap\w*|pt|chiropractic|acupuncture)\b",
        rf"\b(?:conservative|physical therap\w*|chiropractic\w*|acupuncture|home exercises?|activity"
        rf" modifications?|{_CC_MEDS}) (?:\w+ ){{0,4}}?for (?:the (?:past|last) |approximately |about )?"
        rf"(?P<n2>{_NUM}) (?P<u2>weeks?|months?)\b",
    ),
    "frequency": r"\b\d ?(?:x|times) (?:a |per )?(?:week|wk)|\b\d ?x ?\d\b|/week\b",
    "dur_for": rf"\b(?:for|over|during) (?:the )?(?:past |last |previous |prior )?(?P<q>more than |over "
               rf"|greater than |longer than |at least |approximately |about |around |nearly |almost "
               rf"|roughly )?(?P<n>{_NUM} )?(?P<u>{_UNIT})\b",
    "dur_of": rf"\b(?P<q>more than |over |greater than |at least |approximately |about |around |nearly "
              rf"|almost )?(?P<n>{_NUM})[- ](?P<u>{_UNIT}) (?:of|on) (?:\w+ ){{0,2}}?(?:use|usage|treatment"
              rf"|therapy|taking|being on|prescriptions?)\b",
    "dur_gt": rf"\b(?:(?:much |far |significantly |well )?(?:longer|more) than|beyond|exceed(?:s|ed"
              rf"|ing)?) (?:the )?(?:\w+ )?(?:\w+ )?(?P<n>\d+)(?: ?(?:-"
              rf"|to) ?(?P<n2>\d+))?[- ](?P<u>{_UNIT})\b",
    "dur_since": rf"\bsince (?:at least |about |approximately |around |early |late |mid-?)?{_DATE_AHEAD}",
    "dur_start": rf"\b(?:started|began|begun|initiated|commenced|first (?:prescribed|started|given)"
                 rf"|start(?:ed)? on) (?:\w+ ){{0,4}}?(?:on|in) {_DATE_AHEAD}",
    "dur_long": _alt(
        r"\bchronically\b",
        r"\b(?:on|for) an? (?:chronic|long[- ]term|prolonged|regular|ongoing|continuous|daily) basis\b",
        r"\b(?:chronic|long[- ]term|prolonged|ongoing|continued|continuous|extended) (?:use|usage|treatment"
        r"|therapy|administration)\b",
        r"\buse (?:had|has) been chronic\b",
        r"\bfor (?:a )?long (?:time|period)\b",
        r"\bfor some time\b",
    ),
    "dur_refill": r"\bran out of\b|\brunning out of\b|\brefill(?:s|ed|ing)?\b|\brenew(?:al|ed|s)?\b",
    "past_use": _alt(
        r"\b(?:has|had|have) (?:been )?(?:\w+ )?(?:taking|using|on|used|taken|prescribed|treated"
        r"|receiving)\b",
        r"\b(?:was|were) (?:taking|using|on)\b",
        r"\bbeen (?:on|taking|using)\b",
        r"\btaken\b",
        r"\bused\b",
        r"\busing\b",
        r"\btaking\b",
        r"\buse\b",
        r"\btreatment with\b",
        r"\bchronic\w*",
        r"\blong[- ]term\b",
        r"\bprior\b",
        r"\bprevious\w*",
        r"\bcontinu\w*",
        r"\bongoing\b",
        r"\bhistory\b",
    ),
    "continuing": _alt(
        r"\brefill\w*",
        r"\brenew\w*",
        r"\bcontinu(?:e|ed|es|ing|ation)\b",
        r"\bongoing\b",
        r"\bcurrent(?:ly)?\b(?! (?:request|requests|rfa|treatment request|requested)\b)",
        r"\b(?:medications?|meds) (?:include|included|includes|consist\w*|were|are|list|regimen)\b",
        r"\bmedication (?:list|regimen|history)\b",
        r"\b(?:has|had|have) been (?:\w+ )?(?:taking|using|on|prescribed|treated|receiving|attending)\b",
        r"\b(?:is|was|were|are|remains?|still) (?:currently |still |now )?(?:taking|using|on(?! \d)|receiving"
        r"|attending|undergoing)\b",
        r"\bran out\b",
        r"\brunning out\b",
        r"\b(?:additional|further|extended|extension of|repeat|another|second"
        r"|continued) (?:\w+ ){0,2}?(?:sessions?|visits?|treatments?|therapy|supply|course|refills?"
        r"|prescriptions?|injections?|blocks?|acupuncture|chiropractic|physical therapy|pt)\b",
        r"\bhas had\b",
        r"\b(?:completed|attended|received|underwent|undergone|finished|tried)\b(?! (?:on|by|from)\b)",
        r"\bto date\b",
        r"\b(?:prior|previous|past) (?:\w+ )?(?:treatments?|therap\w*|sessions?|visits?|courses?|injections?"
        r"|blocks?|use|trials?)\b",
        r"\bpreviously (?:\w+ )?(?:used|taken|tried|received|had|undergone|attended|completed|prescribed)\b",
        r"\bhistory of\b",
        r"\btaking\b",
        r"\bused\b",
    ),
    "generic_continuing": _alt(
        r"\brefill\w*",
        r"\brenew\w*",
        r"\bcontinu(?:e|ed|es|ing|ation)\b",
        r"\bran out\b",
        r"\brunning out\b",
        r"\bcurrent (?:medication|regimen)\w*",
    ),
    "stopped": r"\bdiscontinu\w*|\bstopped\b|\bno longer (?:taking|using|on)\b|\bweaned off\b|\bceased\b",
    "item_continuing": r"\b(?:additional|continued|continue|continuation|ongoing|further|extension|renewal"
                       r"|renew|refill|repeat)\b",
    "item_refills": _alt(
        r"\bwith (?:\w+ )?\d* ?refills?\b",
        r"\b\d+ refills?\b",
        r"\brefills?:? ?#?\d+\b",
        r"\brefills? x ?\d+\b",
    ),
    "item_trial": r"\btrials?\b|\brent(?:al|ed|ing)?\b",
    "item_purchase": r"\bpurchas\w*|\bbuy\b",
    "item_repeat": r"\brepeat\b|\bfollow-?up (?:mri|ct|x-?rays?|imaging|study)\b",
    "sessions": r"(?<![\d/#.x-])#?(?P<n>\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
                r"|twelve)(?: (?:of|out of) (?P<tot>\d{1,3}))? (?:\w+ ){0,3}?(?:sessions?|visits?|treatments?"
                r"|appointments?)\b",
    "sessions_done": r"\b(?:completed|attended|had|received|underwent|finished|participated|done)\b",
    "benefit": _alt(
        r"\bimprov\w*",
        r"\bbenefit\w*",
        r"\bhelp(?:s|ed|ful|ing)?\b",
        r"\brelief\b",
        r"\bbetter\b",
        r"\beffective\b",
        r"\bprogress\w*",
        r"\bresponded\b",
        r"\bresponding\b",
        r"\bgains?\b",
        r"\bworking (?:very )?well\b",
        r"\bhappy with\b",
        r"\bsatisf\w+",
        r"\b(?:decreased|reduced|lowered) (?:his |her |the )?pain\b",
    ),
    "no_benefit": _alt(
        r"\bineffective\b",
        r"\bunhelpful\b",
        r"\bnot (?:been )?(?:effective|helpful)\b",
        r"\bfailed\b",
        r"\bworse(?:ning|ned)?\b",
        r"\bunsuccessful\b",
    ),
    "done": r"\b(?:revealed|reveals|showed|shows|show|demonstrated|demonstrates|documented|noted|indicated"
            r"|indicates|performed|done|obtained|completed|report|reported|results?|findings|impression"
            r"|confirmed|consistent with|significant for|was (?:normal|unremarkable|negative|positive)"
            r"|were (?:normal|unremarkable)|(?:is|was) (?:present|available|on file))\b",
    "img_result": r"\b(?:revealed|reveals|revealing|reveal|showed|shows|show|demonstrated|demonstrates"
                  r"|documented|noted|indicated|indicates|confirmed|confirms|consistent with|significant for"
                  r"|positive for|evidence of|with)\b",
    "img_finding": rf"\b{_IMG_FINDING}",
    "img_any": rf"\b{_IMG}\b",
    "uds_any": rf"\b{_UDS}\b",
    "prior_surgery": _alt(
        rf"\b(?:status post|s/p|post-?\s*op(?:erative)?(?:ly)?|history of|underwent|undergone|had (?:an? )?"
        rf"|has had|previous|prior|past|following|after) (?:an? |the |his |her |left |right "
        rf"|bilateral )?(?:[\w-]+ ){{0,3}}?{_SURGERY}\b",
        rf"\b{_SURGERY} (?:\w+ ){{0,4}}?(?:was |were )?(?:performed|done|completed) (?:on|in)\b",
        rf"\b(?:treatments?|therapies) (?:[\w-]+ ){{0,6}}?(?:included|includes|consisted of|has been"
        rf"|have been)\b[^;]*?\b{_SURGERY}\b",
        r"\bfailed back (?:surgery )?syndrome\b",
        rf"\b(?:closed reduction|open reduction|pinning|fusion|arthroscopy|repair|release"
        rf"|implant\w*)\b[^;]{{0,60}}?\bon {_DATE_AHEAD}",
    ),
    "cc_tried": _alt(
        r"\b(?:treatments?|therap(?:y|ies)|care|management)(?: to date| thus far| so far)? "
        r"(?:has |have |had )?(?:included|includes|consisted of|consists of)\b"
        r"[^;]*?\b(?:physical therap\w*|pt"
        r"|chiropractic\w*|acupuncture|physiotherap\w*|home exercise\w*|therapy sessions"
        r"|occupational therap\w*|activity modification\w*|modified (?:duty|activit\w*)|rest(?! of)|bracing"
        r"|splint\w*|sling)\b",
        # medication with rest or activity modification is conservative care too
        rf"\b(?:treatments?|therap(?:y|ies)|care|management)(?: to date| thus far| so far)? "
        rf"(?:has |have |had )?(?:included|includes|consisted of|consists of)\b[^;]*?\b{_CC_MEDS}\b",
    ),
    "cc_persists": _alt(
        r"\bpersist(?:s|ed|ent|ing|ence)?\b",
        r"\bcontinu(?:es|ed|ing) to (?:have|complain|report|experience|endorse|suffer)\b",
        r"\bcontinued (?:pain|symptoms|complaints)\b",
        r"\bongoing (?:pain|symptoms|complaints)\b",
        r"\bstill (?:has|had|complain\w*|report\w*|experienc\w*)\b",
        r"\b(?:unchanged|not improved|no improvement|without improvement|worsening|worsened)\b",
    ),
    "uds_bad": _alt(
        r"\binconsistent\b",
        r"\bnon-?compliant\b",
        r"\baberrant\b",
        r"\bunexpected\b",
        r"\bnot consistent\b",
        r"\bpositive for (?:\w+ ){0,3}?(?:non-?prescribed|unprescribed|illicit|marijuana|cannabis|thc|cocaine"
        r"|amphetamines?|methamphetamine|heroin|alcohol)\b",
        r"\bnegative for (?:the |his |her |all )?(?:prescribed|current)\b",
    ),
    "uds_good": _alt(
        r"\bconsistent\b",
        r"\bcompliant\b",
        r"\bappropriate\b",
        r"\bcongruent\b",
        r"\bas expected\b",
        r"\bnegative for (?:any )?(?:illicit|non-?prescribed)\b",
        r"\bpositive (?:only )?for (?:the |his |her )?prescribed\b",
    ),
    "stop_before_drug": r"\b(?:discontinu\w*|stopped|no longer|weaned|failed|tried|trials? of|allerg\w*"
                        r"|intoleran\w*|unable to tolerate|switched from|instead of)\b",
    # roles of sentences
    "ur": _alt(
        r"\butilization review\w*",
        r"\bur\b",
        r"\bclaims administrator\b",
        r"\bprior (?:review|determination)\b",
        r"\bprevious(?:ly)? (?:review\w*|denied|modified|non-?certified|determination)\b",
        r"\bprevious reviewer\b",
        r"\bnon-?certif\w*",
        r"\b(?:was|were|been) (?:previously )?(?:denied|modified)\b",
        r"\b(?:denied|modified) (?:the |a )?requests?\b",
        r"\b(?:denied|modified) (?:due to|because|as)\b",
        r"\bfailed to approve\b",
        r"\boriginal request\b",
        r"\bimr eligible\b",
        r"\bwas authorized by\b",
        r"\bdenials?\b",
    ),
    "conclusion": _alt(
        r"\bmedically (?:un)?necessary\b",
        r"\bmedical necessity\b",
        r"\bnot medically (?:appropriate|indicated)\b",
        r"\b(?:non-?)?certif(?:ied|y|ication)\b",
        r"\b(?:upheld|overturned)\b",
        r"\bthe request(?:ed)? (?:[\w/#.,-]+ ){0,25}?(?:is|was|are|were|has been|will be|cannot be|can not be"
        r"|would be|remains) (?:\w+ ){0,2}?(?:supported|warranted|indicated|recommended|appropriate"
        r"|reasonable|approved|denied|substantiated|justified|established|necessary)\b",
        r"\bthe request for\b[^;]{0,200}?\b(?:is|was)\b",
    ),
    "conclusion_start": r"(?:therefore|thus|hence|as such|accordingly|consequently|in conclusion"
                        r"|given the above|for this reason|based (?:up)?on (?:the above|this|these"
                        r"|the (?:guidelines?|evidence|foregoing|documentation|above)))\b",
    "decision_word": r"\b(?:recommended|supported|indicated|warranted|necessary|appropriate|certified"
                     r"|approved|upheld|overturned|denied|justified|substantiated|reasonable)\b",
    "guideline": r"\b(?:mtus|odg|acoem|guidelines?|official disability|chronic pain (?:medical )?treatment"
                 r"|fda|prescribing information|manufacturer\w*|uptodate|literature|evidence[- ]based|per the"
                 r"|according to|criteria|recommended|recommends?|recommendations?|is indicated|are indicated"
                 r"|section|pages?|required|requires?|must|should|may be|can be|studies|concern that)\b",
    "anchor": r"\b(?:in this case|in the case of|this (?:patient|worker|claimant|applicant|injured worker"
              r"|individual|employee|case|gentleman|man|woman|lady)|the (?:patient|injured worker|claimant"
              r"|applicant|worker|employee|iw|individual)(?:'s)?|(?:he|she) (?:has|had|is|was|reports"
              r"|reported|states|stated|complains|complained|continues|remains|tried|underwent|does|did)|his"
              r"|her|medical records?|records? (?:reviewed|provided|submitted|available|indicate|show|reveal"
              r"|document)|progress (?:notes?|reports?)|the (?:treating|requesting|attending"
              r"|primary) (?:physician|provider|doctor)|physical exam\w*|on exam\w*|examination revealed"
              r"|it was (?:noted|reported|documented))\b",
    "weak_anchor": _alt(
        r"\bthere (?:is|was|were|are|has been|had been|have been)\b",
        r"\bdocument\w*",
        r"\bno (?:evidence|indication)\b",
    ),
    "arm_paresthesia": rf"\b{_PARESTHESIA} (?:\w+ ){{0,4}}?(?:(?:in|of|to|involving) (?:the |both |his "
                       rf"|her )?)?"
                       rf"(?:right |left |bilateral |both )?(?:upper extremit\w*|arms?|forearms?|hands?"
                       rf"|wrists?"
                       rf"|fingers?)\b",
    "entrapment_named": r"\b(?:carpal tunnel|cubital tunnel|ulnar (?:nerve )?(?:neuropathy|entrapment"
                        r"|neuritis)"
                        r"|median (?:nerve )?(?:neuropathy|entrapment|compression)|nerve entrapment"
                        r"|entrapment neuropath\w*)",
    "generic_meds": r"\b(?:medications?|meds|medicines?|regimen)\b",
    # a sentence that states the request itself ("the RFA requested physical therapy 2x4 (8 sessions) for
    # pain relief") tells what is asked for, not what was done or how it went
    "request_sent": r"\b(?:request(?:ed|s|ing)?|rfa|recommend(?:ed|s|ing|ation|ations)?"
                    r"|(?:treatment )?plan(?:ned)?"
                    r"|proposed|ordered|would like)\b",
    "history_sent": r"\b(?:completed|attended|underwent|undergone|finished|participated|(?:has|have|had)"
                    r" (?:\w+ )?(?:had|received|undergone|attended|completed|tried|used|taken|been (?:on"
                    r"|taking"
                    r"|using|receiving|attending))|to date|previously|previous|prior(?! to\b)|helped|helps"
                    r"|(?:was|were|has been|had been) (?:\w+ )?(?:helpful|beneficial|effective)"
                    r"|benefit(?:ed|ted)"
                    r"|responded|improved (?:with|after|since|from)|since|status post|s/p)\b",
    "transient": _alt(
        r"\b(?:then|but|before|and|after which) (?:the |his |her )?(?:pain|symptoms?) (?:\w+ )?(?:returns?"
        r"|returned|recurs?|recurred|comes back|came back)\b",
        r"\b(?:only )?(?:temporar(?:y|ily)|transient(?:ly)?|short[- ]lived|brief(?:ly)?) (?:\w+ )?(?:relief"
        r"|benefit|improvement|help|helps|helped|helpful)\b",
        r"\bhelp(?:s|ed)? (?:only )?(?:temporarily|briefly|transiently)\b",
    ),
    "complaint": r"\b(?:complain\w*|c/o|reports?|reported|reporting|endorses?|endorsed|describes?|described"
                 r"|feels?|felt|concerned|states?|stated)\b",
    "historical": r"\b(?:previous(?:ly)?|history of|prior|status post|s/p|old|healed|remote|resolved"
                  r"|in the past|years ago|had been)\b",
}


class _Compiled(dict[str, re.Pattern[str]]):
    """Patterns by name, each compiled the first time it is asked for: a short note needs few of them,
    and compiling all of them would be most of the time a one-off `check` takes."""

    def __init__(self, sources: dict[str, str]) -> None:
        super().__init__()
        self.sources = sources

    def __missing__(self, name: str) -> re.Pattern[str]:
        rx = self[name] = compile_spaced(self.sources[name])
        return rx


@cache
def _rx() -> _Compiled:
    """Every named pattern (see `_Compiled`)."""
    sources = dict(_PATTERNS)
    sources.update({f"kind:{k}": p for k, p in _KIND_TERMS.items()})
    sources.update({f"modality:{k}": p for k, p in _MODALITY_TERMS.items()})
    sources.update({f"body:{k}": p for k, p in _BODY_TERMS.items()})
    sources["body:any"] = "|".join(_BODY_TERMS.values())
    return _Compiled(sources)


def _stems_of(pattern: str, given: tuple[str, ...]) -> tuple[str, ...]:
    """Words one of which every match of a pattern contains, for the few patterns whose first words
    cannot be read off the pattern: they are tried on the sentences that contain one."""
    if not given:
        raise ValueError(f"give the words every match contains (stems=...): {pattern[:60]!r}")
    return given


_DIAGNOSIS_RANK = {flag: rank for rank, flag in enumerate(_DIAGNOSES)}


# =====================================================================================
# Extraction: the requested items as the text names them
# =====================================================================================


@dataclass(frozen=True)
class _ItemView:
    """What to look for in the text about one requested item."""

    index: int
    kind: str
    is_drug: bool
    names: tuple[str, ...]          # lower-case names of the drug, brand and generic
    class_names: tuple[str, ...]    # what the text may call its class ("narcotics", "muscle relaxants")
    canon: frozenset[str]           # generic names of the drug (to tell other drugs of its class apart)
    session_kind: str | None        # physical_therapy, chiropractic, ... when visits are counted
    kind_key: str | None            # key of _KIND_TERMS naming this kind of treatment in text
    modalities: tuple[str, ...]     # keys of _MODALITY_TERMS (imaging and electrodiagnostic items)
    body_parts: tuple[str, ...]     # keys of _BODY_TERMS


_KIND_ORDER = ("acupuncture", "chiropractic", "psych", "program", "physical_therapy", "electrodiagnostic",
               "injection",
               "imaging", "surgery", "home_health", "dme")
_CONTINUING_KINDS = frozenset({"drug", "physical_therapy", "chiropractic", "acupuncture", "psych", "program",
                               "injection", "dme", "home_health"})


def _names_from_text(norm_text: str) -> list[str]:
    """A stand-in's drug names: known drug words, else the first content word before the strength."""
    words = _WORD_RX.findall(norm_text)
    known = [w for w in words if w in _CANON]
    if known:
        return known
    head = re.split(r"[\d#(]", norm_text, maxsplit=1)[0]
    for word in _WORD_RX.findall(head):
        if len(word) >= 4 and word not in _NAME_STOPWORDS:
            return [word]
    return []


@cache
def _term_keys() -> dict[str, frozenset[str]]:
    """For each kind of treatment and body part, the first three letters of the words its terms start with."""
    keys = {f"kind:{k}": p for k, p in _KIND_TERMS.items()} | {f"body:{k}": p for k, p in _BODY_TERMS.items()}
    out: dict[str, frozenset[str]] = {}
    for name, pattern in keys.items():
        words = first_words(pattern)
        if words is None:
            raise ValueError(f"{name}: every term must start with a word")
        out[name] = frozenset(w[:3] for w in words)
    return out


def _kinds_in(norm: str, start: int, end: int, keys: set[str], prefix: str = "kind:") -> list[str]:
    """The kinds of treatment (or, with prefix 'body:', the body parts) named in norm[start:end], in
    the order of the vocabulary; `keys` are the first three letters of its words."""
    rx = _rx()
    found = []
    for name, wanted in _term_keys().items():
        if name.startswith(prefix) and not wanted.isdisjoint(keys) and rx[name].search(norm, start, end):
            found.append(name[len(prefix):])
    return found


def _view(index: int, item: RequestedItem) -> _ItemView:
    """What to look for about an item: its drug's names (brand, generic, class) or its kind of treatment,
    modality and body parts. Uses the parsed fields; for a bare item, reads them off its text."""
    rx = _rx()
    text = normalize(item.text)
    keys = set(_KEY_RX.findall(text))
    kind = item.kind.value if hasattr(item.kind, "value") else str(item.kind)
    if kind == "other":
        found = set(_kinds_in(text, 0, len(text), keys))
        kind = next((k for k in _KIND_ORDER if k in found), "other")
        drug_word = any(w in _CANON for w in _WORD_RX.findall(text))
        if kind == "other" and (drug_word or _DRUG_MARKERS.search(text)):
            kind = "drug"
    is_drug = kind == "drug"
    names: list[str] = []
    if is_drug:
        for raw in (item.name, item.generic, *item.ingredients):
            if not raw:
                continue
            for part in normalize(raw).split("/"):
                part = part.strip()
                if not part or part in _COMBINATION_PARTNERS:
                    continue
                names.append(part)
                first = part.split()[0]
                if first != part and len(first) >= 4 and first not in _NAME_STOPWORDS:
                    names.append(first)
        names.extend(_names_from_text(text))
    canon = frozenset(_CANON.get(n, n) for n in names)
    classes: list[str] = []
    for generic in sorted(canon):  # every brand of the same generic names the same drug
        names.extend(_BRANDS.get(generic, ()))
        names.append(generic)
        classes.extend(_CLASS_NAMES.get(_CLASS_OF.get(generic, ""), ()))
    unique = tuple(dict.fromkeys(n for n in names if len(n) >= 3))
    modalities: tuple[str, ...] = ()
    if kind in ("imaging", "electrodiagnostic"):
        source = normalize(item.modality) if item.modality else text
        modalities = tuple(k for k in _MODALITY_TERMS if rx[f"modality:{k}"].search(source))
    body = tuple(item.body_parts) or (() if is_drug else tuple(_kinds_in(text, 0, len(text), keys, "body:")))
    return _ItemView(
        index=index, kind=kind, is_drug=is_drug, names=unique, class_names=tuple(dict.fromkeys(classes)),
        canon=canon,
        session_kind=kind if kind in _SESSION_KINDS else None,
        kind_key=kind if kind in _KIND_TERMS else None,
        modalities=modalities, body_parts=tuple(b for b in body if b in _BODY_TERMS),
    )


# =====================================================================================
# Extraction: one text, read once
# =====================================================================================

_DOC_RANK: dict[str, int] = {"summary": 0, "note": 0, "case_file": 0, "header": 0, "derived": 0, "item": 1,
                             "rationale": 2}


@cache
def _role_stems(name: str) -> tuple[str, ...]:
    """The words the role patterns (conclusion, guideline, anchor) start with."""
    words = first_words(_PATTERNS[name])
    if words is None:
        raise ValueError(f"{name}: every alternative must start with a word")
    return tuple(sorted(words))


@cache
def _gate(stems: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """How to find `stems`: by the first three letters of a word (short stems are their own key), then
    the whole stem; stems that are not letters ('%', '/5') by searching the text."""
    by_key: dict[str, tuple[str, ...]] = {}
    for stem in stems:
        if stem[:3].isalpha():
            by_key[stem[:3]] = (*by_key.get(stem[:3], ()), stem)
    return by_key, tuple(stem for stem in stems if not stem[:3].isalpha())


# Words (runs of letters and digits) of a text that is all ASCII and has no underscore, found with string
# methods: every other character becomes a space, the text is split at spaces, and each word's place is
# the running sum of the lengths before it. The same words as `_ALNUM_RUN` finds, and several times
# cheaper than the regular-expression engine, which checks each character's Unicode category.
# (Every ASCII character is in the table: one missing costs `str.translate` a failed look-up each time.)
_TO_SPACE = str.maketrans({chr(c): chr(c) if chr(c).isalnum() else " " for c in range(128)})
_LETTERS_RX = re.compile(r"[a-z]+")


def _split_words(spaced_out: str, start: int, end: int) -> tuple[list[str], list[int]]:
    """The words of text[start:end] and where each starts, given the text with `_TO_SPACE` applied."""
    pieces = spaced_out[start:end].split(" ")
    places = accumulate(map(add, map(len, pieces), repeat(1)), initial=start)
    return list(filter(None, pieces)), list(compress(places, pieces))


def _keys_of(words: list[str]) -> set[str]:
    """What `_KEY_RX` finds among `words` (each one a whole word of ASCII text with no underscore): the
    first three letters of each word that starts with a letter, or its letters before a digit."""
    keys = {word[:3] for word in words}
    odd = [key for key in keys if not key.isalpha()]
    for key in odd:
        keys.discard(key)
        letters = _LETTERS_RX.match(key)
        if letters:
            keys.add(letters.group())
    return keys


class _Doc:
    """A text in its normal form, split into sentences once, with what each sentence is about, cached."""

    def __init__(self, text: str, source: Source, items: list[_ItemView], forced: int | None = None) -> None:
        self.text = text
        self.source = source
        self.items = items
        self.forced = forced
        self.rank = _DOC_RANK.get(source, 0)
        self.norm = normalize(text)
        self.sents = split_sentences(text)
        self.starts = [s.start for s in self.sents]
        self.texts = [self.norm[s.start:s.end] for s in self.sents]
        # the first three letters of the words of each sentence, and of the whole text; which sentences
        # have a given key is worked out when first asked (a text is asked about a few dozen keys, and
        # filing every key of every sentence up front cost more than all the asking)
        norm = self.norm
        # the words of each sentence and where they start (`_ALNUM_RUN`), for the lexicon
        self.words: list[tuple[list[str], list[int]]]
        if norm.isascii() and "_" not in norm:
            spaced_out = norm.translate(_TO_SPACE)
            self.words = [_split_words(spaced_out, s.start, s.end) for s in self.sents]
            self._sent_keys = [_keys_of(words) if s.start == 0 or not norm[s.start - 1].isalnum()
                               else set(_KEY_RX.findall(norm, s.start, s.end))
                               for s, (words, _) in zip(self.sents, self.words, strict=True)]
        else:
            runs = [list(_ALNUM_RUN.finditer(norm, s.start, s.end)) for s in self.sents]
            self.words = [([m.group() for m in ms], [m.start() for m in ms]) for ms in runs]
            self._sent_keys = [set(_KEY_RX.findall(norm, s.start, s.end)) for s in self.sents]
        self._all_keys: set[str] = set().union(*self._sent_keys)
        self._keys: dict[str, list[int]] = {}
        self._tokens: dict[int, set[str]] = {}
        self._stems: dict[str, tuple[int, ...]] = {}
        self._phrases: dict[str, tuple[int, ...]] = {}
        self._triggers: dict[int, list[Trigger]] = {}
        self._evidence: dict[int, Evidence] = {}
        self._names: dict[int, bool] = {}
        self._request: dict[int, bool] = {}
        self.skip = self._skipped()
        self.item_sents, self.own_sents = self._item_sentences()

    # -- sentences -------------------------------------------------------------------------
    def index_at(self, pos: int) -> int | None:
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 and pos < self.sents[i].end else None

    def _skipped(self) -> list[bool]:
        """Sentences no finding is read from: utilization review's reasons, and in a rationale the
        sentences that state the decision or only restate the guideline."""
        rx = _rx()
        n = len(self.sents)
        skip = [False] * n
        for si in self._find_all(rx["ur"], _UR_STEMS):
            skip[si] = True
        if self.source != "rationale":
            return skip
        concluding = set(self._find_all(rx["conclusion"], _role_stems("conclusion")))
        guideline = set(self._find_all(rx["guideline"], _role_stems("guideline")))
        anchored = set(self._find_all(rx["anchor"], _role_stems("anchor")))
        weak = set(self._find_all(rx["weak_anchor"], _role_stems("weak_anchor")))
        kept_before = False
        for si, s in enumerate(self.sents):
            start_m = rx["conclusion_start"].match(self.norm, s.start, s.end)
            if si in concluding or (start_m and rx["decision_word"].search(self.norm, s.start, s.end)):
                skip[si] = True
            elif si in anchored:
                pass
            elif si in guideline:
                skip[si] = True
            elif not (si in weak or kept_before):
                skip[si] = True
            kept_before = not skip[si]
        return skip

    def _find_all(self, rx: re.Pattern[str], stems: tuple[str, ...] | None = None) -> list[int]:
        """Sentences where `rx` matches: among those with one of `stems`, else in one pass over the text."""
        if stems is not None:
            sents = self.sents
            near = sorted(self._near(stems))
            return [si for si in near if rx.search(self.norm, sents[si].start, sents[si].end)]
        found: list[int] = []
        for m in rx.finditer(self.norm):
            si = self.index_at(m.start())
            if si is not None and (not found or found[-1] != si):
                found.append(si)
        return found

    def candidates(self, stems: tuple[str, ...]) -> list[int]:
        """Sentences (not skipped) with one of `stems`: a pattern needing one can match only there.

        Sentences with a word that starts like a stem are found in an index, then checked for the
        whole stem; stems that are not letters ('%', '/5') are looked up in the text.
        """
        found = self._near(stems)
        if not found:
            return []
        skip = self.skip
        return sorted(si for si in found if not skip[si])

    def _near(self, stems: tuple[str, ...]) -> set[int]:
        """Sentences with one of `stems` (skipped ones included)."""
        by_key, other = _gate(stems)
        index, texts = self._keys, self.texts
        found: set[int] = set()
        for key in by_key.keys() & self._all_keys:
            wanted = by_key[key]
            sents = index.get(key)
            if sents is None:
                sents = index[key] = [si for si, keys in enumerate(self._sent_keys) if key in keys]
            if wanted == (key,):  # the key is the whole stem
                found.update(sents)
                continue
            for si in sents:
                if si not in found:
                    text = texts[si]
                    for stem in wanted:
                        if stem in text:
                            found.add(si)
                            break
        for stem in other:
            found.update(self._stem(stem))
        return found

    def _stem(self, stem: str) -> tuple[int, ...]:
        """Sentences that contain `stem` (cached)."""
        got = self._stems.get(stem)
        if got is None:
            found: list[int] = []
            i = self.norm.find(stem)
            while i >= 0:
                si = self.index_at(i)
                if si is None:
                    i = self.norm.find(stem, i + 1)
                    continue
                found.append(si)
                i = self.norm.find(stem, self.sents[si].end)
            got = self._stems[stem] = tuple(found)
        return got

    def matches(self, rx: re.Pattern[str], stems: tuple[str, ...]) -> Iterator[tuple[int, re.Match[str]]]:
        for si in self.candidates(stems):
            s = self.sents[si]
            for m in rx.finditer(self.norm, s.start, s.end):
                yield si, m

    def sentence_matches(self, rx: re.Pattern[str], si: int) -> Iterator[re.Match[str]]:
        s = self.sents[si]
        return rx.finditer(self.norm, s.start, s.end)

    def search(self, rx: re.Pattern[str], si: int) -> re.Match[str] | None:
        s = self.sents[si]
        return rx.search(self.norm, s.start, s.end)

    def ctx(self, si: int, start: int, end: int, ignore: frozenset[Ctx] = frozenset()) -> Ctx:
        triggers = self._triggers.get(si)
        if triggers is None:
            s = self.sents[si]
            triggers = self._triggers[si] = find_triggers(self.norm, s.start, s.end)
        return classify(triggers, start, end, ignore=ignore)

    def evidence(self, si: int) -> Evidence:
        ev = self._evidence.get(si)
        if ev is None:
            s = self.sents[si]
            ev = self._evidence[si] = _evidence(
                text=clean(self.text[s.start:s.end]), source=self.source, start=s.start, end=s.end)
        return ev

    def drug_words(self) -> list[str]:
        """The known drug names (and class words) the text uses, in alphabetical order."""
        words = set(_ALNUM_RUN.findall(self.norm))
        found = [w for w in words & _ONE_WORD_DRUGS if self._phrase(w)]
        found += [name for first in words & _DRUGS_BY_FIRST_WORD.keys()
                  for name in _DRUGS_BY_FIRST_WORD[first] if self._phrase(name)]
        return sorted(found)

    def is_request(self, si: int) -> bool:
        """Whether sentence `si` states the request itself (and says nothing of treatment already had)."""
        got = self._request.get(si)
        if got is None:
            rx = _rx()
            got = self._request[si] = bool(self.search(rx["request_sent"], si)) and not self.search(
                rx["history_sent"], si)
        return got

    def key_set(self, si: int) -> set[str]:
        """The first three letters of the words of sentence `si`."""
        return self._sent_keys[si]

    def tokens(self, si: int) -> set[str]:
        got = self._tokens.get(si)
        if got is None:
            s = self.sents[si]
            got = self._tokens[si] = set(_WORD_RX.findall(self.norm, s.start, s.end))
        return got

    # -- which item a sentence is about ---------------------------------------------------
    def _item_sentences(self) -> tuple[list[set[int]], list[set[int]]]:
        """For each item, the sentences that name it (a drug by name or class; a therapy by kind),
        and those that name the drug itself."""
        rx = _rx()
        named: list[set[int]] = []
        own: list[set[int]] = []
        for view in self.items:
            if view.is_drug:
                own.append(self._phrase_sentences(view.names))
                named.append(own[-1] | self._phrase_sentences(view.class_names))
            else:
                found = set()
                if view.kind_key:
                    found.update(self._find_all(rx[f"kind:{view.kind_key}"], _KIND_STEMS[view.kind_key]))
                named.append(found)
                own.append(found)
        return named, own

    def _phrase_sentences(self, phrases: tuple[str, ...]) -> set[int]:
        """Sentences where one of `phrases` stands as whole words."""
        found: set[int] = set()
        for phrase in phrases:
            if phrase[:3] in self._all_keys:
                found.update(self._phrase(phrase))
        return found

    def _phrase(self, phrase: str) -> tuple[int, ...]:
        """Sentences where `phrase` stands as whole words (cached)."""
        got = self._phrases.get(phrase)
        if got is None:
            norm = self.norm
            found: list[int] = []
            i = norm.find(phrase)
            while i >= 0:
                j = i + len(phrase)
                if (i == 0 or not norm[i - 1].isalnum()) and (j >= len(norm) or not norm[j].isalnum()):
                    si = self.index_at(i)
                    if si is not None and (not found or found[-1] != si):
                        found.append(si)
                i = norm.find(phrase, j)
            got = self._phrases[phrase] = tuple(found)
        return got

    def mentions(self, si: int) -> list[int]:
        return [v.index for v in self.items if si in self.item_sents[v.index]]

    def names_treatment(self, si: int) -> bool:
        """Whether the sentence names a specific drug or therapy (a generic 'medications' does not count)."""
        got = self._names.get(si)
        if got is None:
            s = self.sents[si]
            got = self._names[si] = bool(self.tokens(si) & _ALL_DRUGS) or bool(
                _kinds_in(self.norm, s.start, s.end, self.key_set(si)))
        return got

    def outcome_scopes(self, si: int) -> list[int | None]:
        """Whom an outcome (relief, function, side effects) in sentence `si` belongs to.

        The item(s) it names; else, for a sentence naming no treatment, the one item the sentence
        before named, or the whole case; a sentence about some other treatment informs no item.
        """
        if self.forced is not None:
            return [self.forced]
        if not self.items:
            return [None]
        named = self.mentions(si)
        if named:
            return list(named)
        if self.names_treatment(si):
            return []
        if si > 0 and not self.skip[si - 1]:
            before = [v.index for v in self.items if si - 1 in self.own_sents[v.index]]
            if len(before) == 1:
                return before
        return [None]

    def case_scope(self) -> int | None:
        return self.forced


# =====================================================================================
# Extraction: collecting and combining observations
# =====================================================================================


@dataclass
class _Obs:
    value: Any
    order: tuple[int, int]
    evidence: Evidence


class _Acc:
    """Observations per (scope, fact); `scope` is an item index, or None for the whole case."""

    def __init__(self) -> None:
        self.obs: dict[tuple[int | None, str], list[_Obs]] = {}

    def add(self, doc: _Doc, scope: int | None, fact: str, value: Any, si: int,
            ev: Evidence | None = None, at: int | None = None) -> None:
        """An observation in sentence `si`, ordered by the sentence (or by `at`, a place in the text)."""
        order = (doc.rank, at if at is not None else doc.sents[si].start)
        self.obs.setdefault((scope, fact), []).append(_Obs(value, order, ev or doc.evidence(si)))

    def add_evidence(self, scope: int | None, fact: str, value: Any, order: tuple[int, int],
                     ev: Evidence) -> None:
        self.obs.setdefault((scope, fact), []).append(_Obs(value, order, ev))

    def add_derived(self, scope: int | None, fact: str, value: Any, text: str) -> None:
        ev = _evidence(text=text, source="derived", start=None, end=None)
        self.obs.setdefault((scope, fact), []).append(_Obs(value, (9, 0), ev))

    def has(self, scope: int | None, fact: str) -> bool:
        return (scope, fact) in self.obs


_NUMBER_POLICY: dict[str, str] = {
    "pain_score": "last", "pain_relief_pct": "last", "age": "first", "prior_sessions": "max",
    "weeks_of_use": "max", "weeks_of_conservative_care": "max", "prior_injection_relief_pct": "last",
    "prior_injection_relief_weeks": "last",
    "weeks_since_surgery": "min", "weeks_since_last_uds": "min",
}
_BOOL_FACTS = frozenset({"continuing_treatment", "concurrent_opioids", "concurrent_benzodiazepines",
                         "concurrent_nsaid"})
_TRISTATE_FACTS = frozenset({spec.name for spec in _TRISTATE_SPECS} | {
    "trial_requested", "uds_consistent", "prior_response", "prior_imaging", "prior_surgery",
    "conservative_care_failed"})


def _dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int | None, str]] = set()
    out: list[Evidence] = []
    for ev in evidence:
        key = (ev.source, ev.start, ev.text)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


def _combine(fact: str, obs: list[_Obs]) -> FactValue:
    """One value from every observation of a fact, by the fact's policy (in text order; within one
    sentence in a fixed order of values, so that the result never depends on how sets iterate)."""
    if fact == "diagnoses":
        obs = sorted(obs, key=lambda o: (o.order, _DIAGNOSIS_RANK[o.value]))
    else:
        obs = sorted(obs, key=lambda o: (o.order, o.value))
    if fact == "diagnoses":
        flags = list(dict.fromkeys(o.value for o in obs))
        return _fact_value(value=flags, evidence=_dedupe(o.evidence for o in obs))
    if fact in _TRISTATE_FACTS:
        policy = _POLICY.get(fact, "positive")
        explicit = [o for o in obs if o.value != Tristate.not_documented]
        if not explicit:
            chosen = Tristate.not_documented
        elif policy == "last":
            chosen = explicit[-1].value
        else:
            strong = Tristate.documented if policy == "positive" else Tristate.documented_false
            chosen = strong if any(o.value == strong for o in explicit) else explicit[0].value
        return _fact_value(value=chosen, evidence=_dedupe(o.evidence for o in obs
                                                                        if o.value == chosen))
    if fact in _BOOL_FACTS:
        chosen = any(o.value for o in obs)
        return _fact_value(value=chosen, evidence=_dedupe(o.evidence for o in obs
                                                                        if o.value == chosen))
    policy = _NUMBER_POLICY.get(fact, "first")
    if policy == "max":
        best = max(obs, key=lambda o: o.value)
    elif policy == "min":
        best = min(obs, key=lambda o: o.value)
    elif policy == "last":
        best = obs[-1]
    else:
        best = obs[0]
    return _fact_value(value=best.value, evidence=_dedupe(
        o.evidence for o in obs if o.value == best.value))


# =====================================================================================
# Extraction: readers, one per group of facts
# =====================================================================================


def _status(polarity: int, ctx: Ctx) -> Tristate | None:
    """The tristate a mention shows, given how it is stated; None when it shows nothing."""
    if ctx is Ctx.not_documented:
        return Tristate.not_documented
    if polarity > 0:
        return {Ctx.affirmed: Tristate.documented, Ctx.negated: Tristate.documented_false}.get(ctx)
    return Tristate.documented_false if ctx is Ctx.affirmed else None


def _number(word: str) -> float | None:
    word = word.strip()
    if not word:
        return None
    try:
        return float(word)
    except ValueError:
        return _NUMBER_WORDS.get(word)


def _weeks(n: float | None, unit: str) -> float:
    """Weeks in `n` units; a bare plural ('for months') counts as three."""
    return round((3.0 if n is None else n) * _UNIT_WEEKS[unit[0]], 1)


_Filed = dict[str, list[tuple[str, list[tuple[str | _Spec, str]]]]]
_Slow = list[tuple[_Spec, re.Pattern[str], tuple[str, ...]]]


@cache
def _lexicon() -> tuple[_Filed, _Slow]:
    """Diagnoses and tristate patterns, split into their alternatives and filed under the first three
    letters of the words they start with: a text is read in one pass over its words, trying at each
    word only the alternatives that can start there. Patterns whose starts cannot be told are read
    the slower way, on the sentences that contain their stems.

    Taking the patterns apart is a fair share of a one-off `check`, so the plan is kept in the
    on-disk cache, under a digest of the modules that define the patterns and how they are split.
    """
    from imr_rules import cache, sentences

    module = sys.modules[__name__]
    filed, slow = cache.cached("lexicon-plan", lambda: cache.digest([], [module, sentences]), _lexicon_plan,
                               lambda _: True)
    payloads: list[str | _Spec] = [*_DIAGNOSES, *_TRISTATE_SPECS]
    by_key: _Filed = {key: [(lead, [(payloads[i], alternative) for i, alternative in entries])
                            for lead, entries in leads] for key, leads in filed.items()}
    return by_key, [(payloads[i], compile_spaced(pattern), _stems_of(pattern, payloads[i].stems))
                    for i, pattern in slow if isinstance(payloads[i], _Spec)]


_Plan = tuple[dict[str, list[tuple[str, list[tuple[int, str]]]]], list[tuple[int, str]]]


def _lexicon_plan() -> _Plan:
    """The lexicon's alternatives by first three letters and lead, payloads given by their place in
    diagnoses + tristate specs; and the patterns to be read the slower way."""
    by_lead: dict[str, list[tuple[int, str]]] = {}
    slow: list[tuple[int, str]] = []
    entries: list[tuple[str | _Spec, str]] = [*_DIAGNOSES.items(),
                                              *((spec, spec.pattern) for spec in _TRISTATE_SPECS)]
    for i, (payload, pattern) in enumerate(entries):
        if first_words(pattern) is None:
            assert isinstance(payload, _Spec)
            slow.append((i, pattern))
            continue
        for alternative in alternatives(pattern):
            for lead in sorted(first_words(alternative) or ()):
                by_lead.setdefault(lead, []).append((i, alternative))
    filed: dict[str, list[tuple[str, list[tuple[int, str]]]]] = {}
    for lead in sorted(by_lead):
        filed.setdefault(lead[:3], []).append((lead, by_lead[lead]))
    return filed, slow


# Bones a fracture may name, and the body parts of the items they concern.
_BONES: dict[str, tuple[str, ...]] = {
    "ulna": ("upper_extremity", "wrist", "elbow"), "radius": ("upper_extremity", "wrist", "elbow"),
    "humerus": ("upper_extremity", "shoulder", "elbow"), "clavicle": ("shoulder",), "scapula": ("shoulder",),
    "femur": ("lower_extremity", "hip", "knee"), "tibia": ("lower_extremity", "knee", "ankle"),
    "fibula": ("lower_extremity", "ankle"), "patella": ("knee",), "calcaneus": ("foot", "ankle"),
    "navicular": ("foot", "wrist"), "scaphoid": ("wrist", "hand"), "metacarpal": ("hand",),
    "metatarsal": ("foot",), "phalanx": ("hand", "foot"), "phalanges": ("hand", "foot"),
    "malleolus": ("ankle",), "malleolar": ("ankle",), "pelvic": ("pelvis", "hip"), "sternum": ("chest",),
    "skull": ("head",), "nasal": ("head",), "orbital": ("head",), "jaw": ("head",), "mandible": ("head",),
    "vertebra": ("cervical_spine", "thoracic_spine", "lumbar_spine"),
    "vertebral": ("cervical_spine", "thoracic_spine", "lumbar_spine"),
    "compression": ("cervical_spine", "thoracic_spine", "lumbar_spine"),
}
_BONE_RX = re.compile(r"\b(?:" + "|".join(sorted(_BONES, key=len, reverse=True)) + r")\b")
# What ends the words that belong to a fracture: "thoracic spine and right ulna fracture" (the ulna's).
_FRACTURE_BREAK = re.compile(r"\band\b|\bor\b|\bwith\b|,|;|:|\(|\)")


def _fracture_parts(doc: _Doc, lo: int, hi: int) -> tuple[bool, set[str]]:
    """Whether norm[lo:hi] names a body part or bone, and the body parts it concerns."""
    rx = _rx()
    window = doc.norm[lo:hi]
    parts = {k for k in _BODY_TERMS if rx[f"body:{k}"].search(window)}
    bones = [m.group() for m in _BONE_RX.finditer(window)]
    for bone in bones:
        parts.update(_BONES[bone])
    return bool(parts or bones), parts


def _red_flag_scopes(doc: _Doc, si: int, flag: str, spans: list[tuple[int, int]],
                     scope: int | None) -> list[int | None]:
    """Whom a red-flag diagnosis counts for. A fracture that names its body part ('right ulna fracture',
    'fracture of the rib') is a red flag only for the items of that body part; otherwise the whole case.
    The part is the one written next to the word, within the same phrase: in 'thoracic spine and right
    ulna fracture' the fracture is the ulna's."""
    if flag != "fracture" or scope is not None or not doc.items:
        return [scope]
    s = doc.sents[si]
    parts: set[str] = set()
    named = False
    for a, b in spans:
        lo = max(s.start, a - 45)
        breaks = [m.end() for m in _FRACTURE_BREAK.finditer(doc.norm, lo, a)]
        near_lo = breaks[-1] if breaks else lo
        hi = min(s.end, b + 40)
        after = _FRACTURE_BREAK.search(doc.norm, b, hi)
        near_hi = after.start() if after else hi
        got, found = _fracture_parts(doc, near_lo, a)
        if not got and re.match(r" (?:of|to|in|at) ", doc.norm[b:b + 4]):
            got, found = _fracture_parts(doc, b, near_hi)
        if not got:  # no part next to the word: the wider phrase around it
            got, found = _fracture_parts(doc, max(lo, doc.norm.rfind(";", s.start, a) + 1), near_hi)
        named = named or got
        parts.update(found)
    if not named:
        return [scope]
    return [v.index for v in doc.items if parts & set(v.body_parts)]


_Entries = tuple[tuple[str | _Spec, re.Pattern[str]], ...]
# per word: one pattern for all its alternatives (most words start none of them: one try says so), and
# the alternatives, tried one by one where that pattern matches; () for a word no alternative starts
_WORD_ENTRIES: dict[str, tuple[re.Pattern[str], _Entries] | tuple[()]] = {}


@cache
def compiled_alternative(alternative: str) -> re.Pattern[str]:
    """A lexicon alternative, compiled when a text first has a word it may start at."""
    return compile_spaced(alternative)


@cache
def _any_alternative(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern that matches where one of `alternatives` does (a lone one is itself)."""
    if len(alternatives) == 1:
        return compiled_alternative(alternatives[0])
    return compile_spaced("|".join(f"(?:{alternative})" for alternative in alternatives))


def _entries_at(word: str) -> tuple[re.Pattern[str], _Entries] | tuple[()]:
    """The lexicon alternatives that can match where `word` starts: those filed under the word's first
    (up to three) letters whose lead begins the word; with them, one pattern for any of them.

    Worked out once per distinct word; a corpus has a bounded vocabulary, but the table is emptied if
    it ever grows past what a large corpus needs.
    """
    got = _WORD_ENTRIES.get(word)
    if got is None:
        by_key, _ = _lexicon()
        key = _KEY_RX.match(word)
        filed = by_key.get(key.group(), ()) if key else ()
        chosen = [(payload, alternative)
                  for lead, entries in filed if word.startswith(lead) for payload, alternative in entries]
        got = (_any_alternative(tuple(dict.fromkeys(a for _, a in chosen))),
               tuple((payload, compiled_alternative(alternative)) for payload, alternative in chosen)) \
            if chosen else ()
        if len(_WORD_ENTRIES) > 200_000:
            _WORD_ENTRIES.clear()
        _WORD_ENTRIES[word] = got
    return got


def _read_lexicon(doc: _Doc, acc: _Acc) -> None:
    """Diagnosis flags and three-valued findings, in one pass over the words of the text: at each word,
    only the alternatives that can start with it are tried."""
    _, slow = _lexicon()
    found: dict[tuple[int, str | _Spec], list[tuple[int, int]]] = {}
    skip, sents, norm = doc.skip, doc.sents, doc.norm
    entries_at = _WORD_ENTRIES.get
    for si, (words, starts) in enumerate(doc.words):
        if skip[si]:
            continue
        looked_up = list(map(entries_at, words))
        if None in looked_up:  # a word not seen before
            looked_up = [_entries_at(word) for word in words]
        end = sents[si].end
        for i in compress(range(len(words)), looked_up):  # the words some alternative starts
            gate, entries = looked_up[i]
            pos = starts[i]
            if gate.match(norm, pos, end):
                for payload, rx in entries:
                    m = rx.match(norm, pos, end)
                    if m:
                        found.setdefault((si, payload), []).append(m.span())
    for spec, rx, stems in slow:
        for si, m in doc.matches(rx, stems):
            found.setdefault((si, spec), []).append(m.span())
    scope = doc.case_scope()
    past = _rx()["historical"]
    for (si, payload), spans in found.items():
        if isinstance(payload, str):  # a diagnosis: set when affirmed; a red flag unless only history
            if any(doc.ctx(si, a, b) is Ctx.affirmed for a, b in spans):
                acc.add(doc, scope, "diagnoses", payload, si)
                if payload in _RED_FLAG_DIAGNOSES and not doc.search(past, si):
                    for target in _red_flag_scopes(doc, si, payload, spans, scope):
                        acc.add(doc, target, "_red_flag", payload, si)
            continue
        if payload.exam and doc.search(_rx()["complaint"], si):
            continue
        for a, b in spans:
            status = _status(payload.polarity, doc.ctx(si, a, b, payload.ignore))
            if status is None:
                continue
            if payload.name in _OUTCOME_FACTS and doc.forced is None and doc.is_request(si):
                break  # "physical therapy ... for pain relief and improved function" asks, it does not report
            scopes = doc.outcome_scopes(si) if payload.name in _OUTCOME_FACTS else [scope]
            for target in scopes:
                acc.add(doc, target, payload.name, status, si)
            break


def _read_uds(doc: _Doc, acc: _Acc, as_of: date | None = None) -> None:
    """Whether urine drug screens matched the prescriptions, and how long ago the last one was (a screen
    dated in the sentence that reports it): read only in sentences about a screen."""
    rx = _rx()
    scope = doc.case_scope()
    uds = rx["uds_any"]
    for si in doc.candidates(_UDS_STEMS):
        s = doc.sents[si]
        if as_of is not None and not doc.is_request(si):
            m = uds.search(doc.norm, s.start, s.end)
            when = [d.value for d in _dates.find_dates(doc.norm, s.start, s.end) if d.precision == "day"]
            if m and when and doc.ctx(si, m.start(), m.end()) is Ctx.affirmed:
                weeks = _dates.weeks_between(max(when), as_of)
                if weeks >= 0:
                    acc.add(doc, scope, "weeks_since_last_uds", weeks, si)
        bad_spans: list[tuple[int, int]] = []
        for m in doc.sentence_matches(rx["uds_bad"], si):
            bad_spans.append(m.span())
            if doc.ctx(si, m.start(), m.end(), _NO_NEG) is Ctx.affirmed:
                acc.add(doc, scope, "uds_consistent", Tristate.documented_false, si)
        for m in doc.sentence_matches(rx["uds_good"], si):
            if any(a <= m.start() < b for a, b in bad_spans):
                continue
            status = _status(1, doc.ctx(si, m.start(), m.end()))
            if status is not None:
                acc.add(doc, scope, "uds_consistent", status, si)


def _read_patient(doc: _Doc, acc: _Acc) -> None:
    """Age and sex, from the first sentence that gives them."""
    rx = _rx()
    for si, m in doc.matches(rx["age"], ("year", "yr", "y/o", "yo", "age")):
        age = int(m.group("a") or m.group("b") or m.group("c"))
        if 14 <= age <= 100:
            acc.add(doc, doc.case_scope(), "age", age, si)
            break
    for si, m in doc.matches(rx["sex"], ("male", "man", "gentleman", "mr", "boy", "female", "woman", "lady",
                                         "mrs",
                                         "ms", "girl")):
        word = m.group()
        sex = "female" if word in ("female", "woman", "lady", "mrs", "ms", "girl") else "male"
        acc.add(doc, doc.case_scope(), "sex", sex, si)
        return
    he = [m.start() for m in rx["he"].finditer(doc.norm)]
    she = [m.start() for m in rx["she"].finditer(doc.norm)]
    for mine, other, sex in ((he, she, "male"), (she, he, "female")):
        if len(mine) >= 2 and len(mine) >= 3 * len(other):
            si = doc.index_at(mine[0])
            if si is not None and not doc.skip[si]:
                acc.add(doc, doc.case_scope(), "sex", sex, si)
            return


def _is_pain_score(doc: _Doc, si: int, pos: int) -> bool:
    """A score is a pain score if the nearest label before it is about pain, not sleep, mood or work."""
    s = doc.sents[si]
    label = None
    for m in _rx()["pain_label"].finditer(doc.norm, max(s.start, pos - 60), pos):
        label = m
    if label is None:
        return "pain" in doc.norm[s.start:s.end]
    return label.group("other") is None


def _read_pain(doc: _Doc, acc: _Acc) -> None:
    """Pain scores ('rated 8.5/10', '6-8 on a 10-point scale'); relief ('50% relief', 'from 8/10 to 4/10')."""
    rx = _rx()
    scope = doc.case_scope()
    for si, m in doc.matches(rx["pain_score"], ("/10", "/ 10", "of 10", "over 10", "10-point", "10 point",
                                               "rated", "rates", "rating")):
        if rx["at_best"].match(doc.norm, m.end()) or not _is_pain_score(doc, si, m.start()):
            continue
        if doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            continue
        value = float(m.group("b") or m.group("a") or m.group("c"))
        if 0 <= value <= 10:
            acc.add(doc, scope, "pain_score", int(value) if value.is_integer() else value, si, at=m.start())

    def relief(si: int, m: re.Match[str], pct: float) -> None:
        if not 0 <= pct <= 100 or doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            return
        pct = round(pct)
        for target in doc.outcome_scopes(si):
            acc.add(doc, target, "pain_relief_pct", pct, si)
            acc.add(doc, target, "pain_relief", Tristate.documented if pct > 0
                    else Tristate.documented_false, si)
        if doc.search(rx["injection"], si):
            acc.add(doc, scope, "prior_injection_relief_pct", pct, si)

    for si, m in doc.matches(rx["relief_pct"], ("%", "percent")):
        relief(si, m, float(m.group("b") or m.group("a") or m.group("d") or m.group("c")))
    for si, m in doc.matches(rx["from_to"], ("/10", "/ 10", "of 10")):
        before, after = float(m.group("a")), float(m.group("b"))
        if before > after and "pain" in doc.norm[doc.sents[si].start:doc.sents[si].end]:
            relief(si, m, (before - after) / before * 100)
    for si in doc.candidates(("without",)):
        scores: dict[str, float] = {}
        first: re.Match[str] | None = None
        for m in doc.sentence_matches(rx["with_without"], si):
            key = m.group("w") or m.group("w2")
            scores.setdefault(key, float(m.group("a") or m.group("b")))
            first = first or m
        if first is not None and len(scores) == 2 and scores["without"] > scores["with"]:
            relief(si, first, (scores["without"] - scores["with"]) / scores["without"] * 100)
    # injections: how much relief and for how long
    for si in doc.candidates(("inject", "epidural", "esi", "block", "facet", "medial", "radiofrequency",
                              "ablation",
                              "rhizotomy", "trigger")):
        if not doc.search(rx["injection"], si):
            continue
        m = doc.search(rx["no_relief"], si)
        if m and doc.ctx(si, m.start(), m.end(), _NO_NEG) is Ctx.affirmed:
            acc.add(doc, scope, "prior_injection_relief_pct", 0, si)
        for m in doc.sentence_matches(rx["lasting"], si):
            n = _number(m.group("n"))
            if n is not None and doc.ctx(si, m.start(), m.end(), _NO_NEG) is Ctx.affirmed and (
                    doc.search(rx["relief_pct"], si) or "relief" in doc.tokens(si)):
                acc.add(doc, scope, "prior_injection_relief_weeks", _weeks(n, m.group("u")), si)


def _read_conservative_weeks(doc: _Doc, acc: _Acc) -> None:
    rx = _rx()
    for si, m in doc.matches(rx["cc_weeks"], ("week", "month")):
        if doc.search(rx["frequency"], si) or doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            continue
        n = _number(m.group("n") or m.group("n2") or "")
        if n is not None:
            acc.add(doc, doc.case_scope(), "weeks_of_conservative_care", _weeks(n, m.group("u")
                                                                                or m.group("u2")), si)


def _read_conservative_failed(doc: _Doc, acc: _Acc) -> None:
    """Conservative care tried ('treatment has included physical therapy') and symptoms that persist in
    that sentence or the next few: conservative care has failed."""
    rx = _rx()
    for si, m in doc.matches(rx["cc_tried"], ("treat", "therap", "care", "manage")):
        if doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            continue
        # persistence stated after the treatment, or before it ("she continues to have pain ... treatment
        # to date has included physical therapy"): the complaints are those of the visit after the care
        order = [*range(si, min(len(doc.sents), si + 4)), *range(si - 1, max(-1, si - 6), -1)]
        for sj in order:
            if doc.skip[sj]:
                continue
            lo = m.end() if sj == si else doc.sents[sj].start
            p = rx["cc_persists"].search(doc.norm, lo, doc.sents[sj].end)
            if p and doc.ctx(sj, p.start(), p.end(), _NO_NEG) is Ctx.affirmed:
                acc.add(doc, doc.case_scope(), "conservative_care_failed", Tristate.documented, sj)
                break
        break


def _read_dates(doc: _Doc, acc: _Acc) -> date | None:
    """The injury date ('sustained an industrial injury on <date>'), and the latest clinical date in
    the text (the as-of date when none is given)."""
    rx = _rx()
    days = [(mention, doc.index_at(mention.start)) for mention in _dates.find_dates(doc.norm)
            if mention.precision == "day"]
    days = [(mention, si) for mention, si in days if si is not None]
    for si in sorted({si for _, si in days if not doc.skip[si]}):
        for m in doc.sentence_matches(rx["injury"], si):
            after = [d for d, _ in days if m.end() <= d.start <= m.end() + 40]
            if after:
                acc.add(doc, doc.case_scope(), "injury_date", after[0].value, si)
                break
        else:
            continue
        break
    if not days:
        return None
    latest, si = max(days, key=lambda d: (d[0].value, -d[0].start))
    acc.add(doc, doc.case_scope(), "_latest_date", latest.value, si)
    return latest.value


def _item_sentences(doc: _Doc, view: _ItemView, own: bool = False) -> list[int]:
    """Sentences about an item: those naming it (with `own`, naming the drug itself rather than its
    class), or every kept sentence of its own rationale."""
    if doc.forced == view.index:
        return [si for si in range(len(doc.sents)) if not doc.skip[si]]
    if doc.forced is not None:
        return []
    found = (doc.own_sents if own else doc.item_sents)[view.index]
    return sorted(si for si in found if not doc.skip[si])


def _durations(doc: _Doc, si: int, as_of: date | None) -> list[float]:
    """Durations of use a sentence states, in weeks (each pattern tried only if its key word is there)."""
    rx = _rx()
    norm, text = doc.norm, doc.texts[si]
    out: list[float] = []

    def ok(m: re.Match[str], ignore: frozenset[Ctx] = frozenset()) -> bool:
        return doc.ctx(si, m.start(), m.end(), ignore) is Ctx.affirmed

    def exceeds(m: re.Match[str]) -> float:
        return 1.0 if m.group("q") and m.group("q").strip() in _EXCEEDS else 0.0

    has_unit = any(u in text for u in ("day", "week", "wk", "month", "mo", "year", "yr"))
    if has_unit and any(w in text for w in ("for ", "over ", "during ")) and doc.search(rx["past_use"], si):
        for m in doc.sentence_matches(rx["dur_for"], si):
            n = _number(m.group("n") or "")
            unit = m.group("u")
            if ok(m) and (n is not None or unit.endswith("s")):
                out.append(_weeks(n, unit) + exceeds(m))
    if has_unit and (" of " in text or " on " in text):
        for m in doc.sentence_matches(rx["dur_of"], si):
            n = _number(m.group("n"))
            if n is not None and ok(m):
                out.append(_weeks(n, m.group("u")) + exceeds(m))
    if has_unit and any(w in text for w in ("than", "beyond", "exceed")):
        for m in doc.sentence_matches(rx["dur_gt"], si):
            if m.group().startswith(("beyond", "exceed")) and "request" in doc.tokens(si):
                continue  # "the request exceeds 4 weeks" is about the request, not past use
            if ok(m, _NO_HYP):
                out.append(_weeks(float(m.group("n2") or m.group("n")), m.group("u")) + 1.0)
    if as_of is not None and any(w in text for w in ("since", "start", "began", "begun", "initiat", "commenc",
                                                     "first")):
        for name in ("dur_since", "dur_start"):
            for m in doc.sentence_matches(rx[name], si):
                got = _dates.parse_period_start(norm[m.end():m.end() + 30])
                if got and ok(m):
                    weeks = _dates.weeks_between(_dates.period_end(*got), as_of)
                    if weeks >= 0:
                        out.append(weeks)
    if any(w in text for w in ("chronic", "long", "basis", "prolonged", "ongoing", "continu", "extended",
                               "some time")):
        for m in doc.sentence_matches(rx["dur_long"], si):
            if ok(m, _NO_HYP):
                out.append(LONG_USE_WEEKS)
    if any(w in text for w in ("ran out", "running out", "refill", "renew")):
        asked = _refill_requests(doc, si)
        for m in doc.sentence_matches(rx["dur_refill"], si):
            if not any(a <= m.start() < b for a, b in asked) and ok(m, _NO_HYP):
                out.append(REFILL_WEEKS)
    return out


def _read_items(doc: _Doc, acc: _Acc, as_of: date | None) -> None:
    """Per item: how long the drug has been used, whether the request continues a treatment, prior visits."""
    rx = _rx()
    # "continuing medication" (no drug named) continues the requested drugs the text names elsewhere,
    # or all of them when it names none
    generic_sents: list[int] = []
    named_any = False
    drugs = [v for v in doc.items if v.is_drug]
    if doc.forced is None and drugs:
        generic_sents = [si for si in doc.candidates(("medic", "meds", "regimen"))
                         if not doc.names_treatment(si) and doc.search(rx["generic_meds"], si)]
        named_any = any(_item_sentences(doc, v, own=True) for v in drugs)
    for view in doc.items:
        sents = _item_sentences(doc, view)
        own = _item_sentences(doc, view, own=True)
        if view.is_drug:  # how long this drug, or a drug of its class, has been used
            for si in sents:
                if doc.forced is None and doc.is_request(si):
                    continue  # "requested a short course of X for 2 weeks" is the request, not past use
                for weeks in _durations(doc, si, as_of):
                    acc.add(doc, view.index, "weeks_of_use", weeks, si)
        if view.kind in _CONTINUING_KINDS:  # a continuation of this very treatment
            _read_continuing(doc, acc, view, own, rx["continuing"])
            if view.is_drug and generic_sents and (own or not named_any):
                _read_continuing(doc, acc, view, generic_sents, rx["generic_continuing"])
            _read_response(doc, acc, view, sents)
        if view.modalities:
            _read_prior_imaging(doc, acc, view)
    _read_sessions(doc, acc)


def _refill_requests(doc: _Doc, si: int) -> list[tuple[int, int]]:
    """Spans of 'with 1 refill' and the like: refills asked for, which show no earlier use."""
    return [m.span() for m in doc.sentence_matches(_rx()["item_refills"], si)]


def _read_continuing(doc: _Doc, acc: _Acc, view: _ItemView, sents: list[int], rx: re.Pattern[str]) -> None:
    """Whether the request continues a treatment under way: a refill, 'current medications include', ..."""
    stopped = _rx()["stopped"]
    for si in sents:
        asked = _refill_requests(doc, si)
        for m in doc.sentence_matches(rx, si):
            if any(a <= m.start() < b for a, b in asked):
                continue
            if doc.ctx(si, m.start(), m.end(), _NO_HYP) is Ctx.affirmed:
                acc.add(doc, view.index, "continuing_treatment", True, si)
                break
        for m in doc.sentence_matches(stopped, si):
            if doc.ctx(si, m.start(), m.end(), _NO_HYP) is Ctx.affirmed:
                acc.add(doc, view.index, "continuing_treatment", False, si)
                break


# Words one of which every "benefit" or "no benefit" phrase contains.
_BENEFIT_WORDS = ("improv", "benefit", "help", "relief", "better", "effective", "progress", "respond", "gain",
                  "working", "happy", "satisf", "pain", "fail", "worse", "unsuccessful")


def _read_response(doc: _Doc, acc: _Acc, view: _ItemView, sents: list[int]) -> None:
    """Whether the treatment already given helped: benefit words in sentences about the item."""
    rx = _rx()
    if doc.forced is None:  # an outcome sentence after one naming only this item is about it too
        sents = sorted(set(sents) | {si + 1 for si in sents if si + 1 < len(doc.sents)
                                     and not doc.skip[si + 1]
                                     and doc.outcome_scopes(si + 1) == [view.index]})
    for si in sents:
        if not any(word in doc.texts[si] for word in _BENEFIT_WORDS):
            continue
        if doc.forced is None and doc.is_request(si):
            continue  # the goals of the requested treatment are not its results
        transient = doc.search(rx["transient"], si) is not None  # "helps for a day, then the pain returns"
        for polarity, name in ((-1, "no_benefit"), (1, "benefit")):
            if transient and polarity > 0:
                continue
            for m in doc.sentence_matches(rx[name], si):
                status = _status(polarity, doc.ctx(si, m.start(), m.end()))
                if status is not None:
                    acc.add(doc, view.index, "prior_response", status, si)


def _read_prior_imaging(doc: _Doc, acc: _Acc, view: _ItemView) -> None:
    """Whether the same study of the same body part was already done."""
    rx = _rx()
    body = [rx[f"body:{b}"] for b in view.body_parts]
    for modality in view.modalities:
        stems = {"mri": ("mri", "magnetic", "mr"), "ct": ("ct", "computed", "cat"), "x-ray": ("x", "ray",
                                                                                              "radiograph",
                 "plain"), "emg": ("emg", "electromyograph", "electro"), "ncv": ("ncv", "ncs", "nerve",
                                                                                 "electro"),
                 "bone scan": ("bone",), "ultrasound": ("ultrasound", "sonogra")}[modality]
        for si, m in doc.matches(rx[f"modality:{modality}"], stems):
            if doc.forced is None and doc.is_request(si):
                continue  # "the RFA shows the following test was requested: an MRI of ..." is the request
            ctx = doc.ctx(si, m.start(), m.end())
            if body and not any(doc.search(b, si) for b in body) and (
                    ctx is Ctx.affirmed or doc.search(rx["body:any"], si)):
                continue  # about another body part ("no MRI was available" names none: it counts)
            if ctx is Ctx.affirmed and not doc.search(rx["done"], si):
                continue
            status = _status(1, ctx)
            if status is not None:
                target = doc.forced if doc.forced is not None else view.index
                if target == view.index:
                    acc.add(doc, view.index, "prior_imaging", status, si)


def _read_sessions(doc: _Doc, acc: _Acc) -> None:
    """Visits already completed of each kind of therapy ('completed 12 sessions of physical therapy')."""
    rx = _rx()
    by_kind: dict[str, list[_ItemView]] = {}
    for view in doc.items:
        if view.session_kind:
            by_kind.setdefault(view.session_kind, []).append(view)
    if not by_kind:
        return
    forced = doc.items[doc.forced] if doc.forced is not None else None
    for si, m in doc.matches(rx["sessions"], ("session", "visit", "treatment", "appointment")):
        if doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            continue
        s = doc.sents[si]
        if doc.forced is None and doc.is_request(si):
            continue  # "physical therapy 2 times a week for 4 weeks (8 sessions) was requested"
        if rx["frequency"].search(doc.norm, max(s.start, m.start() - 45), m.start()) and not rx[
                "sessions_done"].search(doc.norm, s.start, m.start()):
            continue  # "2 times a week for 4 weeks (8 sessions)" is a prescription, not visits had
        kind = None
        for lo, hi in ((m.start(), min(s.end, m.end() + 40)), (max(s.start, m.start() - 50), m.start())):
            hits = [(km.start(), k) for k in _SESSION_KINDS for km in rx[f"kind:{k}"].finditer(doc.norm, lo,
                                                                                               hi)]
            if hits:
                kind = (min(hits) if lo == m.start() else max(hits))[1]
                break
        if kind is None and forced is not None:
            kind = forced.session_kind
        n = _number(m.group("n"))
        if kind is None or n is None:
            continue
        for view in by_kind.get(kind, []):
            if doc.forced is None or doc.forced == view.index:
                acc.add(doc, view.index, "prior_sessions", int(n), si)
                acc.add(doc, view.index, "continuing_treatment", True, si)


def _read_surgery(doc: _Doc, acc: _Acc, as_of: date | None) -> None:
    """Prior surgery, on the body part of the item when the sentence names one, and how long ago."""
    rx = _rx()
    for si, m in doc.matches(rx["prior_surgery"], _SURGERY_STEMS + ("failed back",)):
        if doc.ctx(si, m.start(), m.end()) is not Ctx.affirmed:
            continue
        if doc.forced is not None:
            scopes: list[int | None] = [doc.forced]
        elif not doc.search(rx["body:any"], si):
            scopes = [None]
        else:  # the items of the body part it names, and items that name none (a drug, "post-op therapy")
            scopes = [v.index for v in doc.items
                      if not v.body_parts or any(doc.search(rx[f"body:{b}"], si) for b in v.body_parts)]
        s = doc.sents[si]
        when = [d for d in _dates.find_dates(doc.norm, s.start, s.end) if d.precision == "day"]
        for scope in scopes:
            acc.add(doc, scope, "prior_surgery", Tristate.documented, si)
            if when and as_of is not None:
                weeks = _dates.weeks_between(when[-1].value, as_of)
                if weeks >= 0:
                    acc.add(doc, scope, "weeks_since_surgery", weeks, si)


_TOPICAL_BRANDS = frozenset({"flector", "pennsaid"})
_TOPICAL_RX = re.compile(r"\d(?:\.\d+)? ?%|\b(?:creams?|gels?|ointments?|lotions?|topical\w*|patch(?:es)?"
                         r"|compound\w*|transdermal|liniments?|sprays?|solution|rub)\b")
_LIST_BREAK = re.compile(r"[,;:()]|\band\b")


def _topical_at(doc: _Doc, si: int, i: int, j: int) -> bool:
    """Whether the drug named at norm[i:j] is a topical one ('flurbiprofen 20% cream', 'topical diclofenac'):
    the words of its entry in a list, up to a comma or 'and'."""
    s = doc.sents[si]
    before = [m.end() for m in _LIST_BREAK.finditer(doc.norm, max(s.start, i - 40), i)]
    lo = before[-1] if before else max(s.start, i - 40)
    after = _LIST_BREAK.search(doc.norm, j, min(s.end, j + 60))
    hi = after.start() if after else min(s.end, j + 60)
    return _TOPICAL_RX.search(doc.norm, lo, hi) is not None


def _read_concurrent(doc: _Doc, acc: _Acc) -> None:
    """Other opioids, benzodiazepines and NSAIDs taken at the same time; drugs that raise GI risk."""
    rx = _rx()
    norm = doc.norm
    stops: dict[int, list[int]] = {}  # per sentence, where "discontinued", "failed", "tried" ... end
    found: dict[str, list[tuple[str, int]]] = {}
    oral: dict[str, list[int]] = {}  # NSAIDs taken by mouth now (not topical, not only requested)
    for word in doc.drug_words():
        generic = _CANON.get(word, word)
        i = norm.find(word)
        while i >= 0:
            j = i + len(word)
            si = doc.index_at(i)
            if (si is not None and not doc.skip[si] and (i == 0 or not norm[i - 1].isalnum())
                    and (j >= len(norm) or not norm[j].isalnum())):
                ends = stops.get(si)
                if ends is None:
                    ends = stops[si] = [m.end() for m in doc.sentence_matches(rx["stop_before_drug"], si)]
                if not any(e <= i for e in ends) and doc.ctx(si, i, j, _NO_HYP) is Ctx.affirmed:
                    found.setdefault(generic, []).append((word, si))
                    if (generic in _NSAID_GENERICS and not doc.is_request(si) and word not in _TOPICAL_BRANDS
                            and doc.ctx(si, i, j) is Ctx.affirmed and not _topical_at(doc, si, i, j)):
                        oral.setdefault(generic, []).append(si)
            i = norm.find(word, j)
    scope = doc.case_scope()
    for fact, generics in _CLASS_GENERICS.items():
        hits = {g: v for g, v in found.items() if g in generics or g in _CLASS_WORDS[fact]}
        if not hits:
            continue
        if doc.forced is None:  # the case takes a drug of the class
            for sites in hits.values():
                for _, si in sites:
                    acc.add(doc, None, fact, True, si)
        # for a requested drug of the class only *other* drugs count (a class word may name the drug itself)
        for view in doc.items:
            own_class = bool(view.canon & generics)
            if doc.forced != view.index and not (doc.forced is None and own_class):
                continue
            ignored = view.canon | _CLASS_WORDS[fact] if own_class else view.canon
            others = [si for g, sites in hits.items() if g not in ignored for _, si in sites]
            for si in others:
                acc.add(doc, view.index, fact, True, si)
            if not others and own_class:
                acc.add(doc, view.index, fact, False, min(si for sites in hits.values() for _, si in sites))
    nsaids = sorted(oral)  # multiple NSAIDs: oral ones the patient already takes
    if len(nsaids) >= 2:
        for g in nsaids:
            acc.add(doc, scope, "gi_risk", Tristate.documented, oral[g][0])
    for g in sorted(found):
        if g in _GI_RISK_GENERICS:
            acc.add(doc, scope, "gi_risk", Tristate.documented, found[g][0][1])


def _read_item_text(text: str, view: _ItemView, acc: _Acc) -> None:
    """The item as requested: 'additional', 'continued', 'renewal' or 'repeat' show a continuation."""
    rx = _rx()
    norm = normalize(text)
    bare = rx["item_refills"].sub(lambda m: " " * len(m.group()), norm)  # "with 1 refill" asks for refills
    continuing = view.kind in _CONTINUING_KINDS and rx["item_continuing"].search(bare)
    repeat = view.modalities and rx["item_repeat"].search(bare)
    ev = _evidence(text=clean(text), source="item", start=0, end=len(text))
    if rx["item_trial"].search(bare):  # "30 day trial of a TENS unit", "H-wave rental"
        acc.add_evidence(view.index, "trial_requested", Tristate.documented, (1, 0), ev)
    elif rx["item_purchase"].search(bare):
        acc.add_evidence(view.index, "trial_requested", Tristate.documented_false, (1, 0), ev)
    if not (continuing or repeat):
        return
    if continuing:
        acc.add_evidence(view.index, "continuing_treatment", True, (1, 0), ev)
    if repeat:
        acc.add_evidence(view.index, "prior_imaging", Tristate.documented, (1, 0), ev)


def _read_suspected_entrapment(doc: _Doc, acc: _Acc) -> None:
    """Numbness or tingling of the arms or hands that the physician works up as a nerve entrapment ('numbness
    of both upper extremities, rule out carpal tunnel syndrome'): symptoms of a suspected entrapment."""
    rx = _rx()
    for si in doc.candidates(("carpal", "cubital", "ulnar", "median", "entrapment", "nerve entrapment")):
        named = doc.search(rx["entrapment_named"], si)
        if not named or doc.ctx(si, named.start(), named.end()) is Ctx.negated:
            continue
        for m in doc.sentence_matches(rx["arm_paresthesia"], si):
            if doc.ctx(si, m.start(), m.end()) is Ctx.affirmed:
                acc.add(doc, doc.case_scope(), "entrapment_signs", Tristate.documented, si)
                return


def _read_imaging(doc: _Doc, acc: _Acc) -> None:
    """Imaging or electrodiagnostic results that show pathology ('MRI revealed a disc protrusion')."""
    rx = _rx()
    scope = doc.case_scope()
    for si in doc.candidates(_IMG_STEMS):
        s = doc.sents[si]
        study = rx["img_any"].search(doc.norm, s.start, s.end)
        if not study or doc.ctx(si, study.start(), study.end(), _NO_NEG) is not Ctx.affirmed:
            continue
        result = rx["img_result"].search(doc.norm, study.end(), s.end)
        if not result:
            continue
        statuses = set()
        for m in rx["img_finding"].finditer(doc.norm, result.end(), s.end):
            ctx = doc.ctx(si, m.start(), m.end())
            if ctx in (Ctx.affirmed, Ctx.negated):
                statuses.add(_status(1, ctx))
        if Tristate.documented in statuses:
            acc.add(doc, scope, "imaging_corroborates", Tristate.documented, si)
        elif statuses:
            acc.add(doc, scope, "imaging_corroborates", Tristate.documented_false, si)


def _read(doc: _Doc, acc: _Acc, as_of: date | None) -> None:
    """Every reader over one text (the dates are read first, by the caller)."""
    _read_lexicon(doc, acc)
    _read_uds(doc, acc, as_of)
    _read_imaging(doc, acc)
    _read_suspected_entrapment(doc, acc)
    _read_patient(doc, acc)
    _read_pain(doc, acc)
    _read_conservative_weeks(doc, acc)
    _read_conservative_failed(doc, acc)
    _read_items(doc, acc, as_of)
    _read_surgery(doc, acc, as_of)
    _read_concurrent(doc, acc)


# =====================================================================================
# Extraction: facts that follow from other facts
# =====================================================================================


def _derive(acc: _Acc, as_of: date | None) -> None:
    """Facts that follow from what was read: time since injury, red flags from diagnoses, and the like."""
    obs = acc.obs

    def values(scope: int | None, fact: str) -> list[_Obs]:
        return obs.get((scope, fact), [])

    injury = values(None, "injury_date")
    if injury and as_of is not None:
        weeks = _dates.weeks_between(min(o.value for o in injury), as_of)
        if weeks >= 0:
            acc.add_derived(None, "weeks_since_injury", weeks,
                            f"{weeks:g} weeks from the injury to {as_of.isoformat()}")
            if not values(None, "chronic_pain"):
                status = Tristate.documented if weeks >= 12 else Tristate.documented_false
                acc.add_derived(None, "chronic_pain", status,
                                f"{weeks:g} weeks since the injury ({'at least' if weeks >= 12 else 'under'}"
                                f" 12)")
    ages = values(None, "age")
    if ages and ages[0].value > 65:
        obs.setdefault((None, "gi_risk"), []).append(_Obs(Tristate.documented, ages[0].order,
                                                          ages[0].evidence))
    for scope in sorted({scope for scope, _ in obs}, key=lambda s: -1 if s is None else s):
        flags: dict[str, _Obs] = {}
        for o in values(scope, "diagnoses"):
            flags.setdefault(o.value, o)
        for o in values(scope, "_red_flag")[:1]:
            obs.setdefault((scope, "red_flags"), []).append(_Obs(Tristate.documented, o.order, o.evidence))
        for flag in ("hypertension", "cardiovascular_disease", "renal_disease"):
            if flag in flags:
                obs.setdefault((scope, "cv_risk"), []).append(
                    _Obs(Tristate.documented, flags[flag].order, flags[flag].evidence))
        documented = {fact: [o for o in values(scope, fact) if o.value == Tristate.documented]
                      for fact in ("neurologic_deficit", "imaging_corroborates",
                                   "straight_leg_raise_positive")}
        for fact in ("neurologic_deficit", "imaging_corroborates"):
            for o in documented[fact][:1]:
                obs.setdefault((scope, "physiologic_evidence"), []).append(_Obs(Tristate.documented, o.order,
                                                                               o.evidence))
        if documented["neurologic_deficit"] and documented["straight_leg_raise_positive"]:
            for o in (documented["straight_leg_raise_positive"][0], documented["neurologic_deficit"][0]):
                obs.setdefault((scope, "radiculopathy_on_exam"), []).append(_Obs(Tristate.documented, o.order,
                                                                                o.evidence))
        if scope is not None and values(scope, "weeks_of_use") and not any(
                o.value is True for o in values(scope, "continuing_treatment")):
            first = values(scope, "weeks_of_use")[0]
            obs.setdefault((scope, "continuing_treatment"), []).append(_Obs(True, first.order,
                                                                            first.evidence))


def _build(acc: _Acc, n_items: int, as_of: date | None, as_of_evidence: Evidence | None) -> CaseFacts:
    common: dict[str, FactValue] = {}
    per_item: list[dict[str, FactValue]] = [{} for _ in range(n_items)]
    for (scope, fact), obs in sorted(acc.obs.items(), key=lambda kv: kv[0][1]):
        if fact.startswith("_"):
            continue
        (common if scope is None else per_item[scope])[fact] = _combine(fact, obs)
    if as_of is not None:
        common["as_of"] = _fact_value(
            value=as_of, evidence=[as_of_evidence] if as_of_evidence is not None else [])
    return CaseFacts.model_construct(common=common, per_item=per_item, as_of=as_of)


# =====================================================================================
# Public API
# =====================================================================================


def _read_summary(text: str, source: Source, views: list[_ItemView], items: list[RequestedItem],
                  as_of: date | None) -> tuple[_Acc, date | None, Evidence | None]:
    """Read the case text and the item texts; the as-of date is the one given, else the latest in the text."""
    acc = _Acc()
    doc = _Doc(text, source, views)
    latest = _read_dates(doc, acc)
    if as_of is None and latest is not None:
        as_of, evidence = latest, acc.obs[(None, "_latest_date")][0].evidence
    elif as_of is not None:
        evidence = _evidence(text=f"as-of date given: {as_of.isoformat()}", source="derived",
                                            start=None, end=None)
    else:
        evidence = None
    _read(doc, acc, as_of)
    for view, item in zip(views, items, strict=True):
        _read_item_text(item.text, view, acc)
    return acc, as_of, evidence


def extract_facts(text: str, items: list[RequestedItem] | None = None, *, source: Source = "note",
                  as_of: date | None = None) -> CaseFacts:
    """The declared case facts of a progress note or a letter's case summary, each with its evidence.

    `items` are the requested items: facts about one item (how long *this* drug has been used, visits of
    *this* therapy already had, whether *it* helped) go to `per_item[i]`, aligned with `items`. Each item's
    own text is read too ('additional', 'renewal', 'repeat'). `as_of` is the date the request is judged
    at (a letter's decision date); without it, the latest clinical date in the text is used. A
    three-valued fact the text never mentions is absent (rules read absent as not documented).
    """
    items = list(items or [])
    views = [_view(i, item) for i, item in enumerate(items)]
    acc, as_of, evidence = _read_summary(text, source, views, items, as_of)
    _derive(acc, as_of)
    facts = _build(acc, len(items), as_of, evidence)
    _item_totals(items, facts)
    return facts


def rationale_sentences(rationale: str) -> list[tuple[str, bool]]:
    """Each sentence of a rationale, and whether it is read in fidelity mode.

    Dropped: sentences that state the decision or medical necessity ('... is not medically
    necessary', 'Therefore, ... is not recommended', 'the request for X is ...'), sentences about
    utilization review, and sentences that only restate a guideline.
    """
    doc = _Doc(rationale, "rationale", [])
    return [(clean(rationale[s.start:s.end]), not doc.skip[i]) for i, s in enumerate(doc.sents)]


def _parse_items(letter: Letter) -> list[RequestedItem]:
    """The letter's items as data; a bare RequestedItem when the item parser is not available."""
    from imr_rules.items import RequestedItem

    try:
        from imr_rules.items import parse_item  # type: ignore[attr-defined]
    except ImportError:  # the item parser is optional here: the text alone still names the item
        parse_item = None
    out: list[RequestedItem] = []
    for letter_item in letter.items:
        parsed = parse_item(letter_item.text) if parse_item is not None else None
        out.append(parsed if parsed is not None else RequestedItem(text=letter_item.text))
    return out


def facts_from_letter(letter: Letter, mode: Mode) -> tuple[list[RequestedItem], CaseFacts]:
    """The requested items and case facts of a letter, in one of the two modes.

    prediction: only what was known before the decision — the clinical case summary and each
    item's text. fidelity: also each item's rationale (its decision sentences removed), read for
    that item alone; the reviewer's findings override the summary's for the item.

    Two dates. `CaseFacts.as_of` (the guideline version) is the letter's decision date, else the
    latest clinical date in the summary. Time windows (weeks since injury, chronic pain at three
    months, weeks of use, weeks of conservative care, weeks since surgery or the last drug screen)
    are measured at the *request*: the clinical reference date is the UR denial date when the
    header gives one, else the decision date, else the latest clinical date. The header's date of
    injury wins over one read from the text.
    """
    if mode not in ("prediction", "fidelity"):
        raise ValueError(f"mode must be 'prediction' or 'fidelity', not {mode!r}")
    items = _parse_items(letter)
    views = [_view(i, item) for i, item in enumerate(items)]
    reference = letter.ur_denial_date or letter.decision_date
    acc, latest, evidence = _read_summary(letter.summary, "summary", views, items, reference)
    if letter.decision_date is not None:
        as_of: date | None = letter.decision_date
        evidence = _evidence(text=f"Decision Date: {letter.decision_date.isoformat()}",
                                            source="header", start=None, end=None)
    else:
        found = acc.obs.get((None, "_latest_date"))
        as_of, evidence = (found[0].value, found[0].evidence) if found else (None, None)
    latest = as_of
    if letter.date_of_injury is not None:
        acc.obs[(None, "injury_date")] = [_Obs(letter.date_of_injury, (-1, 0), _evidence(
            text=f"Date of Injury: {letter.date_of_injury.isoformat()}", source="header", start=None,
            end=None))]
    reference = reference or latest
    _derive(acc, reference)
    facts = _build(acc, len(items), as_of, evidence)
    _letter_item_facts(letter, facts)
    if mode == "fidelity":
        for i, letter_item in enumerate(letter.items):
            if letter_item.rationale.strip():
                _merge_rationale(facts, i, _rationale_facts(letter_item.rationale, views, i, reference))
    _item_totals(items, facts)
    return items, facts


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


def _letter_item_facts(letter: Letter, facts: CaseFacts) -> None:
    """Facts an item's heading states: the part of the original request UR authorized."""
    for i, item in enumerate(letter.items):
        if i >= len(facts.per_item):
            break
        kind = partial_authorization(item.text, item.authorized)
        if kind is None:
            continue
        said = f"{item.original_request or item.text}; authorized: {item.authorized}; remaining: {item.text}"
        facts.per_item[i]["ur_partial_authorization"] = _fact_value(
            value=kind, evidence=[_evidence(text=clean(said), source="item", start=None,
                                                           end=None)])


def _rationale_facts(rationale: str, views: list[_ItemView], index: int, as_of: date | None) -> dict[str,
                                                                                                     FactValue]:
    """Facts the reviewer's rationale states about item `index` (decision sentences removed)."""
    acc = _Acc()
    _read(_Doc(rationale, "rationale", views, forced=index), acc, as_of)
    _derive(acc, as_of)
    built = _build(acc, len(views), None, None)
    return built.per_item[index]


_MAX_MERGED = frozenset({"weeks_of_use", "prior_sessions"})


def _merge_rationale(facts: CaseFacts, index: int, found: dict[str, FactValue]) -> None:
    """The reviewer's findings for an item override the summary's; diagnoses add up; the longest use stays."""
    own = facts.per_item[index]
    merged = facts.for_item(index)
    for name, fv in found.items():
        before = merged.get(name)
        if name == "diagnoses" and before is not None:
            flags = list(dict.fromkeys([*before.value, *fv.value]))  # type: ignore[misc]
            own[name] = _fact_value(value=flags, evidence=_dedupe([*before.evidence,
                                                                                 *fv.evidence]))
        elif name in _MAX_MERGED and before is not None and before.value >= fv.value:  # type: ignore[operator]
            continue
        else:
            own[name] = fv
