"""Acceptance on real letters: every file given is accounted for, and bad files fail alone, with reasons.

These run the project's own letter parser and PDF reader (and its predictor when
the pipeline exists; otherwise one that predicts nothing, since accounting does
not depend on predictions). The corpus of real letters is found through
$IMR_RULES_CORPUS, or a `corpus/` folder in the repository or beside it in `shared/`.
"""

from __future__ import annotations

import importlib.util
import json
import os
from datetime import date
from pathlib import Path

import pytest

from imr_rules import corpus, letters
from imr_rules.cli import app
from imr_rules.cli.common import run_guarded
from imr_rules.results import ItemResult

BAD = Path(__file__).parent / "data" / "corpus_bad"
REPO = Path(__file__).resolve().parents[1]


def _steps_missing() -> list[str]:
    missing = [f"imr_rules.letters.{name}" for name in ("read_letter", "parse_letter")
               if not hasattr(letters, name)]
    if importlib.util.find_spec("imr_rules.pdftext") is None:
        missing.append("imr_rules.pdftext")
    return missing


pytestmark = pytest.mark.skipif(
    bool(_steps_missing()),
    reason=f"the letter reader has not landed yet: {', '.join(_steps_missing())} missing",
)


def real_corpus() -> Path | None:
    candidates = [os.environ.get("IMR_RULES_CORPUS"), REPO / "corpus", REPO.parent / "shared" / "corpus"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "dwc").is_dir() and (Path(candidate) / "real").is_dir():
            return Path(candidate)
    return None


def predict_nothing(letter, mode: str, as_of: date | None) -> list[ItemResult]:
    return [ItemResult(item=item.text) for item in letter.items]


@pytest.fixture
def project_steps(monkeypatch, tmp_path):
    """The project's own parser and PDF reader; its predictor if there is one yet."""
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path / "cache"))
    if importlib.util.find_spec("imr_rules.pipeline") is None:
        monkeypatch.setattr(corpus, "_pipeline_predict_letter", lambda: predict_nothing)


def evaluate(capsys, tmp_path, *paths: Path) -> dict:
    out_file = tmp_path / "out.json"
    code = run_guarded(lambda: app(args=["corpus", "eval", *map(str, paths), "--json", str(out_file),
                                         "--workers", "2"], prog_name="imr-rules"))
    capsys.readouterr()
    assert code in (0, 1)
    return json.loads(out_file.read_text(encoding="utf-8"))


def test_every_real_letter_given_is_accounted_for(capsys, tmp_path, project_steps):
    root = real_corpus()
    if root is None:
        pytest.skip("no corpus of real letters found (set IMR_RULES_CORPUS to the folder of real/ and dwc/)")
    given = sorted(p.name for folder in ("real", "dwc") for p in (root / folder).iterdir()
                   if p.suffix in (".txt", ".pdf"))
    document = evaluate(capsys, tmp_path, root / "real", root / "dwc")
    summary = document["summary"]
    assert sorted(entry["file"].split("/")[-1] for entry in document["letters"]) == given
    assert summary["letters_read"] + summary["letters_failed"] == summary["files"] == len(given)
    assert all(entry["error"] for entry in document["letters"] if entry["status"] == "error")


def test_bad_files_beside_a_real_letter_fail_with_reasons_and_the_letter_is_evaluated(
        capsys, tmp_path, project_steps):
    document = evaluate(capsys, tmp_path, BAD)
    outcome = {entry["file"]: (entry["status"], entry["error"]) for entry in document["letters"]}
    assert set(outcome) == {"corpus_bad/004_dec606364cc71ed2.txt", "corpus_bad/corrupt.pdf",
                            "corpus_bad/empty.txt", "corpus_bad/meeting-notes.txt"}
    assert outcome["corpus_bad/004_dec606364cc71ed2.txt"] == ("ok", None)
    assert outcome["corpus_bad/empty.txt"] == ("error", "empty file")
    for bad in ("corpus_bad/corrupt.pdf", "corpus_bad/meeting-notes.txt"):
        status, reason = outcome[bad]
        assert status == "error" and reason and not reason.startswith("internal error"), (bad, reason)
    read = next(entry for entry in document["letters"] if entry["status"] == "ok")
    assert [(item["item"], item["actual"]) for item in read["items"]] == [("Diazepam 10mg #30", "Upheld")]
