"""Guideline topics: the list in rules/topics.yaml, and which topic an item or a citation is about.

Rules are filed by topic, items are classified into one, and the corpus is scored per
topic of the letter's MAXIMUS citation. `topic_of_citation` is that ground truth, so it
follows the citation wherever the citation says what it is about; the item only breaks
ties between the topics a citation names, or decides alone when the citation names none
(a body-part chapter's "Summary", no evidence cited).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field, ValidationError

from imr_rules.citations import parse_citation
from imr_rules.errors import InputError
from imr_rules.letters import SourceFamily
from imr_rules.lexicon import Kind, PhraseMatcher, drug_lexicon, input_error_from
from imr_rules.model import Model
from imr_rules.paths import data_file
from imr_rules.regexes import compile as _rx_compile
from imr_rules.yamlio import LineDict, load_yaml_file

if TYPE_CHECKING:
    from imr_rules.items import RequestedItem

TOPICS_FILE = "topics.yaml"
OTHER = "other"


class Topic(Model):
    """A guideline topic: rules are filed under it, items and citations are classified into it."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    kind: Kind = Field(description="The kind of item the topic is mostly about")
    aliases: list[str] = Field(default_factory=list, description="Other names for the key")


class CitationRule(Model):
    """Section names a citation may use, and the topics the section governs (main one first)."""

    model_config = ConfigDict(extra="forbid")

    names: list[str] = Field(min_length=1)
    topics: list[str] | Literal["any"]


class PageRule(Model):
    """A page range of the 2009 Chronic Pain guidelines and the topics on it."""

    model_config = ConfigDict(extra="forbid")

    pages: str = Field(pattern=r"^\d+(-\d+)?$", description="'24' or '74-96'")
    topics: list[str] = Field(min_length=1)

    @property
    def span(self) -> tuple[int, int]:
        low, _, high = self.pages.partition("-")
        return int(low), int(high or low)


class CitationMap(Model):
    model_config = ConfigDict(extra="forbid")

    sections: list[CitationRule] = Field(default_factory=list)
    general_sections: list[CitationRule] = Field(default_factory=list)
    cpmtg_2009_pages: list[PageRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """What one citation names: topics it is specifically about, and broad sections' topics."""

    specific: tuple[str, ...]
    general: tuple[str, ...]
    general_any: bool


class TopicBook:
    """The topic list with its aliases, and the compiled citation map."""

    def __init__(self, topics: list[Topic], citations: CitationMap) -> None:
        self.topics = topics
        self.keys = [topic.key for topic in topics]
        self._canonical = {topic.key: topic.key for topic in topics}
        for topic in topics:
            for alias in topic.aliases:
                self._canonical[alias] = topic.key
        self.citations = citations
        self._sections: PhraseMatcher | None = None
        self._general: PhraseMatcher | None = None

    def canonical(self, key_or_alias: str) -> str:
        try:
            return self._canonical[key_or_alias]
        except KeyError:
            known = ", ".join(self.keys)
            raise ValueError(f"unknown topic {key_or_alias!r}; known topics: {known}") from None

    def get(self, key_or_alias: str) -> Topic:
        return self.topics[self.keys.index(self.canonical(key_or_alias))]

    def _matchers(self) -> tuple[PhraseMatcher, PhraseMatcher]:
        if self._sections is None or self._general is None:
            citations = self.citations
            self._sections = PhraseMatcher((n, r.topics) for r in citations.sections for n in r.names)
            self._general = PhraseMatcher((n, r.topics) for r in citations.general_sections for n in r.names)
        return self._sections, self._general

    def scope(self, line: str) -> Scope:
        """The topics a MAXIMUS line names, specific ones in the order the line names them."""
        sections, general = self._matchers()
        found: list[tuple[int, list[str]]] = [(hit.start, hit.value) for hit in sections.find(line)]
        drugs = drug_lexicon()
        found += [(hit.start, [drugs.topic_of(hit.value)]) for hit in drugs.find(line)]
        found += [(start, topics) for start, topics in self._page_topics(line)]
        specific: list[str] = []
        for _, topics in sorted(found, key=lambda pair: pair[0]):
            specific += [t for t in topics if t not in specific]
        broad: list[str] = []
        broad_any = False
        for hit in general.find(line):
            if hit.value == "any":
                broad_any = True
            else:
                broad += [t for t in hit.value if t not in broad]
        return Scope(tuple(specific), tuple(broad), broad_any)

    def _page_topics(self, line: str) -> list[tuple[int, list[str]]]:
        """Topics of the pages cited from the 2009 Chronic Pain guidelines, most pages overlapped first."""
        out: list[tuple[int, list[str]]] = []
        for part in parse_citation(line).parts:
            if part.family != SourceFamily.mtus_cpmtg_2009 or not part.pages:
                continue
            where = max(line.find(part.text), 0)
            for low, high in part.pages:
                overlaps = []
                for rule in self.citations.cpmtg_2009_pages:
                    first, last = rule.span
                    shared = min(high, last) - max(low, first) + 1
                    if shared > 0:
                        overlaps.append((-shared, len(overlaps), rule.topics))
                topics: list[str] = []
                for _, _, rule_topics in sorted(overlaps):
                    topics += [t for t in rule_topics if t not in topics]
                if topics:
                    out.append((where, topics))
        return out


def _line_of(node: object) -> int | None:
    return node.line if isinstance(node, LineDict) else None


def _read_topic_list(raw_topics: list, path: Path) -> list[Topic]:
    topics: list[Topic] = []
    names: set[str] = set()
    for raw in raw_topics:
        try:
            topic = Topic.model_validate(raw)
        except ValidationError as err:
            raise input_error_from(err, raw, path, "topic") from None
        for name in [topic.key, *topic.aliases]:
            if name in names:
                problem = f"topic {topic.key!r}: {name!r} is already a topic key or alias"
                raise InputError(problem, path, _line_of(raw))
            names.add(name)
        topics.append(topic)
    return topics


def _read_citations(raw_map: object, keys: set[str], path: Path) -> CitationMap:
    """The citation map, every topic it names known, every section name listed once."""
    try:
        citations = CitationMap.model_validate(raw_map)
    except ValidationError as err:
        raise input_error_from(err, raw_map, path, "citations") from None
    names: dict[str, int | None] = {}
    for group in ("sections", "general_sections", "cpmtg_2009_pages"):
        for i, rule in enumerate(getattr(citations, group)):
            line = _line_of(raw_map[group][i])  # type: ignore[index]
            listed = [] if rule.topics == "any" else rule.topics
            unknown = [t for t in listed if t not in keys]
            if unknown:
                raise InputError(f"citations.{group}: unknown topic {unknown[0]!r}", path, line)
            for name in getattr(rule, "names", []):
                key = " ".join(name.casefold().replace("-", " ").split())
                if key in names:
                    problem = f"citations.{group}: {name!r} is already listed (line {names[key]})"
                    raise InputError(problem, path, line)
                names[key] = line
    return citations


def read_topics(path: str | Path) -> TopicBook:
    """Read and check a topics file: unique keys and aliases, citation topics that exist."""
    path = Path(path)
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise InputError("expected a mapping with a 'topics' list at the top", path, _line_of(data) or 1)
    topics = _read_topic_list(data["topics"], path)
    citations = _read_citations(data.get("citations") or LineDict(), {t.key for t in topics}, path)
    return TopicBook(topics, citations)


@cache
def load_topics() -> TopicBook:
    """The bundled topic list (rules/topics.yaml), loaded once."""
    return read_topics(data_file(TOPICS_FILE))


def canonical_topic(key_or_alias: str) -> str:
    """The topic key for a key or one of its aliases ("zolpidem" -> "sedative_hypnotics")."""
    return load_topics().canonical(key_or_alias)


def topic_of_item(item: RequestedItem) -> str:
    """The topic an item was classified under, as a canonical key ("other" if none)."""
    return canonical_topic(item.topic or OTHER)


_MARKS = _rx_compile("[\u00ae\u2122\u00a9]")  # (R), TM, (C): "Voltaren(R) Gel" is "Voltaren Gel"


@lru_cache(maxsize=4096)
def _scope_of(line: str) -> Scope:
    """Letters repeat the same few hundred citation lines: read each once."""
    return load_topics().scope(line)


def topic_of_citation(maximus_line: str | None, item_text: str | None = None) -> str:
    """The guideline topic a letter's MAXIMUS citation says the item was decided under.

    Specific section names, drug names and 2009 page numbers decide: among the topics
    they name, the item's own topic if it is one of them, else the first named. Broad
    sections of the body-part chapters ("Special Studies", "Physical Methods") name a
    set the item picks from; "Summary"-like sections and a missing citation leave the
    item to decide alone.
    """
    return _topic_of_citation(maximus_line, _item_topic(item_text) if item_text else None)


@lru_cache(maxsize=4096)
def _item_topic(item_text: str) -> str:
    """The topic of an item as written (parsing an item is the costly part: once per text)."""
    from imr_rules.items import parse_item

    return topic_of_item(parse_item(item_text))


@lru_cache(maxsize=4096)
def _topic_of_citation(maximus_line: str | None, item_topic: str | None) -> str:
    scope = _scope_of(_MARKS.sub("", " ".join((maximus_line or "").split())))
    if scope.specific:
        return item_topic if item_topic in scope.specific else scope.specific[0]
    if item_topic is not None and (scope.general_any or item_topic in scope.general):
        return item_topic
    if scope.general:
        return scope.general[0]
    return item_topic or OTHER
