"""The YAML lexicons (drug names, procedure words, body parts) loaded, checked and compiled.

Vocabulary lives in `rules/lexicon/*.yaml` so that a rule author can add a brand or a
misspelling without touching code. Loading checks every entry against the topic list and
reports a bad entry by file and line; the compiled matchers are built once and cached,
because item parsing runs for every item of every letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import ConfigDict, Field, ValidationError

from imr_rules.errors import InputError
from imr_rules.model import Model
from imr_rules.paths import data_file
from imr_rules.yamlio import LineDict, load_yaml_file

_L = TypeVar("_L")

DRUGS_FILE = "lexicon/drugs.yaml"
PROCEDURES_FILE = "lexicon/procedures.yaml"

# The values of item.route, item.kind, item.body_parts and item.laterality (rules/facts.yaml).
Route = Literal["oral", "topical", "transdermal", "sublingual", "buccal", "intranasal", "injection", "other"]
Kind = Literal[
    "drug", "imaging", "physical_therapy", "chiropractic", "acupuncture", "injection", "electrodiagnostic",
    "surgery", "dme", "office_visit", "psych", "home_health", "program", "lab", "other",
]
BodyPart = Literal[
    "lumbar_spine", "cervical_spine", "thoracic_spine", "shoulder", "elbow", "wrist", "hand", "hip", "knee",
    "ankle", "foot", "head", "brain", "chest", "abdomen", "pelvis", "sacroiliac", "upper_extremity",
    "lower_extremity", "whole_body", "other",
]
Side = Literal["left", "right", "bilateral"]


# ---------------------------------------------------------------- models of the files


class _Strict(Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DrugClass(_Strict):
    """A drug class and the topic its drugs fall under."""

    title: str
    topic: str
    topical_class: str | None = Field(None, description="Class when applied to the skin")
    patch_topic: str | None = Field(None, description="Topic of a single-ingredient patch")
    injected_topic: str | None = Field(None, description="Topic when injected")


class DrugEntry(_Strict):
    """One product or generic, under every name a request may use for it."""

    generic: str | None
    drug_class: str = Field(alias="class")
    names: list[str] = Field(min_length=1)
    ingredients: list[str] = Field(default_factory=list)
    topic: str | None = None
    route: Route = "oral"
    extended_release: bool = False
    form: str | None = None

    @property
    def parts(self) -> list[str]:
        """Generics of every ingredient (a single drug is its own only ingredient)."""
        if self.ingredients:
            return list(self.ingredients)
        return [self.generic] if self.generic else []


class ContextRule(_Strict):
    """Words anywhere in the item that move it to another topic ("post-op" physical therapy)."""

    words: list[str] = Field(min_length=1)
    topic: str


class ProcedureEntry(_Strict):
    """Words for one kind of non-drug treatment, and what they make an item."""

    key: str
    kind: Kind
    topic: str
    modality: str | None = None
    phrases: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    yields_to_drugs: bool = False
    generic: bool = Field(False, description="Names a kind of service only ('visit', 'injection')")
    context: list[ContextRule] = Field(default_factory=list)


# ---------------------------------------------------------------- phrase matching


_WORD_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_WORD_EDGE_AFTER = r"(?![A-Za-z0-9])"
_SQUEEZE = re.compile(r"[\s\-]+")


def phrase_key(text: str) -> str:
    """The form two spellings share when they differ only in case, spaces or hyphens."""
    return _SQUEEZE.sub("", text.casefold())


_SEPARATOR = "\0sep"
_SLASH = "\0slash"
_TOKEN_PATTERNS = {_SEPARATOR: r"[\s\-]*", _SLASH: r"\s*/\s*"}


def _tokens(phrase: str, fold: bool) -> list[str]:
    """A phrase as characters; a run of spaces or hyphens is one separator; '/' may have spaces around it."""
    out: list[str] = []
    for char in phrase.strip():
        if char.isspace() or char == "-":
            if out and out[-1] != _SEPARATOR:
                out.append(_SEPARATOR)
        elif char == "/":
            out.append(_SLASH)
        else:
            out.append(char.lower() if fold else char)
    return out


def _trie_pattern(phrases: Iterable[str], fold: bool) -> str:
    """One regex for many phrases, shared prefixes factored out, so matching cost hardly grows with the list.

    Optional tails are greedy, so the longest phrase that fits is taken first.
    """
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for token in _tokens(phrase, fold):
            node = node.setdefault(token, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict[str, dict]) -> str:
    """The regex for a trie node: its branches (letters before separators), optional if a phrase ends here."""
    tokens = sorted((t for t in node if t), key=lambda t: t in _TOKEN_PATTERNS)
    parts = [(_TOKEN_PATTERNS.get(t) or re.escape(t)) + _emit(node[t]) for t in tokens]
    if not parts:
        return ""
    ends = "" in node
    body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    return f"(?:{body})?" if ends else body


@dataclass(frozen=True)
class Hit:
    """A phrase found in a text: where, the words as written, and what it stands for."""

    start: int
    end: int
    text: str
    value: Any


class PhraseMatcher:
    """Finds whole-word phrases in a text, longest first, each mapped to a value.

    One alternation regex for all phrases keeps matching fast; a plural "s"/"'s"/"es"
    may follow any phrase. Abbreviations match only with their case as written.
    """

    def __init__(
        self, phrases: Iterable[tuple[str, Any]], abbreviations: Iterable[tuple[str, Any]] = ()
    ) -> None:
        self._values: dict[str, Any] = {}
        written: dict[str, str] = {}
        for phrase, value in phrases:
            key = phrase_key(phrase)
            if key not in self._values:
                self._values[key] = value
                written[key] = phrase
        self._exact: dict[str, Any] = {}
        for abbreviation, value in abbreviations:
            self._exact.setdefault(abbreviation, value)
        self._phrases = list(written.values())

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        """Compiled on first use: a lexicon's big alternations take tens of ms each to compile,
        and a run that never looks for, say, procedures never pays for theirs."""
        return self._compile(self._phrases, fold=True)

    @cached_property
    def _exact_regex(self) -> re.Pattern[str] | None:
        return self._compile(list(self._exact), fold=False)

    @staticmethod
    def _compile(phrases: list[str], fold: bool) -> re.Pattern[str] | None:
        """Folded phrases are matched against the lower-cased text (faster than IGNORECASE)."""
        if not phrases:
            return None
        from imr_rules import regexes

        def build() -> str:
            body = _trie_pattern(phrases, fold=fold)
            return _WORD_EDGE_BEFORE + "(" + body + r")(?:'?s|es)?" + _WORD_EDGE_AFTER

        return regexes.compile_built(f"phrases fold={fold}\0" + "\0".join(phrases), build)

    def find(self, text: str) -> list[Hit]:
        """Every phrase in the text, in order of position; overlapping hits keep the longest."""
        hits: list[Hit] = []
        if self._regex is not None:
            folded = text.lower()
            if len(folded) != len(text):  # a character whose lower case is longer: keep offsets honest
                folded = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
            for m in self._regex.finditer(folded):
                value = self._values.get(phrase_key(m.group(1)))
                if value is not None:
                    hits.append(Hit(m.start(1), m.end(1), text[m.start(1):m.end(1)], value))
        if self._exact_regex is not None:
            for m in self._exact_regex.finditer(text):
                if not any(h.start <= m.start(1) < h.end for h in hits):
                    hits.append(Hit(m.start(1), m.end(1), m.group(1), self._exact[m.group(1)]))
            hits.sort(key=lambda h: h.start)
        return hits


# ---------------------------------------------------------------- the loaded lexicons


class DrugLexicon:
    """Drug classes and products, with a matcher over every name."""

    def __init__(self, classes: dict[str, DrugClass], drugs: list[DrugEntry]) -> None:
        self.classes = classes
        self.drugs = drugs
        self.matcher = PhraseMatcher((name, drug) for drug in drugs for name in drug.names)

    def find(self, text: str) -> list[Hit]:
        """Every drug name in the text; each hit's value is a DrugEntry."""
        return self.matcher.find(text)

    def topic_of(self, drug: DrugEntry) -> str:
        return drug.topic or self.classes[drug.drug_class].topic


class ProcedureLexicon:
    """Procedure words in priority order, body parts, spinal levels and sides."""

    def __init__(
        self,
        procedures: list[ProcedureEntry],
        body_parts: dict[str, list[str]],
        spinal_levels: dict[str, str],
        laterality: dict[str, list[str]],
    ) -> None:
        self.procedures = procedures
        self.priority = {entry.key: i for i, entry in enumerate(procedures)}
        self.matcher = PhraseMatcher(
            ((p, entry) for entry in procedures for p in entry.phrases),
            ((a, entry) for entry in procedures for a in entry.abbreviations),
        )
        self.body_matcher = PhraseMatcher((w, part) for part, words in body_parts.items() for w in words)
        self.side_matcher = PhraseMatcher((w, side) for side, words in laterality.items() for w in words)
        self.spinal_levels = spinal_levels
        letters = "".join(sorted(spinal_levels))
        self.level_regex = re.compile(  # "L4-5", "L5-S1", "C5/6", "T12"
            rf"(?<![A-Za-z0-9])([{letters}])\s?(\d{{1,2}})(?:\s*[-/]\s*[{letters}]?\s?\d{{1,2}})?(?![A-Za-z0-9])"
        )
        self.context_matchers = {
            entry.key: [(PhraseMatcher((w, True) for w in rule.words), rule.topic) for rule in entry.context]
            for entry in procedures if entry.context
        }

    def find(self, text: str) -> list[Hit]:
        """Every procedure phrase in the text; each hit's value is a ProcedureEntry."""
        return self.matcher.find(text)

    def body_parts(self, text: str) -> list[str]:
        """Normalized body parts named in the text, in order of mention."""
        found: list[tuple[int, str]] = [(h.start, h.value) for h in self.body_matcher.find(text)]
        found += [(m.start(), self.spinal_levels[m.group(1)]) for m in self.level_regex.finditer(text)]
        parts: list[str] = []
        for _, part in sorted(found):
            if part not in parts:
                parts.append(part)
        return parts

    def sides(self, text: str) -> list[str]:
        return [h.value for h in self.side_matcher.find(text)]

    def context_topic(self, entry: ProcedureEntry, text: str) -> str | None:
        """The topic a context word moves the item to, if one is present."""
        for matcher, topic in self.context_matchers.get(entry.key, ()):
            if matcher.find(text):
                return topic
        return None


# ---------------------------------------------------------------- loading and checking


def input_error_from(err: ValidationError, node: Any, path: Path, what: str) -> InputError:
    """The first problem pydantic found, placed at the line of the deepest key it names that the YAML has."""
    first = err.errors()[0]
    loc = first.get("loc", ())
    line = node.line if isinstance(node, LineDict) else None
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.where(part)[0]
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = node.line if isinstance(node, LineDict) else line
        else:
            break
    field = ".".join(str(part) for part in loc)
    return InputError(f"{what}: {field + ': ' if field else ''}{first['msg']}", path, line)


def _line(node: Any, key: Any = None) -> int | None:
    if isinstance(node, LineDict):
        return node.where(key)[0] if key is not None else node.line
    return None


def _mapping(data: Any, key: str, path: Path) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise InputError(f"expected a mapping with a '{key}' key at the top", path, _line(data))
    return data[key]


def _topic_keys() -> frozenset[str]:
    from imr_rules.topics import load_topics  # topics does not import this module at load time

    return frozenset(load_topics().keys)


def load_drug_lexicon(path: str | Path, topics: frozenset[str] | None = None) -> DrugLexicon:
    """Read and check a drug lexicon file: every class and topic must exist, every name be unique."""
    path = Path(path)
    topics = _topic_keys() if topics is None else topics
    data = load_yaml_file(path)
    raw_classes = _mapping(data, "classes", path)
    raw_drugs = _mapping(data, "drugs", path)
    if not isinstance(raw_classes, dict):
        raise InputError("'classes' must be a mapping of class key to class", path, _line(data, "classes"))
    if not isinstance(raw_drugs, list):
        raise InputError("'drugs' must be a list of drug entries", path, _line(data, "drugs"))

    classes: dict[str, DrugClass] = {}
    for key, raw in raw_classes.items():
        try:
            drug_class = DrugClass.model_validate(raw)
        except ValidationError as err:
            raise input_error_from(err, raw, path, f"drug class {key!r}") from None
        for field in ("topic", "patch_topic", "injected_topic"):
            value = getattr(drug_class, field)
            if value is not None and value not in topics:
                raise InputError(f"drug class {key!r}: unknown topic {value!r}", path, _line(raw, field))
        classes[key] = drug_class
    for key, drug_class in classes.items():
        if drug_class.topical_class is not None and drug_class.topical_class not in classes:
            raise InputError(f"drug class {key!r}: unknown topical_class {drug_class.topical_class!r}", path,
                             _line(raw_classes[key], "topical_class"))

    drugs: list[DrugEntry] = []
    seen: dict[str, int | None] = {}
    for raw in raw_drugs:
        label = f"drug {raw.get('generic') or raw.get('names')!r}" if isinstance(raw, dict) else "drug entry"
        try:
            drug = DrugEntry.model_validate(raw)
        except ValidationError as err:
            raise input_error_from(err, raw, path, label) from None
        if drug.drug_class not in classes:
            raise InputError(f"{label}: unknown class {drug.drug_class!r}", path, _line(raw, "class"))
        if drug.topic is not None and drug.topic not in topics:
            raise InputError(f"{label}: unknown topic {drug.topic!r}", path, _line(raw, "topic"))
        for name in drug.names:
            key = phrase_key(name)
            if key in seen:
                raise InputError(
                    f"{label}: name {name!r} is already used (line {seen[key]}); spellings that differ"
                    " only in case, spaces or hyphens are one name",
                    path,
                    _line(raw, "names"),
                )
            seen[key] = _line(raw, "names")
        drugs.append(drug)
    return DrugLexicon(classes, drugs)


def load_procedure_lexicon(path: str | Path, topics: frozenset[str] | None = None) -> ProcedureLexicon:
    """Read and check a procedure lexicon file: topics and body parts must exist, phrases be unique."""
    path = Path(path)
    topics = _topic_keys() if topics is None else topics
    data = load_yaml_file(path)
    raw_procedures = _mapping(data, "procedures", path)
    if not isinstance(raw_procedures, list):
        raise InputError("'procedures' must be a list", path, _line(data, "procedures"))

    procedures: list[ProcedureEntry] = []
    seen: dict[str, int | None] = {}
    for raw in raw_procedures:
        label = f"procedure {raw.get('key')!r}" if isinstance(raw, dict) else "procedure entry"
        try:
            entry = ProcedureEntry.model_validate(raw)
        except ValidationError as err:
            raise input_error_from(err, raw, path, label) from None
        for topic in [entry.topic, *(rule.topic for rule in entry.context)]:
            if topic not in topics:
                raise InputError(f"{label}: unknown topic {topic!r}", path, _line(raw, "topic"))
        if not entry.phrases and not entry.abbreviations:
            raise InputError(f"{label}: no phrases or abbreviations", path, _line(raw))
        for phrase in entry.phrases:
            key = phrase_key(phrase)
            if key in seen:
                raise InputError(
                    f"{label}: phrase {phrase!r} is already used (line {seen[key]}); spellings that differ"
                    " only in case, spaces or hyphens are one phrase",
                    path,
                    _line(raw, "phrases"),
                )
            seen[key] = _line(raw, "phrases")
        procedures.append(entry)

    body_parts = _word_lists(data, "body_parts", path, BodyPart.__args__)  # type: ignore[attr-defined]
    laterality = _word_lists(data, "laterality", path, Side.__args__)  # type: ignore[attr-defined]
    levels = _mapping(data, "spinal_levels", path)
    if not isinstance(levels, dict) or not all(
        isinstance(k, str) and len(k) == 1 and v in body_parts for k, v in levels.items()
    ):
        raise InputError("'spinal_levels' must map one letter to a body part listed in 'body_parts'", path,
                         _line(data, "spinal_levels"))
    return ProcedureLexicon(procedures, body_parts, dict(levels), laterality)


def _word_lists(data: Any, key: str, path: Path, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    """A mapping of an allowed value to its words, each word used once."""
    raw = _mapping(data, key, path)
    if not isinstance(raw, dict):
        raise InputError(f"'{key}' must be a mapping", path, _line(data, key))
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for value, words in raw.items():
        if value not in allowed:
            problem = f"{key}: unknown value {value!r} (allowed: {', '.join(allowed)})"
            raise InputError(problem, path, _line(raw, value))
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise InputError(f"{key}: {value!r} must be a list of words", path, _line(raw, value))
        for word in words:
            if phrase_key(word) in seen:
                raise InputError(f"{key}: word {word!r} is listed twice", path, _line(raw, value))
            seen.add(phrase_key(word))
        out[value] = list(words)
    return out


@cache
def drug_lexicon() -> DrugLexicon:
    """The bundled drug lexicon, loaded once."""
    path = data_file(DRUGS_FILE)
    return _kept("drug-lexicon", path, lambda: load_drug_lexicon(path))


@cache
def procedure_lexicon() -> ProcedureLexicon:
    """The bundled procedure lexicon, loaded once."""
    path = data_file(PROCEDURES_FILE)
    return _kept("procedure-lexicon", path, lambda: load_procedure_lexicon(path))


def _kept(name: str, path: Path, load: Callable[[], _L]) -> _L:
    """A bundled lexicon from the on-disk cache while its file, the topic list and this module are
    unchanged (checking a thousand entries is most of a one-off `check`'s lexicon cost)."""
    import sys

    from imr_rules import cache
    from imr_rules.topics import TOPICS_FILE

    def key() -> str:
        return cache.digest([path, data_file(TOPICS_FILE)], [sys.modules[__name__]])

    return cache.cached(name, key, load, lambda _: True)
