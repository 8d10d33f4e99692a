"""Running letters: every file found once, every failure accounted for with its reason, PDF text cached.

The letters here are tiny synthetic texts read by a fake parser, and predicted by
a fake predictor, so that the runner is tested apart from the real parser and
rules. Functions used by worker processes live at the top level (the workers
are spawned and import them by name); other test modules import them from here.
"""

from __future__ import annotations

import gc
import os
import time
from datetime import date
from pathlib import Path

import pytest

from imr_rules import corpus
from imr_rules.errors import InputError
from imr_rules.facts import Evidence
from imr_rules.letters import Citation, CitationPart, Decision, Letter, LetterItem, SourceFamily
from imr_rules.pdftext import read_text
from imr_rules.results import GuidelineRef, ItemResult, RuleHit

# --- the fake world --------------------------------------------------------------
#
# A synthetic letter is lines of "date: YYYY-MM-DD" and
# "item: <text> = <Upheld|Overturned> [cites <family value>[; <section>]]".


def fake_parse(text: str, source: str) -> Letter:
    """Read a synthetic letter; text with no recognisable line is not a letter."""
    decision_date = None
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("date: "):
            decision_date = date.fromisoformat(line[6:].strip())
        elif line.startswith("item: "):
            body, _, decision = line[6:].partition(" = ")
            decision, _, cites = decision.partition(" cites ")
            if decision.strip() not in ("Upheld", "Overturned"):
                raise InputError(f"no decision for item {body!r}", source, number)
            citation = None
            if cites:
                family, _, section = cites.partition("; ")
                part = CitationPart(family=SourceFamily(family), sections=[section] if section else [])
                citation = Citation(family=part.family, parts=[part], text=cites)
            items.append(LetterItem(text=body, decision=Decision(decision.strip()), citation=citation,
                                    maximus_guideline=cites or None))
        elif line.strip() and not line.startswith("#"):
            raise InputError("not a letter line", source, number)
    return Letter(source=source, decision_date=decision_date, items=items)


def _rule(item: str, rule_id: str, effect: Decision, section: str) -> ItemResult:
    return ItemResult(
        item=item, predicted=effect, topic=rule_id.split(".")[0], deciding_rule=rule_id,
        rules=[RuleHit(id=rule_id, effect=effect)],
        citation=GuidelineRef(family=SourceFamily.mtus_acoem, section=section),
        missing=["red flags on examination"] if effect == Decision.upheld else [],
    )


def fake_predict(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """MRIs are upheld, therapy is overturned, anything else has no rule; CRASH kills the process,
    SLOW hangs it and RAISE raises."""
    results = []
    for item in letter.items:
        if "CRASH" in item.text:
            os._exit(7)
        if "SLOW" in item.text:
            time.sleep(60)
        if "RAISE" in item.text:
            raise RuntimeError("the rule engine fell over")
        if "MRI" in item.text:
            result = _rule(item.text, "imaging.no-red-flags", Decision.upheld, "Special Studies")
        elif "therapy" in item.text:
            result = _rule(item.text, "physical_therapy.initial", Decision.overturned, "Physical Methods")
        else:
            result = ItemResult(item=item.text)
        evidence = [Evidence(text=f"{mode} as of {as_of}", source="derived")]
        results.append(result.model_copy(update={"evidence": evidence}))
    return results


def fake_predict_shoulder_flipped(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """The same predictor after a bad rule edit: shoulder MRIs are now overturned."""
    results = fake_predict(letter, mode, as_of)
    flipped = _rule("", "imaging.shoulder", Decision.overturned, "Special Studies")
    return [flipped.model_copy(update={"item": r.item}) if "shoulder" in r.item else r for r in results]


def fake_topic(maximus_line: str, item_text: str) -> str:
    return "imaging" if "MRI" in item_text else "other"


def counting_reader(path: Path) -> str:
    """The project's reader, except that fake PDFs are 'extracted' with a mark beside the file for each
    call, so that calls can be counted across processes."""
    if path.suffix != ".pdf" or not path.exists():
        return read_text(path)
    with open(str(path) + ".reads", "a", encoding="utf-8") as marks:
        marks.write("x")
    return path.read_bytes().decode("utf-8").removeprefix("%PDF-fake\n")


def reads(path: Path) -> int:
    marks = Path(str(path) + ".reads")
    return len(marks.read_text(encoding="utf-8")) if marks.exists() else 0


def fake_job(**overrides) -> corpus.Job:
    settings = dict(parser=fake_parse, predictor=fake_predict, read_text=counting_reader,
                    topic_of_citation=fake_topic)
    settings.update(overrides)
    return corpus.make_job(**settings)


LETTER_A = "date: 2016-12-09\nitem: MRI of the right shoulder = Upheld cites MTUS ACOEM; Special Studies\n" \
           "item: Physical therapy 6 visits = Overturned cites MTUS ACOEM; Physical Methods\n"
LETTER_B = "date: 2017-01-04\nitem: Urine drug screen = Upheld cites MTUS Chronic Pain 2016; Drug testing\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- finding letters -------------------------------------------------------------


def test_a_folder_gives_its_letters_sorted_and_named_inside_the_folder(tmp_path):
    box = tmp_path / "letters"
    for name in ("b.txt", "a.pdf", "sub/c.txt", "labels.yaml", ".hidden.txt", ".git/d.txt"):
        write(box, name, "x")
    found = corpus.discover([box])
    assert [s.name for s in found] == ["letters/a.pdf", "letters/b.txt", "letters/sub/c.txt"]
    assert all(Path(s.path).is_absolute() for s in found)


def test_a_file_named_on_the_command_line_counts_whatever_its_suffix(tmp_path):
    notes = write(tmp_path, "notes.md", "x")
    assert [s.name for s in corpus.discover([notes])] == ["notes.md"]


def test_a_letter_given_twice_is_evaluated_once(tmp_path):
    letter = write(tmp_path / "box", "a.txt", "x")
    assert [s.name for s in corpus.discover([tmp_path / "box", letter])] == ["box/a.txt"]


def test_copies_of_one_letter_under_other_names_are_all_kept(tmp_path):
    original = write(tmp_path / "box", "a.txt", "x")
    (tmp_path / "box" / "b.txt").symlink_to(original)
    assert len(corpus.discover([tmp_path / "box"])) == 2


def test_a_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        corpus.discover([tmp_path / "nowhere"])


# --- one letter ------------------------------------------------------------------


def evaluate(tmp_path: Path, text: str, name: str = "x.txt", **job) -> corpus.LetterResult:
    path = write(tmp_path, name, text)
    return corpus.evaluate_letter(corpus.Source(str(path), name), fake_job(**job))


def test_a_letter_gets_the_prediction_beside_the_letters_own_decision(tmp_path):
    result = evaluate(tmp_path, LETTER_A)
    assert result.status == "ok" and result.error is None
    first, second = result.items
    assert (first.index, first.item, first.actual, first.predicted) == (
        0, "MRI of the right shoulder", Decision.upheld, Decision.upheld)
    assert (second.index, second.actual, second.predicted) == (1, Decision.overturned, Decision.overturned)
    assert first.actual_topic == "imaging" and second.actual_topic == "other"
    assert first.actual_citation.parts[0].sections == ["Special Studies"]


def test_guidelines_are_applied_as_of_each_letters_decision_date_by_default(tmp_path):
    assert evaluate(tmp_path, LETTER_A).items[0].evidence[0].text == "prediction as of 2016-12-09"


def test_a_fixed_date_overrides_the_letters_date(tmp_path):
    result = evaluate(tmp_path, LETTER_A, as_of=date(2015, 1, 1), mode="fidelity")
    assert result.items[0].evidence[0].text == "fidelity as of 2015-01-01"


def test_an_unknown_mode_is_refused():
    with pytest.raises(InputError, match="unknown mode"):
        fake_job(mode="guess")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty file"),
        ("  \n\n ", "empty file"),
        ("date: 2016-12-09\n", "not an IMR letter: no disputed items found"),
        ("Shopping: milk, eggs\n", "line 1: not a letter line"),
        ("item: MRI of the knee = Maybe\n", "line 1: no decision for item 'MRI of the knee'"),
        ("item: RAISE the bed = Upheld\n", "internal error: RuntimeError: the rule engine fell over"),
    ],
)
def test_a_letter_that_cannot_be_evaluated_fails_with_its_reason(tmp_path, text, reason):
    result = evaluate(tmp_path, text)
    assert (result.status, result.error, result.items) == ("error", reason, [])


def test_a_predictor_that_loses_items_fails_the_letter(tmp_path):
    result = evaluate(tmp_path, LETTER_A, predictor=lambda letter, mode, as_of: [])
    assert result.error == "internal error: 0 predictions for 2 items"


@pytest.mark.parametrize("name", ["gone.txt", "gone.pdf"])
def test_a_file_that_vanished_after_it_was_found_fails_with_the_reason(tmp_path, name):
    job = fake_job(cache_dir=tmp_path / "cache")
    result = corpus.evaluate_letter(corpus.Source(str(tmp_path / name), name), job)
    assert (result.status, result.error) == ("error", "no such file")


def test_a_text_letter_that_is_not_utf8_fails_with_the_line(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(LETTER_B.encode() + b"# \xff\xfe\n")
    result = corpus.evaluate_letter(corpus.Source(str(path), "x.txt"), fake_job())
    assert result.error == "line 3: cannot decode text: byte 0xff is not UTF-8"


# --- the PDF text cache ------------------------------------------------------------


def fake_pdf(folder: Path, name: str, text: str) -> Path:
    return write(folder, name, "%PDF-fake\n" + text)


def test_pdf_text_is_extracted_once_and_then_read_from_the_cache(tmp_path):
    pdf = fake_pdf(tmp_path, "a.pdf", LETTER_A)
    job = fake_job(cache_dir=tmp_path / "cache")
    first = corpus.evaluate_letter(corpus.Source(str(pdf), "a.pdf"), job)
    second = corpus.evaluate_letter(corpus.Source(str(pdf), "a.pdf"), job)
    assert first == second and first.status == "ok"
    assert reads(pdf) == 1


def test_the_cache_knows_a_pdf_by_its_content_not_its_name(tmp_path):
    job = fake_job(cache_dir=tmp_path / "cache")
    one, same, other = (fake_pdf(tmp_path, "one.pdf", LETTER_A), fake_pdf(tmp_path, "same.pdf", LETTER_A),
                        fake_pdf(tmp_path, "other.pdf", LETTER_B))
    for pdf in (one, same, other):
        corpus.evaluate_letter(corpus.Source(str(pdf), pdf.name), job)
    assert (reads(one), reads(same), reads(other)) == (1, 0, 1)


def other_reader(path: Path) -> str:
    """Another extractor (say, after a fix): its text must not be served from the first one's entries."""
    return counting_reader(path).replace("Upheld", "Overturned")


def test_a_different_extractor_does_not_read_the_first_ones_cache_entries(tmp_path):
    pdf = fake_pdf(tmp_path, "a.pdf", LETTER_B)
    source = corpus.Source(str(pdf), "a.pdf")
    first = corpus.evaluate_letter(source, fake_job(cache_dir=tmp_path / "cache"))
    second = corpus.evaluate_letter(source, fake_job(cache_dir=tmp_path / "cache", read_text=other_reader))
    assert (first.items[0].actual, second.items[0].actual) == (Decision.upheld, Decision.overturned)
    assert reads(pdf) == 2


def test_without_a_cache_every_run_extracts_again(tmp_path):
    pdf = fake_pdf(tmp_path, "a.pdf", LETTER_A)
    for _ in range(2):
        corpus.evaluate_letter(corpus.Source(str(pdf), "a.pdf"), fake_job(cache_dir=None))
    assert reads(pdf) == 2


def test_a_cache_that_cannot_be_written_only_slows_the_run(tmp_path):
    blocker = write(tmp_path, "not-a-folder", "x")
    pdf = fake_pdf(tmp_path, "a.pdf", LETTER_A)
    result = corpus.evaluate_letter(corpus.Source(str(pdf), "a.pdf"), fake_job(cache_dir=blocker / "cache"))
    assert result.status == "ok"


def test_the_cache_lives_under_imr_rules_cache_when_it_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path))
    assert corpus.default_cache_dir() == tmp_path / "text"
    monkeypatch.delenv("IMR_RULES_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert corpus.default_cache_dir() == tmp_path / "xdg" / "imr-rules" / "text"


# --- many letters ----------------------------------------------------------------------


def many_letters(folder: Path, count: int, bad: dict[int, str] | None = None) -> list[corpus.Source]:
    for i in range(count):
        text = LETTER_A if i % 2 else LETTER_B
        if bad and i in bad:
            text = f"item: {bad[i]} test = Upheld\n"
        write(folder, f"{i:03}.txt", text)
    return corpus.discover([folder])


def test_workers_give_the_same_results_in_the_same_order_as_one_process(tmp_path):
    sources = many_letters(tmp_path / "box", 40)
    sources.append(corpus.discover([write(tmp_path, "bad.txt", "")])[0])
    in_process = corpus.run_letters(sources, fake_job(), workers=0)
    assert corpus.run_letters(sources, fake_job(), workers=2) == in_process
    assert [r.file for r in in_process] == [s.name for s in sources]


def test_a_letter_that_kills_its_worker_fails_alone_and_the_run_goes_on(tmp_path):
    sources = many_letters(tmp_path / "box", 30, bad={12: "CRASH"})
    assert corpus.chunk_size(len(sources), 1) > 1  # the crash takes a whole chunk down with it
    results = corpus.run_letters(sources, fake_job(), workers=1)
    assert len(results) == 30
    failed = [r for r in results if r.status == "error"]
    assert [r.file for r in failed] == ["box/012.txt"]
    assert failed[0].error == ("internal error: the worker process died while evaluating "
                               "this letter (exit code 7)")


def test_a_letter_that_hangs_is_stopped_and_fails_alone(tmp_path):
    sources = many_letters(tmp_path / "box", 12, bad={4: "SLOW"})
    assert corpus.chunk_size(len(sources), 1) > 1
    results = corpus.run_letters(sources, fake_job(), workers=1, timeout=1)
    assert [(r.file, r.error) for r in results if r.status == "error"] == [
        ("box/004.txt", "stopped after 1 s: evaluating this letter took too long")]
    assert len(results) == 12


def test_progress_is_reported_up_to_the_last_letter(tmp_path):
    seen = []
    sources = many_letters(tmp_path / "box", 5)
    corpus.run_letters(sources, fake_job(), workers=0, progress=lambda *counts: seen.append(counts))
    assert seen == [(i, 5) for i in range(1, 6)]


def test_no_letters_is_an_empty_run():
    assert corpus.run_letters([], fake_job(), workers=2) == []


def test_the_pipeline_predictor_is_found_lazily(monkeypatch):
    pytest.importorskip("imr_rules.pipeline", reason="the lead's imr_rules.pipeline has not landed yet")
    from imr_rules.pipeline import predict_letter

    assert corpus.make_job(parser=fake_parse).predict is predict_letter


def predict_reporting_the_collector(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """fake_predict, each item's evidence saying whether this process's cycle collector runs."""
    return [result.model_copy(update={"evidence": [Evidence(text=f"gc {gc.isenabled()}", source="derived")]})
            for result in fake_predict(letter, mode, as_of)]


def test_the_collector_is_paused_only_while_results_arrive_and_workers_keep_theirs(tmp_path):
    sources = many_letters(tmp_path / "box", 30, bad={3: "CRASH"})  # a new worker starts mid-run
    job = fake_job(predictor=predict_reporting_the_collector)
    results = corpus.run_letters(sources, job, workers=1)
    assert {e.text for r in results for i in r.items for e in i.evidence} == {"gc True"}
    assert gc.isenabled()
    gc.disable()
    try:
        corpus.run_letters(sources[:4], job, workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_each_item_of_a_letter_is_read_once(monkeypatch):
    """The pipeline reads the items for their facts, the truth for their topic: one reading serves both."""
    from imr_rules import items, topics

    letter = Path(__file__).parent / "data" / "letters" / "older_decisions_layout.txt"
    source = corpus.Source(str(letter), letter.name)
    job = corpus.make_job()
    corpus.evaluate_letter(source, job)  # rulebook and lexicons loaded
    reads: list[str] = []
    real = items._parse_item
    monkeypatch.setattr(items, "_parse_item", lambda text: reads.append(text) or real(text))
    topics._item_topic.cache_clear()
    result = corpus.evaluate_letter(source, job)
    assert result.status == "ok" and len(result.items) == 2
    assert sorted(reads) == sorted(item.item for item in result.items)


def predict_compiling_a_pattern(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    """fake_predict, having compiled a pattern nothing else compiles (as the extractor does on its first
    letter)."""
    from imr_rules import regexes

    regexes.compile(r"compiled by a worker alone \d+")
    return fake_predict(letter, mode, as_of)


def test_patterns_a_worker_compiled_are_kept_for_the_next_run(tmp_path, monkeypatch):
    from imr_rules import cache, regexes

    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path / "cache"))
    sources = many_letters(tmp_path / "box", 4)
    corpus.run_letters(sources, fake_job(predictor=predict_compiling_a_pattern), workers=1)
    kept = cache.load(regexes._ENTRY, regexes._KEY) or {}
    assert (r"compiled by a worker alone \d+", 0) in kept
