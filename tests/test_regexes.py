"""Stored regular-expression programs must behave exactly as `re.compile` would."""

from __future__ import annotations

import re
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from imr_rules import regexes
from imr_rules.facts import _rx
from imr_rules.lexicon import drug_lexicon

TEXT = ("The injured worker, a 52-year-old male, reports low back pain rated 7/10 radiating to the "
        "left leg. He takes Norco 10/325 mg twice daily and OxyContin; no aberrant behavior. "
        "MRI of the lumbar spine on 01/05/2016 showed an L4-5 disc protrusion. (?P<x>) [brackets]")


@pytest.fixture
def fresh_table(tmp_path, monkeypatch):
    """An empty table backed by a cache folder of the test's own."""
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path))
    monkeypatch.setattr(regexes, "_table", None)
    monkeypatch.setattr(regexes, "_added", False)
    return tmp_path


def same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    def found(p: re.Pattern[str]) -> list:
        return [(m.span(), m.groups()) for m in p.finditer(TEXT)]

    assert found(a) == found(b)


@pytest.mark.parametrize("pattern, flags", [
    (r"\b(?:low )?back pain\b", 0),
    (r"(?P<score>\d{1,2})\s*/\s*10", 0),
    (r"(?<![a-z])norco|oxycontin(?![a-z])", re.IGNORECASE),
    (r"^\s*MRI\b.*$", re.MULTILINE),
    (r"\[brackets\]|\(\?P<x>\)", 0),
])
def test_a_stored_program_is_the_pattern_re_compile_makes(fresh_table, pattern, flags):
    first = regexes.compile(pattern, flags)            # compiled, and stored
    again = regexes.compile(pattern, flags)            # from the stored program
    same(first, re.compile(pattern, flags))
    same(again, re.compile(pattern, flags))


def test_the_extractors_and_the_lexicons_patterns_match_as_re_compile_would(fresh_table):
    named = _rx()
    for name in list(named.sources)[:80]:
        pattern = named[name]
        same(pattern, re.compile(pattern.pattern, pattern.flags))
    matcher = drug_lexicon().matcher
    same(matcher._regex, re.compile(matcher._regex.pattern, matcher._regex.flags))


def test_programs_are_kept_between_runs(fresh_table):
    code = ("import sys; from imr_rules import regexes; p = regexes.compile(sys.argv[1]); "
            "print(len(regexes._table), p.pattern)")
    env_run = [sys.executable, "-c", code, r"\bthe (\w+) worker\b"]
    subprocess.run(env_run, check=True, capture_output=True, text=True)  # compiles, writes at exit
    assert (Path(fresh_table) / f"{regexes._ENTRY}.pickle").exists()
    out = subprocess.run(env_run, check=True, capture_output=True, text=True).stdout.split(maxsplit=1)
    assert out == ["1", "\\bthe (\\w+) worker\\b\n"]


def test_a_program_the_engine_refuses_is_compiled_afresh(fresh_table):
    pattern = r"\bradicul\w+"
    regexes.compile(pattern)
    key = (pattern, 0)
    stored = regexes._table[key]
    refused = array(regexes._UNIT, [999_999, 1, 2]).tobytes()  # no such operation: the engine refuses it
    regexes._table[key] = (stored[0], stored[1], refused, stored[3], stored[4], stored[5])
    same(regexes.compile(pattern), re.compile(pattern))
    assert regexes._table[key][2] == stored[2]


def test_a_bad_pattern_raises_as_re_compile_does(fresh_table):
    with pytest.raises(re.error):
        regexes.compile(r"(unclosed")


def test_with_the_cache_off_patterns_still_compile(monkeypatch):
    monkeypatch.setenv("IMR_RULES_CACHE", "off")
    monkeypatch.setattr(regexes, "_table", None)
    same(regexes.compile(r"\bpain\b"), re.compile(r"\bpain\b"))
