"""Baselines: saved per item, keyed by file name, and compared so that a rule author sees every change."""

from __future__ import annotations

import json

import pytest

from imr_rules import baseline
from imr_rules.errors import InputError
from imr_rules.letters import Decision
from imr_rules.results import ItemResult, LetterResult

UP, OV = Decision.upheld, Decision.overturned


def letter(file: str, *items: tuple[str, Decision, Decision | None]) -> LetterResult:
    return LetterResult(file=file, status="ok", items=[
        ItemResult(index=i, item=text, actual=actual, predicted=predicted)
        for i, (text, actual, predicted) in enumerate(items)
    ])


RUN = [
    letter("dwc/one.pdf", ("MRI lumbar", UP, UP), ("PT x6", OV, OV), ("Norco", UP, None)),
    letter("real/two.txt", ("Valium", UP, UP)),
    LetterResult.failed("dwc/three.pdf", "cannot open PDF"),
]


def test_a_baseline_keys_items_by_file_name_index_and_text_and_survives_a_round_trip(tmp_path):
    path = tmp_path / "baseline.json"
    baseline.save_baseline(path, baseline.baseline_of(RUN, "prediction"))
    loaded = baseline.load_baseline(path)
    assert [item.key for item in loaded.items] == [
        ("one.pdf", 0, "MRI lumbar"), ("one.pdf", 1, "PT x6"), ("one.pdf", 2, "Norco"),
        ("two.txt", 0, "Valium"),
    ]
    assert [f.model_dump() for f in loaded.failed] == [{"file": "three.pdf", "error": "cannot open PDF"}]
    assert loaded == baseline.baseline_of(RUN, "prediction")


def test_a_baseline_file_has_one_item_per_line_and_no_folders(tmp_path):
    text = baseline.dump_baseline(baseline.baseline_of(RUN, "prediction"))
    json.loads(text)
    item_lines = [line for line in text.splitlines() if '"index"' in line]
    assert len(item_lines) == 4
    assert "dwc/" not in text and "real/" not in text


def test_the_same_run_changes_nothing():
    comparison = baseline.compare(baseline.baseline_of(RUN, "prediction"), RUN, "prediction")
    assert comparison.changes == [] and comparison.regressions == []


def kinds(comparison: baseline.Comparison) -> dict[tuple[str, int], str]:
    return {(change.file, change.index): change.kind for change in comparison.changes}


def test_every_changed_item_is_named_and_right_to_wrong_is_a_regression():
    before = baseline.baseline_of([
        letter("a.txt", ("broken", UP, UP), ("fixed", OV, UP), ("changed", OV, UP), ("relabelled", UP, OV),
               ("same", UP, UP)),
    ], "prediction")
    after = [letter("a.txt", ("broken", UP, OV), ("fixed", OV, OV), ("changed", OV, None),
                    ("relabelled", OV, OV), ("same", UP, UP), ("new", UP, UP))]
    comparison = baseline.compare(before, after, "prediction")
    assert kinds(comparison) == {
        ("a.txt", 0): "broken", ("a.txt", 1): "fixed", ("a.txt", 2): "changed", ("a.txt", 3): "fixed",
        ("a.txt", 5): "new",
    }
    assert [(c.file, c.item) for c in comparison.regressions] == [("a.txt", "broken")]


def test_a_label_change_alone_is_reported_as_relabelled():
    before = baseline.baseline_of([letter("a.txt", ("x", UP, None))], "prediction")
    comparison = baseline.compare(before, [letter("a.txt", ("x", OV, None))], "prediction")
    assert kinds(comparison) == {("a.txt", 0): "relabelled"} and not comparison.regressions


def test_a_right_item_of_a_letter_that_now_fails_is_a_regression():
    before = baseline.baseline_of(RUN, "prediction")
    after = [LetterResult.failed("dwc/one.pdf", "cannot open PDF"), *RUN[1:]]
    comparison = baseline.compare(before, after, "prediction")
    assert kinds(comparison) == {("one.pdf", 0): "lost", ("one.pdf", 1): "lost", ("one.pdf", 2): "lost"}
    assert [c.item for c in comparison.regressions] == ["MRI lumbar", "PT x6"]  # Norco was never right


def test_letters_this_run_was_not_given_are_left_out():
    comparison = baseline.compare(baseline.baseline_of(RUN, "prediction"), RUN[1:2], "prediction")
    assert comparison.changes == [] and comparison.letters_not_run == 2


def test_the_same_letter_in_another_folder_matches_its_baseline():
    before = baseline.baseline_of(RUN, "prediction")
    moved = [r.model_copy(update={"file": "elsewhere/" + r.file.split("/")[-1]}) for r in RUN]
    assert baseline.compare(before, moved, "prediction").changes == []


def test_a_baseline_from_the_other_mode_is_refused():
    with pytest.raises(InputError, match="made in fidelity mode; this run is in prediction mode"):
        baseline.compare(baseline.baseline_of(RUN, "fidelity"), RUN, "prediction")


def test_two_letters_with_one_file_name_cannot_be_saved():
    with pytest.raises(InputError, match="has the same file name as a/x.txt"):
        baseline.baseline_of([letter("a/x.txt"), letter("b/x.txt")], "prediction")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not a baseline file"),
        ('{"items": []}', 'not a baseline file (no "format"'),
        ('{"format": "imr-rules-baseline", "version": 1, "mode": "prediction", "items": [{"file": 1}],'
         ' "failed": []}', "malformed baseline at items.0"),
    ],
)
def test_a_file_that_is_not_a_baseline_is_refused_with_the_reason(tmp_path, content, problem):
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        baseline.load_baseline(path)
    assert err.value.problem.startswith(problem)
    assert err.value.path == str(path)


def test_a_missing_baseline_is_refused(tmp_path):
    with pytest.raises(InputError, match="cannot read baseline"):
        baseline.load_baseline(tmp_path / "none.json")


def test_a_change_reads_as_one_line():
    before = baseline.baseline_of([letter("a.txt", ("MRI lumbar", UP, UP))], "prediction")
    change = baseline.compare(before, [letter("a.txt", ("MRI lumbar", UP, OV))], "prediction").changes[0]
    expected = "broken     a.txt #1 'MRI lumbar': Upheld -> Overturned (letter: Upheld)"
    assert baseline.describe(change) == expected
