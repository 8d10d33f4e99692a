"""evaluate(): one Prediction per item, decided by explicit precedence, with its reasons."""

from datetime import date

import pytest

from imr_rules.catalogue import load_catalogue
from imr_rules.conditions import NotOf, parse_leaf
from imr_rules.engine import (
    DurableEngine,
    Prediction,
    ReferenceEngine,
    default_engine,
    evaluate,
    predicate,
)
from imr_rules.errors import InputError
from imr_rules.facts import CaseFacts, Evidence, FactValue
from imr_rules.items import RequestedItem
from imr_rules.letters import Decision, SourceFamily
from imr_rules.lint import rule_from_data
from imr_rules.paths import rules_dir
from imr_rules.rulebook import Rulebook, load_rulebook, read_topic_keys

SPRING_2014 = date(2014, 5, 1)


def facts(**values):
    return CaseFacts(common={name: FactValue(value=value) for name, value in values.items()})


def benzo(**fields):
    return RequestedItem(text=fields.pop("text", "Valium 10 mg #60"), topic="benzodiazepines",
                         generic="diazepam", drug_class="benzodiazepine", **fields)


@pytest.fixture(scope="module", params=["durable", "reference"])
def engine(request):
    rulebook = default_engine().rulebook
    return default_engine() if request.param == "durable" else ReferenceEngine(rulebook)


# ---------------------------------------------------------------- the meaning of a test


def _resolved(text):
    leaf = parse_leaf(text)
    spec = load_catalogue().spec(leaf.fact)
    value = leaf.value
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return type(leaf)(leaf.fact, leaf.op, value, ftype=spec.type)


def holds(text, env):
    return predicate(_resolved(text))(env)


def test_a_comparison_needs_a_documented_value():
    assert not holds("weeks_of_use > 4", {})
    assert not holds("weeks_of_use <= 4", {})
    assert holds("weeks_of_use absent", {})
    assert holds("weeks_of_use <= 4", {"weeks_of_use": 2.0})


def test_not_is_plain_negation_so_it_holds_for_an_absent_fact():
    assert predicate(NotOf(_resolved("weeks_of_use > 4")))({})


def test_a_tristate_not_given_reads_as_not_documented():
    assert holds("functional_improvement not_documented", {})
    assert not holds("functional_improvement documented_false", {})


# ---------------------------------------------------------------- outcomes


def test_one_prediction_per_item_in_order(engine):
    items = [benzo(days_supply=60), benzo(text="Valium 2 mg #10", days_supply=5)]
    predictions = evaluate(facts(diagnoses=["anxiety"]), items, SPRING_2014, engine)
    assert [p.index for p in predictions] == [0, 1]
    assert [p.outcome for p in predictions] == [Decision.upheld, Decision.overturned]
    assert [p.item.text for p in predictions] == ["Valium 10 mg #60", "Valium 2 mg #10"]


@pytest.mark.parametrize("topic", [None, "no_such_topic", "home_health_aides_for_pets"])
def test_no_rule_means_no_outcome_never_a_default(engine, topic):
    item = RequestedItem(text="something", topic=topic)
    prediction = evaluate(facts(), [item], SPRING_2014, engine)[0]
    assert prediction.outcome is None
    assert prediction.deciding_rule is None and prediction.fired == []


def test_no_rule_in_force_means_no_outcome(engine):
    prediction = evaluate(facts(), [benzo(days_supply=60)], date(2008, 1, 1), engine)[0]
    assert prediction.outcome is None
    assert prediction.near_misses == []


def test_a_topic_alias_reaches_the_topic(engine):
    item = RequestedItem(text="Ambien 10 mg #30", topic="zolpidem", generic="zolpidem", days_supply=30)
    prediction = evaluate(facts(weeks_of_use=20), [item], SPRING_2014, engine)[0]
    assert prediction.topic == "sedative_hypnotics"
    assert prediction.deciding_rule == "zolpidem-beyond-six-weeks"


def test_the_date_comes_from_the_case_when_not_given(engine):
    case = CaseFacts(common={"weeks_of_use": FactValue(value=8)}, as_of=date(2016, 9, 1))
    prediction = evaluate(case, [benzo(days_supply=30)], None, engine)[0]
    assert prediction.as_of == date(2016, 9, 1)
    assert prediction.citation.family == SourceFamily.mtus_cpmtg_2016


def test_a_fact_of_the_wrong_type_is_an_input_error_naming_it(engine):
    with pytest.raises(InputError, match="weeks_of_use"):
        evaluate(facts(weeks_of_use="a long time"), [benzo()], SPRING_2014, engine)


# ---------------------------------------------------------------- explanations


def test_fired_rules_carry_citation_values_and_evidence(engine):
    said = Evidence(text="on Valium since 2013")
    case = CaseFacts(common={"weeks_of_use": FactValue(value=26, evidence=[said])})
    prediction = evaluate(case, [benzo(days_supply=30)], SPRING_2014, engine)[0]
    assert prediction.deciding_rule == "benzodiazepines-beyond-four-weeks"
    deciding = prediction.fired[0]
    assert deciding.id == prediction.deciding_rule
    assert deciding.citation.text == "MTUS Chronic Pain 2009, Benzodiazepines, p. 24"
    used = {fact.name: fact for fact in deciding.facts}
    assert used["weeks_of_use"].value == 26.0
    assert used["weeks_of_use"].evidence[0].text == "on Valium since 2013"
    assert used["item.days_supply"].evidence[0].text == "Valium 10 mg #60"
    assert "26 weeks of use so far, 30 days requested" in prediction.because


def test_an_upheld_item_says_what_to_document(engine):
    prediction = evaluate(facts(), [benzo(days_supply=14)], SPRING_2014, engine)[0]
    assert prediction.outcome == Decision.upheld
    assert prediction.missing[0].startswith("Document a new course of four weeks or less")
    assert "Diagnoses and conditions documented: includes anxiety, insomnia, spasm or acute_exacerbation" in (
        prediction.missing)
    near = {miss.id: miss for miss in prediction.near_misses}
    assert [f.condition for f in near["benzodiazepines-short-course"].failed] == [
        "any of (diagnoses contains anxiety; diagnoses contains insomnia; diagnoses contains spasm; "
        "diagnoses contains acute_exacerbation)"]


def test_an_overturned_item_has_nothing_missing(engine):
    prediction = evaluate(facts(diagnoses=["insomnia"]), [benzo(days_supply=14)], SPRING_2014, engine)[0]
    assert prediction.outcome == Decision.overturned
    assert prediction.missing == []


def test_near_misses_are_rules_that_apply_to_the_item(engine):
    item = RequestedItem(text="Lunesta 2 mg #30", topic="sedative_hypnotics", generic="eszopiclone")
    prediction = evaluate(facts(), [item], SPRING_2014, engine)[0]
    assert prediction.outcome is None
    assert prediction.near_misses == []  # the zolpidem rules do not apply to eszopiclone


def test_same_input_same_output():
    case = facts(weeks_of_use=3, diagnoses=["spasm", "anxiety"], continuing_treatment=True)
    items = [benzo(days_supply=20), benzo(days_supply=40)]
    first = [p.model_dump() for p in evaluate(case, items, SPRING_2014, DurableEngine(load_rulebook()))]
    second = [p.model_dump() for p in evaluate(case, items, SPRING_2014, DurableEngine(load_rulebook()))]
    assert first == second


def test_a_prediction_is_a_valid_model_and_a_valid_item_result(engine):
    prediction = evaluate(facts(weeks_of_use=8), [benzo(days_supply=30)], SPRING_2014, engine)[0]
    assert Prediction.model_validate(prediction.model_dump()) == prediction
    result = prediction.to_item_result()
    assert result.predicted == Decision.upheld
    assert result.deciding_rule == prediction.deciding_rule
    assert result.citation.pages == "24"


# ---------------------------------------------------------------- precedence


def _rule(rule_id, effect, when, source="MTUS Chronic Pain 2009", **extra):
    citation = {"source": source, "section": "Benzodiazepines"}
    if source == "MTUS Chronic Pain 2009":
        citation["pages"] = "24"
    data = {"id": rule_id, "title": rule_id, "citation": citation, "in_force": {"from": "2009-07-18"},
            "when": when, "effect": effect, "because": f"{rule_id} decides.", "to_change": "something",
            **extra}
    return rule_from_data(data, "benzodiazepines")


@pytest.fixture(scope="module")
def precedence_book():
    rules = [
        # MTUS over other guidelines, whatever their priority
        _rule("mtus-no", "upheld", ["weeks_of_use > 4"]),
        _rule("odg-yes", "overturned", ["weeks_of_use > 2"], source="ODG", priority=50),
        # the higher priority, when the guideline rank is the same
        _rule("low-no", "upheld", ["pain_score > 5"], priority=1),
        _rule("high-yes", "overturned", ["pain_score > 5"], priority=9),
        # a tie stands with the denial
        _rule("tie-yes", "overturned", ["age > 60"]),
        _rule("tie-no", "upheld", ["age > 60"]),
        # a specific exception over the general prohibition, even one of higher priority
        _rule("general-no", "upheld", ["diagnoses contains spasm"], priority=99),
        _rule("exception-yes", "overturned", ["diagnoses contains spasm", "item.days_supply <= 7"],
              exception_to=["general-no"]),
    ]
    topics = read_topic_keys(rules_dir() / "topics.yaml")
    return Rulebook(rules, load_catalogue(), topics, [])


@pytest.fixture(scope="module", params=["durable", "reference"])
def precedence_engine(request, precedence_book):
    return DurableEngine(precedence_book) if request.param == "durable" else ReferenceEngine(precedence_book)


@pytest.mark.parametrize(("case", "fired", "outcome"), [
    ({"weeks_of_use": 6}, ["mtus-no", "odg-yes"], Decision.upheld),
    ({"weeks_of_use": 3}, ["odg-yes"], Decision.overturned),
    ({"pain_score": 8}, ["high-yes", "low-no"], Decision.overturned),
    ({"age": 70}, ["tie-no", "tie-yes"], Decision.upheld),
    ({"diagnoses": ["spasm"]}, ["general-no"], Decision.upheld),
])
def test_precedence_decides_between_rules_that_fire(precedence_engine, case, fired, outcome):
    """The deciding rule is listed first, then the others by precedence."""
    prediction = evaluate(facts(**case), [benzo(days_supply=30)], SPRING_2014, precedence_engine)[0]
    assert [rule.id for rule in prediction.fired] == fired
    assert (prediction.deciding_rule, prediction.outcome) == (fired[0], outcome)


def test_a_specific_exception_overrides_the_general_prohibition(precedence_engine):
    case = facts(diagnoses=["spasm"])
    prediction = evaluate(case, [benzo(days_supply=5)], SPRING_2014, precedence_engine)[0]
    assert (prediction.deciding_rule, prediction.outcome) == ("exception-yes", Decision.overturned)
    general = next(rule for rule in prediction.fired if rule.id == "general-no")
    assert general.overridden_by == "exception-yes"
