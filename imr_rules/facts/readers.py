"""Readers, one per group of facts: each finds its phrases in a document and files what they say."""

from __future__ import annotations

import re
from datetime import date

from imr_rules import dates as _dates
from imr_rules.context import Ctx
from imr_rules.facts.document import _Doc
from imr_rules.facts.itemviews import _CONTINUING_KINDS, _ItemView
from imr_rules.facts.observations import _Acc
from imr_rules.facts.patterns import _EXCEEDS, _IMG_STEMS, _NO_HYP, _NO_NEG, _SURGERY_STEMS, _UDS_STEMS, _rx
from imr_rules.facts.values import Tristate, _evidence
from imr_rules.facts.vocabulary import (
    _CANON,
    _CLASS_GENERICS,
    _CLASS_WORDS,
    _GI_RISK_GENERICS,
    _NSAID_GENERICS,
    _NUMBER_WORDS,
    _SESSION_KINDS,
    _UNIT_WEEKS,
    LONG_USE_WEEKS,
    REFILL_WEEKS,
)
from imr_rules.sentences import clean, normalize


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
