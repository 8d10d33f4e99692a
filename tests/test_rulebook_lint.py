"""Lint: every defect a rule author can make is reported as file:line:col, with the rule id.

tests/fixtures/broken_rules/ holds one defect per file; each file below names the
problem it must produce and the line of the file it must point at.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_rules.cli import app
from imr_rules.engine import DurableEngine
from imr_rules.lint import lint_rulebook
from imr_rules.rulebook import RulebookError, load_rulebook

BROKEN = Path(__file__).parent / "fixtures" / "broken_rules"

# file -> (words of the problem, text on the line it points at, rule id or None)
DEFECTS = {
    # the YAML reader notices the unclosed bracket on the next line
    "malformed_yaml.yaml": ("malformed YAML", "expect: {outcome: Upheld", None),
    "unknown_key.yaml": ("unknown key 'explanation'", "explanation:", "broken-example"),
    "wrong_type.yaml": ("priority: Input should be a valid integer", "priority: high", "broken-example"),
    "undeclared_fact.yaml": ("undeclared fact 'weeks_of_usage' (did you mean 'weeks_of_use'?)",
                             "weeks_of_usage > 4", "broken-example"),
    "bad_operator.yaml": ("unknown operator '=>'", "weeks_of_use => 4", "broken-example"),
    "operator_type_mismatch.yaml": ("operator '>' does not apply to tristate fact",
                                    "functional_improvement > 2", "broken-example"),
    "bad_enum_value.yaml": ("'mouth' is not a value of 'item.route'", "item.route == mouth",
                            "broken-example"),
    "missing_citation.yaml": ("missing citation", "- id: broken-example", "broken-example"),
    "not_a_guideline.yaml": ("'None cited' is not a guideline", "citation:", "broken-example"),
    "missing_pages.yaml": ("cited by page", "citation:", "broken-example"),
    "unknown_topic.yaml": ("unknown topic 'benzos'", "topic: benzos", None),
    "duplicate_id.yaml": ("duplicate rule id", "- id: broken-example#2", "broken-example"),
    "overlapping_in_force.yaml": ("overlapping in_force", "in_force: {from: 2015-01-01}", "broken-example"),
    "unknown_exception.yaml": ("exception_to: no rule 'no-such-rule'", "exception_to:",
                               "broken-example"),
    "non_mtus_overrides_mtus.yaml": ("a non-MTUS rule cannot override the MTUS rule", "exception_to:",
                                     "broken-odg-exception"),
    "bad_placeholder.yaml": ("{weeks_used} is not a declared fact", "because:", "broken-example"),
    "bad_test_fact.yaml": ("expected a number in weeks, got 'many'", "weeks_of_use: \"many\"",
                           "broken-example"),
    "untested_rule.yaml": ("no test where the rule fires", "- id: broken-example", "broken-example"),
    "number_out_of_range.yaml": ("out of range", "weeks_of_use > 100000000000000", "broken-example"),
    "too_many_operands.yaml": ("'any' has 33 conditions", "- any:", "broken-example"),
    "too_many_groups.yaml": ("16 $and/$or groups", "- id: broken-example", "broken-example"),
    "too_many_rules.yaml": ("101 rule versions", "topic: benzodiazepines", None),
    "too_many_comparisons.yaml": ("498 comparisons", "topic: benzodiazepines", None),
}


def _line_of(path: Path, marker: str) -> int:
    """The line of the first occurrence of `marker` (`marker#2`: of the second)."""
    text = path.read_text(encoding="utf-8")
    marker, _, nth = marker.partition("#")
    at = -1
    for _ in range(int(nth or 1)):
        at = text.index(marker, at + 1)
    return text.count("\n", 0, at) + 1


def test_every_fixture_is_listed():
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(DEFECTS)


def test_the_bundled_rulebook_is_clean():
    result = lint_rulebook()
    assert [str(d) for d in result.diagnostics] == []
    assert result.rulebook is not None


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_reported_at_its_line_with_its_rule(name):
    path = BROKEN / name
    words, marker, rule_id = DEFECTS[name]
    diagnostics = lint_rulebook(path).diagnostics
    matching = [d for d in diagnostics if words in d.problem]
    assert matching, [str(d) for d in diagnostics]
    found = matching[0]
    assert found.path == str(path)
    assert found.line == _line_of(path, marker)
    assert found.column >= 1
    assert found.rule_id == rule_id
    assert str(found).startswith(f"{path}:{found.line}:{found.column}: ")


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_fails_the_lint_command(name):
    path = BROKEN / name
    result = CliRunner().invoke(app, ["rules", "lint", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output
    assert result.output.rstrip().endswith("problems in 1 files")


def test_the_whole_broken_folder_reports_every_file():
    result = CliRunner().invoke(app, ["rules", "lint", str(BROKEN)])
    assert result.exit_code == 1
    for name in DEFECTS:
        assert f"{BROKEN / name}:" in result.output, name


def test_the_engine_refuses_a_broken_rulebook_with_the_lint_message():
    path = BROKEN / "undeclared_fact.yaml"
    first = str(lint_rulebook(path).diagnostics[0])
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    assert str(err.value) == first
    with pytest.raises(RulebookError):
        DurableEngine.from_path(path)


def test_an_upheld_rule_must_say_what_would_change_it(tmp_path):
    text = (BROKEN / "undeclared_fact.yaml").read_text(encoding="utf-8")
    text = text.replace("weeks_of_usage", "weeks_of_use")
    text = text.replace("    to_change: Request four weeks or less.\n", "")
    path = tmp_path / "no_to_change.yaml"
    path.write_text(text, encoding="utf-8")
    problems = [d.problem for d in lint_rulebook(path).diagnostics]
    assert problems == ["an upheld rule needs `to_change`: what would get the item approved"]


def test_a_cycle_of_exceptions_is_reported(tmp_path):
    rule = """
  - id: {me}
    title: t
    citation: {{source: ODG, section: s}}
    in_force: {{from: 2009-07-18}}
    exception_to: [{other}]
    effect: upheld
    because: b
    to_change: c
    tests:
      - {{name: t, expect: {{outcome: Upheld, fired: [{me}]}}}}
"""
    path = tmp_path / "cycle.yaml"
    path.write_text("topic: benzodiazepines\nrules:" + rule.format(me="cycle-a", other="cycle-b")
                    + rule.format(me="cycle-b", other="cycle-a"), encoding="utf-8")
    problems = [d.problem for d in lint_rulebook(path).diagnostics]
    assert any("cycle" in p for p in problems), problems
