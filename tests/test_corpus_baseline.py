"""The shipped baseline: no rule change may turn a right prediction on a real letter wrong.

`tests/baselines/corpus-prediction.json` holds the predictions of every item of
the real letters (../shared/corpus/real and dwc) in prediction mode. Re-running
the corpus against it fails on any item that went from right to wrong, naming
it. When a change is meant to move predictions, save a new baseline with
`imr-rules corpus eval ../shared/corpus/real ../shared/corpus/dwc
--save-baseline tests/baselines/corpus-prediction.json` and commit it with the
change, so the review shows what moved.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from corpus_paths import corpus_dir, corpus_labels, requires_corpus

BASELINE = Path(__file__).parent / "baselines" / "corpus-prediction.json"


def _run_eval(*extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imr_rules", "corpus", "eval",
               str(corpus_dir("real")), str(corpus_dir("dwc")), "--workers", "0", "--no-cache", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@requires_corpus("dwc")
def test_the_baseline_covers_every_labelled_item():
    saved = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert saved["mode"] == "prediction"
    labelled = 0
    for folder in ("real", "dwc"):
        labels = corpus_labels(folder)
        letters = labels.get("letters", labels)
        labelled += sum(len(letter["items"]) for letter in letters.values())
    assert len(saved["items"]) == labelled


@requires_corpus("dwc")
def test_no_real_letter_goes_from_right_to_wrong():
    done = _run_eval("--baseline", str(BASELINE))
    assert done.returncode == 0, f"a right prediction turned wrong:\n{done.stderr}\n{done.stdout[-3000:]}"
    assert "Traceback" not in done.stderr


CARELESS_EXCEPTION = """\
  - id: diazepam-always-approved
    title: A careless exception that approves every diazepam request
    citation: {source: MTUS Chronic Pain 2009, section: Benzodiazepines, pages: "24"}
    in_force: {from: 2009-07-18, to: 2016-07-28}
    exception_to: [benzodiazepines-not-for-long-term, benzodiazepines-beyond-four-weeks]
    when:
      - item.generic == diazepam
    effect: overturned
    because: Diazepam is approved.
    tests:
      - name: diazepam is approved
        as_of: 2014-05-01
        item: {generic: diazepam, drug_class: benzodiazepine, days_supply: 60}
        expect: {outcome: Overturned, fired: [diazepam-always-approved]}
      - name: clonazepam is not
        as_of: 2014-05-01
        item: {generic: clonazepam, drug_class: benzodiazepine, days_supply: 60}
        expect: {outcome: Upheld, not_fired: [diazepam-always-approved]}
"""


@requires_corpus("real")
def test_a_rule_change_that_breaks_a_real_letter_fails_the_check_and_names_the_item(tmp_path):
    """A valid rule (it lints and passes its own tests) that contradicts MTUS p. 24 is caught."""
    import os
    import shutil

    from imr_rules.paths import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__"))
    benzo = rules / "benzodiazepines.yaml"
    text = benzo.read_text(encoding="utf-8")
    benzo.write_text(text.replace("rules:\n", "rules:\n" + CARELESS_EXCEPTION, 1), encoding="utf-8")
    env = {**os.environ, "IMR_RULES_DIR": str(rules)}
    lint = subprocess.run([sys.executable, "-m", "imr_rules", "rules", "lint"], capture_output=True,
                          text=True, timeout=300, env=env)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    command = [sys.executable, "-m", "imr_rules", "corpus", "eval", str(corpus_dir("real")),
               "--workers", "0", "--no-cache", "--baseline", str(BASELINE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 1
    assert "broken" in done.stderr
    assert "'Valium 10mg tab x 60, Q 8 hrs prn': Upheld -> Overturned" in done.stderr
