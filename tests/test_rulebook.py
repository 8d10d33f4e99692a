"""The rule language: one-line tests, all/any/not, templates, the rule files and their schema."""

import json
from datetime import date

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from imr_rules.conditions import (
    AllOf,
    AnyOf,
    ConditionError,
    Leaf,
    NotOf,
    parse_condition,
    parse_leaf,
    parse_when,
    render,
)
from imr_rules.paths import rules_dir
from imr_rules.rulebook import rule_file_schema, rule_files
from imr_rules.templates import fill_template, template_facts


@pytest.mark.parametrize(("text", "fact", "op", "value"), [
    ("weeks_of_use > 4", "weeks_of_use", ">", 4),
    ("item.days_supply <= 28.5", "item.days_supply", "<=", 28.5),
    ("as_of >= 2016-07-29", "as_of", ">=", date(2016, 7, 29)),
    ("functional_improvement documented", "functional_improvement", "documented", None),
    ("red_flags documented_false", "red_flags", "documented_false", None),
    ("weeks_of_use absent", "weeks_of_use", "absent", None),
    ("diagnoses contains insomnia", "diagnoses", "contains", "insomnia"),
    ("item.route in [oral, sublingual]", "item.route", "in", ("oral", "sublingual")),
    ('item.generic == "hydrocodone/acetaminophen"', "item.generic", "==", "hydrocodone/acetaminophen"),
    ("item.retrospective == false", "item.retrospective", "==", False),
    ("continuing_treatment", "continuing_treatment", "==", True),
])
def test_one_line_tests_read_as_fact_operator_value(text, fact, op, value):
    leaf = parse_leaf(text)
    assert (leaf.fact, leaf.op, leaf.value) == (fact, op, value)


@pytest.mark.parametrize(("text", "problem"), [
    ("weeks_of_use => 4", "did you mean '>='"),
    ("weeks_of_use = 4", "did you mean '=='"),
    ("weeks_of_use is 4", "unknown operator 'is'"),
    ("weeks_of_use > 4 5", "takes one value"),
    ("item.route in oral", "takes a list"),
    ("item.route in []", "non-empty list"),
    ("item.route in [oral sublingual]", "expected ','"),
    ("4 < weeks_of_use", "starts with a fact name"),
    ("weeks_of_use documented 4", "takes no value"),
    ("__import__('os') == 1", "unexpected"),
    ("", "non-empty"),
])
def test_a_malformed_test_says_what_is_wrong(text, problem):
    with pytest.raises(ConditionError, match=problem.replace("(", r"\(").replace("[", r"\[")):
        parse_leaf(text)


def test_conditions_nest_with_all_any_and_not():
    cond = parse_condition({"any": ["weeks_of_use > 4", {"not": {"all": ["continuing_treatment",
                                                                          "item.refills > 0"]}}]})
    assert isinstance(cond, AnyOf)
    assert isinstance(cond.items[1], NotOf)
    assert isinstance(cond.items[1].item, AllOf)


@pytest.mark.parametrize("raw", [
    {"all": ["a > 1"], "any": ["b > 1"]},
    {"either": ["a > 1"]},
    {"any": []},
    {"all": "a > 1"},
    4,
])
def test_a_condition_mapping_has_exactly_one_of_all_any_not(raw):
    with pytest.raises(ConditionError):
        parse_condition(raw)


def test_an_empty_when_always_holds_and_a_single_test_is_a_list_of_one():
    assert parse_when(None) == AllOf(())
    assert [c.fact for c in parse_when("weeks_of_use > 4").items] == ["weeks_of_use"]


_names = st.sampled_from(["weeks_of_use", "item.days_supply", "diagnoses", "functional_improvement"])
_words = st.sampled_from(["oral", "insomnia", "hydrocodone/acetaminophen", "x-ray", "Two words"])
_leaf_texts = st.one_of(
    st.builds(lambda f, o, n: f"{f} {o} {n}", _names, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
              st.integers(-50, 500)),
    st.builds(lambda f, o: f"{f} {o}", _names, st.sampled_from(["documented", "not_documented",
                                                                  "documented_false", "present", "absent"])),
    st.builds(lambda f, w: f"{f} contains {w}" if " " not in w else f'{f} contains "{w}"', _names, _words),
    st.builds(lambda f, ws: f"{f} in [" + ", ".join(f'"{w}"' if " " in w else w for w in ws) + "]",
              _names, st.lists(_words, min_size=1, max_size=4)),
    _names,
)
_trees = st.recursive(
    _leaf_texts,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=8,
)


def _shape(cond):
    if isinstance(cond, Leaf):
        return (cond.fact, cond.op, cond.value)
    if isinstance(cond, NotOf):
        return ("not", _shape(cond.item))
    return (type(cond).__name__, tuple(_shape(c) for c in cond.items))


@given(_trees)
def test_a_condition_written_back_reads_the_same(raw):
    cond = parse_condition(raw)
    again = parse_condition(render(cond))
    assert _shape(again) == _shape(cond)


def test_templates_insert_facts_by_name_only():
    assert template_facts("used {weeks_of_use} weeks of {item.generic}; {{literal}}") == [
        "weeks_of_use", "item.generic"]
    filled = fill_template("{weeks_of_use} weeks, {item.generic.__class__}, {{x}}", {"weeks_of_use": "6"})
    assert filled == "6 weeks, not documented, {x}"


def test_rule_files_are_the_yaml_files_beside_the_topic_list_and_catalogue():
    names = {p.name for p in rule_files()}
    assert {"benzodiazepines.yaml", "sedative_hypnotics.yaml", "buprenorphine.yaml"} <= names
    assert not names & {"topics.yaml", "facts.yaml"}
    assert all(p.parent == rules_dir() for p in rule_files())


def _as_json(path):
    """A rule file as an editor's YAML-to-JSON gives it (dates as text)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8"), Loader=loader), default=str))


def test_every_bundled_rule_file_validates_against_the_schema():
    schema = rule_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in rule_files():
        jsonschema.validate(_as_json(path), schema)


@pytest.mark.parametrize(("change", "where"), [
    (lambda rule: rule.update(efect="upheld"), "efect"),
    (lambda rule: rule.pop("citation"), "citation"),
    (lambda rule: rule.update(when=[{"either": ["weeks_of_use > 4"]}]), "either"),
    (lambda rule: rule.update(effect="denied"), "denied"),
])
def test_the_schema_rejects_what_the_loader_rejects(change, where):
    data = _as_json(rules_dir() / "benzodiazepines.yaml")
    change(data["rules"][0])
    with pytest.raises(jsonschema.ValidationError) as err:
        jsonschema.validate(data, rule_file_schema())
    assert where in str(err.value)
