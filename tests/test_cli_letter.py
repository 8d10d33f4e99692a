"""`imr-rules letter parse`: a readable account or JSON Lines per letter; one clear line per bad file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from corpus_paths import corpus_dir

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
LETTERS = DATA / "letters"


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imr_rules", "letter", "parse", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stderr.splitlines()


def _error_parts(line: str) -> tuple[str, str]:
    """The file (without a line number) and the reason of one error line."""
    prefix = "imr-rules: error: "
    assert line.startswith(prefix), line
    where, reason = line[len(prefix):].split(": ", 1)
    return where.split(":")[0], reason


def test_a_letter_is_summarised_with_its_header_reviewer_and_items():
    result = _run(LETTERS / "synthetic_letter.pdf")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "case CM16-0000042 | assigned 2016-11-09 | injury 2016-10-13 | decided 2016-12-09" in out
    assert "reviewer: Family Practice; licensed in California" in out
    assert "1. MRI of the cervical spine without contrast: Upheld" in out
    assert "cited: MTUS ACOEM Neck and Upper Back Complaints 2004 [Special Studies]" in out
    assert "2. Naproxen 500 mg #60: Overturned" in out


def test_json_gives_one_letter_per_line_with_the_file_it_came_from():
    files = sorted(LETTERS.iterdir())
    result = _run("--json", LETTERS)
    assert result.returncode == 0, result.stderr
    letters = [json.loads(line) for line in result.stdout.splitlines()]
    assert [letter["file"] for letter in letters] == [str(LETTERS / f.name) for f in files]
    first = letters[0]
    assert {"file", "source", "layout", "case_number", "decision_date", "reviewer", "summary", "items"} \
        <= set(first)
    item = first["items"][0]
    assert {"text", "decision", "maximus_guideline", "citation", "rationale"} <= set(item)
    assert item["citation"]["parts"][0]["pages"] == [[98, 99]]


def test_a_folder_of_real_letters_parses_without_errors():
    folder = corpus_dir("real")
    result = _run(folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n== ") + result.stdout.startswith("== ") == len(list(folder.glob("*.txt")))


REASONS = {
    "empty.txt": "empty file",
    "binary.txt": "binary file, not a text letter or a PDF",
    "not_a_letter.txt": "not an IMR letter: no IMR headings and no disputed items found",
    "truncated_letter.txt": "no disputed items found: the letter has no decisions section (is it cut short?)",
    "no_items.txt": "no disputed items found",
    "needs_password.pdf": "PDF is encrypted with a password (only the empty password is tried)",
    "truncated.pdf": "corrupt or truncated PDF (cannot read its structure)",
    "corrupt.pdf": "corrupt or truncated PDF (cannot read its structure)",
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path, Path, Path]:
    """One run over every bad file, a 50 MB file, a good letter, a missing file and an empty folder."""
    folder = tmp_path_factory.mktemp("big")
    big = folder / "huge.txt"
    with big.open("wb") as out:
        out.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    missing = folder / "missing.txt"
    empty = tmp_path_factory.mktemp("empty")
    return _run(BAD, big, LETTERS / "synthetic_letter.pdf", missing, empty), big, missing, empty


def test_every_bad_file_gets_one_clear_error_line(bad_run):
    result, *_ = bad_run
    by_file = dict(_error_parts(line) for line in _errors(result))
    for name, reason in REASONS.items():
        assert by_file[str(BAD / name)] == reason, name
    assert "Traceback" not in result.stderr


def test_a_letter_without_items_is_refused_at_its_decisions_heading(bad_run):
    result, *_ = bad_run
    assert f"imr-rules: error: {BAD / 'no_items.txt'}:9: no disputed items found" in _errors(result)


def test_every_file_of_a_folder_of_bad_files_is_accounted_for(bad_run):
    result, big, missing, empty = bad_run
    named = [_error_parts(line)[0] for line in _errors(result)]
    assert named == [str(p) for p in sorted(BAD.iterdir())] + [str(big), str(missing), str(empty)]


def test_a_file_too_large_is_refused_without_reading_it(bad_run):
    result, big, *_ = bad_run
    assert f"imr-rules: error: {big}: file too large (50 MB; the limit is 20 MB)" in _errors(result)


def test_bad_files_do_not_stop_the_good_ones_but_fail_the_run(bad_run):
    result, _, missing, _ = bad_run
    assert result.returncode == 1
    assert result.stdout.startswith(f"== {LETTERS / 'synthetic_letter.pdf'}")
    assert f"imr-rules: error: {missing}: no such file or folder" in _errors(result)


def test_a_folder_without_letters_is_an_error(bad_run):
    result, *_, empty = bad_run
    assert f"imr-rules: error: {empty}: folder has no .txt or .pdf letters" in _errors(result)
