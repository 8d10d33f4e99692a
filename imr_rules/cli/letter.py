"""`imr-rules letter ...` commands: reading IMR Final Determination Letters."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from imr_rules.cli.common import EXIT_FAILED, EXIT_OK, error

if TYPE_CHECKING:
    from imr_rules.letters import Citation, Letter

app = typer.Typer(no_args_is_help=True)

LETTER_SUFFIXES = (".txt", ".pdf")

_PARSE_HELP = """Parse letters and show what was read: header, reviewer, and each item with its
decision and the guideline cited.

PATH is a letter (.txt or .pdf) or a folder; a folder contributes its .txt and .pdf
files (not those of its subfolders), sorted by name. A file that cannot be read or
parsed gets one error line on stderr; the others are still parsed, and the exit
status is 1 if any failed.

With --json, each letter is one JSON object on a line of its own (JSON Lines), in
the order read: the Letter model's fields plus "file", the path as given.
"""


@app.command("parse", help=_PARSE_HELP)
def parse_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Letter files and folders of them.", metavar="PATH", show_default=False),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per letter per line.")] = False,
) -> None:
    from imr_rules.errors import InputError
    from imr_rules.letters import read_letter

    failed = 0
    for path in _letter_files(paths):
        if isinstance(path, InputError):
            error(str(path))
            failed += 1
            continue
        try:
            letter = read_letter(path)
        except InputError as err:
            error(str(err))
            failed += 1
            continue
        except Exception as err:  # noqa: BLE001 - one letter's bug must not stop the others
            if os.environ.get("IMR_RULES_DEBUG"):
                raise
            error(f"{path}: internal error: {err.__class__.__name__}: {err} "
                  "(set IMR_RULES_DEBUG=1 for a traceback)")
            failed += 1
            continue
        typer.echo(_as_json(letter, path) if as_json else _as_text(letter, path))
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _letter_files(paths: list[Path]) -> list[Path | Exception]:
    """Every file asked for, folders expanded; a path that is neither becomes its error, in its place."""
    from imr_rules.errors import InputError

    found: list[Path | Exception] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                (f for f in path.iterdir()
                 if f.is_file() and f.suffix.lower() in LETTER_SUFFIXES and not f.name.startswith(".")),
                key=lambda f: f.name,
            )
            if not files:
                found.append(InputError("folder has no .txt or .pdf letters", path))
            found.extend(files)
        elif path.exists():
            found.append(path)
        else:
            found.append(InputError("no such file or folder", path))
    return found


def _as_json(letter: Letter, path: Path) -> str:
    import json

    return json.dumps({"file": str(path), **letter.model_dump(mode="json")}, ensure_ascii=False)


def _as_text(letter: Letter, path: Path) -> str:
    """A short readable account of the letter."""
    facts = [
        ("case", letter.case_number),
        ("assigned", letter.date_assigned),
        ("injury", letter.date_of_injury),
        ("decided", letter.decision_date),
        ("UR denial", letter.ur_denial_date),
        ("priority", letter.priority),
        ("received", letter.application_received),
    ]
    out = [f"== {path}", "   " + (" | ".join(f"{k} {v}" for k, v in facts if v) or "no case header")]
    reviewer = letter.reviewer
    out.append(
        f"   reviewer: {', '.join(reviewer.specialties) or 'specialty not stated'}; "
        f"licensed in {', '.join(reviewer.licensure) or 'not stated'}"
    )
    out.append(
        f"   layout {letter.layout}; summary {len(letter.summary)} characters; {len(letter.items)} item(s)"
    )
    for number, item in enumerate(letter.items, start=1):
        out.append(f"   {number}. {item.text}: {item.decision.value}")
        if item.original_request:
            out.append(f"      original request: {item.original_request}")
        if item.authorized:
            out.append(f"      authorized: {item.authorized}")
        out.append(f"      cited: {_citation_text(item.citation)}")
    return "\n".join(out)


def _citation_text(citation: Citation | None) -> str:
    if citation is None:
        return "no guideline line"
    if not citation.parts:
        return citation.family.value
    described = []
    for part in citation.parts:
        words = [part.family.value]
        if part.chapter:
            words.append(part.chapter)
        if part.sections:
            words.append("[" + "; ".join(part.sections) + "]")
        if part.pages:
            words.append("p. " + ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in part.pages))
        described.append(" ".join(words))
    return " + ".join(described)
