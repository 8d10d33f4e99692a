"""Test-wide settings."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the on-disk cache (checked rulebook, lexicon plan) of a test run in a folder of its own,
    so that tests neither read what an earlier run left in the user's cache nor write to it."""
    before = os.environ.get("IMR_RULES_CACHE")
    os.environ["IMR_RULES_CACHE"] = str(tmp_path_factory.mktemp("imr-rules-cache"))
    yield
    if before is None:
        os.environ.pop("IMR_RULES_CACHE", None)
    else:
        os.environ["IMR_RULES_CACHE"] = before
