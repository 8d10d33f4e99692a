"""`imr-rules corpus eval`: the JSON contract, the exit codes, baselines and the report, end to end.

The command runs with the fake parser and predictor of test_corpus (put in place
of the project's own), so these tests hold whatever the real rules say.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from test_corpus import (
    LETTER_A,
    LETTER_B,
    fake_parse,
    fake_predict,
    fake_predict_shoulder_flipped,
    fake_topic,
)

from imr_rules import corpus
from imr_rules.cli import app
from imr_rules.cli.common import run_guarded

ITEM_KEYS = {"item", "actual", "predicted", "topic", "rules", "citation", "missing"}


@pytest.fixture
def predictor(monkeypatch, tmp_path):
    """The fake parser and predictor stand in for the project's; returns a setter to swap the predictor."""
    chosen = {"predict": fake_predict}
    make_job = corpus.make_job

    def fake_make_job(**settings):
        return make_job(**settings, parser=fake_parse, predictor=chosen["predict"],
                        topic_of_citation=fake_topic)

    monkeypatch.setattr(corpus, "make_job", fake_make_job)
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path / "cache"))
    return lambda predict: chosen.update(predict=predict)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_guarded(lambda: app(args=["corpus", "eval", *args], prog_name="imr-rules"))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def letters(tmp_path) -> Path:
    box = tmp_path / "letters"
    box.mkdir()
    (box / "a.txt").write_text(LETTER_A, encoding="utf-8")
    (box / "b.txt").write_text(LETTER_B, encoding="utf-8")
    (box / "c.txt").write_text("", encoding="utf-8")
    return box


def test_the_json_names_every_letter_and_every_item_in_order(capsys, predictor, letters, tmp_path):
    out_file = tmp_path / "out.json"
    code, _, _ = run(capsys, str(letters), "--json", str(out_file), "--workers", "0")
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert set(document) == {"summary", "letters"}
    assert [(entry["file"], entry["status"], entry["error"]) for entry in document["letters"]] == [
        ("letters/a.txt", "ok", None), ("letters/b.txt", "ok", None),
        ("letters/c.txt", "error", "empty file"),
    ]
    items = document["letters"][0]["items"]
    assert all(ITEM_KEYS <= set(item) for entry in document["letters"] for item in entry["items"])
    assert [(i["item"], i["actual"], i["predicted"]) for i in items] == [
        ("MRI of the right shoulder", "Upheld", "Upheld"),
        ("Physical therapy 6 visits", "Overturned", "Overturned"),
    ]
    assert items[0]["rules"] == [{"id": "imaging.no-red-flags", "effect": "Upheld"}]
    assert items[0]["citation"]["family"] == "MTUS ACOEM"
    assert items[0]["missing"] == ["red flags on examination"]
    assert document["letters"][1]["items"][0]["predicted"] is None
    assert code == 1  # a letter could not be evaluated


def test_the_json_text_is_the_documented_value_an_item_a_line(capsys, predictor, letters, tmp_path):
    from imr_rules import metrics

    results = corpus.run_letters(corpus.discover([letters]), corpus.make_job(mode="prediction"), workers=0)
    summary = metrics.summarize(results, mode="prediction", as_of="letter")
    text = corpus.corpus_json_text(summary, results)
    assert json.loads(text) == corpus.corpus_json(summary, results)
    item_lines = [line for line in text.splitlines() if line.startswith('   {"index": ')]
    assert len(item_lines) == sum(len(letter.items) for letter in results) > 0
    assert json.loads(corpus.corpus_json_text(summary, [])) == corpus.corpus_json(summary, [])
    out_file = tmp_path / "out.json"
    run(capsys, str(letters), "--json", str(out_file), "--workers", "0")
    assert len(out_file.read_text(encoding="utf-8").splitlines()) > len(item_lines)


DOC = Path(__file__).resolve().parents[1] / "docs" / "corpus-json.md"


def documented_keys(section: str) -> set[str]:
    """The keys a section of docs/corpus-json.md lists in its table."""
    body = DOC.read_text(encoding="utf-8").split(f"\n## {section}\n")[1].split("\n## ")[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", body, flags=re.MULTILINE))


def test_the_json_has_exactly_the_keys_its_documentation_lists(capsys, predictor, letters, tmp_path):
    out_file = tmp_path / "out.json"
    run(capsys, str(letters), "--json", str(out_file), "--workers", "0")
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert ITEM_KEYS <= documented_keys("An item")
    assert set(document) == documented_keys("Top level")
    assert all(set(entry) == documented_keys("A letter") for entry in document["letters"])
    items = [item for entry in document["letters"] for item in entry["items"]]
    assert items and all(set(item) == documented_keys("An item") for item in items)
    summary = document["summary"]
    assert set(summary) == documented_keys("The summary")
    for score in (summary["overall"], *summary["by_topic"].values(), *summary["by_guideline"].values()):
        assert set(score) == documented_keys("A score")
        assert set(score["always_upheld"]) == {"accuracy", "recall", "balanced_accuracy", "kappa"}


def _cites_family(item: dict) -> bool:
    ref, cited = item["citation"], item["actual_citation"]
    return ref is not None and ref["family"] in ({p["family"] for p in cited["parts"]} or {cited["family"]})


def _cites_section(item: dict) -> bool:
    """Family and section, as the synthetic letters cite them (one section a part, no pages)."""
    ref = item["citation"]
    return ref is not None and any(
        part["family"] == ref["family"]
        and (not part["sections"] or not ref["section"]
             or ref["section"].casefold() in {name.casefold() for name in part["sections"]})
        for part in item["actual_citation"]["parts"])


def recount(document: dict) -> dict:
    """The headline figures, counted again from the item list alone."""
    items = [item for entry in document["letters"] for item in entry["items"]]
    predicted = [i for i in items if i["predicted"] is not None]
    cited = [i for i in predicted
             if i["actual_citation"] is not None and i["actual_citation"]["family"] != "None cited"]
    def recall(label):
        of = [i for i in items if i["actual"] == label]
        return sum(i["predicted"] == label for i in of) / len(of) if of else None
    return {
        "files": len(document["letters"]),
        "letters_read": sum(entry["status"] == "ok" for entry in document["letters"]),
        "items": len(items),
        "predicted": len(predicted),
        "coverage": len(predicted) / len(items),
        "accuracy": sum(i["predicted"] == i["actual"] for i in predicted) / len(predicted),
        "recall": {"Upheld": recall("Upheld"), "Overturned": recall("Overturned")},
        "upheld_share": sum(i["actual"] == "Upheld" for i in items) / len(items),
        "topics": sorted({i["actual_topic"] for i in items}),
        "citation_family_agreement": {"agree": sum(map(_cites_family, cited)), "compared": len(cited)},
        "citation_agreement": {"agree": sum(map(_cites_section, cited)), "compared": len(cited)},
    }


def test_the_summary_can_be_recomputed_from_the_items(capsys, predictor, letters, tmp_path):
    # the knee: the rule's family (ACOEM) but not its section; the hip: another family; the wrist: no citation
    (letters / "d.txt").write_text(
        "item: MRI of the knee = Overturned cites MTUS ACOEM; Surgical Considerations\n"
        "item: MRI of the hip = Upheld cites ODG; Hip & Pelvis\n"
        "item: MRI of the wrist = Upheld cites None cited\n"
        "item: Gym membership = Upheld\n", encoding="utf-8")
    out_file = tmp_path / "out.json"
    run(capsys, str(letters), "--json", str(out_file), "--workers", "0")
    document = json.loads(out_file.read_text(encoding="utf-8"))
    summary, expected = document["summary"], recount(document)
    overall = summary["overall"]
    assert (summary["files"], summary["letters_read"]) == (expected["files"], expected["letters_read"])
    assert summary["letters_failed"] == len(summary["failures"]) == summary["files"] - summary["letters_read"]
    for key in ("items", "predicted", "coverage", "accuracy", "recall"):
        assert overall[key] == pytest.approx(expected[key]), key
    assert overall["always_upheld"]["accuracy"] == pytest.approx(expected["upheld_share"])
    assert overall["balanced_accuracy"] == pytest.approx(sum(expected["recall"].values()) / 2)
    assert sorted(summary["by_topic"]) == expected["topics"]
    assert sum(group["items"] for group in summary["by_topic"].values()) == expected["items"]
    for key in ("citation_family_agreement", "citation_agreement"):
        counted = expected[key]
        assert overall[key] == {**counted, "rate": pytest.approx(counted["agree"] / counted["compared"])}, key
        for groups in (summary["by_topic"], summary["by_guideline"]):  # the groups split the same items
            assert sum(group[key]["agree"] for group in groups.values()) == counted["agree"], key
            assert sum(group[key]["compared"] for group in groups.values()) == counted["compared"], key
    # the data hold an item of the right family and the wrong section, so the two figures differ
    assert expected["citation_family_agreement"]["agree"] > expected["citation_agreement"]["agree"]


def test_the_table_goes_to_stdout_and_the_run_is_quiet_when_all_is_well(capsys, predictor, letters):
    (letters / "c.txt").unlink()
    code, out, err = run(capsys, str(letters), "--workers", "0")
    assert code == 0 and err == ""
    assert "files 2: 2 read, 0 failed" in out and "always Upheld" in out


def test_a_progress_bar_is_drawn_only_on_a_terminal(capsys, predictor, letters, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, out, err = run(capsys, str(letters), "--workers", "0")
    assert "\r[" in err and "3/3 letters\n" in err
    assert "3/3 letters" not in out


def test_failed_letters_are_named_with_their_reasons_and_the_exit_is_1(capsys, predictor, letters):
    code, out, err = run(capsys, str(letters), "--workers", "0")
    assert code == 1
    assert "failed  letters/c.txt: empty file" in out
    assert "1 of 3 letters could not be evaluated" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2016-01-01", "--as-of-letter"], "--as-of and --as-of-letter exclude each other"),
        (["--as-of", "last tuesday"], "not a date (YYYY-MM-DD): 'last tuesday'"),
        (["--baseline", "missing.json"], "cannot read baseline"),
    ],
)
def test_bad_options_are_usage_errors(capsys, predictor, letters, args, message):
    code, out, err = run(capsys, str(letters), *args)
    assert code == 2 and message in err and out == ""


def test_a_missing_folder_is_a_usage_error(capsys, predictor, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere: no such file or folder" in err


def test_a_fixed_date_reaches_the_predictor(capsys, predictor, letters, tmp_path):
    out_file = tmp_path / "out.json"
    run(capsys, str(letters / "a.txt"), "--as-of", "2015-03-01", "--mode", "fidelity",
        "--json", str(out_file))
    document = json.loads(out_file.read_text(encoding="utf-8"))
    assert document["letters"][0]["items"][0]["evidence"][0]["text"] == "fidelity as of 2015-03-01"
    assert (document["summary"]["mode"], document["summary"]["as_of"]) == ("fidelity", "2015-03-01")


def test_workers_write_the_same_json_as_one_process(capsys, predictor, letters, tmp_path):
    for i in range(20):
        (letters / f"more{i:02}.txt").write_text(LETTER_A if i % 3 else LETTER_B, encoding="utf-8")
    outputs = []
    for workers in ("0", "2"):
        out_file = tmp_path / f"out{workers}.json"
        run(capsys, str(letters), "--workers", workers, "--json", str(out_file))
        outputs.append(out_file.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


def test_a_rule_edit_that_breaks_a_letter_fails_the_baseline_check_and_names_the_item(
        capsys, predictor, letters, tmp_path):
    (letters / "c.txt").unlink()
    saved = tmp_path / "baseline.json"
    assert run(capsys, str(letters), "--save-baseline", str(saved))[0] == 0
    assert str(tmp_path) not in saved.read_text(encoding="utf-8")
    code, out, err = run(capsys, str(letters), "--baseline", str(saved))
    assert (code, err) == (0, "") and "against baseline baseline.json: 0 items changed" in out

    predictor(fake_predict_shoulder_flipped)
    code, out, err = run(capsys, str(letters), "--baseline", str(saved), "--workers", "2")
    assert code == 1
    named = "a.txt #1 'MRI of the right shoulder': Upheld -> Overturned (letter: Upheld)"
    assert f"1 item changed\n  broken     {named}" in out
    assert err == f"imr-rules: error: regression: broken     {named}\n"


def test_a_baseline_check_of_part_of_the_corpus_says_what_it_left_out(capsys, predictor, letters, tmp_path):
    saved = tmp_path / "baseline.json"
    run(capsys, str(letters), "--save-baseline", str(saved))
    code, out, _ = run(capsys, str(letters / "a.txt"), "--baseline", str(saved))
    assert code == 0 and "0 items changed\n  (2 letters of the baseline were not in this run)" in out


def test_a_baseline_of_the_other_mode_is_refused_before_any_letter_is_read(
        capsys, predictor, letters, tmp_path):
    saved = tmp_path / "baseline.json"
    run(capsys, str(letters), "--save-baseline", str(saved), "--mode", "fidelity")
    code, out, err = run(capsys, str(letters), "--baseline", str(saved))
    assert code == 2 and out == ""
    assert "the baseline was made in fidelity mode; this run is in prediction mode" in err


def test_letters_that_share_a_file_name_cannot_be_baselined(capsys, predictor, letters, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "a.txt").write_text(LETTER_B, encoding="utf-8")
    code, out, err = run(capsys, str(letters), str(twin), "--save-baseline", str(tmp_path / "b.json"))
    assert code == 2 and out == ""
    assert "twin/a.txt: has the same file name as letters/a.txt" in err


def test_the_report_is_written_as_one_html_file(capsys, predictor, letters, tmp_path):
    page = tmp_path / "report.html"
    run(capsys, str(letters), "--report", str(page), "--workers", "0")
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Confusion matrix" in html and "letters/c.txt" in html


def test_an_unwritable_output_is_a_usage_error(capsys, predictor, letters, tmp_path):
    code, _, err = run(capsys, str(letters), "--json", str(tmp_path / "no" / "such" / "dir.json"))
    assert code == 2 and "cannot write the JSON results" in err
