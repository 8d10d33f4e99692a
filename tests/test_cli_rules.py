"""`imr-rules rules lint|test|list|show|schema`."""

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from imr_rules.cli import app

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args):
    return CliRunner().invoke(app, ["rules", *args])


def test_lint_passes_on_the_bundled_rulebook():
    result = run("lint")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("no problems")


def test_test_runs_every_embedded_test_and_ends_with_the_count():
    result = run("test")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed, 0 failed", last)


def test_test_runs_on_both_engines_when_asked():
    one = run("test", str(FIXTURES / "dated_rules")).output.strip().splitlines()[-1]
    both = run("test", str(FIXTURES / "dated_rules"), "--engine", "both").output.strip().splitlines()[-1]
    assert (one, both) == ("4 passed, 0 failed", "8 passed, 0 failed")


def test_a_failing_rule_test_is_named_and_fails_the_command(tmp_path):
    text = (FIXTURES / "dated_rules" / "dated.yaml").read_text(encoding="utf-8")
    path = tmp_path / "dated.yaml"
    path.write_text(text.replace("expect: {outcome: Upheld, fired: [dated-after, dated-versioned], "
                                 "not_fired: [dated-before]}",
                                 "expect: {outcome: Overturned, fired: [dated-after, dated-versioned], "
                                 "not_fired: [dated-before]}"), encoding="utf-8")
    result = run("test", str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "3 passed, 1 failed"
    assert lines[0].startswith(f"FAIL {path}:")
    assert "the first day of the 2016 text" in lines[0]
    assert "outcome Upheld, expected Overturned" in lines[0]


def test_test_refuses_a_rulebook_that_does_not_lint():
    result = run("test", str(FIXTURES / "broken_rules" / "bad_operator.yaml"))
    assert result.exit_code == 1
    assert "unknown operator '=>'" in result.output


def test_list_shows_each_version_with_citation_and_dates():
    result = run("list")
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines()
            if line.startswith("benzodiazepines-beyond-four-weeks ")]
    assert len(rows) == 2
    assert "MTUS Chronic Pain 2009, Benzodiazepines, p. 24" in rows[0] and "2009-07-18..2016-07-28" in rows[0]
    assert "MTUS Chronic Pain 2016, Benzodiazepines" in rows[1] and "2016-07-29..2017-11-30" in rows[1]


def test_show_gives_every_version_and_what_it_compiles_to():
    result = run("show", "zolpidem-beyond-six-weeks", "--json")
    assert result.exit_code == 0
    versions = json.loads(result.output)
    assert [v["id"] for v in versions] == ["zolpidem-beyond-six-weeks"]
    compiled = versions[0]["durable_rules"]["zolpidem-beyond-six-weeks@2009-07-18"]
    assert compiled["all"][0]["m"]["$and"][0] == {"$gte": {"as_of": 733606.0}}
    text = run("show", "zolpidem-beyond-six-weeks").output
    assert "weeks_of_use >= 6" in text and "sedative_hypnotics.yaml:" in text


def test_show_an_unknown_rule_is_a_usage_error_with_a_suggestion():
    done = subprocess.run([sys.executable, "-m", "imr_rules", "rules", "show", "zolpidem-beyond-six-week"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "did you mean 'zolpidem-beyond-six-weeks'" in done.stderr
    assert "Traceback" not in done.stderr


def test_schema_is_a_json_schema_for_rule_files():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "Condition" in schema["$defs"]
    assert schema["properties"]["rules"]["items"]["$ref"] == "#/$defs/Rule"


def test_lint_exit_status_through_the_installed_entry_point():
    path = FIXTURES / "broken_rules" / "unknown_topic.yaml"
    done = subprocess.run([sys.executable, "-m", "imr_rules", "rules", "lint", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert "unknown_topic.yaml:2:1: unknown topic 'benzos'" in done.stdout
