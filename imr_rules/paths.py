"""Where the bundled data lives, so an installed `imr-rules` works from any directory."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def rules_dir() -> Path:
    """The rulebook folder: $IMR_RULES_DIR if set, else the `rules/` shipped with the package."""
    override = os.environ.get("IMR_RULES_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("imr_rules.rules")))


def data_file(name: str) -> Path:
    """A file in the rulebook folder (lexicons, topics, fact catalogue)."""
    return rules_dir() / name
