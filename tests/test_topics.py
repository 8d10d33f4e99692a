"""Topics: the list, aliases, and the topic an item or a letter's citation is about.

`topic_of_citation` is the ground truth the corpus is scored by: it follows the
citation wherever the citation says what it is about, and lets the item decide only
among the topics a citation names, or when the citation names none.
"""

import re

import pytest
from corpus_paths import corpus_dir, corpus_labels

from imr_rules.errors import InputError
from imr_rules.items import RequestedItem, parse_item
from imr_rules.topics import canonical_topic, load_topics, read_topics, topic_of_citation, topic_of_item

# ---------------------------------------------------------------- the list


def test_topic_keys_are_unique_and_other_is_one_of_them():
    keys = load_topics().keys
    assert len(keys) == len(set(keys))
    assert "other" in keys


@pytest.mark.parametrize(
    ("name", "key"),
    [("zolpidem", "sedative_hypnotics"), ("imaging_mri", "imaging"), ("ppi", "gi_prophylaxis"),
     ("psychotherapy", "psychological_treatment"), ("opioids", "opioids")],
)
def test_aliases_lead_to_their_topic(name, key):
    assert canonical_topic(name) == key


def test_an_unknown_topic_is_an_error_that_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown topic 'astrology'.*benzodiazepines"):
        canonical_topic("astrology")


def test_an_item_without_a_topic_is_other():
    assert topic_of_item(RequestedItem(text="unclassified")) == "other"
    assert topic_of_item(parse_item("Ambien 10mg #30")) == "sedative_hypnotics"


def test_a_topics_file_with_an_unknown_topic_in_its_citation_map_is_reported(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text(
        "topics:\n  - {key: imaging, title: Imaging, kind: imaging}\n"
        "citations:\n  sections:\n    - {names: [MRI], topics: [imaging]}\n"
        "    - {names: [EMG], topics: [emg]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="unknown topic 'emg'") as err:
        read_topics(path)
    assert (err.value.path, err.value.line) == (str(path), 6)


def test_a_topics_file_with_an_alias_taken_twice_is_reported(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text(
        "topics:\n  - {key: a, title: A, kind: other, aliases: [x]}\n"
        "  - {key: b, title: B, kind: other, aliases: [x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="'x' is already a topic key or alias") as err:
        read_topics(path)
    assert err.value.line == 3


def test_a_bad_page_range_is_reported(tmp_path):
    path = tmp_path / "topics.yaml"
    path.write_text(
        "topics:\n  - {key: a, title: A, kind: other}\ncitations:\n  cpmtg_2009_pages:\n"
        "    - {pages: 'twenty', topics: [a]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="pages") as err:
        read_topics(path)
    assert err.value.line == 5


# ---------------------------------------------------------------- the topic a citation names

_CPMTG_2009 = "Decision based on MTUS Chronic Pain Treatment Guidelines Page(s): {}."
_CPMTG_2016 = "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): {}."
_ACOEM = "Decision based on MTUS {} Complaints 2004, Section(s): {}."
_ODG = ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. "
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) {}.")


@pytest.mark.parametrize(
    ("line", "item", "topic"),
    [
        # 2009 guidelines cited by page
        (_CPMTG_2009.format("24"), None, "benzodiazepines"),
        (_CPMTG_2009.format("27-28"), "Suboxone 8/2mg #30", "buprenorphine"),
        (_CPMTG_2009.format("63-66"), None, "muscle_relaxants"),
        (_CPMTG_2009.format("13-16, 43"), "Elavil 25mg #30", "antidepressants"),
        (_CPMTG_2009.format("74-96"), None, "opioids"),
        (_CPMTG_2009.format("74-96"), "Actiq 400mcg #30", "fentanyl_transmucosal"),
        (_CPMTG_2009.format("74-96"), "Percocet 10/325mg #120", "opioids"),
        (_CPMTG_2009.format("111-113"), "Lidoderm 5% patch #30", "lidocaine_patch"),
        (_CPMTG_2009.format("98-99"), "Physical therapy 2x4 for the neck", "physical_therapy"),
        # 2016 guidelines cited by section
        (_CPMTG_2016.format("Electrodiagnostic testing (EMG/NCS)"), "EMG of the legs", "electrodiagnostics"),
        (_CPMTG_2016.format("Proton Pump Inhibitors (PPIs)"), "Nexium 40mg #30", "gi_prophylaxis"),
        (_CPMTG_2016.format("NSAIDs (non-steroidal anti-inflammatory drugs), NSAIDs, GI symptoms & "
                            "cardiovascular risk"), "Relafen 750mg #60", "nsaids"),
        (_CPMTG_2016.format("NSAIDs, GI symptoms & cardiovascular risk"), "Protonix 40mg #30",
         "gi_prophylaxis"),
        (_CPMTG_2016.format("Compound drugs"), "Tabradol 250ml", "compounded_drugs"),
        (_CPMTG_2016.format("Topical analgesics"), "Lidocaine 4% patch #30", "lidocaine_patch"),
        (_CPMTG_2016.format("Manual therapy & manipulation"), "Chiropractic care 6 visits", "chiropractic"),
        ("Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.9 Maintenance of Chronic Opioid "
         "Treatment.", "Urine drug screen", "urine_drug_testing"),
        ("Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.9 Maintenance of Chronic Opioid "
         "Treatment.", "Nucynta 50mg #60", "opioids"),
        ("Decision based on MTUS Acupuncture Treatment 2007.", "Acupuncture 6 visits", "acupuncture"),
        # body-part chapters: the section names a set, the item picks from it
        (_ACOEM.format("Low Back", "Special Studies"), "MRI of the lumbar spine", "imaging"),
        (_ACOEM.format("Low Back", "Special Studies"), "EMG of the lower extremities", "electrodiagnostics"),
        (_ACOEM.format("Low Back", "Physical Methods"), "Lumbar brace", "dme"),
        (_ACOEM.format("Low Back", "Physical Methods"), "Mechanical traction 6 sessions",
         "passive_modalities"),
        (_ACOEM.format("Knee", "Surgical Considerations"), "Right knee arthroscopy", "surgery"),
        (_ACOEM.format("Neck and Upper Back", "Summary"), "Celebrex 200mg #30", "nsaids"),
        (_ACOEM.format("Shoulder", "Summary"), None, "other"),
        # ODG and other non-MTUS sources
        (_ODG.format("Pain (Chronic), Zolpidem (Ambien)"), "Ambien 10mg #30", "sedative_hypnotics"),
        (_ODG.format("Pain Section/Voltaren\u00ae Gel (diclofenac) Topic"), "Voltaren gel 100g",
         "topical_analgesics"),
        (_ODG.format("Knee & Leg, Durable medical equipment (DME)"), "Shower chair", "dme"),
        (_ODG.format("Low Back, Hospital length of stay (LOS)"), "Two day inpatient stay", "inpatient_stay"),
        ("The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. "
         "Decision based on Non-MTUS Citation Tadalafil: Drug information, accessed from a drug reference.",
         "Cialis 5mg #30", "other_medications"),
        # no evidence cited: the item decides alone
        ("The Expert Reviewer did not cite any medical evidence for its decision.", "Pre-op clearance",
         "office_visits"),
        ("The Expert Reviewer did not cite any medical evidence for its decision.", None, "other"),
        ("", "Hot/cold unit", "dme"),
    ],
)
def test_the_citation_names_the_topic(line, item, topic):
    assert topic_of_citation(line, item) == topic


def test_a_specific_citation_wins_over_the_item():
    line = "Decision based on MTUS Acupuncture Treatment 2007."
    item = "Infrared heat to the neck 2 times a week for 3 weeks"
    assert topic_of_item(parse_item(item)) == "passive_modalities"
    assert topic_of_citation(line, item) == "acupuncture"


def test_the_first_guideline_cited_governs_when_the_item_is_none_of_them():
    line = ("Decision based on MTUS Low Back Complaints 2004, Section(s): Physical Methods, and Chronic Pain "
            "Medical Treatment 2009, Section(s): Epidural steroid injections (ESIs).")
    assert topic_of_citation(line, "CT scan of the lumbar spine") == "epidural_steroid_injection"


def test_pages_count_only_in_the_chronic_pain_guidelines():
    line = ("Decision based on MTUS Low Back Complaints 2004, Section(s): Summary. Decision based on "
            "Non-MTUS Citation ACOEM Practice Guidelines, 3rd ed., Low Back Disorders, pg. 24.")
    assert topic_of_citation(line, "Physical therapy 6 visits") == "physical_therapy"


# ---------------------------------------------------------------- acceptance on the real letters


def _maximus_lines(letter_text: str) -> list[str]:
    """The MAXIMUS guideline lines of a letter's text, in order, whitespace collapsed."""
    found = re.finditer(r"MAXIMUS guideline:(.*?)Decision rationale", letter_text, re.S)
    return [" ".join(m.group(1).split()) for m in found]


def test_every_item_of_the_real_letters_gets_its_labelled_topic_from_item_and_from_citation():
    labels = corpus_labels("real")["letters"]
    folder = corpus_dir("real")
    checked, wrong = 0, []
    for name, letter in labels.items():
        lines = _maximus_lines((folder / name).read_text(encoding="utf-8"))
        assert len(lines) == len(letter["items"]), name
        for labelled, line in zip(letter["items"], lines, strict=True):
            expected = canonical_topic(labelled["topic"])
            from_item = topic_of_item(parse_item(labelled["item"]))
            from_citation = topic_of_citation(line, labelled["item"])
            checked += 1
            if not from_item == from_citation == expected:
                wrong.append((labelled["item"], expected, from_item, from_citation))
    assert checked == 15
    assert not wrong, f"items whose topic is wrong (item, label, from item, from citation): {wrong}"


def test_item_topics_agree_with_citation_topics_on_the_dwc_letters():
    labels = corpus_labels("dwc")
    pairs = [(item["item"], item.get("maximus_guideline") or "") for letter in labels.values()
             for item in letter["items"]]
    misses = []
    for text, line in pairs:
        from_item, from_citation = topic_of_item(parse_item(text)), topic_of_citation(line, text)
        if from_item != from_citation:
            misses.append(f"{from_item} != {from_citation}: {text[:80]!r} cites {line[:120]!r}")
    agreement = 1 - len(misses) / len(pairs)
    print(f"dwc topic agreement: {len(pairs) - len(misses)}/{len(pairs)} = {agreement:.1%}")
    assert len(pairs) == 227
    assert agreement >= 0.95, "items whose topic differs from their citation's:\n" + "\n".join(misses)
