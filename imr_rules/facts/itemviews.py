"""The requested items as the text names them: the words that tell which item a sentence is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from imr_rules.facts.patterns import _rx
from imr_rules.facts.vocabulary import (
    _BODY_TERMS,
    _BRANDS,
    _CANON,
    _CLASS_NAMES,
    _CLASS_OF,
    _COMBINATION_PARTNERS,
    _DRUG_MARKERS,
    _KEY_RX,
    _KIND_TERMS,
    _MODALITY_TERMS,
    _NAME_STOPWORDS,
    _SESSION_KINDS,
    _WORD_RX,
)
from imr_rules.sentences import first_words, normalize

if TYPE_CHECKING:
    from imr_rules.items import RequestedItem


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
