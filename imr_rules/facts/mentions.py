"""The lexicon reader: diagnoses and documentation statements, found word by word in text order."""

from __future__ import annotations

import re
import sys
from functools import cache
from itertools import compress

from imr_rules.context import Ctx
from imr_rules.facts.document import _Doc
from imr_rules.facts.observations import _Acc
from imr_rules.facts.patterns import (
    _DIAGNOSES,
    _OUTCOME_FACTS,
    _RED_FLAG_DIAGNOSES,
    _TRISTATE_SPECS,
    _rx,
    _Spec,
    _stems_of,
)
from imr_rules.facts.readers import _status
from imr_rules.facts.vocabulary import _BODY_TERMS, _KEY_RX
from imr_rules.sentences import alternatives, compile_spaced, first_words

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
    from imr_rules.facts import patterns

    modules = [sys.modules[__name__], patterns, sentences]
    filed, slow = cache.cached("lexicon-plan", lambda: cache.digest([], modules), _lexicon_plan,
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
