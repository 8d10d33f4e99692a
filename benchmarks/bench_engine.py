"""Speed of `evaluate` on the whole bundled rulebook: cases per second and the latency of one case.

A case is three requested items with ten facts each: items and facts drawn at random
(seeded) from the rules' own embedded tests, so every topic with rules takes part,
each item padded with random values of other catalogue facts. Each engine evaluates
the same cases; `fire` alone (the engine's share, without explanations) is timed
too. Each engine is timed with full explanations (near misses) and with explain=False.
Target: >= 2,000 cases/s on one core, p99 of one case < 5 ms.

    .venv/bin/python benchmarks/bench_engine.py [--cases 5000] [--rounds 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from imr_rules.catalogue import FactType
from imr_rules.engine import DurableEngine, Engine, ReferenceEngine, book_for, environment, evaluate
from imr_rules.facts import CaseFacts, FactValue
from imr_rules.items import RequestedItem
from imr_rules.rulebook import Rulebook, load_rulebook
from imr_rules.ruletests import collect


def case_pool(rulebook: Rulebook) -> list[tuple[RequestedItem, dict[str, object], date]]:
    """(item, facts, date) of every embedded rule test: items and facts of every topic with rules."""
    pool = []
    for case in collect(rulebook):
        if isinstance(case.test.item, dict):
            pool.append((case.item(), dict(case.test.facts), case.as_of))
    return pool


def filler(rulebook: Rulebook) -> list[tuple[str, list[object]]]:
    """Case facts the rules may read, each with values to draw from (to pad an item to ten facts)."""
    out: list[tuple[str, list[object]]] = []
    for name in rulebook.catalogue.names():
        spec = rulebook.catalogue.spec(name)
        if spec.is_item or name == "as_of":
            continue
        if spec.type == FactType.tristate:
            out.append((name, ["documented", "not_documented", "documented_false"]))
        elif spec.type == FactType.number:
            out.append((name, [0, 1, 3, 4, 8, 26, 120]))
        elif spec.type == FactType.bool:
            out.append((name, [True, False]))
        elif spec.type == FactType.flags and spec.values:
            out.append((name, [list(spec.values[i:i + 2]) for i in range(0, len(spec.values), 2)]))
        elif spec.type == FactType.enum and spec.values:
            out.append((name, list(spec.values)))
    return out


def make_case(rng: random.Random, pool: list, extra: list) -> tuple[CaseFacts, list[RequestedItem], date]:
    """Three items drawn from the rule tests, each with ten facts (its test's, padded at random)."""
    picks = [rng.choice(pool) for _ in range(3)]
    per_item = []
    for _, facts, _ in picks:
        mine = dict(facts)
        while len(mine) < 10:
            name, values = rng.choice(extra)
            mine.setdefault(name, rng.choice(values))
        per_item.append({name: FactValue(value=value) for name, value in mine.items()})
    return CaseFacts(per_item=per_item), [item for item, _, _ in picks], picks[0][2]


def time_evaluate(engine: Engine, cases: list, explain: bool = True) -> tuple[float, float, list[float]]:
    """(cases/s by the wall clock, cases/s by this process's CPU time, latency of each case)."""
    for facts, items, day in cases[:200]:  # warm up
        evaluate(facts, items, day, engine, explain)
    latencies = []
    start, cpu = time.perf_counter(), time.process_time()
    for facts, items, day in cases:
        t0 = time.perf_counter()
        evaluate(facts, items, day, engine, explain)
        latencies.append(time.perf_counter() - t0)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return len(cases) / wall, len(cases) / used, latencies


def time_fire(engine: Engine, rulebook: Rulebook, cases: list) -> float:
    book = book_for(rulebook)
    jobs = []
    for facts, items, day in cases:
        for i, item in enumerate(items):
            topic = rulebook.canonical_topic(item.topic)
            env, _ = environment(book, topic, item, facts.for_item(i), day)
            jobs.append((topic, env))
    start = time.perf_counter()
    for topic, env in jobs:
        engine.fire(topic, env)
    return len(jobs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3, help="Best of this many rounds (the CPU is shared)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rulebook = load_rulebook()
    pool, extra = case_pool(rulebook), filler(rulebook)
    cases = [make_case(rng, pool, extra) for _ in range(args.cases)]
    engines: list[Engine] = [DurableEngine(rulebook), ReferenceEngine(rulebook)]
    print(f"{args.cases} cases x 3 items x 10 facts; {len(rulebook.rules)} rule versions in "
          f"{len(rulebook.by_topic)} topics; best of {args.rounds} rounds")
    print("cases/s by the wall clock and by this process's CPU time; latency of one case")
    print("explain: with near misses (check, explain); no: explain=False (the corpus tools)")
    print(f"{'engine':<15} {'explain':<8} {'cases/s':>9} {'CPU':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'fire() items/s':>15}")
    for engine in engines:
        fire_rate = max(time_fire(engine, rulebook, cases) for _ in range(args.rounds))
        for explain in (True, False):
            rounds = [time_evaluate(engine, cases, explain) for _ in range(args.rounds)]
            rate, cpu_rate, latencies = max(rounds, key=lambda r: r[0])
            cuts = statistics.quantiles(latencies, n=100)
            p50, p99 = cuts[49] * 1000, cuts[98] * 1000
            row = (f"{engine.name:<15} {'yes' if explain else 'no':<8} {rate:>9,.0f} {cpu_rate:>9,.0f} "
                   f"{p50:>8.3f} {p99:>8.3f}")
            print(f"{row} {fire_rate:>15,.0f}")


if __name__ == "__main__":
    main()
