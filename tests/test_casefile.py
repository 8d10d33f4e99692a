"""Case files: what a physician writes is read into items and facts, and every mistake is one clear line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from imr_rules.casefile import case_file_schema, case_files, load_case
from imr_rules.errors import InputError
from imr_rules.letters import Decision

CASES = Path(__file__).parent / "fixtures" / "cases"
BAD = CASES / "bad"
EXAMPLES = Path(__file__).parents[1] / "examples"


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def value(case, name: str, index: int | None = None):
    return case.facts.value(name, index)


# ---------------------------------------------------------------- reading what is written


def test_items_are_parsed_from_their_text_and_fields_override_the_parse(tmp_path):
    case = load_case(write(tmp_path, """
as_of: 2015-03-01
items:
  - "Diazepam 5 mg #60, one twice a day"
  - text: "Cyclobenzaprine 10 mg #30"
    days_supply: 10
"""))
    diazepam, relaxant = case.items
    assert (diazepam.generic, diazepam.days_supply) == ("diazepam", 30)
    assert relaxant.generic == "cyclobenzaprine"
    assert relaxant.days_supply == 10  # the file's value, not the parse
    assert relaxant.quantity == 30  # the rest of the parse stays


def test_item_facts_belong_to_their_item_and_override_the_case_facts(tmp_path):
    case = load_case(write(tmp_path, """
as_of: 2015-03-01
facts: {weeks_of_use: 2, diagnoses: [spasm]}
items:
  - "Cyclobenzaprine 10 mg #10"
  - text: "Tizanidine 4 mg #90"
    facts: {weeks_of_use: 30}
"""))
    assert value(case, "weeks_of_use", 0) == 2
    assert value(case, "weeks_of_use", 1) == 30
    assert value(case, "diagnoses", 1) == ["spasm"]


def test_values_are_normalized_and_carry_the_line_they_were_written_on(tmp_path):
    case = load_case(write(tmp_path, """
as_of: 2015-03-01
facts:
  functional_improvement: true
  urine_drug_screen: false
  opioid_agreement: not_documented
  diagnoses: [Spasm, anxiety]
items: ["Diazepam 5 mg #10"]
"""))
    assert value(case, "functional_improvement") == "documented"
    assert value(case, "urine_drug_screen") == "documented_false"
    assert value(case, "opioid_agreement") == "not_documented"
    assert value(case, "diagnoses") == ["anxiety", "spasm"]
    evidence = case.facts.common["functional_improvement"].evidence[0]
    assert evidence.source == "case_file"
    assert evidence.text == "case file line 4: facts.functional_improvement = documented"


def test_patient_and_injury_date_become_facts_and_weeks_since_injury_is_derived(tmp_path):
    case = load_case(write(tmp_path, """
as_of: 2015-03-02
injury_date: 2015-01-05
patient: {age: 41, sex: male}
items: ["Diazepam 5 mg #10"]
"""))
    assert value(case, "age") == 41
    assert value(case, "sex") == "male"
    assert value(case, "injury_date") == date(2015, 1, 5)
    assert value(case, "weeks_since_injury") == 8


def test_yaml_and_json_case_files_mean_the_same():
    from_yaml = load_case(CASES / "relaxants.yaml")
    from_json = load_case(CASES / "relaxants.json")
    assert from_yaml.model_dump(exclude={"file", "facts"}) == from_json.model_dump(exclude={"file", "facts"})
    assert ({k: v.value for k, v in from_yaml.facts.common.items()}
            == {k: v.value for k, v in from_json.facts.common.items()})
    assert from_yaml.expected == [Decision.overturned, Decision.upheld, None]


# ---------------------------------------------------------------- notes


def test_a_note_is_read_for_facts_about_the_case_and_each_item():
    case = load_case(CASES / "with_note.yaml")
    assert "spasm" in value(case, "diagnoses")
    assert value(case, "weeks_of_use", 1) == 30  # tizanidine, read from the note
    assert value(case, "weeks_of_use", 0) is None
    assert case.note == "notes/flare.txt"
    assert case.facts.common["diagnoses"].evidence[0].source == "note"


def test_facts_in_the_file_override_the_note_for_the_case_and_every_item(tmp_path):
    (tmp_path / "note.txt").write_text((CASES / "notes" / "flare.txt").read_text(), encoding="utf-8")
    case = load_case(write(tmp_path, """
note_file: note.txt
facts:
  weeks_of_use: 1          # overrides what the note says about tizanidine too
  home_exercise_program: null   # 'not documented', whatever the note says
items: ["Cyclobenzaprine 10 mg #10", "Tizanidine 4 mg #90"]
"""))
    assert value(case, "weeks_of_use", 1) == 1
    assert case.facts.for_item(1)["weeks_of_use"].evidence[0].source == "case_file"
    assert value(case, "home_exercise_program") is None
    assert "spasm" in value(case, "diagnoses")  # what the file does not mention still comes from the note


def test_the_note_option_replaces_the_files_note(tmp_path):
    note = write(tmp_path, "Visit 02/02/2015. He has muscle spasm of the low back.", "other.txt")
    case = load_case(CASES / "with_note.yaml", note=note)
    assert case.note == str(note)
    assert case.as_of == date(2015, 2, 2)
    assert value(case, "weeks_of_use", 1) is None  # the file's own note is not read


# ---------------------------------------------------------------- the as-of date


@pytest.mark.parametrize(("header", "option", "expected", "source"), [
    ("as_of: 2015-03-01\nrequest_date: 2015-02-01\n", date(2016, 9, 1), date(2016, 9, 1), "option"),
    ("as_of: 2015-03-01\nrequest_date: 2015-02-01\n", None, date(2015, 3, 1), "as_of"),
    ("request_date: 2015-02-01\n", None, date(2015, 2, 1), "request_date"),
    ("note: 'Seen on 01/15/2015 for spasm.'\n", None, date(2015, 1, 15), "note"),
    ("", None, date.today(), "today"),
])
def test_the_as_of_date_comes_from_the_option_the_file_the_note_or_today(tmp_path, header, option, expected,
                                                                         source):
    case = load_case(write(tmp_path, header + "items: ['Diazepam 5 mg #10']\n"), as_of=option)
    assert (case.as_of, case.as_of_source) == (expected, source)
    assert case.facts.as_of == expected


# ---------------------------------------------------------------- bad case files


@pytest.mark.parametrize(("name", "line", "words"), [
    ("unknown_fact.yaml", 6, "unknown fact 'weeks_of_usage' (did you mean 'weeks_of_use'?)"),
    ("wrong_type.yaml", 7, "fact 'weeks_of_use' (number): expected a number in weeks, got 'three'"),
    ("malformed.yaml", 6, "malformed YAML"),
    ("unknown_tristate.yaml", 6,
     "fact 'functional_improvement' (tristate): expected one of documented, not_documented, "
     "documented_false (or true / false), got 'somewhat'"),
    ("unknown_key.yaml", 3, "unknown key 'itmes' (did you mean 'items'?); allowed keys: title, as_of"),
    ("unknown_item_key.yaml", 5, "unknown key 'day_supply' in items[0] (did you mean 'days_supply'?)"),
    ("unknown_flag.yaml", 6, "'backache' is not allowed; allowed values: neuropathic_pain"),
    ("bad_date.yaml", 2, "not a date (YYYY-MM-DD)"),
    ("item_fact_in_facts.yaml", 6, "'item.days_supply' is read from the item: write `days_supply: ...`"),
    ("no_items.yaml", 3, "items: list at least one requested item"),
    ("bad_expect.yaml", 5, "items[0].expect: expected Upheld or Overturned, got 'Approved'"),
    ("missing_note.yaml", 3, "note_file: cannot read"),
    ("bad_item_value.yaml", 5, "items[0].route: 'rectal' is not allowed; allowed values: oral, topical"),
    ("malformed.json", 3, "malformed JSON"),
    ("wrong_type.json", 4, "fact 'age' (number): expected a number in years, got 'forty'"),
])
def test_a_bad_case_file_is_one_line_naming_the_file_the_line_and_what_is_allowed(name, line, words):
    with pytest.raises(InputError) as caught:
        load_case(BAD / name)
    message = str(caught.value)
    assert message.startswith(f"{BAD / name}:{line}:")
    assert words in message
    assert "\n" not in message


def test_a_fact_given_twice_is_an_error(tmp_path):
    path = write(tmp_path, "patient: {age: 40}\nfacts: {age: 41}\nitems: ['Diazepam 5 mg #10']\n")
    with pytest.raises(InputError, match=r"case.yaml:1: age is given twice"):
        load_case(path)


def test_a_folder_yields_its_case_files_in_name_order_and_an_empty_one_is_an_error(tmp_path):
    assert [p.name for p in case_files(CASES)] == ["relaxants.json", "relaxants.yaml", "with_note.yaml"]
    with pytest.raises(InputError, match="folder has no case files"):
        case_files(tmp_path)


# ---------------------------------------------------------------- the schema


def test_the_schema_accepts_every_example_and_names_each_facts_allowed_values():
    schema = case_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    examples = sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("*.json"))
    assert len(examples) >= 8
    for path in examples:
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
        validator.validate(data)
    facts = schema["$defs"]["Facts"]["properties"]
    assert "spasm" in facts["diagnoses"]["items"]["enum"]
    assert "item.days_supply" not in facts and "as_of" not in facts


def test_the_schema_rejects_what_the_reader_rejects():
    schema = case_file_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert not validator.is_valid({"items": ["x"], "facts": {"weeks_of_usage": 3}})
    assert not validator.is_valid({"items": ["x"], "facts": {"functional_improvement": "somewhat"}})
    assert not validator.is_valid({"itmes": ["x"]})
    assert validator.is_valid({"items": [{"text": "x", "expect": "Upheld", "days_supply": 10}]})


def test_an_injury_date_in_the_file_reckons_the_weeks_since_injury_afresh(tmp_path):
    case = load_case(write(tmp_path, """
as_of: 2015-03-02
injury_date: 2015-02-02
note: "Visit 03/02/2015. Injured at work on 01/05/2014, with low back pain since."
items: ["Diazepam 5 mg #10"]
"""))
    assert value(case, "injury_date") == date(2015, 2, 2)
    assert value(case, "weeks_since_injury") == 4
