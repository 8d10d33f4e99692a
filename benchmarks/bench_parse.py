"""Letter parsing speed: letters per second from text and from PDF, and peak memory.

    .venv/bin/python benchmarks/bench_parse.py [--text-letters 5000] [--pdf-letters 1000]
        [--corpus DIR] [--compare-pypdf]

- text: `parse_letter` over the corpus letters as text (the `real/` .txt files and
  the text of the `dwc/` PDFs, extracted once before timing), repeated until at
  least --text-letters have been parsed. Target: >= 2,000 letters/s on one core.
- pdf: `read_letter` over the `dwc/` PDFs (decrypt, extract, parse), repeated
  until at least --pdf-letters.
- memory: the process's peak resident set after each part, and the peak of
  Python allocations (tracemalloc) while parsing every text letter once.
- --compare-pypdf: pypdf (with `cryptography`, needed for the AES-encrypted
  PDFs) against pypdfium2 on the `dwc/` PDFs: extraction speed, decision lines
  found, and whether the parsed items and decisions agree. Skipped when pypdf
  is not installed (it is not a dependency).

Rates are given as the run's average, its best round, and per second of this
process's CPU time: on a shared machine the last two are closer to what the
code itself can do.

The corpus is DIR, else $IMR_RULES_CORPUS, else `corpus/` in the repository or
`../shared/corpus` beside it: a folder holding `real/` (.txt) and `dwc/` (.pdf).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from imr_rules.citations import forget_citations
from imr_rules.letters import parse_letter, read_letter
from imr_rules.pdftext import PAGE_BREAK, read_text

REPO = Path(__file__).resolve().parents[1]
_DECISION_LINE = re.compile(r"(?:^|:)[ \t]*(?:Upheld|Overturned)[ \t]*$", re.MULTILINE)


def find_corpus(given: str | None) -> Path:
    candidates = [given, os.environ.get("IMR_RULES_CORPUS"), REPO / "corpus",
                  REPO.parent / "shared" / "corpus"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "dwc").is_dir():
            return Path(candidate)
    sys.exit("bench_parse: no corpus found (give --corpus DIR holding real/ and dwc/)")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


Timing = tuple[int, float, float, float]  # items, wall seconds, CPU seconds, best round (items/s)


def rounds(work: Sequence, step: Callable, at_least: int) -> Timing:
    """`step` over `work`, round after round, until `at_least` items.

    Each round starts with the cache of guideline lines empty, so that it reads the
    letters as a first run would (a line repeated within the corpus is still read once).
    """
    done, wall, cpu, best = 0, 0.0, 0.0, 0.0
    while done < at_least:
        forget_citations()
        start, start_cpu = time.perf_counter(), time.process_time()
        for item in work:
            step(item)
        elapsed = time.perf_counter() - start
        cpu += time.process_time() - start_cpu
        done += len(work)
        wall += elapsed
        best = max(best, len(work) / elapsed)
    return done, wall, cpu, best


def bench_text(texts: Sequence[str], at_least: int) -> Timing:
    return rounds(texts, parse_letter, at_least)


def bench_pdf(pdfs: Sequence[Path], at_least: int) -> Timing:
    return rounds(pdfs, read_letter, at_least)


def python_peak_kb(texts: Sequence[str]) -> float:
    tracemalloc.start()
    for text in texts:
        parse_letter(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    pages = (page.extract_text() or "" for page in reader.pages)
    return f"\n{PAGE_BREAK}\n".join(pages).replace("\r\n", "\n")


def _items(text: str) -> list[tuple[str, str]]:
    try:
        return [(" ".join(item.text.split()), item.decision.value) for item in parse_letter(text).items]
    except Exception as err:  # noqa: BLE001 - a comparison records failures, it does not stop on them
        return [("error", str(err))]


def compare_pypdf(pdfs: Sequence[Path]) -> None:
    try:
        import pypdf
    except ImportError:
        print("\npypdf comparison skipped: pypdf is not installed (pip install pypdf cryptography)")
        return
    texts: dict[str, dict[Path, str]] = {}
    timings = {}
    for name, extract in (("pypdfium2", read_text), (f"pypdf {pypdf.__version__}", pypdf_text)):
        start = time.perf_counter()
        texts[name] = {path: extract(path) for path in pdfs}
        timings[name] = time.perf_counter() - start
    (a, a_texts), (b, b_texts) = texts.items()
    lines = {name: sum(len(_DECISION_LINE.findall(text)) for text in found.values())
             for name, found in texts.items()}
    disagree = [path.name for path in pdfs if _items(a_texts[path]) != _items(b_texts[path])]
    parsed = {name: sum(len(_items(t)) for t in found.values()) for name, found in texts.items()}
    print(f"\nPDF text extraction over {len(pdfs)} letters")
    print(f"{'library':<16}{'letters/s':>11}{'decision lines':>16}{'items parsed':>14}")
    for name in texts:
        print(f"{name:<16}{len(pdfs) / timings[name]:>11.1f}{lines[name]:>16}{parsed[name]:>14}")
    print(f"letters whose parsed items or decisions differ: {len(disagree)}"
          + (f" ({', '.join(disagree[:5])}{' ...' if len(disagree) > 5 else ''})" if disagree else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text-letters", type=int, default=5000)
    parser.add_argument("--pdf-letters", type=int, default=1000)
    parser.add_argument("--corpus")
    parser.add_argument("--compare-pypdf", action="store_true")
    args = parser.parse_args()

    corpus = find_corpus(args.corpus)
    pdfs = sorted((corpus / "dwc").glob("*.pdf"))
    txts = sorted((corpus / "real").glob("*.txt"))
    texts = [read_text(path) for path in txts] + [read_text(path) for path in pdfs]
    print(f"corpus: {len(txts)} text letters, {len(pdfs)} PDF letters; python {sys.version.split()[0]}")

    rows = [("text (parse only)", *bench_text(texts, args.text_letters), peak_rss_mb())]
    rows.append(("pdf (read+parse)", *bench_pdf(pdfs, args.pdf_letters), peak_rss_mb()))

    print(f"\n{'input':<20}{'letters':>9}{'seconds':>9}{'letters/s':>11}{'best round/s':>14}"
          f"{'per CPU-s':>11}{'peak RSS MB':>13}")
    for name, n, wall, cpu, best, rss in rows:
        print(f"{name:<20}{n:>9}{wall:>9.2f}{n / wall:>11.0f}{best:>14.0f}{n / cpu:>11.0f}{rss:>13.1f}")
    peak = python_peak_kb(texts)
    print(f"\npeak Python allocations while parsing {len(texts)} letters once: {peak:.0f} KB")

    if args.compare_pypdf:
        compare_pypdf(pdfs)


if __name__ == "__main__":
    main()
