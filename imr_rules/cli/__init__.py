"""The `imr-rules` command: a thin shell over the library.

Each command group lives in its own module and exports a typer app; heavy
imports stay inside the commands so that start-up stays fast.
"""

from __future__ import annotations

import os
import sys

import typer

from imr_rules.cli import case, corpus, letter, rules
from imr_rules.cli.common import run_guarded

app = typer.Typer(
    name="imr-rules",
    help="Predict and explain California workers' compensation IMR outcomes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(letter.app, name="letter", help="Read IMR Final Determination Letters.")
app.add_typer(rules.app, name="rules", help="Lint, test, list and show guideline rules.")
app.add_typer(case.app, name="case", help="Case files: schemas and the facts they may hold.")
app.add_typer(corpus.app, name="corpus", help="Evaluate the rules on folders of real letters.")
for register in (case.register_top_level,):
    register(app)


def main() -> None:
    """Entry point: run the app, turning stray exceptions into one-line errors."""
    if os.environ.get("IMR_RULES_DEBUG"):
        app()
        return
    sys.exit(run_guarded(app))
