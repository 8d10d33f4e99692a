"""What keeps the start of a check short does not change what it answers.

A rulebook from the cache unpickles one topic at a time; the engine creates a topic's
durable-rules ruleset, and the Book works out a topic, when an item of it first comes;
the files of the rules folder come from the cache of parsed YAML. Each is checked
here against doing the whole thing at once.
"""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from imr_rules import rulebook
from imr_rules.engine import DurableEngine, ReferenceEngine, book_for, evaluate
from imr_rules.facts import CaseFacts, FactValue
from imr_rules.items import RequestedItem
from imr_rules.yamlio import LineDict, LineList, load_yaml_file

SPRING_2014 = date(2014, 5, 1)
BENZO = RequestedItem(text="Valium 10 mg #60", topic="benzodiazepines", generic="diazepam",
                      drug_class="benzodiazepine", days_supply=30)


def _shape(book: rulebook.Rulebook) -> list[tuple]:
    return [(r.key, r.topic, r.file, r.line, r.title) for r in book.rules]


def test_an_unpickled_rulebook_unpacks_only_the_topics_asked_for() -> None:
    built = rulebook.load_rulebook()
    again = pickle.loads(pickle.dumps(built))
    names = again.topic_names()
    assert names == list(built.by_topic) and "benzodiazepines" in names
    assert len(again._packed) == len(names)
    benzos = again.topic_rules("benzodiazepines")
    assert [r.key for r in benzos] == [r.key for r in built.topic_rules("benzodiazepines")]
    assert len(again._packed) == len(names) - 1
    compiled = again.compiled["benzodiazepines"]
    assert len(again._packed) == len(names) - 1  # the ruleset came with the topic's rules
    assert compiled.definition == built.compiled["benzodiazepines"].definition
    assert all(any(rule is own for own in benzos) for rule in compiled.rules.values())  # the very rules
    for name, spec in compiled.encoding.specs.items():
        assert spec == again.catalogue.facts[name]
    assert _shape(again) == _shape(built)
    assert not again._packed
    assert list(again.by_topic) == list(built.by_topic)
    assert set(again.by_key) == set(built.by_key)
    assert sorted(again.compiled) == sorted(built.compiled)


def test_a_rulebook_pickled_again_before_it_is_unpacked_keeps_every_topic() -> None:
    once = pickle.loads(pickle.dumps(rulebook.load_rulebook()))
    once.topic_rules("benzodiazepines")
    twice = pickle.loads(pickle.dumps(once))
    assert _shape(twice) == _shape(once)
    assert twice.compiled["opioids"].definition == once.compiled["opioids"].definition


def test_the_cached_rulebook_predicts_as_the_one_just_built(rules_copy: Path) -> None:
    built = rulebook.load_rulebook()
    cached = rulebook.load_rulebook()
    assert cached._packed  # it did come from the cache, still packed
    facts = CaseFacts(common={"weeks_of_use": FactValue(value=8)})
    first = evaluate(facts, [BENZO], SPRING_2014, DurableEngine(built))[0]
    second = evaluate(facts, [BENZO], SPRING_2014, DurableEngine(cached))[0]
    assert first.deciding_rule == "benzodiazepines-beyond-four-weeks"
    assert first.model_dump(exclude={"engine"}) == second.model_dump(exclude={"engine"})


def test_the_engine_creates_a_ruleset_when_its_topic_first_comes() -> None:
    engine = DurableEngine(rulebook.load_rulebook())
    assert engine._handles == {}
    facts = CaseFacts(common={"weeks_of_use": FactValue(value=8)})
    prediction = evaluate(facts, [BENZO], SPRING_2014, engine)[0]
    assert prediction.deciding_rule == "benzodiazepines-beyond-four-weeks"
    assert set(engine._handles) == {"benzodiazepines"}
    reference = evaluate(facts, [BENZO], SPRING_2014, ReferenceEngine(engine.rulebook))[0]
    assert prediction.model_dump(exclude={"engine"}) == reference.model_dump(exclude={"engine"})


def test_the_book_works_out_a_topic_when_first_asked() -> None:
    whole = rulebook.load_rulebook()
    book = book_for(pickle.loads(pickle.dumps(whole)))
    assert dict.__len__(book.order) == 0
    readers = book.facts["benzodiazepines"]
    assert {name for name, *_ in readers} >= {"weeks_of_use", "as_of"}
    assert list(dict.keys(book.order)) == ["benzodiazepines"]
    assert [v.key for v in book.order["benzodiazepines"]] == sorted(
        (r.key for r in whole.topic_rules("benzodiazepines")),
        key=lambda k: (whole.by_key[k].effect is rulebook.Effect.upheld, whole.by_key[k].id))
    opioid = whole.topic_rules("opioids")[0]
    assert book.views[opioid.key].key == opioid.key  # a view of another topic works that topic out
    assert "opioids" in dict.keys(book.order)
    with pytest.raises(KeyError):
        book.facts["no-such-topic"]


def test_yaml_of_the_rules_folder_comes_from_the_cache_until_it_changes(rules_copy: Path) -> None:
    target = rules_copy / "topics.yaml"
    cache = rules_copy.parent / "cache"
    first = load_yaml_file(target)
    entries = sorted(cache.glob("yaml-*.pickle"))
    assert len(entries) == 1
    again = load_yaml_file(target)
    assert again == first and again is not first
    assert isinstance(again, LineDict) and again.lines == first.lines and again.line == first.line
    with_positions = load_yaml_file(target, positions=True)
    assert isinstance(with_positions["topics"], LineList)
    assert with_positions["topics"].positions == load_yaml_file(target, positions=True)["topics"].positions
    target.write_text(target.read_text(encoding="utf-8") + "\nextra: 1\n", encoding="utf-8")
    assert load_yaml_file(target)["extra"] == 1


def test_yaml_outside_the_rules_folder_is_not_cached(rules_copy: Path, tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("items: [x]\n", encoding="utf-8")
    assert load_yaml_file(case) == {"items": ["x"]}
    assert not list((rules_copy.parent / "cache").glob("yaml-*.pickle"))
