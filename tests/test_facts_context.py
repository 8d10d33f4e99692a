"""ConText-style scopes: negated, not documented, uncertain and planned findings are told apart."""

from pathlib import Path

import pytest

from imr_rules.context import Ctx, _trigger_rx, classify, find_triggers
from imr_rules.sentences import normalize, split_sentences

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "letters"


def ctx(sentence: str, target: str, ignore: frozenset[Ctx] = frozenset()) -> Ctx:
    norm = normalize(sentence)
    start = norm.index(target)
    return classify(find_triggers(norm, 0, len(norm)), start, start + len(target), ignore=ignore)


@pytest.mark.parametrize(("sentence", "target", "expected"), [
    ("The patient reports improved function with the medication.", "improved function", Ctx.affirmed),
    ("There is no documentation of functional improvement.", "functional improvement", Ctx.not_documented),
    ("The records fail to document functional improvement.", "functional improvement", Ctx.not_documented),
    ("Functional improvement was not documented at the last visit.", "functional improvement",
     Ctx.not_documented),
    ("There is no evidence however of a failed trial of first line agents.", "failed trial",
     Ctx.not_documented),
    ("There was a lack of objective findings of spasm.", "spasm", Ctx.not_documented),
    ("He denies any numbness or weakness of the legs.", "weakness", Ctx.negated),
    ("There was no improvement with therapy.", "improvement", Ctx.negated),
    ("She reports a lack of improvement after six visits.", "improvement", Ctx.negated),
    ("Straight leg raise was negative.", "straight leg raise", Ctx.negated),
    ("X-rays were negative for fracture.", "fracture", Ctx.negated),
    ("A fracture was ruled out on the films.", "fracture", Ctx.negated),
    ("The MRI was ordered to rule out a herniated nucleus pulposus.", "herniated", Ctx.uncertain),
    ("Lumbago with possible sacroiliac joint syndrome.", "sacroiliac joint syndrome", Ctx.uncertain),
    ("The treatment plan includes a lumbar MRI.", "lumbar mri", Ctx.hypothetical),
    ("An MRI of the knee was requested.", "mri", Ctx.hypothetical),
    ("He has a family history of depression.", "depression", Ctx.hypothetical),
])
def test_how_a_sentence_states_a_finding(sentence, target, expected):
    assert ctx(sentence, target) is expected


def test_a_comma_ends_the_scope_of_uncertainty_but_not_of_negation():
    sentence = "Diagnoses include possible sacroiliac syndrome, depression and anxiety."
    assert ctx(sentence, "sacroiliac") is Ctx.uncertain
    assert ctx(sentence, "depression") is Ctx.affirmed
    assert ctx("He denies fever, chills or weakness.", "weakness") is Ctx.negated


def test_a_terminator_ends_a_scope():
    sentence = "There was no spasm but there was tenderness of the paraspinal muscles."
    assert ctx(sentence, "spasm") is Ctx.negated
    assert ctx(sentence, "tenderness") is Ctx.affirmed


def test_pseudo_triggers_are_not_triggers():
    assert ctx("There was no change in the medication dose and spasm persists.", "spasm") is Ctx.affirmed
    assert ctx("The requesting physician notes radicular pain.", "radicular") is Ctx.affirmed


def test_a_month_named_may_is_no_hedge():
    assert ctx("Seen on may 12, 2015 with lumbar radiculopathy.", "radiculopathy") is Ctx.affirmed
    assert ctx("The medication may increase depression.", "depression") is Ctx.hypothetical


def test_a_finding_that_contains_its_own_trigger_is_not_negated_by_it():
    assert ctx("He is unable to sleep through the night.", "unable to sleep") is Ctx.affirmed


def test_ignored_categories_do_not_count():
    sentence = "The plan is to continue the current medications."
    assert ctx(sentence, "continue") is Ctx.hypothetical
    assert ctx(sentence, "continue", frozenset({Ctx.hypothetical})) is Ctx.affirmed


def test_the_fast_trigger_scan_finds_what_a_full_scan_finds():
    sentences = [
        "There is no mention that the patient participated in any home exercise program.",
        "He denies side effects; he has not been able to return to work, which is unlikely to change.",
        "Possible radiculopathy versus neuropathy, r/o carpal tunnel, and rule-out fracture?",
        "It was not clearly stated whether the applicant was or was not working.",
    ]
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences.extend(text[s.start:s.end] for s in split_sentences(text))
    for sentence in sentences:
        norm = normalize(sentence)
        full = [(m.start(), m.end(), m.lastgroup) for m in _trigger_rx().finditer(norm)]
        assert [tuple(t) for t in find_triggers(norm, 0, len(norm))] == full, sentence
