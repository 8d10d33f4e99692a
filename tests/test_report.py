"""The text table and the HTML report: the rules beside always-Upheld, self-contained, escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from imr_rules import metrics, report
from imr_rules.facts import Evidence
from imr_rules.letters import Citation, CitationPart, Decision, SourceFamily
from imr_rules.results import GuidelineRef, ItemResult, LetterResult, RuleHit

UP, OV = Decision.upheld, Decision.overturned

HOSTILE = '<script>alert("x")</script> & "quotes"'


def acoem(section: str) -> Citation:
    return Citation(family=SourceFamily.mtus_acoem, parts=[CitationPart(family=SourceFamily.mtus_acoem,
                                                                        sections=[section])])


LETTERS = [
    LetterResult(file="dwc/a.pdf", status="ok", items=[
        ItemResult(index=0, item="MRI lumbar", actual=UP, predicted=UP, actual_topic="imaging",
                   rules=[RuleHit(id="imaging.no-red-flags", effect=UP)],
                   deciding_rule="imaging.no-red-flags", actual_citation=acoem("Special Studies"),
                   citation=GuidelineRef(family=SourceFamily.mtus_acoem, section="Special Studies")),
        # the rule names the letter's guideline family but another section
        ItemResult(index=1, item=HOSTILE, actual=OV, predicted=UP, actual_topic="physical_therapy",
                   rules=[RuleHit(id="pt.too-many-visits", effect=UP)], deciding_rule="pt.too-many-visits",
                   actual_citation=acoem("Initial Care"),
                   citation=GuidelineRef(family=SourceFamily.mtus_acoem, section="Physical Methods"),
                   evidence=[Evidence(text="12 visits <already> completed", source="summary")],
                   missing=["functional improvement & return to work"]),
        ItemResult(index=2, item="Norco 10/325", actual=UP, predicted=None, actual_topic="opioids"),
    ]),
    LetterResult.failed("dwc/<bad>.pdf", "cannot open PDF: <garbage>"),
]
SUMMARY = metrics.summarize(LETTERS, mode="prediction", as_of="letter")


def test_the_table_puts_the_rules_beside_always_upheld():
    text = report.text_table(SUMMARY)
    assert "prediction mode; guidelines as of each letter's decision date" in text
    assert "files 2: 1 read, 1 failed" in text
    assert "failed  dwc/<bad>.pdf: cannot open PDF: <garbage>" in text
    assert "items 3: 2 predicted (coverage 66.7%)" in text
    header = next(line for line in text.splitlines() if line.strip().startswith("rules"))
    assert header.split() == ["rules", "always", "Upheld"]
    assert re.search(r"recall Upheld\s+50\.0%\s+100\.0%", text)
    assert re.search(r"recall Overturned\s+0\.0%\s+0\.0%", text)
    assert re.search(r"imaging\s+1\s+100\.0%", text)
    assert re.search(r"pt\.too-many-visits\s+1\s+1\s+0", text)


def test_the_table_gives_citation_agreement_by_family_and_by_family_and_section():
    text = report.text_table(SUMMARY)
    assert re.search(r"^citation agreement: family\s+100\.0% \(2 of 2\)$", text, flags=re.MULTILINE)
    assert re.search(r"^citation agreement: family and section\s+50\.0% \(1 of 2\)$", text,
                     flags=re.MULTILINE)
    topics = text.split("by topic")[1].split("by guideline")[0]
    assert topics.splitlines()[0].split()[-4:] == ["cite", "fam", "cite", "fam+sec"]
    assert re.search(r"^imaging\s.*100\.0%\s+100\.0%$", topics, flags=re.MULTILINE)
    assert re.search(r"^physical_therapy\s.*100\.0%\s+0\.0%$", topics, flags=re.MULTILINE)
    assert re.search(r"^opioids\s.*-\s+-$", topics, flags=re.MULTILINE)  # not predicted: nothing compared


def test_a_fixed_date_is_named_in_the_table():
    summary = metrics.summarize(LETTERS, mode="fidelity", as_of="2016-01-01")
    assert report.text_table(summary).startswith("fidelity mode; guidelines as of 2016-01-01\n")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def parsed(page: str) -> _Collect:
    collector = _Collect()
    collector.feed(page)
    return collector


def test_the_report_is_one_page_that_fetches_nothing_and_runs_nothing():
    page = parsed(report.html_report(SUMMARY, LETTERS))
    assert "script" not in page.tags
    assert not [value for name, value in page.attrs if name in ("src", "href")]
    assert "url(" not in " ".join(value or "" for _, value in page.attrs)


def test_every_text_from_a_letter_is_escaped():
    page = report.html_report(SUMMARY, LETTERS)
    assert "<script>" not in page and "<garbage>" not in page and "<already>" not in page
    text = "".join(parsed(page).text)
    for shown in (HOSTILE, "12 visits <already> completed", "functional improvement & return to work",
                  "dwc/<bad>.pdf: cannot open PDF: <garbage>"):
        assert shown in text


def test_the_report_lists_each_disagreement_with_its_rules_and_evidence():
    page = report.html_report(SUMMARY, LETTERS)
    text = " ".join(parsed(page).text)
    assert "Disagreements (1)" in text
    disagreement = page.split("Disagreements (1)")[1].split("Items without a prediction")[0]
    assert "pt.too-many-visits" in disagreement and "12 visits &lt;already&gt; completed" in disagreement
    assert "MRI lumbar" not in disagreement  # predicted right: not a disagreement


def test_the_report_shows_the_confusion_matrix_and_recall_bars_per_topic():
    page = report.html_report(SUMMARY, LETTERS)
    confusion = page.split("Confusion matrix")[1].split("<h2>")[0]
    cells = re.findall(r"<td>(\d+)</td>", confusion)
    assert cells == ["1", "0", "1", "1", "0", "0"]  # Upheld row: 1 UP, 0 OV, 1 none; Overturned row: 1 UP
    topics = page.split("By topic")[1].split("<h2>")[0]
    assert 'class="up" style="width:100.0%"' in topics  # imaging: every upheld item recalled
    assert 'class="over" style="width:0.0%"' in topics  # physical therapy: the overturned item missed


def test_the_report_gives_citation_agreement_by_family_and_by_family_and_section():
    page = report.html_report(SUMMARY, LETTERS)
    headline = page.split("<h2>")[0]
    assert "<td>citation agreement: family</td><td>100.0% (2 of 2)</td>" in headline
    assert "<td>citation agreement: family and section</td><td>50.0% (1 of 2)</td>" in headline
    topics = page.split("By topic")[1].split("<h2>")[0]
    assert "<th>citation: family</th><th>citation: family and section</th>" in topics
    therapy = topics.split("physical_therapy")[1].split("</tr>")[0]
    assert therapy.endswith("<td>100.0%</td><td>0.0%</td>")
