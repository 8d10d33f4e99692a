"""Errors a user can act on.

Every error the CLI reports to a person is an `InputError`: it carries the file,
the line (when known) and what is wrong, so the shell prints one line and exits
non-zero instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input: a file, a line and the problem, printable on one line."""

    def __init__(
        self,
        problem: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.problem}"
