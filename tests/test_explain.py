"""`imr-rules explain`: each letter item's prediction beside the reviewer's decision, and why they differ.

The letter (tests/fixtures/cases/letters/relaxants_letter.txt, written for these
tests) is explained with the fixture rulebook in place of the bundled one.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from test_check import CASES, fixture_rules, run  # noqa: F401 - fixture_rules is a pytest fixture

from imr_rules.explain import ExplainReport

LETTER = CASES / "letters" / "relaxants_letter.txt"


def explain_json(capsys, *args: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "explain", "--json", *args)
    return code, json.loads(out)


def items(data: dict) -> list[dict]:
    return data["letters"][0]["items"]


def test_an_agreeing_item_shows_both_decisions_and_the_shared_guideline(fixture_rules, capsys):  # noqa: F811
    code, data = explain_json(capsys, str(LETTER))
    assert code == 0
    first = items(data)[0]
    assert first["actual"] == "Overturned"
    assert first["prediction"]["outcome"] == "Overturned"
    assert first["agreement"] == "agree"
    assert first["same_guideline"] is True
    assert first["reviewer_citation"] == "MTUS Chronic Pain 2009, Muscle relaxants (for pain), p. 63-66"
    used = {fact["name"]: fact for fact in first["prediction"]["fired"][0]["facts"]}
    assert used["diagnoses"]["evidence"][0]["source"] == "summary"


def test_a_disagreeing_item_names_the_rules_that_would_have_given_the_reviewers_outcome(fixture_rules,  # noqa: F811
                                                                                        capsys):
    _, data = explain_json(capsys, str(LETTER))
    second = items(data)[1]
    assert (second["actual"], second["prediction"]["outcome"], second["agreement"]) == (
        "Overturned", "Upheld", "disagree")
    assert second["why"][0].startswith("The rules predict Upheld by fixture-relaxants-not-long-term")
    toward = {miss["id"]: [failed["needs"] for failed in miss["failed"]] for miss in second["toward_actual"]}
    assert list(toward) == ["fixture-relaxants-short-course"]
    assert "Days the quantity lasts at the written frequency: at most 21 days" in toward[
        "fixture-relaxants-short-course"]


def test_an_item_no_rule_covers_is_not_counted_as_agreeing(fixture_rules, capsys):  # noqa: F811
    _, data = explain_json(capsys, str(LETTER))
    third = items(data)[2]
    assert third["agreement"] == "no_prediction"
    assert third["prediction"]["status"] == "no_rule"
    assert third["why"] == ["No rule in the rulebook covers this item (topic: acupuncture); "
                            "the reviewer upheld the denial citing MTUS Acupuncture."]


def test_the_text_view_puts_the_reviewer_beside_the_rules(fixture_rules, capsys):  # noqa: F811
    code, out, err = run(capsys, "explain", str(LETTER))
    assert (code, err) == (0, "")
    assert "decided 2015-03-30; injury 2013-06-18; guidelines in force on 2015-03-30" in out
    tizanidine = out[out.index(" 2. Tizanidine"):out.index(" 3. Acupuncture")]
    cited = "MTUS Chronic Pain 2009, Muscle relaxants (for pain), p. 63-66"
    assert f"Reviewer         OVERTURNED citing {cited}" in tizanidine
    assert "Rules            UPHELD (the denial would stand)" in tizanidine
    assert "Comparison       the rules DISAGREE" in tizanidine
    assert "Would have given Overturned" in tizanidine
    assert out.rstrip().endswith("1 letter, 3 items: 1 agree, 1 disagree, 1 not covered by any rule")


def test_fidelity_mode_also_reads_the_reviewers_findings(fixture_rules, capsys):  # noqa: F811
    _, predicted = explain_json(capsys, str(LETTER))
    _, faithful = explain_json(capsys, "--mode", "fidelity", str(LETTER))
    assert faithful["letters"][0]["mode"] == "fidelity"
    assert items(predicted)[1]["prediction"]["deciding_rule"] == "fixture-relaxants-not-long-term"
    deciding = items(faithful)[1]["prediction"]["fired"][0]
    assert deciding["id"] == "fixture-relaxants-beyond-three-weeks"
    weeks = next(fact for fact in deciding["facts"] if fact["name"] == "weeks_of_use")
    assert weeks["value"] == 30
    assert [e["source"] for e in weeks["evidence"]] == ["rationale"]
    assert not any("--mode fidelity" in s for s in items(faithful)[1]["why"])


def test_json_output_follows_its_model(fixture_rules, capsys):  # noqa: F811
    _, data = explain_json(capsys, str(LETTER))
    jsonschema.Draft202012Validator(ExplainReport.model_json_schema(mode="serialization")).validate(data)
    assert (data["format"], data["version"]) == ("imr-rules-explain", 1)


def test_an_unreadable_letter_is_one_error_line(fixture_rules, capsys, tmp_path):  # noqa: F811
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    code, out, err = run(capsys, "explain", str(bad))
    assert code == 2 and out == ""
    assert err == f"imr-rules: error: {bad}: empty file\n"


def test_a_folder_explains_every_letter_and_accounts_for_the_bad_ones(fixture_rules, capsys,  # noqa: F811
                                                                      tmp_path: Path):
    (tmp_path / "a.txt").write_text(LETTER.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.txt").write_text("not a letter at all\n", encoding="utf-8")
    code, data = explain_json(capsys, str(tmp_path))
    assert code == 2
    statuses = [(Path(x["file"]).name, x["status"]) for x in data["letters"]]
    assert statuses == [("a.txt", "ok"), ("b.txt", "error")]
