"""Throughput of `corpus eval`: letters per second end to end, and peak memory.

Measures text letters, PDF letters with a cold cache (every PDF distinct, so
every one is decoded and written to an empty cache) and with a warm cache, and
the runner alone (text letters through a stub parser, no predictor, no topics:
what the corpus machinery itself costs), at
1 and 2 workers, over >= 10,000 letters made by repeating the real corpus
(symlinks for text and warm PDFs; distinct copies for cold PDFs). Each
configuration runs in a fresh process so that its peak memory is its own.

It uses the project's parser and predictor when they exist; until then a stub
parser (decision lines only) and a predictor that predicts nothing stand in, and
the output says so. Target: >= 1,000 text letters/s with 2 workers.

Besides the wall-clock rate, each run gives the CPU milliseconds spent per letter
by the main process and by the workers (start-up included): on a shared machine
these move less than the rate, and on N cores N * 1000 / (main + workers) is the
rate the code could reach with every core its own.

    .venv/bin/python benchmarks/bench_corpus.py [--letters 10000] [--workers 1,2]
        [--kinds text,pdf-cold,pdf-warm] [--corpus DIR]

The corpus is DIR, else $IMR_RULES_CORPUS, else `corpus/` in the repository or
`../shared/corpus` beside it: a folder holding `real/` (.txt) and `dwc/` (.pdf).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from imr_rules import corpus, metrics
from imr_rules.errors import InputError
from imr_rules.letters import Decision, Letter, LetterItem
from imr_rules.results import ItemResult

REPO = Path(__file__).resolve().parents[1]
KINDS = ("runner", "text", "pdf-cold", "pdf-warm")


# --- stand-ins until the real steps land (top level: spawned workers import them by name) -------------

_DECISION = re.compile(r":[ \t]*(Upheld|Overturned)[ \t]*$", re.MULTILINE)


def stub_parse(text: str, source: str) -> Letter:
    """Decision lines (`<item>: Upheld`) only: enough to exercise the corpus machinery, not a letter parser.

    The decision is found first and the item read back to the line's start: a pattern that
    starts at every line start costs more than the machinery this stub is there to measure.
    """
    items = []
    for match in _DECISION.finditer(text):
        item = text[text.rfind("\n", 0, match.start()) + 1:match.start()].lstrip(" \t")
        if item and not item[0].isspace():
            items.append(LetterItem(text=item, decision=Decision(match.group(1))))
    return Letter(source=source, items=items)


def predict_nothing(letter: Letter, mode: str, as_of: date | None) -> list[ItemResult]:
    return [ItemResult(item=item.text) for item in letter.items]


def no_topic(maximus_line: str, item_text: str) -> None:
    return None


def steps(stub: bool = False) -> tuple[dict, str]:
    """The project's parser and predictor where they exist, with a note of what stood in."""
    if stub:
        return {"parser": stub_parse, "predictor": predict_nothing, "topic_of_citation": no_topic}, "stubs"
    try:
        corpus.make_job()
    except InputError:  # the pipeline has not landed yet
        return {"predictor": predict_nothing}, "project parser, no-op predictor"
    return {}, "project parser and pipeline"


# --- one measurement, in its own process ---------------------------------------------------------


def measure(folder: Path, cache: Path | None, workers: int, stub: bool) -> dict:
    chosen, _ = steps(stub)
    job = corpus.make_job(cache_dir=cache, **chosen)
    started, cpu_started = time.perf_counter(), time.process_time()
    sources = corpus.discover([folder])
    letters = corpus.run_letters(sources, job, workers=workers)
    summary = metrics.summarize(letters, mode="prediction", as_of="letter")
    json.dumps(corpus.corpus_json(summary, letters))
    seconds = time.perf_counter() - started
    main_cpu = time.process_time() - cpu_started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, all stopped by now
    kib = 1 if sys.platform != "darwin" else 1 / 1024  # ru_maxrss is KiB on Linux, bytes on macOS
    reasons = Counter(failure.error for failure in summary.failures).most_common(1)
    return {
        "letters": len(letters),
        "failed": summary.letters_failed,
        "top_failure": reasons[0][0] if reasons else None,
        "items": summary.overall.items,
        "seconds": seconds,
        "letters_per_s": len(letters) / seconds,
        "main_cpu_ms": main_cpu * 1000 / max(1, len(letters)),
        "worker_cpu_ms": (children.ru_utime + children.ru_stime) * 1000 / max(1, len(letters)),
        "peak_main_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib / 1024,
        "peak_worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib / 1024,
    }


def run_one(folder: Path, cache: Path | None, workers: int, stub: bool = False) -> dict:
    """Measure in a fresh interpreter, so that peak memory belongs to this configuration alone."""
    command = [sys.executable, __file__, "--one", str(folder), "--workers", str(workers)]
    if cache is not None:
        command += ["--cache", str(cache)]
    if stub:
        command.append("--stub")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- building the letters ---------------------------------------------------------------------------


def find_corpus(given: str | None) -> Path:
    candidates = [given, os.environ.get("IMR_RULES_CORPUS"),
                  REPO / "corpus", REPO.parent / "shared" / "corpus"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "real").is_dir() and (Path(candidate) / "dwc").is_dir():
            return Path(candidate)
    sys.exit("no corpus found: pass --corpus DIR (a folder holding real/ and dwc/)")


def repeat(originals: list[Path], count: int, into: Path, distinct: bool) -> Path:
    """`count` letters cycling through the originals: symlinks, or copies made distinct by a PDF comment."""
    into.mkdir(parents=True)
    for i in range(count):
        original = originals[i % len(originals)]
        target = into / f"{i:05}_{original.name}"
        if distinct:
            target.write_bytes(original.read_bytes() + f"%imr-rules benchmark copy {i}\n".encode())
        else:
            target.symlink_to(original)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--corpus")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--stub", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        cache = Path(args.cache) if args.cache else None
        print(json.dumps(measure(Path(args.one), cache, int(args.workers), args.stub)))
        return

    root = find_corpus(args.corpus)
    texts = sorted((root / "real").glob("*.txt"))
    pdfs = sorted((root / "dwc").glob("*.pdf"))
    _, note = steps()
    print(f"{args.letters} letters per run, repeated from {len(texts)} text and {len(pdfs)} PDF letters; "
          f"{note}; {os.cpu_count()} CPUs")
    print(f"{'letters':<10}{'workers':>8}{'letters/s':>11}{'seconds':>9}{'failed':>8}"
          f"{'main MiB':>10}{'worker MiB':>12}{'CPU ms/letter: main':>21}{'workers':>9}")
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as scratch:
        work = Path(scratch)
        for kind in args.kinds.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                cache = work / f"cache-{kind}-{workers}"
                if kind in ("runner", "text"):
                    folder, cache = repeat(texts, args.letters, work / f"{kind}-{workers}", False), None
                elif kind == "pdf-cold":
                    folder = repeat(pdfs, args.letters, work / f"cold-{workers}", True)
                else:
                    folder = repeat(pdfs, args.letters, work / f"warm-{workers}", False)
                    run_one(root / "dwc", cache, workers)  # fill the cache with every PDF once
                result = run_one(folder, cache, workers, stub=kind == "runner")
                print(f"{kind:<10}{workers:>8}{result['letters_per_s']:>11.0f}{result['seconds']:>9.1f}"
                      f"{result['failed']:>8}{result['peak_main_mib']:>10.0f}{result['peak_worker_mib']:>12.0f}"
                      f"{result['main_cpu_ms']:>21.3f}{result['worker_cpu_ms']:>9.3f}", flush=True)
                if result["top_failure"]:
                    print(f"{'':<10}most failures: {result['top_failure']}")
                shutil.rmtree(folder)


if __name__ == "__main__":
    main()
