"""`imr-rules check`: per item the likely outcome, the guideline, the facts and what to document.

The command runs on the small rulebook of tests/fixtures/cases/rulebook (put in
place of the bundled one), so these tests hold whatever the real rules say.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from imr_rules import engine as engines
from imr_rules.cli import app
from imr_rules.cli.common import run_guarded
from imr_rules.views import CheckReport, Style, check_schema, render_report, use_color

ROOT = Path(__file__).parents[1]
CASES = Path(__file__).parent / "fixtures" / "cases"
FIXTURE_RULES = CASES / "rulebook"
SCHEMA_FILE = ROOT / "docs" / "check-json.schema.json"


@cache
def fixture_engine() -> engines.Engine:
    from imr_rules.rulebook import load_rulebook

    return engines.DurableEngine(load_rulebook(FIXTURE_RULES))


@pytest.fixture
def fixture_rules(monkeypatch):
    """The fixture rulebook stands in for the bundled one, for check and explain alike."""
    monkeypatch.setattr(engines, "default_engine", fixture_engine)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return fixture_engine()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_guarded(lambda: app(args=list(args), prog_name="imr-rules"))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, *args: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", "--json", *args)
    return code, json.loads(out)


def block(out: str, number: int) -> str:
    """The text of item `number` (from 1) of the first case."""
    start = out.index(f"\n {number}. ")
    end = out.find(f"\n {number + 1}. ", start)
    return out[start:end if end != -1 else None]


# ---------------------------------------------------------------- the text view


def test_each_item_gets_its_outcome_guideline_reasons_and_facts(fixture_rules, capsys):
    code, out, err = run(capsys, "check", str(CASES / "relaxants.yaml"))
    assert (code, err) == (0, "")
    short = block(out, 1)
    assert "Likely outcome   OVERTURNED (the request would be approved)" in short
    assert "Guideline        MTUS Chronic Pain 2009, Muscle relaxants (for pain), p. 63-66" in short
    assert "fixture-relaxants-short-course" in short
    assert "A new course of 10 days for documented spasm" in short
    assert "- diagnoses = spasm" in short
    assert "case file line 9: facts.diagnoses = spasm" in short
    assert "Expected         Overturned (matches)" in short


def test_an_upheld_item_lists_what_the_report_must_document_for_approval(fixture_rules, capsys):
    _, out, _ = run(capsys, "check", str(CASES / "relaxants.yaml"))
    renewal = block(out, 2)
    assert "Likely outcome   UPHELD (the denial would stand)" in renewal
    assert "fixture-relaxants-beyond-three-weeks" in renewal
    assert "30 weeks of use are documented" in renewal
    checklist = renewal[renewal.index("To document for approval"):]
    assert "[ ] Taper the relaxant; a new course must be three weeks or less." in checklist
    assert "[ ] Days the quantity lasts at the written frequency: at most 21 days" in checklist


def test_an_item_no_rule_covers_says_so_and_is_never_shown_as_upheld(fixture_rules, capsys):
    _, out, _ = run(capsys, "check", str(CASES / "relaxants.yaml"))
    acupuncture = block(out, 3)
    assert "NO PREDICTION" in acupuncture
    assert "No rule in the rulebook covers this item (topic: acupuncture)" in acupuncture
    assert "UPHELD" not in acupuncture
    assert out.rstrip().endswith("1 case file; 3 items: 1 likely Overturned, 1 likely Upheld, "
                                 "1 not covered by any rule; 2 of 2 as expected")


def test_as_of_applies_the_guidelines_in_force_then(fixture_rules, capsys):
    code, data = check_json(capsys, "--as-of", "2017-01-10", str(CASES / "relaxants.yaml"))
    assert code == 0
    case = data["cases"][0]
    assert (case["as_of"], case["as_of_source"]) == ("2017-01-10", "option")
    first = case["items"][0]
    assert first["status"] == "no_rule" and first["outcome"] is None
    assert first["summary"] == ("no rule in the rulebook covers this item on 2017-01-10 "
                                "(topic: muscle_relaxants): its rules are in force 2009-07-18..2016-07-28")


def test_a_note_option_reads_a_progress_note_for_the_facts(fixture_rules, capsys, tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("items: ['Cyclobenzaprine 10 mg #10, one at bedtime']\n", encoding="utf-8")
    code, data = check_json(capsys, "--note", str(CASES / "notes" / "flare.txt"), str(case))
    assert code == 0
    checked = data["cases"][0]
    assert (checked["as_of"], checked["as_of_source"]) == ("2015-01-27", "note")
    item = checked["items"][0]
    assert item["outcome"] == "Overturned"
    used = {fact["name"]: fact for fact in item["fired"][0]["facts"]}
    evidence = used["diagnoses"]["evidence"]
    assert {e["source"] for e in evidence} == {"note"}
    assert any("paraspinal muscle spasm" in e["text"] for e in evidence)


def test_a_note_option_with_a_folder_is_refused(fixture_rules, capsys):
    code, out, err = run(capsys, "check", "--note", str(CASES / "notes" / "flare.txt"), str(CASES))
    assert code == 2 and out == ""
    assert err.startswith("imr-rules: error: ") and "--note goes with a single case file" in err


# ---------------------------------------------------------------- JSON


def test_json_output_validates_against_the_published_schema(fixture_rules, capsys):
    code, data = check_json(capsys, str(CASES))
    assert code == 0
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert [case["file"] for case in data["cases"]] == [str(CASES / n) for n in
                                                       ("relaxants.json", "relaxants.yaml", "with_note.yaml")]
    outcomes = [item["outcome"] for item in data["cases"][1]["items"]]
    assert outcomes == ["Overturned", "Upheld", None]


def test_the_committed_schema_is_the_one_the_model_generates():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == check_schema(), (
        "docs/check-json.schema.json is stale: regenerate it with "
        "`imr-rules case check-schema > docs/check-json.schema.json`")


# ---------------------------------------------------------------- bad input


def test_a_bad_case_file_is_one_error_line_and_exit_2(fixture_rules, capsys):
    code, out, err = run(capsys, "check", str(CASES / "bad" / "unknown_fact.yaml"))
    assert code == 2 and out == ""
    assert err == (f"imr-rules: error: {CASES / 'bad' / 'unknown_fact.yaml'}:6: facts: unknown fact "
                   "'weeks_of_usage' (did you mean 'weeks_of_use'?); `imr-rules case facts` lists every fact "
                   "with its allowed values\n")


def test_a_folder_with_bad_files_reports_each_checks_the_rest_and_exits_2(fixture_rules, capsys, tmp_path):
    for name in ("relaxants.yaml", "bad/wrong_type.yaml", "bad/malformed.yaml"):
        (tmp_path / Path(name).name).write_text((CASES / name).read_text(encoding="utf-8"), encoding="utf-8")
    code, data = check_json(capsys, str(tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert [(Path(c["file"]).name, c["status"]) for c in data["cases"]] == [
        ("malformed.yaml", "error"), ("relaxants.yaml", "ok"), ("wrong_type.yaml", "error")]
    assert data["cases"][2]["error"].endswith(":7: facts: fact 'weeks_of_use' (number): expected a number in "
                                              "weeks, got 'three'")
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 2
    assert len(err.splitlines()) == 2
    assert "== " + str(tmp_path / "relaxants.yaml") in out
    assert "2 unreadable case files" in out


def test_no_such_case_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "check", str(tmp_path / "missing.yaml"))
    assert code == 2 and out == ""
    assert err == f"imr-rules: error: {tmp_path / 'missing.yaml'}: no such file or folder\n"


def test_the_installed_command_prints_no_traceback_on_a_bad_file():
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("IMR_RULES_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "imr_rules", "check", str(CASES / "bad" / "malformed.yaml")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "malformed.yaml:6:1: malformed YAML" in done.stderr


# ---------------------------------------------------------------- colour


def _report(fixture_rules, capsys) -> CheckReport:
    _, data = check_json(capsys, str(CASES / "relaxants.yaml"))
    return CheckReport.model_validate(data)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(_Terminal()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(_Terminal()) is False


def test_the_coloured_view_says_the_same_as_the_plain_one(fixture_rules, capsys):
    report = _report(fixture_rules, capsys)
    plain = render_report(report, Style(False))
    coloured = render_report(report, Style(True))
    assert "\033[" not in plain
    assert "\033[1;32mOVERTURNED\033[0m" in coloured and "\033[1;31mUPHELD\033[0m" in coloured
    import re

    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain
