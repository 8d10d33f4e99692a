"""Cold start of the command line: wall time of `imr-rules check` on one example, in a fresh process each run.

A physician checks one case at a time, so what matters is the time from the
command to the answer, imports and rulebook loading included. Each run starts a
new interpreter (nothing cached in memory; the checked rulebook comes from the
on-disk rulebook cache, filled by one run first, as after a user's first check;
a few runs with that cache emptied each time are shown too); the figures are the
minimum and the median of the runs, beside `imr-rules --help` (the CLI shell alone) and a bare
interpreter, and a one-run breakdown of where the time of a check goes.
Target: < 0.5 s for a check.

The modules are byte-compiled, as those of an installed package are: the runs write and
read their bytecode in a folder of their own (PYTHONPYCACHEPREFIX), filled by the first
run, whatever PYTHONDONTWRITEBYTECODE says, so the repository gets no __pycache__. A few
runs that write no bytecode (the package's modules compiled from source every time, as in
a shell that sets PYTHONDONTWRITEBYTECODE) are shown too.

    .venv/bin/python benchmarks/bench_cli.py [--runs 10] [--case examples/zolpidem_ten_nights.yaml]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]

_BREAKDOWN = """
import sys, time
t0 = time.perf_counter()
import imr_rules.cli
t1 = time.perf_counter()
from imr_rules import engine as engines
from imr_rules.casefile import load_case
from imr_rules.views import checked_case
t2 = time.perf_counter()
case = load_case(sys.argv[1])
t3 = time.perf_counter()
engine = engines.default_engine()
t4 = time.perf_counter()
predictions = engines.evaluate(case.facts, case.items, case.as_of, engine)
checked_case(case, predictions, engine.rulebook, engine.name)
t5 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.3f} {t4 - t3:.3f} {t5 - t4:.3f}")
"""


def environment(bytecode: Path | None, cache: Path | None = None) -> dict[str, str]:
    """The runs' environment: bytecode in the folder `bytecode` (None: none written, so modules
    without bytecode beside them are compiled every run), the rulebook cache in `cache`."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    if cache is not None:
        env["IMR_RULES_CACHE"] = str(cache)
    return env


def wall(argv: list[str], runs: int, cache: Path | None = None, empty: bool = False,
         bytecode: Path | None = None) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + system) of each run; CPU time is steadier on a busy machine.

    `cache`: the rulebook cache folder of the runs (IMR_RULES_CACHE), emptied before each run if `empty`;
    `bytecode`: the folder of the modules' bytecode (None: compiled from source every run)."""
    env = environment(bytecode, cache)
    walls, cpus = [], []
    for _ in range(runs):
        if empty and cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return walls, cpus


def line(label: str, measured: tuple[list[float], list[float]]) -> str:
    walls, cpus = measured
    return (f"{label:<40} wall min {min(walls):6.3f} s  median {statistics.median(walls):6.3f} s"
            f"   cpu median {statistics.median(cpus):6.3f} s   ({len(walls)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--case", default="examples/zolpidem_ten_nights.yaml")
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    command = str(bindir / "imr-rules") if (bindir / "imr-rules").exists() else None
    cli = [command] if command else [sys.executable, "-m", "imr_rules"]

    work = Path(tempfile.mkdtemp(prefix="imr-rules-bench-"))  # the user's own cache is left alone
    cache, bytecode = work / "cache", work / "bytecode"
    wall([sys.executable, "-c", "pass"], 1, bytecode=bytecode)
    print(line("python -c pass", wall([sys.executable, "-c", "pass"], args.runs, bytecode=bytecode)))
    wall([*cli, "--help"], 1, bytecode=bytecode)
    print(line("imr-rules --help", wall([*cli, "--help"], args.runs, bytecode=bytecode)))
    # the first check fills the rulebook cache, as the first check of a user does, and the bytecode
    wall([*cli, "check", args.case], 1, cache, bytecode=bytecode)
    checks = wall([*cli, "check", args.case], args.runs, cache, bytecode=bytecode)
    print(line(f"imr-rules check {Path(args.case).name}", checks))
    few = max(2, args.runs // 3)
    print(line("  the same, rulebook cache empty", wall([*cli, "check", args.case], few, work / "empty",
                                                         empty=True, bytecode=bytecode)))
    print(line("  the same, no bytecode", wall([*cli, "check", args.case], few, cache)))
    parts = subprocess.run([sys.executable, "-c", _BREAKDOWN, args.case], cwd=ROOT, capture_output=True,
                           text=True, check=True, env=environment(bytecode, cache)).stdout.split()
    labels = ("CLI shell", "library imports", "case file (parse, note, facts)", "rulebook + engine",
              "evaluate")
    print("one check, in process:")
    for label, seconds in zip(labels, parts, strict=True):
        print(f"  {label:<32} {float(seconds):6.3f} s")
    middle = statistics.median(checks[0])
    print(f"target < 0.5 s wall: {'meets' if middle < 0.5 else 'misses'} it (median {middle:.3f} s)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
