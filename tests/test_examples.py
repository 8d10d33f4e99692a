"""The bundled examples get the outcomes they were written to get, under the bundled rulebook.

Each example in examples/ states, per item, the outcome the guideline gives it in an
`expect:` key (Upheld or Overturned). `imr-rules check --json examples/` runs once,
as the main job does, and every item is compared with its expectation. An example
whose topic has no rules yet is marked xfail until its rules land (PENDING).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"
SUFFIXES = (".yaml", ".yml", ".json")

# example file -> topic whose rules are not yet in the rulebook (the lead removes entries as rules land)
PENDING = {
}


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.suffix in SUFFIXES)


def expectations() -> list:
    """One pytest param per item of every example: (file name, item index, expected outcome)."""
    params = []
    for path in example_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, item in enumerate(data["items"]):
            expected = item.get("expect") if isinstance(item, dict) else None
            marks = []
            if path.name in PENDING:
                reason = f"rules for {PENDING[path.name]} not yet in the rulebook"
                marks.append(pytest.mark.xfail(strict=False, reason=reason))
            params.append(pytest.param(path.name, index, expected, id=f"{path.stem}[{index}]", marks=marks))
    return params


@cache
def checked() -> tuple[int, dict, str]:
    """`imr-rules check --json examples/`, run once as the main job runs it."""
    env = {key: value for key, value in os.environ.items() if key not in ("IMR_RULES_DIR", "IMR_RULES_DEBUG")}
    done = subprocess.run([sys.executable, "-m", "imr_rules", "check", "--json", "examples"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)
    data = json.loads(done.stdout) if done.stdout else {}
    return done.returncode, data, done.stderr


def test_the_main_job_checks_every_example_and_exits_0():
    code, data, err = checked()
    assert (code, err) == (0, "")
    assert [Path(case["file"]).name for case in data["cases"]] == [p.name for p in example_files()]
    assert all(case["status"] == "ok" for case in data["cases"])


def test_the_examples_cover_both_outcomes_across_topics_and_state_every_expectation():
    params = expectations()
    assert len(example_files()) >= 8
    assert all(param.values[2] in ("Upheld", "Overturned") for param in params)
    assert {param.values[2] for param in params} == {"Upheld", "Overturned"}
    _, data, _ = checked()
    topics = {item["topic"] for case in data["cases"] for item in case["items"]}
    assert len(topics) >= 6


def test_every_note_an_example_names_is_bundled():
    for path in example_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "note_file" in data:
            assert (path.parent / data["note_file"]).is_file(), path.name


@pytest.mark.parametrize(("name", "index", "expected"), expectations())
def test_each_example_item_gets_its_expected_outcome(name, index, expected):
    _, data, _ = checked()
    case = next(case for case in data["cases"] if Path(case["file"]).name == name)
    item = case["items"][index]
    assert item["outcome"] == expected, f"{name} item {index}: {item['summary']}"
    assert item["expected"] == expected
