"""`imr-rules case ...`, and the top-level `check` and `explain` commands."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


def register_top_level(root: typer.Typer) -> None:
    """Add `check` and `explain` to the root app."""
