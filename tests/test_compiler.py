"""Compiling rules to durable-rules JSON rulesets, and facts to the messages they test."""

import json
import re
import subprocess
import sys
import textwrap
from datetime import date

import pytest

from imr_rules.catalogue import FactType, load_catalogue
from imr_rules.compiler import (
    MAX_COMPARISONS_PER_RULESET,
    MAX_GROUPS_PER_RULE,
    MAX_OPERANDS,
    MAX_RULES_PER_RULESET,
    Encoding,
    _number,
    compile_condition,
    compile_rulebook,
    measure,
    ruleset_problems,
)
from imr_rules.conditions import AllOf, AnyOf, Leaf, NotOf
from imr_rules.facts import Tristate
from imr_rules.rulebook import load_rulebook


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def leaf(fact, op, value=None):
    return Leaf(fact, op, value, ftype=load_catalogue().spec(fact).type)


def compiled(cond, catalogue):
    enc = Encoding()
    return compile_condition(cond, enc, catalogue), enc


def test_a_comparison_is_one_durable_rules_test(catalogue):
    expr, enc = compiled(leaf("weeks_of_use", ">", 4.0), catalogue)
    assert expr == {"$gt": {"weeks_of_use": 4.0}}
    assert enc.encode({"weeks_of_use": 6.0}) == {"weeks_of_use": 6.0}
    assert enc.encode({"weeks_of_use": None}) == {}


def test_a_negated_comparison_holds_when_the_fact_is_absent_without_nex(catalogue):
    expr, enc = compiled(NotOf(leaf("weeks_of_use", ">", 4.0)), catalogue)
    assert expr == {"$lte": {"weeks_of_use__lo": 4.0}}
    assert enc.encode({"weeks_of_use": None})["weeks_of_use__lo"] < -1e14
    assert enc.encode({"weeks_of_use": 2.0}) == {"weeks_of_use__lo": 2.0}


def test_a_missing_tristate_is_sent_as_not_documented(catalogue):
    expr, enc = compiled(leaf("functional_improvement", "documented"), catalogue)
    assert expr == {"functional_improvement": "documented"}
    assert enc.encode({}) == {"functional_improvement": "not_documented"}
    assert enc.encode({"functional_improvement": Tristate.documented_false}) == {
        "functional_improvement": "documented_false"}


def test_flags_are_one_bool_per_member_tested(catalogue):
    expr, enc = compiled(AnyOf((leaf("diagnoses", "contains", "insomnia"),
                                leaf("diagnoses", "contains", "anxiety"))), catalogue)
    assert expr == {"$or": [{"diagnoses__insomnia": True}, {"diagnoses__anxiety": True}]}
    assert enc.encode({"diagnoses": frozenset({"anxiety", "depression"})}) == {
        "diagnoses__insomnia": False, "diagnoses__anxiety": True}
    assert enc.encode({"diagnoses": None}) == {"diagnoses__insomnia": False, "diagnoses__anxiety": False}


def test_text_is_compared_case_folded_and_dates_as_day_numbers(catalogue):
    change = date(2016, 7, 29)
    both = AllOf((leaf("item.generic", "==", "diazepam"), leaf("as_of", ">=", change)))
    expr, enc = compiled(both, catalogue)
    assert expr == {"$and": [{"item_generic": "diazepam"}, {"$gte": {"as_of": float(change.toordinal())}}]}
    assert enc.encode({"item.generic": "Diazepam", "as_of": date(2017, 1, 1)}) == {
        "item_generic": "diazepam", "as_of": float(date(2017, 1, 1).toordinal())}


def test_not_of_all_becomes_any_of_the_negations(catalogue):
    cond = NotOf(AllOf((leaf("pain_relief", "documented"), leaf("functional_improvement", "documented"))))
    expr, _ = compiled(cond, catalogue)
    assert expr == {"$or": [{"$neq": {"pain_relief": "documented"}},
                            {"$neq": {"functional_improvement": "documented"}}]}


def test_nested_groups_of_one_kind_are_merged(catalogue):
    inner = AllOf((leaf("weeks_of_use", ">", 1.0), leaf("weeks_of_use", "<", 9.0)))
    expr, _ = compiled(AllOf((leaf("age", ">", 18.0), inner)), catalogue)
    assert measure(expr).groups == 1
    assert len(expr["$and"]) == 3


def test_the_bundled_rulesets_are_plain_json_without_nex_or_exponents():
    for ruleset in compile_rulebook(load_rulebook()).values():
        text = json.dumps(ruleset.definition)
        assert "$nex" not in text and "$ex" not in text
        assert not re.search(r"\d[eE][+-]?\d", text), ruleset.topic
        assert ruleset_problems(ruleset) == []


@pytest.mark.parametrize("value", [1e-9, -3e-7, 2e18, -5e16, 0.0, 7.25, 123456789.5])
def test_numbers_are_sent_as_json_durable_rules_can_read(value):
    written = json.dumps(_number(value))
    assert not re.search(r"[eE]", written)
    for constant in (0.0, 0.001, -0.001, 1e12, -1e12, 7.25):  # what lint lets a rule compare with
        assert (value > constant) == (_number(value) > constant)
        assert (value == constant) == (_number(value) == constant)


def _durable(code: str) -> subprocess.CompletedProcess:
    """Run durable-rules in a child: a ruleset past its limits may hang rather than fail."""
    prelude = textwrap.dedent("""
        from durable import engine
        class Host(engine.Host):
            def _run(self):
                return None
        fired = []
        def act(name):
            return lambda c: fired.append(name)
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_the_widest_ruleset_the_caps_allow_loads_and_fires():
    per_rule = MAX_OPERANDS + 2
    rules = MAX_COMPARISONS_PER_RULESET // per_rule
    done = _durable(f"""
        rules = {{}}
        for r in range({rules}):
            branches = [{{"$gt": {{f"x{{w}}": float(r * 1000 + w)}}}} for w in range({MAX_OPERANDS})]
            dates = [{{"$gte": {{"as_of": 1.0}}}}, {{"$lte": {{"as_of": 9.0}}}}]
            condition = {{"$and": [*dates, {{"$or": branches}}]}}
            rules[f"r{{r}}"] = {{"all": [{{"m": condition}}], "run": act(f"r{{r}}")}}
        host = Host({{"t": rules}})
        host.assert_fact("t", {{"sid": "s", "id": 1, "as_of": 5.0, "x3": 2003.5}})
        print(sorted(fired))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([f"r{r}" for r in range(3)])


def test_as_many_identical_rules_as_the_caps_allow_load():
    done = _durable(f"""
        rules = {{f"r{{r}}": {{"all": [{{"m": {{"$and": [{{"$gte": {{"as_of": 1.0}}}}, {{"k": True}}]}}}}],
                              "run": act(r)}} for r in range({MAX_RULES_PER_RULESET})}}
        host = Host({{"t": rules}})
        host.assert_fact("t", {{"sid": "s", "id": 1, "as_of": 5.0, "k": True}})
        print(len(fired))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(MAX_RULES_PER_RULESET)


def test_the_group_limit_is_where_durable_rules_draws_it():
    code = """
        groups = {n}
        expr = {{"$and": [{{"$or": [{{f"x{{g}}": 1.0}}, {{f"y{{g}}": 1.0}}]}} for g in range(groups - 1)]}}
        try:
            Host({{"t": {{"r": {{"all": [{{"m": expr}}], "run": act("r")}}}}}})
            print("loaded")
        except Exception as err:
            print(err)
    """
    assert _durable(code.format(n=MAX_GROUPS_PER_RULE)).stdout.strip() == "loaded"
    assert "error code: 113" in _durable(code.format(n=MAX_GROUPS_PER_RULE + 1)).stdout


def test_a_rule_past_the_group_limit_is_a_lint_problem(catalogue):
    from imr_rules.compiler import CompiledRuleset

    anys = tuple(AnyOf((leaf("age", "==", float(n)), leaf("pain_score", "==", float(n))))
                 for n in range(MAX_GROUPS_PER_RULE))
    expr, enc = compiled(AllOf(anys), catalogue)
    ruleset = CompiledRuleset(topic="t", definition={"r@2009-07-18": {"all": [{"m": expr}]}}, rules={},
                              encoding=enc, facts=[])
    assert measure(expr).groups == MAX_GROUPS_PER_RULE + 1
    assert any("groups" in problem for _, problem in ruleset_problems(ruleset))


def test_the_leaf_types_of_the_catalogue_are_all_compilable(catalogue):
    for spec in catalogue.facts.values():
        if spec.type == FactType.tristate:
            tests = [Leaf(spec.name, "documented", ftype=spec.type)]
        elif spec.type == FactType.flags:
            tests = [Leaf(spec.name, "contains", "x", ftype=spec.type),
                     Leaf(spec.name, "present", ftype=spec.type)]
        elif spec.type in (FactType.number, FactType.date):
            value = date(2016, 1, 1) if spec.type == FactType.date else 1.0
            tests = [Leaf(spec.name, op, value, ftype=spec.type) for op in ("==", "!=", "<", "<=", ">", ">=")]
        elif spec.type == FactType.bool:
            tests = [Leaf(spec.name, "==", True, ftype=spec.type),
                     Leaf(spec.name, "!=", False, ftype=spec.type)]
        else:
            tests = [Leaf(spec.name, "in", ("a", "b"), ftype=spec.type),
                     Leaf(spec.name, "!=", "a", ftype=spec.type)]
        for test in tests:
            for negate in (False, True):
                assert compiled(NotOf(test) if negate else test, catalogue)[0]
