"""Shared CLI plumbing: one-line errors and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from imr_rules.errors import InputError

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found problems (lint errors, failed tests, bad letters)
EXIT_USAGE = 2  # bad input or bad arguments
EXIT_INTERNAL = 3  # a bug in imr-rules


def error(message: str) -> None:
    """Print one error line to stderr."""
    print(f"imr-rules: error: {message}", file=sys.stderr)


def run_guarded(app: Callable[..., Any]) -> int:
    """Run the app; usage errors are the CLI library's, everything else becomes one line.

    The CLI library handles its own usage errors and exits with SystemExit; any
    InputError is the user's bad input, and any other exception is our bug, reported
    without a traceback (IMR_RULES_DEBUG=1 shows it).
    """
    try:
        app()
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
    except InputError as err:
        error(str(err))
        return EXIT_USAGE
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the last line of defence against tracebacks
        error(f"internal error: {err.__class__.__name__}: {err} (set IMR_RULES_DEBUG=1 for a traceback)")
        return EXIT_INTERNAL
    return EXIT_OK
