"""`imr-rules rules ...`: lint, test, list, show the guideline rules, and print their schema."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from imr_rules.cli.common import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from imr_rules.rulebook import Rulebook

app = typer.Typer(no_args_is_help=True)

PathArg = Annotated[
    Path | None,
    typer.Argument(help="A rule file or a folder of them (default: the bundled rulebook).", metavar="[PATH]",
                   show_default=False),
]


class EngineChoice(StrEnum):
    durable = "durable"
    reference = "reference"
    both = "both"


def _checked(path: Path | None) -> Rulebook:
    """The rulebook, or every lint problem printed and exit 1."""
    from imr_rules.lint import lint_rulebook

    result = lint_rulebook(path)
    if result.rulebook is None:
        for diagnostic in result.diagnostics:
            typer.echo(str(diagnostic))
        typer.echo(f"{len(result.diagnostics)} problems in {len(result.files)} files")
        raise typer.Exit(EXIT_FAILED)
    return result.rulebook


@app.command("lint")
def lint_command(path: PathArg = None) -> None:
    """Check every rule file: keys, types, facts, operators, citations, topics, ids, dates,
    durable-rules limits and test coverage. One line per problem (file:line:col: rule-id: problem);
    exit status 1 if there is any."""
    rulebook = _checked(path)
    tests = sum(len(rule.tests) for rule in rulebook.rules)
    counts = f"{len(rulebook.files)} files, {len(rulebook.rules)} rule versions, {tests} tests"
    typer.echo(f"{counts}: no problems")
    raise typer.Exit(EXIT_OK)


@app.command("test")
def test_command(
    path: PathArg = None,
    engine: Annotated[EngineChoice, typer.Option(help="Engine to run the tests on.")] = EngineChoice.durable,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also list the tests that pass.")] = False,
) -> None:
    """Run the tests embedded in the rule files; the last line reads `N passed, M failed`
    (exit status 1 if any failed)."""
    from imr_rules.engine import DurableEngine, ReferenceEngine
    from imr_rules.ruletests import run_all

    rulebook = _checked(path)
    engines = []
    if engine in (EngineChoice.durable, EngineChoice.both):
        engines.append(DurableEngine(rulebook))
    if engine in (EngineChoice.reference, EngineChoice.both):
        engines.append(ReferenceEngine(rulebook))
    results = run_all(rulebook, engines)
    for result in results:
        if not result.passed:
            typer.echo(f"FAIL {result.where}: {result.id} [{result.engine}]: {'; '.join(result.problems)}")
        elif verbose:
            typer.echo(f"ok   {result.where}: {result.id} [{result.engine}]")
    failed = sum(not r.passed for r in results)
    typer.echo(f"{len(results) - failed} passed, {failed} failed")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


@app.command("list")
def list_command(path: PathArg = None) -> None:
    """One line per rule version: id, topic, effect, citation, dates in force."""
    rulebook = _checked(path)
    rows = [(r.id, r.topic or "", r.effect.value, r.citation.guideline_ref().text, r.in_force.render())
            for r in rulebook.rules]
    header = ("id", "topic", "effect", "citation", "in force")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@app.command("show")
def show_command(
    rule_id: Annotated[str, typer.Argument(help="The rule id.", metavar="ID", show_default=False)],
    path: PathArg = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The versions as JSON, with the compiled ruleset.")
    ] = False,
) -> None:
    """Every version of one rule: what it says, where it is written, and what it compiles to."""
    from imr_rules.compiler import compile_topic
    from imr_rules.errors import InputError
    from imr_rules.paths import rules_dir

    rulebook = _checked(path)
    versions = rulebook.versions(rule_id)
    if not versions:
        from imr_rules.lint import _suggest

        raise InputError(f"no rule {rule_id!r}{_suggest(rule_id, {r.id for r in rulebook.rules})}",
                         path or rules_dir())
    compiled = compile_topic(versions[0].topic or "", rulebook.topic_rules(versions[0].topic or ""),
                             rulebook.catalogue)
    out = []
    for rule in versions:
        data = rule.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
        data["topic"] = rule.topic
        data["written_at"] = f"{rule.file}:{rule.line}"
        data["durable_rules"] = {rule.key: compiled.definition[rule.key]}
        out.append(data)
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    import yaml

    for data in out:
        data.pop("tests", None)
        typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).rstrip())
        rule = rulebook.by_key[next(iter(data["durable_rules"]))]
        typer.echo(f"tests: {len(rule.tests)}")
        typer.echo("---")


@app.command("schema")
def schema_command() -> None:
    """The JSON Schema of a rule file (for editors)."""
    from imr_rules.rulebook import rule_file_schema

    typer.echo(json.dumps(rule_file_schema(), indent=2))
