"""Targets with candidate pools, and a what-if scenario, on the demo store (issue #21).

    .venv/bin/python benchmarks/targets_bench.py [--db var/bench/targets-demo.duckdb] [--rebuild]
    .venv/bin/python benchmarks/targets_bench.py --n 1000000 --db var/bench/targets-1m.duckdb

Builds the demo store once (or, with --n, a synthetic registry of N firms as chains_bench.py
builds it: no pack, so no carriers and the space part is missing; the pools are then imported
without linking, which at that size is the resolver's benchmark, not this one), reused when the
file exists; imports the shipped pools (the Chinese
listed-companies sample and the Fortune Global 500 2017), then for every shipped track: the time
of `chains.targets` end to end (read the city, place it and the pools, free space from the
store's carriers, rank, explain), how many targets outside the reference district it gives and
of which modes; and the time of `scenario.compute` adding ten firms to the first weak or missing
link placed by class. Prints the machine, the command and each figure.

Each figure is given twice: `first`, with nothing kept from an earlier call (the city's firms read
from the store, placed and measured: what the first request after a write costs), and `again`, on
the same data version (`commands.chains.load_context` keeps the city and the area's context per
ledger head: what a server, or a session's later tracks and scenarios, cost). Before them, `cold`
is the process's first targets request (the first track's): `first` plus what a process loads once
(the modules imported on first use, such as pypinyin for place names in English and French, the
catalogs); a CLI call pays it, and Python's start. Each time is followed by the CPU time the
process spent on it (all threads): on a shared machine the wall time grows with the load, the CPU
time much less.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from districtlens.chains.templates import shipped_templates
from districtlens.commands import Context
from districtlens.commands.chains import FindTargets, forget_contexts, targets
from districtlens.commands.demo import build_demo
from districtlens.commands.pools import ImportPool, import_pool
from districtlens.commands.scenarios import Firm, ScenarioArgs, compute
from districtlens.store import ledger, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

T = TypeVar("T")
AREA = "310106"
TOP = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=Path("var/bench/targets-demo.duckdb"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--n", type=int, default=None, help="A synthetic registry of N firms instead of the demo.")
    args = parser.parse_args()
    print(machine())
    print("command:", " ".join(sys.argv))
    if args.rebuild and args.db.exists():
        args.db.unlink()
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if args.n is None:
            build_demo(args.db, actor="bench")
        else:
            from chains_bench import build

            build(args.db, args.n)
        with open_store(args.db) as store:
            imported = import_pool(Context(store=store, actor="bench"), ImportPool(shipped=True, link=args.n is None))
        print(f"built {args.db} with the shipped pools in {time.perf_counter() - started:.1f} s")
        for pool in imported.pools:
            print(f"  pool {pool.pool}: {pool.firms} firms, {pool.linked} linked ({pool.link_note or 'linked'})")
    with open_store(args.db, read_only=True) as store:
        ctx = Context(store=store, actor="bench")
        modes: Counter[str] = Counter()
        first_track = next(iter(shipped_templates()))
        cold, _ = _timed(partial(targets, ctx, FindTargets(track=first_track, area=AREA, top=TOP)))
        print(f"cold (the process's first request, {first_track}): {cold}")
        for track in shipped_templates():
            forget_contexts()
            request = partial(targets, ctx, FindTargets(track=track, area=AREA, top=TOP))
            first, _ = _timed(request)
            seconds, found = _timed(request)
            outside = [t for t in found.targets if t.district_adcode != AREA]
            with_space = sum(1 for t in found.targets if t.parts["space"] is not None)
            kinds = Counter(t.mode for t in found.targets)
            sources = Counter(t.source for t in found.targets)
            modes.update(kinds)
            print(
                f"targets {track}: first {first}, again {seconds}, {len(outside)} outside {AREA},"
                f" modes {dict(kinds)}, sources {dict(sources)}, space scored on {with_space}/{len(found.targets)}"
            )
        print(f"modes across the tracks: {dict(modes)}")
        template = shipped_templates()["biopharma"]
        head = ledger.head(store.con)
        probe = compute(ctx, ScenarioArgs(track="biopharma", area=AREA, firms=[Firm(industry_code="5212")]))
        weak = next(
            (
                link
                for link in probe.links
                if link.status_before in ("missing", "weak") and template.link(link.link_id).classes
            ),
            probe.links[0],
        )
        code = template.link(weak.link_id).classes[0] if template.link(weak.link_id).classes else "2710"
        scenario = ScenarioArgs(
            track="biopharma", area=AREA, firms=[Firm(industry_code=code, revenue=5000, employees=80)] * 10
        )
        forget_contexts()
        first, _ = _timed(lambda: compute(ctx, scenario))
        seconds, result = _timed(lambda: compute(ctx, scenario))
        after = next(link for link in result.links if link.link_id == weak.link_id)
        print(
            f"scenario biopharma +10 firms of {code} in {weak.link_id}: first {first}, again {seconds};"
            f" {after.status_before} -> {after.status_after}, LQ {after.lq_before} -> {after.lq_after};"
            f" ledger head unchanged: {ledger.head(store.con) == head}"
        )


def _timed(work: Callable[[], T]) -> tuple[str, T]:
    """`work`'s result, and its wall time with the CPU time the process spent on it."""
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    return f"{time.perf_counter() - started:.2f} s (CPU {time.process_time() - cpu:.2f} s)", result


if __name__ == "__main__":
    main()
