"""Words the readers look for: kinds of treatment, drug names and classes, and what they are taken to mean."""

from __future__ import annotations

import re


def _alt(*alternatives: str) -> str:
    """A pattern matching any of `alternatives` (one per line keeps long patterns readable)."""
    return "|".join(alternatives)



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
