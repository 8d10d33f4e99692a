"""durable-rules and the plain-Python reference must fire the same rules, always.

Every embedded rule test is evaluated by both (whole predictions compared); then
random fact values, drawn around the constants the rules compare with, go through
every topic of the bundled rulebook and through a rulebook that uses every
operator on every type of fact, plain and negated, with the fact present and absent.
"""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr_rules.catalogue import FactType, load_catalogue
from imr_rules.conditions import leaves
from imr_rules.engine import DurableEngine, ReferenceEngine, book_for, compare_engines, default_engine
from imr_rules.facts import Tristate
from imr_rules.lint import rule_from_data
from imr_rules.paths import rules_dir
from imr_rules.rulebook import Rulebook, read_topic_keys
from imr_rules.ruletests import collect

STATES = [state.value for state in Tristate]


def test_every_rule_test_gives_the_same_prediction_on_both_engines():
    rulebook = default_engine().rulebook
    cases = [(case.facts(), [case.item()], case.as_of) for case in collect(rulebook)]
    assert cases
    assert compare_engines(cases) == []


def _values_for(spec, constants):
    """A strategy for one fact's value in the engines' compare form (None: absent)."""
    kind = spec.type
    if kind == FactType.tristate:
        return st.sampled_from([None, *STATES])
    if kind == FactType.bool:
        return st.sampled_from([None, True, False])
    if kind == FactType.number:
        near = [c + d for c in constants or [0.0] for d in (-1, -0.5, 0, 0.5, 1)]
        extremes = st.sampled_from([1e-7, -2e-9, 3e17])  # sent to durable-rules without an exponent
        return st.one_of(st.none(), st.sampled_from(near), st.floats(-1e4, 1e4), extremes)
    if kind == FactType.date:
        near = [c + timedelta(days=d) for c in constants or [date(2014, 1, 1)] for d in (-1, 0, 1)]
        return st.one_of(st.none(), st.sampled_from(near), st.dates(date(2008, 1, 1), date(2020, 1, 1)))
    words = {str(c).casefold() for c in constants} | {v.casefold() for v in spec.values or ()} | {"other"}
    words = sorted(words)
    if kind == FactType.flags:
        return st.one_of(st.none(), st.frozensets(st.sampled_from(words), max_size=4))
    return st.one_of(st.none(), st.sampled_from(words))


def _env_strategy(rulebook, topic):
    constants: dict[str, list] = {}
    for rule in rulebook.topic_rules(topic):
        for leaf in [*leaves(rule.applicability()), *leaves(rule.when)]:
            values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
            constants.setdefault(leaf.fact, []).extend(v for v in values if v is not None)
    names = [name for name, *_ in book_for(rulebook).facts[topic]]
    return st.fixed_dictionaries({
        name: _values_for(rulebook.catalogue.spec(name), sorted(set(constants.get(name, [])), key=str))
        for name in names
    })


@pytest.fixture(scope="module")
def bundled():
    rulebook = default_engine().rulebook
    return rulebook, default_engine(), ReferenceEngine(rulebook)


@pytest.mark.parametrize("topic", sorted(default_engine().rulebook.by_topic))
def test_random_facts_fire_the_same_rules_on_both_engines(bundled, topic):
    rulebook, durable, reference = bundled

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_env_strategy(rulebook, topic))
    def check(env):
        assert durable.fire(topic, env) == reference.fire(topic, env)

    check()


# ---------------------------------------------------------------- every operator, plain and negated

_TESTS = {
    "weeks_of_use": ["== 4", "!= 4", "< 4", "<= 4", "> 4", ">= 4", "in [2, 4]", "present", "absent"],
    "injury_date": ["== 2014-01-01", "!= 2014-01-01", "< 2014-01-01", "<= 2014-01-01", "> 2014-01-01",
                    ">= 2014-01-01", "in [2013-06-30, 2014-01-01]", "present", "absent"],
    "functional_improvement": ["documented", "not_documented", "documented_false", "== documented",
                               "!= documented", "in [documented, documented_false]"],
    "continuing_treatment": ["== true", "== false", "!= true", "!= false", "present", "absent"],
    "sex": ["== female", "!= female", "in [male]", "present", "absent"],
    "item.generic": ["== diazepam", "!= diazepam", "in [diazepam, clonazepam]", "present", "absent"],
    "diagnoses": ["contains insomnia", "present", "absent"],
}


@pytest.fixture(scope="module")
def operator_book():
    rules = []
    for fact, tests in _TESTS.items():
        for n, test in enumerate(tests):
            for negated in (False, True):
                condition = f"{fact} {test}"
                rules.append(rule_from_data({
                    "id": f"op-{fact.replace('.', '-').replace('_', '-')}-{n}{'-not' if negated else ''}",
                    "title": condition, "citation": {"source": "ODG", "section": "operators"},
                    "in_force": {"from": "2009-07-18"}, "effect": "upheld", "because": condition,
                    "to_change": "x", "when": [{"not": condition} if negated else condition],
                }, "benzodiazepines"))
    rules.append(rule_from_data({
        "id": "op-nested", "title": "nested", "citation": {"source": "ODG", "section": "operators"},
        "in_force": {"from": "2009-07-18", "to": "2016-07-28"}, "effect": "upheld", "because": "n",
        "to_change": "x", "when": [{"any": [{"not": {"all": ["weeks_of_use > 2", "sex == male"]}},
                                            {"not": {"any": ["continuing_treatment", "diagnoses absent"]}}]}],
    }, "benzodiazepines"))
    assert len(rules) < 100
    return Rulebook(rules, load_catalogue(), read_topic_keys(rules_dir() / "topics.yaml"), [])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_operator_means_the_same_on_both_engines(operator_book, data):
    durable, reference = _engines(operator_book)
    env = data.draw(_env_strategy(operator_book, "benzodiazepines"))
    fired = durable.fire("benzodiazepines", env)
    assert fired == reference.fire("benzodiazepines", env)


_cache: dict[int, tuple] = {}


def _engines(rulebook):
    if id(rulebook) not in _cache:
        _cache[id(rulebook)] = (DurableEngine(rulebook), ReferenceEngine(rulebook))
    return _cache[id(rulebook)]


def test_the_operator_rulebook_covers_each_test_and_its_negation(operator_book):
    durable, _ = _engines(operator_book)
    env = {"as_of": date(2014, 1, 1), "weeks_of_use": 4.0}
    fired = durable.fire("benzodiazepines", env)
    assert "op-weeks-of-use-0@2009-07-18" in fired          # weeks_of_use == 4
    assert "op-weeks-of-use-0-not@2009-07-18" not in fired
    assert "op-weeks-of-use-4-not@2009-07-18" in fired      # not: weeks_of_use > 4
    assert "op-sex-0-not@2009-07-18" in fired                # not: sex == female, sex absent
    assert "op-sex-1@2009-07-18" not in fired                # sex != female needs a sex
