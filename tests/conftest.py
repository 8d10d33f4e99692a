"""Test-wide settings."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr_rules import paths


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the on-disk cache (checked rulebook, lexicon plan, regular-expression programs) of a test
    run in a folder of its own, so that tests neither read what an earlier run left in the user's
    cache nor write to it. Left set when the session ends: what the process writes at exit goes
    there too."""
    os.environ["IMR_RULES_CACHE"] = str(tmp_path_factory.mktemp("imr-rules-cache"))


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the bundled rules as the rulebook, and a private cache folder."""
    folder = tmp_path / "rules"
    shutil.copytree(paths.rules_dir(), folder)
    monkeypatch.setenv("IMR_RULES_DIR", str(folder))
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path / "cache"))
    paths.rules_dir.cache_clear()
    yield folder
    paths.rules_dir.cache_clear()
