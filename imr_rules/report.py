"""Corpus results for people: a compact text table, and one self-contained HTML page.

The page carries its own CSS and draws its bars with CSS widths: no script, no
fonts, nothing fetched, so it can be mailed or attached to a pull request. Every
piece of text from a letter or a rule is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from imr_rules.metrics import CLASSES, PREDICTED_LABELS, CitationAgreement, Score, Summary
from imr_rules.results import ItemResult, LetterResult


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def as_of_phrase(summary: Summary) -> str:
    if summary.as_of in (None, "letter"):
        return "guidelines as of each letter's decision date"
    return f"guidelines as of {summary.as_of}"


def _figure_rows(score: Score) -> list[tuple[str, str, str]]:
    """(figure, rules, always Upheld) for the headline table."""
    base = score.always_upheld
    return [
        ("accuracy (rules: predicted items)", pct(score.accuracy), pct(base.accuracy)),
        ("recall Upheld", pct(score.recall["Upheld"]), pct(base.recall["Upheld"])),
        ("recall Overturned", pct(score.recall["Overturned"]), pct(base.recall["Overturned"])),
        ("balanced accuracy", pct(score.balanced_accuracy), pct(base.balanced_accuracy)),
        ("Cohen's kappa", num(score.kappa), num(base.kappa)),
        ("citation agreement: family", _agreement(score.citation_family_agreement), ""),
        ("citation agreement: family and section", _agreement(score.citation_agreement), ""),
    ]


def _agreement(agreement: CitationAgreement) -> str:
    return f"{pct(agreement.rate)} ({agreement.agree} of {agreement.compared})"


def _columns(rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    """Rows as aligned text: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.rjust(widths[i]) if i >= right_from else cell.ljust(widths[i])
                  for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


def _group_rows(title: str, groups: dict[str, Score]) -> list[list[str]]:
    rows = [[title, "items", "cover", "acc", "rec U", "rec O", "bal", "kappa", "cite fam", "cite fam+sec"]]
    for name, s in groups.items():
        rows.append([name, str(s.items), pct(s.coverage), pct(s.accuracy), pct(s.recall["Upheld"]),
                     pct(s.recall["Overturned"]), pct(s.balanced_accuracy), num(s.kappa),
                     pct(s.citation_family_agreement.rate), pct(s.citation_agreement.rate)])
    return rows


def text_table(summary: Summary) -> str:
    """The run at a glance, as plain aligned text."""
    overall = summary.overall
    out = [
        f"{summary.mode or 'prediction'} mode; {as_of_phrase(summary)}",
        f"files {summary.files}: {summary.letters_read} read, {summary.letters_failed} failed",
    ]
    out += [f"  failed  {f.file}: {f.error}" for f in summary.failures]
    out.append(f"items {overall.items}: {overall.predicted} predicted (coverage {pct(overall.coverage)})")
    out.append("")
    out += _columns([("", "rules", "always Upheld"), *_figure_rows(overall)])
    out.append("")
    out += _columns([["actual \\ predicted", *PREDICTED_LABELS]]
                    + [[actual, *(str(overall.confusion[actual][p]) for p in PREDICTED_LABELS)]
                       for actual in CLASSES])
    for title, groups in (("by topic", summary.by_topic), ("by guideline", summary.by_guideline)):
        if groups:
            out.append("")
            out += _columns(_group_rows(title, groups))
    if summary.rules:
        out.append("")
        out += _columns([["rule", "fired", "decided", "matched"]]
                        + [[rule, str(s.fired), str(s.decided), str(s.matched)]
                           for rule, s in summary.rules.items()])
    return "\n".join(out) + "\n"


# --- HTML -----------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
td.text{text-align:left;max-width:40em}
.bar{display:inline-block;width:10em;height:.8em;background:#eee;margin-right:.4em;vertical-align:middle}
.bar span{display:block;height:100%}
.up{background:#4a7bb7}.over{background:#d98c1f}
.wrong{color:#b00}.muted{color:#777}
.item{border-left:3px solid #d98c1f;padding:.3em .8em;margin:1em 0}
ul{margin:.2em 0}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table whose cells are already HTML (callers escape text)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _bar(value: float | None, css: str) -> str:
    if value is None:
        return '<span class="muted">-</span>'
    fill = f'<span class="{css}" style="width:{100 * value:.1f}%"></span>'
    return f'<span class="bar">{fill}</span>{pct(value)}'


def _summary_html(summary: Summary) -> str:
    overall = summary.overall
    facts = (
        f"<p>{_e(summary.mode or 'prediction')} mode; {_e(as_of_phrase(summary))}. "
        f"{summary.files} files: {summary.letters_read} read, {summary.letters_failed} failed. "
        f"{overall.items} items, {overall.predicted} predicted (coverage {pct(overall.coverage)}).</p>"
    )
    rows = [[_e(a), _e(b), _e(c)] for a, b, c in _figure_rows(overall)]
    return facts + _table(["", "rules", "always Upheld"], rows)


def _confusion_html(score: Score) -> str:
    rows = [[f"<b>{a}</b>", *(str(score.confusion[a][p]) for p in PREDICTED_LABELS)] for a in CLASSES]
    return _table(["actual \\ predicted", *PREDICTED_LABELS], rows)


def _groups_html(groups: dict[str, Score]) -> str:
    rows = [
        [_e(name), str(s.items), pct(s.coverage), _bar(s.recall["Upheld"], "up"),
         _bar(s.recall["Overturned"], "over"), pct(s.balanced_accuracy), num(s.kappa),
         pct(s.citation_family_agreement.rate), pct(s.citation_agreement.rate)]
        for name, s in groups.items()
    ]
    return _table(["", "items", "coverage", "recall Upheld", "recall Overturned", "balanced", "kappa",
                   "citation: family", "citation: family and section"], rows)


def _rules_html(summary: Summary) -> str:
    rows = [[_e(rule), str(s.fired), str(s.decided), str(s.matched)] for rule, s in summary.rules.items()]
    if not rows:
        return "<p>No rule fired.</p>"
    return _table(["rule", "fired", "decided", "effect matched letter"], rows)


def _item_html(file: str, item: ItemResult) -> str:
    predicted = item.predicted.value if item.predicted else "no prediction"
    actual = item.actual.value if item.actual else "unknown"
    verdict = "muted" if item.predicted is None else ("" if item.predicted == item.actual else "wrong")
    rules = "".join(
        f"<li>{_e(hit.id)}: {_e(hit.effect.value if hit.effect else 'no effect')}"
        f"{' <b>(decided)</b>' if hit.id == item.deciding_rule else ''}</li>"
        for hit in item.rules
    ) or "<li class=muted>none fired</li>"
    cited = _e(item.actual_citation.text) if item.actual_citation else "<span class=muted>none read</span>"
    ours = _e(item.citation.text or f"{item.citation.family.value} {item.citation.section or ''}") \
        if item.citation else "<span class=muted>none</span>"
    evidence = "".join(f"<li>{_e(ev.text)} <span class=muted>({_e(ev.source)})</span></li>"
                       for ev in item.evidence)
    missing = "".join(f"<li>{_e(m)}</li>" for m in item.missing)
    return (
        f'<div class="item"><b>{_e(file)}</b> #{item.index + 1}: {_e(item.item)}<br>'
        f'letter: <b>{_e(actual)}</b> · rules: <b class="{verdict}">{_e(predicted)}</b> · '
        f"topic {_e(item.actual_topic or 'unknown')} (rules: {_e(item.topic or 'none')})"
        f"<br>letter cites: {cited}<br>rule cites: {ours}"
        f"<br>rules:<ul>{rules}</ul>"
        + (f"evidence:<ul>{evidence}</ul>" if evidence else "")
        + (f"missing documentation:<ul>{missing}</ul>" if missing else "")
        + "</div>"
    )


def html_report(
    summary: Summary, letters: Sequence[LetterResult], title: str = "imr-rules corpus eval"
) -> str:
    """One HTML page: summary beside the always-Upheld baseline, confusion, per-topic bars, disagreements."""
    items = [(letter.file, item) for letter in letters for item in letter.items]
    wrong = [(file, item) for file, item in items
             if item.predicted is not None and item.actual is not None and item.predicted != item.actual]
    unpredicted = [(file, item) for file, item in items if item.predicted is None]
    failures = "".join(f"<li>{_e(f.file)}: {_e(f.error)}</li>" for f in summary.failures)
    parts = [
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1>",
        _summary_html(summary),
        "<h2>Confusion matrix</h2>", _confusion_html(summary.overall),
        "<h2>By topic (of the letter's citation)</h2>", _groups_html(summary.by_topic),
        "<h2>By guideline (family of the letter's citation)</h2>", _groups_html(summary.by_guideline),
        "<h2>Rules</h2>", _rules_html(summary),
        f"<h2>Disagreements ({len(wrong)})</h2>",
        "".join(_item_html(file, item) for file, item in wrong) or "<p>None.</p>",
        f"<h2>Items without a prediction ({len(unpredicted)})</h2><details><summary>show</summary>",
        "".join(_item_html(file, item) for file, item in unpredicted) or "<p>None.</p>",
        "</details>",
        f"<h2>Letters that failed ({summary.letters_failed})</h2>",
        f"<ul>{failures}</ul>" if failures else "<p>None.</p>",
        "</body></html>\n",
    ]
    return "".join(parts)

