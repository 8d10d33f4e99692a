"""Where the shared corpus of real letters is, for tests that read it.

The corpus lives beside the repository, in `../shared/corpus/` (`real/` letter
texts, `dwc/` PDFs, each with a `labels.yaml`). A checkout without it skips the
tests that need it, saying why, instead of failing them.

    from corpus_paths import corpus_dir, corpus_labels, requires_corpus  # tests/ is on sys.path

    @requires_corpus("dwc")
    def test_something():
        folder = corpus_dir("dwc")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"


def _missing_reason(path: Path) -> str:
    return f"the shared corpus is not available: {path} is missing (it belongs in ../shared/ beside the repo)"


def shared_dir() -> Path:
    """The `shared/` folder beside the repository; skips the calling test if it is absent."""
    if not SHARED.is_dir():
        pytest.skip(_missing_reason(SHARED))
    return SHARED


def corpus_dir(name: str | None = None) -> Path:
    """`corpus/`, or one folder of it (`real`, `dwc`); skips the calling test if it is absent."""
    path = CORPUS / name if name else CORPUS
    if not path.is_dir():
        pytest.skip(_missing_reason(path))
    return path


def corpus_labels(name: str) -> dict[str, Any]:
    """The parsed `labels.yaml` of a corpus folder; skips the calling test if it is absent."""
    path = corpus_dir(name) / "labels.yaml"
    if not path.is_file():
        pytest.skip(_missing_reason(path))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def requires_corpus(name: str | None = None) -> pytest.MarkDecorator:
    """A skip marker for tests that need the corpus; for a module: `pytestmark = requires_corpus("dwc")`."""
    path = CORPUS / name if name else CORPUS
    return pytest.mark.skipif(not path.is_dir(), reason=_missing_reason(path))
