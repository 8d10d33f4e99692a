"""In prediction mode, each item of a real letter lands in the topic its citation implies.

The prediction sees only the clinical case summary and the item as written; the
topic it files the item under must be the one the reviewer's MAXIMUS citation is
about (the ground truth `topic_of_citation` derives), for every item of the 2014-15
letters and for at least 95% of the 2016-17 ones. The misses are listed.
"""

from __future__ import annotations

from corpus_paths import corpus_dir, requires_corpus

from imr_rules.facts import facts_from_letter
from imr_rules.letters import read_letter
from imr_rules.topics import canonical_topic, topic_of_citation


def _misses(folder: str) -> tuple[int, list[str]]:
    total, misses = 0, []
    for path in sorted(corpus_dir(folder).glob("*.*")):
        if path.suffix not in (".txt", ".pdf"):
            continue
        letter = read_letter(path)
        items, _ = facts_from_letter(letter, "prediction")
        for written, item in zip(letter.items, items, strict=True):
            total += 1
            truth = topic_of_citation(written.maximus_guideline, written.text)
            if canonical_topic(item.topic or "other") != truth:
                misses.append(f"{path.name}: {written.text!r} under {item.topic}, citation says {truth}")
    return total, misses


@requires_corpus("real")
def test_every_item_of_the_2014_15_letters_gets_its_citation_topic():
    total, misses = _misses("real")
    assert total == 15
    assert misses == []


@requires_corpus("dwc")
def test_at_most_five_percent_of_the_2016_17_items_miss_their_citation_topic():
    total, misses = _misses("dwc")
    assert total == 227
    listing = "\n".join(misses)
    assert len(misses) <= 0.05 * total, f"{len(misses)} of {total} items miss:\n{listing}"
