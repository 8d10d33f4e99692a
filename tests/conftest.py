"""Test-wide settings."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the on-disk cache (checked rulebook, lexicon plan, regular-expression programs) of a test
    run in a folder of its own, so that tests neither read what an earlier run left in the user's
    cache nor write to it. Left set when the session ends: what the process writes at exit goes
    there too."""
    os.environ["IMR_RULES_CACHE"] = str(tmp_path_factory.mktemp("imr-rules-cache"))
