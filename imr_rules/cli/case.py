"""`imr-rules case ...`, and the top-level `check` and `explain` commands.

Heavy modules (the engine, the extractor, the letter reader) are imported inside
the commands, so `--help` and bad arguments answer at once.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from imr_rules.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, error

if TYPE_CHECKING:
    from imr_rules.engine import Engine
    from imr_rules.views import CheckReport

app = typer.Typer(no_args_is_help=True)

LETTER_SUFFIXES = (".txt", ".pdf")


class Mode(StrEnum):
    prediction = "prediction"
    fidelity = "fidelity"


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {text!r}") from None


AsOfOption = Annotated[
    date | None,
    typer.Option("--as-of", parser=_parse_date, metavar="DATE",
                 help="Apply the guidelines in force on this date (YYYY-MM-DD), whatever the input says."),
]


# ---------------------------------------------------------------- imr-rules case ...


@app.command("schema")
def schema_command() -> None:
    """The JSON Schema of a case file, with every fact and its allowed values (for editors)."""
    from imr_rules.casefile import case_file_schema

    typer.echo(json.dumps(case_file_schema(), indent=2))


@app.command("check-schema")
def check_schema_command() -> None:
    """The JSON Schema of `imr-rules check --json` (committed as docs/check-json.schema.json)."""
    from imr_rules.views import check_schema

    typer.echo(json.dumps(check_schema(), indent=2))


@app.command("facts")
def facts_command() -> None:
    """Every fact a case file may set: name, type, allowed values or unit, and meaning."""
    from imr_rules.catalogue import AS_OF, load_catalogue

    catalogue = load_catalogue()
    rows = []
    for name in catalogue.names():
        spec = catalogue.facts[name]
        if name == AS_OF or spec.is_item:
            continue
        kind = spec.type.value
        if kind == "tristate":
            allowed = "values: documented | not_documented | documented_false (or true | false)"
        elif spec.values:
            allowed = "values: " + (" | " if len(spec.values) <= 6 else ", ").join(spec.values)
        elif spec.unit:
            allowed = f"unit: {spec.unit}"
        elif kind == "date":
            allowed = "format: YYYY-MM-DD"
        else:
            allowed = ""
        rows.append((name, kind, spec.meaning, allowed))
    width = max(len(r[0]) for r in rows)
    for name, kind, meaning, allowed in rows:
        typer.echo(f"{name:<{width}}  {kind:<8}  {meaning}")
        if allowed:
            typer.echo(f"{'':<{width}}  {'':<8}  {allowed}")


# ---------------------------------------------------------------- imr-rules check


def _help(*paragraphs: str) -> str:
    """Help text as paragraphs written over several source lines (the help formatter rewraps them)."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


_CHECK_HELP = _help(
    "Predict each requested item of a case file: the likely IMR outcome and why.",
    """For each item: the likely outcome, the guideline and pages that decide it, the facts behind it
    and where they were read, and what the report must document for approval.""",
    """CASE is a case file (.yaml, .yml or .json; `imr-rules case schema` describes it) or a folder of
    them, checked in name order. An item no rule covers is reported as such, never as Upheld.""",
    """Exit status: 0 when every case was read and evaluated; 1 when an item could not be evaluated;
    2 when a case file is bad (one line per bad file on stderr: file:line: what is wrong and what is
    allowed).""",
)


def check_command(
    case: Annotated[Path, typer.Argument(help="A case file, or a folder of them.", metavar="CASE",
                                         show_default=False)],
    note: Annotated[Path | None, typer.Option(
        "--note", metavar="FILE",
        help="A progress note to read for facts (replaces the case file's note); facts the case file "
             "writes override what the note says.")] = None,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Write one JSON document (schema: docs/check-json.schema.json).")] = False,
) -> None:
    from imr_rules.casefile import case_files, load_case
    from imr_rules.errors import InputError

    files = case_files(case)
    if note is not None and (case.is_dir() or len(files) > 1):
        raise InputError("--note goes with a single case file, not a folder", case)
    from imr_rules import engine as engines
    from imr_rules.pipeline import evaluate_request
    from imr_rules.views import check_report, checked_case, failed_case

    engine: Engine | None = None
    report = check_report()
    bad = 0
    for path in files:
        try:
            loaded = load_case(path, note=note, as_of=as_of)
        except InputError as err:
            if len(files) == 1 and not as_json:
                raise
            error(str(err))
            report.cases.append(failed_case(str(path), str(err)))
            bad += 1
            continue
        engine = engine or engines.default_engine()
        predictions = evaluate_request(loaded.facts, loaded.items, loaded.as_of, engine)
        report.cases.append(checked_case(loaded, predictions, engine.rulebook, engine.name))
    _emit_check(report, as_json, engine)
    failed_items = any(item.status == "error" for c in report.cases for item in c.items)
    raise typer.Exit(EXIT_USAGE if bad else EXIT_FAILED if failed_items else EXIT_OK)


def _emit_check(report: CheckReport, as_json: bool, engine: Engine | None) -> None:
    from imr_rules.views import Style, render_report, use_color

    if as_json:
        sys.stdout.write(report.model_dump_json(indent=1) + "\n")
        return
    catalogue = engine.rulebook.catalogue if engine is not None else None
    sys.stdout.write(render_report(report, Style(use_color(sys.stdout)), catalogue))


# ---------------------------------------------------------------- imr-rules explain


_EXPLAIN_HELP = _help(
    "Explain each item of IMR letters against the rules, beside the reviewer's decision.",
    """For each item: the prediction beside the reviewer's decision and citation, the rules that fired
    and the evidence they read, and where the two differ, why: the deciding rule against the
    reviewer's citation, and the rules that would have given the reviewer's outcome with what they
    lacked.""",
    """LETTER is a letter (.txt or .pdf) or a folder of them. Exit status: 0 when every letter was
    explained; 1 when an item could not be evaluated; 2 when a letter could not be read.""",
)


def _letter_files(paths: list[Path]) -> list[Path]:
    from imr_rules.errors import InputError

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted((p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                            and p.suffix.lower() in LETTER_SUFFIXES), key=lambda p: p.name)
            if not files:
                raise InputError("folder has no .txt or .pdf letters", path)
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            raise InputError("no such file or folder", path)
    return found


def explain_command(
    letters: Annotated[list[Path], typer.Argument(help="Letter files (.txt, .pdf) or folders of them.",
                                                  metavar="LETTER", show_default=False)],
    mode: Annotated[Mode, typer.Option(
        help="prediction: facts from the case summary and the item only; "
             "fidelity: from the reviewer's rationale too.")] = Mode.prediction,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON document.")] = False,
) -> None:
    from imr_rules.errors import InputError
    from imr_rules.explain import ExplainReport, LetterExplanation, explain_file

    files = _letter_files(letters)
    report = ExplainReport(letters=[])
    bad = 0
    for path in files:
        try:
            report.letters.append(explain_file(path, mode.value, as_of))  # type: ignore[arg-type]
        except InputError as err:
            if len(files) == 1 and not as_json:
                raise
            error(str(err))
            report.letters.append(LetterExplanation(file=str(path), status="error", error=str(err),
                                                    mode=mode.value))  # type: ignore[arg-type]
            bad += 1
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=1) + "\n")
    else:
        from imr_rules import engine as engines
        from imr_rules.views import Style, render_explanations, use_color

        shown = report.model_copy(update={"letters": [x for x in report.letters if x.status == "ok"]})
        catalogue = engines.default_engine().rulebook.catalogue if shown.letters else None
        sys.stdout.write(render_explanations(shown, Style(use_color(sys.stdout)), catalogue))
    failed_items = any(item.agreement == "not_evaluated" for x in report.letters for item in x.items)
    raise typer.Exit(EXIT_USAGE if bad else EXIT_FAILED if failed_items else EXIT_OK)


def register_top_level(root: typer.Typer) -> None:
    """Add `check` and `explain` to the root app."""
    root.command("check", help=_CHECK_HELP)(check_command)
    root.command("explain", help=_EXPLAIN_HELP)(explain_command)
