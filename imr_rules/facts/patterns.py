"""The patterns facts are read with, written with single spaces (see `imr_rules.sentences.spaced`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from imr_rules.context import Ctx
from imr_rules.facts.vocabulary import _BODY_TERMS, _KIND_TERMS, _MODALITY_TERMS, _alt
from imr_rules.sentences import compile_spaced


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
