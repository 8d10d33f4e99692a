"""Speed of fact extraction: letters per second on one core, and the cost of starting up.

Each letter is parsed once, outside the timing; then, round after round until at least
--letters letters have been read (default 2,000), the timed step reads them:

  extract      `extract_facts(summary, items)`: the clinical case summary and the item texts,
               items already parsed (what prediction mode reads)
  prediction   `facts_from_letter(letter, "prediction")`, which also parses each item
  fidelity     `facts_from_letter(letter, "fidelity")`, which also reads every rationale

Rates are given by wall clock and by CPU time of this process (the CPU figure is steadier
on a shared machine), for all rounds and for the best round. Start-up (importing the
module, then compiling the patterns on first use) is measured in a fresh process.
Target: >= 1,000 letters/s for `extract` on one core.

    .venv/bin/python benchmarks/bench_extract.py [--letters 2000] [--corpus DIR] [--dwc]

The corpus is DIR, else $IMR_RULES_CORPUS, else `corpus/` in the repository or
`../shared/corpus` beside it (a folder holding `real/`, and with --dwc also `dwc/`);
without one, the bundled examples/letters are used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from imr_rules.facts import extract_facts, facts_from_letter
from imr_rules.items import RequestedItem, parse_item
from imr_rules.letters import Letter, read_letter

REPO = Path(__file__).resolve().parents[1]

STARTUP = """
import json, time
t0 = time.perf_counter()
import imr_rules.facts as f
t1 = time.perf_counter()
f.extract_facts("The injured worker reports low back pain rated 7/10.")
t2 = time.perf_counter()
f.extract_facts("The injured worker reports low back pain rated 7/10.")
t3 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "first_call_ms": (t2 - t1) * 1e3,
                  "next_call_ms": (t3 - t2) * 1e3}))
"""


def find_letters(given: str | None, with_dwc: bool) -> list[Path]:
    """The letter files to read: the corpus's real/ (and dwc/), else the bundled examples."""
    for candidate in (given, os.environ.get("IMR_RULES_CORPUS"), REPO / "corpus",
                      REPO.parent / "shared" / "corpus"):
        if candidate and (Path(candidate) / "real").is_dir():
            root = Path(candidate)
            files = sorted((root / "real").glob("*.txt"))
            if with_dwc and (root / "dwc").is_dir():
                files += sorted((root / "dwc").glob("*.pdf"))
            return files
    if given:
        sys.exit(f"bench_extract: no real/ folder in {given}")
    return sorted((REPO / "examples" / "letters").glob("*.txt"))


def rounds(work: Sequence, step: Callable[[object], object], at_least: int) -> dict[str, float]:
    """`step` over `work`, round after round, until `at_least` items: overall and best-round rates."""
    done = 0
    wall = cpu = 0.0
    best_wall = best_cpu = 0.0
    while done < at_least:
        w0, c0 = time.perf_counter(), time.process_time()
        for unit in work:
            step(unit)
        dw, dc = time.perf_counter() - w0, time.process_time() - c0
        done += len(work)
        wall += dw
        cpu += dc
        best_wall = max(best_wall, len(work) / dw if dw else 0.0)
        best_cpu = max(best_cpu, len(work) / dc if dc else 0.0)
    return {"letters": done, "wall_rate": done / wall, "cpu_rate": done / cpu if cpu else 0.0,
            "best_wall_rate": best_wall, "best_cpu_rate": best_cpu, "us_per_letter": cpu / done * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=2000, help="letters to read per step (>= 2,000)")
    parser.add_argument("--corpus", help="folder holding real/ (and dwc/)")
    parser.add_argument("--dwc", action="store_true", help="also read the dwc/ PDFs")
    args = parser.parse_args()

    files = find_letters(args.corpus, args.dwc)
    letters: list[Letter] = [read_letter(f) for f in files]
    letters = [letter for letter in letters if letter.items]
    parsed = [(letter, [parse_item(i.text) or RequestedItem(text=i.text) for i in letter.items])
              for letter in letters]
    chars = sum(len(letter.summary) for letter in letters) / len(letters)
    items = sum(len(letter.items) for letter in letters) / len(letters)

    startup = json.loads(subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True,
                                        check=True, cwd=REPO).stdout.strip().splitlines()[-1])

    def extract(unit: object) -> object:
        letter, its = unit  # type: ignore[misc]
        return extract_facts(letter.summary, its, source="summary", as_of=letter.decision_date)

    steps: list[tuple[str, Sequence, Callable[[object], object]]] = [
        ("extract", parsed, extract),
        ("prediction", letters, lambda letter: facts_from_letter(letter, "prediction")),  # type: ignore[arg-type]
        ("fidelity", letters, lambda letter: facts_from_letter(letter, "fidelity")),  # type: ignore[arg-type]
    ]
    for _, work, step in steps:  # warm up: compile the patterns before timing
        step(work[0])

    print(f"bench_extract: {len(letters)} letters from {len(files)} files "
          f"(summary {chars:.0f} characters, {items:.1f} items on average), one core")
    print(f"start-up: import {startup['import_ms']:.0f} ms, first call (compiles the patterns) "
          f"{startup['first_call_ms']:.0f} ms, next call {startup['next_call_ms']:.1f} ms")
    print()
    print(f"{'step':<11} {'letters':>8} {'letters/s wall':>15} {'letters/s CPU':>14} {'best CPU':>9} "
          f"{'us/letter CPU':>14}")
    results = {}
    for name, work, step in steps:
        r = rounds(work, step, args.letters)
        results[name] = r
        print(f"{name:<11} {r['letters']:>8} {r['wall_rate']:>15.0f} {r['cpu_rate']:>14.0f} "
              f"{r['best_cpu_rate']:>9.0f} {r['us_per_letter']:>14.0f}")
    verdict = "meets" if results["extract"]["cpu_rate"] >= 1000 else "misses"
    rate = results["extract"]["cpu_rate"]
    print(f"\ntarget >= 1,000 letters/s for extract: {verdict} ({rate:.0f} letters/s CPU)")


if __name__ == "__main__":
    main()
