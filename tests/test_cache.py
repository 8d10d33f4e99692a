"""The cache of checked rulebooks: used when nothing changed, rebuilt when anything did, and
never a reason to fail."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from imr_rules import cache, lint, rulebook
from imr_rules.errors import InputError
from imr_rules.yamlio import LineList, load_yaml_file, load_yaml_text


@pytest.fixture
def lints(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real lints done by load_rulebook."""
    calls: list[int] = []
    real = lint.lint_rulebook

    def counting(path: object = None) -> lint.LintResult:
        calls.append(1)
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(lint, "lint_rulebook", counting)
    return calls


def test_second_load_comes_from_the_cache(rules_copy: Path, lints: list[int]) -> None:
    first = rulebook.load_rulebook()
    assert len(lints) == 1
    assert (rules_copy.parent / "cache" / "rulebook.pickle").is_file()
    second = rulebook.load_rulebook()
    assert len(lints) == 1
    assert second is not first
    assert [r.key for r in second.rules] == [r.key for r in first.rules]
    assert [(r.file, r.line) for r in second.rules] == [(r.file, r.line) for r in first.rules]
    assert second.topics == first.topics


def test_editing_a_rule_file_invalidates_the_cache(rules_copy: Path, lints: list[int]) -> None:
    rulebook.load_rulebook()
    target = rules_copy / "benzodiazepines.yaml"
    text = target.read_text(encoding="utf-8")
    first_title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    target.write_text(text.replace(first_title, first_title + " (edited)", 1), encoding="utf-8")
    edited = rulebook.load_rulebook()
    assert len(lints) == 2
    assert any(r.title.endswith("(edited)") for r in edited.topic_rules("benzodiazepines"))
    rulebook.load_rulebook()
    assert len(lints) == 2  # the edited rulebook is cached in turn


def test_editing_a_lexicon_invalidates_the_cache(rules_copy: Path, lints: list[int]) -> None:
    rulebook.load_rulebook()
    lexicon = next((rules_copy / "lexicon").glob("*.yaml"))
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    rulebook.load_rulebook()
    assert len(lints) == 2


def test_a_corrupt_cache_file_is_ignored(rules_copy: Path, lints: list[int]) -> None:
    rulebook.load_rulebook()
    entry = rules_copy.parent / "cache" / "rulebook.pickle"
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])  # the right key, a truncated pickle
    again = rulebook.load_rulebook()
    assert len(lints) == 2
    assert again.rules
    entry.write_bytes(b"not a cache file at all")
    assert rulebook.load_rulebook().rules
    assert len(lints) == 3


def test_an_unwritable_cache_is_no_cache(rules_copy: Path, lints: list[int],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = rules_copy.parent / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("IMR_RULES_CACHE", str(blocker / "cache"))
    assert rulebook.load_rulebook().rules
    assert rulebook.load_rulebook().rules
    assert len(lints) == 2


def test_the_cache_can_be_turned_off(rules_copy: Path, lints: list[int],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_RULES_CACHE", "off")
    assert cache.cache_dir() is None
    rulebook.load_rulebook()
    rulebook.load_rulebook()
    assert len(lints) == 2
    assert not (rules_copy.parent / "cache").exists()


def test_a_broken_rule_is_never_cached(rules_copy: Path, lints: list[int]) -> None:
    target = rules_copy / "benzodiazepines.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("effect: upheld", "effect: maybe", 1),
                      encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rulebook.RulebookError):
            rulebook.load_rulebook()
    assert len(lints) == 2
    assert not (rules_copy.parent / "cache" / "rulebook.pickle").exists()


def test_a_cached_entry_under_another_key_is_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path))
    cache.store("thing", "key-one", {"a": 1})
    assert cache.load("thing", "key-one") == {"a": 1}
    assert cache.load("thing", "key-two") is None
    built = cache.cached("thing", lambda: "key-two", lambda: {"a": 2}, lambda _: True)
    assert built == {"a": 2}
    assert cache.load("thing", "key-two") == {"a": 2}


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 24 * 3600
    os.utime(path, (then, then))


def test_entries_unread_for_a_month_are_removed_when_another_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path))
    cache.store("old", "k", 1)
    cache.store("recent", "k", 2)
    _age(tmp_path / "old.pickle", cache.UNUSED_DAYS + 1)
    _age(tmp_path / "recent.pickle", cache.UNUSED_DAYS - 1)
    unfinished = tmp_path / ".half.pickle.x1y2"
    unfinished.write_bytes(b"imr-rules-cache 1\npartial")
    _age(unfinished, cache.UNUSED_DAYS + 1)
    foreign = tmp_path / "someone-elses.pickle"
    foreign.write_bytes(b"not ours")
    _age(foreign, 400)
    cache.store("new", "k", 3)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["new.pickle", "recent.pickle", "someone-elses.pickle"]
    assert cache.load("recent", "k") == 2


def test_reading_an_entry_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_RULES_CACHE", str(tmp_path))
    cache.store("used", "k", 1)
    _age(tmp_path / "used.pickle", cache.UNUSED_DAYS - 1)
    assert cache.load("used", "k") == 1  # read: its clock starts again
    assert (tmp_path / "used.pickle").stat().st_mtime > time.time() - 60
    assert cache.prune(tmp_path, unused_days=1) == []
    _age(tmp_path / "used.pickle", 2)
    assert cache.prune(tmp_path, unused_days=1) == [tmp_path / "used.pickle"]


def test_the_default_cache_folder_is_outside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMR_RULES_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache.cache_dir() == Path("/somewhere/cache/imr-rules")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "imr-rules"


# ---------------------------------------------------------------- the YAML loaders


def test_an_impossible_date_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nwhen:\n  from: 2015-13-01\n", encoding="utf-8")
    for positions in (False, True):
        with pytest.raises(InputError) as err:
            load_yaml_file(bad, positions=positions)
        assert str(err.value).startswith(f"{bad}:3:")
        assert "not a date" in str(err.value)
        assert "\n" not in str(err.value)
    with pytest.raises(InputError) as err:
        rulebook.load_rule_yaml(bad)
    assert err.value.line == 3


def test_positions_of_list_elements() -> None:
    data = load_yaml_text("a:\n  - 1\n  - [2, 3]\n", positions=True)
    assert isinstance(data["a"], LineList)
    assert data["a"].where(1) == (3, 5)
    assert data.where("a") == (1, 1)
    plain = load_yaml_text("a:\n  - 1\n")
    assert type(plain["a"]) is list
