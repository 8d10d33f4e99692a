"""One text in its normal form, split into sentences once, with what each sentence is about cached."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cache
from itertools import accumulate, compress, repeat
from operator import add

from imr_rules.context import Ctx, Trigger, classify, find_triggers
from imr_rules.facts.itemviews import _ItemView, _kinds_in
from imr_rules.facts.patterns import _PATTERNS, _UR_STEMS, _rx
from imr_rules.facts.values import Evidence, Source, _evidence
from imr_rules.facts.vocabulary import (
    _ALL_DRUGS,
    _ALNUM_RUN,
    _DRUGS_BY_FIRST_WORD,
    _KEY_RX,
    _KIND_STEMS,
    _ONE_WORD_DRUGS,
    _WORD_RX,
)
from imr_rules.sentences import clean, first_words, normalize, split_sentences

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
