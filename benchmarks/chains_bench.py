"""Chain health for every track and every district of Shanghai, and targets for one track, on a
synthetic store of N enterprises (default 1,000,000).

    .venv/bin/python benchmarks/chains_bench.py [--n 1000000] [--db var/bench/chains-1m.duckdb]

The store is built once with the demo generator and the lead's import (two years of facts, so
growth is defined) and reused when the file exists. Prints the machine, the command and each
figure. Targets: chain health of one track for one district under 2 s end to end (read, place,
health), targets for one track under 5 s end to end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import polars as pl

from districtlens.chains import report
from districtlens.chains.placement import place
from districtlens.chains.templates import shipped_templates
from districtlens.demo import generate_registry
from districtlens.importer import import_frame
from districtlens.refdata import shanghai_districts
from districtlens.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import machine  # noqa: E402

HEALTH_TARGET_S = 2.0
TARGETS_TARGET_S = 5.0


def build(db: Path, n: int) -> None:
    started = time.perf_counter()
    frame = generate_registry(seed=20251031, n_enterprises=n, years=range(2023, 2025))
    generated = time.perf_counter()
    with open_store(db) as store:
        result = import_frame(
            store, frame, source={"name": f"demo {n}", "kind": "demo"}, synthetic=True, skip_invalid=True
        )
    done = time.perf_counter()
    print(
        f"built {db}: {frame.height:,} rows generated in {generated - started:.1f} s,"
        f" imported in {done - generated:.1f} s ({result.inserted:,} inserted)"
    )


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--track", default="biopharma", help="track for the targets timing")
    args = parser.parse_args()
    db = args.db or Path(f"var/bench/chains-{args.n}.duckdb")
    print("machine:", machine())
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    if not db.exists():
        build(db, args.n)
    templates = shipped_templates()
    districts = shanghai_districts()["adcode"].to_list()
    with open_store(db, read_only=True) as store:
        first, load_s = timed(lambda: report.load_context(store, districts[0]))
        print(
            f"store: {first.city.height:,} operating firms in the city, facts of {first.year};"
            f" reading them took {load_s:.2f} s"
        )

        # Every track x every district, reusing one read and one placement per track.
        placements = {}
        for track, template in templates.items():
            placements[track], seconds = timed(lambda t=template: place(first.city, t))
            print(f"place {track}: {placements[track].height:,} placements in {seconds:.2f} s")
        per_health = []
        statuses: dict[str, int] = {}
        all_started = time.perf_counter()
        for district in districts:
            context = report.load_context(store, district, city=first.city, year=first.year)
            for track, template in templates.items():
                health, seconds = timed(lambda c=context, t=template, p=placements[track]: report.health(c, t, p))
                per_health.append(seconds)
                for status in health["status"].to_list():
                    statuses[status] = statuses.get(status, 0) + 1
        all_s = time.perf_counter() - all_started
        print(
            f"health, {len(templates)} tracks x {len(districts)} districts: {all_s:.2f} s in all"
            f" after the read and placement; per area {statistics.median(per_health) * 1000:.0f} ms"
            f" median, {max(per_health) * 1000:.0f} ms max; statuses {statuses}"
        )

        # One `chains show` as the CLI runs it: read, place, health.
        jingan = "310106"
        end_to_end = []
        for _ in range(3):
            _, seconds = timed(lambda: report.health(report.load_context(store, jingan), templates[args.track]))
            end_to_end.append(seconds)
        health_s = min(end_to_end)
        print(
            f"chains show {args.track} --area {jingan} end to end: {health_s:.2f} s (best of 3)"
            f" [target < {HEALTH_TARGET_S:.0f} s: {'met' if health_s < HEALTH_TARGET_S else 'MISSED'}]"
        )

        # `targets` as the CLI runs it: read, place, health, measures, ranking.
        runs = []
        for _ in range(3):
            (chain, ranked), seconds = timed(
                lambda: report.targets(store, report.load_context(store, jingan), templates[args.track], top=20)
            )
            runs.append(seconds)
        targets_s = min(runs)
        gaps = chain.filter(pl.col("status").is_in(["missing", "weak"])).height
        print(
            f"targets {args.track} --area {jingan} end to end: {targets_s:.2f} s (best of 3),"
            f" {gaps} gap link(s), {ranked.height} targets"
            f" [target < {TARGETS_TARGET_S:.0f} s: {'met' if targets_s < TARGETS_TARGET_S else 'MISSED'}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
