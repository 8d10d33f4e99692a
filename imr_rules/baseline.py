"""Baselines: the predictions of one corpus run, kept so that the next run can say what changed.

A rule author saves a baseline before editing rules and compares after: every
item whose prediction changed is listed, and an item that was right and is now
wrong (or no longer read at all) is a regression. Items are keyed by the
letter's file name (not its path, so a baseline made on one machine holds on
another), the item's index in the letter and its text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from imr_rules.errors import InputError
from imr_rules.letters import Decision
from imr_rules.model import Model
from imr_rules.results import LetterResult

FORMAT = "imr-rules-baseline"
VERSION = 1

Key = tuple[str, int, str]


class BaselineItem(Model):
    model_config = ConfigDict(extra="forbid")

    file: str
    index: int
    item: str
    actual: Decision | None
    predicted: Decision | None
    rule: str | None = None

    @property
    def key(self) -> Key:
        return (self.file, self.index, self.item)

    @property
    def right(self) -> bool:
        return self.predicted is not None and self.predicted == self.actual


class BaselineFailure(Model):
    model_config = ConfigDict(extra="forbid")

    file: str
    error: str


class Baseline(Model):
    model_config = ConfigDict(extra="forbid")

    format: Literal["imr-rules-baseline"] = FORMAT
    version: Literal[1] = VERSION
    mode: str
    items: list[BaselineItem]
    failed: list[BaselineFailure]


def file_key(name: str) -> str:
    """The file name alone: `dwc/CM16-0213037.pdf` and `CM16-0213037.pdf` are the same letter."""
    return name.rsplit("/", 1)[-1]


def require_distinct_file_names(names: Iterable[str]) -> None:
    """Baselines know letters by file name, so two letters with one file name cannot be told apart."""
    owners: dict[str, str] = {}
    for name in names:
        first = owners.setdefault(file_key(name), name)
        if first != name:
            raise InputError(f"has the same file name as {first}; baselines know letters by file name", name)


def require_mode(baseline: Baseline, mode: str, path: str | Path | None = None) -> None:
    """Predictions and fidelity runs answer different questions: never compare one with the other."""
    if baseline.mode != mode:
        raise InputError(f"the baseline was made in {baseline.mode} mode; this run is in {mode} mode", path)


def baseline_of(letters: Sequence[LetterResult], mode: str) -> Baseline:
    """The baseline of a run: every item's prediction, sorted by file name and position."""
    require_distinct_file_names(letter.file for letter in letters)
    items = [
        BaselineItem(file=file_key(letter.file), index=item.index, item=item.item, actual=item.actual,
                     predicted=item.predicted, rule=item.deciding_rule)
        for letter in letters for item in letter.items
    ]
    failed = [BaselineFailure(file=file_key(letter.file), error=letter.error or "")
              for letter in letters if letter.status == "error"]
    return Baseline(
        mode=mode,
        items=sorted(items, key=lambda item: (item.file, item.index)),
        failed=sorted(failed, key=lambda failure: failure.file),
    )


def dump_baseline(baseline: Baseline) -> str:
    """JSON with one item per line, so that a baseline kept in git diffs line by line."""
    def line(model: BaseModel) -> str:
        return json.dumps(model.model_dump(mode="json"), ensure_ascii=False)

    def block(models: Sequence[BaseModel]) -> str:
        return "[\n" + ",\n".join(f"  {line(m)}" for m in models) + "\n ]" if models else "[]"

    return (
        f'{{"format": "{FORMAT}", "version": {VERSION}, "mode": {json.dumps(baseline.mode)},\n'
        f' "items": {block(baseline.items)},\n'
        f' "failed": {block(baseline.failed)}}}\n'
    )


def save_baseline(path: str | Path, baseline: Baseline) -> None:
    try:
        Path(path).write_text(dump_baseline(baseline), encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write baseline: {err.strerror or err}", path) from None


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline; a missing, malformed or foreign file is the user's error, with the reason."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"cannot read baseline: {err.strerror or err}", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"not a baseline file: {err}", path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a baseline file (no \"format\": \"{FORMAT}\")", path)
    try:
        return Baseline.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"malformed baseline at {where}: {first['msg']}", path) from None


ChangeKind = Literal["broken", "lost", "fixed", "changed", "relabelled", "new"]


class Change(Model):
    """One item whose prediction or label is not what the baseline holds."""

    kind: ChangeKind
    file: str
    index: int
    item: str
    before: BaselineItem | None
    after: BaselineItem | None

    @property
    def regression(self) -> bool:
        """Right before, and wrong or gone now."""
        was_right = self.before is not None and self.before.right
        return self.kind == "broken" or (self.kind == "lost" and was_right)


class Comparison(Model):
    changes: list[Change]
    letters_not_run: int = 0

    @property
    def regressions(self) -> list[Change]:
        return [change for change in self.changes if change.regression]


def _kind(before: BaselineItem, after: BaselineItem) -> ChangeKind | None:
    if before.right and not after.right:
        return "broken"
    if after.right and not before.right:
        return "fixed"
    if before.predicted != after.predicted and before.actual == after.actual:
        return "changed"
    if before.actual != after.actual:
        return "relabelled"
    return None


def compare(baseline: Baseline, letters: Sequence[LetterResult], mode: str) -> Comparison:
    """Every difference between the baseline and this run, for the letters this run read.

    Letters the baseline has but this run was not given are left out (a run over
    part of the corpus is allowed); an item of a letter this run was given that is
    no longer read (the letter failed, or its items are read differently) is "lost",
    and a regression when it was right.
    """
    require_mode(baseline, mode)
    now = baseline_of(letters, mode)
    before = {item.key: item for item in baseline.items}
    after = {item.key: item for item in now.items}
    run_files = {file_key(letter.file) for letter in letters}
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old is None:
            kind: ChangeKind | None = "new"
        elif new is None:
            kind = "lost" if key[0] in run_files else None
        else:
            kind = _kind(old, new)
        if kind is not None:
            changes.append(Change(kind=kind, file=key[0], index=key[1], item=key[2], before=old, after=new))
    baseline_files = {item.file for item in baseline.items} | {failure.file for failure in baseline.failed}
    return Comparison(changes=changes, letters_not_run=len(baseline_files - run_files))


def _label(item: BaselineItem | None) -> str:
    if item is None:
        return "not read"
    return item.predicted.value if item.predicted else "no prediction"


def describe(change: Change) -> str:
    """One line: what changed, for which item, from what to what, and what the letter decided."""
    latest = change.after or change.before
    truth = f" (letter: {latest.actual.value})" if latest and latest.actual else ""
    return (f"{change.kind:<10} {change.file} #{change.index + 1} {change.item!r}: "
            f"{_label(change.before)} -> {_label(change.after)}{truth}")
