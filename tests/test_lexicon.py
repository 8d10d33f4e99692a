"""The drug and procedure lexicons: checked on load, and complete for the guideline index."""

from collections import defaultdict
from pathlib import Path
from typing import get_args

import pytest
from corpus_paths import shared_dir

from imr_rules.errors import InputError
from imr_rules.items import ItemKind, Laterality, parse_item
from imr_rules.lexicon import (
    BodyPart,
    Kind,
    PhraseMatcher,
    Route,
    Side,
    drug_lexicon,
    load_drug_lexicon,
    load_procedure_lexicon,
    phrase_key,
    procedure_lexicon,
)
from imr_rules.paths import data_file
from imr_rules.topics import canonical_topic, load_topics, topic_of_item
from imr_rules.yamlio import load_yaml_file

TOPICS = frozenset(load_topics().keys)

# ---------------------------------------------------------------- lint of the bundled lexicons


def test_every_drug_has_a_known_class_and_topic():
    lexicon = drug_lexicon()
    for drug in lexicon.drugs:
        assert drug.drug_class in lexicon.classes, drug.names
        assert lexicon.topic_of(drug) in TOPICS, drug.names


def test_every_class_names_known_topics_and_classes():
    lexicon = drug_lexicon()
    for key, drug_class in lexicon.classes.items():
        for topic in (drug_class.topic, drug_class.patch_topic, drug_class.injected_topic):
            assert topic is None or topic in TOPICS, key
        assert drug_class.topical_class is None or drug_class.topical_class in lexicon.classes, key


def test_no_drug_name_is_listed_twice():
    names = [phrase_key(name) for drug in drug_lexicon().drugs for name in drug.names]
    assert len(names) == len(set(names))


def test_every_procedure_names_a_known_topic_and_kind():
    for entry in procedure_lexicon().procedures:
        assert entry.topic in TOPICS, entry.key
        assert ItemKind(entry.kind)
        assert all(rule.topic in TOPICS for rule in entry.context), entry.key


def test_no_procedure_phrase_is_listed_twice():
    phrases = [phrase_key(p) for entry in procedure_lexicon().procedures for p in entry.phrases]
    assert len(phrases) == len(set(phrases))


def _modalities_the_rules_name() -> tuple[set[str], list[set[str]]]:
    """Values rules compare item.modality with, and each applies_to modality list, casefolded as compared."""
    from imr_rules.conditions import leaves
    from imr_rules.rulebook import load_rulebook

    tested: set[str] = set()
    lists: list[set[str]] = []
    for rule in load_rulebook().rules:
        if rule.applies_to.modality:
            lists.append({m.casefold() for m in rule.applies_to.modality})
        for leaf in leaves(rule.when):
            if leaf.fact == "item.modality" and leaf.value is not None:
                values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
                tested.update(str(v).casefold() for v in values)
    return tested, lists


def test_every_modality_a_rule_tests_is_one_the_lexicon_gives():
    produced = {entry.modality.casefold() for entry in procedure_lexicon().procedures if entry.modality}
    tested, lists = _modalities_the_rules_name()
    assert tested, "no rule tests item.modality: the rulebook was not read"
    missing = sorted(tested - produced)
    assert not missing, f"modalities rules test that no lexicon entry gives: {missing}"
    unreachable = [sorted(names) for names in lists if not names & produced]
    assert not unreachable, f"applies_to modality lists no lexicon entry can match: {unreachable}"


def test_body_parts_are_the_values_the_fact_catalogue_declares():
    facts = load_yaml_file(data_file("facts.yaml"))["facts"]
    declared = next(fact["values"] for fact in facts if fact["name"] == "item.body_parts")
    raw = load_yaml_file(data_file("lexicon/procedures.yaml"))
    assert set(raw["body_parts"]) <= set(declared)
    assert set(raw["spinal_levels"].values()) <= set(declared)


def test_the_lexicon_vocabularies_are_the_ones_items_and_facts_use():
    facts = {fact["name"]: fact for fact in load_yaml_file(data_file("facts.yaml"))["facts"]}
    assert set(get_args(Kind)) == {kind.value for kind in ItemKind} == set(facts["item.kind"]["values"])
    assert set(get_args(Route)) == set(facts["item.route"]["values"])
    assert set(get_args(BodyPart)) == set(facts["item.body_parts"]["values"])
    sides = set(facts["item.laterality"]["values"])
    assert set(get_args(Side)) == {side.value for side in Laterality} == sides


def test_the_lexicons_are_loaded_once():
    assert drug_lexicon() is drug_lexicon()
    assert procedure_lexicon() is procedure_lexicon()


# ---------------------------------------------------------------- how phrases match


def test_a_phrase_matches_whole_words_only():
    matcher = PhraseMatcher([("ice", "cold")])
    assert [h.value for h in matcher.find("Ice packs for the office")] == ["cold"]


def test_spaces_and_hyphens_are_interchangeable_and_case_does_not_matter():
    matcher = PhraseMatcher([("x-ray", "imaging")])
    for text in ("X-RAY of the knee", "xray knee", "x ray, knee", "X-rays of both knees"):
        assert [h.value for h in matcher.find(text)] == ["imaging"], text


def test_the_longest_phrase_at_a_place_wins():
    matcher = PhraseMatcher([("ambien", "short"), ("ambien cr", "long")])
    hits = matcher.find("Ambien CR 12.5 mg and Ambien 10 mg")
    assert [(h.text, h.value) for h in hits] == [("Ambien CR", "long"), ("Ambien", "short")]


def test_abbreviations_match_only_in_their_own_case():
    matcher = PhraseMatcher([], [("TENS", "tens")])
    assert matcher.find("TENS unit") and not matcher.find("tens of visits")


# ---------------------------------------------------------------- bad lexicon files


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


_CLASSES = "classes:\n  opioid: {topic: opioids, title: Opioids}\n"


def test_an_unknown_class_is_reported_with_file_and_line(tmp_path):
    path = _write(tmp_path, "drugs.yaml", _CLASSES + "drugs:\n  - {generic: x, class: opioid, names: [x]}\n"
                  "  - {generic: y, class: nonsense, names: [y]}\n")
    with pytest.raises(InputError) as err:
        load_drug_lexicon(path, TOPICS)
    assert (err.value.path, err.value.line) == (str(path), 5)
    assert "unknown class 'nonsense'" in str(err.value)


def test_an_unknown_topic_is_reported(tmp_path):
    path = _write(tmp_path, "drugs.yaml",
                  _CLASSES + "drugs:\n  - {generic: x, class: opioid, topic: nope, names: [x]}\n")
    with pytest.raises(InputError, match="unknown topic 'nope'") as err:
        load_drug_lexicon(path, TOPICS)
    assert err.value.line == 4


def test_a_class_with_an_unknown_topic_is_reported(tmp_path):
    path = _write(tmp_path, "drugs.yaml", "classes:\n  opioid: {topic: nope, title: Opioids}\ndrugs: []\n")
    with pytest.raises(InputError, match="unknown topic 'nope'") as err:
        load_drug_lexicon(path, TOPICS)
    assert err.value.line == 2


def test_a_name_used_twice_is_reported_at_the_second_use(tmp_path):
    path = _write(tmp_path, "drugs.yaml",
                  _CLASSES + "drugs:\n  - {generic: x, class: opioid, names: [Ben-Gay]}\n"
                  "  - {generic: y, class: opioid, names: [bengay]}\n")
    with pytest.raises(InputError, match="'bengay' is already used") as err:
        load_drug_lexicon(path, TOPICS)
    assert err.value.line == 5


def test_a_field_of_the_wrong_shape_is_reported(tmp_path):
    path = _write(tmp_path, "drugs.yaml",
                  _CLASSES + "drugs:\n  - generic: x\n    class: opioid\n    names: []\n")
    with pytest.raises(InputError, match="names") as err:
        load_drug_lexicon(path, TOPICS)
    assert err.value.line == 6


def test_malformed_yaml_is_reported_with_its_line(tmp_path):
    path = _write(tmp_path, "drugs.yaml", _CLASSES + "drugs:\n  - {generic: x, class: opioid, names: [x\n")
    with pytest.raises(InputError, match="malformed YAML") as err:
        load_drug_lexicon(path, TOPICS)
    assert err.value.path == str(path) and err.value.line is not None


def test_a_file_without_the_expected_keys_is_reported(tmp_path):
    path = _write(tmp_path, "drugs.yaml", "drug: []\n")
    with pytest.raises(InputError, match="'classes'"):
        load_drug_lexicon(path, TOPICS)


_PROCEDURES = "spinal_levels: {L: lumbar_spine}\nlaterality: {left: [left]}\n"


def test_a_procedure_with_an_unknown_kind_is_reported(tmp_path):
    path = _write(tmp_path, "procedures.yaml", _PROCEDURES + "body_parts: {lumbar_spine: [low back]}\n"
                  "procedures:\n  - {key: x, kind: massage, topic: other, phrases: [x]}\n")
    with pytest.raises(InputError, match="kind") as err:
        load_procedure_lexicon(path, TOPICS)
    assert err.value.line == 5


def test_an_unknown_body_part_is_reported(tmp_path):
    path = _write(tmp_path, "procedures.yaml",
                  _PROCEDURES + "procedures: []\nbody_parts:\n  lumbar_spine: [back]\n"
                  "  tail: [coccyx]\n")
    with pytest.raises(InputError, match="unknown value 'tail'") as err:
        load_procedure_lexicon(path, TOPICS)
    assert err.value.line == 6


def test_a_procedure_phrase_used_twice_is_reported(tmp_path):
    path = _write(tmp_path, "procedures.yaml",
                  _PROCEDURES + "body_parts: {lumbar_spine: [back]}\nprocedures:\n"
                  "  - {key: a, kind: imaging, topic: imaging, phrases: [x-ray]}\n"
                  "  - {key: b, kind: imaging, topic: imaging, phrases: [xray]}\n")
    with pytest.raises(InputError, match="'xray' is already used") as err:
        load_procedure_lexicon(path, TOPICS)
    assert err.value.line == 6


# ---------------------------------------------------------------- the guideline index resolves


def _index_names(section: str) -> dict[str, set[str]]:
    """Every name the guideline index lists under `covers.<section>` -> the topics listing it."""
    index = load_yaml_file(shared_dir() / "guidelines_index.yaml")
    found: dict[str, set[str]] = defaultdict(set)
    for topic in index["topics"]:
        covers = topic.get("covers") or {}
        try:
            key = canonical_topic(topic["topic_key"])
        except ValueError:
            continue  # a cross-cutting topic (the drug formulary) no item is filed under
        names = list(covers.get(section) or [])
        if section == "generic":
            names += list(covers.get("brand") or {})
        for name in names:
            found[name].add(key)
    return found


def test_every_drug_in_the_guideline_index_resolves_to_a_drug_of_its_topic():
    names = _index_names("generic")
    assert len(names) > 200
    wrong = {}
    for name, topics in names.items():
        item = parse_item(name)
        if item.kind != ItemKind.drug or item.generic is None and item.drug_class is None or \
                topic_of_item(item) not in topics:
            wrong[name] = (item.kind.value, item.topic, sorted(topics))
    assert not wrong, f"names the lexicon reads wrongly: {wrong}"


def test_every_procedure_in_the_guideline_index_resolves_to_its_topic():
    names = _index_names("procedure")
    assert len(names) > 100
    wrong = {name: (parse_item(name).topic, sorted(topics)) for name, topics in names.items()
             if topic_of_item(parse_item(name)) not in topics}
    assert not wrong, f"procedures the lexicon reads wrongly: {wrong}"


def test_a_bundled_lexicon_kept_in_the_cache_is_read_again_when_its_file_changes(rules_copy, tmp_path):
    """The checked lexicon comes from the on-disk cache only while its file is unchanged."""
    from imr_rules import lexicon

    def fresh() -> lexicon.DrugLexicon:
        lexicon.drug_lexicon.cache_clear()
        return lexicon.drug_lexicon()

    try:
        assert not fresh().find("zebraprofen 20 mg")
        assert (tmp_path / "cache" / "drug-lexicon.pickle").exists()
        drugs = rules_copy / "lexicon" / "drugs.yaml"
        drugs.write_text(drugs.read_text().replace(
            "\ndrugs:\n", "\ndrugs:\n  - {generic: zebraprofen, class: nsaid, names: [zebraprofen]}\n", 1))
        assert [hit.value.generic for hit in fresh().find("zebraprofen 20 mg")] == ["zebraprofen"]
    finally:
        lexicon.drug_lexicon.cache_clear()
