"""`imr-rules corpus ...` commands: the rule author's regression run over folders of real letters."""

from __future__ import annotations

import sys
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from imr_rules.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, error
from imr_rules.errors import InputError

app = typer.Typer(no_args_is_help=True)


class Mode(StrEnum):
    prediction = "prediction"
    fidelity = "fidelity"


class _ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        filled = 30 * done // total
        sys.stderr.write(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done}/{total} letters")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _write(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write the {what}: {err.strerror or err}", path) from None


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text!r}") from None


_HELP = {
    "paths": "Letter files (.txt, .pdf) and folders of them.",
    "mode": "prediction: facts from the case summary and the item only; "
            "fidelity: from the reviewer's rationale too.",
    "json": "Write the summary and every item as JSON (the contract is docs/corpus-json.md).",
    "report": "Write a self-contained HTML report.",
    "baseline": "Compare with a saved baseline: list every changed item; "
                "exit 1 if any went from right to wrong.",
    "save_baseline": "Save this run's predictions as a baseline.",
    "workers": "Worker processes; 0 runs the letters in this process (no crash isolation, no time limit).",
    "timeout": "Seconds a worker may spend on one letter before it is stopped and the letter failed.",
    "as_of": "Apply the guidelines in force on this date (YYYY-MM-DD) to every letter.",
    "as_of_letter": "Apply the guidelines in force on each letter's decision date (the default).",
    "no_cache": "Extract PDF text afresh, without reading or writing the text cache.",
}


@app.command("eval")
def eval_command(
    paths: Annotated[list[Path], typer.Argument(help=_HELP["paths"], metavar="PATH", show_default=False)],
    mode: Annotated[Mode, typer.Option(help=_HELP["mode"])] = Mode.prediction,
    json_file: Annotated[Path | None, typer.Option("--json", help=_HELP["json"])] = None,
    report: Annotated[Path | None, typer.Option(help=_HELP["report"])] = None,
    baseline: Annotated[Path | None, typer.Option(help=_HELP["baseline"])] = None,
    save_baseline: Annotated[Path | None, typer.Option(help=_HELP["save_baseline"])] = None,
    workers: Annotated[int, typer.Option(min=0, help=_HELP["workers"])] = 1,
    timeout: Annotated[float, typer.Option(min=0.1, help=_HELP["timeout"])] = 60.0,
    as_of: Annotated[date | None, typer.Option(parser=_parse_date, metavar="DATE",
                                               help=_HELP["as_of"])] = None,
    as_of_letter: Annotated[bool, typer.Option("--as-of-letter", help=_HELP["as_of_letter"])] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=_HELP["no_cache"])] = False,
) -> None:
    """Evaluate the rules on real letters: metrics against the always-Upheld baseline, per topic, per rule.

    Exits 1 when a letter could not be evaluated or an item regressed against --baseline.
    """
    from imr_rules import baseline as baselines
    from imr_rules import corpus, metrics
    from imr_rules import report as reports

    if as_of is not None and as_of_letter:
        error("--as-of and --as-of-letter exclude each other")
        raise typer.Exit(EXIT_USAGE)
    before = baselines.load_baseline(baseline) if baseline is not None else None
    if before is not None:
        baselines.require_mode(before, mode.value, baseline)
    sources = corpus.discover(paths)
    if baseline is not None or save_baseline is not None:
        baselines.require_distinct_file_names(source.name for source in sources)
    job = corpus.make_job(
        mode=mode.value,
        as_of=as_of,
        cache_dir=None if no_cache else corpus.default_cache_dir(),
    )
    progress = _ProgressBar() if sys.stderr.isatty() else None
    try:
        letters = corpus.run_letters(sources, job, workers=workers, progress=progress, timeout=timeout)
    except corpus.WorkerStartError as err:
        error(str(err))
        raise typer.Exit(EXIT_FAILED) from None

    as_of_label = as_of.isoformat() if as_of else "letter"
    summary = metrics.summarize(letters, mode=mode.value, as_of=as_of_label)
    sys.stdout.write(reports.text_table(summary))
    if json_file is not None:
        _write(json_file, corpus.corpus_json_text(summary, letters), "JSON results")
    if report is not None:
        _write(report, reports.html_report(summary, letters), "HTML report")

    regressions = []
    if before is not None:
        comparison = baselines.compare(before, letters, mode.value)
        count = len(comparison.changes)
        print(f"\nagainst baseline {baseline.name}: {count} item{'' if count == 1 else 's'} changed")
        for change in comparison.changes:
            print(f"  {baselines.describe(change)}")
        if comparison.letters_not_run:
            print(f"  ({comparison.letters_not_run} letters of the baseline were not in this run)")
        regressions = comparison.regressions
    if save_baseline is not None:
        baselines.save_baseline(save_baseline, baselines.baseline_of(letters, mode.value))

    for change in regressions:
        error(f"regression: {baselines.describe(change)}")
    if summary.letters_failed:
        error(f"{summary.letters_failed} of {summary.files} letters could not be evaluated")
    raise typer.Exit(EXIT_FAILED if regressions or summary.letters_failed else EXIT_OK)
