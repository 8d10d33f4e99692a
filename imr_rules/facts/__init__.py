"""Case facts: the declared facts of a case, each with the evidence it came from.

The models are the seam between reading (notes, letters, case files) and the
rules. `extract_facts` reads a progress note or a letter's clinical case
summary into the facts declared in rules/facts.yaml; `facts_from_letter` does
it for a whole letter in one of two modes (see DESIGN.md, "Facts from
letters"): *prediction* reads only what was known before the decision (the
case summary and the items as requested), *fidelity* also reads each item's
rationale, minus the sentences that state the decision.

Extraction is hand-written patterns over the normal form of the text
(`imr_rules.sentences`), with ConText-style negation, uncertainty and
hypothetical scopes (`imr_rules.context`). The patterns are compiled on first
use, split into their alternatives and tried only where a word starts the way
an alternative does, so a letter is read in a millisecond or two
(benchmarks/bench_extract.py). Patterns describe general clinical language,
never a particular letter.

The package, one module per step (data flows down the list):

- `values`: the facts as data (`Tristate`, `Evidence`, `FactValue`, `CaseFacts`);
- `vocabulary`: treatment kinds, drug names and classes;
- `patterns`: the phrases of each fact, compiled on first use;
- `itemviews`: how the text may name each requested item;
- `document`: a text split into sentences once, with its words and what each sentence is about;
- `readers` and `mentions`: readers, one per group of facts, filing observations;
- `observations`: observations collected and combined into one value per fact;
- `derive`: facts that follow from other facts, and the built `CaseFacts`;
- `totals`: facts that add the request to what was read;
- `extract`: the entry points below.
"""

from imr_rules.facts.extract import extract_facts, facts_from_letter, rationale_sentences
from imr_rules.facts.mentions import _lexicon, compiled_alternative
from imr_rules.facts.patterns import _DIAGNOSES, _rx
from imr_rules.facts.totals import partial_authorization
from imr_rules.facts.values import (
    CaseFacts,
    Evidence,
    FactScalar,
    FactValue,
    FactValueType,
    Mode,
    Source,
    Tristate,
)
from imr_rules.facts.vocabulary import LONG_USE_WEEKS, REFILL_WEEKS

__all__ = [
    "LONG_USE_WEEKS",
    "REFILL_WEEKS",
    "CaseFacts",
    "Evidence",
    "FactScalar",
    "FactValue",
    "FactValueType",
    "Mode",
    "Source",
    "Tristate",
    "_DIAGNOSES",
    "_lexicon",
    "_rx",
    "compiled_alternative",
    "extract_facts",
    "facts_from_letter",
    "partial_authorization",
    "rationale_sentences",
]
