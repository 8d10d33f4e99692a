"""Is a finding affirmed, negated, undocumented, uncertain or only planned? (ConText-style)

A finding's words are not the finding: "no documentation of functional
improvement", "denies improvement", "to rule out a herniated disc", "MRI to be
ordered" all contain the words of a finding that the record does not affirm.
Following ConText (Chapman et al.), trigger phrases open a scope that runs
forward (or backward) from the trigger to the end of the sentence, a
terminator ("but", "however", "which", ";") or a window of characters,
whichever comes first; pseudo-triggers ("no change", "not only") look like
triggers and are not.

The categories matter to the rules: "not documented" is what a reviewer means
by "no documentation of ..." and differs from a documented "no" ("denies
side effects"). Hand-written triggers over the normal form (see
`imr_rules.sentences.normalize`), tried only where a word starts the way a
trigger does, cost some microseconds a sentence; no NLP library is needed.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from imr_rules import regexes
from imr_rules.sentences import alternatives, first_words, spaced


class Ctx(StrEnum):
    """How the record states a finding."""

    affirmed = "affirmed"
    negated = "negated"
    not_documented = "not_documented"
    uncertain = "uncertain"
    hypothetical = "hypothetical"


def _any(*alternatives: str) -> str:
    """A pattern matching any of `alternatives` (one per line keeps the trigger lists readable)."""
    return "|".join(alternatives)


_DOC_NOUNS = (
    r"(?:documentation|documented|evidence|indication|indications|mention|notation|record|records|report"
    r"|reports|description|rationale|objective|clear|clinical|noted|reported|quantification|measurable)"
)
_TOLERANCES = r"(?:improvement|improvements|benefit|relief|response|progress|change|changes|success|efficacy)"

# Order matters: at one position the first alternative that matches wins, so
# pseudo-triggers come first, then the more specific triggers.
_GROUPS: list[tuple[str, str]] = [
    ("pseudo", _any(
        r"\bno (?:significant |further )?(?:change|changes) (?=in (?:the )?(?:size|appearance|medication|dose"
        r"|plan))",
        r"\b(?:he|she|the (?:patient|injured worker|claimant|applicant|worker)) (?:has |had )?requested\b",
        r"\bnot only\b",
        r"\bnot just\b",
        r"\bnot necessarily\b",
        r"\bno increase\b",
        r"\bwithout (?:difficulty|further|delay)\b",
        r"\bgram[- ]negative\b",
        r"\bdoes not (?:address|mention the use)\b",
        r"\brequesting (?:physician|provider|doctor|report|note|clinician|surgeon|practitioner)s?\b",
    )),
    # -- not documented ------------------------------------------------------------------
    # "lack of documentation regarding the number of sessions completed and objective improvement":
    # an explicit statement that the record lacks something reaches to the end of the clause
    ("docfl", _any(
        r"\b(?:lack|absence|paucity) of (?:any |clear |adequate |sufficient |specific |objective )?"
        r"(?:documentation|documented evidence|information)\b",
        r"\bno (?:clear |adequate |sufficient |specific |objective )?documentation\b",
    )),
    ("docf", _any(
        rf"\bno (?:[a-z/'-]+ ){{0,3}}?{_DOC_NOUNS}(?: however)?\b",
        r"\bnot (?:been )?any(?= (?:[a-z-]+ )?(?:notation|documentation|mention|evidence|indication|report))",
        rf"\b(?:lack|absence|paucity)(?! of (?:any |significant |objective "
        rf"|meaningful )?{_TOLERANCES})(?: of)?\b",
        r"\b(?:fails?|failed|failure) to (?:document|establish|demonstrate|describe|indicate|mention|show"
        r"|report|note|specify|provide|detail|quantify|address|identify|discuss|clarify|outline|reflect)\b",
        r"\b(?:does|did|do) not (?:clearly |specifically |adequately )?(?:document|establish|demonstrate"
        r"|describe|indicate|mention|show|report|specify|detail|quantify|identify|discuss|clarify|include"
        r"|reflect|note|outline|suggest|support)\b",
        rf"\bwithout (?:any )?(?:clear |objective |specific )?{_DOC_NOUNS}\b",
        r"\bnone of the (?:reports|records|notes|documentation|documents)\b",
        r"\bundocumented\b",
        r"\bunclear (?:whether|if|how|what|why)\b",
        r"\bnot (?:clearly )?(?:known|clear)\b",
    )),
    ("docfb", _any(
        r"\b(?:(?:is|was|were|are|has|have|had) )?(?:not|never) (?:been )?(?:clearly |specifically "
        r"|adequately |objectively |explicitly "
        r"|well )?(?:documented|noted|reported|described|provided|mentioned|evident|indicated|established"
        r"|stated|detailed|specified|submitted|available|included|quantified|addressed|identified|recorded"
        r"|outlined|discussed|demonstrated|evidenced)\b",
    )),
    ("docb", r"\b(?:is|was|were|are|remains?) (?:unclear|unknown|undocumented)\b"),
    # -- negated ---------------------------------------------------------------------------
    ("negb", _any(
        r"\b(?:is|was|are|were) not (?:a |an )?(?:likely|probable|present|seen|found|appreciated|elicited"
        r"|observed)\b",
        r"\bunlikely\b",
        r"\b(?:was|were|is|are|been) (?:ruled out|excluded|resolved|negative(?! for))\b",
        r"\b(?:has|have) resolved\b",
    )),
    ("negfb", _any(
        r"\bnegative\b(?! for)",
        r"\bdenied\b",
        r"\b(?:was|were|has|have|had) (?:not|never) (?:been )?(?:completed|done|performed|obtained|conducted"
        r"|attempted|tried|trialed|trialled|checked|reviewed|queried|signed|collected)\b",
    )),
    ("negf", _any(
        r"\bno\b",
        r"\bnone\b",
        r"\bnever\b",
        r"\bneither\b",
        r"\bnor\b",
        r"\bwithout\b",
        r"\bdenie[sd]\b",
        r"\bdeny(?:ing)?\b",
        r"\bnegative for\b",
        r"\bfree of\b",
        r"\bruled out\b",
        r"\brules out\b",
        r"\bfails? to (?:reveal|show|demonstrate)\b",
        r"\b(?:did|does|do|has|have|had|could|can|was|were|is|are) not(?= (?:[a-z]+ )?(?:improve|improved"
        r"|help|helped|give|gave|provide|provided|have|had|experience|report|show|reveal|demonstrate|respond"
        r"|responded|benefit|benefited|change|work|get|obtain|achieve|achieved|notice|tolerate|tolerated|feel"
        r"|see|return|returned|participate|participated|try|tried|undergo|undergone|receive|received|made"
        r"|make|gain|gained|reduce|reduced|decrease|decreased|increase|increased|been|trialed|failed|attend"
        r"|attended|complete|completed))",
        rf"\b(?:lack|absence|paucity)(?= of (?:any |significant |objective |meaningful )?{_TOLERANCES})",
        r"\bno longer\b",
        r"\b(?:cannot|can not|could not) be (?:considered|deemed|said|regarded) (?:as |to be "
        r"|to have )?(?:having )?",
        r"\babsent(?= (?:any )?(?:red[- ]?flags?|signs? of)\b)",
        r"\bintoleran(?:t|ce) (?:of|to)\b",
    )),
    ("notf", _any(
        r"\bnot\b",
        r"n't\b",
    )),
    # -- uncertain -------------------------------------------------------------------------
    ("uncb", _any(
        r"\b(?:is|was|are|were|be) (?:suspected|possible|questioned|questionable|considered|likely|probable"
        r"|presumed|uncertain)\b",
        r"\?",
    )),
    ("uncf", _any(
        r"\bpossib(?:le|ly|ility)\b",
        r"\bprobabl[ey]\b",
        r"\blikely\b",
        r"\bsuspect(?:ed|s)?\b",
        r"\bsuspicio(?:n|us) (?:of|for)\b",
        r"\bquestionable\b",
        r"\bquery\b",
        r"\b(?:to )?rule[- ]?out\b",
        r"\br/o\b",
        r"\bconcern (?:for|of)\b",
        r"\b(?:may|might|could) (?:have|be|represent|indicate|reflect)\b",
        r"\bcannot (?:be )?(?:excluded|ruled out)\b",
        r"\bdifferential\b",
        r"\b(?:evaluate|assess|screen|test) (?:for|whether)\b",
        r"\b(?:to )?(?:confirm|determine|check|see|assess|evaluate) (?:if|whether|for)\b",
        r"\bpresum(?:ed|ptive)\b",
        r"\bversus\b",
        r"\bvs\b",
        r"\bvague\b",
        r"\bnon-?specific\b",
        r"\bunconfirmed\b",
        r"\bnot (?:certain|sure)\b",
        r"\bwhether\b",
        r"\bapparently\b",
        r"\b(?:at )?risks? (?:of|for)\b",
        r"\breportedly\b(?= (?:had|has|have) (?:a |an )?(?:diagnos|history))",
    )),
    # -- hypothetical (planned, wished for, or about someone else) -------------------------
    ("hypfb", _any(
        r"\b(?:requested|recommended|planned|proposed)\b",
        r"\b(?:is|was|are|were|be|been) (?:being )?(?:requested|recommended|planned|proposed|ordered"
        r"|scheduled|pending|approved|authorized|sought|considered|prescribed for|under consideration"
        r"|referred)\b",
        r"\bto be (?:considered|done|performed|scheduled|ordered|obtained)\b",
    )),
    ("hypb", r"\b(?:authorized|approved)\b"),
    ("hypf", _any(
        r"\bif\b",
        r"\bwould\b",
        r"\bshould\b",
        r"\bcould\b",
        r"\bwill\b",
        r"\bin order to\b",
        r"\bso as to\b",
        r"\b(?:goal|goals)(?: (?:of|for) (?:the )?(?:[a-z-]+ ){0,3}?[a-z-]+)? ?:",
        r"\bgoal\b",
        r"\bgoals\b",
        r"\bto (?:help|improve|restore|increase|reduce|decrease|prevent|avoid|facilitate|maximize|allow"
        r"|return|address|treat|manage|control|assist|promote|relieve|alleviate|rule|evaluate|assess|confirm"
        r"|determine|establish|monitor|maintain|enable|continue)\b",
        r"\bplan(?:s|ned|ning)?\b",
        r"\brecommend(?:s|ed|ing|ation|ations)?\b",
        r"\brequest(?:s|ed|ing)?\b",
        r"\bauthoriz(?:e|ed|ation)\b",
        r"\bapproved\b",
        r"\border(?:ed|s)?\b",
        r"\bsought\b",
        r"\bseek(?:ing)?\b",
        r"\bconsider(?:s|ed|ing|ation)?\b",
        r"\bcandidate\b",
        r"\bpending\b",
        r"\bawait(?:s|ing)?\b",
        r"\bscheduled\b",
        r"\brefer(?:red|ral|rals)?\b",
        r"\bproposed?\b",
        r"\bintend(?:s|ed)?\b",
        r"\bexpected\b",
        r"\banticipated\b",
        r"\bhop(?:e|es|ed|ing)\b",
        r"\bfamily history\b",
        r"\b(?:mother|father|sister|brother|spouse|wife|husband)\b",
        r"\bin the event\b",
        r"\bwants?\b",
        r"\bwish(?:es)?\b",
        r"\bmight\b",
        r"\bunder consideration\b",
        r"\bprescribe\b",
        r"\bneeds? to\b",
        r"\bmay\b(?! \d)",
    )),
    # -- terminators -----------------------------------------------------------------------
    ("term", _any(
        r"\bbut\b",
        r"\bhowever\b",
        r"\balthough\b",
        r"\bthough\b",
        r"\bexcept\b",
        r"\baside from\b",
        r"\bapart from\b",
        r"\byet\b",
        r"\bwhereas\b",
        r"\bwhich\b",
        r"\bwho\b",
        r"\bwhile\b",
        r"\bstill\b",
        r"\bdespite\b",
        r"[;:]",
        r"\band (?=(?:he|she|the patient|the injured worker|the claimant|the applicant|there|it|his|her) )",
    )),
    # a comma ends the scope of uncertainty ("possible sacroiliac syndrome, depression, anxiety")
    ("comma", r","),
]


@cache
def _trigger_rx() -> re.Pattern[str]:
    """Every trigger in one pattern (compiled on first use, to keep imports fast)."""
    return regexes.compile("|".join(f"(?P<{name}>{spaced(rx)})" for name, rx in _GROUPS))


@cache
def _lead_index() -> dict[str, str] | None:
    """For each way a trigger can start (first three letters, a whole short word, a punctuation mark),
    the pattern of just those triggers, groups in their order; None if some start cannot be told.
    Each is compiled when a text first has a word it may start at (see `_lead_rx`).

    Building it respaces some hundreds of patterns, a fair share of a one-off `check`, so it is kept
    in the on-disk cache under a digest of the modules it is built from (this one and `sentences`)."""
    import sys

    from imr_rules import cache, sentences

    module = sys.modules[__name__]
    return cache.cached("context-leads", lambda: cache.digest([], [module, sentences]), _build_lead_index,
                        lambda built: built is not None)


def _build_lead_index() -> dict[str, str] | None:
    """The patterns of `_lead_index`, built."""
    by_lead: dict[str, dict[str, list[str]]] = {}
    for name, rx in _GROUPS:
        for alternative in alternatives(rx):
            if alternative in ("[;:]", ",", "\\?"):
                leads = {";", ":"} if alternative == "[;:]" else {alternative[-1]}
            else:
                found = first_words(alternative)
                if found is None:
                    return None
                leads = {lead[:3] for lead in found}
            for lead in leads:
                by_lead.setdefault(lead, {}).setdefault(name, []).append(alternative)
    order = [name for name, _ in _GROUPS]
    return {
        lead: "|".join(f"(?P<{name}>{spaced('|'.join(groups[name]))})" for name in order if name in groups)
        for lead, groups in by_lead.items()
    }


_NO_TRIGGER: re.Pattern[str] = re.compile(r"(?!)")
_LEAD_RX: dict[str, re.Pattern[str]] = {}


def _lead_rx(sources: dict[str, str], lead: str) -> re.Pattern[str]:
    """The compiled pattern of the triggers starting with `lead` (one that never matches for a lead
    no trigger has), remembered."""
    source = sources.get(lead)
    rx = _LEAD_RX[lead] = regexes.compile(source) if source is not None else _NO_TRIGGER
    return rx


_TOKEN_RX = re.compile(r"[a-z]+|[,;:?]")

_KIND: dict[str, Ctx | None] = {
    "docfl": Ctx.not_documented, "docf": Ctx.not_documented, "docfb": Ctx.not_documented,
    "docb": Ctx.not_documented,
    "negf": Ctx.negated, "negfb": Ctx.negated, "negb": Ctx.negated, "notf": Ctx.negated,
    "uncf": Ctx.uncertain, "uncb": Ctx.uncertain, "hypf": Ctx.hypothetical, "hypb": Ctx.hypothetical,
    "hypfb": Ctx.hypothetical,
    "pseudo": None, "term": None, "comma": None,
}
# How far (characters) a trigger's scope reaches forward and backward.
_WINDOW: dict[str, tuple[int, int]] = {
    "docfl": (220, 0), "docf": (110, 0), "docfb": (80, 70), "docb": (0, 70),
    "negf": (70, 0), "negfb": (45, 30), "negb": (0, 50), "notf": (35, 0),
    "uncf": (70, 0), "uncb": (0, 50),
    "hypf": (110, 0), "hypb": (0, 70), "hypfb": (110, 70),
}
# When several triggers reach a finding, the strongest statement wins.
_RANK = {Ctx.not_documented: 4, Ctx.negated: 3, Ctx.uncertain: 2, Ctx.hypothetical: 1}


class Trigger(NamedTuple):
    start: int
    end: int
    group: str


def find_triggers(norm: str, start: int, end: int) -> list[Trigger]:
    """The context triggers and terminators in norm[start:end] (a sentence of the normal form).

    Every trigger starts a word (or is punctuation), so the patterns are tried only where a word
    starts with letters some trigger starts with: the same matches as scanning every position,
    several times faster.
    """
    by_lead = _lead_index()
    if by_lead is None or "'" in norm[start:end]:
        return [Trigger(m.start(), m.end(), m.lastgroup or "")
                for m in _trigger_rx().finditer(norm, start, end)]
    found: list[Trigger] = []
    pos = start
    known = _LEAD_RX.get
    for tok in _TOKEN_RX.finditer(norm, start, end):
        at = tok.start()
        if at < pos:
            continue
        lead = tok.group()[:3]
        rx = known(lead)
        if rx is None:
            rx = _lead_rx(by_lead, lead)
        if rx is not _NO_TRIGGER:
            m = rx.match(norm, at, end)
            if m:
                found.append(Trigger(at, m.end(), m.lastgroup or ""))
                pos = m.end()
    return found


def classify(triggers: list[Trigger], start: int, end: int, *, ignore: frozenset[Ctx] = frozenset()) -> Ctx:
    """How the sentence with `triggers` states the finding at [start, end).

    `ignore` drops categories that do not matter for a finding (a planned
    refill still shows the treatment continues, so `continuing_treatment`
    ignores `hypothetical`).
    """
    best: Ctx = Ctx.affirmed
    best_rank = 0
    comma = False
    # forward: the nearest triggers before the finding, up to a terminator
    # (a trigger that starts before the finding and spans it, as "no MRI report" spans "MRI", counts)
    for trig in reversed(triggers):
        spans = trig.end > start and trig.end >= end and trig.group not in ("docf", "docfl")
        if trig.start >= start or spans:
            continue
        if trig.group == "term":
            break
        comma = comma or trig.group == "comma"
        kind = _KIND[trig.group]
        if kind is None or kind in ignore or (comma and kind is Ctx.uncertain):
            continue
        reach = _WINDOW[trig.group][0]
        if reach and start - trig.end <= reach and _RANK[kind] > best_rank:
            best, best_rank = kind, _RANK[kind]
    # backward: triggers after the finding, up to a terminator
    comma = False
    for trig in triggers:
        if trig.start < end:
            continue
        if trig.group == "term":
            break
        comma = comma or trig.group == "comma"
        kind = _KIND[trig.group]
        if kind is None or kind in ignore or (comma and kind is Ctx.uncertain):
            continue
        reach = _WINDOW[trig.group][1]
        if reach and trig.start - end <= reach and _RANK[kind] > best_rank:
            best, best_rank = kind, _RANK[kind]
    return best
