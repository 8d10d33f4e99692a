"""The fact catalogue: what each fact may hold, and clear errors when a value does not fit."""

from datetime import date

import pytest

from imr_rules.catalogue import load_catalogue, read_catalogue, validate_value
from imr_rules.errors import InputError
from imr_rules.facts import FactValue, Tristate
from imr_rules.items import RequestedItem


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_every_item_fact_reads_a_field_of_the_requested_item(catalogue):
    item_facts = [spec for spec in catalogue.facts.values() if spec.is_item]
    assert item_facts
    for spec in item_facts:
        assert spec.item_field in RequestedItem.model_fields, spec.name


def test_the_evaluation_date_is_a_declared_date(catalogue):
    assert catalogue.spec("as_of").type == "date"


@pytest.mark.parametrize(("given", "expected"), [
    ("documented", Tristate.documented),
    ("not_documented", Tristate.not_documented),
    ("documented_false", Tristate.documented_false),
    (True, Tristate.documented),
    (False, Tristate.documented_false),
])
def test_a_tristate_takes_its_three_names_or_true_and_false(given, expected):
    assert validate_value("functional_improvement", given) == expected


def test_a_tristate_refuses_anything_else_and_names_the_allowed_values():
    with pytest.raises(InputError) as err:
        validate_value("functional_improvement", "yes")
    message = str(err.value)
    assert "functional_improvement" in message
    assert "documented, not_documented, documented_false" in message


def test_a_number_is_a_float_and_a_bool_is_not_a_number():
    assert validate_value("weeks_of_use", 6) == 6.0
    with pytest.raises(InputError, match="expected a number in weeks"):
        validate_value("weeks_of_use", True)
    with pytest.raises(InputError, match="expected a number"):
        validate_value("weeks_of_use", "six")


def test_an_enum_value_is_one_of_the_declared_values_whatever_its_case():
    assert validate_value("sex", "Female") == "female"
    with pytest.raises(InputError, match="allowed values: male, female"):
        validate_value("sex", "f")


def test_flags_are_a_sorted_set_of_declared_members():
    assert validate_value("diagnoses", ["insomnia", "anxiety", "insomnia"]) == ["anxiety", "insomnia"]
    with pytest.raises(InputError, match="'sleepiness' is not allowed"):
        validate_value("diagnoses", ["sleepiness"])
    with pytest.raises(InputError, match="expected a list"):
        validate_value("diagnoses", "insomnia")


def test_a_date_may_be_written_as_iso_text():
    assert validate_value("injury_date", "2013-04-02") == date(2013, 4, 2)
    with pytest.raises(InputError, match="ISO date"):
        validate_value("injury_date", "April 2013")


def test_none_is_absent_and_a_fact_value_is_unwrapped():
    assert validate_value("weeks_of_use", None) is None
    assert validate_value("weeks_of_use", FactValue(value=3)) == 3.0


def test_an_unknown_fact_suggests_the_name_meant():
    with pytest.raises(InputError, match="did you mean 'weeks_of_use'"):
        validate_value("weeks_of_usage", 3)


def test_an_item_fact_reads_the_requested_item(catalogue):
    item = RequestedItem(text="Valium 10 mg #30", kind="drug", days_supply=15, body_parts=[])
    assert catalogue.item_value(catalogue.spec("item.days_supply"), item) == 15.0
    assert catalogue.item_value(catalogue.spec("item.kind"), item) == "drug"
    assert catalogue.item_value(catalogue.spec("item.body_parts"), item) is None


@pytest.mark.parametrize(("entry", "problem"), [
    ("{name: item.colour, type: text, source: request, meaning: x}", "names no field of RequestedItem"),
    ("{name: severity, type: enum, source: case, meaning: x}", "needs `values`"),
    ("{name: dose, type: number, source: case, meaning: x}", "needs a `unit`"),
    ("{name: dose, type: number, unit: mg, source: case, meaning: x, colour: red}", "colour"),
    ("{name: as_of, type: date, source: derived, meaning: again}", "declared twice"),
])
def test_a_bad_declaration_is_reported_with_its_line(tmp_path, entry, problem):
    path = tmp_path / "facts.yaml"
    path.write_text(
        "facts:\n"
        "  - {name: as_of, type: date, source: derived, meaning: evaluation date}\n"
        f"  - {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_catalogue(path)
    assert problem in str(err.value)
    assert err.value.line == 3
    assert str(err.value).startswith(f"{path}:3:")
